import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.ts';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { coarsen } from '../util/coarsen.ts';

const models = readdirSync('equations').filter((f) => f.endsWith('.yaml'));

/** A point strictly inside [min, max] (or a bounded stand-in for an unbounded side). */
const inside = (u: number, lo?: number, hi?: number): number => {
  const a = lo ?? (hi !== undefined ? hi - 2 : -1);
  const b = hi ?? a + 2;
  return a + (b - a) * (0.05 + 0.9 * u);
};

describe.each(models)('generated code agrees with the reference interpreter: %s', (file) => {
  // At most 10 nodes per quadrature: the comparison does not depend on it, and the interpreter is slow.
  const program = coarsen(loadModel(`equations/${file}`).program);
  const compiled = compile(program);
  const interpreted = compile(program, { interpreted: true });
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

  it('on the update map and the observables at random states and parameters', () => {
    for (let trial = 0; trial < 20; trial++) {
      const params = Object.fromEntries(program.params.map((p) => [p.name, trial === 0 ? p.default : inside(rand(), p.min ?? 0, p.max ?? 2 * (p.default || 1))]));
      const a = compiled.problem(params);
      const b = interpreted.problem(params);
      const x = Float64Array.from(program.state, (s) => inside(rand(), s.min, s.max));
      const fa = new Float64Array(x.length);
      const fb = new Float64Array(x.length);
      a.kernels.update(x, fa);
      b.kernels.update(x, fb);
      const oa = new Float64Array(a.observableNames.length);
      const ob = new Float64Array(a.observableNames.length);
      a.kernels.observables(x, oa);
      b.kernels.observables(x, ob);
      for (const [u, v] of [[fa, fb], [oa, ob]]) {
        for (let i = 0; i < u.length; i++) {
          if (Number.isNaN(v[i])) expect(u[i]).toBeNaN();
          else if (!Number.isFinite(v[i])) expect(u[i]).toBe(v[i]); // an infinite replicon: the same infinity
          else expect(Math.abs(u[i] - v[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v[i])));
        }
      }
    }
  });

  it('on the user functions (what GAMP calls), at random arguments', () => {
    const a = compiled.problem().kernels.functions!;
    const b = interpreted.problem().kernels.functions!;
    expect(Object.keys(a)).toEqual(program.functions.map((f) => f.name));
    for (const f of program.functions) {
      for (let trial = 0; trial < 5; trial++) {
        const args = f.args.map(() => inside(rand(), 0.05, 2));
        const u = a[f.name](...args);
        const v = b[f.name](...args);
        if (Number.isNaN(v)) expect(u).toBeNaN();
        else expect(Math.abs(u - v), `${f.name}(${args.join(', ')})`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v)));
      }
    }
  });

  it('on the solved fixed point at the default parameters', () => {
    const a = solve(compiled.problem());
    const b = solve(interpreted.problem());
    expect(a.status).toBe(b.status);
    expect(a.iterations).toBe(b.iterations);
    for (const k of Object.keys(a.state)) expect(Math.abs(a.state[k] - b.state[k])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b.state[k])));
  });
});
