import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { simulationTests } from './rf-simulation.ts';
import { linearFeaturesLimit, mpRidgeClosedForm } from './rf-reference.ts';

/**
 * rf-logistic.yaml is the Gaussian covariate model's fixed point with the Marchenko-Pastur spectrum (prior side) and
 * the logistic channel (logistic.yaml's, with n/p samples per feature). Three independent references:
 * (a) the linear activation with kappa -> infinity is plain logistic regression (F^T F/p -> I): logistic.yaml;
 * (b) the same equations with the square loss (1 - y yhat)^2/2 = (y - yhat)^2/2 are ridge regression of a sign label,
 *     whose closed form through the Stieltjes transform of the MP law (no quadrature) only sees the label's linear
 *     part c z (c = (1 - 2 eps) sqrt(2/pi)) and its remaining power as noise: this checks the prior side and the
 *     normalisation of the channel's hats;
 * (c) simulation: logistic regression on random features at d = 500 (the rf-logistic estimator).
 */
const FILE = 'equations/rf-logistic.yaml';
const compiled = loadModel(FILE);
const logistic = loadModel('equations/logistic.yaml');
const ERF = { mu: 4 / (3 * Math.PI), nu: (2 / Math.PI) * Math.asin(2 / 3) - 4 / (3 * Math.PI) };
const RELU = { mu: 1 / 4, nu: 1 / 2 - 1 / (2 * Math.PI) - 1 / 4 };
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('rf-logistic.yaml', () => {
  it.each([[2, 0.1], [0.5, 1], [5, 0.01]])('(a) linear features, kappa -> infinity: logistic.yaml at alpha=%f lambda=%f', (alpha, lambda) => {
    const ref = solve(logistic.problem({ alpha, lambda }));
    expect(ref.status).toBe('converged');
    const lim = linearFeaturesLimit(compiled, { alpha, lambda });
    for (const k of ['m', 'q', 'V'] as const) {
      // the gap is O(1/kappa): 1e-3 relative at kappa = 1e4; Richardson's extrapolation removes its leading term
      expect(rel(lim.near.state[k], ref.state[k])).toBeLessThan(1e-3);
      expect(rel(lim.state(k), ref.state[k])).toBeLessThan(1e-6);
    }
    for (const k of ['gen_error', 'train_loss', 'train_error'] as const) {
      expect(rel(lim.observable(k), ref.observables[k])).toBeLessThan(1e-6);
    }
  }, 120_000);

  // (b) the channel side with the square loss
  const square = loadModel('rf-logistic-square.yaml', readFileSync(FILE, 'utf8').replace('loss(u): log1pexp(-u)', 'loss(u): (1 - u)^2 / 2'));
  it.each([
    [2, 2, 1e-2, 0, 0], [1.5, 3, 0.05, 0, 2], [3, 0.7, 0.3, 0.1, 0], [0.8, 1.2, 0.01, 0.25, 2],
  ])('(b) square loss: the MP closed form of ridge at alpha=%f kappa=%f lambda=%f eps=%f activation=%i', (alpha, kappa, lambda, eps, activation) => {
    const s = solve(square.problem({ alpha, kappa, lambda, eps, activation }));
    expect(s.status).toBe('converged');
    const { mu, nu } = activation === 2 ? RELU : ERF;
    const ref = mpRidgeClosedForm(alpha, kappa, lambda, 0, mu, nu, (1 - 2 * eps) * Math.sqrt(2 / Math.PI));
    expect(rel(s.state.m, ref.m)).toBeLessThan(1e-9);
    expect(rel(s.state.q, ref.q)).toBeLessThan(1e-9);
    expect(s.observables.sign_error).toBeCloseTo(Math.acos(ref.m / Math.sqrt(ref.q)) / Math.PI, 8);
  }, 60_000);

  // (c) at d = 500, 6 trials: the theory within 4 standard errors (off the interpolation threshold)
  simulationTests(FILE, ['alpha=2,kappa=2,lambda=0.1', 'alpha=2,kappa=2,lambda=0.1,eps=0.1,activation=2']);
});
