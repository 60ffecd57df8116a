import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { makeInstance, type Instance, priorOf, channelOf } from '../../src/simulate/data.ts';
import { lasso, lassoObjective } from '../../src/simulate/estimators/lasso.ts';

const instance = (d: number, alpha: number, trial = 0, Delta = 0.01): Instance =>
  makeInstance({ d, alpha, prior: priorOf('gauss-bernoulli', 0.3, 0.3), channel: channelOf('linear', Delta), seed: { master: 5150, trial } });

/** Correlations c = X^T (y - X w/sqrt d)/sqrt(d) by naive loops. */
function correlations(inst: Instance, w: ArrayLike<number>): number[] {
  const { X, y, n, d } = inst;
  const r = Array.from({ length: n }, (_, i) => {
    let z = 0;
    for (let j = 0; j < d; j++) z += X[i * d + j] * w[j];
    return y[i] - z / Math.sqrt(d);
  });
  return Array.from({ length: d }, (_, j) => {
    let c = 0;
    for (let i = 0; i < n; i++) c += X[i * d + j] * r[i];
    return c / Math.sqrt(d);
  });
}

/** Subgradient conditions: c_j = lambda sign(w_j) on the support, |c_j| <= lambda off it. Largest violation. */
function kktViolation(inst: Instance, lambda: number, w: ArrayLike<number>): number {
  const c = correlations(inst, w);
  let worst = 0;
  for (let j = 0; j < inst.d; j++) {
    worst = Math.max(worst, w[j] !== 0 ? Math.abs(c[j] - lambda * Math.sign(w[j])) : Math.abs(c[j]) - lambda);
  }
  return worst;
}

/**
 * Brute force on a tiny instance: for every sign pattern in {-1, 0, +1}^d solve the reduced normal equations
 * A_S^T A_S w_S = A_S^T y - lambda s_S (ml-matrix), keep the sign-consistent solutions, return the one with the
 * smallest objective. The optimum is one of them.
 */
function bruteForce(inst: Instance, lambda: number): number[] {
  const { X, y, n, d } = inst;
  let best: number[] = new Array(d).fill(0);
  let bestP = lassoObjective(inst, lambda, new Float64Array(d));
  for (let code = 0; code < 3 ** d; code++) {
    const signs: number[] = [];
    for (let j = 0, c = code; j < d; j++, c = Math.floor(c / 3)) signs.push((c % 3) - 1);
    const S = signs.flatMap((s, j) => (s !== 0 ? [j] : []));
    if (S.length === 0 || S.length > n) continue;
    const A = new Matrix(n, S.length);
    for (let i = 0; i < n; i++) S.forEach((j, a) => A.set(i, a, X[i * d + j] / Math.sqrt(d)));
    const rhs = A.transpose().mmul(Matrix.columnVector(Array.from(y))).sub(Matrix.columnVector(S.map((j) => lambda * signs[j])));
    const G = A.transpose().mmul(A);
    const wS = new CholeskyDecomposition(G.add(G.transpose()).mul(0.5)).solve(rhs).getColumn(0);
    if (wS.some((v, a) => Math.sign(v) !== signs[S[a]])) continue;
    const w = new Array(d).fill(0);
    S.forEach((j, a) => (w[j] = wS[a]));
    const P = lassoObjective(inst, lambda, Float64Array.from(w));
    if (P < bestP) { bestP = P; best = w; }
  }
  return best;
}

describe('lasso', () => {
  it.each([
    ['n > d', 7, 2, 0.3],
    ['n < d', 8, 0.75, 0.1],
    ['large lambda: w = 0', 6, 2, 50],
  ] as const)('brute force on a tiny instance (%s)', (_, d, alpha, lambda) => {
    const inst = instance(d, alpha);
    const fit = lasso(inst, lambda, { tol: 1e-13 }); // tight, to compare w to 10 digits
    expect(fit.status).toBe('converged');
    const ref = bruteForce(inst, lambda);
    for (let j = 0; j < d; j++) expect(fit.w[j]).toBeCloseTo(ref[j], 10);
    for (let j = 0; j < d; j++) expect(fit.w[j] === 0).toBe(ref[j] === 0);
  });

  it.each([
    ['alpha = 0.5, lambda = 0.1', 200, 0.5, 0.1],
    ['alpha = 2, lambda = 0.05', 150, 2, 0.05],
    ['alpha = 0.5, small lambda 0.005', 200, 0.5, 0.005],
  ] as const)('%s: duality gap <= 1e-8 and the subgradient conditions', (_, d, alpha, lambda) => {
    const inst = instance(d, alpha);
    const fit = lasso(inst, lambda);
    expect(fit.status).toBe('converged');
    expect(fit.certificateKind).toBe('duality-gap');
    expect(fit.certificate).toBeLessThanOrEqual(1e-8);
    expect(kktViolation(inst, lambda, fit.w)).toBeLessThan(1e-9);
    const support = fit.w.reduce((k, v) => k + (v !== 0 ? 1 : 0), 0);
    expect(support).toBeGreaterThan(0);
    expect(support).toBeLessThanOrEqual(inst.n);
  });

  it('a warm start reaches the same optimum, bit-reproducibly', () => {
    const inst = instance(100, 0.6);
    const a = lasso(inst, 0.05);
    const b = lasso(inst, 0.05);
    expect(Buffer.from(a.w.buffer).equals(Buffer.from(b.w.buffer))).toBe(true);
    const warm = lasso(inst, 0.05, { w0: a.w.map((v) => 1.1 * v) });
    for (let j = 0; j < 100; j++) expect(warm.w[j]).toBeCloseTo(a.w[j], 9);
  });

  it('a sweep cap is reported as not converged', () => {
    const fit = lasso(instance(200, 0.5), 0.001, { maxIterations: 1 });
    expect(fit.status).not.toBe('converged');
    expect(fit.message).toMatch(/sweep cap/);
  });

  it('misuse: lambda must be positive', () => {
    expect(() => lasso(instance(10, 1), 0)).toThrow(/lambda must be > 0/);
  });
});
