/**
 * The LASSO, P(w) = (1/2) sum_mu (y_mu - w.x_mu/sqrt d)^2 + lambda |w|_1 (lasso.yaml: total loss, lambda on
 * |w|_1 = sum_i |w_i|), to a duality gap <= tol.
 *
 * Certificate. With x~ = x/sqrt(d), residuals r = y - X~ w and correlations c = X~^T r (both recomputed from X),
 * the dual point u = sigma r, sigma = min(1, lambda/|c|_inf), is feasible (|X~^T u|_inf <= lambda) and
 *   P(w) - D(u) = (1/2)(1 - sigma)^2 |r|^2 + sum_j (lambda |w_j| - sigma c_j w_j),
 * a sum of nonnegative terms (evaluated in this form: P and D are sums of n terms and their difference would
 * drown in rounding). It bounds P(w) - min P.
 *
 * 1. Cyclic coordinate descent with residual updates (Friedman, Hastie, Tibshirani, J. Stat. Softw. 33, 2010) on
 *    the columns of X (a transposed copy, so each column is contiguous): a full sweep, then sweeps over the
 *    nonzero coordinates only until they settle, repeated.
 * 2. Exact finish: given the support S and the signs s_S, the optimum solves X~_S^T X~_S w_S = X~_S^T y - lambda s_S
 *    (Cholesky; |S| <= n for the unique solution of a Gaussian design). If that solution keeps the signs and
 *    every other coordinate satisfies |c_j| <= lambda, it is the optimum and its gap is at rounding level;
 *    otherwise descent continues. Descent alone converges linearly, slowly when X~_S is ill conditioned.
 */
import { RowGramCache } from '../gram-cache.ts';
import { cholesky, choleskySolve, dot, matTVec, matVec, transpose } from '../linalg.ts';
import { checkDesign, checkPenalty, DEFAULT_TOL, type Design, type Fit, type FitStatus, type SolverOptions } from './types.ts';

/** The duality gap at w; residuals and correlations left in r and c. */
export function lassoGap(data: Design, lambda: number, w: Float64Array, r: Float64Array, c: Float64Array): number {
  const { X, y, n, d } = data;
  const s = 1 / Math.sqrt(d);
  matVec(X, n, d, w, r, s);
  for (let i = 0; i < n; i++) r[i] = y[i] - r[i];
  matTVec(X, n, d, r, c, s);
  let cmax = 0;
  for (let j = 0; j < d; j++) cmax = Math.max(cmax, Math.abs(c[j]));
  const sigma = cmax > lambda ? lambda / cmax : 1;
  let gap = 0.5 * (1 - sigma) * (1 - sigma) * dot(r, r, n);
  for (let j = 0; j < d; j++) gap += lambda * Math.abs(w[j]) - sigma * c[j] * w[j];
  return gap;
}

/** P(w) (for tests and reports; not a criterion). */
export function lassoObjective(data: Design, lambda: number, w: Float64Array): number {
  const { X, y, n, d } = data;
  const z = new Float64Array(n);
  matVec(X, n, d, w, z, 1 / Math.sqrt(d));
  let sum = 0;
  for (let i = 0; i < n; i++) sum += 0.5 * (y[i] - z[i]) ** 2;
  let l1 = 0;
  for (let j = 0; j < d; j++) l1 += Math.abs(w[j]);
  return sum + lambda * l1;
}

/**
 * Candidate from the support of w: solves the reduced normal equations; returns null when the signs do not
 * survive or the system is singular. KKT off the support is left to the gap check.
 */
function exactFinish(
  data: Design, lambda: number, w: Float64Array, Xt: Float64Array, cache: RowGramCache,
): Float64Array | null {
  const { y, n, d } = data;
  const s = 1 / Math.sqrt(d);
  const support: number[] = [];
  for (let j = 0; j < d; j++) if (w[j] !== 0) support.push(j);
  const k = support.length;
  if (k === 0 || k > n) return null;
  const G = cache.gather(support);
  if (!cholesky(G, k)) return null;
  const rhs = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    const j = support[a];
    rhs[a] = s * dot(Xt, y, n, j * n, 0) - lambda * Math.sign(w[j]);
  }
  choleskySolve(G, k, rhs, rhs);
  const out = new Float64Array(d);
  for (let a = 0; a < k; a++) {
    const j = support[a];
    if (Math.sign(rhs[a]) !== Math.sign(w[j])) return null;
    out[j] = rhs[a];
  }
  return out;
}

export interface LassoOptions extends SolverOptions {
  /** Start (default 0); not modified. */
  readonly w0?: Float64Array;
}

/** lambda > 0. Certificate: the duality gap. `iterations` counts sweeps (full or over the support). */
export function lasso(data: Design, lambda: number, options: LassoOptions = {}): Fit {
  checkDesign(data);
  checkPenalty('lasso', lambda, true);
  const { X, y, n, d } = data;
  const tol = options.tol ?? DEFAULT_TOL;
  const maxSweeps = options.maxIterations ?? 10000;
  const s = 1 / Math.sqrt(d);

  const Xt = transpose(X, n, d); // column j of X is row j of Xt
  const colSq = new Float64Array(d); // |x~_j|^2
  for (let j = 0; j < d; j++) colSq[j] = s * s * dot(Xt, Xt, n, j * n, j * n);
  const w = options.w0 ? Float64Array.from(options.w0) : new Float64Array(d);
  const r = new Float64Array(n);
  const c = new Float64Array(d);
  const cache = new RowGramCache(Xt, d, n, Math.min(d, n + 8), s);

  /** One coordinate update; returns |change| * |x~_j| (the size of the change of the fit). */
  const update = (j: number): number => {
    const o = j * n;
    const wj = w[j];
    const rho = s * dot(Xt, r, n, o, 0) + colSq[j] * wj;
    const next = rho > lambda ? (rho - lambda) / colSq[j] : rho < -lambda ? (rho + lambda) / colSq[j] : 0;
    const delta = next - wj;
    if (delta === 0) return 0;
    w[j] = next;
    const a = -s * delta;
    for (let i = 0; i < n; i++) r[i] += a * Xt[o + i];
    return Math.abs(delta) * Math.sqrt(colSq[j]);
  };

  let sweeps = 0;
  let gap = lassoGap(data, lambda, w, r, c);
  let lastSupport = -1;
  let message: string | undefined;
  let stop: FitStatus = 'failed';
  while (gap > tol) {
    if (!Number.isFinite(gap)) { message = 'non-finite duality gap'; stop = 'non-finite'; break; }
    if (sweeps >= maxSweeps) { message = `sweep cap ${maxSweeps} reached`; stop = 'max-iterations'; break; }
    // full sweep, then the support until its updates are small
    let maxChange = 0;
    for (let j = 0; j < d; j++) maxChange = Math.max(maxChange, update(j));
    sweeps++;
    for (let inner = 0; inner < 100 && maxChange > 1e-7 && sweeps < maxSweeps; inner++) {
      maxChange = 0;
      for (let j = 0; j < d; j++) if (w[j] !== 0) maxChange = Math.max(maxChange, update(j));
      sweeps++;
    }
    gap = lassoGap(data, lambda, w, r, c); // also refreshes r from scratch
    if (gap <= tol) break;
    // Exact finish once the support has the same size at two checks in a row.
    let support = 0;
    for (let j = 0; j < d; j++) if (w[j] !== 0) support++;
    if (support === lastSupport) {
      const candidate = exactFinish(data, lambda, w, Xt, cache);
      if (candidate) {
        const g = lassoGap(data, lambda, candidate, r, c);
        if (g < gap) { w.set(candidate); gap = g; } else lassoGap(data, lambda, w, r, c);
      }
    }
    lastSupport = support;
  }
  const converged = gap <= tol;
  return {
    w, iterations: sweeps, status: converged ? 'converged' : stop, certificate: gap, certificateKind: 'duality-gap', tolerance: tol,
    ...(converged ? {} : { message: message ?? 'not converged' }),
  };
}
