import type { Compiled, Problem } from '../compile/compile.ts';
import { UsageError } from '../base/errors.ts';
import { bisectPredicate, brent } from '../numerics/roots.ts';
import { solve } from '../solve/iterate.ts';
import type { Solution, SolveOptions } from '../solve/solution.ts';
import { grid } from '../sweep/axis.ts';
import { attracting, sweepLine, type SweepRow } from '../sweep/continuation.ts';
import { fold } from './fold.ts';
import { jacobian, spectralRadius } from '../solve/jacobian.ts';

/**
 * - weak-recovery: the uninformative fixed point (the `init` start, which must be a fixed point) turns linearly
 *   unstable: the spectral radius of the Jacobian of the update map there crosses 1.
 * - spinodal (algorithmic): the branch followed from `init` by continuation ceases to exist and jumps; followed
 *   towards increasing values of the parameter (`direction: 'forward'`, the default) or decreasing ones
 *   (`'backward'`: where a high branch, followed down from `informed`, ends).
 * - first-order (information-theoretic): the free energies of the branch from `init` and the branch from `high`
 *   cross (the model must declare free_energy).
 * - level: an observable (or order parameter) along the branch from `init` crosses a level.
 */
export type ThresholdKind = 'weak-recovery' | 'spinodal' | 'first-order' | 'level';
export const THRESHOLD_KINDS: readonly ThresholdKind[] = ['weak-recovery', 'spinodal', 'first-order', 'level'];

export interface ThresholdSpec {
  readonly kind: ThresholdKind;
  readonly param: string;
  readonly lo: number;
  readonly hi: number;
  readonly fixed?: Readonly<Record<string, number>>;
  /** Absolute tolerance on the threshold. Default 1e-6. */
  readonly tol?: number;
  /** Quantity watched by `level` and `spinodal` (default: the first carried order parameter). */
  readonly observable?: string;
  readonly level?: number;
  /** Start of the low branch (default `uninformed`) and of the high branch (default `informed`). */
  readonly init?: string;
  readonly high?: string;
  /** Spinodal only: follow the branch from `init` up (forward, the default) or down (backward) in the parameter. */
  readonly direction?: 'forward' | 'backward';
  /** Points of the initial scan of [lo, hi]. Default 24. */
  readonly scan?: number;
  readonly solver?: Omit<SolveOptions, 'init'>;
}

export interface Threshold {
  readonly kind: ThresholdKind;
  readonly param: string;
  /** NaN when no transition was found in the range (then `message` says why). */
  readonly threshold: number;
  readonly bracket: readonly [number, number];
  readonly tolerance: number;
  /** Fixed-point solves spent (scan and refinement). */
  readonly evaluations: number;
  readonly found: boolean;
  readonly message?: string;
}

/** Locates a transition with a scan that brackets it and a root finder (Brent) or bisection that refines it. */
export function findThreshold(compiled: Compiled, spec: ThresholdSpec): Threshold {
  const fixed = spec.fixed ?? {};
  const tol = spec.tol ?? 1e-6;
  const at = (p: number) => compiled.problem({ ...fixed, [spec.param]: p });
  const base = at(spec.lo);
  at(spec.hi); // both ends must be valid parameter values
  const init = spec.init ?? 'uninformed';
  const high = spec.high ?? 'informed';
  for (const name of [init, ...(spec.kind === 'first-order' ? [high] : [])]) {
    if (!(name in base.inits)) throw new UsageError(`model "${base.model}" has no initialisation \`${name}\``, `its initialisations are: ${Object.keys(base.inits).join(', ')}`);
  }
  const quantity = spec.observable ?? base.stateNames[base.carried[0] ?? 0];
  if (!base.stateNames.includes(quantity) && !base.observableNames.includes(quantity)) {
    throw new UsageError(`\`${quantity}\` is not an order parameter or observable of "${base.model}"`, `choose from: ${[...base.stateNames, ...base.observableNames].join(', ')}`);
  }
  if (spec.kind === 'level' && spec.level === undefined) throw new UsageError('--kind level needs --level X (and --observable NAME)');
  if (spec.kind === 'first-order' && !base.observableNames.includes('free_energy')) {
    throw new UsageError(`model "${base.model}" declares no free_energy`, 'first-order transitions are where the free energies of two branches cross: add `free_energy:` to the model');
  }
  const solver: SolveOptions = { maxIterations: 100_000, ...spec.solver };
  let evaluations = 0;
  // a warm start that sat on a repelling fixed point is solved again from the branch's named start (`named`)
  const run = (p: number, start: string | Float64Array, problem = at(p), named = init): Solution => {
    evaluations++;
    const s = solve(problem, { ...solver, init: start });
    return typeof start === 'string' ? s : attracting(problem, s, solver, named);
  };
  const valueOf = (s: Solution) => s.state[quantity] ?? s.observables[quantity];
  const stateOf = (s: Solution, problem: Problem) => Float64Array.from(problem.stateNames, (k) => s.state[k]);
  const values = grid(spec.lo, spec.hi, spec.scan ?? 24);
  const line = (start: string, branch: 'forward' | 'backward'): SweepRow[] => {
    const rows = sweepLine(compiled, fixed, { name: spec.param, values }, branch, { ...solver, init: start });
    evaluations += rows.length;
    return branch === 'forward' ? rows : rows.reverse();
  };
  const result = (root: { root: number; bracket: readonly [number, number]; converged: boolean }, message?: string): Threshold => ({
    kind: spec.kind, param: spec.param, threshold: root.converged ? root.root : NaN, bracket: root.bracket,
    tolerance: root.converged ? (root.bracket[1] - root.bracket[0]) / 2 : NaN, evaluations, found: root.converged,
    ...(!root.converged && { message: message ?? 'the root finder did not converge' }),
  });
  const none = (message: string): Threshold => ({
    kind: spec.kind, param: spec.param, threshold: NaN, bracket: [spec.lo, spec.hi], tolerance: NaN, evaluations, found: false, message,
  });
  /** The first sign change of g over the scan, refined by Brent. */
  const signChange = (g: (p: number, k: number) => number, what: string): Threshold => {
    const gs = values.map((p, k) => g(p, k));
    for (let k = 0; k + 1 < values.length; k++) {
      if (Number.isFinite(gs[k]) && Number.isFinite(gs[k + 1]) && Math.sign(gs[k]) !== Math.sign(gs[k + 1])) {
        return result(brent((p) => g(p, Math.abs(p - values[k]) <= Math.abs(p - values[k + 1]) ? k : k + 1), values[k], values[k + 1], tol));
      }
    }
    return none(`no ${what} in [${spec.lo}, ${spec.hi}]: ${describe(gs)}`);
  };

  switch (spec.kind) {
    case 'level': {
      const rows = line(init, 'forward');
      const g = (p: number, k: number) => {
        const r = rows[k];
        if (p === r.params[spec.param]) return r.solution.status === 'converged' ? valueOf(r.solution) - spec.level! : NaN;
        const problem = at(p);
        const s = run(p, r.solution.status === 'converged' ? stateOf(r.solution, problem) : init, problem);
        return s.status === 'converged' ? valueOf(s) - spec.level! : NaN;
      };
      return signChange(g, `crossing of ${quantity} = ${spec.level}`);
    }
    case 'weak-recovery': {
      const g = (p: number) => {
        const problem = at(p);
        const x = Float64Array.from(problem.inits[init]);
        const fx = new Float64Array(x.length);
        problem.kernels.update(x, fx);
        evaluations++;
        for (let i = 0; i < x.length; i++) if (!problem.carried.includes(i)) x[i] = fx[i];
        problem.kernels.update(x, fx);
        const off = problem.carried.some((i) => Math.abs(fx[i] - x[i]) > 1e-9 * Math.max(1, Math.abs(x[i])));
        if (off) return NaN;
        return spectralRadius(jacobian(problem, x)) - 1;
      };
      const t = signChange(g, 'change of stability of the uninformative fixed point');
      if (!t.found && values.every((p) => Number.isNaN(g(p)))) {
        return none(`the \`${init}\` start is not a fixed point: weak recovery is measured at the exact uninformative fixed point (e.g. q = 0); declare it as an initialisation`);
      }
      return t;
    }
    case 'spinodal': {
      const backward = spec.direction === 'backward';
      const rows = line(init, backward ? 'backward' : 'forward');
      let best = -1;
      let after = -1;
      let jump = 0;
      const ys = rows.map((r) => (r.solution.status === 'converged' ? valueOf(r.solution) : NaN));
      // Jumps between consecutive converged points: a point at the fold itself may not converge (critical slowing).
      const solved = ys.flatMap((y, k) => (Number.isFinite(y) ? [k] : []));
      for (let i = 0; i + 1 < solved.length; i++) {
        const d = Math.abs(ys[solved[i + 1]] - ys[solved[i]]);
        if (d > jump) { jump = d; best = solved[i]; after = solved[i + 1]; }
      }
      if (best < 0 || !(jump > 0)) return none(`the branch from \`${init}\` does not move in [${spec.lo}, ${spec.hi}]`);
      // Bisect the largest step of the scan, staying on the branch: nearer the last point accepted on it than the
      // far side of the step. Comparing with the last accepted point, not the grid point before the step, follows
      // the square-root rise of the branch near its saddle-node, which can carry it past the midpoint of the step.
      // `on` is the side of the step where the followed branch lives, `off` the side it goes to.
      const [on, off] = backward ? [after, best] : [best, after];
      let yOn = ys[on];
      const yOff = ys[off];
      let onState = stateOf(rows[on].solution, at(values[on]));
      let landed = yOff; // where the last step off the branch landed
      const holds = (p: number) => {
        const problem = at(p);
        const s = run(p, onState, problem);
        const ok = s.status === 'converged' && Math.abs(valueOf(s) - yOn) < Math.abs(valueOf(s) - yOff);
        if (ok) { onState = stateOf(s, problem); yOn = valueOf(s); } else if (s.status === 'converged') landed = valueOf(s);
        return ok;
      };
      // One carried order parameter: solve for the fold itself. Else (or if Newton fails) bisect.
      const c = rows[on].solution;
      const problem = at(values[on]);
      if (problem.carried.length === 1) {
        const index = problem.carried[0];
        const name = problem.stateNames[index];
        const f = fold(at, stateOf(c, problem), index, c.state[name], rows[off].solution.state[name], values[on], values[off], tol);
        evaluations++;
        if (f) return result({ root: f.p, bracket: [f.p - f.error, f.p + f.error], converged: true });
      }
      const root = bisectPredicate(holds, values[on], values[off], 2 * tol);
      // A spinodal is a jump that survives the refinement; a steep but continuous branch closes its gap.
      const gap = Math.abs(landed - yOn);
      if (!(gap > 0.25 * jump)) {
        return none(`the branch from \`${init}\` is continuous in [${spec.lo}, ${spec.hi}]: its largest step of ${quantity} (${jump.toPrecision(3)}) closes to ${gap.toPrecision(3)} when refined`);
      }
      return result(root);
    }
    case 'first-order': {
      const lowRows = line(init, 'forward');
      const highRows = line(high, 'backward');
      const distinct = (a: Solution, b: Solution) => Object.keys(a.state).some((k) => Math.abs(a.state[k] - b.state[k]) > 1e-6 * (1 + Math.abs(b.state[k])));
      const g = (p: number, k: number) => {
        const problem = at(p);
        const onGrid = p === values[k];
        const a = onGrid ? lowRows[k].solution : run(p, stateOf(lowRows[k].solution, problem), problem);
        const b = onGrid ? highRows[k].solution : run(p, stateOf(highRows[k].solution, problem), problem, high);
        if (a.status !== 'converged' || b.status !== 'converged' || !distinct(a, b)) return NaN;
        return a.observables.free_energy - b.observables.free_energy;
      };
      const crossing = signChange(g, 'crossing of the free energies of two distinct branches');
      if (crossing.found) return crossing;
      // The two branches may coexist on a window narrower than the scan's step, or end between two scan points
      // just past the crossing: refine each edge of the region where both exist, and look for the sign change
      // between the edge and the scan point next to it.
      for (let k = 0; k < values.length; k++) {
        const gk = g(values[k], k);
        if (!Number.isFinite(gk)) continue;
        for (const k2 of [k - 1, k + 1]) {
          if (k2 < 0 || k2 >= values.length || Number.isFinite(g(values[k2], k2))) continue;
          const edge = bisectPredicate((p) => Number.isFinite(g(p, k)), values[k], values[k2], tol);
          const pe = edge.bracket[values[k] < values[k2] ? 0 : 1];
          const ge = g(pe, k);
          if (Number.isFinite(ge) && Math.sign(ge) !== Math.sign(gk)) {
            return result(brent((p) => g(p, k), Math.min(pe, values[k]), Math.max(pe, values[k]), tol));
          }
        }
      }
      return crossing;
    }
  }
}

function describe(gs: readonly number[]): string {
  const finite = gs.filter(Number.isFinite);
  if (finite.length === 0) return 'the gap function is undefined everywhere on the scan (no solution, or the two branches coincide)';
  return `the gap function keeps the sign ${Math.sign(finite[0]) > 0 ? '+' : '-'} on the ${finite.length} scan points where it is defined`;
}
