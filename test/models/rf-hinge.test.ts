import { describe, expect, it } from 'vitest';
import { H, npdf } from '../../src/numerics/special.ts';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { simulationTests } from './rf-simulation.ts';
import { proxHinge } from './hinge-reference.ts';
import { linearFeaturesLimit } from './rf-reference.ts';

/**
 * rf-hinge.yaml: the Marchenko-Pastur prior side of rf-logistic.yaml (checked there against the closed form of ridge)
 * with hinge.yaml's channel at n/p samples per feature. Independent references: (a) the linear activation with
 * kappa -> infinity is the plain SVM of hinge.yaml; (b) the same limit with label noise eps > 0 is the textbook
 * noisy-sign SVM, solved below without the file's symmetry argument; (c) simulation: the SVM on random features at
 * d = 500, with and without label noise.
 */
const FILE = 'equations/rf-hinge.yaml';
const compiled = loadModel(FILE);
const hinge = loadModel('equations/hinge.yaml');
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** Composite Simpson on [a, b] with n (even) intervals of a vector-valued integrand. */
function simpson(f: (x: number) => number[], a: number, b: number, n: number): number[] {
  const h = (b - a) / n;
  const s = f(a).map((v, k) => v + f(b)[k]);
  for (let i = 1; i < n; i++) f(a + i * h).forEach((v, k) => (s[k] += (i % 2 ? 4 : 2) * v));
  return s.map((v) => (v * h) / 3);
}

/**
 * Reference (b): the SVM of a sign teacher whose labels are flipped with probability eps, at alpha samples per
 * dimension, in the textbook form of Aubin, Krzakala, Lu, Zdeborova (NeurIPS 2020, eqs. 8-10): one integral over the
 * student field omega = sqrt(q) xi, both labels summed with their marginal Z0(y) = eps + (1 - 2 eps) H(-y omega0/sqrt V0),
 * omega0 = m xi/sqrt q, V0 = 1 - m^2/q (no symmetry used), mhat = alpha E sum_y dZ0/domega0 f_out,
 * qhat = alpha E sum_y Z0 f_out^2, Vhat = alpha E sum_y Z0 [prox on the kink]/V; the prox by bisection; Simpson on
 * xi in [-11, 11] split at the kinks omega = +-1, +-(1 - V) and around the sigmoid Z0; the prior side of ell-2:
 * V = 1/(lambda + Vhat), m = mhat V, q = (mhat^2 + qhat) V^2, iterated to a fixed point.
 */
function noisySvm(alpha: number, lambda: number, eps: number) {
  let [V, m, q] = [1, 0.3, 0.5];
  for (let it = 0; it < 5000; it++) {
    const sq = Math.sqrt(q);
    const sV0 = Math.sqrt(1 - (m * m) / q);
    const w0 = (sV0 * sq) / m;
    const breaks = [1, -1, 1 - V, V - 1].map((w) => w / sq).concat([0, w0, -w0, 4 * w0, -4 * w0])
      .filter((b) => b > -11 && b < 11).sort((a, b) => a - b);
    const pts = [-11, ...breaks, 11];
    const hats = [0, 0, 0];
    for (let i = 0; i + 1 < pts.length; i++) {
      const [a, b] = [pts[i], pts[i + 1]];
      if (b - a < 1e-12) continue;
      const e = 1e-10 * Math.max(1, Math.abs(a), Math.abs(b));
      const piece = simpson((x) => {
        const xi = Math.min(Math.max(x, a + e), b - e);
        const omega = sq * xi;
        const u = (m / sq) * xi / sV0;
        const r = [0, 0, 0];
        for (const y of [1, -1]) {
          const p = proxHinge(y, omega, V);
          const f = (p - omega) / V;
          const Z0 = eps + (1 - 2 * eps) * H(-y * u);
          const dZ0 = ((1 - 2 * eps) * y * npdf(u)) / sV0;
          r[0] += (Z0 * (Math.abs(y * p - 1) < 1e-12 ? 1 : 0)) / V;
          r[1] += dZ0 * f;
          r[2] += Z0 * f * f;
        }
        return r.map((v) => v * npdf(xi));
      }, a, b, 1000);
      piece.forEach((v, k) => (hats[k] += alpha * v));
    }
    const [Vhat, mhat, qhat] = hats;
    const next = [1 / (lambda + Vhat), mhat / (lambda + Vhat), (mhat * mhat + qhat) / (lambda + Vhat) ** 2];
    const change = Math.max(...next.map((v, k) => Math.abs(v / [V, m, q][k] - 1)));
    [V, m, q] = next;
    if (change < 1e-13) return { V, m, q, iterations: it };
  }
  throw new Error('the reference did not converge');
}

describe('rf-hinge.yaml', () => {
  it.each([[2, 0.1], [0.5, 1], [5, 1e-3]])('(a) linear features, kappa -> infinity: hinge.yaml at alpha=%f lambda=%f', (alpha, lambda) => {
    const ref = solve(hinge.problem({ alpha, lambda }));
    expect(ref.status).toBe('converged');
    const lim = linearFeaturesLimit(compiled, { alpha, lambda });
    for (const k of ['m', 'q', 'V'] as const) {
      // the gap is O(1/kappa); Richardson's extrapolation from kappa = 1e3, 1e4 removes its leading term
      expect(rel(lim.near.state[k], ref.state[k])).toBeLessThan(2e-3);
      expect(rel(lim.state(k), ref.state[k])).toBeLessThan(1e-6);
    }
    for (const k of ['gen_error', 'train_loss', 'on_margin'] as const) {
      // absolute below 0.01: the training loss of the max-margin regime (alpha = 5, lambda = 1e-3) is 1e-189
      const x = lim.observable(k);
      expect(Math.abs(x - ref.observables[k])).toBeLessThan(1e-6 * Math.max(Math.abs(ref.observables[k]), 0.01));
    }
  }, 120_000);

  it.each([[2, 0.1, 0.1], [0.5, 1, 0.25], [5, 0.01, 0.05]])('(b) linear features, kappa -> infinity, label noise: the textbook noisy SVM at alpha=%f lambda=%f eps=%f', (alpha, lambda, eps) => {
    const ref = noisySvm(alpha, lambda, eps);
    const lim = linearFeaturesLimit(compiled, { alpha, lambda, eps });
    for (const k of ['m', 'q', 'V'] as const) {
      expect(rel(lim.near.state[k], ref[k])).toBeLessThan(2e-3);
      expect(rel(lim.state(k), ref[k])).toBeLessThan(1e-6);
    }
    const x = (k: 'gen_error' | 'sign_error') => lim.observable(k);
    const angle = Math.acos(ref.m / Math.sqrt(ref.q)) / Math.PI;
    expect(Math.abs(x('sign_error') - angle)).toBeLessThan(1e-6 * angle);
    expect(Math.abs(x('gen_error') - (eps + (1 - 2 * eps) * angle))).toBeLessThan(1e-6);
  }, 120_000);

  // (c) at d = 500, 6 trials: the theory within 4 standard errors (off the interpolation threshold)
  simulationTests(FILE, ['alpha=2,kappa=2,lambda=0.1', 'alpha=3,kappa=1,lambda=0.01,activation=2', 'alpha=2,kappa=2,lambda=0.1,eps=0.1']);
});
