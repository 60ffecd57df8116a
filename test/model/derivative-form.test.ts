import { describe, expect, it } from 'vitest';
import { check, loadModel } from '../../src/pipeline/load.ts';
import { npdf, H } from '../../src/numerics/special.ts';
import { solve } from '../../src/solve/iterate.ts';

const MODEL = `name: dtest
description: gout as the derivative of log Zout (sign channel), against its closed form
params:
  w: 0.7
  V: 0.4
variables:
  y: { values: [-1, 1] }
functions:
  logZout(y, w, V): logH(-y * w / sqrt(V))
  gout(y, w, V): D(logZout(y, w, V), w)
  dgout(y, w, V): D(gout(y, w, V), w)
order_params:
  x: { init: 0 }
updates:
  x: gout(1, w, V)
observables:
  dgout: dgout(1, w, V)
  cube: D(w^3, w)
  dq: D(x^2 + w * x, x)
`;

describe('D(expr, x): symbolic derivatives in model files', () => {
  it('differentiates through user functions, matching closed forms', () => {
    const { w, V } = { w: 0.7, V: 0.4 };
    const s = solve(loadModel('d.yaml', MODEL).problem());
    const u = w / Math.sqrt(V);
    const gout = npdf(u) / (Math.sqrt(V) * H(-u)); // y = 1: N(u) / (sqrt(V) H(-u))
    expect(s.state.x).toBeCloseTo(gout, 14);
    const h = 1e-5;
    const g = (ww: number) => npdf(ww / Math.sqrt(V)) / (Math.sqrt(V) * H(-ww / Math.sqrt(V)));
    expect(s.observables.dgout).toBeCloseTo((g(w + h) - g(w - h)) / (2 * h), 8);
    expect(s.observables.cube).toBeCloseTo(3 * w * w, 14);
    expect(s.observables.dq).toBeCloseTo(2 * s.state.x + w, 14);
  });

  it('reports a D over something that is not a variable, and a wrong arity', () => {
    const bad = MODEL.replace('cube: D(w^3, w)', 'cube: D(w^3, omega)').replace('dq: D(x^2 + w * x, x)', 'dq: D(x^2)');
    const { issues } = check('d.yaml', bad);
    expect(issues.map((i) => [i.code, i.symbol])).toEqual([['unknown-symbol', 'omega'], ['wrong-arity', 'D']]);
    expect(issues[0].line).toBe(bad.split('\n').findIndex((l) => l.includes('omega')) + 1);
  });

  it('requires the functions it differentiates through to be declared first', () => {
    const bad = MODEL.replace('  logZout(y, w, V): logH(-y * w / sqrt(V))\n', '').replace('  dgout(y, w, V)', '  logZout(y, w, V): logH(-y * w / sqrt(V))\n  dgout(y, w, V)');
    const { issues } = check('d.yaml', bad);
    expect(issues.map((i) => i.code)).toContain('unknown-function');
    expect(issues.find((i) => i.code === 'unknown-function')!.hint).toMatch(/declared before/);
  });
});
