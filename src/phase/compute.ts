import type { Compiled } from '../compile/compile.ts';
import { selectEquilibrium } from '../solve/equilibrium.ts';
import { solve } from '../solve/iterate.ts';
import type { Status } from '../solve/solution.ts';
import { findThreshold, type Threshold } from '../transitions/threshold.ts';
import type { LineSpec, PhaseSpec } from './spec.ts';

/** One start's solution at a cell (no wall time: a record depends only on the spec and the cell). */
export interface BranchRecord {
  readonly init: string;
  readonly status: Status;
  readonly iterations: number;
  readonly residual: number;
  readonly state: Readonly<Record<string, number>>;
  readonly observables: Readonly<Record<string, number>>;
  readonly message?: string;
}

export interface CellRecord {
  readonly type: 'cell';
  readonly i: number;
  readonly j: number;
  readonly x: number;
  readonly y: number;
  readonly branches: readonly BranchRecord[];
  /** The equilibrium: the converged branch of lowest free energy (without a free energy, the first converged start). */
  readonly selected: string | null;
}

/** A point of a line: a threshold without its kind, parameter, status and starts (the line's name says them). */
export interface LinePointRecord extends Omit<Threshold, 'kind' | 'param' | 'status' | 'init' | 'high'> {
  readonly type: 'line';
  readonly line: string;
  readonly k: number;
  readonly x: number;
}

export type PhaseRecord = CellRecord | LinePointRecord;

/** Every start of the spec, solved cold at cell (i, j): branches do not depend on the order cells are computed in. */
export function solveCell(compiled: Compiled, spec: PhaseSpec, i: number, j: number): CellRecord {
  const x = spec.x.values[i];
  const y = spec.y.values[j];
  const problem = compiled.problem({ ...spec.fixed, [spec.x.name]: x, [spec.y.name]: y });
  const branches = spec.inits.map((init): BranchRecord => {
    const s = solve(problem, { ...spec.solver, init });
    return {
      init, status: s.status, iterations: s.iterations, residual: s.residual, state: s.state, observables: s.observables,
      ...(s.message !== undefined && { message: s.message }),
    };
  });
  return { type: 'cell', i, j, x, y, branches, selected: selectBranch(branches) };
}

function selectBranch(branches: readonly BranchRecord[]): string | null {
  const best = selectEquilibrium(branches.map((b) => ({ status: b.status, freeEnergy: b.observables.free_energy })));
  return best === undefined ? null : branches[best].init;
}

/** Half-width, in y grid steps, of the window searched around the previous point of a line. */
const WINDOW = 4;

/**
 * Points k of one line, in order. Each is `findThreshold` in y at x_k, to the spec's tolerance; after a point
 * found, the next search is warm: a window of +-WINDOW grid steps around it, widened to the whole y range when
 * the window holds no transition. `prev` is the threshold of the point before `ks[0]` when it was found.
 */
export function traceLine(compiled: Compiled, spec: PhaseSpec, line: LineSpec, ks: readonly number[], prev?: number): LinePointRecord[] {
  const ys = spec.y.values;
  const lo = Math.min(ys[0], ys[ys.length - 1]);
  const hi = Math.max(ys[0], ys[ys.length - 1]);
  const step = (hi - lo) / Math.max(1, ys.length - 1);
  const out: LinePointRecord[] = [];
  for (const k of ks) {
    const x = spec.x.values[k];
    const base = {
      kind: line.kind, param: spec.y.name, fixed: { ...spec.fixed, [spec.x.name]: x }, tol: spec.tol, solver: spec.solver,
      ...(line.init !== undefined && { init: line.init }), ...(line.direction !== undefined && { direction: line.direction }),
    };
    let evaluations = 0;
    let t: Threshold | undefined;
    if (prev !== undefined) {
      const a = Math.max(lo, prev - WINDOW * step);
      const b = Math.min(hi, prev + WINDOW * step);
      if (b > a) {
        const w = findThreshold(compiled, { ...base, lo: a, hi: b, scan: 2 * WINDOW + 1 });
        evaluations += w.evaluations;
        if (w.found) t = w;
      }
    }
    if (!t) {
      t = hi > lo ? findThreshold(compiled, { ...base, lo, hi }) : undefined;
      evaluations += t?.evaluations ?? 0;
    }
    const { kind: _k, param: _p, status: _s, init: _i, high: _h, ...rest } = t ?? {
      kind: line.kind, param: spec.y.name, threshold: NaN, bracket: [lo, hi] as const, tolerance: NaN, evaluations: 0, found: false,
      status: 'not-found', message: 'the y axis has a single value',
    };
    out.push({ type: 'line', line: line.name, k, x, ...rest, evaluations });
    prev = rest.found ? rest.threshold : undefined;
  }
  return out;
}
