import { createRequire } from 'node:module';
import type { MathNode, parse as ParseFn } from 'mathjs';
import { MAX_DEPTH } from '../ir/build.ts';
import { locateIndex, locateToken } from '../ir/locate.ts';
import type { Program } from '../ir/nodes.ts';
import type { Issue } from '../base/issues.ts';
import { didYouMean } from '../base/suggest.ts';
import type { NamedExpr } from '../model/types.ts';
import type { CellRecord } from './compute.ts';

const { parse } = createRequire(import.meta.url)('mathjs/lib/browser/math.js') as { parse: typeof ParseFn };

/**
 * The `regions:` section of a model file labels the cells of a phase diagram, first match wins:
 *
 *   regions:
 *     easy: uninformed.m > 0.1                 # AMP from an uninformed start recovers the signal
 *     hard: selected.m > 0.1                   # the equilibrium does, AMP does not
 *     impossible: true
 *
 * A condition reads `BRANCH.NAME` (BRANCH an initialisation or `selected`, the equilibrium branch; NAME an order
 * parameter or observable; NaN when that branch did not converge, so comparisons with it are false), bare NAMEs
 * (the selected branch's), parameters (the diagram's axes and fixed values), numbers, + - * / ^, comparisons,
 * and/or/not, and abs, min, max, sqrt, log.
 */
type Scope = { readonly cell: CellRecord; readonly params: Readonly<Record<string, number>> };
type Eval = (s: Scope) => number;

const FUNCTIONS: Readonly<Record<string, (...a: number[]) => number>> = { abs: Math.abs, min: Math.min, max: Math.max, sqrt: Math.sqrt, log: Math.log };
const OPS: Readonly<Record<string, (a: number, b: number) => number>> = {
  add: (a, b) => a + b, subtract: (a, b) => a - b, multiply: (a, b) => a * b, divide: (a, b) => a / b, pow: (a, b) => a ** b,
  smaller: (a, b) => +(a < b), smallerEq: (a, b) => +(a <= b), larger: (a, b) => +(a > b), largerEq: (a, b) => +(a >= b),
  equal: (a, b) => +(a === b), unequal: (a, b) => +(a !== b), and: (a, b) => +(a !== 0 && !Number.isNaN(a) && b !== 0 && !Number.isNaN(b)),
  or: (a, b) => +((a !== 0 && !Number.isNaN(a)) || (b !== 0 && !Number.isNaN(b))),
};

function branchValue(cell: CellRecord, branch: string, name: string): number {
  const init = branch === 'selected' ? cell.selected : branch;
  const b = cell.branches.find((r) => r.init === init);
  if (!b || b.status !== 'converged') return NaN;
  return b.state[name] ?? b.observables[name] ?? NaN;
}

export interface Regions {
  readonly labels: readonly string[];
  /** The label of the first region whose condition holds at the cell, or null. */
  label(cell: CellRecord, params: Readonly<Record<string, number>>): string | null;
}

/** Compiles the conditions, or lists every mistake in them (located in the model file). */
export function compileRegions(regions: readonly NamedExpr[], program: Program): { regions?: Regions; issues: Issue[] } {
  const issues: Issue[] = [];
  const quantities = [...program.state.map((s) => s.name), ...program.observables.map((o) => o.name)];
  const params = program.params.map((p) => p.name);
  const branches = [...program.info.initNames, 'selected'];
  const conditions: Eval[] = [];
  for (const r of regions) {
    const add = (token: string, message: string, hint?: string, symbol?: string) =>
      issues.push({ code: 'unknown-symbol', ...locateToken(r.expr, token), message, ...(symbol && { symbol }), ...(hint && { hint }) });
    let ast: MathNode;
    try {
      ast = parse(r.expr.text);
    } catch (e) {
      if (e instanceof RangeError) {
        issues.push({ code: 'too-complex', ...r.expr.loc, message: `region \`${r.name}\`: the condition is nested too deeply to be read`, hint: 'write it flatter' });
        continue;
      }
      const m = /\(char (\d+)\)/.exec((e as Error).message);
      issues.push({ code: 'expression-syntax', ...locateIndex(r.expr, m ? Number(m[1]) - 1 : 0), message: `region \`${r.name}\`: ${(e as Error).message}` });
      continue;
    }
    const quantity = (name: string, branch: string): Eval => {
      if (!quantities.includes(name)) add(name, `region \`${r.name}\`: \`${name}\` is not an order parameter or observable`, didYouMean(name, quantities) ?? `choose from: ${quantities.join(', ')}`, name);
      return (s) => branchValue(s.cell, branch, name);
    };
    // A condition is at most MAX_DEPTH levels deep, as an expression of the model: walked (and later evaluated)
    // by recursion, a chain like a ^ a ^ ... of thousands would overflow the stack.
    let level = 0;
    let deep = false;
    const walk = (n: MathNode): Eval => {
      if (level >= MAX_DEPTH) {
        if (!deep) issues.push({ code: 'too-complex', ...r.expr.loc, message: `region \`${r.name}\`: the condition is nested more than ${MAX_DEPTH} levels deep`, hint: 'write it flatter' });
        deep = true;
        return () => NaN;
      }
      level++;
      try {
        return node(n);
      } finally {
        level--;
      }
    };
    const node = (n: MathNode): Eval => {
      switch (n.type) {
        case 'ConstantNode': {
          const v = (n as unknown as { value: unknown }).value;
          const x = typeof v === 'boolean' ? +v : Number(v);
          return () => x;
        }
        case 'ParenthesisNode': return walk((n as unknown as { content: MathNode }).content);
        case 'SymbolNode': {
          const name = (n as unknown as { name: string }).name;
          if (name === 'true' || name === 'false') return () => +(name === 'true');
          if (params.includes(name)) return (s) => s.params[name];
          return quantity(name, 'selected');
        }
        case 'AccessorNode': {
          const a = n as unknown as { object: MathNode; index: { dimensions: MathNode[]; dotNotation?: boolean } };
          const branch = a.object.type === 'SymbolNode' ? (a.object as unknown as { name: string }).name : '';
          const key = a.index.dimensions[0] as unknown as { value?: unknown };
          // BRANCH.NAME only: not selected.selected.q, not (x).q
          if (!a.index.dotNotation || typeof key.value !== 'string' || a.object.type !== 'SymbolNode') break;
          if (!branches.includes(branch)) add(branch, `region \`${r.name}\`: \`${branch}\` is not a branch`, `branches are the initialisations and \`selected\`: ${branches.join(', ')}`, branch);
          return quantity(key.value, branch);
        }
        case 'OperatorNode': {
          const o = n as unknown as { fn: string; op: string; args: MathNode[] };
          const args = o.args.map(walk);
          if (o.fn === 'unaryMinus') return (s) => -args[0](s);
          if (o.fn === 'unaryPlus') return args[0];
          if (o.fn === 'not') return (s) => +!(args[0](s) !== 0 && !Number.isNaN(args[0](s)));
          const f = Object.hasOwn(OPS, o.fn) ? OPS[o.fn] : undefined;
          if (f && args.length === 2) return (s) => f(args[0](s), args[1](s));
          add(o.op, `region \`${r.name}\`: the operator \`${o.op}\` is not supported here`, 'use + - * / ^, comparisons, and, or, not');
          return () => NaN;
        }
        case 'FunctionNode': {
          const f = n as unknown as { fn: { type: string; name: string }; args: MathNode[] };
          if (f.fn.type !== 'SymbolNode') break;
          // own entries only: `constructor(1)` or `toString(1)` are not functions of a condition
          const fn = Object.hasOwn(FUNCTIONS, f.fn.name) ? FUNCTIONS[f.fn.name] : undefined;
          const args = f.args.map(walk);
          if (fn) return (s) => fn(...args.map((a) => a(s)));
          add(f.fn.name, `region \`${r.name}\`: \`${f.fn.name}\` is not a function of region conditions`, `functions: ${Object.keys(FUNCTIONS).join(', ')}`, f.fn.name);
          return () => NaN;
        }
        default: break;
      }
      issues.push({ code: 'unsupported-syntax', ...r.expr.loc, message: `region \`${r.name}\`: this kind of expression is not supported in a condition`, hint: 'write comparisons of BRANCH.NAME, parameters and numbers, joined with and/or/not' });
      return () => NaN;
    };
    conditions.push(walk(ast));
  }
  if (issues.length > 0) return { issues };
  const labels = regions.map((r) => r.name);
  return {
    issues,
    regions: {
      labels,
      label(cell, params) {
        const scope = { cell, params };
        for (let k = 0; k < conditions.length; k++) {
          const v = conditions[k](scope);
          if (v !== 0 && !Number.isNaN(v)) return labels[k];
        }
        return null;
      },
    },
  };
}
