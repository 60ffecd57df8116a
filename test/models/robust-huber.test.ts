import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { referenceSolve, ridgeContaminated, type Contamination, type Loss } from './robust-reference.ts';

const model = loadModel('equations/robust-huber.yaml');
type Params = Contamination & { a: number };
const at = (p: Params) => {
  const s = solve(model.problem(p), { maxIterations: 1_000_000 });
  expect(s.status).toBe('converged');
  return { ...s.state, ...s.observables };
};
const huberLoss = (a: number): Loss => ({
  value: (r) => (Math.abs(r) <= a ? r * r / 2 : a * Math.abs(r) - a * a / 2),
  slope: (r) => Math.max(-a, Math.min(a, r)),
  kinks: (V) => [a * (1 + V)],
});

describe('robust-huber.yaml: Huber regression under contamination (outliers y = beta t + noise)', () => {
  it('beta = 1 is equations/huber.yaml', () => {
    const huber = loadModel('equations/huber.yaml');
    for (const p of [{ alpha: 2, lambda: 0.1, a: 1, Delta: 0.1, Delta_out: 10, eps: 0.1 }, { alpha: 0.7, lambda: 0.01, a: 0.5, Delta: 0.5, Delta_out: 4, eps: 0.3 }]) {
      const h = solve(huber.problem(p), { maxIterations: 1_000_000 });
      const { Delta, ...rest } = p;
      const r = at({ ...rest, Delta_in: Delta, beta: 1 });
      for (const k of ['V', 'm', 'q'] as const) expect(Math.abs(r[k] - h.state[k]) / Math.abs(h.state[k])).toBeLessThan(1e-10);
      expect(Math.abs(r.estimation_error - h.observables.mse) / h.observables.mse).toBeLessThan(1e-10);
      expect(Math.abs(r.train_loss - h.observables.train_loss) / h.observables.train_loss).toBeLessThan(1e-10);
    }
  });

  it('a -> infinity: ridge regression in closed form, for outliers with any teacher scale', () => {
    const points: Params[] = [
      { alpha: 2, lambda: 0.1, a: 1e3, Delta_in: 0.1, Delta_out: 1, eps: 0.1, beta: 0 },
      { alpha: 0.5, lambda: 0.01, a: 1e3, Delta_in: 0.5, Delta_out: 5, eps: 0.3, beta: 2 },
      { alpha: 5, lambda: 1, a: 1e3, Delta_in: 0.2, Delta_out: 2, eps: 0.25, beta: -1 },
    ];
    for (const p of points) {
      const s = at(p);
      const ref = ridgeContaminated(p);
      for (const k of ['V', 'm', 'q', 'estimation_error'] as const) expect(Math.abs(s[k] - ref[k]) / Math.abs(ref[k])).toBeLessThan(1e-9);
      expect(s.outlier_fraction).toBe(0);
    }
  });

  it('agrees with an independent implementation of the textbook equations (bisection prox, Simpson quadrature)', () => {
    const points: Params[] = [
      { alpha: 2, lambda: 0.1, a: 1, Delta_in: 0.1, Delta_out: 1, eps: 0.1, beta: 0 },
      { alpha: 3, lambda: 1e-3, a: 0.5, Delta_in: 0.5, Delta_out: 10, eps: 0.3, beta: 0.5 },
      { alpha: 0.8, lambda: 0.05, a: 2, Delta_in: 0.2, Delta_out: 4, eps: 0.2, beta: -1 },
    ];
    for (const p of points) {
      const s = at(p);
      expect(Math.abs(s.err - (1 - 2 * s.m + s.q))).toBeLessThan(1e-10);
      const ref = referenceSolve(p, huberLoss(p.a));
      expect(ref.residual).toBeLessThan(1e-10);
      for (const k of ['V', 'm', 'q', 'estimation_error', 'train_loss', 'replicon'] as const) {
        expect(Math.abs(s[k] - ref[k]) / Math.abs(ref[k]), `${k} at ${JSON.stringify(p)}`).toBeLessThan(1e-7);
      }
      // a convex loss with lambda > 0: replica symmetry holds, replicon <= V Vhat = 1 - lambda V < 1
      expect(s.replicon).toBeLessThanOrEqual(1 - p.lambda * s.V + 1e-12);
    }
  }, 180_000);
});
