import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.ts';
import { check, loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { erf } from '../../src/numerics/special.ts';
import { toLatex } from '../../src/ir/latex.ts';

// Plain integrals integral(r, a, b, f) (measures/interval.ts) against closed forms; test/fixtures/integrals.yaml.
const model = loadModel('test/fixtures/integrals.yaml');
const a = 0.7;
const c = 2;
const H = (x: number) => 0.5 * (1 - erf(x / Math.SQRT2));

describe('integral(r, a, b, f): Gauss-Legendre on [a, b]', () => {
  const s = solve(model.problem({ a, c }), { rtol: 1e-15, atol: 1e-15 });
  it('in updates: fixed ends with a state-dependent body, and a moving end', () => {
    expect(s.status).toBe('converged');
    expect(s.state.x).toBeCloseTo((-1 + Math.sqrt(1 + 4 * c)) / 2, 12); // x = c / (1 + x)
    // y = 1 - e^-y + a/2, by bisection here
    let [lo, hi] = [0.01, 5];
    for (let k = 0; k < 200; k++) { const m = 0.5 * (lo + hi); if (1 - Math.exp(-m) + a / 2 - m > 0) lo = m; else hi = m; }
    expect(s.state.y).toBeCloseTo(lo, 12);
  });
  it('in observables: a polynomial exactly, erf, a Gaussian tail, a kink split at its point', () => {
    const o = s.observables;
    expect(o.poly).toBeCloseTo(5.25, 14); // int_-1^2 r^3 - r + 1 dr, degree 3 <= 2n - 1
    expect(o.erf_a).toBeCloseTo(erf(a), 14);
    expect(o.tail).toBeCloseTo(H(a), 13); // int_a^(a+12) npdf: the rest is below 1e-30
    expect(o.kink).toBeCloseTo((1 + a) ** 2 / 2 + (2 - a) ** 2 / 2, 14);
    // unsplit, the kink costs accuracy (algebraic convergence): the reason for split points
    expect(Math.abs(o.kink_unsplit - o.kink)).toBeGreaterThan(1e-4);
    expect(o.nested).toBeCloseTo(1 / 8, 14);
    expect(o.in_e).toBeCloseTo(0, 14);
    expect(o.outside).toBeCloseTo(0.5, 14);
  });
  it('inside root(...) and under D(...) (Leibniz at moving ends)', () => {
    const o = s.observables;
    expect(o.cube_root).toBeCloseTo(Math.cbrt(3 * a), 13); // u^3 / 3 = a
    // d/ds int_0^s s e^(-r^2) dr = int_0^s e^(-r^2) dr + s e^(-s^2)
    expect(o.dF_a).toBeCloseTo((Math.sqrt(Math.PI) / 2) * erf(a) + a * Math.exp(-a * a), 13);
    expect(o.d_end).toBeCloseTo(Math.exp(-s.state.y), 13);
  });
  it('the generated code agrees with the reference interpreter', () => {
    const interpreted = compile(model.program, { interpreted: true });
    for (const [x, y, pa] of [[1, 0.5, 0.7], [0.3, 1.7, 0.1], [2.5, 0.05, 1.9]]) {
      const p = model.problem({ a: pa });
      const q = interpreted.problem({ a: pa });
      const state = Float64Array.from([x, y]);
      const [u1, u2] = [new Float64Array(2), new Float64Array(2)];
      p.kernels.update(state, u1);
      q.kernels.update(state, u2);
      expect([...u1]).toEqual([...u2]);
      const [o1, o2] = [new Float64Array(p.observableNames.length), new Float64Array(p.observableNames.length)];
      p.kernels.observables(state, o1);
      q.kernels.observables(state, o2);
      o1.forEach((v, i) => expect(Math.abs(v - o2[i]), p.observableNames[i]).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v))));
    }
  });
  it('prints as an integral, not an expectation', () => {
    const poly = model.program.observables.find((o) => o.name === 'poly')!.expr;
    expect(toLatex(poly)).toMatch(/^\\int_\{-1\}\^\{2\}.*\\,\\mathrm\{d\}r$/);
  });
  it('mistakes are located: arity, a variable that is not new, split points that are not a list', () => {
    const file = (obs: string) => `name: t\ndescription: t\nparams:\n  a: 1\norder_params:\n  x: { init: 1 }\nupdates:\n  x: x / 2\nobservables:\n  o: ${obs}\n`;
    const issues = (obs: string) => check('t.yaml', file(obs)).issues.map((i) => `${i.code} ${i.line}:${i.col}`);
    expect(issues('integral(r, 0, 1)')).toEqual(['wrong-arity 10:6']);
    expect(issues('integral(a, 0, 1, a)')).toEqual(['duplicate-name 10:15']);
    expect(issues('integral(r, 0, 1, r, 0.5)')).toEqual(['unsupported-syntax 10:6']);
  });
});
