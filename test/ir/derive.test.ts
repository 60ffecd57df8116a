import { readdirSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { ASYMPTOTIC_FROM, BUILTIN_DERIVATIVES, derive, freeBound, substitute, type Wrt } from '../../src/ir/derive.ts';
import { BUILTINS } from '../../src/ir/builtins.ts';
import { interpret } from '../../src/ir/interpret.ts';
import { coarsen } from '../util/coarsen.ts';
import { walk, type Node, type Op, type Program, type UserFunction } from '../../src/ir/nodes.ts';
import { sameNode, simplify } from '../../src/ir/simplify.ts';
import { compile } from '../../src/compile/compile.ts';
import { loadModel } from '../../src/pipeline/load.ts';

// ---------------------------------------------------------------------------------------------
// IR construction and evaluation. Everything is evaluated by the reference interpreter, through a
// minimal Program with one state variable x and one parameter q.
// ---------------------------------------------------------------------------------------------

const n = (value: number): Node => ({ kind: 'num', value });
const X: Node = { kind: 'state', name: 'x', index: 0 };
const Q: Node = { kind: 'param', name: 'q', index: 0 };
const b = (name: string): Node => ({ kind: 'bound', name });
const op = (o: Op, ...args: Node[]): Node => ({ kind: 'op', op: o, args });
const call = (fn: string, ...args: Node[]): Node => ({ kind: 'call', fn, args });
const apply = (fn: string, ...args: Node[]): Node => ({ kind: 'apply', fn, args });
const cond = (test: Node, then: Node, otherwise: Node): Node => ({ kind: 'cond', test, then, else: otherwise });
const normal = (variable: string, body: Node, nodes = 32): Node => ({ kind: 'expect', variable, measure: { kind: 'normal', nodes }, body });
const discrete = (variable: string, values: number[], probs: Node[], body: Node): Node =>
  ({ kind: 'expect', variable, measure: { kind: 'discrete', values, probs }, body });
const fn = (name: string, args: string[], body: Node): UserFunction => ({ name, args, body });
const fnMap = (fs: UserFunction[]) => new Map(fs.map((f) => [f.name, f]));

const WX: Wrt = { kind: 'state', name: 'x' };
const WQ: Wrt = { kind: 'param', name: 'q' };

/** node as a function of (x, q), evaluated by `interpret`. */
function evaluator(node: Node, functions: readonly UserFunction[] = []): (x: number, q?: number) => number {
  const program: Program = {
    info: { name: 'derive-test', file: 'derive.test.ts', sha256: '', description: '', initNames: [], solver: {}, nodes: 64, variables: [], freeEnergy: false },
    params: [{ name: 'q', default: 0 }],
    state: [{ name: 'x', carried: true }],
    functions,
    updates: [],
    observables: [{ name: 'value', expr: node }],
  };
  const out = new Float64Array(1);
  return (x, q = 0.5) => {
    interpret(program, Float64Array.of(q)).observables(Float64Array.of(x), out);
    return out[0];
  };
}

const EPS = Number.EPSILON;

interface Fd {
  readonly value: number; // central difference at step h
  /** Estimated error: rounding noise (measured, at least 4ε|f|/h) plus the truncation error (from the step-2h difference). */
  readonly error: number;
  readonly f: number;
  /** |forward − backward difference|: O(h·f″) where f is smooth, O(|jump in f′|) at a kink. */
  readonly kink: number;
}

/**
 * Central finite difference of g at t with the step (1e-6 or 1e-5 times max(1, |t|)) whose estimated error is
 * smaller: the larger step where g is noisy (an inner root in the update: its rounding noise over h), the smaller
 * where it is smooth (truncation O(h²)).
 */
function centralFd(g: (t: number) => number, t: number): Fd {
  const a = centralFdStep(g, t, 1e-6 * Math.max(1, Math.abs(t)));
  if (a.error <= FD_TRUSTED * Math.abs(a.value)) return a;
  const b = centralFdStep(g, t, 1e-5 * Math.max(1, Math.abs(t)));
  return b.error < a.error ? b : a;
}

/** Central finite difference of g at t with step h (error O(h²) + O(ε|f|/h)), and its error estimated. */
function centralFdStep(g: (t: number) => number, t: number, h: number): Fd {
  const fp = g(t + h), fm = g(t - h), fp2 = g(t + 2 * h), fm2 = g(t - 2 * h), fph = g(t + h / 2), fmh = g(t - h / 2);
  const d1 = (fp - fm) / (2 * h);
  const d2 = (fp2 - fm2) / (4 * h);
  const dh = (fph - fmh) / h;
  const big = Math.max(Math.abs(fp), Math.abs(fm), Math.abs(fp2), Math.abs(fm2));
  const f0 = g(t);
  // Rounding noise: at least 4ε|f|, but cancellation inside f (log1p(erf(u)) with erf(u) ≈ −1) makes it far
  // larger. Measure it: fourth differences on a grid of spacing h/4 are ~8σ for noise of size σ and
  // (h/4)⁴·f⁗ (negligible) for the smooth part.
  const grid = Array.from({ length: 17 }, (_v, k) => g(t + ((k - 8) * h) / 4));
  let d4 = 0;
  for (let k = 0; k + 4 < grid.length; k++) {
    d4 = Math.max(d4, Math.abs(grid[k] - 4 * grid[k + 1] + 6 * grid[k + 2] - 4 * grid[k + 3] + grid[k + 4]));
  }
  const noise = Math.max(4 * EPS * big, d4 / 4) / h;
  // Truncation shows as d(2h) − d(h) ≈ 3·(error of d(h)); leftover noise as d(h/2) − d(h).
  const error = noise + Math.max(Math.abs(d2 - d1) / 3, Math.abs(dh - d1));
  return { value: d1, error, f: f0, kink: Math.abs((fp - f0) - (f0 - fm)) / h };
}

/** A finite difference is trusted when its estimated error is below this, relative (the checks are to 1e-6). */
const FD_TRUSTED = 3e-7;

const isNormal = (v: number) => Number.isFinite(v) && Math.abs(v) >= 2 ** -1022;
function dependsOnX(node: Node): boolean {
  let found = false;
  walk(node, (m) => { if (m.kind === 'state') found = true; });
  return found;
}

const relErr = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

/** Asserts that d (the symbolic derivative's value) matches a well-conditioned finite difference to 1e-6. */
function expectMatchesFd(d: number, fd: Fd, where: string): void {
  // The point must be one where finite differences are meaningful: otherwise the test would test nothing.
  expect(fd.error, `${where}: FD not meaningful here (|f| = ${fd.f}, fd = ${fd.value})`).toBeLessThanOrEqual(FD_TRUSTED * Math.abs(fd.value));
  expect(relErr(d, fd.value), `${where}: derivative ${d} vs FD ${fd.value}`).toBeLessThanOrEqual(1e-6);
}

/** Nodes that simplification should have removed. */
function trivialIdentities(node: Node): string[] {
  const found: string[] = [];
  const isN = (m: Node, v: number) => m.kind === 'num' && m.value === v;
  walk(node, (m) => {
    if (m.kind !== 'op') return;
    const [a, c] = m.args;
    if (m.args.every((x) => x.kind === 'num')) found.push(`constant ${m.op}`);
    if (m.op === '*' && (isN(a, 0) || isN(c, 0) || isN(a, 1) || isN(c, 1))) found.push('0* or *1');
    if ((m.op === '+' || m.op === '-') && (isN(a, 0) || isN(c, 0))) found.push('+0');
    if (m.op === '/' && (isN(a, 0) || isN(c, 1))) found.push('0/ or /1');
    if (m.op === '^' && (isN(c, 0) || isN(c, 1))) found.push('^0 or ^1');
    if (m.op === 'neg' && a.kind === 'op' && a.op === 'neg') found.push('--');
  });
  return found;
}

function size(node: Node): number {
  let k = 0;
  walk(node, () => { k++; });
  return k;
}

// ---------------------------------------------------------------------------------------------
// Every built-in against finite differences, at points in each regime where FD is meaningful.
// ---------------------------------------------------------------------------------------------

interface Case { readonly label: string; readonly node: Node; readonly points: readonly number[] }
const unary = (name: string, points: number[]): Case => ({ label: name, node: call(name, X), points });

/**
 * Points are in each regime (large negative, small, moderate, large positive) as far as central differences
 * can resolve the derivative: e.g. not H(−30) (H ≈ 1, H′ ≈ 1e-196: f(x ± h) round to the same double) nor
 * sigmoid(30). `expectMatchesFd` fails on a point where the FD error estimate is not small, so every listed
 * point really checks something. The far tails beyond FD's reach are checked against high-precision values below.
 */
const CASES: Readonly<Record<string, readonly Case[]>> = {
  sqrt: [unary('sqrt', [1e-3, 0.5, 2, 1e6])],
  exp: [unary('exp', [-30, -1, 0, 1, 30])],
  log: [unary('log', [1e-2, 0.5, 1, 10, 1e6])],
  log1p: [unary('log1p', [-0.9, -1e-3, 0, 1, 1e6])],
  expm1: [unary('expm1', [-3, -1e-3, 0, 1, 30])],
  abs: [unary('abs', [-3, -0.5, 0.5, 3])],
  sin: [unary('sin', [-3, -0.5, 0.3, 2, 30])],
  cos: [unary('cos', [-3, -0.5, 0.3, 2, 30])],
  tan: [unary('tan', [-1.2, -0.3, 0, 0.7, 1.5])],
  asin: [unary('asin', [-0.99, -0.5, 0, 0.3, 0.9])],
  acos: [unary('acos', [-0.99, -0.5, 0, 0.3, 0.9])],
  atan: [unary('atan', [-30, -1, 0, 1, 30])],
  atan2: [
    { label: 'atan2(x, 2)', node: call('atan2', X, n(2)), points: [-30, -1, 0, 1, 30] },
    { label: 'atan2(-1.5, x)', node: call('atan2', n(-1.5), X), points: [-30, -1, 0, 1, 30] },
    { label: 'atan2(x^2 + 1, 3x - 1)', node: call('atan2', op('+', op('^', X, n(2)), n(1)), op('-', op('*', n(3), X), n(1))), points: [-3, -0.2, 0.5, 2] },
  ],
  sinh: [unary('sinh', [-30, -1, 0, 0.5, 30])],
  cosh: [unary('cosh', [-30, -1, 0.5, 2, 30])],
  tanh: [unary('tanh', [-3, -1, 0, 1, 3])],
  asinh: [unary('asinh', [-30, -1, 0, 1, 1e6])],
  acosh: [unary('acosh', [1.001, 1.5, 3, 30, 1e6])],
  atanh: [unary('atanh', [-0.99, -0.5, 0, 0.3, 0.9])],
  floor: [unary('floor', [-2.5, -0.3, 0.4, 7.7])],
  ceil: [unary('ceil', [-2.5, -0.3, 0.4, 7.7])],
  sign: [unary('sign', [-2.5, -0.3, 0.4, 7.7])],
  pow: [
    { label: 'pow(x, 3)', node: call('pow', X, n(3)), points: [-30, -1.5, 0.5, 2, 30] },
    { label: 'pow(2, x)', node: call('pow', n(2), X), points: [-30, -1, 0, 1, 30] },
    { label: 'pow(x, x)', node: call('pow', X, X), points: [0.1, 0.5, 1, 3, 10] },
    { label: 'pow(x, q)', node: call('pow', X, Q), points: [0.2, 0.7, 3, 30] }, // q = 0.5
  ],
  min: [
    { label: 'min(x, 1 - x)', node: call('min', X, op('-', n(1), X)), points: [-2, 0.2, 0.8, 3] },
    { label: 'min(x^2, 2, -x)', node: call('min', op('^', X, n(2)), n(2), op('neg', X)), points: [-3, -1.2, -0.5, 0.5, 1.2, 3] },
    { label: 'min(sin(x))', node: call('min', call('sin', X)), points: [-1, 0.5] },
  ],
  max: [
    { label: 'max(x, 1 - x)', node: call('max', X, op('-', n(1), X)), points: [-2, 0.2, 0.8, 3] },
    { label: 'max(x^2, 2, -x)', node: call('max', op('^', X, n(2)), n(2), op('neg', X)), points: [-3, -1.2, -0.5, 0.5, 1.2, 3] },
  ],
  erf: [unary('erf', [-2, -1, 0, 0.5, 2])],
  erfc: [unary('erfc', [-2, -0.5, 0, 1, 5, 20])],
  erfcx: [unary('erfcx', [-5, -1, 0, 3, 24.9, 25.1, 30, 1e3, 1e4])],
  H: [unary('H', [-3, -1, 0, 3, 30])],
  logH: [unary('logH', [-30, -3, 0, 3, 30])],
  npdf: [unary('npdf', [-30, -3, -0.5, 1, 30])],
  ncdf: [unary('ncdf', [-30, -3, 0, 1, 3])],
  logNpdf: [unary('logNpdf', [-30, -1, 0.5, 3, 30])],
  mills: [unary('mills', [-30, -3, 0, 3, 24.9, 25.1, 30, 1e3])],
  log1pexp: [unary('log1pexp', [-30, -3, 0, 3, 30])],
  sigmoid: [unary('sigmoid', [-30, -3, 0, 1, 3, 6])],
  logSigmoid: [unary('logSigmoid', [-30, -3, 0, 3, 30])],
};

describe('derivatives of the built-ins', () => {
  test('the derivative table covers every built-in, and so does this test', () => {
    for (const name of Object.keys(BUILTINS)) {
      expect(Object.hasOwn(BUILTIN_DERIVATIVES, name), `no derivative for ${name}`).toBe(true);
      expect(CASES[name]?.length ?? 0, `no test case for ${name}`).toBeGreaterThan(0);
      const args = Array.from({ length: Math.max(1, BUILTINS[name].minArgs) }, (_v, i) => (i === 0 ? X : n(i + 0.5)));
      expect(() => derive(call(name, ...args), WX, new Map())).not.toThrow();
    }
    expect(Object.keys(BUILTIN_DERIVATIVES).sort()).toEqual(Object.keys(BUILTINS).sort());
  });

  test('an unknown built-in or user function is an error naming it', () => {
    expect(() => derive(call('gamma', X), WX, new Map())).toThrow(/gamma/);
    expect(() => derive(call('toString', X), WX, new Map())).toThrow(/toString/);
    expect(() => derive(apply('f', X), WX, new Map())).toThrow(/f/);
  });

  describe.each(Object.entries(CASES).flatMap(([, cs]) => cs.map((c) => [c.label, c] as const)))('%s', (_label, c) => {
    test('matches central finite differences', () => {
      const d = derive(c.node, WX, new Map());
      expect(trivialIdentities(d)).toEqual([]);
      const f = evaluator(c.node);
      const df = evaluator(d);
      for (const x of c.points) {
        const fd = centralFd((t) => f(t), x);
        if (fd.value === 0) {
          expect(df(x), `${c.label} at ${x}`).toBe(0); // floor, ceil, sign
          continue;
        }
        expectMatchesFd(df(x), fd, `${c.label} at ${x}`);
      }
    });
  });

  test('constants differentiate to 0, even infinite ones (no 0·Inf or 0/0 from folding)', () => {
    expect(derive(op('/', n(1), n(0)), WX, new Map())).toEqual(n(0));
    expect(derive(op('+', X, call('exp', op('/', n(-1), n(0)))), WX, new Map())).toEqual(n(1));
    expect(derive(op('*', n(Infinity), call('sigmoid', op('/', n(0.001), n(0)))), WX, new Map())).toEqual(n(0));
  });

  test('floor, ceil and sign differentiate to the constant 0', () => {
    for (const name of ['floor', 'ceil', 'sign']) expect(derive(call(name, call('exp', X)), WX, new Map())).toEqual(n(0));
  });

  test('tail accuracy where finite differences cannot see (references: mpmath, 80 digits)', () => {
    const at = (name: string, x: number) => evaluator(derive(call(name, X), WX, new Map()))(x);
    const ref: readonly [string, number, number, number][] = [
      // [function, x, derivative, relative tolerance]
      ['erfcx', -3, -97237.061503164615265, 1e-14],
      ['erfcx', 0.5, -0.51268882290258669903, 1e-14],
      ['erfcx', 3, -0.05437226000717287138, 1e-14],
      ['erfcx', 20, -0.0014052174534598011502, 1e-12],
      ['erfcx', 24.5, -0.0009375852313816466819, 1e-12],
      ['erfcx', 25.5, -0.00086565641700141926575, 1e-14],
      ['erfcx', 100, -0.000056410497625993184868, 1e-14],
      ['erfcx', 1e4, -5.641895750849127453e-9, 1e-14],
      ['erfcx', 1e8, -5.6418958354775620232e-17, 1e-14], // the closed form 2x erfcx(x) − 2/√π has no digits left here
      ['mills', -3, 0.013333211541740806209, 1e-13],
      ['mills', 0.5, 0.73151959284412105382, 1e-14],
      ['mills', 3, 0.92944081321473188314, 1e-14],
      ['mills', 20, 0.9975367383849478364, 1e-12],
      ['mills', 24.5, 0.99835045299321529834, 1e-12],
      ['mills', 25.5, 0.99847614120312531527, 1e-14],
      ['mills', 35.5, 0.99921025965867720915, 1e-14],
      ['mills', 1e3, 0.99999900000599995, 1e-14],
      ['mills', 1e6, 0.999999999999, 1e-14],
      ['mills', 1e8, 0.9999999999999999, 1e-15], // mills(x)(mills(x) − x) is pure rounding noise here
      ['tanh', 0.3, 0.91513696182662920314, 1e-14],
      ['tanh', 20, 1.6993417021166355837e-17, 1e-14], // 1 − tanh² would give 0
      ['tanh', -25, 7.7149993918556711321e-22, 1e-14],
      ['erf', 5, 1.5670866531017335308e-11, 1e-14],
      ['erf', -26, 2.9470349932662695402e-294, 1e-14], // exp(−x²) would lose ~x²ε ≈ 1.5e-13 to the rounding of x²
      ['erfc', 5, -1.5670866531017335308e-11, 1e-14],
      ['expm1', -30, 9.3576229688401746049e-14, 1e-15],
    ];
    for (const [name, x, want, tol] of ref) expect(relErr(at(name, x), want), `${name}' at ${x}`).toBeLessThanOrEqual(tol);
  });

  test('the series and closed-form branches of mills′ and erfcx′ agree at the switch', () => {
    for (const name of ['mills', 'erfcx']) {
      const g = evaluator(derive(call(name, X), WX, new Map()));
      const below = g(ASYMPTOTIC_FROM);
      const above = g(ASYMPTOTIC_FROM * (1 + EPS));
      expect(relErr(below, above), name).toBeLessThan(1e-12);
    }
  });

  test('numerically safe forms: logH′ is −mills, log1pexp′ is sigmoid, logSigmoid′ is sigmoid(−x)', () => {
    expect(derive(call('logH', X), WX, new Map())).toEqual(op('neg', call('mills', X)));
    expect(derive(call('log1pexp', X), WX, new Map())).toEqual(call('sigmoid', X));
    expect(derive(call('logSigmoid', X), WX, new Map())).toEqual(call('sigmoid', op('neg', X)));
    const g = evaluator(derive(call('logH', X), WX, new Map()));
    expect(relErr(g(40), -40.024968847207263723)).toBeLessThan(1e-14); // npdf(40)/H(40) would be 0/0
  });
});

// ---------------------------------------------------------------------------------------------
// Operators.
// ---------------------------------------------------------------------------------------------

describe('operators', () => {
  const check = (label: string, node: Node, points: number[], functions: UserFunction[] = [], wrt: Wrt = WX) => {
    const d = derive(node, wrt, fnMap(functions));
    const f = evaluator(node, functions);
    const df = evaluator(d, functions);
    for (const t of points) {
      const fd = wrt.kind === 'param' ? centralFd((s) => f(0.7, s), t) : centralFd((s) => f(s), t);
      expectMatchesFd(wrt.kind === 'param' ? df(0.7, t) : df(t), fd, `${label} at ${t}`);
    }
    return d;
  };

  test('sum, difference, product, quotient, negation', () => {
    check('x sin x - x/(1+x^2) + -exp(x)', op('+', op('-', op('*', X, call('sin', X)), op('/', X, op('+', n(1), op('^', X, n(2))))), op('neg', call('exp', X))), [-3, -0.5, 0.5, 4]);
    check('q / x', op('/', Q, X), [-2, 0.3, 5]);
    check('x / q', op('/', X, Q), [-2, 0.3, 5]);
  });

  test('powers: constant exponents (negative bases too), variable exponents, both', () => {
    expect(derive(op('^', X, n(3)), WX, new Map())).toEqual(op('*', n(3), op('^', X, n(2))));
    check('x^3', op('^', X, n(3)), [-3, -0.5, 0.5, 4]);
    check('x^-2', op('^', X, n(-2)), [-3, -0.5, 0.5, 4]);
    check('x^0.5', op('^', X, n(0.5)), [0.01, 0.5, 4]);
    check('2^x', op('^', n(2), X), [-3, 0, 4]);
    check('x^x', op('^', X, X), [0.1, 1, 3]);
    check('(x^2+1)^sin(x)', op('^', op('+', op('^', X, n(2)), n(1)), call('sin', X)), [-2, 0.3, 3]);
    expect(derive(op('^', X, n(0)), WX, new Map())).toEqual(n(0));
    expect(derive(op('^', X, n(1)), WX, new Map())).toEqual(n(1));
    // d/dq x^q at negative x with integer q: the log-rule term is log(x)·x^q = NaN, genuinely (x^q is NaN off integers).
    const dq = evaluator(derive(op('^', X, Q), WQ, new Map()));
    expect(dq(2, 3)).toBeCloseTo(8 * Math.log(2), 12);
    // x^q w.r.t. x with a parameter exponent uses the power rule: finite for x < 0.
    expect(evaluator(derive(op('^', X, Q), WX, new Map()))(-2, 3)).toBeCloseTo(12, 12);
  });

  test('comparisons and logic are piecewise constant', () => {
    for (const o of ['<', '<=', '>', '>=', '==', '!=', 'and', 'or'] as const) expect(derive(op(o, X, call('sin', X)), WX, new Map())).toEqual(n(0));
    expect(derive(op('not', X), WX, new Map())).toEqual(n(0));
    check('x * (x > 1)', op('*', X, op('>', X, n(1))), [0.5, 2]);
  });

  test('cond: each branch, under the same test (away from the switch)', () => {
    const test = op('<', X, n(1));
    const d = check('x < 1 ? x^2 : log(x) + 1', cond(test, op('^', X, n(2)), op('+', call('log', X), n(1))), [-2, 0.3, 0.999, 1.001, 5]);
    expect(d.kind).toBe('cond');
    expect(d.kind === 'cond' && d.test).toBe(test);
    expect(derive(cond(op('<', X, n(1)), n(2), Q), WX, new Map())).toEqual(n(0));
  });

  test('derivative with respect to a parameter and to a bound variable', () => {
    check('q^2 exp(q x)', op('*', op('^', Q, n(2)), call('exp', op('*', Q, X))), [0.3, 1, 2], [], WQ);
    // wrt a bound variable: differentiate a function body w.r.t. its argument, then evaluate it as a function.
    const body = op('*', call('logH', op('*', b('a'), b('c'))), b('a'));
    const dBody = derive(body, { kind: 'bound', name: 'a' }, new Map());
    const fs = [fn('g', ['a', 'c'], body), fn('dg', ['a', 'c'], dBody)];
    const f = evaluator(apply('g', X, n(1.5)), fs);
    const df = evaluator(apply('dg', X, n(1.5)), fs);
    for (const t of [-3, 0.2, 4]) expectMatchesFd(df(t), centralFd(f, t), `d/da at ${t}`);
    expect(derive(body, { kind: 'state', name: 'a' }, new Map())).toEqual(n(0)); // kinds are not confused
  });
});

// ---------------------------------------------------------------------------------------------
// User functions, expectations.
// ---------------------------------------------------------------------------------------------

describe('user functions', () => {
  const sq = fn('sq', ['u'], op('*', b('u'), b('u')));
  const softplusScaled = fn('sp', ['u', 'v'], op('*', b('v'), call('log1pexp', op('/', b('u'), b('v')))));
  const nested = fn('outer', ['w'], op('+', apply('sq', call('sin', b('w'))), apply('sp', b('w'), apply('sq', b('w')))));
  const withParam = fn('wp', ['u'], op('*', Q, call('tanh', op('*', Q, b('u')))));
  const fs = [sq, softplusScaled, nested, withParam];

  const check = (node: Node, points: number[], wrt: Wrt = WX) => {
    const d = derive(node, wrt, fnMap(fs));
    const f = evaluator(node, fs);
    const df = evaluator(d, fs);
    for (const t of points) {
      const fd = wrt.kind === 'param' ? centralFd((s) => f(0.7, s), t) : centralFd(f, t);
      expectMatchesFd(wrt.kind === 'param' ? df(0.7, t) : df(t), fd, `at ${t}`);
    }
    return d;
  };

  test('chain rule through one and several arguments, nested calls', () => {
    check(apply('sq', call('exp', X)), [-2, 0, 1.5]);
    check(apply('sp', op('*', n(3), X), op('+', n(1), op('^', X, n(2)))), [-2, 0, 1.5]);
    check(apply('outer', X), [-2, 0.1, 1.5]);
    check(apply('sp', n(2), X), [0.3, 1, 5]);
  });

  test('a body that reads a parameter directly', () => {
    check(apply('wp', X), [-2, 0.1, 1.5]);
    check(apply('wp', X), [0.3, 1.2], WQ);
    check(apply('wp', op('*', Q, X)), [0.3, 1.2], WQ);
  });

  test('an argument that does not depend on the variable contributes nothing', () => {
    expect(derive(apply('sp', Q, n(2)), WX, fnMap(fs))).toEqual(n(0));
    expect(derive(apply('sq', b('u')), { kind: 'bound', name: 'v' }, fnMap(fs))).toEqual(n(0));
  });

  test('the result calls existing functions only (no new ones are made up)', () => {
    const d = derive(apply('outer', X), WX, fnMap(fs));
    const names = new Set(fs.map((f) => f.name));
    walk(d, (m) => { if (m.kind === 'apply') expect(names.has(m.fn)).toBe(true); });
  });
});

describe('expectations', () => {
  const xi = b('xi');

  test('normal measure: d/dq E_xi[f(sqrt(q) xi)] by differentiation under the integral', () => {
    const bodies: Node[] = [
      call('logH', op('+', op('*', call('sqrt', Q), xi), n(0.3))),
      op('^', call('tanh', op('*', call('sqrt', Q), xi)), n(2)),
      op('*', xi, call('log1pexp', op('-', op('*', call('sqrt', Q), xi), X))),
    ];
    for (const body of bodies) {
      const node = normal('xi', body, 32);
      const d = derive(node, WQ, new Map());
      expect(d.kind).toBe('expect');
      const f = evaluator(node);
      const df = evaluator(d);
      for (const q of [0.1, 0.5, 2, 9]) expectMatchesFd(df(0.4, q), centralFd((s) => f(0.4, s), q), `q = ${q}`);
    }
  });

  test('normal measure through a user function, and w.r.t. a state variable', () => {
    const fs = [fn('phi', ['h', 'w'], op('-', call('logH', op('/', b('h'), b('w'))), op('*', n(0.5), op('^', b('h'), n(2)))))];
    const node = normal('xi', apply('phi', op('*', call('sqrt', Q), xi), op('+', n(1), X)), 40);
    const f = evaluator(node, fs);
    for (const wrt of [WQ, WX]) {
      const df = evaluator(derive(node, wrt, fnMap(fs)), fs);
      for (const t of [0.2, 1, 3]) {
        const [fd, dv] = wrt === WQ ? [centralFd((s) => f(0.8, s), t), df(0.8, t)] : [centralFd((s) => f(s, 0.8), t), df(t, 0.8)];
        expectMatchesFd(dv, fd, `${wrt.kind} at ${t}`);
      }
    }
  });

  test('discrete measure whose probabilities depend on the variable', () => {
    // E_s[tanh(x s + 0.5)] with P(s = 1) = sigmoid(x), P(s = −1) = sigmoid(−x), P(s = 0) = q x² (unnormalised on purpose)
    const s = b('s');
    const node = discrete('s', [1, -1, 0], [call('sigmoid', X), call('sigmoid', op('neg', X)), op('*', Q, op('^', X, n(2)))],
      call('tanh', op('+', op('*', X, s), n(0.5))));
    const f = evaluator(node);
    const df = evaluator(derive(node, WX, new Map()));
    for (const t of [-2, -0.3, 0.4, 3]) expectMatchesFd(df(t), centralFd(f, t), `x = ${t}`);
    // probabilities that do not depend on x: just the derivative under the sum
    const fixed = discrete('s', [1, -1], [n(0.3), n(0.7)], call('exp', op('*', X, s)));
    expect(derive(fixed, WX, new Map())).toEqual(discrete('s', [1, -1], [n(0.3), n(0.7)], op('*', call('exp', op('*', X, s)), s)));
  });

  test('the integration variable shadows an outer bound variable of the same name', () => {
    const inner = normal('xi', op('*', op('^', xi, n(2)), Q), 8);
    expect(derive(inner, { kind: 'bound', name: 'xi' }, new Map())).toEqual(n(0));
    // discrete: only the probabilities (evaluated outside the expectation) can depend on the outer xi
    const d = derive(discrete('xi', [0, 1], [xi, op('-', n(1), xi)], op('+', xi, n(2))), { kind: 'bound', name: 'xi' }, new Map());
    expect(d).toEqual(discrete('xi', [0, 1], [n(1), n(-1)], op('+', xi, n(2))));
  });

  test('substitution into a body with an expectation renames its variable (no capture)', () => {
    // f(a) = E_xi[tanh(a + xi + 0.3)], called as E_xi[f(q xi)]: the inner xi must not capture the argument's xi.
    const fs = [fn('f', ['a'], normal('xi', call('tanh', op('+', op('+', b('a'), xi), n(0.3))), 12))];
    const node = normal('xi', apply('f', op('*', Q, xi)), 12);
    const d = derive(node, WQ, fnMap(fs));
    const f = evaluator(node, fs);
    const df = evaluator(d, fs);
    for (const q of [0.3, 1, 2.5]) expectMatchesFd(df(0, q), centralFd((s) => f(0, s), q), `q = ${q}`);
    const sub = substitute(normal('xi', op('+', b('a'), xi)), new Map([['a', xi]]));
    expect(sub).toEqual(normal('xi_1', op('+', xi, b('xi_1'))));
    expect([...freeBound(sub)]).toEqual(['xi']);
  });
});

// ---------------------------------------------------------------------------------------------
// The model zoo: the Jacobian of every update map.
// ---------------------------------------------------------------------------------------------

describe.each(readdirSync('equations').filter((f) => f.endsWith('.yaml')))('Jacobian of the update expressions: %s', (file) => {
  test('matches finite differences (interpreted) and the generated code agrees with the interpreter', () => {
    const program = coarsen(loadModel(`equations/${file}`).program, 6, { intervals: false });
    const fns = new Map(program.functions.map((f) => [f.name, f]));
    const dims = program.state.length;
    const jac = program.updates.flatMap((u) => program.state.map((s) => ({ name: `d${u.target}/d${s.name}`, expr: derive(u.expr, { kind: 'state', name: s.name }, fns) })));
    const params = Float64Array.from(program.params, (p) => p.default);
    const values = Object.fromEntries(program.params.map((p) => [p.name, p.default]));
    const interpreted = interpret({ ...program, observables: jac }, params);
    const generated = compile({ ...program, observables: jac }).problem(values).kernels;
    const updates = interpret({ ...program, observables: program.updates.map((u) => ({ name: 'u', expr: u.expr })) }, params);
    for (const level of [0.3, 0.7]) {
      const x = Float64Array.from(program.state, (_s, j) => level + 0.05 * j); // inside every domain, away from q = 0
      const d = new Float64Array(jac.length);
      const dc = new Float64Array(jac.length);
      interpreted.observables(x, d);
      generated.observables(x, dc);
      program.updates.forEach((_u, i) => program.state.forEach((s, j) => {
        const k = i * dims + j;
        expect(relErr(dc[k], d[k]), `generated ${jac[k].name}`).toBeLessThanOrEqual(1e-12);
        const g = (t: number) => {
          const y = Float64Array.from(x);
          y[j] = t;
          const out = new Float64Array(program.updates.length);
          updates.observables(y, out);
          return out[i];
        };
        const fd = centralFd(g, x[j]);
        if (fd.value === 0) expect(d[k], jac[k].name).toBe(0); // does not depend on it
        else expectMatchesFd(d[k], fd, `${file} ${jac[k].name} (${s.name} = ${x[j]})`);
      }));
    }
  }, 240_000); // the interpreter on derivatives of nested prox integrals: seconds alone, a minute on a loaded machine (robust-tukey)
});

// ---------------------------------------------------------------------------------------------
// Random expression trees.
// ---------------------------------------------------------------------------------------------

const SMOOTH = ['exp', 'sin', 'cos', 'tanh', 'atan', 'sigmoid', 'log1pexp', 'logSigmoid', 'erf', 'erfc', 'erfcx', 'npdf', 'ncdf',
  'H', 'logH', 'mills', 'sqrt', 'log', 'asinh', 'sinh', 'cosh', 'expm1', 'log1p', 'logNpdf'];

/** Smooth trees of depth ≤ `depth` in x: + − · / ^k (k ∈ −3..3), a^b (rarely), neg and the smooth built-ins. */
function smoothTree(depth: number): fc.Arbitrary<Node> {
  // Constants on a 1e-3 grid: extreme ones (2.2e-308) make the derivative overflow where f does not
  // (d/dx 1/(1/(c + x) + 1) needs 1/(c + x)², Inf at x = 0) — a floating-point limit, not a symbolic error.
  const leaf = fc.oneof(
    { arbitrary: fc.constant(X), weight: 3 },
    { arbitrary: fc.integer({ min: -3, max: 3 }).map(n), weight: 1 },
    { arbitrary: fc.integer({ min: -2000, max: 2000 }).map((k) => n(k / 1000)), weight: 1 },
  );
  if (depth === 0) return leaf;
  const sub = smoothTree(depth - 1);
  return fc.oneof(
    { arbitrary: leaf, weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom<Op>('+', '-', '*', '/'), sub, sub).map(([o, a, c]) => op(o, a, c)), weight: 4 },
    { arbitrary: fc.tuple(sub, fc.integer({ min: -3, max: 3 })).map(([a, k]) => op('^', a, n(k))), weight: 1 },
    { arbitrary: fc.tuple(sub, sub).map(([a, c]) => op('^', a, c)), weight: 1 },
    { arbitrary: sub.map((a) => op('neg', a)), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom(...SMOOTH), sub).map(([f, a]) => call(f, a)), weight: 4 },
  );
}

describe('random expressions', () => {
  const tally = { offered: 0, checked: 0, nonFinite: 0, large: 0, fdUntrusted: 0, tiny: 0, kink: 0 };

  /**
   * Filter. A point is checked only where
   * - every subexpression of the tree is finite (the convention simplify relies on: 0·x = 0 for finite x; it
   *   also drops points like x = 0 in exp(1e-300/x), where f is finite but not differentiable), neither
   *   subnormal (a subnormal like sinh(−5e-324·x) is piecewise constant in x, so FD and calculus disagree)
   *   nor 0 unless it is a constant (0 may be an underflow: erf(x)^(1/x) at x = 0.001 is 0, and
   *   sqrt(erf(x)^(1/x))′ = Inf·0 = NaN though the true value is tiny),
   * - |f| ≤ 1e6 and |FD| ≤ 1e6 (far from poles and overflow, where relative FD accuracy collapses),
   * - the finite difference is trustworthy: its estimated error (rounding noise, measured by fourth differences
   *   on a fine grid, plus the truncation error from the step-2h difference) is below FD_TRUSTED·|FD|. This drops points near poles,
   *   cusps and the edge of a domain, and points where f′ is tiny next to f (e.g. tanh of something large),
   *   where central differences only see rounding,
   * - |FD| ≥ 1e-250 (differences of subnormal values are meaningless; FD = f′ = 0 exactly is still checked),
   * - the one-sided differences agree to 1e-3 relative (they differ by O(h·f″) ≈ 1e-6 relative where f is
   *   smooth, by O(1) at a kink — e.g. exp(x)^npdf(0^x) at x = 0 — where central differences and the step-2h
   *   estimate are both fooled by the symmetric average).
   * Points that pass must agree to relative 1e-6. A companion test checks that the filter keeps most points.
   */
  // x on a 1e-3 grid in [−3, 3]: near-zero doubles like 1e-155 make intermediates of the *derivative* overflow
  // where f is finite (d/dx ncdf(x^−2 + x) = npdf(1e308)·(−2e463): 0·Inf), a floating-point limit, not an error.
  const point = fc.integer({ min: -3000, max: 3000 }).map((k) => k / 1000);
  test.prop([smoothTree(4), fc.array(point, { minLength: 4, maxLength: 4 })], { numRuns: 400 })(
    'derivative of random trees matches finite differences',
    (tree, xs) => {
      const d = derive(tree, WX, new Map());
      expect(trivialIdentities(d)).toEqual([]);
      const f = evaluator(tree);
      const df = evaluator(d);
      // Subtrees that read x; a constant subtree may well be exactly 0.
      const parts = subtrees(tree).filter((m) => dependsOnX(m)).map((m) => evaluator(m));
      for (const x of xs) {
        tally.offered++;
        if (!parts.every((g) => isNormal(g(x)))) { tally.nonFinite++; continue; }
        const fd = centralFd(f, x);
        if (Math.abs(fd.f) > 1e6 || !(Math.abs(fd.value) <= 1e6)) { tally.large++; continue; }
        if (!(fd.error <= FD_TRUSTED * Math.abs(fd.value))) { tally.fdUntrusted++; continue; }
        const dv = df(x);
        if (Math.abs(fd.value) < 1e-250 && !(fd.value === 0 && dv === 0)) { tally.tiny++; continue; }
        if (fd.kink > 1e-3 * Math.abs(fd.value)) { tally.kink++; continue; }
        tally.checked++;
        expect(relErr(dv, fd.value), `d = ${dv}, fd = ${fd.value} at x = ${x}`).toBeLessThanOrEqual(1e-6);
      }
    },
  );

  test('the filter above leaves most points in', () => {
    // Runs after the property (vitest runs a file's tests in order).
    // Typically ~47% of points are checked; the rest are mostly NaN subexpressions (sqrt, log of negatives).
    expect(tally.offered).toBeGreaterThan(0);
    expect(tally.checked / tally.offered, JSON.stringify(tally)).toBeGreaterThan(0.3);
  });
});

// ---------------------------------------------------------------------------------------------
// simplify
// ---------------------------------------------------------------------------------------------

/** Trees meant to trigger the rules: many 0, 1, −1, repeated subtrees, negations, comparisons, cond, min/max. */
function messyTree(depth: number): fc.Arbitrary<Node> {
  const leaf = fc.oneof(
    { arbitrary: fc.constant(X), weight: 3 },
    { arbitrary: fc.constantFrom(0, 1, -1, 2, 0.5, -3, 1e300).map(n), weight: 3 },
    { arbitrary: fc.double({ min: -4, max: 4, noNaN: true }).map(n), weight: 1 },
  );
  if (depth === 0) return leaf;
  const sub = messyTree(depth - 1);
  const ops: Op[] = ['+', '-', '*', '/', '^', '<', '<=', '>', '>=', '==', '!=', 'and', 'or'];
  return fc.oneof(
    { arbitrary: leaf, weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom(...ops), sub, sub).map(([o, a, c]) => op(o, a, c)), weight: 5 },
    { arbitrary: fc.tuple(fc.constantFrom<Op>('+', '-', '*', '/'), sub).map(([o, a]) => op(o, a, a)), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom<Op>('neg', 'not'), sub).map(([o, a]) => op(o, a)), weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom('exp', 'sin', 'logH', 'abs', 'sqrt'), sub).map(([f, a]) => call(f, a)), weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom('min', 'max'), fc.array(sub, { minLength: 1, maxLength: 3 })).map(([f, a]) => call(f, ...a)), weight: 1 },
    { arbitrary: fc.tuple(sub, sub, sub).map(([t, a, c]) => cond(t, a, c)), weight: 1 },
  );
}

/** Every subexpression of the tree, as its own expression (the trees have no bound variables). */
function subtrees(node: Node): Node[] {
  const out: Node[] = [];
  walk(node, (m) => out.push(m));
  return out;
}

describe('simplify', () => {
  test.prop([messyTree(4), fc.double({ min: -3, max: 3, noNaN: true })], { numRuns: 500 })(
    'never changes the value where every subexpression is finite, never grows the tree, is idempotent',
    (tree, x) => {
      const s = simplify(tree);
      expect(size(s)).toBeLessThanOrEqual(size(tree));
      expect(sameNode(simplify(s), s)).toBe(true);
      // The documented convention: 0·x = 0 etc. hold where x is finite, so compare only there.
      if (!subtrees(tree).every((m) => Number.isFinite(evaluator(m)(x)))) return;
      const [after, before] = [evaluator(s)(x), evaluator(tree)(x)];
      expect(after === before, `${after} vs ${before}`).toBe(true); // ===: +0 and −0 are not told apart
    },
  );

  test('derive(x*x) is 2*x; no 0*, *1, +0, ^1 left in derivatives', () => {
    expect(derive(op('*', X, X), WX, new Map())).toEqual(op('*', n(2), X));
    expect(derive(op('^', X, n(2)), WX, new Map())).toEqual(op('*', n(2), X));
    expect(derive(op('+', op('*', n(3), X), n(1)), WX, new Map())).toEqual(n(3));
    const raw = op('+', op('*', op('+', n(1), n(0)), X), op('*', X, op('-', n(1), n(0))));
    expect(simplify(raw)).toEqual(op('*', n(2), X));
    expect(size(simplify(raw))).toBeLessThan(size(raw));
  });

  test('identities', () => {
    const e = call('exp', X);
    const cases: [Node, Node][] = [
      [op('*', n(0), e), n(0)], [op('*', e, n(1)), e], [op('+', e, n(0)), e], [op('-', n(0), e), op('neg', e)],
      [op('^', e, n(1)), e], [op('^', e, n(0)), n(1)], [op('neg', op('neg', e)), e], [op('/', e, n(1)), e],
      [op('*', n(2), n(3)), n(6)], [call('sqrt', n(4)), n(2)], [op('+', e, op('neg', X)), op('-', e, X)],
      [op('*', op('neg', e), op('neg', X)), op('*', e, X)], [op('*', e, n(-1)), op('neg', e)],
      [cond(n(1), e, X), e], [cond(op('<', X, n(0)), e, e), e], [call('max', e), e],
      [normal('xi', n(3)), n(3)], [normal('xi', op('*', n(0), b('xi'))), n(0)],
      [discrete('s', [1, 2], [X, X], n(0)), n(0)], [op('-', e, e), n(0)], [op('/', e, e), n(1)],
    ];
    for (const [input, want] of cases) expect(simplify(input)).toEqual(want);
    // A NaN test is left alone: the interpreter and generated code read it differently.
    expect(simplify(cond(n(NaN), e, X)).kind).toBe('cond');
    // Nothing is reassociated: (x·0.1)·3 keeps its rounding.
    const kept = op('*', n(3), op('*', n(0.1), X));
    expect(simplify(kept)).toEqual(kept);
  });
});
