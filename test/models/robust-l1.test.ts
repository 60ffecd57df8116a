import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { referenceSolve, type Contamination, type Loss } from './robust-reference.ts';

const model = loadModel('equations/robust-l1.yaml');
const huber = loadModel('equations/robust-huber.yaml');
const at = (p: Readonly<Record<string, number>>, compiled = model) => {
  const s = solve(compiled.problem(p), { maxIterations: 1_000_000 });
  expect(s.status).toBe('converged');
  return { ...s.state, ...s.observables };
};
const absLoss: Loss = { value: Math.abs, slope: Math.sign, kinks: (V) => [V] };

describe('robust-l1.yaml: least absolute deviations under contamination', () => {
  it('agrees with an independent implementation of the textbook equations (bisection prox, Simpson quadrature)', () => {
    const points: Contamination[] = [
      { alpha: 2, lambda: 0.1, Delta_in: 0.1, Delta_out: 1, eps: 0.1, beta: 0 },
      { alpha: 3, lambda: 1e-2, Delta_in: 0.5, Delta_out: 10, eps: 0.3, beta: 0.5 },
      { alpha: 0.8, lambda: 0.5, Delta_in: 0.2, Delta_out: 4, eps: 0.2, beta: -1 },
    ];
    for (const p of points) {
      const s = at(p);
      const ref = referenceSolve(p, absLoss);
      expect(ref.residual).toBeLessThan(1e-9);
      for (const k of ['V', 'm', 'q', 'estimation_error', 'train_loss', 'replicon'] as const) {
        // the error 1 - 2m + q loses a digit to the cancellation in the reference (which does not carry it)
        expect(Math.abs(s[k] - ref[k]) / Math.abs(ref[k]), `${k} at ${JSON.stringify(p)}`).toBeLessThan(k === 'estimation_error' ? 5e-7 : 1e-7);
      }
      // the replicon of the soft threshold is V Vhat = 1 - lambda V exactly: stable for lambda > 0
      expect(Math.abs(s.replicon - (1 - p.lambda * s.V))).toBeLessThan(1e-9);
    }
  }, 180_000);

  it('is the a -> 0 limit of robust-huber (the Huber loss divided by a, the penalty lambda a), at rate O(a)', () => {
    const p = { alpha: 2, lambda: 0.1, Delta_in: 0.1, Delta_out: 1, eps: 0.2, beta: 0.3 };
    const l1 = at(p);
    const gaps = [1e-1, 1e-2, 1e-3, 1e-4].map((a) => {
      const h = at({ ...p, a, lambda: p.lambda * a }, huber);
      // the same minimiser w^ (m, q, the error, the replicon); Huber's loss divided by a is |r| - a/2 beyond a
      return Math.max(...(['m', 'q', 'estimation_error', 'replicon'] as const).map((k) => Math.abs(h[k] - l1[k])), Math.abs(h.train_loss / a - l1.train_loss));
    });
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeLessThan(gaps[i - 1] / 5);
    expect(gaps[3]).toBeLessThan(1e-3);
  });
});

describe('the lad(lambda) estimator of the simulation section', () => {
  it('reaches its duality-gap certificate, and no other point does better: Huber with a tiny threshold (a second solver) lands next to it', async () => {
    const { lad } = await import('../../src/simulate/estimators/lad.ts');
    const { huber } = await import('../../src/simulate/estimators/huber.ts');
    let seed = 1;
    const rnd = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
    const normal = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    const d = 120;
    const n = 240;
    const X = Float64Array.from({ length: n * d }, normal);
    const w0 = Float64Array.from({ length: d }, normal);
    const y = Float64Array.from({ length: n }, (_, i) => {
      let z = 0;
      for (let j = 0; j < d; j++) z += X[i * d + j] * w0[j];
      return rnd() < 0.1 ? 3 * normal() : z / Math.sqrt(d) + 0.3 * normal();
    });
    const data = { X, y, n, d };
    const lambda = 0.1;
    const F = (w: Float64Array) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        let z = 0;
        for (let j = 0; j < d; j++) z += X[i * d + j] * w[j];
        f += Math.abs(y[i] - z / Math.sqrt(d));
      }
      return f + 0.5 * lambda * w.reduce((s, v) => s + v * v, 0);
    };
    const fit = lad(data, lambda);
    expect(fit.status).toBe('converged');
    expect(fit.certificate).toBeLessThanOrEqual(1e-8);
    // Huber's loss divided by a (penalty lambda a) is |r| - a/2 beyond a: its minimiser is within O(a) of LAD's
    const a = 1e-4;
    const h = huber(data, lambda * a, a);
    expect(h.status).toBe('converged');
    expect(F(fit.w)).toBeLessThanOrEqual(F(h.w) + 1e-9);
    const dist = Math.sqrt(fit.w.reduce((s, v, j) => s + (v - h.w[j]) ** 2, 0) / d);
    expect(dist).toBeLessThan(1e-3);
  }, 120_000);
});
