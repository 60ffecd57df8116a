import { describe, expect, it } from 'vitest';
import { excessRisk, kernelRidge, powerLawSpectrum, spectralInstance } from '../../src/simulate/powerlaw-krr.ts';
import { summaryOf } from '../../src/simulate/experiment.ts';
import { loadText, simulate } from '../../src/index.ts';
import { runCli } from '../util/cli.ts';

/**
 * The deterministic equivalent of ridge regression with Gaussian features of covariance diag(lambda_k) (Bach 2023,
 * "High-dimensional analysis of double descent for linear regression with random projections", and Cui et al. 2021
 * eqs. for kernel ridge), written here on the same truncated spectrum, independent of saddle: with the penalty
 * per sample l = penalty/n, kappa solves kappa = l + (kappa/n) sum_k lambda_k/(lambda_k + kappa), and
 *   excess risk = (kappa^2 sum_k lambda_k theta_k^2/(lambda_k + kappa)^2 + sigma2 df2/n) / (1 - df2/n),
 *   df2 = sum_k lambda_k^2/(lambda_k + kappa)^2.
 */
function deterministicEquivalent(ev: Float64Array, teacher: Float64Array, n: number, penalty: number, sigma2: number): number {
  const l = penalty / n;
  const g = (kappa: number) => {
    let s = 0;
    for (const e of ev) s += e / (e + kappa);
    return kappa - l - (kappa / n) * s;
  };
  // g < 0 just above 0 when n < M (kappa* > 0), g > 0 at large kappa: bisection in log
  let lo = 1e-300;
  let hi = 1e3;
  for (let i = 0; i < 400; i++) {
    const mid = Math.sqrt(lo * hi);
    if (g(mid) > 0) hi = mid; else lo = mid;
  }
  const kappa = Math.sqrt(lo * hi);
  let bias = 0;
  let df2 = 0;
  ev.forEach((e, k) => {
    bias += e * teacher[k] ** 2 / (e + kappa) ** 2;
    df2 += e * e / (e + kappa) ** 2;
  });
  return (kappa * kappa * bias + sigma2 * df2 / n) / (1 - df2 / n);
}

describe('kernel ridge on a truncated power-law spectrum', () => {
  it('builds the spectrum and teacher of the source and capacity conditions', () => {
    const { eigenvalues, teacher } = powerLawSpectrum({ a: 2, r: 0.3, modes: 10 });
    for (let k = 1; k <= 10; k++) {
      expect(eigenvalues[k - 1]).toBeCloseTo(k ** -2, 15);
      expect(eigenvalues[k - 1] * teacher[k - 1] ** 2).toBeCloseTo(k ** -(1 + 2 * 0.3 * 2), 14);
    }
    expect(() => powerLawSpectrum({ a: 1, r: 0.3, modes: 10 })).toThrow(/capacity/);
  });

  it('the fit is exact, and its excess risk is the deterministic equivalent\'s within finite-size error', { timeout: 120_000 }, () => {
    const spectrum = { a: 1.5, r: 0.4, modes: 600 };
    const n = 300;
    const sigma2 = 0.05;
    for (const penalty of [1e-2, 1]) {
      const risks: number[] = [];
      let ev: Float64Array = new Float64Array(0);
      let teacher: Float64Array = new Float64Array(0);
      for (let trial = 0; trial < 6; trial++) {
        const inst = spectralInstance(spectrum, n, sigma2, { master: 11, trial });
        const fit = kernelRidge(inst, penalty);
        expect(fit.status).toBe('converged');
        risks.push(excessRisk(inst, fit.w));
        ev = inst.eigenvalues;
        teacher = inst.teacher;
      }
      const s = summaryOf(risks);
      const theory = deterministicEquivalent(ev, teacher, n, penalty, sigma2);
      // finite n: the deterministic equivalent is exact up to O(1/n) relative corrections
      expect(Math.abs(s.mean - theory)).toBeLessThan(3 * s.se + 0.05 * theory);
    }
  });
});

describe('the kernel-powerlaw experiment of a simulation section', () => {
  const model = (section: string) => `
name: krr-plumbing
description: the plumbing of the kernel-powerlaw experiment
params:
  n: { default: 100, min: 1 }
  a: { default: 1.5, min: 1 }
  r: { default: 0.4, min: 0 }
  sigma2: { default: 0.05, min: 0 }
  ell: { default: 1, min: 0 }
  lambda: { default: -1 }
order_params:
  risk: { init: { uninformed: 0, informed: 0 } }
updates:
  risk: 0.5
observables:
  excess_risk: risk
simulation:
${section}
`;
  it('runs kernel ridge at d modes with lambda = n^-ell, measuring the excess risk exactly', () => {
    const compiled = loadText(model(`  model: kernel-powerlaw
  data: powerlaw(n, a, r, sigma2)
  estimator: kernel-ridge(lambda, ell)
  measure: { excess_risk: excess_risk }`));
    const run = simulate(compiled, {}, 200, 2, 3);
    expect(run.trials.every((t) => t.converged && t.n === 100 && t.d === 200)).toBe(true);
    // the same trial by hand: penalty n * n^-ell against (1/2) the total loss
    const inst = spectralInstance({ a: 1.5, r: 0.4, modes: 200 }, 100, 0.05, { master: 3, trial: 1 });
    expect(run.trials[1].values.excess_risk).toBeCloseTo(excessRisk(inst, kernelRidge(inst, 100 * 100 ** -1).w), 12);
  });
  it('refuses a teacher, a missing data piece, and a glm measurement', () => {
    expect(() => loadText(model(`  model: kernel-powerlaw
  teacher: gaussian
  data: powerlaw(n, a, r, sigma2)
  estimator: kernel-ridge(lambda, ell)
  measure: { excess_risk: excess_risk }`))).toThrow(/takes no `teacher`/);
    expect(() => loadText(model(`  model: kernel-powerlaw
  estimator: kernel-ridge(lambda, ell)
  measure: { excess_risk: excess_risk }`))).toThrow(/no `data`/);
    expect(() => loadText(model(`  model: kernel-powerlaw
  data: powerlaw(n, a, r, sigma2)
  estimator: kernel-ridge(lambda, ell)
  measure: { excess_risk: m }`))).toThrow(/not measured in a kernel-powerlaw experiment/);
  });
});

describe('saddle verify krr-powerlaw', () => {
  it('agrees with the theory truncated to the same modes (noiseless lambda = n^-4, and noisy with a penalty)', { timeout: 300_000 }, async () => {
    for (const [set, d] of [['modes=1000,n=300', '1000'], ['modes=600,n=300,sigma2=0.5,lambda=0.001', '600']]) {
      const r = await runCli('verify', 'krr-powerlaw', '--set', set, '--d', d, '--trials', '8', '--workers', '1', '--json');
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out).pass).toBe(true);
    }
  });
});
