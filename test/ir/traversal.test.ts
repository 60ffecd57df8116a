import { describe, expect, it } from 'vitest';
import { freeBound, substitute } from '../../src/ir/derive.ts';
import { inlineCalls } from '../../src/ir/inline.ts';
import { binder, children, forEachScoped, isStatic, label, mapChildren, walk, withChildren, type Measure, type Node } from '../../src/ir/nodes.ts';
import { sameNode, simplify } from '../../src/ir/simplify.ts';

/**
 * `children` and `mapChildren` (nodes.ts) are the one place where a node kind's children are listed; every
 * structural pass goes through them. These tests pin their contract: evaluation order, a measure's expressions
 * before an expectation's body, a root's bracket before its expression and slope, new nodes for inner nodes.
 */

const n = (value: number): Node => ({ kind: 'num', value });
const b = (name: string): Node => ({ kind: 'bound', name });
const X: Node = { kind: 'state', name: 'x', index: 0 };
const Q: Node = { kind: 'param', name: 'q', index: 0 };
const op = (o: '+' | '*' | '-', ...args: Node[]): Node => ({ kind: 'op', op: o, args });
const expectOver = (variable: string, measure: Measure, body: Node): Node => ({ kind: 'expect', variable, measure, body });

const lo = op('-', Q, n(1));
const hi = op('*', X, n(2));
const p0 = op('*', n(0.5), X);
const p1 = op('-', n(1), p0);
const body = op('*', b('z'), X);
const MEASURES: Record<string, Measure> = {
  normal: { kind: 'normal', nodes: 8 },
  'normal-interval': { kind: 'normal-interval', nodes: 8, lower: lo, upper: hi },
  'normal-interval (lower only)': { kind: 'normal-interval', nodes: 8, lower: lo, upper: null },
  discrete: { kind: 'discrete', values: [-1, 1], probs: [p0, p1] },
};
const root: Node = { kind: 'root', variable: 'u', expr: op('-', b('u'), X), slope: n(1), lower: lo, upper: hi };

/** One node of every kind, expectations over every measure. */
const SAMPLES: Record<string, Node> = {
  num: n(2), param: Q, state: X, bound: b('z'),
  call: { kind: 'call', fn: 'exp', args: [X] },
  apply: { kind: 'apply', fn: 'f', args: [X, Q] },
  op: op('+', X, Q),
  cond: { kind: 'cond', test: X, then: Q, else: n(1) },
  root,
  ...Object.fromEntries(Object.entries(MEASURES).map(([k, m]) => [`expect over ${k}`, expectOver('z', m, body)])),
};

describe('children', () => {
  it('lists a node kind\'s children in evaluation order', () => {
    expect(children(n(1))).toEqual([]);
    expect(children(SAMPLES.cond)).toEqual([X, Q, n(1)]);
    expect(children(root)).toEqual([lo, hi, root.kind === 'root' && root.expr, n(1)]);
    expect(children(SAMPLES['expect over normal'])).toEqual([body]);
    expect(children(SAMPLES['expect over normal-interval'])).toEqual([lo, hi, body]);
    expect(children(SAMPLES['expect over normal-interval (lower only)'])).toEqual([lo, body]);
    expect(children(SAMPLES['expect over discrete'])).toEqual([p0, p1, body]);
  });

  it('walk visits parents first, children in their order', () => {
    const seen: Node[] = [];
    walk(SAMPLES['expect over discrete'], (x) => seen.push(x));
    expect(seen.slice(0, 2)).toEqual([SAMPLES['expect over discrete'], p0]);
    expect(seen.at(-3)).toBe(body);
  });

  it('a measure\'s expressions count for isStatic', () => {
    expect(isStatic(expectOver('z', MEASURES.discrete, n(1)))).toBe(false); // probabilities read x
    expect(isStatic(expectOver('z', { kind: 'normal-interval', nodes: 4, lower: Q, upper: null }, n(1)))).toBe(true);
  });
});

describe('mapChildren', () => {
  for (const [name, node] of Object.entries(SAMPLES)) {
    it(`${name}: f is called on the children in order, the result is a new node of the same shape`, () => {
      const calls: Node[] = [];
      const out = mapChildren(node, (c) => { calls.push(c); return c; });
      expect(calls).toEqual(children(node));
      expect(sameNode(out, node)).toBe(true);
      if (children(node).length > 0) expect(out).not.toBe(node);
      else expect(out).toBe(node);
      // property order is kept: generated code keys CSE on JSON.stringify of nodes
      expect(JSON.stringify(out)).toBe(JSON.stringify(node));
      expect(sameNode(withChildren(node, children(node)), node)).toBe(true);
    });
  }

  it('replaces each child, a measure\'s expressions included', () => {
    const zero = n(0);
    const out = mapChildren(SAMPLES['expect over normal-interval (lower only)'], () => zero);
    expect(out).toEqual(expectOver('z', { kind: 'normal-interval', nodes: 8, lower: zero, upper: null }, zero));
  });
});

describe('binders and labels', () => {
  it('an expectation binds its variable in its body only, a root in its expression and slope', () => {
    expect(binder(SAMPLES['expect over discrete'])).toEqual({ variable: 'z', scoped: 1 });
    expect(binder(root)).toEqual({ variable: 'u', scoped: 2 });
    expect(binder(SAMPLES.op)).toBeUndefined();
    const scoped = (node: Node) => { const out: (string | undefined)[] = []; forEachScoped(node, (_c, v) => out.push(v)); return out; };
    expect(scoped(SAMPLES['expect over discrete'])).toEqual([undefined, undefined, 'z']);
    expect(scoped(root)).toEqual([undefined, undefined, 'u', 'u']);
    expect(scoped(SAMPLES.cond)).toEqual([undefined, undefined, undefined]);
  });

  it('labels tell apart what children do not: numbers by Object.is, measures by their keys', () => {
    expect(label(n(0))).not.toBe(label(n(-0)));
    expect(label(n(NaN))).toBe(label(n(NaN)));
    const d = (values: number[]) => expectOver('z', { kind: 'discrete', values, probs: values.map(() => n(0.5)) }, n(1));
    expect(sameNode(d([0, 1]), d([-0, 1]))).toBe(false);
    expect(sameNode(d([0, 1]), d([0, 1]))).toBe(true);
    const interval = (lower: Node | null, upper: Node | null) => expectOver('z', { kind: 'normal-interval', nodes: 4, lower, upper }, n(1));
    expect(sameNode(interval(Q, null), interval(null, Q))).toBe(false);
    expect(sameNode(expectOver('z', { kind: 'normal', nodes: 4 }, n(1)), expectOver('z', { kind: 'normal', nodes: 5 }, n(1)))).toBe(false);
  });
});

describe('passes on children / mapChildren', () => {
  it('substitute is capture-avoiding and does not shadow a measure\'s expressions', () => {
    // E_z over {-1, 1} with probabilities reading y, of z * y; y := z (an outer z)
    const e = expectOver('z', { kind: 'discrete', values: [-1, 1], probs: [b('y'), op('-', n(1), b('y'))] }, op('*', b('z'), b('y')));
    const out = substitute(e, new Map([['y', b('z')]]));
    expect(out).toEqual(expectOver('z_1', { kind: 'discrete', values: [-1, 1], probs: [b('z'), op('-', n(1), b('z'))] }, op('*', b('z_1'), b('z'))));
    expect([...freeBound(out)]).toEqual(['z']);
    // the ends of an interval are outside its scope too
    const t = expectOver('t', { kind: 'normal-interval', nodes: 4, lower: b('t'), upper: null }, b('t'));
    expect([...freeBound(t)]).toEqual(['t']);
    expect(substitute(t, new Map([['t', Q]]))).toEqual(expectOver('t', { kind: 'normal-interval', nodes: 4, lower: Q, upper: null }, b('t')));
  });

  it('inlineCalls reaches calls inside a measure\'s expressions', () => {
    const f = { name: 'f', args: ['a'], body: op('*', b('a'), n(2)) };
    const e = expectOver('z', { kind: 'discrete', values: [0, 1], probs: [{ kind: 'apply', fn: 'f', args: [Q] }, n(0.5)] }, b('z'));
    const out = inlineCalls(e, [f]);
    expect(out).toEqual(expectOver('z', { kind: 'discrete', values: [0, 1], probs: [op('*', Q, n(2)), n(0.5)] }, b('z')));
  });

  it('simplify keeps what did not change and collapses by the measure\'s rule', () => {
    const e = SAMPLES['expect over discrete'];
    expect(simplify(e)).toBe(e);
    expect(simplify(expectOver('z', MEASURES.normal, op('+', n(1), n(2))))).toEqual(n(3)); // E_normal[c] = c
    expect(simplify(expectOver('z', MEASURES['normal-interval'], op('*', n(0), b('z'))))).toEqual(n(0));
    expect(simplify(expectOver('z', MEASURES['normal-interval'], n(1)))).not.toEqual(n(1)); // not renormalised
    expect(simplify(expectOver('z', { kind: 'discrete', values: [1, 2], probs: [op('*', n(0), X), n(0)] }, b('z')))).toEqual(n(0));
  });
});
