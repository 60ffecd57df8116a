/**
 * Tukey's biweight regression with an ell-2 penalty, F(w) = sum_mu tukey_tau(y_mu - w.x_mu/sqrt d) + (lambda/2)|w|^2
 * (robust-tukey.yaml): tukey_tau(r) = (tau^2/6)(1 - (1 - r^2/tau^2)^3) for |r| <= tau, tau^2/6 beyond. The loss is
 * not convex, so this finds a local minimiser: from the Huber fit with threshold tau/2 (a convex problem with one
 * minimum, close to the robust fit), steps of
 * 1. Newton: conjugate gradients on H p = -g, H = X~^T diag(loss''(r)) X~ + lambda I, taken when CG meets no
 *    direction of non-positive curvature and the step lowers the gradient norm without raising F;
 * 2. otherwise iteratively reweighted least squares (a majorisation-minimisation step, which never raises F:
 *    tukey_tau(r) is a concave function of r^2, so its tangent in r^2, the weighted square loss with weights
 *    loss'(r)/r = (1 - r^2/tau^2)^2_+, lies above it): (X~^T W X~ + lambda I) w = X~^T W y by CG.
 * Certificate: the gradient norm (a stationary point; the replica theory describes the global minimiser, which
 * this is where replica symmetry is stable and the landscape has one minimum near the robust start).
 */
import { dot, matTVec, matVec } from '../linalg.ts';
import { huber } from './huber.ts';
import { checkDesign, checkPenalty, DEFAULT_TOL, type Design, type Fit, type FitStatus, type SolverOptions } from './types.ts';

export function tukeyLoss(tau: number): (y: number, z: number) => number {
  return (y, z) => {
    const u = ((y - z) / tau) ** 2;
    return u < 1 ? (tau * tau / 6) * (1 - (1 - u) ** 3) : tau * tau / 6;
  };
}

/** Conjugate gradients on A x = b from x (in place), A given by its product; false on non-positive curvature. */
function cg(apply: (v: Float64Array, out: Float64Array) => void, b: Float64Array, x: Float64Array, tol: number, maxIt: number): boolean {
  const d = b.length;
  const Ax = new Float64Array(d);
  apply(x, Ax);
  const r = Float64Array.from(b, (v, i) => v - Ax[i]);
  const p = Float64Array.from(r);
  const Ap = new Float64Array(d);
  let rr = dot(r, r, d);
  const stop = tol * tol * Math.max(dot(b, b, d), 1e-300);
  for (let k = 0; k < maxIt && rr > stop; k++) {
    apply(p, Ap);
    const pAp = dot(p, Ap, d);
    if (!(pAp > 0)) return false;
    const a = rr / pAp;
    for (let i = 0; i < d; i++) { x[i] += a * p[i]; r[i] -= a * Ap[i]; }
    const next = dot(r, r, d);
    const beta = next / rr;
    rr = next;
    for (let i = 0; i < d; i++) p[i] = r[i] + beta * p[i];
  }
  return true;
}

export function tukey(data: Design, lambda: number, tau: number, options: SolverOptions = {}): Fit {
  checkDesign(data);
  checkPenalty('tukey', lambda, true);
  if (!(tau > 0 && Number.isFinite(tau))) throw new RangeError(`tukey: the threshold tau must be finite and > 0, got ${tau}`);
  const { X, y, n, d } = data;
  const tol = options.tol ?? DEFAULT_TOL;
  const maxSteps = options.maxIterations ?? 500;
  const s = 1 / Math.sqrt(d);
  const start = huber(data, lambda, tau / 2);
  const w = Float64Array.from(start.w);
  const z = new Float64Array(n);
  const l1 = new Float64Array(n);
  const l2 = new Float64Array(n);
  const g = new Float64Array(d);
  const tmpN = new Float64Array(n);
  /** Residual slopes and curvatures at w, the gradient into g; returns F(w) and |g|. */
  const evaluate = (v: Float64Array, grad: Float64Array): [number, number] => {
    matVec(X, n, d, v, z, s);
    let F = 0.5 * lambda * dot(v, v, d);
    for (let i = 0; i < n; i++) {
      const r = y[i] - z[i];
      const u = (r / tau) ** 2;
      F += u < 1 ? (tau * tau / 6) * (1 - (1 - u) ** 3) : tau * tau / 6;
      l1[i] = u < 1 ? r * (1 - u) ** 2 : 0;
      l2[i] = u < 1 ? (1 - u) * (1 - 5 * u) : 0;
      tmpN[i] = -l1[i];
    }
    matTVec(X, n, d, tmpN, grad, s);
    for (let j = 0; j < d; j++) grad[j] += lambda * v[j];
    return [F, Math.sqrt(dot(grad, grad, d))];
  };
  const weighted = (weights: Float64Array) => (v: Float64Array, out: Float64Array): void => {
    matVec(X, n, d, v, tmpN, s);
    for (let i = 0; i < n; i++) tmpN[i] *= weights[i];
    matTVec(X, n, d, tmpN, out, s);
    for (let j = 0; j < d; j++) out[j] += lambda * v[j];
  };
  let [F, gn] = evaluate(w, g);
  let steps = 0;
  let stop: FitStatus = 'failed';
  let message: string | undefined;
  const trial = new Float64Array(d);
  const gTrial = new Float64Array(d);
  while (gn > tol) {
    if (!Number.isFinite(gn)) { stop = 'non-finite'; message = 'non-finite gradient'; break; }
    if (steps >= maxSteps) { stop = 'max-iterations'; message = `stopped after ${steps} steps with gradient norm ${gn.toExponential(2)}`; break; }
    steps++;
    // Newton
    const curv = Float64Array.from(l2);
    const p = new Float64Array(d);
    const negG = Float64Array.from(g, (v) => -v);
    if (cg(weighted(curv), negG, p, 1e-10, 4 * d)) {
      for (let j = 0; j < d; j++) trial[j] = w[j] + p[j];
      const [Ft, gt] = evaluate(trial, gTrial);
      if (gt < gn && Ft <= F + 1e-12 * Math.abs(F)) {
        w.set(trial); F = Ft; gn = gt; g.set(gTrial);
        continue;
      }
      [F, gn] = evaluate(w, g); // restore l1, l2 at w
    }
    // IRLS: weights loss'(r)/r = (1 - r^2/tau^2)^2 inside, 0 beyond
    const weights = new Float64Array(n);
    matVec(X, n, d, w, z, s);
    const rhsN = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const u = ((y[i] - z[i]) / tau) ** 2;
      weights[i] = u < 1 ? (1 - u) ** 2 : 0;
      rhsN[i] = weights[i] * y[i];
    }
    const rhs = new Float64Array(d);
    matTVec(X, n, d, rhsN, rhs, s);
    trial.set(w);
    cg(weighted(weights), rhs, trial, 1e-12, 4 * d);
    w.set(trial);
    [F, gn] = evaluate(w, g);
  }
  const converged = gn <= tol;
  return {
    w, iterations: steps + start.iterations, status: converged ? 'converged' : stop, certificate: gn, certificateKind: 'gradient-norm', tolerance: tol,
    ...(converged ? {} : { message: message ?? 'not converged' }),
  };
}
