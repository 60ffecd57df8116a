import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { H, npdf, sigmoid } from '../../src/numerics/special.ts';
import { solve } from '../../src/solve/iterate.ts';
import { makeInstance, priorOf, channelOf } from '../../src/simulate/data.ts';
import { Rng, seedSequenceState } from '../../src/simulate/rng.ts';
import { CHANNELS } from '../../src/pieces/library.ts';
import { logisticMle } from '../../src/simulate/estimators/logistic-mle.ts';
import { measure } from '../../src/simulate/measure.ts';
import { logisticProx } from './logistic-reference.ts';

const model = loadModel('equations/logistic-mle.yaml');
const G = Math.sqrt(5);
const solved = (alpha: number, gamma: number) => {
  const s = solve(model.problem({ alpha, gamma }));
  expect(s.status).toBe('converged');
  return { ...s.state, ...s.observables };
};

/** Trapezoid nodes and weights of the standard normal on [-L, L]. */
function gauss(N: number, L = 10): { x: Float64Array; w: Float64Array } {
  const h = (2 * L) / N;
  const x = new Float64Array(N + 1);
  const w = new Float64Array(N + 1);
  for (let i = 0; i <= N; i++) {
    x[i] = -L + i * h;
    w[i] = (i === 0 || i === N ? 0.5 : 1) * h * npdf(x[i]);
  }
  return { x, w };
}

/**
 * The textbook replica update of ERM with the logistic loss at lambda = 0 on the logistic teacher, written
 * independently of the model file: the student field omega = sqrt(q) xi and the teacher field
 * z = (m/sqrt q) xi + sqrt(1 - m^2/q) zeta over a 2-D trapezoid rule (not the model's split omega = m z + s eta),
 * both labels summed with P(y|z) = sigmoid(y gamma z) (no symmetry), mhat = alpha E[(z - omega0) f_out]/V0 with
 * omega0 = m omega/q, V0 = 1 - m^2/q (not the derivative of the label law), d f_out/d omega in closed form (no
 * Stein identity), the prox by bisection.
 */
function textbookHats(alpha: number, gamma: number, m: number, q: number, V: number) {
  const { x, w } = gauss(1600);
  const c = Math.sqrt(1 - (m * m) / q);
  let mhat = 0;
  let qhat = 0;
  let Vhat = 0;
  for (let i = 0; i < x.length; i++) {
    const omega = Math.sqrt(q) * x[i];
    const fy = [-1, 1].map((y) => {
      const p = y * logisticProx(y * omega, V);
      const sg = sigmoid(y * p);
      return { y, f: (p - omega) / V, df: (1 / (1 + V * sg * (1 - sg)) - 1) / V };
    });
    for (let j = 0; j < x.length; j++) {
      const z = (m / Math.sqrt(q)) * x[i] + c * x[j];
      const wt = w[i] * w[j];
      for (const { y, f, df } of fy) {
        const P = sigmoid(y * gamma * z);
        mhat += (wt * P * (z - (m / q) * omega) * f) / (c * c);
        qhat += wt * P * f * f;
        Vhat -= wt * P * df;
      }
    }
  }
  return { mhat: alpha * mhat, qhat: alpha * qhat, Vhat: alpha * Vhat };
}

describe('logistic-mle.yaml: the Sur-Candes theory of the logistic MLE', () => {
  it('published values: alpha_star = 1.499 at kappa = 0.2, gamma^2 = 5 (Sur and Candes 2019); the null LRT factor about 1.5 at kappa = 0.3 (Sur, Chen, Candes 2019)', () => {
    const s = solved(5, G);
    expect(Math.abs(s.alpha_star - 1.499)).toBeLessThan(1e-3);
    const n = solved(1 / 0.3, 0);
    expect(Math.abs(n.lrt_factor - 1.5)).toBeLessThan(0.02);
    // kappa -> 0: the classical limits, no bias and the Wilks chi-square
    const c = solved(1000, G);
    expect(Math.abs(c.alpha_star - 1)).toBeLessThan(0.01);
    expect(Math.abs(c.lrt_factor - 1)).toBeLessThan(0.01);
  }, 60_000);

  it('the fixed point is a fixed point of the textbook equations (2-D trapezoid over the student and teacher fields, no symmetry, no Stein identity)', () => {
    for (const [alpha, gamma] of [[10, G], [5, G], [4, 1]]) {
      const s = solved(alpha, gamma);
      const t = textbookHats(alpha, gamma, s.m, s.q, s.V);
      expect(Math.abs(t.mhat / s.mhat - 1)).toBeLessThan(1e-7);
      expect(Math.abs(t.qhat / s.qhat - 1)).toBeLessThan(1e-7);
      expect(Math.abs(t.Vhat / s.Vhat - 1)).toBeLessThan(1e-7);
      // lambda = 0 prior side
      expect(Math.abs(s.V * s.Vhat - 1)).toBeLessThan(1e-9);
      expect(Math.abs((s.q * s.Vhat ** 2) / (s.mhat ** 2 + s.qhat) - 1)).toBeLessThan(1e-9);
    }
  }, 300_000);

  it('gamma = 0: the two-equation system of Sur, Chen, Candes (2019), solved independently, gives sigma_star, lambda_star and the LRT factor', () => {
    // with tau = sqrt(kappa) sigma and lambda: kappa^2 sigma^2 = E[(lambda rho'(prox(tau Z)))^2] and
    // 1 - kappa = E[1/(1 + lambda rho''(prox(tau Z)))], rho(t) = log(1 + e^t) (labels independent of x: either sign)
    const { x, w } = gauss(2000, 12);
    const E = (g: (z: number) => number) => x.reduce((a, z, i) => a + w[i] * g(z), 0);
    const bisect = (f: (t: number) => number, lo: number, hi: number) => {
      let flo = f(lo);
      while (hi - lo > 1e-13 * hi) {
        const mid = 0.5 * (lo + hi);
        const fm = f(mid);
        if (flo * fm <= 0) hi = mid;
        else { lo = mid; flo = fm; }
      }
      return 0.5 * (lo + hi);
    };
    // prox of lam log(1 + e^t) at u: p + lam sigmoid(p) = u, p in (u - lam, u); Newton (the slope is in [1, 1 + lam/4])
    // safeguarded by that bracket
    const proxRho = (u: number, lam: number) => {
      let lo = u - lam;
      let hi = u;
      let p = u - lam * sigmoid(u);
      for (let k = 0; k < 100; k++) {
        const sg = sigmoid(p);
        const g = p + lam * sg - u;
        if (g > 0) hi = p; else lo = p;
        let next = p - g / (1 + lam * sg * (1 - sg));
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        if (Math.abs(next - p) <= 1e-15 * (1 + Math.abs(p))) return next;
        p = next;
      }
      return p;
    };
    for (const kappa of [0.1, 0.2, 0.3]) {
      // for given tau, lambda from the second equation (its right side falls with lambda)
      const lambdaOf = (tau: number) => bisect((lam) => E((z) => {
        const sg = sigmoid(proxRho(tau * z, lam));
        return 1 / (1 + lam * sg * (1 - sg));
      }) - (1 - kappa), 1e-8, 1e3);
      const gap = (tau: number) => {
        const lam = lambdaOf(tau);
        return E((z) => (lam * sigmoid(proxRho(tau * z, lam))) ** 2) - kappa * tau * tau;
      };
      const tau = bisect(gap, 0.05, 20);
      const lam = lambdaOf(tau);
      const sigma = tau / Math.sqrt(kappa);
      const s = solved(1 / kappa, 0);
      expect(Math.abs(s.sigma_star / sigma - 1)).toBeLessThan(1e-7);
      expect(Math.abs(s.lambda_star / lam - 1)).toBeLessThan(1e-7);
      expect(Math.abs(s.lrt_factor / ((kappa * sigma * sigma) / lam) - 1)).toBeLessThan(1e-7);
    }
  }, 300_000);

  it('h_mle: the separability boundary min_t E[(Z - t Y V)_+^2] (Candes and Sur 2020) computed independently; 1/2 at gamma = 0 (Cover), falling with gamma', () => {
    const { x, w } = gauss(20000, 12);
    const ramp2 = (c: number) => (1 + c * c) * H(c) - c * npdf(c);
    const h = (gamma: number) => {
      const obj = (t: number) => x.reduce((a, v, i) => a + w[i] * (sigmoid(gamma * v) * ramp2(t * v) + sigmoid(-gamma * v) * ramp2(-t * v)), 0);
      // golden-section search on the convex objective
      let a = 0;
      let b = 50;
      const r = (Math.sqrt(5) - 1) / 2;
      for (let k = 0; k < 120; k++) {
        const c = b - r * (b - a);
        const d = a + r * (b - a);
        if (obj(c) < obj(d)) b = d;
        else a = c;
      }
      return obj(0.5 * (a + b));
    };
    let last = 0.5 + 1e-9;
    for (const gamma of [0, 0.5, 1, G, 5]) {
      const s = solved(10, gamma);
      const want = gamma === 0 ? 0.5 : h(gamma);
      expect(Math.abs(s.h_mle - want)).toBeLessThan(1e-8);
      expect(s.h_mle).toBeLessThan(last);
      last = s.h_mle;
    }
  }, 300_000);

  it('the MLE ceases to exist at kappa = h_mle: lambda_star and sigma_star blow up as kappa approaches it, and beyond it the solve does not converge', () => {
    const hb = solved(10, G).h_mle;
    // lambda_star: 13.7 at kappa = 0.3 (h - 0.026), 39.5 at h - 0.006, 80.5 at h - 0.002
    const a = solved(1 / (hb - 0.02), G);
    const b = solved(1 / (hb - 0.002), G);
    expect(b.lambda_star).toBeGreaterThan(3 * a.lambda_star);
    expect(b.sigma_star).toBeGreaterThan(2 * a.sigma_star);
    const beyond = solve(model.problem({ alpha: 1 / (hb + 0.02), gamma: G }), { maxIterations: 1000 });
    expect(beyond.status).not.toBe('converged');
  }, 300_000);

  it('simulation at d = 1000, kappa = 0.2, gamma^2 = 5 (3 seeded trials): the MLE by Newton; alpha_star, sigma_star, the training loss within 4 standard errors', () => {
    const t = solved(5, G);
    const rows = Array.from({ length: 3 }, (_, trial) => {
      const inst = makeInstance({ d: 1000, alpha: 5, prior: priorOf('gaussian'), channel: channelOf('logit', G), seed: { master: 2026, trial } });
      const fit = logisticMle(inst);
      expect(fit.status).toBe('converged');
      const ms = measure(inst, fit.w, { task: 'classification', loss: (y, z) => Math.log1p(Math.exp(-y * z)) });
      // the bias against this instance's own teacher: beta^ . beta / |beta|^2 (the teacher norm |w*|^2/d fluctuates)
      const alphaStar = ms.m / (G * ms.qStar);
      return { alpha_star: alphaStar, sigma_star: Math.sqrt(5 * (ms.q - alphaStar ** 2 * G * G * ms.qStar)), train_loss: ms.trainLoss };
    });
    for (const key of ['alpha_star', 'sigma_star', 'train_loss'] as const) {
      const xs = rows.map((r) => r[key]);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const se = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) / xs.length);
      expect(Math.abs(mean - t[key]) / se, `${key}: simulation ${mean} +- ${se}, theory ${t[key]}`).toBeLessThan(4);
    }
  }, 300_000);

  it('the channel piece logit(gamma) draws y = +1 with probability sigmoid(gamma z)', () => {
    const piece = CHANNELS.get('logit');
    const rng = new Rng(seedSequenceState(2026, [0]));
    for (const [gamma, z] of [[G, 0.3], [1, -1.2], [0, 2]]) {
      const N = 200000;
      let ones = 0;
      for (let k = 0; k < N; k++) ones += piece!.sampler!.label([gamma], z, rng) === 1 ? 1 : 0;
      const p = sigmoid(gamma * z);
      expect(Math.abs(ones / N - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / N));
    }
    expect(piece!.checkArgs!([NaN])).toMatch(/gamma/);
  });

  it('separable data (kappa above h_mle): the MLE does not exist and the fit says so instead of converging', () => {
    const inst = makeInstance({ d: 300, alpha: 2, prior: priorOf('gaussian'), channel: channelOf('logit', G), seed: { master: 2026, trial: 0 } });
    const fit = logisticMle(inst);
    expect(fit.status).not.toBe('converged');
    expect(fit.message).toMatch(/separable/);
  }, 60_000);
});
