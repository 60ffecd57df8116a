import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';

// The replicon pattern of docs/model-files.md on test/fixtures/erm-replicon.yaml (ERM with a loss of the residual
// and an ell-2 penalty): replicon = alpha E[(1 - d prox / d r0)^2] = alpha E[(V l''/(1 + V l''))^2].
const model = loadModel('test/fixtures/erm-replicon.yaml');
const at = (p: Record<string, number>) => solve(model.problem(p));

describe('replicon (de Almeida-Thouless) eigenvalue of ERM with an ell-2 penalty', () => {
  it('square loss: alpha (V / (1 + V))^2 with V the root of lambda V^2 + (lambda + alpha - 1) V = 1 (closed form)', () => {
    for (const [alpha, lambda] of [[0.5, 1], [2, 0.1], [5, 0.01], [2, 1e-3], [0.5, 1e-3]]) {
      const s = at({ kind: 0, alpha, lambda });
      expect(s.status).toBe('converged');
      const B = lambda + alpha - 1;
      const V = (-B + Math.sqrt(B * B + 4 * lambda)) / (2 * lambda);
      expect(s.observables.replicon).toBeCloseTo(alpha * (V / (1 + V)) ** 2, 9);
      expect(s.observables.replicon).toBeLessThan(1);
    }
  });

  it('a convex loss (Huber): replicon <= V Vhat < 1 everywhere (alpha E[x^2] <= alpha E[x] for x in [0, 1))', { timeout: 120_000 }, () => {
    for (const alpha of [0.5, 2, 5]) {
      for (const lambda of [1, 0.1, 0.01, 1e-3]) {
        const s = at({ kind: 1, alpha, lambda });
        expect(s.status).toBe('converged');
        expect(s.observables.replicon).toBeLessThanOrEqual(s.observables.VVhat * (1 + 1e-9));
        expect(s.observables.VVhat).toBeLessThan(1);
      }
    }
  });

  it('Tukey (non-convex): crosses 1 while its prox is still unique (V < 1.25), checked against an integral over r0 with the prox by bisection; infinite once the prox jumps', { timeout: 120_000 }, () => {
    const tau = 2;
    const Delta = 0.5;
    const d1 = (r: number) => (Math.abs(r) < tau ? r * (1 - r * r / tau ** 2) ** 2 : 0);
    const d2 = (r: number) => (Math.abs(r) < tau ? (1 - r * r / tau ** 2) * (1 - 5 * r * r / tau ** 2) : 0);
    /** alpha E_r0[(V l''(rho)/(1 + V l''(rho)))^2], r0 ~ N(0, v), rho + V l'(rho) = r0 by bisection (unique for
     * V < 1.25), by the trapezoid rule over r0 (independent of the model's change of variables and quadrature). */
    const reference = (alpha: number, V: number, v: number): number => {
      const n = 40_000;
      const L = 12 * Math.sqrt(v);
      let acc = 0;
      for (let i = 0; i <= n; i++) {
        const r0 = -L + (2 * L * i) / n;
        let [a, b] = [-50, 50];
        for (let k = 0; k < 100; k++) { const c = 0.5 * (a + b); if (c + V * d1(c) < r0) a = c; else b = c; }
        const x = (V * d2(a)) / (1 + V * d2(a));
        acc += (i === 0 || i === n ? 0.5 : 1) * Math.exp(-r0 * r0 / (2 * v)) / Math.sqrt(2 * Math.PI * v) * x * x;
      }
      return alpha * acc * (2 * L / n);
    };
    const replicons = [0.5, 0.3].map((lambda) => {
      const s = at({ kind: 2, alpha: 2, lambda, tau, Delta });
      expect(s.status).toBe('converged');
      expect(s.state.V).toBeLessThan(1.25);
      const v = 1 - 2 * s.state.m + s.state.q + Delta;
      expect(s.observables.replicon).toBeCloseTo(reference(2, s.state.V, v), 6);
      return s.observables.replicon;
    });
    expect(replicons[0]).toBeLessThan(1); // lambda = 0.5, V = 0.92: stable
    expect(replicons[1]).toBeGreaterThan(1); // lambda = 0.3, V = 1.14: RS unstable, though the prox is unique
    // lambda = 0.1: V = 1.7, the prox objective is not convex and the global prox jumps: infinite
    const u = at({ kind: 2, alpha: 2, lambda: 0.1, tau, Delta });
    expect(u.status).toBe('converged');
    expect(u.state.V).toBeGreaterThan(1.25);
    expect(u.observables.replicon).toBe(Infinity);
  });
});
