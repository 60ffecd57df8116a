import { bisectPredicate, brent, type Root } from '../numerics/roots.ts';
import type { Solution } from '../solve/solution.ts';
import { freeEnergyError } from './free-energy-error.ts';
import { continuation, scanValues, type ScanPoint } from './scan.ts';
import type { Search } from './search.ts';
import { Failures, rootOutcome } from './refine.ts';
import type { Outcome, ThresholdSpec } from './threshold.ts';

const fmt = (x: number) => String(+x.toPrecision(10));

/**
 * Where the free energies of two branches cross (the information-theoretic threshold): the low branch followed up
 * from `init` (default `uninformed`), the high branch followed down from `high` (default `informed`); the gap is
 * their difference where both converged to distinct fixed points. The first sign change on the scan is refined by
 * Brent's method; if there is none, each edge of the region where both branches exist is refined (they may coexist
 * on a window narrower than the scan's step) and a sign change between an edge and its neighbour refined likewise.
 * The tolerance adds the error of the gap at the crossing (each branch's free energy: quadrature, convergence,
 * rounding; free-energy-error.ts) over the gap's slope: the zero of a gap known to +-e lies within e/|slope| of the
 * zero found.
 */
export function firstOrder(search: Search, spec: ThresholdSpec & { tol: number }): Outcome {
  const low = spec.init ?? 'uninformed';
  const high = spec.high ?? 'informed';
  const names = { init: low, high };
  search.init = low;
  search.high = high;
  search.stage = 'scan';
  const values = scanValues(spec.lo, spec.hi, spec.scan ?? 24, false);
  const lows = continuation(search, values, { name: low, init: low });
  const highs = continuation(search, [...values].reverse(), { name: high, init: high }).reverse();
  const failures = new Failures();
  const distinct = (a: Solution, b: Solution) => Object.keys(a.state).some((k) => Math.abs(a.state[k] - b.state[k]) > 1e-6 * (1 + Math.abs(b.state[k])));
  /** The branches' solutions at the last point where the gap had a value. */
  let last: { p: number; low: Solution; high: Solution } | undefined;
  /** The gap at p, each branch warm-started from its scan point k. */
  const g = (p: number, k: number): number => {
    const onGrid = p === values[k];
    const solveOn = (rows: ScanPoint[], named: string) => {
      if (onGrid) return rows[k].solution;
      const from = rows[k].x;
      return search.solve(p, from ?? named, named);
    };
    const a = solveOn(lows, low);
    if (a.status !== 'converged') return onGrid ? NaN : failures.note(p, a.status, `the solve of the low branch (from \`${low}\`) ended ${a.status}${a.message ? ` (${a.message})` : ''}`);
    const b = solveOn(highs, high);
    if (b.status !== 'converged') return onGrid ? NaN : failures.note(p, b.status, `the solve of the high branch (from \`${high}\`) ended ${b.status}${b.message ? ` (${b.message})` : ''}`);
    if (!distinct(a, b)) return onGrid ? NaN : failures.note(p, 'failed', 'the two branches meet (one of them ceased to exist)');
    const d = a.observables.free_energy - b.observables.free_energy;
    if (!Number.isFinite(d)) return failures.note(p, 'non-finite', `a free energy is ${d}`);
    last = { p, low: a, high: b };
    return d;
  };
  /**
   * The outcome of Brent's method on [lo, hi] (gap gLo, gHi at its ends, branches warm from scan point k), its
   * tolerance widened by the error of the gap at the crossing over its slope: the central difference over
   * mid +- delta (as in weak-recovery.ts), or the secant over [lo, hi] where a branch ends within delta.
   */
  const refined = (root: Root, k: number, lo: number, hi: number, gLo: number, gHi: number): Outcome => {
    if (root.status !== 'converged') return { ...rootOutcome(root, spec.param, failures), ...names };
    const [a, b] = root.bracket;
    const mid = (a + b) / 2;
    const at = Number.isFinite(g(mid, k)) ? last : undefined;
    if (at === undefined) {
      return { status: failures.last?.status ?? 'failed', bracket: [a, b], ...names, message: `the free-energy gap changes sign in [${fmt(a)}, ${fmt(b)}] but has no value at its midpoint: ${failures.last?.message ?? 'unknown'}` };
    }
    const problem = search.at(mid);
    const error = freeEnergyError(problem, at.low) + freeEnergyError(problem, at.high);
    const delta = Math.max(1e-6 * Math.max(1, Math.abs(mid)), 10 * (b - a));
    // within the range searched: its ends are valid values of the parameter, beyond them it may have none
    const gapIn = (p: number) => (p >= spec.lo && p <= spec.hi ? g(p, k) : NaN);
    const gp = gapIn(mid + delta);
    const gn = gapIn(mid - delta);
    const slope = Number.isFinite(gp) && Number.isFinite(gn) ? Math.abs(gp - gn) / (2 * delta) : Math.abs(gHi - gLo) / (hi - lo);
    const extra = error / slope;
    if (!(extra < 0.5 * (hi - lo))) {
      return {
        status: 'failed', bracket: [lo, hi], ...names,
        message: `the free-energy gap changes sign in [${fmt(a)}, ${fmt(b)}] but the error of the free energies there (${error.toExponential(1)}) over the gap's slope (${slope.toExponential(2)}) leaves the crossing undetermined (more quadrature nodes, a tighter solver tolerance)`,
      };
    }
    const out = rootOutcome(root, spec.param, failures, extra);
    // a note when the free energies' error, not the root finding, sets the tolerance
    const note = extra > (b - a) / 2
      ? `the tolerance counts the error of the free energies at the crossing (${error.toExponential(1)}) over the gap's slope (${slope.toExponential(2)})`
      : undefined;
    return { ...out, ...names, ...(note && { message: note }) };
  };
  const gs = values.map((p, k) => g(p, k));
  search.stage = 'refine';
  for (let k = 0; k + 1 < values.length; k++) {
    if (Number.isFinite(gs[k]) && Number.isFinite(gs[k + 1]) && Math.sign(gs[k]) !== Math.sign(gs[k + 1])) {
      search.bracket = [values[k], values[k + 1]];
      const near = (p: number) => (Math.abs(p - values[k]) <= Math.abs(p - values[k + 1]) ? k : k + 1);
      const root = brent((p) => g(p, near(p)), values[k], values[k + 1], spec.tol);
      return refined(root, near(root.root), values[k], values[k + 1], gs[k], gs[k + 1]);
    }
  }
  // The two branches may coexist on a window narrower than the scan's step, or end between two scan points just
  // past the crossing: refine each edge of the region where both exist, and look for the sign change between the
  // edge and the scan point next to it.
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(gs[k])) continue;
    for (const k2 of [k - 1, k + 1]) {
      if (k2 < 0 || k2 >= values.length || Number.isFinite(gs[k2])) continue;
      search.bracket = [Math.min(values[k], values[k2]), Math.max(values[k], values[k2])];
      const edge = bisectPredicate((p) => Number.isFinite(g(p, k)), values[k], values[k2], spec.tol);
      const pe = edge.bracket[values[k] < values[k2] ? 0 : 1];
      const ge = g(pe, k);
      if (Number.isFinite(ge) && Math.sign(ge) !== Math.sign(gs[k])) {
        const [a, b] = [Math.min(pe, values[k]), Math.max(pe, values[k])];
        search.bracket = [a, b];
        const root = brent((p) => (p === pe ? ge : g(p, k)), a, b, spec.tol);
        return refined(root, k, a, b, a === pe ? ge : gs[k], b === pe ? ge : gs[k]);
      }
    }
  }
  search.bracket = undefined;
  const finite = gs.filter(Number.isFinite);
  const why = finite.length === 0
    ? 'the two branches are nowhere both converged and distinct on the scan (no solution, or the branches coincide)'
    : `the free-energy gap keeps the sign ${Math.sign(finite[0]) > 0 ? '+' : '-'} on the ${finite.length} scan points where both branches exist`;
  return { status: 'not-found', ...names, message: `no crossing of the free energies of two distinct branches in [${spec.lo}, ${spec.hi}]: ${why}` };
}
