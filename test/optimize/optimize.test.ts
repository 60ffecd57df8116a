import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { optimize, parseConditions } from '../../src/optimize/optimize.ts';
import { UsageError } from '../../src/base/errors.ts';

const ridge = loadModel(new URL('../../equations/ridge.yaml', import.meta.url).pathname);

describe('saddle optimize', () => {
  it('ridge: the penalty that minimises the estimation error is lambda = Delta (the posterior mean of a N(0, 1) prior)', () => {
    for (const [alpha, Delta] of [[2, 0.5], [0.7, 0.1], [3, 1]]) {
      const o = optimize(ridge, { objective: 'estimation_error', over: [{ name: 'lambda', lo: 1e-4, hi: 10 }], fixed: { alpha, Delta } });
      expect(o.status).toBe('converged');
      // the reported bracket holds the exact optimum
      expect(o.bracket.lambda[0]).toBeLessThanOrEqual(Delta * (1 + 1e-9));
      expect(o.bracket.lambda[1]).toBeGreaterThanOrEqual(Delta * (1 - 1e-9));
      expect(Math.abs(o.at.lambda - Delta) / Delta).toBeLessThan(1e-5);
      expect(o.params).toMatchObject({ alpha, Delta, lambda: o.at.lambda });
      expect(o.solves.every((s) => s.status === 'converged')).toBe(true);
      expect(o.origin.model).toBe('ridge');
    }
  });

  it('maximise, and a condition that moves the optimum to the edge of the feasible region', () => {
    // gen_error of ridge falls with lambda past the optimum? use a condition instead: the optimum with V >= 1
    const free = optimize(ridge, { objective: 'estimation_error', over: [{ name: 'lambda', lo: 1e-3, hi: 10 }], fixed: { alpha: 2, Delta: 0.5 } });
    const V = free.solution!.state.V;
    const constrained = optimize(ridge, { objective: 'estimation_error', over: [{ name: 'lambda', lo: 1e-3, hi: 10 }], fixed: { alpha: 2, Delta: 0.5 },
      where: [{ quantity: 'V', op: '>=', value: V * 1.2 }] });
    expect(constrained.status).toBe('converged');
    expect(constrained.solution!.state.V).toBeGreaterThanOrEqual(V * 1.2);
    expect(constrained.value).toBeGreaterThan(free.value);
    expect(constrained.at.lambda).toBeLessThan(free.at.lambda); // a larger response needs a smaller penalty
  });

  it('two variables: Nelder-Mead finds the minimum of a known function', () => {
    const toy = loadModel('toy.yaml', `name: toy
description: a known function of two parameters, minimal at a = 1, b = 2
params:
  a: { default: 0.5, min: 0.01 }
  b: { default: 1, min: 0.01 }
order_params:
  q: { init: 0 }
updates:
  q: (a - 1)^2 + 3 * (b - 2 * a)^2 + 0.5
observables:
  f: q
`);
    const o = optimize(toy, { objective: 'f', over: [{ name: 'a', lo: 0.1, hi: 10 }, { name: 'b', lo: 0.1, hi: 10 }], tol: 1e-7 });
    expect(o.status).toBe('converged');
    expect(o.at.a).toBeCloseTo(1, 5);
    expect(o.at.b).toBeCloseTo(2, 5);
    expect(o.value).toBeCloseTo(0.5, 9);
  });

  it('conditions are read and checked; misuse is a UsageError', () => {
    expect(parseConditions('V < 1 and q >= 0.5', ['V', 'q'])).toEqual([{ quantity: 'V', op: '<', value: 1 }, { quantity: 'q', op: '>=', value: 0.5 }]);
    expect(() => parseConditions('replicon < 1', ['V'])).toThrow(UsageError);
    expect(() => parseConditions('V ~ 1', ['V'])).toThrow(UsageError);
    expect(() => optimize(ridge, { objective: 'nope', over: [{ name: 'lambda', lo: 0.1, hi: 1 }] })).toThrow(UsageError);
    expect(() => optimize(ridge, { objective: 'gen_error', over: [{ name: 'nope', lo: 0.1, hi: 1 }] })).toThrow(UsageError);
  });

  it('no converged point: not-found, never a guess', () => {
    const o = optimize(ridge, { objective: 'estimation_error', over: [{ name: 'lambda', lo: 1e-3, hi: 1 }], fixed: { alpha: 2 },
      solver: { maxIterations: 1 } });
    expect(o.status).toBe('not-found');
    expect(Number.isNaN(o.value)).toBe(true);
    expect(o.solves.length).toBeGreaterThan(0);
  });
});

describe('optimizeAlong', () => {
  it('along alpha, the optimal ridge penalty stays lambda = Delta and the optimal error falls with alpha', async () => {
    const { optimizeAlong } = await import('../../src/optimize/optimize.ts');
    const rows = optimizeAlong(ridge, { Delta: 0.25 }, { name: 'alpha', values: [0.5, 1, 2, 4] },
      { objective: 'estimation_error', over: [{ name: 'lambda', lo: 1e-3, hi: 10 }] });
    expect(rows.map((o) => o.status)).toEqual(['converged', 'converged', 'converged', 'converged']);
    for (const o of rows) expect(Math.abs(o.at.lambda - 0.25) / 0.25).toBeLessThan(1e-5);
    const errors = rows.map((o) => o.value);
    expect([...errors].sort((a, b) => b - a)).toEqual(errors);
  });
});
