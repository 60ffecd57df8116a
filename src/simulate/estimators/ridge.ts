/**
 * Ridge regression, exactly: w = argmin (1/2) sum_mu (y_mu - w.x_mu/sqrt d)^2 + (lambda/2)|w|^2 (ridge.yaml).
 * With s = 1/sqrt(d), the normal equations (s^2 X^T X + lambda) w = s X^T y are solved by Cholesky on the smaller
 * Gram matrix: d x d when n >= d; n x n when n < d, through w = s X^T (s^2 X X^T + lambda)^-1 y (push-through
 * identity), which is also the minimum-norm interpolator at lambda = 0. Then iterative refinement with the
 * gradient recomputed from X, until the gradient norm meets the tolerance (a few steps at most: it only
 * matters when the Gram matrix is ill conditioned, alpha ~ 1 with a tiny lambda).
 */
import { cholesky, choleskySolve, gramCols, gramRows, matTVec, matVec, norm2 } from '../linalg.ts';
import { checkDesign, checkPenalty, DEFAULT_TOL, type Design, type Fit, type SolverOptions } from './types.ts';

/** Gradient of F at w: s X^T (s X w - y) + lambda w; also returns the residuals y - s X w in `resid`. */
export function ridgeGradient(data: Design, lambda: number, w: Float64Array, g: Float64Array, resid: Float64Array): void {
  const { X, y, n, d } = data;
  const s = 1 / Math.sqrt(d);
  matVec(X, n, d, w, resid, s);
  for (let i = 0; i < n; i++) resid[i] = y[i] - resid[i];
  matTVec(X, n, d, resid, g, -s);
  for (let j = 0; j < d; j++) g[j] += lambda * w[j];
}

export function ridge(data: Design, lambda: number, options: SolverOptions = {}): Fit {
  checkDesign(data);
  checkPenalty('ridge', lambda, false);
  const { X, y, n, d } = data;
  const tol = options.tol ?? DEFAULT_TOL;
  const maxRefine = options.maxIterations ?? 3;
  const s = 1 / Math.sqrt(d);
  const primal = n >= d;
  const k = primal ? d : n;
  const G = primal ? gramCols(X, n, d) : gramRows(X, n, d);
  for (let t = 0; t < k * k; t++) G[t] *= s * s;
  for (let t = 0; t < k; t++) G[t * k + t] += lambda;
  const w = new Float64Array(d);
  const g = new Float64Array(d);
  const resid = new Float64Array(n);
  const fail = (message: string): Fit => ({
    w, iterations: 0, status: 'failed', certificate: NaN, certificateKind: 'gradient-norm', tolerance: tol, message,
  });
  if (!cholesky(G, k)) return fail(`the ${k} x ${k} Gram matrix plus lambda is not positive definite to working precision (lambda = ${lambda})`);

  // c: the coefficients in sample space (dual branch), w = s X^T c.
  const c = new Float64Array(primal ? 0 : n);
  const rhs = new Float64Array(k);
  if (primal) {
    matTVec(X, n, d, y, rhs, s);
    choleskySolve(G, k, rhs, w);
  } else {
    choleskySolve(G, k, y, c);
    matTVec(X, n, d, c, w, s);
  }
  let iterations = 1;
  ridgeGradient(data, lambda, w, g, resid);
  let certificate = norm2(g);
  while (!(certificate <= tol) && iterations <= maxRefine && Number.isFinite(certificate)) {
    if (primal) {
      // G dw = -g
      for (let j = 0; j < d; j++) rhs[j] = -g[j];
      choleskySolve(G, k, rhs, rhs);
      for (let j = 0; j < d; j++) w[j] += rhs[j];
    } else {
      // residual of K c = y in sample space: y - s X w - lambda c = resid - lambda c
      for (let i = 0; i < n; i++) rhs[i] = resid[i] - lambda * c[i];
      choleskySolve(G, k, rhs, rhs);
      for (let i = 0; i < n; i++) c[i] += rhs[i];
      matTVec(X, n, d, c, w, s);
    }
    iterations++;
    ridgeGradient(data, lambda, w, g, resid);
    certificate = norm2(g);
  }
  const converged = certificate <= tol;
  return {
    w, iterations, status: converged ? 'converged' : Number.isFinite(certificate) ? 'max-iterations' : 'non-finite', certificate, certificateKind: 'gradient-norm', tolerance: tol,
    ...(converged ? {} : { message: `gradient norm ${certificate.toExponential(2)} after ${iterations - 1} refinement steps (ill-conditioned Gram matrix)` }),
  };
}
