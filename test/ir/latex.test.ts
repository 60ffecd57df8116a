import { readdirSync } from 'node:fs';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { latexFunctionName, latexNumber, latexSymbol, programLatex, toLatex } from '../../src/ir/latex.ts';
import type { Node, Op } from '../../src/ir/nodes.ts';
import { loadModel } from '../../src/pipeline/load.ts';

const n = (value: number): Node => ({ kind: 'num', value });
const s = (name: string): Node => ({ kind: 'state', name, index: 0 });
const p = (name: string): Node => ({ kind: 'param', name, index: 0 });
const b = (name: string): Node => ({ kind: 'bound', name });
const op = (o: Op, ...args: Node[]): Node => ({ kind: 'op', op: o, args });
const call = (fn: string, ...args: Node[]): Node => ({ kind: 'call', fn, args });
const [x, y, z] = [s('x'), s('y'), s('z')];

/** KaTeX with every warning an error: what the report relies on. */
const render = (tex: string) => katex.renderToString(tex, { displayMode: true, throwOnError: true, strict: 'error' });

describe('names', () => {
  it.each([
    ['alpha', '\\alpha'], ['Delta', '\\Delta'], ['lambda', '\\lambda'], ['rho', '\\rho'], ['xi', '\\xi'], ['eta', '\\eta'],
    ['qhat', '\\hat{q}'], ['mhat', '\\hat{m}'], ['Vhat', '\\hat{V}'], ['lambdahat', '\\hat{\\lambda}'], ['q_hat', '\\hat{q}'],
    ['Delta0', '\\Delta_{0}'], ['q1', 'q_{1}'], ['alpha_c', '\\alpha_{c}'], ['Delta_out', '\\Delta_{\\mathrm{out}}'],
    ['rho_w', '\\rho_{w}'], ['eps', '\\varepsilon'], ['m', 'm'], ['V', 'V'],
    ['prior_xi', '\\xi_{w}'], ['channel_xi', '\\xi_{\\mathrm{out}}'], ['channel_t', 't_{\\mathrm{out}}'],
    ['mse', '\\mathrm{mse}'], ['gen_error', '\\mathrm{gen\\_error}'], ['free_energy', '\\mathrm{free\\_energy}'],
    ['err1', '\\mathrm{err}_{1}'], ['zA', 'z_{A}'], ['ka', 'k_{a}'],
  ])('%s -> %s', (name, tex) => {
    expect(latexSymbol(name)).toBe(tex);
    render(tex);
  });

  it('function names: symbols where the name reads as one, upright words otherwise', () => {
    expect(latexFunctionName('f')).toBe('f');
    expect(latexFunctionName('fout')).toBe('f_{\\mathrm{out}}');
    expect(latexFunctionName('logZout')).toBe('\\log Z_{\\mathrm{out}}');
    expect(latexFunctionName('logZw')).toBe('\\log Z_{w}');
    expect(latexFunctionName('P0')).toBe('P_{0}');
    expect(latexFunctionName('loss')).toBe('\\operatorname{loss}');
    expect(latexFunctionName('dgout')).toBe('\\operatorname{dgout}');
  });

  it('numbers: shortest digits, powers of ten, named constants', () => {
    expect(latexNumber(2).tex).toBe('2');
    expect(latexNumber(0.5).tex).toBe('0.5');
    expect(latexNumber(1e-300).tex).toBe('10^{-300}');
    expect(latexNumber(2.5e-7).tex).toBe('2.5 \\cdot 10^{-7}');
    expect(latexNumber(Math.PI).tex).toBe('\\pi');
    expect(latexNumber(-Math.PI).tex).toBe('-\\pi');
    expect(latexNumber(Infinity).tex).toBe('\\infty');
    expect(latexNumber(1 / Math.sqrt(2 * Math.PI)).tex).toBe('\\frac{1}{\\sqrt{2\\pi}}');
  });
});

describe('precedence: parentheses exactly where needed', () => {
  it.each<[string, Node, string]>([
    ['a - (b - c)', op('-', x, op('-', y, z)), 'x - \\left(y - z\\right)'],
    ['(a - b) - c', op('-', op('-', x, y), z), 'x - y - z'],
    ['a + (b + c)', op('+', x, op('+', y, z)), 'x + y + z'],
    ['a * (b + c)', op('*', x, op('+', y, z)), 'x \\, \\left(y + z\\right)'],
    ['(a + b) * c', op('*', op('+', x, y), z), '\\left(x + y\\right) \\, z'],
    ['2 * a', op('*', n(2), x), '2 x'],
    ['a * 2', op('*', x, n(2)), 'x \\cdot 2'],
    ['2 * 3', op('*', n(2), n(3)), '2 \\cdot 3'],
    ['a * -b', op('*', x, op('neg', y)), 'x \\, \\left(-y\\right)'],
    ['a + -b', op('+', x, op('neg', y)), 'x + \\left(-y\\right)'],
    ['a - -1', op('-', x, n(-1)), 'x - \\left(-1\\right)'],
    ['-(a + b)', op('neg', op('+', x, y)), '-\\left(x + y\\right)'],
    ['-(a * b)', op('neg', op('*', x, y)), '-x \\, y'],
    ['(a + b) / c', op('/', op('+', x, y), z), '\\frac{x + y}{z}'],
    ['(a / b) ^ 2', op('^', op('/', x, y), n(2)), '\\left(\\frac{x}{y}\\right)^{2}'],
    ['(-a) ^ 2', op('^', op('neg', x), n(2)), '\\left(-x\\right)^{2}'],
    ['-(a ^ 2)', op('neg', op('^', x, n(2))), '-x^{2}'],
    ['(a ^ b) ^ c', op('^', op('^', x, y), z), '\\left(x^{y}\\right)^{z}'],
    ['a ^ (b ^ c)', op('^', x, op('^', y, z)), 'x^{y^{z}}'],
    ['sqrt(a) ^ 2', op('^', call('sqrt', x), n(2)), '\\left(\\sqrt{x}\\right)^{2}'],
    ['(a + b) ^ 2', op('^', op('+', x, y), n(2)), '\\left(x + y\\right)^{2}'],
    ['a < b + c', op('<', x, op('+', y, z)), 'x < y + z'],
    ['a > 0 and b <= 1', op('and', op('>', x, n(0)), op('<=', y, n(1))), 'x > 0 \\land y \\le 1'],
    ['(a or b) and c', op('and', op('or', x, y), z), '\\left(x \\lor y\\right) \\land z'],
    ['a * (b ? c : d)', op('*', x, { kind: 'cond', test: y, then: z, else: n(0) }),
      'x \\, \\left(\\begin{dcases} z & \\text{if } y \\\\ 0 & \\text{otherwise} \\end{dcases}\\right)'],
  ])('%s', (_label, node, tex) => {
    expect(toLatex(node)).toBe(tex);
    render(tex);
  });

  it('built-ins: radicals, exponentials, absolute values, \\operatorname for special functions', () => {
    expect(toLatex(call('sqrt', op('/', x, y)))).toBe('\\sqrt{\\frac{x}{y}}');
    expect(toLatex(call('exp', op('neg', x)))).toBe('e^{-x}');
    expect(toLatex(call('exp', op('/', x, y)))).toBe('\\exp\\left(\\frac{x}{y}\\right)');
    expect(toLatex(call('abs', x))).toBe('\\left|x\\right|');
    expect(toLatex(call('log1pexp', op('neg', x)))).toBe('\\operatorname{log1pexp}\\left(-x\\right)');
    expect(toLatex(call('H', x))).toBe('\\operatorname{H}\\left(x\\right)');
    expect(toLatex(call('erfc', x))).toBe('\\operatorname{erfc}\\left(x\\right)');
    expect(toLatex(call('max', x, n(1e-300)))).toBe('\\max\\left(x, 10^{-300}\\right)');
    expect(toLatex(call('acos', x))).toBe('\\arccos\\left(x\\right)');
    expect(toLatex(op('*', p('alpha'), call('tanh', b('xi'))))).toBe('\\alpha \\, \\tanh\\left(\\xi\\right)');
  });

  it('expectations: E_z[f], nested ones merged, restrictions after a semicolon', () => {
    const body = op('*', b('z'), b('xi'));
    const inner: Node = { kind: 'expect', variable: 'xi', measure: { kind: 'normal', nodes: 20 }, body };
    expect(toLatex(inner)).toBe('\\mathbb{E}_{\\xi}\\left[\\, z \\, \\xi \\,\\right]');
    const outer: Node = { kind: 'expect', variable: 'z', measure: { kind: 'normal-interval', nodes: 20, lower: n(0), upper: null }, body: inner };
    const tex = toLatex(outer);
    expect(tex).toBe('\\mathbb{E}_{z,\\xi}\\left[\\, z \\, \\xi \\;;\\; z > 0 \\,\\right]');
    render(tex);
  });

  it('nested conditionals are one cases block, each line with the tests on its path', () => {
    const chain: Node = { kind: 'cond', test: op('>', x, n(0)), then: n(1), else: { kind: 'cond', test: op('<', y, n(-1)), then: n(2), else: n(3) } };
    const tex = toLatex(chain);
    expect(tex).toBe('\\begin{dcases} 1 & \\text{if } x > 0 \\\\ 2 & \\text{if } x \\le 0,\\ y < -1 \\\\ 3 & \\text{otherwise} \\end{dcases}');
    render(tex);
    const inThen: Node = { kind: 'cond', test: op('>', x, n(0)), then: { kind: 'cond', test: op('==', y, n(1)), then: n(1), else: n(2) }, else: n(3) };
    expect(toLatex(inThen)).toBe('\\begin{dcases} 1 & \\text{if } x > 0,\\ y = 1 \\\\ 2 & \\text{if } x > 0,\\ y \\neq 1 \\\\ 3 & \\text{otherwise} \\end{dcases}');
    const general: Node = { kind: 'cond', test: op('and', x, y), then: n(1), else: { kind: 'cond', test: z, then: n(2), else: n(3) } };
    expect(toLatex(general)).toContain('2 & \\text{if } \\lnot \\left(x \\land y\\right),\\ z');
  });
});

const MODEL = `
name: toy
description: a toy model for the printer
params:
  alpha: { default: 1, min: 0 }
  lambda: 0.1
variables:
  xi: normal
  y: { values: [-1, 1], probs: [0.25, 0.75] }
order_params:
  qhat: { min: 0 }
  q: { init: 0.5 }
functions:
  f(a, b): a / (1 + b)
definitions:
  rho: 1
  omega: sqrt(q) * xi
updates:
  qhat: alpha * E(xi, E(y, f(y * omega, lambda)^2)) / rho
  q: qhat / (1 + qhat)
observables:
  err: rho - q
free_energy: -log(1 + qhat) / 2
`;

describe('programLatex: the program as a reader needs it', () => {
  const t = programLatex(loadModel('toy.yaml', MODEL).program);

  it('uses of definitions print as their names; definitions are listed on their own', () => {
    expect(t.definitions.map((d) => d.tex)).toEqual(['\\rho = 1', '\\omega = \\sqrt{q} \\, \\xi']);
    expect(t.updates.map((u) => u.tex)).toEqual([
      '\\hat{q} \\leftarrow \\frac{\\alpha \\, \\mathbb{E}_{\\xi,y}\\left[\\, f\\left(y \\, \\omega, \\lambda\\right)^{2} \\,\\right]}{\\rho}',
      'q \\leftarrow \\frac{\\hat{q}}{1 + \\hat{q}}',
    ]);
    expect(t.observables.map((o) => o.tex)).toEqual(['\\mathrm{err} = \\rho - q']);
    expect(t.freeEnergy?.tex).toBe('\\mathrm{free\\_energy} = \\frac{-\\log\\left(1 + \\hat{q}\\right)}{2}');
  });

  it('functions, random variables and their laws', () => {
    expect(t.functions.map((f) => f.tex)).toEqual(['f\\left(a, b\\right) = \\frac{a}{1 + b}']);
    expect(t.variables[0].tex).toBe('\\xi \\sim \\mathcal{N}(0, 1)');
    expect(t.variables[1].tex).toBe('y \\in \\left\\{-1, 1\\right\\},\\quad \\mathbb{P}(y = -1) = 0.25,\\ \\mathbb{P}(y = 1) = 0.75');
  });

  it('`=` instead of the arrow on request', () => {
    const eq = programLatex(loadModel('toy.yaml', MODEL).program, { updateRelation: '=' });
    expect(eq.updates[1].tex).toBe('q = \\frac{\\hat{q}}{1 + \\hat{q}}');
  });
});

describe('every built-in model renders without a KaTeX error or warning', () => {
  const dir = new URL('../../equations/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  it.each(files)('%s', (file) => {
    const program = loadModel(new URL(file, dir).pathname).program;
    const t = programLatex(program);
    const all = [...t.variables, ...t.functions, ...t.definitions, ...t.updates, ...t.observables, ...(t.freeEnergy ? [t.freeEnergy] : [])];
    expect(t.updates.length).toBe(program.updates.length);
    for (const e of all) expect(() => render(e.tex), `${file}: ${e.name}: ${e.tex}`).not.toThrow();
    for (const f of t.builtins) expect(f.doc).not.toBe('');
    // Distinct names stay distinct on the page.
    const names = [...program.params.map((q) => q.name), ...program.state.map((q) => q.name), ...(program.definitions ?? []).map((d) => d.name),
      ...program.observables.map((o) => o.name), ...program.info.variables.map((v) => v.name)];
    const shown = new Map<string, string>();
    for (const name of new Set(names)) {
      const tex = latexSymbol(name);
      expect(shown.get(tex), `${name} and ${shown.get(tex)} both print as ${tex}`).toBeUndefined();
      shown.set(tex, name);
    }
  });
});
