import { gaussLegendre } from './gauss-legendre.ts';

/** A quadrature rule over a spectral law: sum_i weights[i] f(nodes[i]). */
export interface SpectralRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

/** The most nodes a Marchenko-Pastur rule may have (its construction is O(n^2)). */
export const MARCHENKO_PASTUR_MAX_N = 1000;

/**
 * A rule of n + 1 nodes for the Marchenko-Pastur law with ratio g: the limiting eigenvalue law of (1/d) F F^T,
 * F p x d with i.i.d. unit entries and p/d = g (mean 1, variance g, density sqrt((b-x)(x-a)) / (2 pi g x) on
 * [a, b] = [(1-sqrt g)^2, (1+sqrt g)^2], and an atom 1 - 1/g at 0 when g > 1).
 * Node 0 is the atom at 0 (weight max(0, 1 - 1/g)); nodes 1..n are the n-point Gauss rule of the continuous part,
 * exact for polynomials of degree <= 2n-1 against it: the rule of the law itself (Golub-Welsch), so neither the
 * square-root edges nor the 1/x of the density (which approaches the lower edge as g -> 1) cost accuracy. For
 * g <= 1 that is the MP law itself, the free Poisson law of rate 1/g and jump g, whose Jacobi matrix is constant
 * after its first entry (diagonal 1, 1+g, 1+g, ...; off-diagonal sqrt(g)); for g > 1 the continuous part is
 * (1/g) times the law of g x with x ~ MP(1/g) (the nonzero eigenvalues of F F^T are those of F^T F). Because the
 * Jacobi matrix is constant after its first entry, its orthonormal polynomials are Chebyshev's in disguise: with
 * x = 1 + h + 2 sqrt(h) cos(theta), p_k = U_k + sqrt(h) U_{k-1}: nodes and weights in closed form up to one
 * Newton solve per node (freePoissonRule), O(n) for the rule where Golub-Welsch's QL is O(n^2) and was most of a
 * random-features sweep (the rule changes with the ratio at every point). They agree with Golub-Welsch's to
 * rounding, and are more accurate for tiny ratios (test/ir/measures-spectral.test.ts).
 * g = 0 is the point mass at 1; g < 0 or NaN gives NaN nodes and weights.
 */
export function marchenkoPasturRule(g: number, n: number): SpectralRule {
  if (!Number.isInteger(n) || n < 1 || n > MARCHENKO_PASTUR_MAX_N) {
    throw new RangeError(`marchenkoPasturRule: the number of nodes must be an integer in 1..${MARCHENKO_PASTUR_MAX_N}, got ${String(n)}`);
  }
  const nodes = new Float64Array(n + 1);
  const weights = new Float64Array(n + 1);
  if (!(g >= 0) || !Number.isFinite(g)) {
    nodes.fill(NaN);
    weights.fill(NaN);
    return { nodes, weights };
  }
  if (g === 0) {
    nodes.fill(1);
    nodes[0] = 0;
    weights[1] = 1;
    return { nodes, weights };
  }
  const atom = g > 1 ? 1 - 1 / g : 0;
  const h = g > 1 ? 1 / g : g; // ratio of the law whose Gauss rule is built
  const scale = g > 1 ? g : 1;
  const mass = 1 - atom;
  const { x: d, w } = freePoissonRule(h, n);
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i];
  weights[0] = atom;
  for (let i = 0; i < n; i++) {
    nodes[i + 1] = Math.max(0, scale * d[i]);
    weights[i + 1] = (mass * w[i]) / total;
  }
  return { nodes, weights };
}

/**
 * The n-point Gauss rule of the free Poisson law of jump h in (0, 1] (MP(h)), nodes ascending, weights not yet
 * normalised. With x = 1 + h + 2 sqrt(h) cos(theta), p_n sin(theta) = sin((n+1) theta) + sqrt(h) sin(n theta)
 * = rho sin(n theta + phi), rho e^{i phi} = e^{i theta} + sqrt(h) (rho > 0, phi in (0, pi) increasing). So the
 * k-th zero solves n theta + phi(theta) = k pi, k = 1..n, in ((k-1) pi/n, k pi/n): Newton on an increasing function
 * of small arguments (no sine of n theta). The Christoffel weight 1 / sum_{k<n} p_k^2 at a zero of p_n is
 * 1 / (b p_n'(x) p_{n-1}(x)) (Christoffel-Darboux, b = sqrt h), which there reduces to
 * 2 sin^2(theta) / (rho^2 n + 1 + sqrt(h) cos(theta)): positive terms only. O(1) per node.
 */
function freePoissonRule(h: number, n: number): { x: Float64Array; w: Float64Array } {
  const s = Math.sqrt(h);
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let k = 1; k <= n; k++) {
    let lo = ((k - 1) * Math.PI) / n;
    let hi = (k * Math.PI) / n;
    // start: one fixed-point step theta = (k pi - phi(theta))/n from the middle (a contraction: phi' is O(1))
    const mid = 0.5 * (lo + hi);
    let t = (k * Math.PI - Math.atan2(Math.sin(mid), Math.cos(mid) + s)) / n;
    if (!(t > lo && t < hi)) t = mid;
    for (let it = 0; it < 100; it++) {
      const st = Math.sin(t);
      const ct = Math.cos(t);
      const rho2 = 1 + s * s + 2 * s * ct;
      const g = n * t + Math.atan2(st, ct + s) - k * Math.PI;
      if (g === 0) break;
      if (g < 0) lo = t; else hi = t;
      const next = t - g / (n + (1 + s * ct) / rho2);
      // Newton inside the bracket; bisection otherwise
      const step = next > lo && next < hi ? next : 0.5 * (lo + hi);
      const done = Math.abs(step - t) <= 1e-15 * t;
      t = step;
      if (done || hi - lo <= 4e-16 * t) break;
    }
    const st = Math.sin(t);
    const ct = Math.cos(t);
    const c = Math.cos(0.5 * t);
    // (1 - sqrt h)^2 + 4 sqrt(h) cos^2(theta/2) = 1 + h + 2 sqrt(h) cos(theta), without cancellation at the lower edge
    x[n - k] = (1 - s) ** 2 + 4 * s * c * c;
    w[n - k] = (2 * st * st) / ((1 + s * s + 2 * s * ct) * n + 1 + s * ct);
  }
  return { x, w };
}

/** The last few Marchenko-Pastur rules built, most recent last: the kernels of one Problem (update,
 * observables) and a sweep over anything but the ratio share one. Bounded: a handful of small rules. */
const recent: { g: number; n: number; rule: SpectralRule }[] = [];
const RECENT_RULES = 8;

/** marchenkoPasturRule, shared with the last callers that asked for the same ratio and node count: do not
 * modify the arrays. */
export function cachedMarchenkoPasturRule(g: number, n: number): SpectralRule {
  const hit = recent.find((r) => Object.is(r.g, g) && r.n === n);
  if (hit) return hit.rule;
  const rule = marchenkoPasturRule(g, n);
  recent.push({ g, n, rule });
  if (recent.length > RECENT_RULES) recent.shift();
  return rule;
}

/** The modes summed term by term before the tail is integrated. */
export const POWER_LAW_EXACT_MODES = 1000;
/** The most modes a truncated power law sums term by term (a larger truncation integrates its tail too). */
export const POWER_LAW_MAX_EXACT = 1_000_000;
/** The tail is integrated down to eigenvalues of this size; the modes beyond are dropped. */
export const POWER_LAW_SMALLEST_EIGENVALUE = 1e-60;
/** Gauss-Legendre nodes per panel of the tail by default; panels are one unit of ln(eigenvalue) wide. */
export const POWER_LAW_PANEL_NODES = 8;

/**
 * The sum over modes k = 1, 2, ..., M of k^-w f(k^-a) as a rule on the eigenvalues k^-a (capacity a > 0, weight
 * exponent w: 0 for the plain trace sum_k f(lambda_k), 1 + 2ar for a teacher with source r). M = Infinity for
 * the infinite sum.
 * - M <= POWER_LAW_MAX_EXACT: term by term, exactly.
 * - otherwise: the first K = 1000 modes term by term, then the tail sum_{k>K} F(k), F(k) = k^-w f(k^-a), by the
 *   Euler-Maclaurin midpoint formula: int_{K+1/2}^{U} F(k) dk + F'(K+1/2)/24, with F'(K+1/2) from the last
 *   differences of the modes summed (folded into the weights of modes K-2, K-1 and K) and U = M + 1/2 or the k where k^-a = 1e-60. The integral is
 *   taken in u = ln k by `panelNodes`-point (8) Gauss-Legendre on panels 1/a wide (one unit of ln lambda: a body that varies on
 *   the scale of its eigenvalue, such as lambda/(lambda + kappa), is resolved to ~1e-14 in each panel).
 *   Error: the next Euler-Maclaurin term and that of the extrapolated difference, both O(F'''(K)), i.e. a
 *   relative error of the tail of order (a + w)^3 / K^3 ~ 1e-8 at worst for a smooth body, plus the
 *   modes beyond U (for the trace of a body ~ lambda, a relative 1e-60^(1 - 1/a) / kappa).
 * a <= 0, w or M not a number: NaN weights.
 */
export function powerLawRule(a: number, w: number, M: number = Infinity, panelNodes: number = POWER_LAW_PANEL_NODES): SpectralRule {
  const modes = Math.floor(M);
  if (!(a > 0) || !Number.isFinite(a) || !Number.isFinite(w) || !(modes >= 1)) {
    return { nodes: new Float64Array([NaN]), weights: new Float64Array([NaN]) };
  }
  if (modes <= POWER_LAW_MAX_EXACT) {
    const nodes = new Float64Array(modes);
    const weights = new Float64Array(modes);
    for (let k = 1; k <= modes; k++) {
      nodes[k - 1] = k ** -a;
      weights[k - 1] = k ** -w;
    }
    return { nodes, weights };
  }
  const K = POWER_LAW_EXACT_MODES;
  const lo = Math.log(K + 0.5);
  const hi = Math.min(Math.log(modes + 0.5), -Math.log(POWER_LAW_SMALLEST_EIGENVALUE) / a);
  const width = 1 / a;
  // No tail when the eigenvalues are below the cut already at K (a huge capacity): the K modes are the sum.
  const panels = hi > lo ? Math.max(1, Math.ceil((hi - lo) / width - 1e-9)) : 0;
  const gl = gaussLegendre(panelNodes);
  const nodes = new Float64Array(K + panels * panelNodes);
  const weights = new Float64Array(nodes.length);
  for (let k = 1; k <= K; k++) {
    nodes[k - 1] = k ** -a;
    weights[k - 1] = k ** -w;
  }
  // + F'(K+1/2)/24, F'(K+1/2) ~ 2 (F(K) - F(K-1)) - (F(K-1) - F(K-2)) (differences extrapolated: error O(F''')).
  weights[K - 1] *= 1 + 2 / 24;
  weights[K - 2] *= 1 - 3 / 24;
  weights[K - 3] *= 1 + 1 / 24;
  let j = K;
  for (let p = 0; p < panels; p++) {
    const u0 = lo + p * width;
    const u1 = Math.min(hi, u0 + width);
    const half = (u1 - u0) / 2;
    for (let i = 0; i < panelNodes; i++) {
      // gaussLegendre is on [-1, 1] with weights summing to 2 (checked in the tests of this file).
      const u = u0 + half * (gl.nodes[i] + 1);
      const k = Math.exp(u);
      nodes[j] = Math.exp(-a * u);
      weights[j] = half * gl.weights[i] * k * Math.exp(-w * u);
      j++;
    }
  }
  return { nodes, weights };
}
