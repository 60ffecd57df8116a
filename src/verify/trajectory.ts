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
import { UsageError } from '../base/errors.ts';
import type { Simulatable, SimulationRun } from '../simulate/run.ts';
import { simulateTrajectory, type TrajectoryRunOptions } from '../simulate/trajectory.ts';
import { trajectory, type Trajectory } from '../solve/trajectory.ts';
import { comparison, type Comparison } from './compare.ts';

export interface TrajectoryOptions extends TrajectoryRunOptions {
  readonly tolerance: number;
  /** The theory's start for the order parameters other than q (default `uninformed`). */
  readonly init?: string;
}

export interface TrajectoryComparison {
  readonly run: SimulationRun;
  readonly theory: Trajectory;
  /** Per step t = 0 .. T, one row per measured quantity that follows from the overlaps. */
  readonly steps: readonly { readonly t: number; readonly rows: readonly Comparison[] }[];
  readonly pass: boolean;
}

/** GAMP's iterates (simulate/trajectory.ts) against the state evolution of the same model, step by step. */
export async function compareTrajectory(compiled: Simulatable, params: Readonly<Record<string, number>>, o: TrajectoryOptions): Promise<TrajectoryComparison> {
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
