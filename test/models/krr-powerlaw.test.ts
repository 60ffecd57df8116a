import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { grid, parseAxis } from '../../src/sweep/axis.ts';
import { sweep } from '../../src/sweep/continuation.ts';
import { fitPowerLaw } from '../../src/sweep/powerlaw.ts';
import { directSum } from './spectral-reference.ts';

describe('krr-powerlaw.yaml', () => {
  const compiled = loadModel('equations/krr-powerlaw.yaml');
  const at = (p: Record<string, number>) => {
    const s = solve(compiled.problem(p));
    expect(s.status).toBe('converged');
    return s;
  };

  it.each([
    [1e4, 2, 0.3, 0, -1, 4],
    [3000, 2, 0.7, 0.5, 1e-5, 4],
    [2e4, 2.5, 1.5, 0.1, 0, 4],
  ])('n=%d a=%d r=%d sigma2=%d lambda=%d: the fixed point of a direct sum over 4e6 modes', (n, a, r, sigma2, lambda, ell) => {
    const s = at({ n, a, r, sigma2, lambda, ell });
    const ref = directSum(n, a, r, sigma2, lambda >= 0 ? lambda : n ** -ell);
    expect(Math.abs(s.observables.kappa_eff / ref.kappa - 1)).toBeLessThan(1e-9);
    expect(Math.abs(s.observables.bias / ref.bias - 1)).toBeLessThan(1e-8);
    if (sigma2 > 0) expect(Math.abs(s.observables.variance / ref.variance - 1)).toBeLessThan(1e-8);
  }, 120_000);

  it('a warm-started log-spaced sweep n = 1e3:1e7:40:log gives the cold solves (kappa ~ 1e-14 is no tolerance issue)', () => {
    const rows = sweep(compiled, { a: 2, r: 0.3 }, parseAxis('n=1e3:1e7:40:log'));
    expect(rows).toHaveLength(40);
    for (const row of rows.filter((_, i) => i % 6 === 0 || i === 39)) {
      expect(row.solution.status).toBe('converged');
      const cold = at({ a: 2, r: 0.3, n: row.params.n });
      expect(Math.abs(row.solution.observables.excess_risk / cold.observables.excess_risk - 1)).toBeLessThan(1e-9);
    }
  }, 120_000);

  // Rates (Cui et al. 2021, Caponnetto and De Vito 2007): noiseless with lambda = n^-ell, ell > a, the excess risk
  // decays like n^(-2 a min(r, 1)); fitted by least squares in log-log over n in [1e3, 1e6] (16 log-spaced points).
  const ns = grid(1e3, 1e6, 16, true);
  const slope = (p: Record<string, number>) => fitPowerLaw(ns, ns.map((n) => at({ ...p, n }).observables.excess_risk));

  it('noiseless, a = 2, r = 0.3, lambda = n^-4: slope -1.2 = -2ar', () => {
    const fit = slope({ a: 2, r: 0.3, sigma2: 0, ell: 4 });
    expect(fit.slope).toBeCloseTo(-1.2, 3);
    expect(fit.stderr).toBeLessThan(1e-3);
  }, 120_000);

  it('noiseless, a = 2, r = 1.5, lambda = n^-4: slope -4 = -2a (saturation at r = 1)', () => {
    expect(slope({ a: 2, r: 1.5, sigma2: 0, ell: 4 }).slope).toBeCloseTo(-4, 3);
  }, 120_000);

  it('noisy, sigma2 = 1, a = 2, r = 0.3, lambda = n^-(a/(1+2ar)) (the optimal decay): slope -2ar/(1+2ar) = -0.5455', () => {
    const [a, r] = [2, 0.3];
    const fit = slope({ a, r, sigma2: 1, ell: a / (1 + 2 * a * r) });
    expect(Math.abs(fit.slope - -(2 * a * r) / (1 + 2 * a * r))).toBeLessThan(0.01);
  }, 120_000);
});
