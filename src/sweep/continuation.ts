import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { selectEquilibrium } from '../solve/equilibrium.ts';
import type { Compiled, Problem } from '../compile/compile.ts';
import { solve } from '../solve/iterate.ts';
import { jacobian } from '../solve/jacobian.ts';
import type { Solution, SolveOptions } from '../solve/solution.ts';
import type { Axis } from './axis.ts';

export type Direction = 'forward' | 'backward';

/** One point of a sweep. Failed points are rows too, with their status: nothing is dropped. */
export interface SweepRow {
  readonly params: Readonly<Record<string, number>>;
  /** The direction ('forward', 'backward'), prefixed with the start's name when several starts were swept. */
  readonly branch: string;
  readonly solution: Solution;
  /** Intermediate parameter values solved to reach this point after a failure (step halving). */
  readonly substeps: number;
  /** With several branches and a free_energy: whether this row has the lowest free energy at its point. */
  readonly selected?: boolean;
}

export interface SweepOptions extends Omit<SolveOptions, 'init'> {
  /** forward, backward, or both (hysteresis: two branches of rows). Default forward. */
  readonly direction?: Direction | 'both';
  /** Named initialisation for the first point, and for a cold restart when continuation fails. */
  readonly init?: string;
  /** Several starts: one branch per start (and direction), and the equilibrium marked at each point. */
  readonly inits?: readonly string[];
  /** How many times a failed step is halved before a cold restart. Default 5. */
  readonly maxHalvings?: number;
  readonly onRow?: (row: SweepRow) => void;
}

interface Good { readonly value: number; readonly x: Float64Array }

/**
 * A warm start can sit exactly on a fixed point that the iteration moves away from: an uninformative point
 * (m = 0 of a spiked model, q = 0 of phase retrieval) stays a fixed point past its weak-recovery threshold, where
 * it turns unstable, and a start within the absolute tolerance of it "converges" at once. The branch an
 * iteration from a start follows never ends there (the iteration from `init` leaves it), so such a solution is
 * replaced by the solve from the named initialisation `init` when that converges. Repelling: an eigenvalue of
 * the Jacobian of the update map (carried order parameters) with real part above 1, unstable for every damping
 * (damping beta maps an eigenvalue mu to 1 + beta (mu - 1)). Checked only when the solve barely moved (at most
 * 2 iterations), the signature of a start on a fixed point; a warm start that converged by moving is kept.
 */
export function attracting(problem: Problem, s: Solution, options: Omit<SolveOptions, 'init'>, init: string): Solution {
  if (s.status !== 'converged' || s.iterations > 2 || problem.carried.length === 0) return s;
  const x = Float64Array.from(problem.stateNames, (k) => s.state[k]);
  const J = jacobian(problem, x);
  const real = J.length === 1 ? [J[0][0]] : new EigenvalueDecomposition(new Matrix(J)).realEigenvalues;
  if (!(Math.max(...real) > 1 + 1e-6)) return s;
  const cold = solve(problem, { ...options, init });
  return cold.status === 'converged' ? cold : s;
}

/**
 * Natural-parameter continuation along one axis: each point starts from its neighbour's solution; a failed
 * step is bisected (up to maxHalvings times) through intermediate values, then retried from a cold start.
 */
export function sweepLine(
  compiled: Compiled, fixed: Readonly<Record<string, number>>, axis: Axis, branch: Direction,
  options: SweepOptions = {}, start?: Float64Array, label: string = branch,
): SweepRow[] {
  const values = branch === 'forward' ? axis.values : [...axis.values].reverse();
  const { maxHalvings = 5, init = 'uninformed', onRow, direction: _d, inits: _i, ...solveOptions } = options;
  const at = (v: number) => compiled.problem({ ...fixed, [axis.name]: v });
  const stateOf = (s: Solution, names: readonly string[]) => Float64Array.from(names, (k) => s.state[k]);
  let last: Good | undefined = start && { value: NaN, x: start };
  const rows: SweepRow[] = [];
  for (const v of values) {
    const problem = at(v);
    let substeps = 0;
    /** Reach `target` from `from`, bisecting the step when a warm start fails. */
    const reach = (from: Good, target: number, depth: number): Solution | undefined => {
      const s = solve(target === v ? problem : at(target), { ...solveOptions, init: from.x });
      if (s.status === 'converged') return s;
      if (depth === 0 || Number.isNaN(from.value)) return undefined;
      const mid = (from.value + target) / 2;
      substeps++;
      const m = reach(from, mid, depth - 1);
      return m && reach({ value: mid, x: stateOf(m, problem.stateNames) }, target, depth - 1);
    };
    let solution = last ? reach(last, v, maxHalvings) : undefined;
    solution = solution ? attracting(problem, solution, solveOptions, init) : solve(problem, { ...solveOptions, init });
    const row: SweepRow = { params: { ...fixed, [axis.name]: v }, branch: label, solution, substeps };
    rows.push(row);
    onRow?.(row);
    if (solution.status === 'converged') last = { value: v, x: stateOf(solution, problem.stateNames) };
  }
  return rows;
}

/** The branches a sweep follows: each start in each direction, with its row label. */
function branchesOf(options: SweepOptions): { init: string; direction: Direction; label: string }[] {
  const dir = options.direction ?? 'forward';
  const directions: Direction[] = dir === 'both' ? ['forward', 'backward'] : [dir];
  const inits = options.inits ?? [options.init ?? 'uninformed'];
  return inits.flatMap((init) => directions.map((direction) => ({
    init, direction, label: inits.length > 1 ? (directions.length > 1 ? `${init} ${direction}` : init) : direction,
  })));
}

/**
 * With several branches and a free energy, marks at each parameter point the equilibrium (solve/equilibrium.ts:
 * the converged row of lowest free energy, the earlier branch on a tie): one row per point, or none.
 */
function markSelected(rows: SweepRow[], options: SweepOptions): SweepRow[] {
  if (branchesOf(options).length < 2 || !rows.some((r) => r.solution.observables.free_energy !== undefined)) return rows;
  const points = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const key = JSON.stringify(r.params);
    points.set(key, [...(points.get(key) ?? []), i]);
  });
  const selected = new Set<number>();
  for (const at of points.values()) {
    const best = selectEquilibrium(at.map((i) => ({ status: rows[i].solution.status, freeEnergy: rows[i].solution.observables.free_energy })));
    if (best !== undefined) selected.add(at[best]);
  }
  return rows.map((r, i) => ({ ...r, selected: selected.has(i) }));
}

/** A 1-D sweep: one continuation line per start and direction. */
export function sweep(compiled: Compiled, fixed: Readonly<Record<string, number>>, axis: Axis, options: SweepOptions = {}): SweepRow[] {
  const rows = branchesOf(options).flatMap((b) => sweepLine(compiled, fixed, axis, b.direction, { ...options, init: b.init }, undefined, b.label));
  return markSelected(rows, options);
}

/**
 * A 2-D grid: a continuation line along `inner` for each value of `outer`; each line's first point starts from
 * the previous line's first converged point.
 */
export function sweepGrid(
  compiled: Compiled, fixed: Readonly<Record<string, number>>, inner: Axis, outer: Axis, options: SweepOptions = {},
): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const b of branchesOf(options)) {
    let seed: Float64Array | undefined;
    for (const o of outer.values) {
      const line = sweepLine(compiled, { ...fixed, [outer.name]: o }, inner, b.direction, { ...options, init: b.init }, seed, b.label);
      rows.push(...line);
      const first = line.find((r) => r.solution.status === 'converged');
      if (first) seed = Float64Array.from(Object.values(first.solution.state));
    }
  }
  return markSelected(rows, options);
}
