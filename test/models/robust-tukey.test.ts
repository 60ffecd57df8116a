import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { proxMove, referenceSolve, ridgeContaminated, type Contamination, type Loss } from './robust-reference.ts';

const model = loadModel('equations/robust-tukey.yaml');
type Params = Contamination & { tau: number };
const at = (p: Params) => {
  const s = solve(model.problem(p), { maxIterations: 1_000_000 });
  expect(s.status).toBe('converged');
  return { ...s.state, ...s.observables };
};
const tukey = (tau: number): Loss => {
  const loss: Loss = {
    value: (r) => (Math.abs(r) < tau ? (tau * tau / 6) * (1 - (1 - (r * r) / (tau * tau)) ** 3) : tau * tau / 6),
    slope: (r) => (Math.abs(r) < tau ? r * (1 - (r * r) / (tau * tau)) ** 2 : 0),
    kinks: () => [tau],
    nonConvex: true,
    // where the global prox's residual rho = r - u jumps across tau sqrt(0.6) (where loss'' is lowest, inside every
    // gap of the attained residuals): bisection in r on the side of rho, a jump when rho leaps there
    jump: (V) => {
      const rho = (r: number) => r - proxMove(loss, r, V);
      const mid = tau * Math.sqrt(0.6);
      let lo = 0;
      let hi = 10 * tau * (1 + V);
      for (let k = 0; k < 200; k++) {
        const r = (lo + hi) / 2;
        if (rho(r) < mid) lo = r;
        else hi = r;
      }
      return rho(hi) - rho(lo) > 1e-3 * tau ? (lo + hi) / 2 : undefined;
    },
  };
  return loss;
};

describe('robust-tukey.yaml: Tukey biweight regression under contamination', () => {
  it('agrees with an independent implementation of the textbook equations (bisection prox, Simpson quadrature)', () => {
    const points: Params[] = [
      { alpha: 2, lambda: 0.1, tau: 3, Delta_in: 0.1, Delta_out: 1, eps: 0.1, beta: 0 },
      { alpha: 4, lambda: 0.2, tau: 2, Delta_in: 0.2, Delta_out: 5, eps: 0.2, beta: 0.5 },
      { alpha: 5, lambda: 0.5, tau: 2, Delta_in: 0.5, Delta_out: 4, eps: 0.2, beta: -1 },
    ];
    for (const p of points) {
      const s = at(p);
      expect(s.V).toBeLessThan(1.25); // where the prox objective is strictly convex: no jump
      const ref = referenceSolve(p, tukey(p.tau));
      expect(ref.residual).toBeLessThan(1e-9);
      for (const k of ['V', 'm', 'q', 'estimation_error', 'train_loss', 'replicon'] as const) {
        expect(Math.abs(s[k] - ref[k]) / Math.abs(ref[k]), `${k} at ${JSON.stringify(p)}`).toBeLessThan(k === 'estimation_error' ? 5e-7 : 1e-7);
      }
      expect(s.stable).toBe(s.replicon < 1 ? 1 : 0);
    }
  }, 600_000);

  it('V > 1.25: the global prox jumps (Maxwell); agrees with the independent global prox, replicon infinite', () => {
    const points: Params[] = [
      { alpha: 2, lambda: 0.01, tau: 3, Delta_in: 0.1, Delta_out: 1, eps: 0.3, beta: 0 },
      { alpha: 3, lambda: 0.05, tau: 1.5, Delta_in: 0.2, Delta_out: 10, eps: 0.3, beta: 0.5 },
    ];
    for (const p of points) {
      const s = at(p);
      expect(s.V).toBeGreaterThan(1.25);
      const loss = tukey(p.tau);
      // the jump of the model (r0/tau = R1(xA) at the equal-area point) is where the global prox jumps
      expect(Math.abs(s.jump * p.tau - loss.jump!(s.V)!)).toBeLessThan(1e-9);
      const ref = referenceSolve(p, loss, [s.V, s.m, s.q]);
      expect(ref.residual).toBeLessThan(1e-9);
      for (const k of ['V', 'm', 'q', 'estimation_error', 'train_loss'] as const) {
        expect(Math.abs(s[k] - ref[k]) / Math.abs(ref[k]), `${k} at ${JSON.stringify(p)}`).toBeLessThan(k === 'estimation_error' ? 5e-7 : 1e-7);
      }
      expect(s.replicon).toBe(Infinity);
      expect(ref.replicon).toBe(Infinity);
      expect(s.stable).toBe(0);
    }
  }, 600_000);

  it('tau -> infinity: ridge regression in closed form (the loss tends to r^2/2), at rate 1/tau^2', () => {
    const p = { alpha: 2, lambda: 0.5, Delta_in: 0.1, Delta_out: 1, eps: 0.1, beta: 0 };
    const ref = ridgeContaminated(p);
    const gaps = [10, 20, 40].map((tau) => Math.abs(at({ ...p, tau }).estimation_error - ref.estimation_error));
    expect(gaps[1]).toBeLessThan(gaps[0] / 3);
    expect(gaps[2]).toBeLessThan(gaps[1] / 3);
    expect(gaps[2] / ref.estimation_error).toBeLessThan(1e-3);
  });

  it('the replicon grows as V -> 1.25, beyond which the prox jumps', () => {
    // the premise, checked on the loss itself: below V = 1.25 the prox is continuous; at V = 2 its objective has
    // two minima for some residuals (tau = 1, r0 = 1)
    const l = tukey(1);
    const f = (u: number) => l.value(1 - u) + (u * u) / 4;
    const grid = Array.from({ length: 5001 }, (_, i) => -2 + i / 1000);
    const minima = grid.filter((u, i) => i > 0 && i < grid.length - 1 && f(u) < f(grid[i - 1]) && f(u) < f(grid[i + 1]));
    expect(minima.length).toBe(2);
    expect(l.jump!(1.2)).toBeUndefined();
    expect(l.jump!(2)).toBeGreaterThan(0);
    // along lambda down, V grows toward 1.25 and the replicon with it
    const base = { alpha: 3, tau: 1, Delta_in: 0.1, Delta_out: 1, eps: 0.1, beta: 0 };
    const path = [0.1, 0.03, 0.01, 0.005].map((lambda) => at({ ...base, lambda }));
    for (let i = 1; i < path.length; i++) {
      expect(path[i].V).toBeGreaterThan(path[i - 1].V);
      expect(path[i].replicon).toBeGreaterThan(path[i - 1].replicon);
    }
  });
});

describe('the tukey(tau, lambda) estimator of the simulation section', () => {
  it('reaches a local minimum (gradient below 1e-8, no descent direction among random ones) below its Huber start', async () => {
    const { tukey, tukeyLoss } = await import('../../src/simulate/estimators/tukey.ts');
    const { huber } = await import('../../src/simulate/estimators/huber.ts');
    let seed = 3;
    const rnd = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
    const normal = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    const d = 100;
    const n = 250;
    const tau = 1.6;
    const lambda = 0.1;
    const X = Float64Array.from({ length: n * d }, normal);
    const w0 = Float64Array.from({ length: d }, normal);
    const y = Float64Array.from({ length: n }, (_, i) => {
      let z = 0;
      for (let j = 0; j < d; j++) z += X[i * d + j] * w0[j];
      return rnd() < 0.1 ? normal() : z / Math.sqrt(d) + Math.sqrt(0.1) * normal();
    });
    const loss = tukeyLoss(tau);
    const F = (w: Float64Array) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        let z = 0;
        for (let j = 0; j < d; j++) z += X[i * d + j] * w[j];
        f += loss(y[i], z / Math.sqrt(d));
      }
      return f + 0.5 * lambda * w.reduce((s, v) => s + v * v, 0);
    };
    const fit = tukey({ X, y, n, d }, lambda, tau);
    expect(fit.status).toBe('converged');
    expect(fit.certificate).toBeLessThanOrEqual(1e-8);
    expect(F(fit.w)).toBeLessThan(F(huber({ X, y, n, d }, lambda, tau / 2).w));
    // a minimum, not a saddle: F rises along random directions, both ways
    const f0 = F(fit.w);
    for (let k = 0; k < 10; k++) {
      const u = Float64Array.from({ length: d }, normal);
      for (const t of [1e-3, -1e-3]) expect(F(fit.w.map((v, j) => v + t * u[j]))).toBeGreaterThan(f0);
    }
  }, 120_000);
});
