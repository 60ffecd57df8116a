/**
 * Truncated (inexact) Newton for F(w) = sum_mu loss(y_mu, z_mu) + (lambda/2)|w|^2, z = X w/sqrt(d), with a
 * convex loss that is C^1 with a (generalised) second derivative: logistic, Huber (semismooth Newton: the
 * curvature jumps at the kinks of loss', and the iteration still converges superlinearly, finitely once the
 * quadratic/linear pieces are identified).
 *
 * Each step: conjugate gradients on (s^2 X^T diag(loss'') X + lambda) p = -g, stopped at a relative residual
 * eta = min(0.5, sqrt(|g|/|g_0|)) (a forcing sequence that makes the outer iteration superlinear; Eisenstat and
 * Walker 1996), then a line search along p. The line search works on phi(t) = F(w + t p) in sample space: with
 * Xp = X p/sqrt(d) computed once, phi'(t) = sum loss'(y, z + t Xp) Xp + lambda (w.p + t |p|^2) and phi''(t)
 * cost O(n + d), so it minimises the convex phi almost exactly (safeguarded Newton on phi', to
 * |phi'(t)| <= 1e-3 |phi'(0)|), and it uses derivatives only: near the optimum a decrease of F is below the
 * rounding of F itself (F is a sum of n terms), where a test on values would stall.
 *
 * Convergence is judged on the gradient recomputed from X at the current w (never on an updated one).
 */
import { dot, matTVec, matVec, norm2, weightedGramVec } from '../linalg.ts';
import { checkDesign, DEFAULT_TOL, type Design, type Fit, type FitStatus, type SolverOptions } from './types.ts';

/** A convex loss of the student field z given the label y. */
export interface SmoothLoss {
  readonly name: string;
  value(y: number, z: number): number;
  /** d loss / dz. */
  slope(y: number, z: number): number;
  /** d^2 loss / dz^2; at a kink of the slope, either one-sided value (an element of the generalised Hessian). */
  curvature(y: number, z: number): number;
}

export interface NewtonOptions extends SolverOptions {
  /** Start (default 0); not modified. */
  readonly w0?: Float64Array;
  /** Cap on conjugate-gradient iterations per Newton step (default max(100, 2 min(n, d))). */
  readonly maxCG?: number;
}

/** Slopes and curvatures of every sample's loss at fields z. */
function derivatives(loss: SmoothLoss, y: Float64Array, z: Float64Array, n: number, l1: Float64Array, l2: Float64Array): void {
  for (let i = 0; i < n; i++) {
    l1[i] = loss.slope(y[i], z[i]);
    l2[i] = loss.curvature(y[i], z[i]);
  }
}

/** Objective F(w) = sum loss + (lambda/2)|w|^2 at w (fields recomputed from X). */
export function smoothObjective(data: Design, loss: SmoothLoss, lambda: number, w: Float64Array): number {
  const { X, y, n, d } = data;
  const z = new Float64Array(n);
  matVec(X, n, d, w, z, 1 / Math.sqrt(d));
  let sum = 0;
  for (let i = 0; i < n; i++) sum += loss.value(y[i], z[i]);
  return sum + 0.5 * lambda * dot(w, w, d);
}

/** Gradient s X^T loss'(y, z) + lambda w at w, from fields recomputed from X. */
export function smoothGradient(data: Design, loss: SmoothLoss, lambda: number, w: Float64Array, g = new Float64Array(data.d)): Float64Array {
  const { X, y, n, d } = data;
  const s = 1 / Math.sqrt(d);
  const z = new Float64Array(n);
  matVec(X, n, d, w, z, s);
  for (let i = 0; i < n; i++) z[i] = loss.slope(y[i], z[i]);
  matTVec(X, n, d, z, g, s);
  for (let j = 0; j < d; j++) g[j] += lambda * w[j];
  return g;
}

/**
 * argmin_t phi(t) = F(w + t p) for a descent direction p, by safeguarded Newton on phi' (phi is convex).
 * `zt` is scratch of length n.
 */
function lineSearch(
  loss: SmoothLoss, y: Float64Array, z: Float64Array, Xp: Float64Array, n: number,
  lambda: number, wp: number, pp: number, zt: Float64Array,
): number {
  const dphi = (t: number): [number, number] => {
    let g = lambda * (wp + t * pp);
    let h = lambda * pp;
    for (let i = 0; i < n; i++) {
      const zi = z[i] + t * Xp[i];
      zt[i] = zi;
      g += loss.slope(y[i], zi) * Xp[i];
      h += loss.curvature(y[i], zi) * Xp[i] * Xp[i];
    }
    return [g, h];
  };
  const g0 = dphi(0)[0];
  if (!(g0 < 0)) return 0;
  const target = 1e-3 * -g0;
  let lo = 0;
  let hi = Infinity;
  let t = 1;
  for (let it = 0; it < 60; it++) {
    const [g, h] = dphi(t);
    if (Math.abs(g) <= target) return t;
    if (g < 0) lo = t;
    else hi = t;
    let next = h > 0 ? t - g / h : NaN;
    if (!(next > lo && next < hi)) next = Number.isFinite(hi) ? 0.5 * (lo + hi) : 2 * t;
    if (hi - lo <= 1e-15 * hi) return lo > 0 ? lo : t;
    t = next;
  }
  return lo > 0 ? lo : t;
}

export function newtonCG(data: Design, loss: SmoothLoss, lambda: number, options: NewtonOptions = {}): Fit {
  checkDesign(data);
  const { X, y, n, d } = data;
  const tol = options.tol ?? DEFAULT_TOL;
  const maxIterations = options.maxIterations ?? 200;
  const maxCG = options.maxCG ?? Math.max(100, 2 * Math.min(n, d));
  const s = 1 / Math.sqrt(d);

  const w = options.w0 ? Float64Array.from(options.w0) : new Float64Array(d);
  const z = new Float64Array(n);
  const l1 = new Float64Array(n);
  const l2 = new Float64Array(n);
  const zt = new Float64Array(n);
  const Xp = new Float64Array(n);
  const g = new Float64Array(d);
  const p = new Float64Array(d);
  const r = new Float64Array(d);
  const dir = new Float64Array(d);
  const Hd = new Float64Array(d);

  let gn0 = NaN;
  let gn = NaN;
  let best = Infinity;
  let stalled = 0;
  let iterations = 0;
  let message: string | undefined;
  let stop: FitStatus = 'failed';
  for (;;) {
    // fresh fields and gradient at w
    matVec(X, n, d, w, z, s);
    derivatives(loss, y, z, n, l1, l2);
    matTVec(X, n, d, l1, g, s);
    for (let j = 0; j < d; j++) g[j] += lambda * w[j];
    gn = norm2(g);
    if (iterations === 0) gn0 = gn;
    if (gn <= tol) break;
    if (!Number.isFinite(gn)) { message = 'non-finite gradient'; stop = 'non-finite'; break; }
    if (iterations >= maxIterations) { message = `iteration cap ${maxIterations} reached`; stop = 'max-iterations'; break; }
    // Rounding floor above tol: near the optimum (where Newton halves the gradient at every step) it stopped
    // decreasing for 8 steps. Far from it, the damped phase may take many steps that do not.
    if (gn < 0.5 * best) { best = gn; stalled = 0; } else if (gn < 1e-6 * gn0 && ++stalled >= 8) {
      message = `stalled at gradient norm ${gn.toExponential(2)} (rounding floor above the tolerance)`;
      break;
    }

    // CG on H p = -g
    const eta = Math.min(0.5, Math.sqrt(gn / gn0));
    p.fill(0);
    for (let j = 0; j < d; j++) { r[j] = -g[j]; dir[j] = r[j]; }
    let rr = dot(r, r, d);
    for (let k = 0; k < maxCG; k++) {
      weightedGramVec(X, n, d, l2, dir, Hd, s);
      for (let j = 0; j < d; j++) Hd[j] += lambda * dir[j];
      const dHd = dot(dir, Hd, d);
      if (!(dHd > 0)) {
        if (k === 0) for (let j = 0; j < d; j++) p[j] = -g[j]; // no curvature along -g (lambda = 0): gradient step
        break;
      }
      const a = rr / dHd;
      for (let j = 0; j < d; j++) { p[j] += a * dir[j]; r[j] -= a * Hd[j]; }
      const rrNew = dot(r, r, d);
      if (Math.sqrt(rrNew) <= eta * gn) break;
      const b = rrNew / rr;
      for (let j = 0; j < d; j++) dir[j] = r[j] + b * dir[j];
      rr = rrNew;
    }

    matVec(X, n, d, p, Xp, s);
    const t = lineSearch(loss, y, z, Xp, n, lambda, dot(w, p, d), dot(p, p, d), zt);
    iterations++;
    if (t === 0) { message = 'no descent along the Newton direction (rounding floor)'; break; }
    for (let j = 0; j < d; j++) w[j] += t * p[j];
  }
  const converged = gn <= tol;
  return {
    w, iterations, status: converged ? 'converged' : stop, certificate: gn, certificateKind: 'gradient-norm', tolerance: tol,
    ...(converged ? {} : { message: message ?? 'not converged' }),
  };
}
