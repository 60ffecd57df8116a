import type { Compiled, Problem } from '../compile/compile.ts';
import { brent } from '../numerics/roots.ts';
import { spectralRadius } from '../solve/jacobian.ts';
import { jacobianAt, sweepJacobian, type JacobianAt, type SweepJacobian } from '../solve/symbolic-jacobian.ts';
import { grid } from '../sweep/axis.ts';
import type { Search } from './search.ts';
import { Failures, rootOutcome } from './refine.ts';
import { uninformativeStart } from './starts.ts';
import type { Outcome, ThresholdSpec } from './threshold.ts';

const fmt = (x: number) => String(+x.toPrecision(10));

/** The derived program of each model, compiled once (30-70 ms) for the many searches of a phase line; an entry
 * lives as long as its model. */
const jacobians = new WeakMap<Compiled, SweepJacobian | string>();

/** Relative size of a residual that is rounding (as in starts.ts). */
const ROUNDING = 64 * Number.EPSILON;

/**
 * Where a fixed point that exists for every value of the parameter (the uninformative one: q = 0 of phase
 * retrieval, m = 0 of a spiked model) turns linearly unstable: the spectral radius of the Jacobian of the update
 * map there crosses 1. The Jacobian is exact (solve/symbolic-jacobian.ts: the symbolic derivatives of the updates
 * chained through the sequential sweep), at a start on a bound of its domain its limit from inside; the threshold
 * is refined by Brent's method on rho(J) - 1, and its tolerance adds the error of that limit over the slope.
 * The fixed point is the start `init`, by default the named start at which the update map is a fixed point at
 * both ends and the middle of the range (starts.ts).
 */
export function weakRecovery(search: Search, spec: ThresholdSpec & { tol: number }): Outcome {
  let built = jacobians.get(search.compiled);
  if (built === undefined) jacobians.set(search.compiled, (built = sweepJacobian(search.compiled.program)));
  if (typeof built === 'string') return { status: 'failed', message: `no symbolic Jacobian of the update map: ${built}` };
  const evaluator = (p: number): { problem: Problem; jac: JacobianAt } => ({ problem: search.at(p), jac: built.at({ ...search.fixed, [search.param]: p }) });
  search.stage = 'starts';
  let name = spec.init;
  if (name === undefined) {
    const checks = [spec.lo, (spec.lo + spec.hi) / 2, spec.hi].map((p) => search.at(p));
    name = uninformativeStart(checks);
    if (name === undefined) {
      return {
        status: 'not-found',
        message: `no initialisation of the model is a fixed point of the update map at ${spec.param} = ${spec.lo}, ${(spec.lo + spec.hi) / 2} and ${spec.hi}: weak recovery is measured at the exact uninformative fixed point (e.g. q = 0); declare it as an initialisation (its starts: ${Object.keys(checks[0].inits).join(', ')})`,
      };
    }
  }
  const start = name;
  search.init = start;
  const failures = new Failures();
  let error = 0; // largest error of the Jacobian's entries at the points that decided
  let size = 1;
  const g = (p: number): number => {
    search.spend(p);
    const { problem, jac } = evaluator(p);
    const x = Float64Array.from(problem.inits[start]);
    const e = jacobianAt(jac, problem.lower, problem.upper, problem.carried, x);
    search.report(p, e.J.every((r) => r.every(Number.isFinite)));
    size = e.J.length;
    const fixed = e.residual.every((r, k) => Math.abs(r) <= (e.limit ? Math.max(10 * e.residualError, 1e3 * ROUNDING) : ROUNDING) * (1 + Math.abs(x[problem.carried[k]])));
    if (!fixed) {
      const worst = e.residual.reduce((m, r) => Math.max(m, Math.abs(r)), 0);
      return failures.note(p, 'not-found', `the start \`${start}\` is not a fixed point (|F(x) - x| = ${worst.toExponential(2)})`);
    }
    const rho = spectralRadius(e.J);
    if (!Number.isFinite(rho)) return failures.note(p, 'non-finite', `the Jacobian of the update map at \`${start}\` is not finite`);
    error = Math.max(error, e.error);
    return rho - 1;
  };
  search.stage = 'scan';
  const values = grid(spec.lo, spec.hi, spec.scan ?? 24);
  const gs = values.map(g);
  search.stage = 'refine';
  for (let k = 0; k + 1 < values.length; k++) {
    if (!(Number.isFinite(gs[k]) && Number.isFinite(gs[k + 1]) && Math.sign(gs[k]) !== Math.sign(gs[k + 1]))) continue;
    search.bracket = [values[k], values[k + 1]];
    const root = brent((p) => (p === values[k] ? gs[k] : p === values[k + 1] ? gs[k + 1] : g(p)), values[k], values[k + 1], spec.tol);
    if (root.status !== 'converged') return { ...rootOutcome(root, spec.param, failures), init: start };
    // The zero of rho(J) - 1 moves by (error of rho) / slope: with J exact that is rounding, with a limit its error.
    const [a, b] = root.bracket;
    const mid = (a + b) / 2;
    const delta = Math.max(1e-6 * Math.max(1, Math.abs(mid)), 10 * (b - a));
    const slope = Math.abs(g(mid + delta) - g(mid - delta)) / (2 * delta);
    const spread = size * error + 16 * Number.EPSILON;
    const extra = spread / slope;
    if (!(extra < 0.5 * Math.abs(values[k + 1] - values[k]))) {
      return { status: 'failed', init: start, bracket: [a, b], message: `rho(J) - 1 changes sign in [${fmt(a)}, ${fmt(b)}] but the error of the Jacobian (${spread.toExponential(1)}) over its slope (${slope.toExponential(2)}) leaves the threshold undetermined` };
    }
    const out = rootOutcome(root, spec.param, failures, extra);
    const note = error > 0 ? `the Jacobian at \`${start}\` (a bound of its domain) is the limit from inside, to ${error.toExponential(1)}` : undefined;
    return { ...out, init: start, ...(note && { message: note }) };
  }
  if (gs.every((v) => Number.isNaN(v))) {
    const f = failures.last;
    const exact = spec.init !== undefined ? uninformativeStart([spec.lo, (spec.lo + spec.hi) / 2, spec.hi].map((p) => search.at(p))) : undefined;
    const instead = exact !== undefined && exact !== start ? `; the model's exact fixed point is \`${exact}\` (omit --init to use it)` : '; declare it as an initialisation';
    return {
      status: f?.status ?? 'not-found', init: start,
      message: `${f ? `at ${spec.param} = ${fmt(f.p)} ${f.message}` : `\`${start}\` is not a fixed point`}, and nowhere in [${spec.lo}, ${spec.hi}] is it one: weak recovery is measured at the exact uninformative fixed point (e.g. q = 0)${instead}`,
    };
  }
  const finite = gs.filter(Number.isFinite);
  return {
    status: 'not-found', init: start,
    message: `no change of stability of the uninformative fixed point \`${start}\` in [${spec.lo}, ${spec.hi}]: rho(J) - 1 keeps the sign ${Math.sign(finite[0]) > 0 ? '+' : '-'} on the ${finite.length} scan points where \`${start}\` is a fixed point`,
  };
}
