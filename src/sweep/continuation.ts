import type { Compiled } from '../compile/compile.ts';
import { solve } from '../solve/iterate.ts';
import type { Solution, SolveOptions } from '../solve/solution.ts';
import type { Axis } from './axis.ts';

export type Direction = 'forward' | 'backward';

/** One point of a sweep. Failed points are rows too, with their status: nothing is dropped. */
export interface SweepRow {
  readonly params: Readonly<Record<string, number>>;
  readonly branch: Direction;
  readonly solution: Solution;
  /** Intermediate parameter values solved to reach this point after a failure (step halving). */
  readonly substeps: number;
}

export interface SweepOptions extends Omit<SolveOptions, 'init'> {
  /** forward, backward, or both (hysteresis: two branches of rows). Default forward. */
  readonly direction?: Direction | 'both';
  /** Named initialisation for the first point, and for a cold restart when continuation fails. */
  readonly init?: string;
  /** How many times a failed step is halved before a cold restart. Default 5. */
  readonly maxHalvings?: number;
  readonly onRow?: (row: SweepRow) => void;
}

interface Good { readonly value: number; readonly x: Float64Array }

/**
 * Natural-parameter continuation along one axis: each point starts from its neighbour's solution; a failed
 * step is bisected (up to maxHalvings times) through intermediate values, then retried from a cold start.
 */
export function sweepLine(
  compiled: Compiled, fixed: Readonly<Record<string, number>>, axis: Axis, branch: Direction,
  options: SweepOptions = {}, start?: Float64Array,
): SweepRow[] {
  const values = branch === 'forward' ? axis.values : [...axis.values].reverse();
  const { maxHalvings = 5, init = 'uninformed', onRow, direction: _d, ...solveOptions } = options;
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
    solution ??= solve(problem, { ...solveOptions, init });
    const row: SweepRow = { params: { ...fixed, [axis.name]: v }, branch, solution, substeps };
    rows.push(row);
    onRow?.(row);
    if (solution.status === 'converged') last = { value: v, x: stateOf(solution, problem.stateNames) };
  }
  return rows;
}

/** A 1-D sweep in one or both directions. */
export function sweep(compiled: Compiled, fixed: Readonly<Record<string, number>>, axis: Axis, options: SweepOptions = {}): SweepRow[] {
  const dir = options.direction ?? 'forward';
  const branches: Direction[] = dir === 'both' ? ['forward', 'backward'] : [dir];
  return branches.flatMap((b) => sweepLine(compiled, fixed, axis, b, options));
}

/**
 * A 2-D grid: a continuation line along `inner` for each value of `outer`; each line's first point starts from
 * the previous line's first converged point.
 */
export function sweepGrid(
  compiled: Compiled, fixed: Readonly<Record<string, number>>, inner: Axis, outer: Axis, options: SweepOptions = {},
): SweepRow[] {
  const dir = options.direction ?? 'forward';
  const branches: Direction[] = dir === 'both' ? ['forward', 'backward'] : [dir];
  const rows: SweepRow[] = [];
  for (const b of branches) {
    let seed: Float64Array | undefined;
    for (const o of outer.values) {
      const line = sweepLine(compiled, { ...fixed, [outer.name]: o }, inner, b, options, seed);
      rows.push(...line);
      const first = line.find((r) => r.solution.status === 'converged');
      if (first) seed = Float64Array.from(Object.values(first.solution.state));
    }
  }
  return rows;
}
