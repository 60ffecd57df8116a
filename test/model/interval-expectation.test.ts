import { describe, expect, it } from 'vitest';
import { check, loadModel } from '../../src/pipeline/load.ts';
import { compile } from '../../src/compile/compile.ts';
import { H, ncdf, npdf } from '../../src/numerics/special.ts';
import { solve } from '../../src/solve/iterate.ts';

const MODEL = `name: intervals
description: restricted Gaussian expectations against closed forms
params:
  a: 0.3
  k: 0.5
variables:
  t: normal
order_params:
  x: { init: 0 }
updates:
  x: E(t < a, a - t) + E(t > a, t - a)
observables:
  plain: E(t, abs(t - a))
  upper: E(a > t, 1)
  band: E(-1 < t < 2, t^2)
  band_reversed: E(2 > t > -1, t^2)
  moving: D(E(t > -k, (t + k)^2), k)
  moving_both: D(E(-k < t < k^2, t), k)
`;

describe('restricted expectations E(t > a, ...), E(a < t < b, ...)', () => {
  const compiled = loadModel('i.yaml', MODEL);
  const s = solve(compiled.problem());
  const a = 0.3;
  const k = 0.5;

  it('split at a kink they are exact, where plain Gauss-Hermite is not', () => {
    const closed = 2 * npdf(a) + a * (2 * ncdf(a) - 1); // E|t - a|
    expect(Math.abs(s.state.x - closed)).toBeLessThan(1e-14);
    expect(Math.abs(s.observables.plain - closed)).toBeGreaterThan(1e-8);
  });

  it('reads every way of writing an interval', () => {
    expect(s.observables.upper).toBeCloseTo(ncdf(a), 14);
    const band = ncdf(2) - ncdf(-1) + (-1 * npdf(-1) - 2 * npdf(2)); // int_{-1}^2 N t^2 = M0 + [a N(a) - b N(b)]
    expect(s.observables.band).toBeCloseTo(band, 14);
    expect(s.observables.band_reversed).toBe(s.observables.band);
  });

  it('D(...) includes the boundary terms when the ends move (Leibniz rule)', () => {
    expect(s.observables.moving).toBeCloseTo(2 * (npdf(k) + k * H(-k)), 12);
    // d/dk int_{-k}^{k^2} N(t) t dt = d/dk [N(-k) - N(k^2)] = 2k * k^2 N(k^2) - k N(k)... computed by finite differences:
    const f = (kk: number) => npdf(-kk) - npdf(kk * kk);
    expect(s.observables.moving_both).toBeCloseTo((f(k + 1e-6) - f(k - 1e-6)) / 2e-6, 8);
  });

  it('generated code and the interpreter agree', () => {
    const i = solve(compile(compiled.program, { interpreted: true }).problem());
    for (const [name, v] of Object.entries(s.observables)) expect(Math.abs(i.observables[name] - v)).toBeLessThanOrEqual(1e-14);
  });

  it('an interval over a discrete variable is a located mistake', () => {
    const bad = MODEL.replace('  t: normal', '  t: normal\n  y: { values: [-1, 1] }').replace('upper: E(a > t, 1)', 'upper: E(y > 0, 1)');
    const { issues } = check('i.yaml', bad);
    expect(issues.map((x) => [x.code, x.symbol])).toEqual([['bad-value', 'y']]);
  });
});
