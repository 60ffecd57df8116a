import { describe, expect, it } from 'vitest';
import { makeInstance, type Instance, priorOf, channelOf } from '../../src/simulate/data.ts';
import { hinge, hingeObjective } from '../../src/simulate/estimators/hinge.ts';
import { newtonCG, type SmoothLoss } from '../../src/simulate/estimators/newton.ts';

const instance = (d: number, alpha: number, flip = 0, trial = 0): Instance =>
  makeInstance({ d, alpha, prior: priorOf('gaussian'), channel: channelOf('sign', flip), seed: { master: 99, trial } });

/** Margins y_mu w.x_mu/sqrt(d) by naive loops. */
function margins(inst: Instance, w: ArrayLike<number>): number[] {
  const { X, y, n, d } = inst;
  return Array.from({ length: n }, (_, i) => {
    let z = 0;
    for (let j = 0; j < d; j++) z += X[i * d + j] * w[j];
    return (y[i] * z) / Math.sqrt(d);
  });
}

/**
 * Subgradient optimality, checked from scratch: 0 = lambda w - sum beta_mu y_mu x_mu/sqrt(d) with beta = 1 where
 * the margin is below 1, 0 above, in [0, 1] on it. Returns the largest violation.
 */
function subgradientViolation(inst: Instance, lambda: number, w: Float64Array, beta: Float64Array): number {
  const { X, y, n, d } = inst;
  const m = margins(inst, w);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    worst = Math.max(worst, -beta[i], beta[i] - 1);
    if (m[i] < 1 - 1e-9) worst = Math.max(worst, 1 - beta[i]);
    if (m[i] > 1 + 1e-9) worst = Math.max(worst, beta[i]);
  }
  for (let j = 0; j < d; j++) {
    let g = lambda * w[j];
    for (let i = 0; i < n; i++) g -= (beta[i] * y[i] * X[i * d + j]) / Math.sqrt(d);
    worst = Math.max(worst, Math.abs(g));
  }
  return worst;
}

/** The hinge smoothed over a width delta (its Moreau envelope): an independent, primal route to the optimum. */
function smoothedHinge(delta: number): SmoothLoss {
  return {
    name: 'smoothed hinge',
    value: (y, z) => { const t = 1 - y * z; return t <= 0 ? 0 : t < delta ? (t * t) / (2 * delta) : t - delta / 2; },
    slope: (y, z) => { const t = 1 - y * z; return t <= 0 ? 0 : t < delta ? (-y * t) / delta : -y; },
    curvature: (y, z) => { const t = 1 - y * z; return t > 0 && t < delta ? 1 / delta : 0; },
  };
}

describe('hinge (soft-margin SVM): exact optimum', () => {
  it.each([
    ['alpha = 3, lambda = 0.1', 60, 3, 0.1, 0],
    ['alpha = 0.7 (separable), lambda = 0.01', 80, 0.7, 0.01, 0],
    ['noisy labels, alpha = 2, lambda = 1', 50, 2, 1, 0.1],
  ] as const)('%s: duality gap <= 1e-8, subgradient conditions, P - D by hand', (_, d, alpha, lambda, flip) => {
    const inst = instance(d, alpha, flip);
    const fit = hinge(inst, lambda);
    expect(fit.status).toBe('converged');
    expect(fit.certificateKind).toBe('duality-gap');
    expect(fit.certificate).toBeLessThanOrEqual(1e-8);
    expect(subgradientViolation(inst, lambda, fit.w, fit.beta)).toBeLessThan(1e-9);
    // the gap as P(w) - D(beta), by definition (loses digits to rounding, so only to 1e-9 relative)
    let wsq = 0;
    for (const v of fit.w) wsq += v * v;
    const P = hingeObjective(inst, lambda, fit.w);
    const D = fit.beta.reduce((a, b) => a + b, 0) - 0.5 * lambda * wsq;
    expect(Math.abs(P - D)).toBeLessThan(1e-9 * Math.abs(P) + 1e-8);
  });

  it('agrees with a primal Newton solve of the smoothed hinge as the smoothing vanishes', () => {
    const inst = instance(60, 2.5);
    const lambda = 0.2;
    const fit = hinge(inst, lambda);
    const P = hingeObjective(inst, lambda, fit.w);
    let prev = Infinity;
    for (const delta of [1e-2, 1e-4, 1e-6]) {
      const smooth = newtonCG(inst, smoothedHinge(delta), lambda, { maxIterations: 500 });
      expect(smooth.status).toBe('converged');
      // 0 <= hinge - smoothed <= delta/2 per sample, so P(w_delta) - min P <= n delta/2 ...
      const Ps = hingeObjective(inst, lambda, smooth.w);
      expect(Ps).toBeGreaterThanOrEqual(P - 1e-9);
      expect(Ps - P).toBeLessThanOrEqual((inst.n * delta) / 2 + 1e-9);
      // ... and by strong convexity |w_delta - w|^2 <= 2 (P(w_delta) - P(w))/lambda
      let dist = 0;
      for (let j = 0; j < 60; j++) dist += (smooth.w[j] - fit.w[j]) ** 2;
      expect(dist).toBeLessThanOrEqual((2 * (Ps - P)) / lambda + 1e-12);
      expect(dist).toBeLessThan(prev);
      prev = dist;
    }
    expect(prev).toBeLessThan(1e-8);
  });

  it('max-margin regime: small lambda on separable data, no margin violations, sum beta = lambda |w|^2', () => {
    const inst = instance(60, 1.5);
    const lambda = 1e-4;
    const fit = hinge(inst, lambda);
    expect(fit.status).toBe('converged');
    expect(Math.min(...margins(inst, fit.w))).toBeGreaterThan(1 - 1e-9);
    expect(Math.max(...fit.beta)).toBeLessThan(1);
    let wsq = 0;
    for (const v of fit.w) wsq += v * v;
    expect(fit.beta.reduce((a, b) => a + b, 0)).toBeCloseTo(lambda * wsq, 12);
  });

  it('the same command gives the same bits', () => {
    const inst = instance(40, 2);
    const a = hinge(inst, 0.1);
    const b = hinge(inst, 0.1);
    expect(Buffer.from(a.w.buffer).equals(Buffer.from(b.w.buffer))).toBe(true);
  });

  it('an epoch cap is reported as not converged', () => {
    const fit = hinge(instance(100, 3), 0.01, { maxIterations: 1, maxNewton: 0 });
    expect(fit.status).not.toBe('converged');
    expect(fit.certificate).toBeGreaterThan(1e-8);
    expect(fit.message).toMatch(/stopped/);
  });

  it('at scale: d = 300, alpha = 3 within a few seconds', () => {
    const inst = instance(300, 3);
    const fit = hinge(inst, 0.05);
    expect(fit.status).toBe('converged');
    expect(subgradientViolation(inst, 0.05, fit.w, fit.beta)).toBeLessThan(1e-9);
  });
});
