/**
 * GAMP against its state evolution at each time step (`saddle verify --trajectory T`).
 *
 * Time indices. GAMP's iterate t is its estimate after t denoiser updates, t = 0 being the start (simulate/gamp.ts);
 * the theory's step t is the update map applied t times (solve/trajectory.ts). Both start from no information
 * about the teacher: GAMP from the prior mean (or a random vector independent of w*), whose overlap with the
 * teacher is m_0 = 0, and the state evolution from q_0 = 0 (whatever the file's `uninformed` start, e.g. 0.001).
 * One GAMP iteration (omega, gout, B, then fa) is one sweep (qhat from q, then q from qhat), so GAMP's m_t and q_t
 * are compared with the theory's q_t, and every other measured quantity with its observable at step t.
 *
 * A trial that converges before T keeps its last iterate for the remaining steps (a fixed point does not move).
 * Damped GAMP (gamp(beta), beta < 1) follows another trajectory to the same fixed points: compare it at its end,
 * not step by step. A random start where the prior mean is a fixed point (phase retrieval) leaves the theory's
 * q = 0 only at finite d, after a number of steps that grows like log d: its trajectory is not the state
 * evolution from q_0 = 0.
 */
import type { Compiled } from '../compile/compile.ts';
import { UsageError } from '../base/errors.ts';
import type { Summary, Trial } from '../simulate/experiment.ts';
import { trajectory, type Trajectory } from '../solve/trajectory.ts';
import { comparison, simulateParallel, simulationOf, type Comparison, type SimulationRun } from './compare.ts';

export interface TrajectoryOptions {
  readonly d: number;
  readonly trials: number;
  readonly seed: number;
  /** GAMP iterations T: the comparison covers t = 0 .. T. */
  readonly iterations: number;
  readonly tolerance: number;
  /** Worker threads for the trials (default 1: in-process). */
  readonly workers?: number;
  /** The theory's start for the order parameters other than q (default `uninformed`). */
  readonly init?: string;
  readonly onTrial?: (t: Trial) => void;
}

export interface TrajectoryComparison {
  readonly run: SimulationRun;
  readonly theory: Trajectory;
  /** Per step t = 0 .. T, one row per measured quantity that follows from the overlaps. */
  readonly steps: readonly { readonly t: number; readonly rows: readonly Comparison[] }[];
  readonly pass: boolean;
}

/** GAMP's iterates over the trials: per step t = 0 .. T, the mean +- se of each quantity measurable from the overlaps. */
export interface SimulatedTrajectory {
  readonly run: SimulationRun;
  readonly steps: readonly { readonly t: number; readonly summary: Readonly<Record<string, Summary>> }[];
}

/**
 * The trials of a GAMP simulation, each stopped after `iterations` iterations (not a failure), and the mean +- se
 * of each measured quantity at every iterate t = 0 .. T over the trials that did not fail (`saddle simulate
 * --trajectory`). A trial that converged before T keeps its last iterate.
 */
export async function simulateTrajectory(compiled: Compiled, params: Readonly<Record<string, number>>,
  o: Omit<TrajectoryOptions, 'tolerance' | 'init'>): Promise<SimulatedTrajectory> {
  const spec = simulationOf(compiled);
  if (spec.estimator.name !== 'gamp') {
    throw new UsageError(`--trajectory follows an iterative algorithm step by step; the estimator of model "${compiled.program.info.name}" is \`${spec.estimator.name}\``,
      'use `estimator: gamp` (a model with a glm section) or drop --trajectory');
  }
  if (!(Number.isInteger(o.iterations) && o.iterations >= 1)) throw new UsageError(`--trajectory ${o.iterations}: give the number of GAMP iterations, an integer >= 1`);
  const run = await simulateParallel(compiled, params, o.d, o.trials, o.seed, o.workers ?? 1, o.onTrial, { trajectory: o.iterations });
  const ok = run.trials.filter((t) => t.converged && t.trajectory);
  const quantities = Object.keys(ok[0]?.trajectory ?? {}).filter((k) => ok[0].trajectory![k].every(Number.isFinite));
  const steps = Array.from({ length: o.iterations + 1 }, (_, t) => ({
    t,
    summary: Object.fromEntries(quantities.map((k) => [k, summary(ok.map((tr) => {
      const xs = tr.trajectory![k];
      return xs[Math.min(t, xs.length - 1)];
    }))])),
  }));
  return { run, steps };
}

export async function compareTrajectory(compiled: Compiled, params: Readonly<Record<string, number>>, o: TrajectoryOptions): Promise<TrajectoryComparison> {
  const { run, steps: measured } = await simulateTrajectory(compiled, params, o);
  const problem = compiled.problem(run.params);
  const name = o.init ?? 'uninformed';
  const named = problem.inits[name];
  if (!named) throw new UsageError(`model "${problem.model}" has no initialisation \`${name}\``, `its initialisations are: ${Object.keys(problem.inits).join(', ')}`);
  const start = Float64Array.from(named);
  const qi = problem.stateNames.indexOf('q');
  if (qi >= 0) start[qi] = 0; // GAMP's start carries no information on the teacher: m_0 = 0
  const theory = trajectory(problem, start, o.iterations);

  const theoryAt = (k: string, t: number) => (theory.state[k] ?? theory.observables[k])[t];
  const steps = measured.map(({ t, summary: s }) => ({
    t,
    rows: Object.entries(s).map(([k, m]) => comparison(k, theoryAt(k, t), m, o.tolerance)),
  }));
  return { run, theory, steps, pass: steps.every((s) => s.rows.every((r) => r.pass)) };
}

function summary(xs: readonly number[]): Summary {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : NaN;
  return { mean, se: Math.sqrt(variance / n), trials: n };
}
