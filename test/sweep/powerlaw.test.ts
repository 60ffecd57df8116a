import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitPowerLaw } from '../../src/sweep/powerlaw.ts';
import { grid } from '../../src/sweep/axis.ts';

describe('fitPowerLaw', () => {
  it('recovers an exact power law: slope, intercept, zero error, constant local slopes', () => {
    fc.assert(fc.property(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (s, c) => {
      const xs = grid(1e2, 1e6, 30, true);
      const f = fitPowerLaw(xs, xs.map((x) => c * x ** s));
      expect(f.slope).toBeCloseTo(s, 9);
      expect(f.intercept).toBeCloseTo(Math.log(c), 7);
      expect(f.stderr).toBeLessThan(1e-9);
      for (const l of f.localSlopes) expect(l.slope).toBeCloseTo(s, 9);
    }));
  });

  it('the standard error matches ordinary least squares on noisy data, and the window restricts the fit', () => {
    const xs = grid(10, 1e5, 41, true);
    // y = x^-1 for x < 1e3, x^-2 beyond: the window picks the regime
    const ys = xs.map((x) => (x < 1e3 ? 1 / x : 1e3 / (x * x)));
    expect(fitPowerLaw(xs, ys, [1e3, 1e5]).slope).toBeCloseTo(-2, 10);
    expect(fitPowerLaw(xs, ys, [10, 1e3]).slope).toBeCloseTo(-1, 10);
    // a deterministic zig-zag around a slope of -0.5: OLS by hand
    const zs = xs.map((x, i) => x ** -0.5 * Math.exp(i % 2 ? 0.01 : -0.01));
    const f = fitPowerLaw(xs, zs);
    const u = xs.map(Math.log);
    const v = zs.map(Math.log);
    const mu = u.reduce((a, b) => a + b) / u.length;
    const mv = v.reduce((a, b) => a + b) / v.length;
    const sxx = u.reduce((a, b) => a + (b - mu) ** 2, 0);
    const b = u.reduce((a, x, i) => a + (x - mu) * (v[i] - mv), 0) / sxx;
    const res = v.map((y, i) => y - (mv - b * mu) - b * u[i]);
    expect(f.slope).toBeCloseTo(b, 12);
    expect(f.stderr).toBeCloseTo(Math.sqrt(res.reduce((a, r) => a + r * r, 0) / (u.length - 2) / sxx), 12);
  });

  it('leaves out points that are not positive and finite, and says how many', () => {
    const f = fitPowerLaw([1, 2, 4, 8], [1, Number.NaN, 0.25, -1]);
    expect(f.points).toBe(2);
    expect(f.leftOut).toBe(2);
    expect(f.slope).toBeCloseTo(-1, 12);
    expect(Number.isNaN(f.stderr)).toBe(true);
  });
});
