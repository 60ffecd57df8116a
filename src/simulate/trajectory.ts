/**
 * An iterative estimator (GAMP) followed step by step over the trials of a point: per iterate t = 0 .. T, the mean
 * +- se of each measured quantity that follows from the overlaps (`saddle simulate --trajectory T`; the comparison
 * with state evolution is verify/trajectory.ts). A trial that converged before T keeps its last iterate.
 */
import { UsageError } from '../base/errors.ts';
import { ESTIMATORS } from './estimators/library.ts';
import { summaryOf, type Summary, type Trial } from './experiment.ts';
import { simulateParallel, simulationOf, type Simulatable, type SimulationRun } from './run.ts';

export interface TrajectoryRunOptions {
  readonly d: number;
  readonly trials: number;
  readonly seed: number;
  /** Iterations T: the trajectory covers t = 0 .. T. */
  readonly iterations: number;
  /** Worker threads for the trials (default 1: in-process). */
  readonly workers?: number;
  readonly onTrial?: (t: Trial) => void;
}

/** The iterates over the trials: per step t = 0 .. T, the mean +- se of each quantity measurable from the overlaps. */
export interface SimulatedTrajectory {
  readonly run: SimulationRun;
  readonly steps: readonly { readonly t: number; readonly summary: Readonly<Record<string, Summary>> }[];
}

/**
 * The trials of a simulation whose estimator is iterative, each stopped after `iterations` iterations (not a
 * failure), and the mean +- se of each measured quantity at every iterate t = 0 .. T over the trials that did not
 * fail.
 */
export async function simulateTrajectory(compiled: Simulatable, params: Readonly<Record<string, number>>,
  o: TrajectoryRunOptions): Promise<SimulatedTrajectory> {
  const plan = simulationOf(compiled);
  if (!ESTIMATORS.get(plan.estimator.key)?.iterative || plan.model !== 'glm') {
    throw new UsageError(`--trajectory follows an iterative algorithm step by step; the estimator of model "${compiled.program.info.name}" is \`${plan.estimator.key}\``,
      'use `estimator: gamp` (a model with a glm section) or drop --trajectory');
  }
  if (!(Number.isInteger(o.iterations) && o.iterations >= 1)) throw new UsageError(`--trajectory ${o.iterations}: give the number of GAMP iterations, an integer >= 1`);
  const run = await simulateParallel(compiled, params, o.d, o.trials, o.seed, o.workers ?? 1, o.onTrial, { trajectory: o.iterations });
  const ok = run.trials.filter((t) => t.converged && t.trajectory);
  const quantities = Object.keys(ok[0]?.trajectory ?? {}).filter((k) => ok[0].trajectory![k].every(Number.isFinite));
  const steps = Array.from({ length: o.iterations + 1 }, (_, t) => ({
    t,
    summary: Object.fromEntries(quantities.map((k) => [k, summaryOf(ok.map((tr) => {
      const xs = tr.trajectory![k];
      return xs[Math.min(t, xs.length - 1)];
    }))])),
  }));
  return { run, steps };
}
