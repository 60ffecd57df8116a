import { describe, expect, it } from 'vitest';
import { channelOf, makeInstance, priorOf } from '../../src/simulate/data.ts';
import { ridge } from '../../src/simulate/estimators/ridge.ts';
import { ACTIVATIONS, drawFeatures, featureOverlaps, featureRidge, featuresOf, hermiteCoefficients, mehler } from '../../src/simulate/random-features.ts';
import { gaussHermite } from '../../src/numerics/gauss-hermite.ts';
import { Purpose, trialStream } from '../../src/simulate/rng.ts';
import { loadText, simulate } from '../../src/index.ts';
import { runCli } from '../util/cli.ts';

const seed = (trial: number) => ({ master: 7, trial });

describe('random-features ridge: exact population overlaps', () => {
  // m = E[t f], q = E[f^2] from the closed-form Gaussian moments, against a Monte Carlo average over fresh inputs
  // (which uses only sigma itself): within 5 standard errors.
  for (const name of ['erf', 'ReLU', 'identity', 'tanh']) {
    it(`${name}: the closed forms agree with a Monte Carlo over fresh inputs`, { timeout: 60_000 }, () => {
      const act = ACTIVATIONS.get(name)!;
      const d = 30;
      const p = 45;
      const rng = trialStream(seed(1), Purpose.solver);
      const F = drawFeatures(p, d, rng);
      const teacher = new Float64Array(d);
      rng.fillNormal(teacher);
      const a = new Float64Array(p);
      rng.fillNormal(a);
      const exact = featureOverlaps(F, p, d, teacher, a, act);
      const N = 100_000;
      const X = new Float64Array(N * d);
      trialStream(seed(2), Purpose.testInputs).fillNormal(X);
      const Phi = featuresOf(X, N, d, F, p, act);
      const ts: number[] = [];
      const fs: number[] = [];
      for (let i = 0; i < N; i++) {
        let t = 0;
        for (let j = 0; j < d; j++) t += teacher[j] * X[i * d + j];
        let f = 0;
        for (let k = 0; k < p; k++) f += a[k] * Phi[i * p + k];
        ts.push(t / Math.sqrt(d));
        fs.push(f / Math.sqrt(p));
      }
      const meanSe = (xs: number[]) => {
        const mu = xs.reduce((s, v) => s + v, 0) / xs.length;
        const v = xs.reduce((s, x) => s + (x - mu) ** 2, 0) / (xs.length - 1);
        return { mu, se: Math.sqrt(v / xs.length) };
      };
      const m = meanSe(ts.map((t, i) => t * fs[i]));
      const q = meanSe(fs.map((f) => f * f));
      expect(Math.abs(exact.m - m.mu)).toBeLessThan(5 * m.se);
      expect(Math.abs(exact.q - q.mu)).toBeLessThan(5 * q.se);
      expect(exact.qStar).toBeCloseTo(teacher.reduce((s, v) => s + v * v, 0) / d, 14);
    });
  }
});

describe('Gaussian moments of activations without closed forms', () => {
  it('Mehler\'s series gives erf\'s arc-sine kernel, and tanh\'s pair as a fine 2-D Gauss-Hermite rule does', () => {
    const erf = ACTIVATIONS.get('erf')!;
    for (const [a, b, rho] of [[1, 1, 0.3], [1.2, 0.8, -0.5], [0.7, 1.4, 0.05]]) {
      const series = mehler(hermiteCoefficients(erf.f, a), hermiteCoefficients(erf.f, b), rho);
      expect(series).toBeCloseTo(erf.pair(a, b, rho * Math.sqrt(a * b)), 14);
    }
    const tanh = ACTIVATIONS.get('tanh')!;
    const { nodes, weights } = gaussHermite(300);
    const direct = (a: number, b: number, c: number) => {
      let s = 0;
      const k = c / Math.sqrt(a);
      const rest = Math.sqrt(b - k * k);
      for (let i = 0; i < 300; i++) for (let j = 0; j < 300; j++) s += weights[i] * weights[j] * Math.tanh(Math.sqrt(a) * nodes[i]) * Math.tanh(k * nodes[i] + rest * nodes[j]);
      return s;
    };
    for (const [a, b, c] of [[1, 1, 0.3], [1.2, 0.8, 0.05], [1, 1.1, 0.8], [1, 1, 0.999]]) expect(tanh.pair(a, b, c)).toBeCloseTo(direct(a, b, c), 13);
    // the slope E[tanh'(u)] against a finite difference of E[u tanh(u)]/a (Stein: E[u s(u)] = a E[s'(u)])
    const a = 1.3;
    let stein = 0;
    for (let i = 0; i < 300; i++) stein += weights[i] * Math.sqrt(a) * nodes[i] * Math.tanh(Math.sqrt(a) * nodes[i]);
    expect(tanh.slope(a)).toBeCloseTo(stein / a, 13);
  });
});

describe('random-features ridge: the fit', () => {
  it('linear features with F^T F = p I are ridge regression on x itself (the same predictor, the same overlaps)', () => {
    const d = 40;
    const p = 90;
    const instance = makeInstance({ d, alpha: 1.5, prior: priorOf('gaussian'), channel: channelOf('linear', 0.2), seed: seed(3) });
    // F = sqrt(p) Q with Q (p x d) of orthonormal columns (Gram-Schmidt on Gaussian columns)
    const F = drawFeatures(p, d, trialStream(seed(4), Purpose.solver));
    for (let j = 0; j < d; j++) {
      for (let k = 0; k < j; k++) {
        let c = 0;
        for (let i = 0; i < p; i++) c += F[i * d + j] * F[i * d + k];
        for (let i = 0; i < p; i++) F[i * d + j] -= c * F[i * d + k];
      }
      let norm = 0;
      for (let i = 0; i < p; i++) norm += F[i * d + j] ** 2;
      for (let i = 0; i < p; i++) F[i * d + j] /= Math.sqrt(norm);
    }
    for (let t = 0; t < F.length; t++) F[t] *= Math.sqrt(p);
    const lambda = 0.3;
    const rf = featureRidge(instance, F, p, ACTIVATIONS.get('identity')!, lambda);
    expect(rf.fit.status).toBe('converged');
    const direct = ridge(instance, lambda);
    // w = F^T a / sqrt(p) is ridge's w
    const w = new Float64Array(d);
    for (let i = 0; i < p; i++) for (let j = 0; j < d; j++) w[j] += F[i * d + j] * rf.fit.w[i] / Math.sqrt(p);
    for (let j = 0; j < d; j++) expect(w[j]).toBeCloseTo(direct.w[j], 9);
    let m = 0;
    let q = 0;
    for (let j = 0; j < d; j++) { m += direct.w[j] * instance.teacher[j] / d; q += direct.w[j] ** 2 / d; }
    expect(rf.overlaps.m).toBeCloseTo(m, 9);
    expect(rf.overlaps.q).toBeCloseTo(q, 9);
  });

  it('interpolates below the interpolation threshold p >= n at a vanishing penalty, and not above it', { timeout: 60_000 }, () => {
    const d = 50;
    const instance = makeInstance({ d, alpha: 2, prior: priorOf('gaussian'), channel: channelOf('linear', 0.1), seed: seed(5) });
    const erf = ACTIVATIONS.get('erf')!;
    const wide = featureRidge(instance, drawFeatures(200, d, trialStream(seed(6), Purpose.solver)), 200, erf, 1e-8);
    expect(wide.fit.status).toBe('converged');
    expect(wide.trainError).toBeLessThan(1e-6);
    const narrow = featureRidge(instance, drawFeatures(40, d, trialStream(seed(7), Purpose.solver)), 40, erf, 1e-8);
    expect(narrow.trainError).toBeGreaterThan(1e-3);
  });
});

describe('rf-ridge in a simulation section', () => {
  const model = (estimator: string, measure: string) => `
name: rf-plumbing
description: the plumbing of the rf-ridge estimator
params:
  alpha: { default: 2, min: 0 }
  kappa: { default: 1, min: 0 }
  lambda: { default: 0.01, min: 0 }
  Delta: { default: 0.1, min: 0 }
order_params:
  m: { init: { uninformed: 0, informed: 0 } }
  q: { init: { uninformed: 0, informed: 0 } }
updates:
  m: 0.5
  q: 0.5
observables:
  test_error: 1 + Delta - 2 m + q
  estimation_error: 1 - 2 m + q
  q_star: 1
simulation:
  teacher: gaussian
  channel: linear(Delta)
  estimator: ${estimator}
  measure: ${measure}
`;
  it('measures the predictor\'s overlaps; the test error is |w*|^2/d - 2m + q + Delta; the same numbers in every run', () => {
    const compiled = loadText(model('rf-ridge(kappa, lambda)', '{ m: m, q: q, test_error: test_error, q_star: q_star }'));
    const a = simulate(compiled, { kappa: 1.5 }, 40, 3, 9);
    const b = simulate(compiled, { kappa: 1.5 }, 40, 3, 9);
    expect(a.trials.every((t) => t.converged)).toBe(true);
    expect(a.trials.map((t) => t.values)).toEqual(b.trials.map((t) => t.values));
    expect(a.trials[0].n).toBe(80);
    for (const t of a.trials) {
      // the linear channel's closed form with the predictor's overlaps
      expect(t.values.test_error).toBeCloseTo(t.values.q_star - 2 * t.values.m + t.values.q + 0.1, 12);
      expect(t.values.q_star).toBeGreaterThan(0.3);
    }
  });
  it('refuses a quantity it cannot measure, and bad arguments', () => {
    expect(() => loadText(model('rf-ridge(kappa, lambda)', '{ estimation_error: estimation_error }'))).toThrow(/not measured with the estimator rf-ridge/);
    const compiled = loadText(model('rf-ridge(kappa, lambda, 7)', '{ m: m }'));
    expect(() => simulate(compiled, {}, 20, 2, 1)).toThrow(/activation/);
  });
});

describe('saddle verify rf-ridge', () => {
  // Off the interpolation peak (alpha = kappa), where finite-size fluctuations are large; at d = 300 a trial is
  // a 600 x 300 feature matrix and a 300 x 300 Cholesky.
  it('agrees with the theory at d = 300 (erf, and the linear activation)', { timeout: 300_000 }, async () => {
    for (const set of ['alpha=2,kappa=1,lambda=0.01', 'alpha=2,kappa=0.5,lambda=0.01,activation=3']) {
      const r = await runCli('verify', 'rf-ridge', '--set', set, '--d', '300', '--trials', '8', '--workers', '1', '--json');
      expect(r.code, r.err).toBe(0);
      const o = JSON.parse(r.out);
      expect(o.pass).toBe(true);
      expect(o.points[0].rows.map((x: { quantity: string }) => x.quantity)).toEqual(['m', 'q', 'test_error']);
    }
  });
});
