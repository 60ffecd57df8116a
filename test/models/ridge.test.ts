import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';

/**
 * Independent reference: random-matrix theory. With A = X^T X / d (n = alpha d samples), V = tr (A + lambda)^-1 / d
 * is the Marchenko-Pastur Stieltjes transform at -lambda, the root of lambda V^2 + (lambda + alpha - 1) V = 1
 * (PRIMER), and for w^ = (A + lambda)^-1 X^T y / sqrt(d):
 *   |w^ - w*|^2 / d = rho lambda^2 tr (A + lambda)^-2 / d + Delta tr A (A + lambda)^-2 / d,
 *   m = w^.w* / d = rho (1 - lambda V),
 * and the training error is the generalisation error over (1 + V)^2 (the GCV identity of
 * Hastie, Montanari, Rosset, Tibshirani, Ann. Statist. 2022).
 */
function closedForm(alpha: number, lambda: number, Delta: number) {
  const rho = 1;
  const b = lambda + alpha - 1;
  const V = b > 0 ? 2 / (b + Math.sqrt(b * b + 4 * lambda)) : (-b + Math.sqrt(b * b + 4 * lambda)) / (2 * lambda);
  const T2 = (V * (1 + V)) / (2 * lambda * V + b); // tr (A + lambda)^-2 / d = -dV/dlambda
  const estimation = rho * lambda * lambda * T2 + Delta * (V - lambda * T2);
  const m = rho * (1 - lambda * V);
  const q = estimation - rho + 2 * m;
  const gen = estimation + Delta;
  return { V, m, q, estimation_error: estimation, gen_error: gen, train_error: gen / (1 + V) ** 2 };
}

/** A small deterministic generator, so the 20 points are the same on every run. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('ridge.yaml against the random-matrix closed form', () => {
  const compiled = loadModel('equations/ridge.yaml');
  const rand = lcg(20261202);
  const points: [number, number, number][] = [];
  for (let i = 0; i < 14; i++) points.push([0.1 + 4.9 * rand(), 10 ** (-3 + 3.3 * rand()), rand()]);
  // The double-descent peak: alpha near 1 with a small penalty, where V ~ lambda^-1/2 and iteration slows down.
  for (let i = 0; i < 6; i++) points.push([0.9 + 0.2 * rand(), 10 ** (-4 + 2 * rand()), 0.05 + rand()]);

  it.each(points)('alpha=%f lambda=%f Delta=%f', (alpha, lambda, Delta) => {
    const s = solve(compiled.problem({ alpha, lambda, Delta }));
    expect(s.status).toBe('converged');
    const ref = closedForm(alpha, lambda, Delta);
    const got = { ...s.state, ...s.observables };
    for (const k of ['V', 'm', 'q', 'estimation_error', 'gen_error', 'train_error'] as const) {
      expect(Math.abs(got[k] - ref[k]) / Math.abs(ref[k])).toBeLessThan(1e-8);
    }
  });

  it('reproduces the ridgeless interpolation peak Delta/(alpha - 1) for alpha > 1 as lambda -> 0', () => {
    for (const alpha of [1.5, 2, 4]) {
      const s = solve(compiled.problem({ alpha, lambda: 1e-7, Delta: 0.3 }));
      expect(s.status).toBe('converged');
      expect(s.observables.estimation_error).toBeCloseTo(0.3 / (alpha - 1), 5);
    }
  });
});
