import { BUILTINS } from '../ir/builtins.ts';
import { inlineCalls } from '../ir/inline.ts';
import { forEachScoped, structureIds, type Node, type UserFunction } from '../ir/nodes.ts';
import { emitRoot } from './emit-root.ts';
import { emitLoops } from './loops.ts';

export type Expect = Extract<Node, { kind: 'expect' }>;
/** The blocks of generated code open at a point, outermost first: the function body, then one per loop. */
export type Frames = string[][];
/** The loop level (index into Frames) at which each bound variable in scope takes its values. */
export type Levels = ReadonlyMap<string, number>;

/** A number as a JavaScript literal (negative ones in parentheses, so that they can follow any operator). */
export const jsNumber = (v: number): string =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '(-Infinity)' : v < 0 || Object.is(v, -0) ? `(${v})` : `${v}`;

const BINARY: Readonly<Record<string, string>> = { '+': '+', '-': '-', '*': '*', '/': '/' };
const COMPARE: Readonly<Record<string, string>> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '==': '===', '!=': '!==' };

/** Deepest loop level among the bound variables a node reads (0: outside every loop); a binder shadows its own. */
export function levelOf(node: Node, levels: Levels): number {
  let l = 0;
  const visit = (n: Node, shadow: ReadonlySet<string>): void => {
    if (n.kind === 'bound') {
      if (!shadow.has(n.name)) l = Math.max(l, levels.get(n.name) ?? 0);
      return;
    }
    forEachScoped(n, (c, bound) => visit(c, bound === undefined ? shadow : new Set([...shadow, bound])));
  };
  visit(node, new Set());
  return l;
}

/**
 * The state of one code generation: the names it gave, the tables and per-Problem declarations it needs, and
 * per block the values computed there (CSE) and the expectations computed there ahead of their use (fusion).
 * `expr` emits one expression; roots (emit-root.ts) and expectations (loops.ts) have their own emitters.
 */
export class Emitter {
  /** T[k] of the closure is the Gauss-Hermite rule with tables[k] nodes. */
  readonly tables: number[] = [];
  /** Declarations made once per Problem: rules whose ends are fixed for a whole solve. */
  readonly statics: string[] = [];
  /** Values the generated closure reads as C[k] (data tables of measures: compile.ts passes them in). */
  readonly constants: unknown[] = [];
  /** Scratch arrays allocated once per Problem (per-expectation rules rebuilt at each evaluation). */
  readonly buffers: string[] = [];
  /** Per block: code -> the const holding it. */
  readonly cse = new WeakMap<string[], Map<string, string>>();
  /** Per block: an expectation computed ahead (fused) -> its accumulator. */
  readonly fused = new WeakMap<string[], Map<Expect, string>>();
  /** Structural ids of IR trees (ir/nodes.ts): keys of CSE that stay small however large the expression. */
  readonly sid = structureIds();
  private counter = 0;
  private readonly boundIds = new Map<string, string>();

  constructor(readonly functions: readonly UserFunction[]) {}

  /** The Gauss-Hermite table with n nodes, by the prefix of its names (GH<n>x, GH<n>w). */
  table(n: number): string {
    if (!this.tables.includes(n)) this.tables.push(n);
    return `GH${n}`;
  }

  // Names in the generated source are saddle's own (p0, s3, v1, f2): nothing written in the model file (a name,
  // its path) ever becomes code. Bound variables keep their scoping by name, through this table.
  bv(name: string): string {
    let id = this.boundIds.get(name);
    if (id === undefined) this.boundIds.set(name, (id = `v${this.boundIds.size}`));
    return id;
  }

  fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  cseOf(frame: string[]): Map<string, string> {
    let s = this.cse.get(frame);
    if (!s) this.cse.set(frame, (s = new Map()));
    return s;
  }

  fusedOf(frame: string[]): Map<Expect, string> {
    let s = this.fused.get(frame);
    if (!s) this.fused.set(frame, (s = new Map()));
    return s;
  }

  /** `code` as a const of the frame (reused when the same code was already computed there). */
  bind(code: string, frame: string[], prefix = 't'): string {
    const known = this.cseOf(frame);
    let t = known.get(code);
    if (t === undefined) {
      t = this.fresh(prefix);
      known.set(code, t);
      frame.push(`const ${t} = ${code};`);
    }
    return t;
  }

  /** JS for `node` evaluated inside frames[frames.length-1]; statements it needs go into the frames. */
  expr(node: Node, frames: Frames, levels: Levels): string {
    const cur = frames.length - 1;
    switch (node.kind) {
      case 'num': return jsNumber(node.value);
      case 'param': return `p${node.index}`;
      case 'state': return `s${node.index}`;
      case 'bound': return this.bv(node.name);
      default:
    }
    const l = levelOf(node, levels);
    if (l < cur) return this.expr(node, frames.slice(0, l + 1), levels); // loop-invariant: computed before the loop
    const e = (n: Node) => this.expr(n, frames, levels);
    switch (node.kind) {
      case 'op': return this.bind(this.op(node, e), frames[cur]);
      case 'cond': return this.cond(node, frames, levels);
      case 'call': return this.bind(BUILTINS[node.fn].js(node.args.map(e)), frames[cur]);
      case 'apply': return this.expr(inlineCalls(node, this.functions), frames, levels);
      case 'root': return emitRoot(this, node, frames, levels);
      case 'expect': {
        // Fixed for the whole solve (reads parameters only: an activation's Gaussian-equivalence coefficients, a
        // spectral trace): computed once per Problem, with the declarations made there.
        if (cur === 0 && frames[0] !== this.statics && this.hoistable(node)) return this.expr(node, [this.statics], levels);
        const pre = this.fused.get(frames[cur])?.get(node);
        if (pre !== undefined) return pre;
        const key = `E:${this.sid(node)}`; // the same expectation twice in one scope: once
        const known = this.cseOf(frames[cur]).get(key);
        if (known !== undefined) return known;
        const [acc] = emitLoops(this, [node], frames, levels);
        this.cseOf(frames[cur]).set(key, acc);
        return acc;
      }
    }
  }

  /** An expectation computed once per Problem: it reads only parameters, and holds no inner problem (whose
   * generated code keeps state of its own in the kernels). */
  hoistable(node: Expect): boolean {
    let fixed = true;
    const visit = (n: Node, bound: ReadonlySet<string>): void => {
      if (!fixed) return;
      if (n.kind === 'state' || n.kind === 'root' || (n.kind === 'bound' && !bound.has(n.name))) { fixed = false; return; }
      forEachScoped(n, (c, b) => visit(c, b === undefined ? bound : new Set([...bound, b])));
    };
    visit(node, new Set());
    return fixed;
  }

  /** The code of an operation, its arguments emitted by `e`. */
  private op(node: Extract<Node, { kind: 'op' }>, e: (n: Node) => string): string {
    const [a, b] = node.args;
    if (node.op in BINARY) return `(${e(a)} ${BINARY[node.op]} ${e(b)})`;
    if (node.op in COMPARE) return `+(${e(a)} ${COMPARE[node.op]} ${e(b)})`;
    switch (node.op) {
      case '^': return `((${e(a)}) ** (${e(b)}))`;
      case 'neg': return `(-${e(a)})`;
      case 'and': return `+(${e(a)} !== 0 && ${e(b)} !== 0)`;
      case 'or': return `+(${e(a)} !== 0 || ${e(b)} !== 0)`;
      case 'not': return `+(${e(a)} === 0)`;
    }
    throw new Error(`unhandled operator ${node.op}`);
  }

  /** Only the branch taken runs (a piecewise prox, a guarded formula); each branch is a block of its own that
   * sees the temporaries computed before it. Invariant parts still hoist out of loops. */
  private cond(node: Extract<Node, { kind: 'cond' }>, frames: Frames, levels: Levels): string {
    const cur = frames.length - 1;
    const test = this.expr(node.test, frames, levels);
    const parent = frames[cur];
    const branch = (n: Node): [string[], string] => {
      const frame: string[] = [];
      const seen = this.cse.get(parent);
      if (seen) this.cse.set(frame, new Map(seen));
      const pre = this.fused.get(parent);
      if (pre) this.fused.set(frame, pre);
      return [frame, this.expr(n, [...frames.slice(0, cur), frame], levels)];
    };
    const [thenFrame, a] = branch(node.then);
    const [elseFrame, b] = branch(node.else);
    const t = this.fresh('c');
    parent.push(`let ${t};`, `if (${test} !== 0) {`, ...thenFrame.map((x) => `  ${x}`), `  ${t} = ${a};`,
      '} else {', ...elseFrame.map((x) => `  ${x}`), `  ${t} = ${b};`, '}');
    return t;
  }
}
