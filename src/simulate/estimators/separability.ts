/**
 * Linear separability through the origin, decided with a certificate either way (rules-facts-capacity.yaml).
 *
 * With v_mu = y_mu x_mu/sqrt(d), the data are separable when some w has v_mu.w > 0 for every mu. Gordan's
 * alternative: either such a w exists, or some c >= 0, sum c = 1, has sum_mu c_mu v_mu = 0. Both sides meet in
 * the minimum-norm point p* of the convex hull of the v_mu: for every c in the simplex and every unit w,
 *   min_mu v_mu.w <= kappa* <= |sum_mu c_mu v_mu|,   kappa* = max_{|w| <= 1} min_mu v_mu.w = |p*| >= 0,
 * so a w with positive margins proves separability, and a c with |sum c_mu v_mu| <= tol proves that no direction
 * separates the data with a margin above tol (|v_mu| is about 1). p* is found by Wolfe's minimum-norm-point
 * algorithm (Wolfe, Math. Programming 11, 128 (1976)), a finite active-set method: a corral S of affinely
 * independent points (at most d + 1), the affine minimiser of |sum_S c_s v_s| on it from a Cholesky factor of
 * G_S + 1 1^T (positive definite exactly when S is affinely independent), updated as points join (a bordered
 * factor) and leave (Givens rotations). Hand-written: the npm LP/QP solvers (highs, glpk.js: asynchronous WebAssembly
 * set-up; quadprog: reports infeasibility without its Farkas vector) give no synchronous certificate both ways.
 *
 * It stops as soon as the current point x of the hull separates (every margin checked on the raw data, above its
 * rounding bound), or when |x| <= tol/1000 (the Gordan weights, |sum c_mu v_mu| recomputed from the raw data and
 * accepted at <= tol; the corral that holds 0 brings |x| to rounding level, ~1e-15). Where it cannot go on (Wolfe's
 * optimality test met without either certificate, a rounding breakdown of the corral, the iteration cap) the
 * weights are still accepted at <= tol; otherwise the verdict is `undecided`, reported as such, never counted.
 */
import { dot, matVec } from '../linalg.ts';
import type { GlmEstimator } from './library.ts';
import { checkDesign, type Design } from './types.ts';

export type Verdict = 'separable' | 'not-separable' | 'undecided';

export interface Separability {
  readonly verdict: Verdict;
  /** separable: a direction with y_mu x_mu.w > 0 for every mu (checked on the data). */
  readonly w?: Float64Array;
  /** not-separable: Gordan weights c >= 0, sum c = 1, with |sum_mu c_mu y_mu x_mu|/sqrt(d) <= tol (checked). */
  readonly c?: Float64Array;
  /** min_mu y_mu x_mu.w/(|w| sqrt d) at the last point of the hull (> 0 for a separable verdict). */
  readonly margin: number;
  /** |sum_mu c_mu y_mu x_mu|/sqrt(d) at the last weights (<= tol for a not-separable verdict). */
  readonly residual: number;
  /** Major iterations (points added to the corral). */
  readonly iterations: number;
  readonly message?: string;
}

export interface SeparabilityOptions {
  /** Largest |sum c_mu y_mu x_mu|/sqrt(d) accepted as a Gordan certificate (default 1e-9). */
  readonly tol?: number;
  /** Cap on major iterations (default 20 (d + 1)). */
  readonly maxIterations?: number;
}

const U = 2 ** -53;

/**
 * The smallest margin min_mu y_mu x_mu.w/(|w| sqrt d), and whether every margin y_mu x_mu.w exceeds the bound on
 * its rounding error, 2 gamma_d |x_mu| |w| (gamma_d = d u/(1 - d u), Higham's bound for a dot product): a w that
 * passes separates the data in exact arithmetic.
 */
export function checkSeparating(data: Design, w: Float64Array): { margin: number; separates: boolean } {
  checkDesign(data);
  const { X, y, n, d } = data;
  const wn = Math.sqrt(dot(w, w, d));
  const gamma = (2 * d * U) / (1 - d * U);
  let margin = Infinity;
  let separates = wn > 0;
  for (let i = 0; i < n; i++) {
    const m = y[i] * dot(X, w, d, i * d, 0);
    margin = Math.min(margin, m / (wn * Math.sqrt(d)));
    if (!(m > gamma * Math.sqrt(dot(X, X, d, i * d, i * d)) * wn)) separates = false;
  }
  return { margin, separates };
}

/** |sum_mu c_mu y_mu x_mu|/sqrt(d) for the weights c normalised to sum 1 (Infinity when some c_mu < 0 or all are 0):
 * an upper bound on the margin min_mu y_mu x_mu.w/sqrt(d) of every unit w. */
export function gordanResidual(data: Design, c: Float64Array): number {
  checkDesign(data);
  const { X, y, n, d } = data;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!(c[i] >= 0)) return Infinity;
    sum += c[i];
  }
  if (!(sum > 0)) return Infinity;
  const r = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if (c[i] === 0) continue;
    const a = (c[i] * y[i]) / sum;
    for (let j = 0, o = i * d; j < d; j++) r[j] += a * X[o + j];
  }
  return Math.sqrt(dot(r, r, d) / d);
}

/** Decides whether (X, y) is linearly separable through the origin, with a certificate either way. */
export function separability(data: Design, options: SeparabilityOptions = {}): Separability {
  checkDesign(data);
  const { X, y, n, d } = data;
  const tol = options.tol ?? 1e-9;
  const maxIterations = options.maxIterations ?? 20 * (d + 1);
  const s = 1 / Math.sqrt(d);
  const V = new Float64Array(n * d); // v_mu = y_mu x_mu/sqrt(d)
  const vv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = y[i] * s;
    for (let j = 0, o = i * d; j < d; j++) V[o + j] = a * X[o + j];
    vv[i] = dot(V, V, d, i * d, i * d);
  }
  // the corral: indices S[0..k), weights lam (sum 1, > 0), R upper triangular with R^T R = G_S + 1 1^T
  const cap = d + 2;
  const S = new Int32Array(cap);
  const lam = new Float64Array(cap);
  const alpha = new Float64Array(cap);
  const R = new Float64Array(cap * cap);
  const col = new Float64Array(cap);
  const x = new Float64Array(d);
  const margins = new Float64Array(n);
  const inS = new Uint8Array(n);
  let k = 0;

  /** x = sum_S lam_s v_s, from scratch. */
  const point = (weights: Float64Array): void => {
    x.fill(0);
    for (let a = 0; a < k; a++) {
      const o = S[a] * d;
      const l = weights[a];
      for (let j = 0; j < d; j++) x[j] += l * V[o + j];
    }
  };
  /** Appends point i to the factor (bordered Cholesky); false when it is affinely dependent on S (to rounding). */
  const add = (i: number): boolean => {
    for (let a = 0; a < k; a++) col[a] = dot(V, V, d, S[a] * d, i * d) + 1;
    // R^T r = col (forward substitution), r_kk^2 = |v_i|^2 + 1 - |r|^2
    let rr = 0;
    for (let a = 0; a < k; a++) {
      let t = col[a];
      for (let b = 0; b < a; b++) t -= R[b * cap + a] * col[b];
      col[a] = t / R[a * cap + a];
      rr += col[a] * col[a];
    }
    const pivot = vv[i] + 1 - rr;
    if (!(pivot > 1e-13 * (vv[i] + 1))) return false;
    for (let a = 0; a < k; a++) R[a * cap + k] = col[a];
    R[k * cap + k] = Math.sqrt(pivot);
    S[k] = i;
    inS[i] = 1;
    k++;
    return true;
  };
  /** Removes the corral's p-th point: drop column p of R, restore the triangle by Givens rotations on the rows. */
  const remove = (p: number): void => {
    inS[S[p]] = 0;
    for (let a = p; a < k - 1; a++) {
      S[a] = S[a + 1];
      lam[a] = lam[a + 1];
      for (let b = 0; b <= a + 1; b++) R[b * cap + a] = R[b * cap + a + 1];
    }
    for (let a = p; a < k - 1; a++) {
      const top = R[a * cap + a];
      const bottom = R[(a + 1) * cap + a];
      const h = Math.hypot(top, bottom);
      const c = top / h;
      const sn = bottom / h;
      for (let b = a; b < k - 1; b++) {
        const t1 = R[a * cap + b];
        const t2 = R[(a + 1) * cap + b];
        R[a * cap + b] = c * t1 + sn * t2;
        R[(a + 1) * cap + b] = -sn * t1 + c * t2;
      }
    }
    for (let b = 0; b < cap; b++) R[(k - 1) * cap + b] = 0;
    k--;
  };
  /** The affine minimiser on S: alpha = M^{-1} 1 / (1^T M^{-1} 1), M = R^T R. */
  const affine = (): void => {
    for (let a = 0; a < k; a++) {
      let t = 1;
      for (let b = 0; b < a; b++) t -= R[b * cap + a] * alpha[b];
      alpha[a] = t / R[a * cap + a];
    }
    for (let a = k - 1; a >= 0; a--) {
      let t = alpha[a];
      for (let b = a + 1; b < k; b++) t -= R[a * cap + b] * alpha[b];
      alpha[a] = t / R[a * cap + a];
    }
    let sum = 0;
    for (let a = 0; a < k; a++) sum += alpha[a];
    for (let a = 0; a < k; a++) alpha[a] /= sum;
  };

  // start from the shortest v
  let first = 0;
  for (let i = 1; i < n; i++) if (vv[i] < vv[first]) first = i;
  add(first);
  lam[0] = 1;
  point(lam);
  const weights = (): Float64Array => {
    const c = new Float64Array(n);
    for (let a = 0; a < k; a++) c[S[a]] = lam[a];
    return c;
  };
  /** Where the iteration cannot go on: the Gordan weights if they pass at tol, else undecided. */
  const undecided = (iterations: number, message: string): Separability => {
    const c = weights();
    const residual = gordanResidual(data, c);
    const margin = checkSeparating(data, x).margin;
    return residual <= tol ? { verdict: 'not-separable', c, margin, residual, iterations } : { verdict: 'undecided', margin, residual, iterations, message };
  };

  for (let it = 0; ; it++) {
    matVec(V, n, d, x, margins);
    const xx = dot(x, x, d);
    let j = 0;
    for (let i = 1; i < n; i++) if (margins[i] < margins[j]) j = i;
    if (margins[j] > 0) {
      const check = checkSeparating(data, x);
      if (check.separates) {
        return { verdict: 'separable', w: Float64Array.from(x), margin: check.margin, residual: gordanResidual(data, weights()), iterations: it };
      }
    }
    // aim well below tol: the corral that holds 0 gives |x| at rounding level one step later
    if (Math.sqrt(xx) <= 1e-3 * tol) {
      const c = weights();
      const residual = gordanResidual(data, c);
      if (residual <= tol) return { verdict: 'not-separable', c, margin: checkSeparating(data, x).margin, residual, iterations: it };
    }
    // Wolfe's optimality test: x is the minimum-norm point, yet neither certificate held (rounding)
    if (margins[j] >= xx * (1 - 1e-12)) return undecided(it, `the minimum-norm point has |x| = ${Math.sqrt(xx).toExponential(2)}, between the certificates' thresholds`);
    if (it >= maxIterations) return undecided(it, `stopped after ${it} iterations with |x| = ${Math.sqrt(xx).toExponential(2)}`);
    if (inS[j] || !add(j)) return undecided(it, 'the corral became affinely dependent (rounding)');
    lam[k - 1] = 0;
    // minor cycle: move to the affine minimiser, or as far towards it as the weights stay >= 0, dropping a point
    for (;;) {
      affine();
      let theta = 1;
      let leaving = -1;
      for (let a = 0; a < k; a++) {
        if (alpha[a] > 0) continue;
        const t = lam[a] / (lam[a] - alpha[a]);
        if (leaving < 0 || t < theta) { theta = t; leaving = a; }
      }
      if (leaving < 0) {
        for (let a = 0; a < k; a++) lam[a] = alpha[a];
        break;
      }
      for (let a = 0; a < k; a++) lam[a] = theta * alpha[a] + (1 - theta) * lam[a];
      lam[leaving] = 0;
      // drop the weights that reached 0 (the one that set theta, and any other to rounding)
      for (let a = k - 1; a >= 0; a--) if (lam[a] <= 0) remove(a);
      if (k === 0) return undecided(it, 'the minor cycle emptied the corral (rounding)');
      let sum = 0;
      for (let a = 0; a < k; a++) sum += lam[a];
      for (let a = 0; a < k; a++) lam[a] /= sum;
    }
    point(lam);
  }
}

/**
 * The estimator `separability` of a glm simulation: per trial the indicator `separable` (1 or 0), each verdict with
 * its certificate; an undecided trial is not converged (left out of the means, listed, exit code 3). Its
 * `certificate` is the separating direction's smallest margin min_mu y_mu x_mu.w/(|w| sqrt d) (> 0) or the Gordan
 * residual |sum c_mu y_mu x_mu|/sqrt(d) (<= 1e-9).
 */
export const separabilityEstimator: GlmEstimator = {
  name: 'separability', experiment: 'glm', task: 'classification', measures: ['separable'],
  doc: 'linear separability through the origin (Wolfe\'s minimum-norm point of the y_mu x_mu): `separable` is 1 with a direction whose '
    + 'margins y_mu x_mu.w are all > 0 (checked on the data), 0 with Gordan weights c >= 0, sum c = 1, |sum c_mu y_mu x_mu|/sqrt(d) <= 1e-9; '
    + 'neither is an undecided trial, left out',
  tex: '\mathbb{1}\{\exists w: y_\mu w \cdot x_\mu > 0\ \forall \mu\}',
  params: [],
  at: () => ({
    fit: (data) => {
      const r = separability(data);
      const decided = r.verdict !== 'undecided';
      const measured: Record<string, number> = decided ? { separable: r.verdict === 'separable' ? 1 : 0 } : {};
      return {
        w: r.w ?? new Float64Array(data.d), status: decided ? 'converged' : 'failed', converged: decided,
        certificate: r.verdict === 'separable' ? r.margin : r.residual, iterations: r.iterations, measured,
        ...(!decided && { message: `separability undecided: ${r.message}` }),
      };
    },
  }),
};
