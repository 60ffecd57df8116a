import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../src/pieces/library.ts';
import { channelOf, makeInstance, priorOf, type Instance } from '../../src/simulate/data.ts';
import { kernelHinge, kernelLogistic, kernelSquare } from '../../src/simulate/estimators/kernel.ts';
import type { GlmEstimator } from '../../src/simulate/estimators/library.ts';
import { measure } from '../../src/simulate/measure.ts';
import { Rng } from '../../src/simulate/rng.ts';

/**
 * The finite-size side of the rules-facts models: the rules-facts(eps) channel and the kernel estimators, each
 * checked against the kernel form of its optimality conditions, f = K a with K = mu1^2 X X^T/d + mu_star^2 I, written
 * here with dense matrices (nothing of the augmented design the estimators use).
 */

const instance = (eps: number, d = 30, alpha = 1.6, trial = 0): Instance =>
  makeInstance({ d, alpha, prior: priorOf('gaussian'), channel: channelOf('rules-facts', eps), seed: { master: 7, trial } });

/** K = mu1^2 X X^T/d + mu_star^2 I, dense n x n. */
function kernel(x: Instance, mu1: number, muStar: number): number[][] {
  const { X, n, d } = x;
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += X[i * d + k] * X[j * d + k];
    return (mu1 * mu1 * s) / d + (i === j ? muStar * muStar : 0);
  }));
}
const times = (K: number[][], a: ArrayLike<number>) => K.map((row) => row.reduce((s, v, j) => s + v * a[j], 0));

/** Gaussian elimination with partial pivoting. */
function solveDense(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

function fit(estimator: GlmEstimator, args: number[], x: Instance) {
  expect(estimator.checkArgs!(args)).toBeUndefined();
  const e = estimator.at(args, undefined as never).fit(x, { master: 1, trial: 0 });
  expect(e.status).toBe('converged');
  return { w: e.w, f: e.trainFields! };
}
/** h = X w/sqrt(d), the field of w on the training samples. */
const fields = (x: Instance, w: Float64Array) => Array.from({ length: x.n }, (_, i) => {
  let s = 0;
  for (let k = 0; k < x.d; k++) s += x.X[i * x.d + k] * w[k];
  return s / Math.sqrt(x.d);
});

describe('rules-facts(eps): a fraction eps of fair coins among sign-teacher labels', () => {
  const piece = CHANNELS.get('rules-facts')!;
  it('facts have probability eps and carry no information on z; rules are sign(z); label and labelWithPart agree', () => {
    const N = 200_000;
    const eps = 0.3;
    const a = new Rng([1, 2, 3, 4]);
    const b = new Rng([1, 2, 3, 4]);
    let facts = 0;
    let factsAgree = 0;
    let wrong = 0;
    for (let i = 0; i < N; i++) {
      const z = a.normal();
      b.normal();
      const [y, fact] = piece.sampler!.labelWithPart!([eps], z, a);
      if (piece.sampler!.label([eps], z, b) !== y) wrong++;
      if (fact) {
        facts++;
        if (y === Math.sign(z)) factsAgree++;
      } else if (y !== (z >= 0 ? 1 : -1)) wrong++;
    }
    expect(wrong).toBe(0);
    expect(Math.abs(facts / N - eps)).toBeLessThan(5 * Math.sqrt((eps * (1 - eps)) / N));
    expect(Math.abs(factsAgree / facts - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / facts));
  });

  it('instances record which samples are facts; the exact test error is against a fresh label of the same law', () => {
    const x = instance(0.4, 50, 4);
    expect(x.exception).toBeDefined();
    for (let i = 0; i < x.n; i++) if (!x.exception![i]) expect(x.y[i]).toBe(x.z[i] >= 0 ? 1 : -1);
    const err = piece.sampler!.testError!.classification!([0.4], { m: 0.5, q: 1, qStar: 1 });
    expect(err).toBeCloseTo(0.2 + (0.6 * Math.acos(0.5)) / Math.PI, 14);
  });
});

describe('the kernel estimators satisfy the optimality conditions of f = argmin sum loss(y f) + (lambda/2) f^T K^-1 f', () => {
  const cases: [number, number, number][] = [[0.3, 1, 0], [0.3, 0.7, 0.6], [0.05, 1.3, 0.2]];

  it.each(cases)('kernel-square, lambda = %f, mu1 = %f, mu_star = %f: f = K (K + lambda)^-1 y', (lambda, mu1, muStar) => {
    const x = instance(0.3);
    const { w, f } = fit(kernelSquare, [lambda, mu1, muStar], x);
    const K = kernel(x, mu1, muStar);
    const a = solveDense(K.map((r, i) => r.map((v, j) => v + (i === j ? lambda : 0))), Array.from(x.y));
    const fRef = times(K, a);
    for (let i = 0; i < x.n; i++) expect(Math.abs(f[i] - fRef[i])).toBeLessThan(1e-9);
    // the w-part of f is mu1 X^T a/sqrt(d) (the representer), and f = mu1 h + mu_star c
    const h = fields(x, w);
    for (let i = 0; i < x.n; i++) expect(Math.abs(f[i] - mu1 * h[i] - muStar * muStar * a[i])).toBeLessThan(1e-9);
  });

  it.each(cases)('kernel-logistic, lambda = %f, mu1 = %f, mu_star = %f: f = K a, a = y sigmoid(-y f)/lambda', (lambda, mu1, muStar) => {
    const x = instance(0.3);
    const { f } = fit(kernelLogistic, [lambda, mu1, muStar], x);
    const a = Array.from(f, (fi, i) => x.y[i] / (1 + Math.exp(x.y[i] * fi)) / lambda);
    const Ka = times(kernel(x, mu1, muStar), a);
    for (let i = 0; i < x.n; i++) expect(Math.abs(f[i] - Ka[i])).toBeLessThan(1e-6);
  });

  it.each(cases.filter((c) => c[2] > 0))('kernel-hinge, lambda = %f, mu1 = %f, mu_star = %f: f = K a, a = y beta/lambda, complementary slackness', (lambda, mu1, muStar) => {
    const x = instance(0.3);
    const { w, f } = fit(kernelHinge, [lambda, mu1, muStar], x);
    // the sample's own offset is mu_star c = mu_star^2 a_i: a from f and the w-part
    const h = fields(x, w);
    const a = Array.from(f, (fi, i) => (fi - mu1 * h[i]) / (muStar * muStar));
    const Ka = times(kernel(x, mu1, muStar), a);
    for (let i = 0; i < x.n; i++) {
      expect(Math.abs(f[i] - Ka[i])).toBeLessThan(1e-6);
      const beta = lambda * x.y[i] * a[i];
      expect(beta).toBeGreaterThan(-1e-6);
      expect(beta).toBeLessThan(1 + 1e-6);
      const margin = x.y[i] * f[i];
      if (margin < 1 - 1e-5) expect(beta).toBeCloseTo(1, 5);
      if (margin > 1 + 1e-5) expect(beta).toBeCloseTo(0, 5);
    }
  });

  it('kernel-hinge with mu_star = 0 is the linear SVM of mu1 x (the margins of w at lambda/mu1^2 scaled by mu1)', () => {
    const x = instance(0.2, 30, 3);
    const { w, f } = fit(kernelHinge, [0.2, 0.5, 0], x);
    const h = fields(x, w);
    for (let i = 0; i < x.n; i++) expect(f[i]).toBeCloseTo(0.5 * h[i], 12);
  });
});

describe('training errors measured on the predictions, by part', () => {
  it('the training error splits into rules and facts; with enough per-sample memory every fact is fitted', () => {
    const x = instance(0.3, 60, 3);
    const { w, f } = fit(kernelSquare, [1e-3, 1, 1], x);
    const m = measure(x, w, { task: 'classification', trainFields: f });
    const facts = x.exception!.reduce((s, v) => s + v, 0);
    expect(m.trainError).toBeCloseTo(((x.n - facts) * m.trainErrorRegular + facts * m.trainErrorExceptions) / x.n, 14);
    expect(m.trainErrorExceptions).toBe(0);
    // measured on w alone (no kernel memory), facts are misfitted about half the time
    const linear = measure(x, w, { task: 'classification' });
    expect(linear.trainErrorExceptions).toBeGreaterThan(0.2);
  });
});
