import { describe, expect, it } from 'vitest';
import type { Compiled } from '../../src/compile/compile.ts';
import { H } from '../../src/numerics/special.ts';
import { solve } from '../../src/solve/iterate.ts';
import { glmText, load, npdf, observe, rel, simpson, sweepOnce } from './helpers.ts';

/**
 * State evolution on the Nishimori line from the pieces, two ways: the accurate forms of the built-in pieces
 * (changes of variables, closed forms) and the generic path (quadrature of the pieces' log Z against the
 * teacher's averages), also reached through user-given pieces (a density, values, a likelihood). Where plain
 * Gauss-Hermite resolves the generic integrands the two must agree to rounding; where they cannot (q near
 * rho_w, with features of width sqrt(V) in xi), the accurate forms are checked against independent
 * quadratures written here.
 *
 * Compared at a state (q, alpha): the sweep's qhat = alpha E_xi int dy Zout gout^2 (the channel), its q
 * (the prior at that qhat), and free_energy at (q, qhat) (both Psi_w and Psi_out).
 */
function compare(a: Compiled, b: Compiled, params: Record<string, number>, qs: readonly number[], tol: number): void {
  for (const alpha of [0.5, 3]) {
    for (const q of qs) {
      const ps = { ...params, alpha };
      const x = sweepOnce(a, ps, { q });
      const y = sweepOnce(b, ps, { q });
      const s = { q, qhat: x.qhat };
      expect(rel(y.qhat, x.qhat), `qhat at q = ${q}, alpha = ${alpha}`).toBeLessThan(tol);
      expect(rel(y.q, x.q), `q at qhat = ${x.qhat}`).toBeLessThan(tol);
      expect(rel(observe(b, ps, s).free_energy, observe(a, ps, s).free_energy, 1e-2), `free_energy at q = ${q}`).toBeLessThan(tol);
    }
  }
}

const QS = [0.05, 0.2, 0.4];

describe('built-in priors against their generic form', () => {
  it('gaussian = the density exp(-w^2/2) (exact both ways)', () => {
    compare(load(glmText('gaussian', 'linear(0.5)')), load(glmText('{ density: "exp(-w^2/2)" }', 'linear(0.5)')), {}, [0.05, 0.3, 0.6, 0.9], 1e-13);
  });

  it('gaussian(v) = the density exp(-w^2/(2 v)) with scale sqrt(v)', () => {
    compare(load(glmText('gaussian(v)', 'linear(0.5)', { v: 2 })),
      load(glmText('{ density: "exp(-w^2/(2 * v))", scale: sqrt(v) }', 'linear(0.5)', { v: 2 })), { v: 2 }, [0.1, 0.6, 1.2, 1.8], 1e-13);
  });

  it('rademacher = the values [-1, 1] (200 Gauss-Hermite nodes in the generic form; the accurate one is split where B = 0)', () => {
    // the generic xi-rule resolves tanh(qhat + sqrt(qhat) xi), which switches over 1/sqrt(qhat), to ~1e-10 at
    // qhat ~ 5 (the accurate form to ~1e-14: test/models/spiked-wigner.test.ts, against a trapezoid rule)
    compare(load(glmText('rademacher', 'linear(0.5)')), load(glmText('{ values: [-1, 1] }', 'linear(0.5)', {}, 'quadrature:\n  nodes: 200')), {}, [0.05, 0.3, 0.6, 0.9], 1e-9);
  });

  it('gauss-bernoulli(rho): accurate = generic while qhat / rho is moderate (the generic sigmoid of B^2 sharpens beyond)', () => {
    const ps = { rho: 0.3, Delta: 0.1 };
    const text = (generic: boolean) => glmText('gauss-bernoulli(rho)', 'linear(Delta)', ps, 'quadrature:\n  nodes: 200', generic);
    // qhat up to ~4, qhat / rho up to ~13
    compare(load(text(false)), load(text(true)), ps, [0.05, 0.3], 1e-13);
  });
});

describe('built-in channels against their generic form', () => {
  const pair = (channel: string, params: Record<string, number> = {}) =>
    [load(glmText('gaussian', channel, params)), load(glmText('gaussian', channel, params, '', true))] as const;

  it.each([
    ['linear(Delta)', { Delta: 0.3 }, [0.05, 0.3, 0.6, 0.9], 1e-13],
    ['sign', {}, QS, 1e-13],
    ['sign(eps)', { eps: 0.1 }, QS, 1e-10],
    ['relu', {}, [0.05, 0.3, 0.6], 1e-13],
    // abs: the generic integrand gout(|omega + sqrt(V) s|)^2 has tanh(y omega / V): resolved only for small q
    ['abs', {}, [0.01, 0.05], 1e-10],
  ] as const)('%s', (channel, params, qs, tol) => {
    const [a, b] = pair(channel, params);
    compare(a, b, params, qs, tol);
  });
});

describe('channels given by their likelihood', () => {
  it('linear(Delta) = the Gaussian likelihood with a real label', () => {
    compare(load(glmText('gaussian', 'linear(Delta)', { Delta: 0.5 })),
      load(glmText('gaussian', '{ likelihood: "npdf((y - z) / sqrt(Delta)) / sqrt(Delta)", y: real, y_scale: sqrt(Delta) }', { Delta: 0.5 })),
      { Delta: 0.5 }, [0.05, 0.3, 0.6, 0.9], 1e-13);
  });

  it('sign = the step (1 + y sign z) / 2 with its kink declared', () => {
    compare(load(glmText('gaussian', 'sign')), load(glmText('gaussian', '{ likelihood: "(1 + y * sign(z)) / 2", y: [-1, 1], kinks: [0] }')), {}, [0.05, 0.3, 0.6], 1e-13);
  });

  it('sign(eps) = eps + (1 - 2 eps) [y z > 0] with its kink declared', () => {
    compare(load(glmText('gaussian', 'sign(eps)', { eps: 0.1 })),
      load(glmText('gaussian', '{ likelihood: "eps + (1 - 2 * eps) * (y * z > 0)", y: [-1, 1], kinks: [0] }', { eps: 0.1 })), { eps: 0.1 }, QS, 1e-10);
  });

  it('a probit likelihood H(-y z / s) equals its closed form Zout = H(-y omega / sqrt(V + s^2)) integrated here', () => {
    // reference: E_xi sum_y Zout gout^2 and E_xi sum_y Zout log Zout with the closed form, by Simpson's rule in xi
    const s2 = 0.2;
    const c = load(glmText('gaussian', '{ likelihood: "H(-y * z / sqrt(0.2))", y: [-1, 1] }'));
    for (const q of [0.2, 0.5, 0.8]) {
      const W = 1 - q + s2;
      const k = Math.sqrt(q / W);
      const Z = (y: number, xi: number) => H(-y * k * xi);
      const fisher = simpson((xi) => npdf(xi) * [-1, 1].reduce((t, y) => t + (npdf(k * xi) ** 2 / W) / Z(y, xi), 0), -12, 12, 24000);
      const psi = simpson((xi) => npdf(xi) * [-1, 1].reduce((t, y) => t + Z(y, xi) * Math.log(Z(y, xi)), 0), -12, 12, 24000);
      expect(rel(sweepOnce(c, { alpha: 1 }, { q }).qhat, fisher)).toBeLessThan(1e-10);
      // at qhat = 0 and alpha = 1 the free energy is -Psi_out(q)
      expect(Math.abs(-observe(c, { alpha: 1 }, { q, qhat: 0 }).free_energy - psi)).toBeLessThan(1e-10);
    }
  });
});

describe('accurate forms where the generic path fails (q -> rho_w)', () => {
  it('sign(eps): the Mills-ratio form and the substituted Psi_out equal the textbook integrals up to q = 0.995', () => {
    // Zout = eps + (1 - 2 eps) H(-y k xi), gout = (1 - 2 eps) y N(k xi) / (sqrt(V) Zout), k = sqrt(q / V): the
    // features have width 1/k in xi, resolved here by Simpson's rule with a step well below it.
    const eps = 0.1;
    const acc = load(glmText('gaussian', 'sign(eps)', { eps }));
    const gen = load(glmText('gaussian', 'sign(eps)', { eps }, '', true));
    for (const q of [0.3, 0.6, 0.9, 0.99, 0.995]) {
      const V = 1 - q;
      const k = Math.sqrt(q / V);
      const Z = (y: number, xi: number) => eps + (1 - 2 * eps) * H(-y * k * xi);
      const fisher = simpson((xi) => npdf(xi) * [-1, 1].reduce((t, y) => t + ((1 - 2 * eps) * npdf(k * xi)) ** 2 / (V * Z(y, xi)), 0), -12, 12, 240000);
      const psi = simpson((xi) => npdf(xi) * [-1, 1].reduce((t, y) => t + Z(y, xi) * Math.log(Z(y, xi)), 0), -12, 12, 240000);
      expect(rel(sweepOnce(acc, { alpha: 1, eps }, { q }).qhat, fisher)).toBeLessThan(1e-10);
      expect(Math.abs(-observe(acc, { alpha: 1, eps }, { q, qhat: 0 }).free_energy - psi)).toBeLessThan(1e-11);
      // (the generic form is off here: by 2e-4 at q = 0.9 and in the first digit at q = 0.99)
      if (q >= 0.9) expect(rel(sweepOnce(gen, { alpha: 1, eps }, { q }).qhat, fisher)).toBeGreaterThan(1e-5);
    }
  }, 60_000);
});

describe('a symmetry', () => {
  it('the sign channel ignores the scale of the teacher: gaussian(v) has q / v, gen_error and free_energy independent of v', () => {
    // y = sign(w*.x) is unchanged by w* -> c w*; the mutual information, the overlap q / rho_w and the error are too
    const c = load(glmText('gaussian(v)', 'sign', { v: 1 }));
    const ref = solve(c.problem({ v: 1, alpha: 2 }), { rtol: 1e-13 });
    for (const v of [0.3, 3]) {
      const s = solve(c.problem({ v, alpha: 2 }), { rtol: 1e-13 });
      expect(s.status).toBe('converged');
      expect(Math.abs(s.state.q / v - ref.state.q)).toBeLessThan(1e-11);
      expect(Math.abs(s.observables.gen_error - ref.observables.gen_error)).toBeLessThan(1e-11);
      expect(Math.abs(s.observables.free_energy - ref.observables.free_energy)).toBeLessThan(1e-11);
    }
  });
});

describe('a non-Gaussian density prior', () => {
  it('p(w) ~ exp(-w^4/4): q(qhat) = E[w* fa] equals the textbook triple integral', () => {
    // reference: w* ~ p and xi ~ N(0, 1) on a grid, fa(B) = int w p(w) e^(B w - qhat w^2/2) / int p(w) e^(...), all
    // by Simpson's rule (no Gauss-Hermite, no importance weights)
    const p = (w: number) => Math.exp(-(w ** 4) / 4);
    const grid = (a: number, b: number, n: number) => Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
    const ws = grid(-6, 6, 600);
    const sw = ws.map((_, i) => (i === 0 || i === 600 ? 1 : i % 2 ? 4 : 2) * (12 / 600) / 3);
    const Zp = ws.reduce((t, w, i) => t + sw[i] * p(w), 0);
    const fa = (B: number, A: number) => {
      // (the exponent stays below ~50 for the fields met here: no overflow)
      let z = 0;
      let m = 0;
      ws.forEach((w, i) => { const e = sw[i] * Math.exp(B * w - (A * w * w) / 2 - (w ** 4) / 4); z += e; m += e * w; });
      return m / z;
    };
    const qOf = (qhat: number) => simpson((ws_) => p(ws_) / Zp * simpson((xi) => npdf(xi) * ws_ * fa(qhat * ws_ + Math.sqrt(qhat) * xi, qhat), -8, 8, 100), -5, 5, 100);
    const c = load(glmText('{ density: "exp(-w^4/4)", scale: 0.8, nodes: 96 }', 'linear(1)', {}, 'free_energy: 0'));
    for (const q of [0.1, 0.4]) {
      const x = sweepOnce(c, { alpha: 1 }, { q });
      expect(rel(x.q, qOf(x.qhat))).toBeLessThan(1e-8);
    }
  }, 60_000);
});
