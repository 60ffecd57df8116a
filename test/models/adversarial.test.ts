import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { H, npdf, sigmoid } from '../../src/numerics/special.ts';
import { solve } from '../../src/solve/iterate.ts';
import { makeInstance, priorOf, channelOf } from '../../src/simulate/data.ts';
import { adversarialLogistic, adversarialObjective, attackNorm } from '../../src/simulate/estimators/adversarial.ts';
import { logistic } from '../../src/simulate/estimators/logistic.ts';
import { matVec } from '../../src/simulate/linalg.ts';
import { measure } from '../../src/simulate/measure.ts';
import { textbookLogistic } from './logistic-reference.ts';

const l2 = loadModel('equations/adversarial-l2.yaml');
const linf = loadModel('equations/adversarial-linf.yaml');
const plain = loadModel('equations/logistic.yaml');
const solved = (model: typeof l2, params: Record<string, number>) => {
  const s = solve(model.problem(params));
  expect(s.status).toBe('converged');
  return { ...s.state, ...s.observables };
};

/** P(sign(z) u < e) for (z, u) standard bivariate normal with correlation r: 2 int_{-inf}^{e} Du Phi(r u/sqrt(1 - r^2)),
 * by the trapezoid rule over the student direction u (the model integrates over the teacher's). */
function robustError(r: number, e: number): number {
  const N = 40000;
  const lo = -12;
  const h = (e - lo) / N;
  let sum = 0;
  for (let i = 0; i <= N; i++) {
    const u = lo + i * h;
    sum += (i === 0 || i === N ? 0.5 : 1) * h * npdf(u) * H((-r * u) / Math.sqrt(1 - r * r));
  }
  return 2 * sum;
}

describe('adversarial-l2.yaml and adversarial-linf.yaml: logistic adversarial training', () => {
  it('eps = 0 (and lambda1 = 0) is logistic.yaml: the same fixed point and observables', () => {
    for (const [alpha, lambda] of [[0.5, 0.1], [2, 0.01], [5, 1]]) {
      const ref = solved(plain, { alpha, lambda });
      for (const s of [solved(l2, { alpha, lambda, eps: 0 }), solved(linf, { alpha, lambda, eps: 0, lambda1: 0 })]) {
        for (const key of ['m', 'q', 'V', 'gen_error', 'train_loss', 'train_error']) {
          expect(Math.abs(s[key] / ref[key] - 1), key).toBeLessThan(1e-8);
        }
        // no attack: the robust error is the clean one
        expect(Math.abs(s.robust_error - s.gen_error)).toBeLessThan(1e-12);
      }
    }
  }, 60_000);

  it('l2: the fixed point is a fixed point of the textbook equations with the margin shift eps sqrt(q) and the ridge lambda + alpha eps E[-loss\']/sqrt(q)', () => {
    for (const [alpha, lambda, eps] of [[0.5, 0.1, 0.3], [2, 0.1, 0.5], [4, 0.05, 0.6]]) {
      const s = solved(l2, { alpha, lambda, eps });
      const k = eps * Math.sqrt(s.q);
      const t = textbookLogistic(alpha, s.m, s.q, s.V, k);
      expect(Math.abs(t.mhat / s.mhat - 1)).toBeLessThan(1e-9);
      expect(Math.abs(t.qhat / s.qhat - 1)).toBeLessThan(1e-9);
      expect(Math.abs(t.Vhat / s.Vhat - 1)).toBeLessThan(1e-9);
      const lamEff = lambda + (alpha * eps * t.slope) / Math.sqrt(s.q);
      expect(Math.abs(s.lambda_eff / lamEff - 1)).toBeLessThan(1e-9);
      // the ell-2 prior side closes the loop
      expect(Math.abs(s.V * (lamEff + s.Vhat) - 1)).toBeLessThan(1e-9);
      expect(Math.abs((s.m * (lamEff + s.Vhat)) / s.mhat - 1)).toBeLessThan(1e-9);
      expect(Math.abs((s.q * (lamEff + s.Vhat) ** 2) / (s.mhat ** 2 + s.qhat) - 1)).toBeLessThan(1e-9);
      // robust error: the same bivariate probability integrated along the other direction
      expect(Math.abs(s.robust_error - robustError(s.m / Math.sqrt(s.q), eps))).toBeLessThan(1e-8);
      expect(s.robust_error).toBeGreaterThan(s.gen_error);
    }
  }, 60_000);

  it('l2: a strong attack makes w = 0 the minimiser at eps_c = sqrt(2/pi + 1/alpha) (0 in the subgradient at w = 0); q -> 0 and the direction tends to the Hebbian one below it', () => {
    // at w = 0, 0 is in the subgradient iff |sum_mu y_mu x_mu| <= n eps, and |sum_mu y_mu x_mu|/n -> sqrt(2/pi + 1/alpha)
    const alpha = 2;
    const lambda = 0.1;
    const epsC = Math.sqrt(2 / Math.PI + 1 / alpha);
    const hebb = Math.acos(Math.sqrt(2 / Math.PI / (2 / Math.PI + 1 / alpha))) / Math.PI;
    const near = [0.9, 0.97].map((r) => solved(l2, { alpha, lambda, eps: r * epsC }));
    expect(near[1].q).toBeLessThan(near[0].q / 2);
    expect(Math.abs(near[1].gen_error - hebb)).toBeLessThan(Math.abs(near[0].gen_error - hebb));
    expect(Math.abs(near[1].gen_error - hebb)).toBeLessThan(0.01);
    // beyond it there is no informative fixed point: the solve collapses to q = 0 and does not report convergence
    const beyond = solve(l2.problem({ alpha, lambda, eps: 1.05 * epsC }), { maxIterations: 2000 });
    expect(beyond.status).not.toBe('converged');
    expect(beyond.state.q).toBeLessThan(1e-6);
  }, 120_000);

  it('linf: the textbook channel with the shift eps P and the elastic-net prior side with lambda1 + alpha eps E[-loss\'] (soft thresholding, integrated by the trapezoid rule)', () => {
    for (const [alpha, lambda, lambda1, eps] of [[2, 0.1, 0, 0.5], [3, 0.05, 0.05, 1]]) {
      const s = solved(linf, { alpha, lambda, lambda1, eps });
      const t = textbookLogistic(alpha, s.m, s.q, s.V, eps * s.P);
      expect(Math.abs(t.mhat / s.mhat - 1)).toBeLessThan(1e-9);
      expect(Math.abs(t.qhat / s.qhat - 1)).toBeLessThan(1e-9);
      expect(Math.abs(t.Vhat / s.Vhat - 1)).toBeLessThan(1e-9);
      const l1 = lambda1 + alpha * eps * t.slope;
      expect(Math.abs(s.lambda1_eff / l1 - 1)).toBeLessThan(1e-9);
      // w = soft(B, l1)/(lambda + Vhat), B = mhat w* + sqrt(qhat) xi, over (w*, xi) by a 2-D trapezoid rule
      const N = 1200;
      const L = 9;
      const h = (2 * L) / N;
      let V = 0;
      let m = 0;
      let q = 0;
      let P = 0;
      for (let i = 0; i <= N; i++) {
        const ws = -L + i * h;
        const wi = (i === 0 || i === N ? 0.5 : 1) * h * npdf(ws);
        for (let j = 0; j <= N; j++) {
          const xi = -L + j * h;
          const wt = wi * (j === 0 || j === N ? 0.5 : 1) * h * npdf(xi);
          const B = s.mhat * ws + Math.sqrt(s.qhat) * xi;
          const w = (Math.sign(B) * Math.max(0, Math.abs(B) - l1)) / (lambda + s.Vhat);
          V += wt * (Math.abs(B) > l1 ? 1 / (lambda + s.Vhat) : 0);
          m += wt * w * ws;
          q += wt * w * w;
          P += wt * Math.abs(w);
        }
      }
      // the indicator in V limits the trapezoid rule to O(h^2) ~ 1e-4 relative
      expect(Math.abs(V / s.V - 1)).toBeLessThan(1e-3);
      for (const [got, want] of [[m, s.m], [q, s.q], [P, s.P]]) expect(Math.abs(got / want - 1)).toBeLessThan(1e-5);
      // |w|_1/d <= |w|/sqrt(d): an ell-infinity attack of radius eps/sqrt(d) is weaker than the ell-2 one of radius eps
      expect(s.P).toBeLessThan(Math.sqrt(s.q));
      expect(Math.abs(s.robust_error - robustError(s.m / Math.sqrt(s.q), (eps * s.P) / Math.sqrt(s.q)))).toBeLessThan(1e-8);
    }
  }, 120_000);

  it('linf: the attack acts as an ell-1 penalty, so the minimiser is sparse even at lambda1 = 0, sparser with eps', () => {
    const dens = [0.25, 0.5, 1].map((eps) => solved(linf, { alpha: 2, lambda: 0.1, lambda1: 0, eps }).density);
    expect(dens[0]).toBeLessThan(1);
    expect(dens[1]).toBeLessThan(dens[0]);
    expect(dens[2]).toBeLessThan(dens[1]);
  });

  it('the estimator: at eps = 0 it is the logistic ERM (Newton), and it minimises the adversarial objective', () => {
    const inst = makeInstance({ d: 200, alpha: 2, prior: priorOf('gaussian'), channel: channelOf('sign'), seed: { master: 3, trial: 0 } });
    const a = adversarialLogistic(inst, { norm: 'l2', eps: 0, lambda: 0.1 });
    const b = logistic(inst, 0.1);
    expect(a.status).toBe('converged');
    let diff = 0;
    for (let j = 0; j < inst.d; j++) diff = Math.max(diff, Math.abs(a.w[j] - b.w[j]));
    expect(diff).toBeLessThan(1e-7);
    // at eps > 0: the stationarity of the shifted problem (the equivalence the theory rests on) holds at the fit,
    // and random perturbations do not lower the objective
    for (const norm of ['l2', 'linf'] as const) {
      const fit = adversarialLogistic(inst, { norm, eps: 0.7, lambda: 0.1, lambda1: norm === 'linf' ? 0.02 : 0 });
      expect(fit.status).toBe('converged');
      const a0 = { norm, eps: 0.7, lambda: 0.1, lambda1: norm === 'linf' ? 0.02 : 0 };
      const F0 = adversarialObjective(inst, a0, fit.w);
      for (let k = 0; k < 5; k++) {
        const w = Float64Array.from(fit.w, (v, j) => v + 1e-3 * Math.sin(17 * j + k));
        expect(adversarialObjective(inst, a0, w)).toBeGreaterThan(F0);
      }
      if (norm === 'l2') {
        const { X, y, n, d } = inst;
        const z = new Float64Array(n);
        matVec(X, n, d, fit.w, z, 1 / Math.sqrt(d));
        const k = 0.7 * attackNorm('l2', fit.w);
        let S = 0;
        for (let i = 0; i < n; i++) S += sigmoid(-(y[i] * z[i] - k));
        const lamEff = 0.1 + (0.7 * S) / (d * attackNorm('l2', fit.w));
        // the ERM with loss shifted by k and ridge lamEff, started at the fit, does not move
        const g = new Float64Array(d);
        for (let i = 0; i < n; i++) {
          const c = (-y[i] * sigmoid(-(y[i] * z[i] - k))) / Math.sqrt(d);
          for (let j = 0; j < d; j++) g[j] += c * X[i * d + j];
        }
        let gn = 0;
        for (let j = 0; j < d; j++) gn += (g[j] + lamEff * fit.w[j]) ** 2;
        expect(Math.sqrt(gn)).toBeLessThan(1e-6);
      }
    }
  }, 60_000);

  it('simulation at d = 500 (8 seeded trials per model): m, q, clean and robust test error, training error, and for linf |w|_1/d and the density, within 4 standard errors', () => {
    const cases: { model: typeof l2; norm: 'l2' | 'linf'; params: Record<string, number>; lambda1: number }[] = [
      { model: l2, norm: 'l2', params: { alpha: 2, lambda: 0.1, eps: 0.5 }, lambda1: 0 },
      { model: linf, norm: 'linf', params: { alpha: 2, lambda: 0.1, eps: 0.5, lambda1: 0.02 }, lambda1: 0.02 },
    ];
    for (const c of cases) {
      const t = solved(c.model, c.params);
      const rows = Array.from({ length: 8 }, (_, trial) => {
        const inst = makeInstance({ d: 500, alpha: 2, prior: priorOf('gaussian'), channel: channelOf('sign'), seed: { master: 2026, trial } });
        const fit = adversarialLogistic(inst, { norm: c.norm, eps: c.params.eps, lambda: c.params.lambda, lambda1: c.lambda1 });
        expect(fit.status).toBe('converged');
        const ms = measure(inst, fit.w, { task: 'classification' });
        // the robust test error of this w from its overlaps: P(y omega < eps N(w)) for Gaussian inputs
        const e = (c.params.eps * attackNorm(c.norm, fit.w)) / Math.sqrt(ms.q);
        const row: Record<string, number> = {
          m: ms.m, q: ms.q, gen_error: ms.testErrorExact, train_error: ms.trainError,
          robust_error: robustError(ms.m / Math.sqrt(ms.q * ms.qStar), e),
        };
        if (c.norm === 'linf') {
          row.P = attackNorm('linf', fit.w);
          row.density = fit.w.reduce((k, v) => k + (v !== 0 ? 1 : 0), 0) / inst.d;
        }
        return row;
      });
      for (const key of Object.keys(rows[0])) {
        const xs = rows.map((r) => r[key]);
        const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
        const se = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) / xs.length);
        expect(Math.abs(mean - t[key]) / se, `${c.norm} ${key}: simulation ${mean} +- ${se}, theory ${t[key]}`).toBeLessThan(4);
      }
    }
  }, 300_000);
});
