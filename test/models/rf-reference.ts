import { expect } from 'vitest';
import type { LoadedModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';

/**
 * The Marchenko-Pastur closed form of random-features ridge: the independent reference of rf-ridge's tests and of
 * the random-features classification tests (which check their prior side with the square loss).
 *
 * Independent reference: the deterministic equivalent of ridge regression on Gaussian-equivalent features
 * (Mei and Montanari 2022; Bach, "High-dimensional analysis of double descent for linear regression with random
 * projections", 2023), with every spectral average in closed form through the Stieltjes transform of the
 * Marchenko-Pastur law, no quadrature. Features v have covariance Omega (eigenvalues omega(s) = mu1^2 s +
 * mu*^2, s ~ MP(kappa)); y = beta*.v/sqrt(p) + noise of variance sigma^2 = 1 + Delta - kappa E[mu1^2 s / omega]
 * (the part of the teacher the features cannot express, plus the label noise). With ap = n/p the effective
 * regularisation kt solves kt (1 - E[omega/(omega + kt)]/ap) = lambda/ap, df2 = E[omega^2/(omega + kt)^2]/ap, and
 * test_error = sigma^2 + (B + sigma^2 df2)/(1 - df2), B = kappa kt^2 E[mu1^2 s / (omega (omega + kt)^2)],
 * m = kappa E[mu1^2 s/(omega + kt)].
 */
function stieltjes(g: number) {
  // G(c) = E[1/(s + c)] for s ~ MP(g), atom included; H(c) = E[1/(s + c)^2] = -G'(c).
  const G = (c: number) => {
    const r = Math.sqrt((c + 1 + g) ** 2 - 4 * g);
    return (r - (1 - g + c)) / (2 * g * c);
  };
  const H = (c: number) => {
    const r = Math.sqrt((c + 1 + g) ** 2 - 4 * g);
    const N = r - (1 - g + c);
    const dN = (c + 1 + g) / r - 1;
    return -(dN * c - N) / (2 * g * c * c);
  };
  return { G, H };
}

/**
 * `c` is the teacher's linear coefficient E z f(z) (1: linear; sqrt(2/pi): sign, whose remaining power 1 - c^2 is
 * noise for ridge with n, p ~ d): the teacher c z, the noise Delta + 1 - c^2, and m = E[yhat z] = m_c / c.
 */
export function mpRidgeClosedForm(alpha: number, kappa: number, lambda: number, Delta: number, mu: number, nu: number, c = 1) {
  const ap = alpha / kappa;
  const { G, H } = stieltjes(kappa);
  // E[1/(omega + x)], E[1/(omega + x)^2] with omega = mu s + nu.
  const E1 = (x: number) => G((nu + x) / mu) / mu;
  const E2 = (x: number) => H((nu + x) / mu) / (mu * mu);
  const f = (kt: number) => kt * (1 - (1 - kt * E1(kt)) / ap) - lambda / ap;
  let lo = Math.log(lambda / ap) - 1;
  let hi = Math.log(lambda / ap + 10);
  for (let i = 0; i < 200; i++) { const mid = (lo + hi) / 2; if (f(Math.exp(mid)) < 0) lo = mid; else hi = mid; }
  const kt = Math.exp((lo + hi) / 2);
  const df2 = (1 - 2 * kt * E1(kt) + kt * kt * E2(kt)) / ap;
  const expressed = nu > 0 ? 1 - nu * E1(0) : Math.min(1, 1 / kappa); // E[mu s / omega] (s > 0 only when nu = 0)
  const sigma2 = 1 + Delta - c * c * kappa * expressed;
  // E[mu s/(omega (omega + kt)^2)] = E[1/(omega + kt)^2] - nu E[1/(omega (omega + kt)^2)] (partial fractions); with
  // nu = 0 the modes of the atom (s = 0) carry no teacher: E[1/(omega + kt)^2; s > 0].
  const inner = nu > 0 ? (E1(0) - E1(kt)) / (kt * kt) - E2(kt) / kt : 0; // E[1/(omega (omega + kt)^2)]
  const atom = Math.max(0, 1 - 1 / kappa);
  const B = kappa * kt * kt * (nu > 0 ? E2(kt) - nu * inner : E2(kt) - atom / (kt * kt));
  const test = sigma2 + (c * c * B + sigma2 * df2) / (1 - df2);
  const m = c * kappa * (1 - (nu + kt) * E1(kt));
  return { test_error: test, m, q: test - 1 - Delta + 2 * c * m };
}


/**
 * The kappa -> infinity limit of a random-features model with linear features (activation 3; F^T F/p -> I, so
 * the model becomes its plain GLM): solves at kappa = 1e3 and 1e4 (each must converge) and Richardson's
 * extrapolation of their O(1/kappa) gap. `near` is the kappa = 1e4 solution, `state`/`observable` the extrapolated
 * values.
 */
export function linearFeaturesLimit(compiled: LoadedModel, params: Readonly<Record<string, number>>) {
  const at = (kappa: number) => {
    const s = solve(compiled.problem({ ...params, kappa, activation: 3 }));
    expect(s.status).toBe('converged');
    return s;
  };
  const [s3, s4] = [at(1e3), at(1e4)];
  const richardson = (a: number, b: number) => (10 * b - a) / 9;
  return {
    near: s4,
    state: (k: string) => richardson(s3.state[k], s4.state[k]),
    observable: (k: string) => richardson(s3.observables[k], s4.observables[k]),
  };
}
