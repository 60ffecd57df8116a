/**
 * One simulation trial in a worker thread (tinypool): loads the model file once per worker and load options (the
 * main thread's, e.g. --prior), resolves the experiment at the given parameters, runs the trial. The result
 * depends only on (file, load options, params, d, seed): a trial
 * gives the same numbers in any worker, in any order, as in-process.
 */
import type { Compiled } from '../compile/compile.ts';
import { loadModel, type LoadOptions } from '../model/load.ts';
import { experimentAt, runTrial, type FitOptions, type Trial } from './experiment.ts';
import type { TrialSeed } from './rng.ts';

export interface TrialTask {
  readonly file: string;
  readonly params: Readonly<Record<string, number>>;
  readonly d: number;
  readonly seed: TrialSeed;
  readonly fit?: FitOptions;
  /** The options the model was loaded with in the main thread (e.g. --prior): the worker loads it the same way. */
  readonly load?: LoadOptions;
}

const models = new Map<string, Compiled>();

export default function runTrialTask(task: TrialTask): Trial {
  const key = `${task.file}\0${JSON.stringify(task.load ?? {})}`;
  let compiled = models.get(key);
  if (!compiled) models.set(key, (compiled = loadModel(task.file, undefined, task.load ?? {})));
  // the gamp estimator calls the model's compiled functions at these parameters
  return runTrial(experimentAt(compiled.program.model.simulation!, task.params, compiled.problem(task.params)), task.d, task.seed, task.fit);
}
