import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.ts';
import { derive } from '../../src/ir/derive.ts';
import { interpret } from '../../src/ir/interpret.ts';
import { measureKind, measureRuntime } from '../../src/ir/measures/index.ts';
import { label, mapChildren, type Measure, type Node, type Program } from '../../src/ir/nodes.ts';
import { toLatex } from '../../src/ir/latex.ts';

/**
 * The measure registry (src/ir/measures/): each kind owns everything that depends on its law. These tests hold
 * every registered kind to the contract of measures/measure.ts, and check that nothing outside the folder looks
 * at a measure's kind.
 */

const n = (value: number): Node => ({ kind: 'num', value });
const b = (name: string): Node => ({ kind: 'bound', name });
const X: Node = { kind: 'state', name: 'x', index: 0 };
const Q: Node = { kind: 'param', name: 'q', index: 0 };
const op = (o: '+' | '-' | '*' | '/', x: Node, y: Node): Node => ({ kind: 'op', op: o, args: [x, y] });
const call = (fn: string, ...args: Node[]): Node => ({ kind: 'call', fn, args });

/** A measure of every kind, its expressions reading the state x (and the parameter q), so that derivatives see them. */
const MEASURES: Record<string, Measure> = {
  normal: { kind: 'normal', nodes: 24 },
  'normal-interval, moving ends': { kind: 'normal-interval', nodes: 24, lower: op('-', X, n(1)), upper: op('*', n(2), X) },
  'normal-interval, fixed end': { kind: 'normal-interval', nodes: 24, lower: Q, upper: null },
  discrete: { kind: 'discrete', values: [-1, 0.5, 2], probs: [op('*', n(0.25), X), n(0.25), op('-', n(0.75), op('*', n(0.25), X))] },
  // Spectral laws: their parameters read parameters only (a ratio that moves with the state has no derivative rule).
  'marchenko-pastur': { kind: 'marchenko-pastur', nodes: 24, ratio: op('+', Q, n(1.2)) },
  'power-law, teacher weights': { kind: 'power-law', capacity: n(2.5), source: Q, modes: null, nodes: 8 },
  'power-law, truncated': { kind: 'power-law', capacity: op('+', Q, n(1.5)), source: null, modes: n(50), nodes: 8 },
  spectrum: { kind: 'spectrum', sha256: 'ab', weights: 'teacher', count: 3, data: Float64Array.of(0.5, 1, 2, 0.2, 0.3, 0.5).buffer },
};

/** A smooth body reading the variable z, the state and the parameter. */
const BODY = op('+', call('tanh', op('*', X, b('z'))), op('*', Q, op('*', b('z'), b('z'))));
const expectation = (m: Measure): Node => ({ kind: 'expect', variable: 'z', measure: m, body: BODY });

function program(expr: Node): Program {
  return {
    info: { name: 'measure-test', file: 'measures.test.ts', sha256: '', description: '', initNames: [], solver: {}, nodes: 24, variables: [], freeEnergy: false },
    params: [{ name: 'q', default: 0.3 }],
    state: [{ name: 'x', carried: true }],
    functions: [],
    updates: [],
    observables: [{ name: 'value', expr }],
  };
}
const value = (expr: Node, x: number, how: 'compiled' | 'interpreted') => {
  const out = new Float64Array(1);
  const p = program(expr);
  (how === 'interpreted' ? interpret(p, Float64Array.of(0.3)) : compile(p).problem().kernels).observables(Float64Array.of(x), out);
  return out[0];
};

describe.each(Object.entries(MEASURES))('the %s measure', (_name, m) => {
  const kind = measureKind(m);

  it('map calls f on its expressions in the order of nodes; the key ignores them', () => {
    const seen: Node[] = [];
    const mapped = kind.map(m, (x) => { seen.push(x); return n(seen.length); });
    expect(seen).toEqual(kind.nodes(m));
    expect(kind.nodes(mapped)).toEqual(seen.map((_, i) => n(i + 1)));
    expect(kind.key(mapped)).toBe(kind.key(m));
    expect(mapped.kind).toBe(m.kind);
  });

  it('resizes its rule: every node count mapped, itself when none changes', () => {
    const counts = kind.nodeCounts(m);
    const doubled = kind.resize(m, (c) => 2 * c);
    expect(kind.nodeCounts(doubled)).toEqual(counts.map((c) => 2 * c));
    expect(kind.resize(m, (c) => c)).toBe(m);
    if (counts.length === 0) expect(doubled).toBe(m);
    else expect(kind.key(doubled)).not.toBe(kind.key(m));
    expect(kind.nodes(doubled)).toEqual(kind.nodes(m));
  });

  it('counts its points and the copies of its body in generated code', () => {
    expect(kind.points(m)).toBeGreaterThan(0);
    expect(kind.copies(m)).toBeGreaterThanOrEqual(1);
    expect(kind.copies(m)).toBeLessThanOrEqual(kind.points(m));
  });

  it('generated code and the interpreter agree (same terms, same order)', () => {
    for (const x of [0.2, 0.7, 1.3]) {
      const [c, i] = [value(expectation(m), x, 'compiled'), value(expectation(m), x, 'interpreted')];
      expect(Number.isFinite(c)).toBe(true);
      expect(Math.abs(c - i)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(i)));
    }
  });

  it('its derivative rule matches finite differences (Leibniz terms, derivatives of probabilities)', () => {
    const e = expectation(m);
    const d = derive(e, { kind: 'state', name: 'x' }, new Map());
    for (const x of [0.4, 0.9]) {
      const h = 1e-5;
      const fd = (value(e, x + h, 'interpreted') - value(e, x - h, 'interpreted')) / (2 * h);
      // moving ends: the window rule's error moves with the ends, so the tolerance is that of the rule
      const tol = m.kind === 'normal-interval' && kind.nodes(m).length === 2 ? 1e-5 : 1e-7;
      expect(value(d, x, 'interpreted')).toBeCloseTo(fd, -Math.log10(tol));
    }
  });

  it('prints as E over its variable, with its restriction if any', () => {
    const tex = toLatex(expectation(m));
    expect(tex).toMatch(/^\\mathbb\{E\}_\{z\}/);
    expect(tex.includes(';')).toBe(kind.restriction?.('z', m, () => '') !== undefined);
  });

  it('distinguishes measures by kind and key in node labels', () => {
    const other: Measure = { kind: 'normal', nodes: 7 };
    expect(label(expectation(m))).not.toBe(label(expectation(other)));
    expect(label(mapChildren(expectation(m), (c) => c))).toBe(label(expectation(m)));
  });
});

describe('the registry', () => {
  it('gives generated code the run-time helpers its kinds call', () => {
    const source = compile(program(expectation(MEASURES['normal-interval, fixed end']))).source;
    for (const name of Object.keys(measureRuntime())) expect(source).toContain(`${name} = S.${name}`);
  });

  it('refuses an unregistered kind by name', () => {
    expect(() => measureKind({ kind: 'wishart-k' } as unknown as Measure)).toThrow(/unregistered measure kind `wishart-k`/);
  });

  it('nothing outside src/ir/measures/ switches on a measure\'s kind', () => {
    // The IR passes, code generation and the quadrature report reach a measure only through its kind's object.
    const root = join(import.meta.dirname, '../..');
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? (f === 'measures' ? [] : files(p)) : f.endsWith('.ts') ? [p] : [];
    });
    const offending: string[] = [];
    for (const file of [...files(join(root, 'src/ir')), ...files(join(root, 'src/compile')), join(root, 'src/verify/quadrature.ts'), join(root, 'src/solve/quadrature.ts')]) {
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        if (/(['"])(normal|normal-interval|discrete)\1|measure\.kind\s*[!=]==|switch \(\w*\.?measure\.kind\)/.test(line)) offending.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offending).toEqual([]);
  });
});
