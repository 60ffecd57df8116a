import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { H, npdf } from '../../src/numerics/special.ts';
import { solve } from '../../src/solve/iterate.ts';
import { exceedsTolerance, hasExpectations, quadratureErrors, type QuadratureEstimate } from '../../src/verify/quadrature.ts';

/** The estimates of a model given as text, at its defaults and at `state` (default: its uninformed start). */
function estimates(text: string, state?: readonly number[], interpreted = false): QuadratureEstimate[] {
  const compiled = loadModel('q.yaml', text);
  const problem = compiled.problem();
  const x = Float64Array.from(state ?? problem.inits.uninformed);
  return quadratureErrors(compiled.program, problem.params, x, { interpreted });
}

/** Line and column (1-based) of the k-th `E(` on the line of `text` that starts with `prefix`. */
function whereE(text: string, prefix: string, k = 0): [number, number] {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(prefix));
  let col = -1;
  for (let j = 0; j <= k; j++) col = lines[i].indexOf('E(', col + 1);
  return [i + 1, col + 1];
}

const byName = (es: readonly QuadratureEstimate[], name: string) => es.find((e) => e.name === name)!;

const A = 0.3;
const KINK = npdf(A) - A * H(A); // E max(0, z - a)
const STEP = H(A); // E 1{z > a}

const ONE_D = `name: one-d
description: closed forms against Gauss-Hermite
params:
  a: ${A}
variables:
  z: normal
order_params:
  x: { init: 0 }
updates:
  x: E(z, max(0, z - a))
observables:
  smooth: E(z, exp(z / 2) * cos(z))
  step: "E(z, z > a ? 1 : 0)"
  split: E(z > a, z - a)
  plain: E(z, z - a) + E(z > a, z - a)
`;

describe('quadrature error estimates (n vs 2n nodes)', () => {
  const es = estimates(ONE_D);

  it('a smooth integrand gives a tiny estimate', () => {
    const e = byName(es, 'smooth');
    // E exp(z/2) cos z = exp((1/2)^2/2 - 1/2) cos(1/2): the closed form of E exp((1/2 + i) z), real part.
    const exact = Math.exp(1 / 8 - 1 / 2) * Math.cos(1 / 2);
    expect(Math.abs(e.value - exact)).toBeLessThan(1e-14);
    expect(e.absError).toBeLessThan(1e-14);
    expect(exceedsTolerance(e, 1e-12)).toBe(false);
  });

  it('a kink gives a large estimate, of the size of the true error', () => {
    const e = byName(es, 'x');
    expect(e.in).toBe('update');
    expect(e.nodes).toEqual([64]);
    expect(e.refinedNodes).toEqual([128]);
    const error = Math.abs(e.value - KINK);
    expect(error).toBeGreaterThan(1e-4); // 64-node Gauss-Hermite across a kink: ~7e-4
    expect(e.absError).toBeGreaterThan(error / 5);
    expect(e.absError).toBeLessThan(error * 5);
    expect(e.relError).toBeCloseTo(e.absError / Math.abs(e.refined), 15);
    expect(exceedsTolerance(e, 1e-6)).toBe(true);
  });

  it('a step gives a large estimate, of the size of the true error', () => {
    const e = byName(es, 'step');
    const error = Math.abs(e.value - STEP);
    expect(error).toBeGreaterThan(1e-2); // and it does not shrink with n (docs/model-files.md §4)
    expect(e.absError).toBeGreaterThan(error / 5);
    expect(e.absError).toBeLessThan(error * 5);
  });

  it('the same kink split at the kink (a restricted expectation) is accurate, and so is its estimate', () => {
    const e = byName(es, 'split');
    expect(Math.abs(e.value - KINK)).toBeLessThan(1e-14);
    expect(e.absError).toBeLessThan(1e-14);
    expect(exceedsTolerance(e, 1e-12)).toBe(false);
  });

  it('the effect is the change of the update or observable when this expectation alone is refined', () => {
    const scaled = estimates(ONE_D.replace('x: E(z, max(0, z - a))', 'x: 1 + 1e-9 * E(z, max(0, z - a))'));
    const e = byName(scaled, 'x');
    expect(e.absError).toBeCloseTo(byName(es, 'x').absError, 12); // the same integral, as inaccurate
    expect(e.total).toBeCloseTo(1 + 1e-9 * e.value, 15);
    expect(e.effect / (1e-9 * e.absError / e.total)).toBeCloseTo(1, 2); // but it hardly moves x (1 + 4e-13: rounding)
    expect(exceedsTolerance(e, 1e-10)).toBe(false);
    // Two expectations in one observable: each effect refines that one alone.
    const [p0, p1] = es.filter((x) => x.name === 'plain');
    expect(p0.totalRefined - p0.total).toBeCloseTo(p0.refined - p0.value, 15);
    expect(p1.totalRefined - p1.total).toBeCloseTo(p1.refined - p1.value, 15);
  });

  it('reports each outermost expectation of an expression, located at its E', () => {
    const plain = es.filter((e) => e.name === 'plain');
    expect(plain.map((e) => e.index)).toEqual([0, 1]);
    expect(plain.map((e) => [e.loc.line, e.loc.col])).toEqual([whereE(ONE_D, '  plain:'), whereE(ONE_D, '  plain:', 1)]);
    const [line, col] = whereE(ONE_D, '  x: E');
    expect(byName(es, 'x').loc).toEqual({ file: 'q.yaml', line, col });
  });

  it('the reference interpreter gives the same estimates as the generated code', () => {
    const interpreted = estimates(ONE_D, undefined, true);
    interpreted.forEach((e, i) => {
      expect(e.value).toBeCloseTo(es[i].value, 12);
      expect(e.refined).toBeCloseTo(es[i].refined, 12);
    });
  });
});

describe('which expectations are reported, and where', () => {
  const MODEL = `name: units
description: nesting, functions, conditionals and sequential updates
params:
  c: 0.5
variables:
  z: { law: normal, nodes: 20 }
  t: { law: normal, nodes: 300 }
  s: { values: [0, 1], probs: [1 - c, c] }
order_params:
  u: { init: 2 }
  v: { init: 0 }
functions:
  g(b): E(t, abs(t - b))
definitions:
  m: E(z, E(s, (s + z)^2))
updates:
  u: 1 + c
  v: E(z, u * z^2) + m + g(c)
observables:
  taken: "u > 1 ? E(z, z^2) : E(t, t^2)"
free_energy: E(t, max(0, t))
`;
  const es = estimates(MODEL);

  it('a nested expectation is one unit; a discrete measure is left as it is', () => {
    const v = es.filter((e) => e.name === 'v');
    expect(v).toHaveLength(3);
    const [line, col] = whereE(MODEL, '  m:');
    expect(v[1]).toMatchObject({ nodes: [20], refinedNodes: [40], loc: { line, col } });
    expect(v[1].value).toBeCloseTo(1 + 0.5, 13); // E (s + z)^2 = 1 + c
    expect(v[1].absError).toBeLessThan(1e-14);
  });

  it('an expectation in a user function is reported at its call, and the node count is capped at 400', () => {
    const g = es.filter((e) => e.name === 'v')[2];
    const [line, col] = whereE(MODEL, '  g(b):');
    expect(g).toMatchObject({ via: 'g', nodes: [300], refinedNodes: [400], loc: { line, col } });
    const exact = 2 * npdf(0.5) + 0.5 * (1 - 2 * H(0.5)); // E|t - b| = 2 npdf(b) + b (2 ncdf(b) - 1)
    expect(Math.abs(g.value - exact)).toBeLessThan(1e-3); // a kink, even with 300 nodes
    expect(g.absError).toBeGreaterThan(1e-5);
  });

  it('no estimate for an expectation already at 400 nodes, or over a discrete variable only', () => {
    const capped = estimates(ONE_D.replace('smooth: E(z, exp(z / 2) * cos(z))', 'smooth: E(z, exp(z / 2) * cos(z), 400) + E(s2, s2^2)')
      .replace('  z: normal', '  z: normal\n  s2: { values: [1, 2] }'));
    const [big, discrete] = capped.filter((e) => e.name === 'smooth');
    expect(big).toMatchObject({ nodes: [400], refinedNodes: [400], refinable: false, absError: 0 });
    expect(discrete).toMatchObject({ nodes: [], refinable: false, value: 2.5, absError: 0 });
    expect(byName(capped, 'x').refinable).toBe(true);
  });

  it('of a conditional, only the branch taken at the state is reported', () => {
    const branch = es.filter((e) => e.name === 'taken');
    expect(branch).toHaveLength(1);
    expect(branch[0].nodes).toEqual([20]); // u = 2 > 1
    const other = estimates(MODEL, [0.5, 0]).filter((e) => e.name === 'taken');
    expect(other[0].nodes).toEqual([300]);
  });

  it('updates are evaluated at the state the sweep has reached, observables at the state given', () => {
    expect(es.map((e) => `${e.name}#${e.index}`)).toEqual(['v#0', 'v#1', 'v#2', 'taken#0', 'free_energy#0']);
    // the start is u = 2; the sweep sets u = 1 + c = 1.5 before it updates v, and E u z^2 = u
    expect(es[0].value).toBeCloseTo(1.5, 13);
    expect(byName(es, 'taken').value).toBeCloseTo(1, 13);
    expect(byName(es, 'free_energy').value).toBeCloseTo(npdf(0), 2); // E max(0, t) across the kink at 0
  });

  it('the reference interpreter gives the same estimates and effects (refined functions included)', () => {
    const interpreted = estimates(MODEL, undefined, true);
    expect(interpreted).toHaveLength(es.length);
    interpreted.forEach((e, i) => {
      for (const k of ['value', 'refined', 'total', 'totalRefined'] as const) expect(e[k]).toBeCloseTo(es[i][k], 12);
    });
  });

  it('hasExpectations sees expectations directly and through functions', () => {
    expect(hasExpectations(loadModel('q.yaml', MODEL).program)).toBe(true);
    const none = `name: none
description: no expectations
params:
  c: 0.5
order_params:
  x: { init: 0 }
updates:
  x: c * x
`;
    expect(hasExpectations(loadModel('n.yaml', none).program)).toBe(false);
    const viaFn = none.replace('order_params:', 'variables:\n  z: normal\nfunctions:\n  f(b): E(z, (z + b)^2)\norder_params:').replace('c * x', 'c * f(x)');
    expect(hasExpectations(loadModel('f.yaml', viaFn).program)).toBe(true);
  });
});

describe('the models in equations/ at their defaults', () => {
  it('perceptron-bayes: every expectation within its tolerance at the fixed point', () => {
    const compiled = loadModel('equations/perceptron-bayes.yaml');
    const problem = compiled.problem();
    const s = solve(problem);
    const x = Float64Array.from(problem.stateNames, (n) => s.state[n]);
    const es = quadratureErrors(compiled.program, problem.params, x);
    expect(es.map((e) => e.name)).toEqual(['qhat', 'free_energy']);
    for (const e of es) expect(exceedsTolerance(e, 1e-11)).toBe(false);
  });
});
