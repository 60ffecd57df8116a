import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { makeInstance, type LabelLaw, type Instance, priorOf, channelOf } from '../../src/simulate/data.ts';
import { huber, huberLoss } from '../../src/simulate/estimators/huber.ts';
import { logistic, logisticLoss } from '../../src/simulate/estimators/logistic.ts';
import { smoothGradient } from '../../src/simulate/estimators/newton.ts';
import { ridge } from '../../src/simulate/estimators/ridge.ts';

const instance = (d: number, alpha: number, channel: LabelLaw, trial = 0): Instance =>
  makeInstance({ d, alpha, prior: priorOf('gaussian'), channel, seed: { master: 4242, trial } });

/** A = X/sqrt(d) as an ml-matrix. */
function scaled(inst: Instance): Matrix {
  const { X, n, d } = inst;
  const A = new Matrix(n, d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) A.set(i, j, X[i * d + j] / Math.sqrt(d));
  return A;
}

/**
 * Reference: plain dense Newton with a full Hessian factorised by ml-matrix and backtracking on F, written
 * from the textbook (Boyd and Vandenberghe, 9.5), to a Newton decrement of 1e-24.
 */
function denseNewton(inst: Instance, lambda: number, l: (y: number, z: number) => number, dl: typeof l, d2l: typeof l): number[] {
  const A = scaled(inst);
  const { y, n, d } = inst;
  let w = new Matrix(d, 1);
  const F = (v: Matrix) => {
    const z = A.mmul(v);
    let s = 0;
    for (let i = 0; i < n; i++) s += l(y[i], z.get(i, 0));
    return s + 0.5 * lambda * v.norm() ** 2;
  };
  for (let it = 0; it < 100; it++) {
    const z = A.mmul(w);
    const g1 = Matrix.columnVector(Array.from({ length: n }, (_, i) => dl(y[i], z.get(i, 0))));
    const D = Array.from({ length: n }, (_, i) => d2l(y[i], z.get(i, 0)));
    const g = A.transpose().mmul(g1).add(w.clone().mul(lambda));
    const AD = A.clone();
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) AD.set(i, j, A.get(i, j) * D[i]);
    const Hraw = A.transpose().mmul(AD).add(Matrix.eye(d, d).mul(lambda));
    const H = Hraw.add(Hraw.transpose()).mul(0.5); // exactly symmetric, as ml-matrix's Cholesky requires
    const step = new CholeskyDecomposition(H).solve(g).mul(-1);
    const decrement = -g.transpose().mmul(step).get(0, 0);
    if (decrement < 1e-24) break;
    let t = 1;
    const f0 = F(w);
    while (F(w.clone().add(step.clone().mul(t))) > f0 - 0.25 * t * decrement && t > 1e-10) t /= 2;
    w = w.add(step.mul(t));
  }
  return w.getColumn(0);
}

describe('logistic regression', () => {
  it('gradient norm <= 1e-8, recomputed independently, and the dense Newton optimum', () => {
    const inst = instance(30, 3, channelOf('sign', 0.05));
    const lambda = 0.2;
    const fit = logistic(inst, lambda);
    expect(fit.status).toBe('converged');
    expect(fit.certificate).toBeLessThanOrEqual(1e-8);
    // gradient by naive loops
    const { X, y, n, d } = inst;
    const g = Array.from({ length: d }, (_, j) => lambda * fit.w[j]);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += X[i * d + j] * fit.w[j];
      z /= Math.sqrt(d);
      const slope = -y[i] / (1 + Math.exp(y[i] * z));
      for (let j = 0; j < d; j++) g[j] += (slope * X[i * d + j]) / Math.sqrt(d);
    }
    expect(Math.hypot(...g)).toBeLessThan(1e-8);
    expect(Math.abs(Math.hypot(...g) - fit.certificate)).toBeLessThan(1e-12);
    const ref = denseNewton(inst, lambda, logisticLoss.value, logisticLoss.slope, logisticLoss.curvature);
    for (let j = 0; j < d; j++) expect(fit.w[j]).toBeCloseTo(ref[j], 9);
  });

  it('separable data and a small penalty (large norm): converges, and from a warm start to the same point', () => {
    const inst = instance(100, 1, channelOf('sign'));
    const fit = logistic(inst, 1e-4);
    expect(fit.status).toBe('converged');
    let norm = 0;
    for (const v of fit.w) norm += v * v;
    expect(norm / 100).toBeGreaterThan(10); // q large: near the max-margin direction
    const warm = logistic(inst, 1e-4, { w0: fit.w.map((v) => 0.9 * v) });
    expect(warm.status).toBe('converged');
    for (let j = 0; j < 100; j++) expect(warm.w[j]).toBeCloseTo(fit.w[j], 7);
  });

  it('an iteration cap is reported as not converged, with the measured certificate', () => {
    const fit = logistic(instance(60, 2, channelOf('sign')), 0.01, { maxIterations: 1 });
    expect(fit.status).not.toBe('converged');
    expect(fit.certificate).toBeGreaterThan(1e-8);
    expect(fit.message).toMatch(/iteration cap/);
  });

  it('misuse: lambda = 0 has no minimiser on separable data', () => {
    expect(() => logistic(instance(10, 2, channelOf('sign')), 0)).toThrow(/lambda must be > 0/);
  });
});

describe('Huber regression', () => {
  const outliers: LabelLaw = channelOf('outliers', 0.2, 0.1, 25);

  it('stationarity: with the sets read off the fit, the reduced normal equations (ml-matrix) give the same w', () => {
    const inst = instance(40, 3, outliers);
    const lambda = 0.3;
    const a = 1;
    const fit = huber(inst, lambda, a);
    expect(fit.status).toBe('converged');
    expect(fit.certificate).toBeLessThanOrEqual(1e-8);
    // (A_I^T A_I + lambda) w = A_I^T y_I + a A_O^T sign(r_O)
    const A = scaled(inst);
    const { y, n, d } = inst;
    const z = A.mmul(Matrix.columnVector(Array.from(fit.w))).getColumn(0);
    const inside = z.map((zi, i) => Math.abs(y[i] - zi) <= a);
    let inCount = 0;
    const AI = new Matrix(n, d);
    const rhsVec = new Matrix(n, 1);
    for (let i = 0; i < n; i++) {
      const r = y[i] - z[i];
      if (inside[i]) { inCount++; for (let j = 0; j < d; j++) AI.set(i, j, A.get(i, j)); rhsVec.set(i, 0, y[i]); } else rhsVec.set(i, 0, a * Math.sign(r));
    }
    expect(inCount).toBeGreaterThan(0);
    expect(inCount).toBeLessThan(n); // both regimes present
    const H = AI.transpose().mmul(AI).add(Matrix.eye(d, d).mul(lambda));
    const ref = new CholeskyDecomposition(H).solve(A.transpose().mmul(rhsVec)).getColumn(0);
    for (let j = 0; j < d; j++) expect(fit.w[j]).toBeCloseTo(ref[j], 9);
    // and the dense semismooth Newton reference
    const loss = huberLoss(a);
    const dense = denseNewton(inst, lambda, loss.value, loss.slope, loss.curvature);
    for (let j = 0; j < d; j++) expect(fit.w[j]).toBeCloseTo(dense[j], 9);
  });

  it('a threshold above every residual is ridge regression', () => {
    const inst = instance(50, 2, channelOf('linear', 0.2));
    const h = huber(inst, 0.5, 1e6);
    const r = ridge(inst, 0.5);
    for (let j = 0; j < 50; j++) expect(h.w[j]).toBeCloseTo(r.w[j], 10);
  });

  it('lambda = 0 with alpha > 1 (unpenalised M-estimator) converges', () => {
    const inst = instance(40, 4, outliers);
    const fit = huber(inst, 0, 0.5);
    expect(fit.status).toBe('converged');
    expect(smoothGradient(inst, huberLoss(0.5), 0, fit.w).every((g) => Math.abs(g) < 1e-8)).toBe(true);
  });

  it('misuse: a nonpositive threshold', () => {
    expect(() => huber(instance(10, 2, outliers), 0.1, 0)).toThrow(/threshold a must be > 0/);
  });
});

describe('reproducibility', () => {
  it('the same command gives the same bits (logistic, Huber, ridge)', () => {
    const inst = instance(80, 2, channelOf('outliers', 0.1, 0.1, 9));
    const cls = instance(80, 2, channelOf('sign'));
    const same = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));
    expect(same(logistic(cls, 0.05).w, logistic(cls, 0.05).w)).toBe(true);
    expect(same(huber(inst, 0.05, 1).w, huber(inst, 0.05, 1).w)).toBe(true);
    expect(same(ridge(inst, 0.05).w, ridge(inst, 0.05).w)).toBe(true);
  });
});

describe('at scale', () => {
  it('logistic d = 300, alpha = 3 and Huber d = 300, alpha = 2 reach 1e-8 in few Newton steps', () => {
    const l = logistic(instance(300, 3, channelOf('sign')), 0.05);
    expect(l.status).toBe('converged');
    expect(l.iterations).toBeLessThan(20);
    const h = huber(instance(300, 2, channelOf('outliers', 0.1, 0.1, 10)), 0.1, 1);
    expect(h.status).toBe('converged');
    expect(h.iterations).toBeLessThan(20);
  });
});
