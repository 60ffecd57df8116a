/**
 * Gauss quadrature for the standard normal restricted to [a, b] (not renormalised): n nodes exact for
 * polynomials of degree ≤ 2n − 1 against N(t) on [a, b].
 *
 * Why: the Gauss-Legendre window rule of truncated-normal.ts must resolve the Gaussian weight itself, so on
 * a half-line it needs ~64 nodes for 1e-13; the Gauss rule of the weight converges like Gauss-Hermite does
 * on the full line (24 nodes integrate smooth integrands of the GLM zoo to ~1e-14). Building it costs
 * ~1 ms, so it is used where the ends are fixed for a whole solve (constants or parameters) and cached.
 *
 * Construction (Gautschi's discretised Stieltjes procedure, in its stable Lanczos form): the measure is
 * replaced by a 400-node window rule (truncatedNormalRule, exact to rounding for the polynomial degrees
 * used here); Lanczos with full reorthogonalisation on diag(nodes) started from sqrt(weights) gives the
 * recurrence coefficients of the discrete measure, equal to the continuous ones for degrees ≪ 400; nodes
 * are the eigenvalues of the Jacobi matrix (implicit QL), weights the Christoffel numbers 1/Σ p_k(x)².
 */
import { qlEigenvalues } from './gauss-hermite.ts';
import { truncatedNormalRule, type TruncatedNormalRule } from './truncated-normal.ts';

/** Largest n for which the Gauss rule is built; beyond it callers use the window rule (still exact-ish). */
export const TRUNCATED_GAUSS_MAX_N = 128;
const DISCRETE_N = 400;
const CACHE_LIMIT = 256;
const cache = new Map<string, TruncatedNormalRule>();

/**
 * Gauss rule for ∫_a^b N(t) f(t) dt ≈ Σ w_i f(x_i), cached per (a, b, n); n in 1..128 (larger n: the
 * window rule). Degenerate input behaves like truncatedNormalRule (empty set: zero weights; NaN: NaN).
 * The arrays are shared: treat them as read-only.
 */
export function truncatedGaussRule(a: number, b: number, n: number): TruncatedNormalRule {
  const key = `${a},${b},${n}`;
  let rule = cache.get(key);
  if (rule === undefined) {
    rule = build(a, b, n);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, rule);
  }
  return rule;
}

function build(a: number, b: number, n: number): TruncatedNormalRule {
  if (n > TRUNCATED_GAUSS_MAX_N) return truncatedNormalRule(a, b, n);
  const fine = truncatedNormalRule(a, b, DISCRETE_N);
  let mass = 0;
  for (let j = 0; j < DISCRETE_N; j++) mass += fine.weights[j];
  if (!(mass > 0) || !Number.isFinite(mass)) return truncatedNormalRule(a, b, n); // empty, NaN, or underflow
  const M = DISCRETE_N;
  // Centre and scale the support so the recurrence coefficients are O(1) (tail windows sit near |t| ~ 30).
  const lo = fine.nodes[0];
  const hi = fine.nodes[M - 1];
  const c = 0.5 * (lo + hi);
  const h = 0.5 * (hi - lo) || 1;
  const x = Float64Array.from(fine.nodes, (t) => (t - c) / h);
  const V: Float64Array[] = [];
  let v = Float64Array.from(fine.weights, (w) => Math.sqrt(w / mass));
  const alpha = new Float64Array(n);
  const beta = new Float64Array(n); // beta[k] couples p_{k-1} and p_k, k ≥ 1
  for (let k = 0; k < n; k++) {
    V.push(v);
    let al = 0;
    for (let j = 0; j < M; j++) al += x[j] * v[j] * v[j];
    alpha[k] = al;
    if (k === n - 1) break;
    const u = new Float64Array(M);
    const prev = k > 0 ? V[k - 1] : undefined;
    for (let j = 0; j < M; j++) u[j] = (x[j] - al) * v[j] - (prev ? beta[k] * prev[j] : 0);
    // Full reorthogonalisation (twice is enough): keeps the coefficients accurate to rounding.
    for (let pass = 0; pass < 2; pass++) {
      for (const w of V) {
        let d = 0;
        for (let j = 0; j < M; j++) d += w[j] * u[j];
        for (let j = 0; j < M; j++) u[j] -= d * w[j];
      }
    }
    let norm = 0;
    for (let j = 0; j < M; j++) norm += u[j] * u[j];
    norm = Math.sqrt(norm);
    beta[k + 1] = norm;
    for (let j = 0; j < M; j++) u[j] /= norm;
    v = u;
  }
  const nodes = Float64Array.from(alpha);
  const off = new Float64Array(n);
  for (let k = 0; k < n - 1; k++) off[k] = beta[k + 1];
  qlEigenvalues(nodes, off);
  nodes.sort();
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Christoffel number of the probability measure: 1 / Σ_{k<n} p_k(x_i)², p_k orthonormal.
    let pPrev = 0;
    let p = 1;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      sum += p * p;
      if (k === n - 1) break;
      const next = ((nodes[i] - alpha[k]) * p - beta[k] * pPrev) / beta[k + 1];
      pPrev = p;
      p = next;
    }
    weights[i] = mass / sum;
  }
  for (let i = 0; i < n; i++) nodes[i] = c + h * nodes[i];
  return Object.freeze({ nodes, weights });
}
