/**
 * Least absolute deviations with an ell-2 penalty, F(w) = sum_mu |y_mu - w.x_mu/sqrt d| + (lambda/2)|w|^2
 * (robust-l1.yaml), solved exactly through its dual, as hinge.ts solves the SVM.
 *
 * With x~_mu = x_mu/sqrt(d) and theta in [-1, 1]^n, the dual is D(theta) = theta.y - (lambda/2)|w(theta)|^2,
 * w(theta) = (1/lambda) sum theta_mu x~_mu, and for the residuals r_mu = y_mu - w.x~_mu of w = w(theta), using
 * lambda |w|^2 = sum theta_mu w.x~_mu, the duality gap is a sum of nonnegative terms:
 *   P(w) - D(theta) = sum_mu (|r_mu| - theta_mu r_mu),
 * evaluated in this form, at w recomputed from theta (P and D are sums of n terms whose difference would drown in
 * their rounding). It bounds F(w) - min F.
 *
 * 1. Dual coordinate ascent: each theta_mu in turn is set to the exact maximiser of D along it, clipped to [-1, 1];
 *    w is kept in sync. It finds the samples fitted exactly (|theta_mu| < 1) but then converges slowly.
 * 2. Projected Newton on f = -D over the box (Bertsekas 1982; as hinge.ts): the gradient is -r; variables at a bound
 *    pushed outwards (within an epsilon) take a scaled gradient step, the free ones Newton's, Q_FF p_F = r_F with
 *    Q = X~ X~^T/lambda (Cholesky, |F| <= d), the step projected on the box and backtracked (Armijo along the arc,
 *    the change of f computed from the step). Once the sets are right a full step lands on the optimum.
 */
import { RowGramCache } from '../gram-cache.ts';
import { cholesky, choleskySolve, dot, matTVec, matVec } from '../linalg.ts';
import { checkDesign, checkPenalty, DEFAULT_TOL, type Design, type Fit, type FitStatus, type SolverOptions } from './types.ts';

/** The duality gap at w = w(theta) (recomputed from theta), residuals left in r. */
export function ladGap(data: Design, lambda: number, theta: Float64Array, w: Float64Array, r: Float64Array): number {
  const { X, y, n, d } = data;
  matTVec(X, n, d, theta, w, 1 / (lambda * Math.sqrt(d)));
  matVec(X, n, d, w, r, 1 / Math.sqrt(d));
  let gap = 0;
  for (let i = 0; i < n; i++) {
    r[i] = y[i] - r[i];
    gap += Math.abs(r[i]) - theta[i] * r[i];
  }
  return gap;
}

export function ladLoss(y: number, z: number): number {
  return Math.abs(y - z);
}

function projectedNewtonStep(data: Design, lambda: number, theta: Float64Array, w: Float64Array, r: Float64Array,
  cache: RowGramCache, Qbuffer: Float64Array, rowSq: Float64Array): 'taken' | 'failed' {
  const { X, n, d } = data;
  const s = 1 / Math.sqrt(d);
  // epsilon of the epsilon-active set: the size of a projected gradient step (in theta/lambda), capped
  let eps = 0;
  for (let i = 0; i < n; i++) eps = Math.max(eps, Math.abs(theta[i] - Math.min(1, Math.max(-1, theta[i] + lambda * r[i]))));
  eps = Math.min(1e-3 * lambda, eps);
  const free: number[] = [];
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = -r[i];
    if ((theta[i] <= -1 + eps && g > 0) || (theta[i] >= 1 - eps && g < 0)) p[i] = (-g * lambda) / rowSq[i];
    else free.push(i);
  }
  const k = free.length;
  if (k > d) return 'failed';
  if (k > 0) {
    const Q = cache.gather(free, new Float64Array(k).fill(1 / Math.sqrt(lambda)), Qbuffer);
    if (!cholesky(Q, k)) return 'failed';
    const rhs = Float64Array.from(free, (i) => r[i]);
    choleskySolve(Q, k, rhs, rhs);
    for (let a = 0; a < k; a++) p[free[a]] = rhs[a];
  }
  const step = new Float64Array(n);
  const dw = new Float64Array(d);
  for (let t = 1, tries = 0; tries < 40; t *= 0.5, tries++) {
    let slope = 0; // g . step < 0
    let linear = 0;
    for (let i = 0; i < n; i++) {
      step[i] = Math.min(1, Math.max(-1, theta[i] + t * p[i])) - theta[i];
      slope -= r[i] * step[i];
      linear += data.y[i] * step[i];
    }
    if (!(slope < 0)) return 'failed';
    matTVec(X, n, d, step, dw, s / lambda);
    const df = lambda * dot(w, dw, d) + 0.5 * lambda * dot(dw, dw, d) - linear;
    if (df <= 1e-4 * slope) {
      for (let i = 0; i < n; i++) theta[i] = Math.min(1, Math.max(-1, theta[i] + step[i]));
      return 'taken';
    }
  }
  return 'failed';
}

/** lambda > 0. Certificate: the duality gap. `iterations` counts ascent epochs plus Newton steps. */
export function lad(data: Design, lambda: number, options: SolverOptions & { readonly maxNewton?: number } = {}): Fit {
  checkDesign(data);
  checkPenalty('lad', lambda, true);
  const { X, y, n, d } = data;
  const tol = options.tol ?? DEFAULT_TOL;
  const maxEpochs = options.maxIterations ?? 1000;
  const maxNewton = options.maxNewton ?? 100;
  const s = 1 / Math.sqrt(d);
  const rowSq = Float64Array.from({ length: n }, (_, i) => s * s * dot(X, X, d, i * d, i * d));
  const theta = new Float64Array(n);
  const w = new Float64Array(d);
  const r = new Float64Array(n);
  let epochs = 0;
  let newton = 0;
  const ascend = (count: number): void => {
    for (let e = 0; e < count && epochs < maxEpochs; e++, epochs++) {
      for (let i = 0; i < n; i++) {
        if (rowSq[i] === 0) continue;
        const ri = y[i] - s * dot(X, w, d, i * d, 0);
        const next = Math.max(-1, Math.min(1, theta[i] + (lambda * ri) / rowSq[i]));
        const delta = next - theta[i];
        if (delta === 0) continue;
        theta[i] = next;
        const c = (delta * s) / lambda;
        for (let j = 0; j < d; j++) w[j] += c * X[i * d + j];
      }
    }
  };
  ascend(10);
  const cache = new RowGramCache(X, n, d, Math.min(n, Math.ceil(1.5 * d) + 8), s);
  const Qbuffer = new Float64Array(Math.min(n, d) ** 2);
  let gap = Infinity;
  let stop: FitStatus = 'failed';
  let message: string | undefined;
  for (;;) {
    gap = ladGap(data, lambda, theta, w, r);
    if (gap <= tol) break;
    if (!Number.isFinite(gap)) { stop = 'non-finite'; message = 'non-finite duality gap'; break; }
    if (newton >= maxNewton || epochs >= maxEpochs) {
      stop = 'max-iterations';
      message = `stopped after ${newton} projected Newton steps and ${epochs} epochs with duality gap ${gap.toExponential(2)}`;
      break;
    }
    newton++;
    if (projectedNewtonStep(data, lambda, theta, w, r, cache, Qbuffer, rowSq) === 'failed') {
      ladGap(data, lambda, theta, w, r);
      ascend(10);
    }
  }
  const converged = gap <= tol;
  return {
    w, iterations: epochs + newton, status: converged ? 'converged' : stop, certificate: gap, certificateKind: 'duality-gap', tolerance: tol,
    ...(converged ? {} : { message: message ?? 'not converged' }),
  };
}
