import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { makeInstance, type Instance, priorOf, channelOf } from '../../src/simulate/data.ts';
import { ridge } from '../../src/simulate/estimators/ridge.ts';
import { measure } from '../../src/simulate/measure.ts';
import { solve } from '../../src/solve/iterate.ts';

const instance = (d: number, alpha: number, trial = 0, Delta = 0.5): Instance =>
  makeInstance({ d, alpha, prior: priorOf('gaussian'), channel: channelOf('linear', Delta), seed: { master: 77, trial } });

/** Direct solve of the normal equations (X^T X/d + lambda) w = X^T y/sqrt(d) with ml-matrix (always d x d). */
function normalEquations(inst: Instance, lambda: number): number[] {
  const { X, y, n, d } = inst;
  const A = new Matrix(n, d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) A.set(i, j, X[i * d + j] / Math.sqrt(d));
  const G = A.transpose().mmul(A).add(Matrix.eye(d, d).mul(lambda));
  const b = A.transpose().mmul(Matrix.columnVector(Array.from(y)));
  return new CholeskyDecomposition(G).solve(b).getColumn(0);
}

describe('ridge: exact solve', () => {
  it.each([
    ['n > d (d x d Gram)', 30, 2.5, 0.3],
    ['n < d (n x n Gram, push-through)', 40, 0.6, 0.3],
    ['n = d', 25, 1, 0.05],
    ['n < d, lambda = 0: minimum-norm interpolator', 40, 0.5, 0],
  ] as const)('%s', (_, d, alpha, lambda) => {
    const inst = instance(d, alpha);
    const fit = ridge(inst, lambda);
    expect(fit.status).toBe('converged');
    expect(fit.certificateKind).toBe('gradient-norm');
    expect(fit.certificate).toBeLessThanOrEqual(1e-8);
    if (lambda > 0 || inst.n >= d) {
      const ref = normalEquations(inst, lambda);
      for (let j = 0; j < d; j++) expect(fit.w[j]).toBeCloseTo(ref[j], 9);
    } else {
      // the minimum-norm interpolator A^T (A A^T)^-1 y, A = X/sqrt(d), and zero training residual
      const { X, y, n } = inst;
      const A = new Matrix(n, d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) A.set(i, j, X[i * d + j] / Math.sqrt(d));
      const c = new CholeskyDecomposition(A.mmul(A.transpose())).solve(Matrix.columnVector(Array.from(y)));
      const ref = A.transpose().mmul(c).getColumn(0);
      for (let j = 0; j < d; j++) expect(fit.w[j]).toBeCloseTo(ref[j], 9);
      expect(measure(inst, fit.w, { task: 'regression' }).trainError).toBeLessThan(1e-20);
    }
  });

  it('misuse: a negative penalty', () => {
    expect(() => ridge(instance(10, 2), -1)).toThrow(/lambda must be >= 0/);
  });
});

describe('ridge simulation against equations/ridge.yaml (independent: no shared code with the replica solver)', () => {
  const compiled = loadModel('equations/ridge.yaml');
  // d = 400, 8 trials per point; a point on each side of the interpolation peak
  it.each([
    [2, 0.1, 0.5],
    [0.5, 0.05, 0.25],
  ])('alpha = %f, lambda = %f, Delta = %f: m, q, gen_error, train_error within 4 standard errors', (alpha, lambda, Delta) => {
    const theory = solve(compiled.problem({ alpha, lambda, Delta }));
    expect(theory.status).toBe('converged');
    const t = { ...theory.state, ...theory.observables };
    const trials = 8;
    const rows = Array.from({ length: trials }, (_, trial) => {
      const inst = instance(400, alpha, trial, Delta);
      const fit = ridge(inst, lambda);
      expect(fit.status).toBe('converged');
      const m = measure(inst, fit.w, { task: 'regression', loss: (y, z) => 0.5 * (y - z) ** 2 });
      return { m: m.m, q: m.q, gen_error: m.testErrorExact, train_error: m.trainError, estimation_error: m.estimationError };
    });
    for (const key of ['m', 'q', 'gen_error', 'train_error', 'estimation_error'] as const) {
      const xs = rows.map((r) => r[key]);
      const mean = xs.reduce((a, b) => a + b, 0) / trials;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (trials - 1));
      const z = (mean - t[key]) / (sd / Math.sqrt(trials));
      expect(Math.abs(z), `${key}: simulation ${mean} +- ${sd / Math.sqrt(trials)}, theory ${t[key]}`).toBeLessThan(4);
      // and close in absolute terms: fluctuations are O(1/sqrt(d))
      expect(Math.abs(mean - t[key])).toBeLessThan(0.05 * Math.max(1, Math.abs(t[key])));
    }
  });
});
