import type { Problem } from '../compile/compile.ts';

/**
 * The saddle-node (fold) where a branch of fixed points of a model with one carried order parameter q ends:
 * Newton's method on g(q, p) = 0, dg/dq(q, p) = 0, with g(q, p) = F(q; p) - q one sweep of the updates minus q.
 * At the fold the stable fixed point and the unstable one merge. Solving for it directly costs ~100 sweeps,
 * where bisection on "the branch still exists" needs solves whose convergence slows as (p_c - p)^(-1/2) near
 * the fold, and off-branch runs that crawl past its ghost: tens of thousands of sweeps per threshold.
 *
 * Derivatives are central differences. Returns undefined (the caller falls back to bisection) unless Newton
 * converges inside [pLo, pHi], with q strictly between the branch's value qOn and the value qOff it jumps to,
 * to a nondegenerate fold (d2g/dq2 != 0).
 */
export function fold(problemAt: (p: number) => Problem, template: Float64Array, index: number, qOn: number, qOff: number,
  pOn: number, pOff: number, tol: number): { p: number; q: number; error: number } | undefined {
  const x = Float64Array.from(template);
  const fx = new Float64Array(x.length);
  const problems = new Map<number, Problem>();
  const g = (q: number, p: number): number => {
    let problem = problems.get(p);
    if (!problem) problems.set(p, (problem = problemAt(p)));
    x.set(template);
    x[index] = q;
    problem.kernels.update(x, fx);
    return fx[index] - q;
  };
  // The start: on the branch's side of the bracket (pOn, where it still exists), the interior extremum of g
  // between the branch (qOn) and where it jumps to (qOff): a minimum for a jump up (between the stable and the
  // unstable fixed point g < 0, and the fold is where that dip touches 0), a maximum for a jump down. Starting there, not on the branch, keeps
  // Newton off other solutions of the fold conditions (the pitchfork at q = 0, lambda = 1 of a spiked model).
  const pLo = Math.min(pOn, pOff);
  const pHi = Math.max(pOn, pOff);
  const { lower, upper } = problemAt(pOn);
  const up = qOff > qOn;
  let p = pOn;
  // uniform, and geometric towards the branch: a fold can sit very close to it (spiked models just above
  // lambda = 1, where the branch leaves m = 0)
  const ts = [...Array.from({ length: 65 }, (_, k) => k / 64), ...Array.from({ length: 24 }, (_, j) => 2 ** -(j + 7))].sort((a, b) => a - b);
  const qs = ts.map((t) => qOn + (qOff - qOn) * t);
  const vs = qs.map((qk) => (up ? 1 : -1) * g(qk, p));
  // the deepest strict local minimum inside (g also tends to 0 at the far branch: not a dip)
  let q = NaN;
  let best = Infinity;
  for (let k = 1; k + 1 < qs.length; k++) if (vs[k] < vs[k - 1] && vs[k] < vs[k + 1] && vs[k] < best) { best = vs[k]; q = qs[k]; }
  if (!Number.isFinite(q)) return undefined;
  const inside = (x: number) => (up ? x > qOn && x < qOff : x < qOn && x > qOff);
  for (let step = 0; step < 50; step++) {
    const h = 1e-4 * Math.max(1e-2, Math.abs(q));
    const k = 1e-6 * Math.max(1, Math.abs(p));
    if (!(q - h >= lower[index] && q + h <= upper[index]) || !(p - k >= pLo - k && p + k <= pHi + k)) return undefined;
    const gm = g(q - h, p);
    const g0 = g(q, p);
    const gp = g(q + h, p);
    const gq = (gp - gm) / (2 * h);
    const gqq = (gp - 2 * g0 + gm) / (h * h);
    const gP = (g(q, p + k) - g(q, p - k)) / (2 * k);
    const gqAt = (pp: number) => (g(q + h, pp) - g(q - h, pp)) / (2 * h);
    const gqP = (gqAt(p + k) - gqAt(p - k)) / (2 * k);
    // [gq gP; gqq gqP] [dq; dp] = -[g0; gq]
    const det = gq * gqP - gP * gqq;
    if (!Number.isFinite(det) || det === 0) return undefined;
    const dq = (-g0 * gqP + gP * gq) / det;
    const dp = (-gq * gq + gqq * g0) / det;
    // keep Newton inside the bracket and the domain: halve a step that leaves them
    let t = 1;
    while (t > 1e-3 && !(p + t * dp >= pLo && p + t * dp <= pHi && q + t * dq > lower[index] && q + t * dq < upper[index])) t /= 2;
    if (t <= 1e-3) return undefined;
    q += t * dq;
    p += t * dp;
    const error = Math.abs(t * dp);
    if (t === 1 && error <= Math.min(tol, 1e-9 * Math.max(1, Math.abs(p)))) {
      return Math.abs(gqq) > 0 && Number.isFinite(p) && inside(q) ? { p, q, error } : undefined;
    }
  }
  return undefined;
}
