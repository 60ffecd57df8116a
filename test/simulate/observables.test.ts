import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { makeInstance, priorOf, channelOf } from '../../src/simulate/data.ts';
import { hinge } from '../../src/simulate/estimators/hinge.ts';
import { huber } from '../../src/simulate/estimators/huber.ts';
import { matVec } from '../../src/simulate/linalg.ts';

/**
 * Observables that the simulation section does not measure, checked against simulation here: the fraction of
 * training samples in the linear region of the Huber loss (huber.yaml outlier_fraction) and on the hinge margin
 * (hinge.yaml on_margin), counted on the exact minimiser of seeded instances at d = 600.
 */
function fractions(trials: number, fraction: (seed: number) => number) {
  const xs = Array.from({ length: trials }, (_, t) => fraction(t));
  const mean = xs.reduce((a, b) => a + b, 0) / trials;
  const se = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (trials - 1) / trials);
  return { mean, se };
}

describe('fractions of samples at the minimiser: theory = simulation', () => {
  const d = 600;

  it('huber: outlier_fraction, the samples with |y - w.x/sqrt d| > a', () => {
    const params = { alpha: 2, lambda: 0.1, a: 1, Delta: 0.1, Delta_out: 10, eps: 0.1 };
    const theory = solve(loadModel('equations/huber.yaml').problem(params)).observables.outlier_fraction;
    const sim = fractions(6, (trial) => {
      const inst = makeInstance({ d, alpha: params.alpha, prior: priorOf('gaussian'),
        channel: channelOf('outliers', params.eps, params.Delta, params.Delta_out), seed: { master: 11, trial } });
      const fit = huber(inst, params.lambda, params.a);
      expect(fit.status).toBe('converged');
      const omega = new Float64Array(inst.n);
      matVec(inst.X, inst.n, d, fit.w, omega, 1 / Math.sqrt(d));
      return omega.reduce((c, o, i) => c + (Math.abs(inst.y[i] - o) > params.a ? 1 : 0), 0) / inst.n;
    });
    expect(theory).toBeGreaterThan(0.05);
    expect(Math.abs(sim.mean - theory)).toBeLessThanOrEqual(4 * sim.se + 2 / (params.alpha * d));
  }, 60_000);

  it('hinge: on_margin, the samples with y w.x/sqrt d = 1 (support vectors on the margin)', () => {
    const params = { alpha: 2, lambda: 0.1 };
    const theory = solve(loadModel('equations/hinge.yaml').problem(params)).observables.on_margin;
    const sim = fractions(6, (trial) => {
      const inst = makeInstance({ d, alpha: params.alpha, prior: priorOf('gaussian'), channel: channelOf('sign'), seed: { master: 12, trial } });
      const fit = hinge(inst, params.lambda);
      expect(fit.status).toBe('converged');
      const omega = new Float64Array(inst.n);
      matVec(inst.X, inst.n, d, fit.w, omega, 1 / Math.sqrt(d));
      return omega.reduce((c, o, i) => c + (Math.abs(inst.y[i] * o - 1) < 1e-6 ? 1 : 0), 0) / inst.n;
    });
    expect(theory).toBeGreaterThan(0.05);
    expect(Math.abs(sim.mean - theory)).toBeLessThanOrEqual(4 * sim.se + 2 / (params.alpha * d));
  }, 60_000);
});
