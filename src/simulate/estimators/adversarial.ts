/**
 * Adversarial training of a linear classifier with the logistic loss (adversarial-l2.yaml, adversarial-linf.yaml):
 *   F(w) = sum_mu max_{delta_mu in B} log(1 + exp(-y_mu w.(x_mu + delta_mu)/sqrt d)) + (lambda/2)|w|^2 + lambda1 |w|_1
 * with B = {|delta|_2 <= eps} (l2) or {|delta|_inf <= eps/sqrt(d)} (linf). For a linear model the inner maximum is
 * explicit: min over B of y w.delta/sqrt(d) is -eps |w|/sqrt(d) (l2) or -eps |w|_1/d (linf), so
 *   F(w) = sum_mu loss(y_mu w.x_mu/sqrt(d) - eps N(w)/sqrt(d)) + (lambda/2)|w|^2 + lambda1 |w|_1,
 * N(w) = |w| (l2) or |w|_1/sqrt(d) (linf): convex (a convex non-increasing loss of a concave margin), but not
 * smooth. Lifted to x = (w, tau) with the convex cone C = {N(w) <= tau}, it becomes
 *   minimise f(w, tau) = sum_mu loss(y_mu w.x_mu/sqrt(d) - eps tau/sqrt(d)) + (lambda/2)|w|^2 + lambda1 sqrt(d) tau
 *   over C,
 * with the same minimiser (f grows with tau when eps > 0 or lambda1 > 0, so tau = N(w) at the optimum; at
 * eps = lambda1 = 0 tau does not matter), a smooth objective and a cone whose projection is exact (the second-order
 * cone; the epigraph of the scaled ell-1 norm, by sorting). tau is O(sqrt d) like |w|, so both blocks are on the
 * same scale. Solved by accelerated projected gradient (FISTA, Beck and Teboulle 2009) with adaptive restart
 * (O'Donoghue and Candes 2015) and the step 1/L of a Lipschitz bound of the gradient: loss'' <= 1/4, so
 * L = (|X/sqrt d|_2 + eps sqrt(n/d))^2 / 4 + lambda, the spectral norm by power iteration (with a margin).
 *
 * Certificate: the norm of the gradient mapping L |x - P_C(x - grad f(x)/L)| at the returned x, recomputed from X:
 * zero exactly at the minimiser, and the gradient norm itself where the constraint is inactive.
 */
import { dot, matTVec, matVec, norm2 } from '../linalg.ts';
import { log1pexp } from './logistic.ts';
import { checkDesign, DEFAULT_TOL, type Design, type Fit, type FitStatus, type SolverOptions } from './types.ts';

/** The attack's norm ball: ell-2 of radius eps, or ell-infinity of radius eps/sqrt(d). */
export type AttackNorm = 'l2' | 'linf';

export interface Adversarial {
  readonly norm: AttackNorm;
  readonly eps: number;
  readonly lambda: number;
  /** ell-1 penalty (default 0). */
  readonly lambda1?: number;
}

/** 1/(1 + e^-t) without overflow. */
function sigmoid(t: number): number {
  const e = Math.exp(-Math.abs(t));
  return t >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** N(w)/sqrt(d): the margin an attack of radius eps = 1 removes (|w|/sqrt d for l2, |w|_1/d for linf). */
export function attackNorm(norm: AttackNorm, w: Float64Array): number {
  const d = w.length;
  if (norm === 'l2') return Math.sqrt(dot(w, w, d) / d);
  let s = 0;
  for (let j = 0; j < d; j++) s += Math.abs(w[j]);
  return s / d;
}

/** F(w) (for tests and reports; not a criterion). */
export function adversarialObjective(data: Design, a: Adversarial, w: Float64Array): number {
  const { X, y, n, d } = data;
  const z = new Float64Array(n);
  matVec(X, n, d, w, z, 1 / Math.sqrt(d));
  const shift = a.eps * attackNorm(a.norm, w);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += log1pexp(-(y[i] * z[i] - shift));
  let l1 = 0;
  for (let j = 0; j < d; j++) l1 += Math.abs(w[j]);
  return sum + 0.5 * a.lambda * dot(w, w, d) + (a.lambda1 ?? 0) * l1;
}

/** Projection of (w, tau) on {|w| <= tau} in place (the second-order cone). */
function projectL2Cone(x: Float64Array, d: number): void {
  const tau = x[d];
  const r = Math.sqrt(dot(x, x, d));
  if (r <= tau) return;
  if (r <= -tau) { x.fill(0); return; }
  const t = 0.5 * (r + tau);
  const c = t / r;
  for (let j = 0; j < d; j++) x[j] *= c;
  x[d] = t;
}

/**
 * Projection of (w, tau) on {|w|_1 <= c tau} in place. KKT: w = soft(w0, mu), tau = tau0 + c mu with
 * |soft(w0, mu)|_1 = c tau0 + c^2 mu, a piecewise-linear equation in mu solved exactly over the sorted |w0|.
 */
function projectL1Cone(x: Float64Array, d: number, c: number, scratch: Float64Array): void {
  const tau0 = x[d];
  let l1 = 0;
  for (let j = 0; j < d; j++) { scratch[j] = Math.abs(x[j]); l1 += scratch[j]; }
  if (l1 <= c * tau0) return;
  const a = scratch.subarray(0, d).sort().reverse();
  let mu = -tau0 / c; // w = 0 unless a threshold below max |w0| satisfies the equation
  let sum = 0;
  for (let k = 0; k < d; k++) {
    sum += a[k];
    const m = (sum - c * tau0) / (k + 1 + c * c);
    if (m < a[k] && (k + 1 === d || m >= a[k + 1])) { mu = m; break; }
  }
  if (!(mu > 0)) mu = 0;
  for (let j = 0; j < d; j++) {
    const v = x[j];
    x[j] = v > mu ? v - mu : v < -mu ? v + mu : 0;
  }
  x[d] = Math.max(0, tau0 + c * mu);
}

/** Largest singular value of X/sqrt(d), by power iteration on X^T X from a fixed start. */
function spectralNorm(X: Float64Array, n: number, d: number, iterations = 60): number {
  const s = 1 / Math.sqrt(d);
  let v = new Float64Array(d);
  for (let j = 0; j < d; j++) v[j] = 1 + ((j * 7919) % 13) / 13; // deterministic, not orthogonal to the top vector
  const u = new Float64Array(n);
  let sigma = 0;
  for (let k = 0; k < iterations; k++) {
    const nv = norm2(v);
    for (let j = 0; j < d; j++) v[j] /= nv;
    matVec(X, n, d, v, u, s);
    sigma = norm2(u);
    const next = new Float64Array(d);
    matTVec(X, n, d, u, next, s);
    v = next;
  }
  return sigma;
}

export function adversarialLogistic(data: Design, a: Adversarial, options: SolverOptions = {}): Fit {
  checkDesign(data);
  const { X, y, n, d } = data;
  const { eps, lambda, norm } = a;
  const lambda1 = a.lambda1 ?? 0;
  if (!(Number.isFinite(eps) && eps >= 0)) throw new RangeError(`adversarial: the attack radius eps must be finite and >= 0, got ${eps}`);
  if (!(Number.isFinite(lambda) && lambda > 0)) throw new RangeError(`adversarial: lambda must be finite and > 0 (robustly separable data have no minimiser without it), got ${lambda}`);
  if (!(Number.isFinite(lambda1) && lambda1 >= 0)) throw new RangeError(`adversarial: lambda1 must be finite and >= 0, got ${lambda1}`);
  const tol = options.tol ?? DEFAULT_TOL;
  const maxIterations = options.maxIterations ?? 20000;
  const s = 1 / Math.sqrt(d);
  const c = eps * s; // d t_mu / d tau
  const rootD = Math.sqrt(d);
  const L = 0.25 * (1.05 * spectralNorm(X, n, d) + eps * Math.sqrt(n / d)) ** 2 + lambda;

  const scratch = new Float64Array(d);
  const project = norm === 'l2' ? (x: Float64Array) => projectL2Cone(x, d) : (x: Float64Array) => projectL1Cone(x, d, rootD, scratch);
  const z = new Float64Array(n);
  const r = new Float64Array(n);
  /** grad f at x into g (fields recomputed from X). */
  const gradient = (x: Float64Array, g: Float64Array): void => {
    matVec(X, n, d, x, z, s);
    let sr = 0;
    for (let i = 0; i < n; i++) {
      const slope = -sigmoid(-(y[i] * z[i] - c * x[d])); // loss'(t) at t = y z - eps tau/sqrt(d)
      r[i] = slope * y[i];
      sr += slope;
    }
    matTVec(X, n, d, r, g, s);
    for (let j = 0; j < d; j++) g[j] += lambda * x[j];
    g[d] = -c * sr + lambda1 * rootD;
  };
  /** The projected gradient step from x into out; returns |gradient mapping| = L |x - out|. */
  const step = (x: Float64Array, g: Float64Array, out: Float64Array): number => {
    for (let j = 0; j <= d; j++) out[j] = x[j] - g[j] / L;
    project(out);
    let dd = 0;
    for (let j = 0; j <= d; j++) dd += (x[j] - out[j]) ** 2;
    return L * Math.sqrt(dd);
  };

  let x = new Float64Array(d + 1); // (w, tau) = 0 is feasible
  let next = new Float64Array(d + 1);
  const yk = new Float64Array(d + 1);
  const g = new Float64Array(d + 1);
  const trial = new Float64Array(d + 1);
  let theta = 1;
  let iterations = 0;
  let certificate = NaN;
  let stop: FitStatus = 'max-iterations';
  let message: string | undefined;
  yk.set(x);
  for (;;) {
    gradient(yk, g);
    const gm = step(yk, g, next);
    if (!Number.isFinite(gm)) { stop = 'non-finite'; message = 'non-finite gradient'; break; }
    // the cheap test at the extrapolated point; the certificate is recomputed at the iterate itself
    if (gm <= tol) {
      gradient(next, g);
      certificate = step(next, g, trial);
      if (certificate <= tol) { x = next; stop = 'converged'; break; }
    }
    if (iterations >= maxIterations) {
      gradient(next, g);
      certificate = step(next, g, trial);
      x = next;
      message = `iteration cap ${maxIterations} reached with gradient-mapping norm ${certificate.toExponential(2)}`;
      if (certificate <= tol) stop = 'converged';
      break;
    }
    iterations++;
    // adaptive restart: momentum is dropped when it points uphill
    let uphill = 0;
    for (let j = 0; j <= d; j++) uphill += (yk[j] - next[j]) * (next[j] - x[j]);
    const thetaNext = uphill > 0 ? 1 : 0.5 * (1 + Math.sqrt(1 + 4 * theta * theta));
    const beta = uphill > 0 ? 0 : (theta - 1) / thetaNext;
    for (let j = 0; j <= d; j++) yk[j] = next[j] + beta * (next[j] - x[j]);
    theta = thetaNext;
    const t = x; x = next; next = t;
  }
  const w = Float64Array.from(x.subarray(0, d));
  const converged = stop === 'converged';
  return {
    w, iterations, status: stop, certificate, certificateKind: 'gradient-norm', tolerance: tol,
    ...(converged ? {} : { message: message ?? 'not converged' }),
  };
}
