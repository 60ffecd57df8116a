import type { Problem } from '../compile/compile.ts';

/**
 * The saddle-node (fold) where a branch of fixed points of a model with one carried order parameter q ends:
 * Newton's method on g(q, p) = 0, dg/dq(q, p) = 0, with g(q, p) = F(q; p) - q one sweep of the updates minus q.
 * At the fold the stable fixed point and the unstable one merge. Solving for it directly costs ~100 sweeps,
 * where bisection on "the branch still exists" needs solves whose convergence slows as (p_c - p)^(-1/2) near
 * the fold, and off-branch runs that crawl past its ghost: tens of thousands of sweeps per threshold.
 *
 * Derivatives are central differences. Returns undefined (the caller falls back to bisection) unless Newton
 * converges inside [pLo, pHi] to a nondegenerate fold (d2g/dq2 != 0).
 */
export function fold(problemAt: (p: number) => Problem, template: Float64Array, index: number, q0: number, p0: number,
  pLo: number, pHi: number, tol: number): { p: number; q: number; error: number } | undefined {
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
  const { lower, upper } = problemAt(p0);
  let q = q0;
  let p = p0;
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
      return Math.abs(gqq) > 0 && Number.isFinite(p) ? { p, q, error } : undefined;
    }
  }
  return undefined;
}
