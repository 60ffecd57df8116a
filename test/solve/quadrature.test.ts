import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { H, npdf } from '../../src/numerics/special.ts';
import { solve } from '../../src/solve/iterate.ts';
import { refinedProblem } from '../../src/solve/quadrature.ts';
import { sweep } from '../../src/sweep/continuation.ts';

// x = E max(0, z - a) + x/2: the fixed point is x* = 2 (npdf(a) - a H(a)); Gauss-Hermite across the kink is ~7e-4 off
const KINK = 'test/fixtures/quadrature-kink.yaml';
const kink = loadModel(KINK);
const exact = (a: number) => 2 * (npdf(a) - a * H(a));

describe('solve: the quadrature error at the solution (every rule doubled, once per solve)', () => {
  it('a kink integrated across by Gauss-Hermite: converged, and a warning naming the update and its change', () => {
    const s = solve(kink.problem({ a: 0.3 }));
    expect(s.status).toBe('converged');
    const w = (s.warnings ?? []).filter((x) => x.startsWith('quadrature:'));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/the update of `x` moves by [0-9.]+e-4/);
    // the warning is true: the converged x is off by far more than the tolerance claims
    expect(Math.abs(s.state.x - exact(0.3))).toBeGreaterThan(1e-5);
    // and the estimate is of the right size: |F_2n - F_n| ~ the error of the map, amplified 2x by the contraction 1/2
    const change = Number(/moves by ([0-9.]+e-\d+)/.exec(w[0])![1]);
    expect(change / Math.abs(s.state.x - exact(0.3))).toBeGreaterThan(0.1);
    expect(change / Math.abs(s.state.x - exact(0.3))).toBeLessThan(10);
  });

  it('the same integral split at the kink (exact): no warning, and the fixed point right to the tolerance', () => {
    const text = readFileSync(KINK, 'utf8').replace('x: E(z, max(0, z - a)) + x / 2', 'x: E(z > a, z - a) + x / 2');
    const split = loadModel('kink-split.yaml', text);
    const s = solve(split.problem({ a: 0.3 }));
    expect(s.status).toBe('converged');
    expect(s.warnings ?? []).toEqual([]);
    expect(Math.abs(s.state.x - exact(0.3))).toBeLessThan(1e-9);
  });

  it('can be turned off; a model without a rule to refine (only discrete sums) is not checked', () => {
    expect(solve(kink.problem(), { quadratureCheck: false }).warnings).toBeUndefined();
    expect(refinedProblem(loadModel('equations/lasso.yaml').problem())).toBeUndefined();
    expect(refinedProblem(kink.problem())).toBeDefined();
  });

  it('a sweep carries the warning on each point it applies to', () => {
    const rows = sweep(kink, {}, { name: 'a', values: [0.1, 0.3, 0.5] });
    expect(rows.map((r) => r.solution.status)).toEqual(['converged', 'converged', 'converged']);
    expect(rows.every((r) => (r.solution.warnings ?? []).some((w) => w.startsWith('quadrature:')))).toBe(true);
  });
});
