import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.ts';
import { check, loadModel } from '../../src/pipeline/load.ts';
import { sigmoid } from '../../src/numerics/special.ts';
import { safeguardedNewton } from '../../src/numerics/roots.ts';
import { solve } from '../../src/solve/iterate.ts';

const MODEL = `name: inner
description: root, argmin and prox against closed forms
params:
  omega: 0.7
  V: 2.5
  y: 1
order_params:
  x: { init: 0 }
updates:
  x: prox(z, log1pexp(-y * z), omega, V)
observables:
  square: prox(z, (z - y)^2 / 2, omega, V)
  hinge: prox(z, max(0, 1 - y * z), omega, V)
  dprox: D(prox(z, log1pexp(-y * z), omega, V), omega)
  dprox_V: D(prox(z, log1pexp(-y * z), omega, V), V)
  sqrt2: root(u, u^2 - 2, 0, 2)
  none: root(u, u^2 + 1, -1, 1)
  amin: argmin(u, (u - 1)^4 + u, -3, 3)
  env_square: moreau(z, (z - y)^2 / 2, omega, V)
  denv_square: D(moreau(z, (z - y)^2 / 2, omega, V), omega)
  env_logistic: moreau(z, log1pexp(-y * z), omega, V)
  denv_logistic: D(moreau(z, log1pexp(-y * z), omega, V), omega)
`;

describe('inner 1-D problems: root, argmin, prox', () => {
  const compiled = loadModel('inner.yaml', MODEL);
  const at = (params: Record<string, number>) => solve(compiled.problem(params));

  it('moreau: the envelope min_z loss + (z - omega)^2/(2V), and its omega-derivative (omega - prox)/V', () => {
    for (const [omega, V, y] of [[0.7, 2.5, 1], [-3, 0.01, 1], [2, 40, -1], [10, 50, 1]]) {
      const s = at({ omega, V, y });
      // square loss (z - y)^2/2: closed form (omega - y)^2 / (2 (1 + V))
      expect(Math.abs(s.observables.env_square - (omega - y) ** 2 / (2 * (1 + V)))).toBeLessThanOrEqual(1e-13 * (1 + (omega - y) ** 2));
      expect(Math.abs(s.observables.denv_square - (omega - y) / (1 + V))).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(omega - y)));
      // logistic: value at the prox (state x), and the envelope theorem for the derivative
      const z = s.state.x;
      const env = Math.log1p(Math.exp(-y * z)) + (z - omega) ** 2 / (2 * V);
      expect(Math.abs(s.observables.env_logistic - env)).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(env)));
      // the envelope is below the objective at any other point (it is the minimum)
      for (const dz of [-1e-3, 1e-3]) expect(s.observables.env_logistic).toBeLessThan(Math.log1p(Math.exp(-y * (z + dz))) + (z + dz - omega) ** 2 / (2 * V));
      expect(Math.abs(s.observables.denv_logistic - (omega - z) / V)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(omega - z) / V));
    }
  });

  it('match closed forms, to ~1e-15', () => {
    for (const [omega, V, y] of [[0.7, 2.5, 1], [-3, 0.01, 1], [2, 4000, -1], [0, 1e-6, 1], [10, 50, 1]]) {
      const s = at({ omega, V, y });
      const z = s.state.x;
      // The logistic prox solves z = omega + V y sigmoid(-y z).
      expect(Math.abs(z - (omega + V * y * sigmoid(-y * z)))).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(z)));
      expect(s.observables.square).toBeCloseTo((omega + V * y) / (1 + V), 12);
      // Hinge: piecewise closed form (the kink sticks on an interval of omega).
      const m = y * omega;
      const hinge = m >= 1 ? omega : m <= 1 - V ? omega + V * y : y;
      expect(Math.abs(s.observables.hinge - hinge)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(hinge)));
    }
    const s = at({});
    expect(s.observables.sqrt2).toBe(safeguardedNewton((u) => u * u - 2, (u) => 2 * u, 0, 2));
    expect(Math.abs(s.observables.sqrt2 - Math.SQRT2)).toBeLessThan(4e-16);
    expect(s.observables.none).toBeNaN();
    expect(s.observables.amin).toBeCloseTo(1 - 0.25 ** (1 / 3), 14);
  });

  it('derivatives by implicit differentiation agree with finite differences', () => {
    const base = at({}).observables;
    const h = 1e-6;
    const fd = (k: string) => (at({ [k]: (k === 'omega' ? 0.7 : 2.5) + h }).state.x - at({ [k]: (k === 'omega' ? 0.7 : 2.5) - h }).state.x) / (2 * h);
    expect(base.dprox).toBeCloseTo(fd('omega'), 8);
    expect(base.dprox_V).toBeCloseTo(fd('V'), 8);
    // and the closed form 1 / (1 + V loss''(z)) for d prox / d omega
    const z = at({}).state.x;
    expect(base.dprox).toBeCloseTo(1 / (1 + 2.5 * sigmoid(z) * sigmoid(-z)), 13);
  });

  it('compiled and interpreted agree bit for bit', () => {
    const a = solve(compiled.problem());
    const b = solve(compile(compiled.program, { interpreted: true }).problem());
    expect(b.state.x).toBe(a.state.x);
    for (const [k, v] of Object.entries(a.observables)) expect(b.observables[k]).toBe(v);
  });

  it('the inner variable must be a new name, and the form has 4 arguments', () => {
    const bad = MODEL.replace('sqrt2: root(u, u^2 - 2, 0, 2)', 'sqrt2: root(omega, omega^2 - 2, 0, 2)').replace('amin: argmin(u, (u - 1)^4 + u, -3, 3)', 'amin: argmin(u, u^2)');
    const { issues } = check('inner.yaml', bad);
    expect(issues.map((i) => [i.code, i.symbol])).toEqual([['duplicate-name', 'omega'], ['wrong-arity', 'argmin']]);
  });
});
