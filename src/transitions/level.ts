import { brent } from '../numerics/roots.ts';
import { converged, continuation, scanValues, type ScanPoint } from './scan.ts';
import { valueOf, type Search } from './search.ts';
import { Failures, rootOutcome } from './refine.ts';
import { movingStart, type Start } from './starts.ts';
import type { Outcome, ThresholdSpec } from './threshold.ts';

const fmt = (x: number) => String(+x.toPrecision(10));

/**
 * Where `quantity` along the branch from a start crosses `level`: the first sign change of quantity - level between
 * neighbouring converged points of the scan, refined by Brent's method; each evaluation is a solve warm-started
 * from the nearer end of the scan's bracket (then from the other end, if that fails). A solve that does not
 * converge stops the refinement: the crossing is then not found, and the message says where and why.
 */
export function levelCrossing(search: Search, spec: ThresholdSpec & { tol: number }, quantity: string): Outcome {
  const level = spec.level!;
  const start: Start = spec.init !== undefined ? { name: spec.init, init: spec.init } : movingStart(search.at(spec.lo), false);
  search.init = start.name;
  search.stage = 'scan';
  const points = continuation(search, scanValues(spec.lo, spec.hi, spec.scan ?? 24, false), start);
  const gap = (q: ScanPoint) => valueOf(q.solution, quantity) - level;
  const good = points.filter(converged).filter((q) => Number.isFinite(gap(q)));
  for (let k = 0; k + 1 < good.length; k++) {
    const a = good[k];
    const b = good[k + 1];
    if (Math.sign(gap(a)) === Math.sign(gap(b)) && gap(b) !== 0) continue;
    search.stage = 'refine';
    search.bracket = [a.p, b.p];
    const failures = new Failures();
    const named = typeof start.init === 'string' ? start.init : 'uninformed';
    const g = (p: number): number => {
      if (p === a.p) return gap(a);
      if (p === b.p) return gap(b);
      const problem = search.at(p);
      const [near, far] = Math.abs(p - a.p) <= Math.abs(p - b.p) ? [a, b] : [b, a];
      let s = search.solve(p, near.x!, named, problem);
      if (s.status !== 'converged') s = search.solve(p, far.x!, named, problem);
      if (s.status !== 'converged') return failures.note(p, s.status, `the solve ended ${s.status}${s.message ? ` (${s.message})` : ''}`);
      const v = valueOf(s, quantity) - level;
      if (!Number.isFinite(v)) return failures.note(p, 'non-finite', `\`${quantity}\` is ${v + level} at the converged state`);
      return v;
    };
    const root = brent(g, a.p, b.p, spec.tol);
    return { ...rootOutcome(root, spec.param, failures), init: start.name };
  }
  const failed = points.filter((q) => !converged(q));
  const note = failed.length
    ? `; ${failed.length} of the ${points.length} scan points did not converge (the first at ${spec.param} = ${fmt(failed[0].p)}: ${failed[0].solution.status}), where a crossing may hide`
    : '';
  const finite = good.map(gap);
  const described = finite.length === 0
    ? `\`${quantity}\` is undefined everywhere on the scan`
    : `${quantity} - ${level} keeps the sign ${Math.sign(finite[0]) > 0 ? '+' : '-'} on the ${finite.length} scan points where it is defined`;
  return { status: 'not-found', init: start.name, message: `no crossing of ${quantity} = ${level} in [${spec.lo}, ${spec.hi}]: ${described}${note}` };
}
