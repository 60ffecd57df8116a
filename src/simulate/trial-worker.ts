/**
 * One simulation trial in a worker thread (tinypool). The task carries the model's IR (Program, structured-cloned),
 * its resolved simulation (plan.ts: plain data, pieces named by their library keys) and a key of the model; a
 * worker compiles each model once (the same generated source as the main thread, so the same numbers) without
 * loading the YAML reader and mathjs, which would triple its start-up. The result depends only on (model, params,
 * d, seed): a trial gives the same numbers in any worker, in any order, as in-process.
 */
import { compile, type Compiled } from '../compile/compile.ts';
import type { Program } from '../ir/nodes.ts';
import type { FitOptions } from './estimators/types.ts';
import { experimentAt, runTrial, type Trial } from './experiment.ts';
import type { Simulation } from './plan.ts';
import type { TrialSeed } from './rng.ts';

export interface TrialTask {
  readonly program: Program;
  /** The model's resolved simulation (plain data, cloned with the task). */
  readonly simulation: Simulation;
  /** Identifies the program (a hash of its generated source): the worker compiles each one once. */
  readonly key: string;
  readonly params: Readonly<Record<string, number>>;
  readonly d: number;
  readonly seed: TrialSeed;
  readonly fit?: FitOptions;
}

const models = new Map<string, Compiled>();

export default function runTrialTask(task: TrialTask): Trial {
  let compiled = models.get(task.key);
  if (!compiled) models.set(task.key, (compiled = compile(task.program)));
  // the pieces' arguments are read off the Problem's parameters; gamp and amp call its compiled functions
  return runTrial(experimentAt(task.simulation, compiled.problem(task.params)), task.d, task.seed, task.fit);
}
