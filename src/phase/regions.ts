import type { MathNode } from 'mathjs';
import type { Issue, IssueCode, Loc } from '../base/issues.ts';
import { didYouMean } from '../base/suggest.ts';
import { compile } from '../compile/compile.ts';
import { BUILTINS } from '../ir/builtins.ts';
import { MAX_DEPTH, MAX_SIZE } from '../ir/build.ts';
import { locateIndex, locateToken } from '../ir/locate.ts';
import { parse } from '../ir/mathjs.ts';
import type { Node, Op, Program, StateVar } from '../ir/nodes.ts';
import type { NamedExpr } from '../model/types.ts';
import type { CellRecord } from './compute.ts';


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
 * (the selected branch's), parameters (the diagram's axes and fixed values, the model's defaults for the others),
 * numbers, + - * / ^, comparisons, and/or/not, and abs, min, max, sqrt, log.
 *
 * The conditions are compiled through the IR, by the same code generator as the model's equations: each distinct
 * BRANCH.NAME read is a slot of a state vector, each condition an observable of a small Program of its own. Only
 * the reading differs from a model expression's (`BRANCH.NAME` is no syntax of the model language), and the truth
 * of a value: NaN (a branch that did not converge) is false here, so each operand of and/or/not is read as
 * `v != 0 and v == v`.
 */
export interface Regions {
  readonly labels: readonly string[];
  /** The label of the first region whose condition holds at the cell, or null. */
  label(cell: CellRecord, params: Readonly<Record<string, number>>): string | null;
}

/** The functions of a condition: built-ins of the model language (the same code and values). */
const FUNCTIONS = ['abs', 'min', 'max', 'sqrt', 'log'] as const;

const OPS: Readonly<Record<string, Op>> = {
  add: '+', subtract: '-', multiply: '*', divide: '/', pow: '^',
  smaller: '<', smallerEq: '<=', larger: '>', largerEq: '>=', equal: '==', unequal: '!=', and: 'and', or: 'or',
};
const BOOLEAN: ReadonlySet<Op> = new Set(['<', '<=', '>', '>=', '==', '!=', 'and', 'or', 'not']);
const NAN: Node = { kind: 'num', value: NaN };

/** A value as a truth: 1 when it is neither 0 nor NaN (a comparison or a logical value already is one). */
function truth(node: Node): Node {
  if (node.kind === 'op' && BOOLEAN.has(node.op)) return node;
  if (node.kind === 'num') return { kind: 'num', value: +(node.value !== 0 && !Number.isNaN(node.value)) };
  return { kind: 'op', op: 'and', args: [{ kind: 'op', op: '!=', args: [node, { kind: 'num', value: 0 }] }, { kind: 'op', op: '==', args: [node, node] }] };
}

/** A value of one branch of a cell, read by a condition. */
interface Slot {
  readonly branch: string;
  readonly name: string;
}

/** Compiles the conditions, or lists every mistake in them (located in the model file). */
export function compileRegions(regions: readonly NamedExpr[], program: Program): { regions?: Regions; issues: Issue[] } {
  const issues: Issue[] = [];
  const reader = conditionReader(program, issues);
  const conditions = regions.map((r) => reader(r));
  if (issues.length > 0) return { issues };
  const labels = regions.map((r) => r.name);
  const slots = reader.slots;
  // the state of the conditions' program: one slot per BRANCH.NAME read, named by its position only
  const state: StateVar[] = slots.map((_, k) => ({ name: `v${k}`, carried: false }));
  const compiled = compile({
    info: program.info, params: program.params, state, functions: [], updates: [],
    observables: conditions.map((expr, k) => ({ name: `region${k}`, expr })),
  });
  return {
    issues,
    regions: {
      labels,
      label(cell, params) {
        const values = Float64Array.from(slots, (s) => branchValue(cell, s.branch, s.name));
        const truths = new Float64Array(labels.length);
        compiled.problem(params).kernels.observables(values, truths);
        const k = truths.findIndex((v) => v !== 0 && !Number.isNaN(v));
        return k < 0 ? null : labels[k];
      },
    },
  };
}

function branchValue(cell: CellRecord, branch: string, name: string): number {
  const init = branch === 'selected' ? cell.selected : branch;
  const b = cell.branches.find((r) => r.init === init);
  if (!b || b.status !== 'converged') return NaN;
  return b.state[name] ?? b.observables[name] ?? NaN;
}

/**
 * Reads one region's condition into IR (NaN where it has a mistake, reported to `issues`), numbering the branch
 * values it reads in `slots`, shared by all the conditions of a model.
 */
function conditionReader(program: Program, issues: Issue[]) {
  const quantities = [...program.state.map((s) => s.name), ...program.observables.map((o) => o.name)];
  const paramIx = new Map(program.params.map((p, i) => [p.name, i]));
  const branches = [...program.info.initNames, 'selected'];
  const slots: Slot[] = [];
  const slotIx = new Map<string, number>();

  const read = (r: NamedExpr): Node => {
    const issue = (code: IssueCode, loc: Loc, message: string, hint?: string, symbol?: string) =>
      issues.push({ code, ...loc, message: `region \`${r.name}\`: ${message}`, ...(symbol && { symbol }), ...(hint && { hint }) });
    const unknown = (token: string, message: string, hint?: string) => issue('unknown-symbol', locateToken(r.expr, token), message, hint, token);
    let ast: MathNode;
    try {
      ast = parse(r.expr.text);
    } catch (e) {
      if (e instanceof RangeError) {
        issue('too-complex', r.expr.loc, 'the condition is nested too deeply to be read', 'write it flatter');
        return NAN;
      }
      const m = /\(char (\d+)\)/.exec((e as Error).message);
      issue('expression-syntax', locateIndex(r.expr, m ? Number(m[1]) - 1 : 0), (e as Error).message);
      return NAN;
    }
    const value = (branch: string, name: string): Node => {
      if (!quantities.includes(name)) {
        unknown(name, `\`${name}\` is not an order parameter or observable`, didYouMean(name, quantities) ?? `choose from: ${quantities.join(', ')}`);
        return NAN;
      }
      const key = `${branch}.${name}`;
      let index = slotIx.get(key);
      if (index === undefined) {
        slotIx.set(key, (index = slots.length));
        slots.push({ branch, name });
      }
      return { kind: 'state', name: key, index };
    };
    // A condition is at most MAX_DEPTH levels deep and MAX_SIZE nodes, as an expression of the model: walked by
    // recursion, a chain like a ^ a ^ ... of thousands would overflow the stack.
    let level = 0;
    let size = 0;
    let stopped = false;
    const walk = (n: MathNode): Node => {
      if (stopped) return NAN;
      if (level >= MAX_DEPTH || ++size > MAX_SIZE) {
        stopped = true;
        issue('too-complex', r.expr.loc, level >= MAX_DEPTH ? `the condition is nested more than ${MAX_DEPTH} levels deep` : `the condition has more than ${MAX_SIZE} nodes`, 'write it flatter');
        return NAN;
      }
      level++;
      try {
        return node(n);
      } finally {
        level--;
      }
    };
    const node = (n: MathNode): Node => {
      switch (n.type) {
        case 'ConstantNode': {
          const v = (n as unknown as { value: unknown }).value;
          return { kind: 'num', value: typeof v === 'boolean' ? +v : Number(v) };
        }
        case 'ParenthesisNode': return walk((n as unknown as { content: MathNode }).content);
        case 'SymbolNode': {
          const name = (n as unknown as { name: string }).name;
          if (name === 'true' || name === 'false') return { kind: 'num', value: +(name === 'true') };
          const index = paramIx.get(name);
          if (index !== undefined) return { kind: 'param', name, index };
          return value('selected', name);
        }
        case 'AccessorNode': {
          const a = n as unknown as { object: MathNode; index: { dimensions: MathNode[]; dotNotation?: boolean } };
          const branch = a.object.type === 'SymbolNode' ? (a.object as unknown as { name: string }).name : '';
          const key = a.index.dimensions[0] as unknown as { value?: unknown };
          // BRANCH.NAME only: not selected.selected.q, not (x).q
          if (!a.index.dotNotation || typeof key.value !== 'string' || a.object.type !== 'SymbolNode') break;
          if (!branches.includes(branch)) {
            unknown(branch, `\`${branch}\` is not a branch`, `branches are the initialisations and \`selected\`: ${branches.join(', ')}`);
            return NAN;
          }
          return value(branch, key.value);
        }
        case 'OperatorNode': {
          const o = n as unknown as { fn: string; op: string; args: MathNode[] };
          const args = o.args.map(walk);
          if (o.fn === 'unaryMinus') return { kind: 'op', op: 'neg', args };
          if (o.fn === 'unaryPlus') return args[0];
          if (o.fn === 'not') return { kind: 'op', op: 'not', args: [truth(args[0])] };
          const op = Object.hasOwn(OPS, o.fn) ? OPS[o.fn] : undefined;
          if (op && args.length === 2) return { kind: 'op', op, args: op === 'and' || op === 'or' ? args.map(truth) : args };
          issue('unknown-symbol', locateToken(r.expr, o.op), `the operator \`${o.op}\` is not supported here`, 'use + - * / ^, comparisons, and, or, not', o.op);
          return NAN;
        }
        case 'FunctionNode': {
          const f = n as unknown as { fn: { type: string; name: string }; args: MathNode[] };
          if (f.fn.type !== 'SymbolNode') break;
          const name = f.fn.name;
          const args = f.args.map(walk);
          if (!(FUNCTIONS as readonly string[]).includes(name)) {
            unknown(name, `\`${name}\` is not a function of region conditions`, `functions: ${FUNCTIONS.join(', ')}`);
            return NAN;
          }
          const b = BUILTINS[name];
          if (args.length < b.minArgs || args.length > b.maxArgs) {
            issue('unsupported-syntax', locateToken(r.expr, name), `\`${name}\` takes ${b.minArgs === b.maxArgs ? b.minArgs : `at least ${b.minArgs}`} argument${b.minArgs === 1 && b.maxArgs === 1 ? '' : 's'}, got ${args.length}`);
            return NAN;
          }
          return { kind: 'call', fn: name, args };
        }
        default: break;
      }
      issue('unsupported-syntax', r.expr.loc, 'this kind of expression is not supported in a condition', 'write comparisons of BRANCH.NAME, parameters and numbers, joined with and/or/not');
      return NAN;
    };
    return walk(ast);
  };
  return Object.assign(read, { slots: slots as readonly Slot[] });
}
