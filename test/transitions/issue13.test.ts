import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { findThreshold, type Threshold } from '../../src/transitions/threshold.ts';
// the fold of the noiseless cs-bayes state evolution (Krzakala et al., PRX 2012), written independently
import { csAlphaAlg } from './references.ts';

/** The reported interval holds the true value. */
const holds = (t: Threshold, exact: number) => {
  expect(t.status).toBe('converged');
  expect(t.found).toBe(true);
  expect(Math.abs(t.threshold - exact), `${t.kind} ${t.param} = ${t.threshold} +- ${t.tolerance}, exact ${exact}`).toBeLessThanOrEqual(t.tolerance);
  expect(t.bracket[0]).toBeLessThanOrEqual(exact);
  expect(t.bracket[1]).toBeGreaterThanOrEqual(exact);
};

describe('issue 13: the four thresholds that were wrong', () => {
  it('lasso level crossing: never a point where the solves did not converge; with the model\'s budget, the crossing', () => {
    // saddle threshold lasso --set alpha=0.5,Delta=0,lambda=1e-8 --param rho=0.18:0.3 --kind level --observable mse --level 4e-7
    // once reported rho = 0.192807 (mse 2.6e-12 there) as found: Brent bisected through solves that hit the 1e5 cap.
    const lasso = loadModel('equations/lasso.yaml');
    const spec = { kind: 'level', param: 'rho', lo: 0.18, hi: 0.3, fixed: { alpha: 0.5, Delta: 0, lambda: 1e-8 }, observable: 'mse', level: 4e-7 } as const;
    const t = findThreshold(lasso, spec); // the model asks for 1e6 iterations: every solve converges
    holds(t, 0.1930379);
    expect(Math.abs(t.threshold - 0.192807)).toBeGreaterThan(1e-4);
    // with too small an iteration budget the solves near the l1 transition fail: not found, and said why, with a
    // bracket that still holds the crossing
    const starved = findThreshold(lasso, { ...spec, solver: { maxIterations: 2000 } });
    expect(starved.found).toBe(false);
    expect(starved.status).toBe('max-iterations');
    expect(starved.message).toMatch(/the solve ended max-iterations/);
    expect(starved.bracket[0]).toBeLessThanOrEqual(0.1930379);
    expect(starved.bracket[1]).toBeGreaterThanOrEqual(0.1930379);
  }, 60_000);

  it('cs-bayes spinodal at rho = 0.3, Delta = 0 with the default scan: the jump behind a steeper continuous rise', () => {
    // the 24-point scan's largest step is the continuous rise before the fold; the refinement finds the jump
    const exact = csAlphaAlg(0.3);
    expect(exact).toBeCloseTo(0.48021, 5);
    const t = findThreshold(loadModel('equations/cs-bayes.yaml'), { kind: 'spinodal', param: 'alpha', lo: 0.3, hi: 0.99, fixed: { rho: 0.3, Delta: 0 } });
    expect(t.init).toBe('uninformed');
    expect(Math.abs(t.threshold - exact)).toBeLessThan(1e-8); // the reference's own accuracy (trapezoid, golden section)
    expect(t.tolerance).toBeLessThanOrEqual(1e-6);
  }, 60_000);

  it('phase retrieval weak recovery: alpha = 1/2 inside a tolerance below 1e-8 (exact Jacobian at q = 0)', () => {
    const t = findThreshold(loadModel('equations/phase-retrieval-bayes.yaml'), { kind: 'weak-recovery', param: 'alpha', lo: 0.2, hi: 1 });
    expect(t.init).toBe('uninformed');
    holds(t, 0.5);
    expect(t.tolerance).toBeLessThanOrEqual(1e-8);
  });

  it('phase retrieval alpha_IT = 1: perfect recovery (q = 1) turns stable, 1 - q\' ~ (1 - q)/alpha', () => {
    // Barbier et al. PNAS 2019: for noiseless real phase retrieval with a Gaussian prior perfect recovery is possible
    // from alpha_IT = 1 (the free entropy of q -> 1 diverges like (alpha - 1)/2 log(1 - q)); the free-energy
    // crossing of the model file is limited by its floor V >= 1e-10 (equations/phase-retrieval-bayes.yaml)
    const t = findThreshold(loadModel('equations/phase-retrieval-bayes.yaml'), { kind: 'weak-recovery', param: 'alpha', lo: 0.8, hi: 1.5, init: 'informed' });
    holds(t, 1);
    expect(t.tolerance).toBeLessThanOrEqual(1e-8);
  });

  it('spiked Wigner weak recovery: lambda = 1 for every prior, inside the reported tolerance, from `zero` by default', () => {
    for (const [prior, rho] of [['sparse-rademacher', 0.02], ['sparse-rademacher', 0.3], ['rademacher', 0.05], ['gaussian', 0.05]] as const) {
      const sw = loadModel('equations/spiked-wigner.yaml', undefined, { prior });
      const t = findThreshold(sw, { kind: 'weak-recovery', param: 'lambda', lo: 0.5, hi: 2, fixed: { rho } });
      expect(t.init, prior).toBe('zero');
      holds(t, 1);
      expect(t.tolerance).toBeLessThanOrEqual(1e-8);
    }
  }, 30_000);

  it('relu-bayes: no uninformative fixed point (the labels inform from the first sample); perfect recovery stable from alpha = 2', () => {
    const relu = loadModel('equations/relu-bayes.yaml');
    const none = findThreshold(relu, { kind: 'weak-recovery', param: 'alpha', lo: 0.5, hi: 3 });
    expect(none.status).toBe('not-found');
    expect(none.message).toMatch(/no initialisation of the model is a fixed point/);
    holds(findThreshold(relu, { kind: 'weak-recovery', param: 'alpha', lo: 1, hi: 3, init: 'informed' }), 2);
  });
});
