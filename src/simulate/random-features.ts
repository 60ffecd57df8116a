/**
 * Random-features ridge regression at finite size (rf-ridge's simulation): inputs x ~ N(0, I_d) and labels from
 * the instance (data.ts: a teacher w*, y = w*.x/sqrt(d) + noise), a feature matrix F (p x d, entries N(0, 1)),
 * features sigma(F x / sqrt(d)), and the predictor f(x) = a . sigma(F x / sqrt(d)) / sqrt(p) with
 *   a = argmin_a (1/2) sum_mu (y_mu - f(x_mu))^2 + (lambda/2) |a|^2     (estimators/ridge.ts in feature space).
 * The predictor is measured against the population exactly, given F, w* and a, for activations whose Gaussian
 * moments are known (erf, ReLU, the identity in closed form; tanh by Mehler's Hermite series): with t = w*.x/sqrt(d)
 * the teacher field and u_i = F_i.x/sqrt(d),
 *   m = E[t f(x)] = sum_i a_i (F_i.w* / d) E[sigma'(u_i)] / sqrt(p)        (Stein's lemma)
 *   q = E[f(x)^2] = sum_ij a_i a_j E[sigma(u_i) sigma(u_j)] / p         (the arc-sine / arc-cosine kernels)
 * and the test error on a fresh label of the linear channel, E[(y - f(x))^2] = |w*|^2/d - 2 m + q + Delta.
 * These are the overlaps of the Gaussian covariate model (Loureiro et al. 2021), which rf-ridge's theory predicts.
 */
import { gaussHermite } from '../numerics/gauss-hermite.ts';
import { erf } from '../numerics/special.ts';
import { ridge } from './estimators/ridge.ts';
import type { Design, Fit } from './estimators/types.ts';
import { crossRows, gramRows, matTVec, matVec } from './linalg.ts';
import type { Rng } from './rng.ts';

/** An activation with the Gaussian moments the exact measurement needs; u, v jointly Gaussian, centred. */
export interface Activation {
  readonly name: string;
  readonly f: (u: number) => number;
  /** E[sigma'(u)] for u ~ N(0, a). */
  readonly slope: (a: number) => number;
  /** E[sigma(u) sigma(v)] for Var u = a, Var v = b, Cov(u, v) = c. */
  readonly pair: (a: number, b: number, c: number) => number;
  /** The normalised Hermite coefficients of sigma(sqrt(a) z) (Mehler's series), for an activation without closed
   * forms: computed once per feature, they make each pair a short sum (featureOverlaps). */
  readonly series?: (a: number) => Float64Array;
  /** sigma(u) = u: then q = |F^T a|^2/(d p), without the p x p Gram matrix (p may be large). */
  readonly identity?: true;
}


/** The activations rf-ridge offers (Gaussian moments in closed form). */
export const ACTIVATIONS: ReadonlyMap<string, Activation> = new Map<string, Activation>([
  ['erf', {
    name: 'erf', f: erf,
    // E[erf'(u)] = (2/sqrt(pi)) E[exp(-u^2)] = (2/sqrt(pi)) / sqrt(1 + 2a)
    slope: (a) => 2 / Math.sqrt(Math.PI * (1 + 2 * a)),
    // Williams (1997): E[erf(u) erf(v)] = (2/pi) asin(2c / sqrt((1 + 2a)(1 + 2b)))
    pair: (a, b, c) => (2 / Math.PI) * Math.asin(2 * c / Math.sqrt((1 + 2 * a) * (1 + 2 * b))),
  }],
  ['ReLU', {
    name: 'ReLU', f: (u) => (u > 0 ? u : 0),
    slope: () => 0.5,
    // Cho and Saul (2009), arc-cosine kernel of degree 1: sqrt(ab)/(2 pi) (sin th + (pi - th) cos th), cos th = c/sqrt(ab)
    pair: (a, b, c) => {
      const s = Math.sqrt(a * b);
      const cos = Math.max(-1, Math.min(1, c / s));
      const th = Math.acos(cos);
      return (s / (2 * Math.PI)) * (Math.sqrt(1 - cos * cos) + (Math.PI - th) * cos);
    },
  }],
  ['identity', { name: 'identity', f: (u) => u, slope: () => 1, pair: (_a, _b, c) => c, identity: true }],
  ['tanh', {
    name: 'tanh', f: Math.tanh,
    // No closed form. tanh is analytic in the strip |Im z| < pi/2 only, where Gauss-Hermite converges like
    // exp(-(pi/2) sqrt(2n)): 24 nodes leave 1e-4 on E tanh(u)^2, 200 nodes 1e-13. So: 1-D rules of 200 nodes for
    // the slope and the diagonal, and for a pair the Mehler (Hermite) series
    //   E[s(u) s(v)] = sum_k rho^k h_k(a) h_k(b),  h_k(a) = E[s(sqrt(a) z) He_k(z)]/sqrt(k!),  rho = c/sqrt(ab),
    // whose coefficients are computed once per feature (featureOverlaps) and which converges like |rho|^k.
    slope: (a) => gaussMean((z) => 1 - Math.tanh(Math.sqrt(a) * z) ** 2),
    pair: (a, b, c) => {
      const rho = c / Math.sqrt(a * b);
      if (Math.abs(rho) <= MEHLER_RHO) return mehler(hermiteCoefficients(Math.tanh, a), hermiteCoefficients(Math.tanh, b), rho);
      if (Math.abs(rho) >= 1 - 1e-15 && a === b) return Math.sign(rho) * gaussMean((z) => Math.tanh(Math.sqrt(a) * z) ** 2); // a diagonal term
      return gaussPair(Math.tanh, a, b, c);
    },
    series: (a) => hermiteCoefficients(Math.tanh, a),
  }],
]);

/** Terms of a Mehler series: enough for |rho|^k < 1e-17 at |rho| <= MEHLER_RHO. */
const MEHLER_TERMS = 80;
/** Above this correlation a pair is summed by `pair` (the series would need too many terms). */
const MEHLER_RHO = 0.6;

/** h_k = E[f(sqrt(a) z) He_k(z)]/sqrt(k!), k < MEHLER_TERMS, by 200-node Gauss-Hermite (exact for the polynomial
 * part up to degree 399), with the normalised recurrence He_(k+1)/sqrt((k+1)!) = (z h_k - sqrt(k) h_(k-1))/sqrt(k+1). */
export function hermiteCoefficients(f: (u: number) => number, a: number): Float64Array {
  const { nodes, weights } = gaussHermite(SERIES_NODES);
  const h = new Float64Array(MEHLER_TERMS);
  const s = Math.sqrt(a);
  for (let i = 0; i < nodes.length; i++) {
    const z = nodes[i];
    const fw = weights[i] * f(s * z);
    let prev = 0;
    let cur = 1;
    for (let k = 0; k < MEHLER_TERMS; k++) {
      h[k] += fw * cur;
      const next = (z * cur - Math.sqrt(k) * prev) / Math.sqrt(k + 1);
      prev = cur;
      cur = next;
    }
  }
  return h;
}

/** sum_k rho^k h_k g_k. */
export function mehler(h: Float64Array, g: Float64Array, rho: number): number {
  let s = 0;
  let r = 1;
  for (let k = 0; k < h.length; k++) {
    s += r * h[k] * g[k];
    r *= rho;
  }
  return s;
}

const SERIES_NODES = 200;

/** E[f(u) f(v)], Var u = a, Var v = b, Cov = c, by a 200 x 200 Gauss-Hermite rule on a Cholesky factor (the rare pair
 * too correlated for Mehler's series). */
function gaussPair(f: (u: number) => number, a: number, b: number, c: number): number {
  const { nodes, weights } = gaussHermite(SERIES_NODES);
  const sa = Math.sqrt(a);
  const k = c / sa;
  const rest = Math.sqrt(Math.max(b - k * k, 0));
  let sum = 0;
  for (let i = 0; i < nodes.length; i++) {
    let inner = 0;
    for (let j = 0; j < nodes.length; j++) inner += weights[j] * f(k * nodes[i] + rest * nodes[j]);
    sum += weights[i] * f(sa * nodes[i]) * inner;
  }
  return sum;
}

/** The activation of rf-ridge.yaml's `activation` parameter: 0 erf, 1 tanh, 2 ReLU, 3 linear (the identity). */
export const ACTIVATION_CODES: readonly string[] = ['erf', 'tanh', 'ReLU', 'identity'];

/** E f(z), z ~ N(0, 1), by 200-node Gauss-Hermite. */
function gaussMean(f: (z: number) => number): number {
  const { nodes, weights } = gaussHermite(SERIES_NODES);
  let s = 0;
  for (let i = 0; i < nodes.length; i++) s += weights[i] * f(nodes[i]);
  return s;
}

/** A feature matrix F (p x d, row-major), entries N(0, 1), from `rng`. */
export function drawFeatures(p: number, d: number, rng: Rng): Float64Array {
  const F = new Float64Array(p * d);
  rng.fillNormal(F);
  return F;
}

/** sigma(X F^T / sqrt(d)) (n x p, row-major): the features of the n rows of X. */
export function featuresOf(X: Float64Array, n: number, d: number, F: Float64Array, p: number, act: Activation): Float64Array {
  const Z = crossRows(X, n, F, p, d, new Float64Array(n * p));
  const s = 1 / Math.sqrt(d);
  for (let k = 0; k < Z.length; k++) Z[k] = act.f(Z[k] * s);
  return Z;
}

/** The population overlaps of f(x) = a . sigma(F x/sqrt(d))/sqrt(p) with the teacher field w*.x/sqrt(d). */
export interface FeatureOverlaps {
  /** E[t f(x)]. */
  readonly m: number;
  /** E[f(x)^2]. */
  readonly q: number;
  /** |w*|^2/d = E[t^2]. */
  readonly qStar: number;
}

/** m, q and |w*|^2/d exactly (given F, w*, a) for an activation with closed-form Gaussian moments. */
export function featureOverlaps(F: Float64Array, p: number, d: number, teacher: Float64Array, a: Float64Array, act: Activation): FeatureOverlaps {
  let qStar = 0;
  for (let j = 0; j < d; j++) qStar += teacher[j] * teacher[j];
  if (act.identity) {
    // f(x) = w.x/sqrt(d) with w = F^T a/sqrt(p): the overlaps of w
    const w = new Float64Array(d);
    matTVec(F, p, d, a, w, 1 / Math.sqrt(p));
    let m = 0;
    let q = 0;
    for (let j = 0; j < d; j++) { m += w[j] * teacher[j]; q += w[j] * w[j]; }
    return { m: m / d, q: q / d, qStar: qStar / d };
  }
  const C = gramRows(F, p, d); // F F^T, scaled by 1/d below
  let m = 0;
  for (let i = 0; i < p; i++) {
    let c = 0;
    for (let j = 0; j < d; j++) c += F[i * d + j] * teacher[j];
    m += a[i] * (c / d) * act.slope(C[i * p + i] / d);
  }
  const series = act.series && Array.from({ length: p }, (_, i) => act.series!(C[i * p + i] / d));
  const pair = (i: number, j: number): number => {
    const ai = C[i * p + i] / d;
    const aj = C[j * p + j] / d;
    const c = C[i * p + j] / d;
    const rho = c / Math.sqrt(ai * aj);
    return series && i !== j && Math.abs(rho) <= MEHLER_RHO ? mehler(series[i], series[j], rho) : act.pair(ai, aj, c);
  };
  let q = 0;
  for (let i = 0; i < p; i++) {
    let row = 0;
    for (let j = 0; j < i; j++) row += a[j] * pair(i, j);
    q += a[i] * (2 * row + a[i] * pair(i, i));
  }
  return { m: m / Math.sqrt(p), q: q / p, qStar: qStar / d };
}

/** A random-features ridge fit and its measurements. */
export interface FeatureFit {
  readonly fit: Fit;
  readonly overlaps: FeatureOverlaps;
  /** Mean squared training residual (y - f(x))^2 over the samples. */
  readonly trainError: number;
}

/**
 * Fits a = argmin (1/2) sum_mu (y_mu - a.sigma(F x_mu/sqrt d)/sqrt p)^2 + (lambda/2)|a|^2 on the instance's
 * samples (ridge() on the n x p feature matrix, whose 1/sqrt(p) scaling is the predictor's), and measures it.
 */
export function featureRidge(data: Design & { readonly teacher: Float64Array }, F: Float64Array, p: number, act: Activation, lambda: number): FeatureFit {
  const { X, y, n, d } = data;
  const Phi = featuresOf(X, n, d, F, p, act);
  const fit = ridge({ X: Phi, y, n, d: p }, lambda);
  const pred = new Float64Array(n);
  matVec(Phi, n, p, fit.w, pred, 1 / Math.sqrt(p));
  let train = 0;
  for (let i = 0; i < n; i++) train += (y[i] - pred[i]) ** 2;
  return { fit, overlaps: featureOverlaps(F, p, d, data.teacher, fit.w, act), trainError: train / n };
}
