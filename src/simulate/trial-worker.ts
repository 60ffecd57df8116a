/**
 * One simulation trial in a worker thread (tinypool): loads the model file once per worker, resolves the
 * experiment at the given parameters, runs the trial. The result depends only on (file, params, d, seed): a trial
 * gives the same numbers in any worker, in any order, as in-process.
 */
import type { Compiled } from '../compile/compile.ts';
import { loadModel } from '../model/load.ts';
import { experimentAt, runTrial, type FitOptions, type Trial } from './experiment.ts';
import type { TrialSeed } from './rng.ts';

export interface TrialTask {
  readonly file: string;
  readonly params: Readonly<Record<string, number>>;
  readonly d: number;
  readonly seed: TrialSeed;
  readonly fit?: FitOptions;
}

const models = new Map<string, Compiled>();

export default function runTrialTask(task: TrialTask): Trial {
  let compiled = models.get(task.file);
  if (!compiled) models.set(task.file, (compiled = loadModel(task.file)));
  // the gamp estimator calls the model's compiled functions at these parameters
  return runTrial(experimentAt(compiled.program.model.simulation!, task.params, compiled.problem(task.params)), task.d, task.seed, task.fit);
}
