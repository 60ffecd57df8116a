import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { bisectPredicate, brent } from '../../src/numerics/roots.ts';

describe('brent', () => {
  it('finds roots of smooth functions to the tolerance, quickly', () => {
    const r = brent((x) => Math.cos(x) - x, 0, 1, 1e-14);
    expect(r.converged).toBe(true);
    expect(r.root).toBeCloseTo(0.7390851332151607, 13);
    expect(r.evaluations).toBeLessThan(15);
  });

  test.prop([fc.double({ min: -5, max: 5, noNaN: true }), fc.integer({ min: 1, max: 5 })])('cubic-like x^k - c', (c, k) => {
    const odd = 2 * k + 1;
    const f = (x: number) => x ** odd - c;
    const r = brent(f, -3, 3, 1e-12);
    expect(r.converged).toBe(true);
    expect(Math.abs(r.root - Math.sign(c) * Math.abs(c) ** (1 / odd))).toBeLessThan(1e-10);
  });

  it('handles a discontinuous sign change (a step) like bisection', () => {
    const r = brent((x) => (x < 0.3 ? -1 : 1), 0, 1, 1e-9);
    expect(r.converged).toBe(true);
    expect(Math.abs(r.root - 0.3)).toBeLessThan(1e-9);
  });

  it('reports no bracket instead of guessing', () => {
    const r = brent((x) => x * x + 1, -1, 1);
    expect(r.converged).toBe(false);
    expect(r.root).toBeNaN();
  });
});

describe('bisectPredicate', () => {
  it('brackets the edge of a predicate', () => {
    const r = bisectPredicate((x) => x < Math.SQRT2, 1, 2, 1e-9);
    expect(r.converged).toBe(true);
    expect(r.bracket[0]).toBeLessThan(Math.SQRT2);
    expect(r.bracket[1]).toBeGreaterThanOrEqual(Math.SQRT2);
    expect(r.bracket[1] - r.bracket[0]).toBeLessThanOrEqual(1e-9);
  });
});
