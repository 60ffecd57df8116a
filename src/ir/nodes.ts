import type { Loc } from '../base/issues.ts';
import type { Law, SolverDefaults } from '../model/types.ts';
import type { DataFile } from './data-files.ts';
import { measureKind, type Measure } from './measures/index.ts';

/**
 * The expression IR. Every node is a scalar today; vector and matrix order parameters will add a shape to
 * each node and a shape-checking pass (docs/architecture.md), without changing the other node kinds.
 */
export type Node =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'param'; readonly name: string; readonly index: number }
  | { readonly kind: 'state'; readonly name: string; readonly index: number }
  /** An integration variable inside its expectation, or a user-function argument inside its body. */
  | { readonly kind: 'bound'; readonly name: string }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Node[] } // built-in function
  | { readonly kind: 'apply'; readonly fn: string; readonly args: readonly Node[] } // user function
  | { readonly kind: 'op'; readonly op: Op; readonly args: readonly Node[] }
  | { readonly kind: 'cond'; readonly test: Node; readonly then: Node; readonly else: Node }
  | { readonly kind: 'expect'; readonly variable: string; readonly measure: Measure; readonly body: Node }
  /** An inner problem (numerics/roots.ts). Without `objective`: the z in [lower, upper] where `expr` (a function
   * of the bound `variable` z) changes sign, by safeguarded Newton with `slope` = d expr / dz; NaN when expr keeps
   * its sign on the bracket (root(...)). With `objective` (argmin(...), prox(...): `expr` is its derivative): the
   * lowest local minimum of the objective over [lower, upper], found by a scan of the interval and Newton on each
   * sign change of `expr` from - to + (a non-convex problem's global minimiser). Either way a result that is not a
   * checked stationary point is a failure the kernels report (`Kernels.innerFailure`), at `site`
   * (`Program.innerSites`: where the file wrote it). `increasing` (no objective): expr is proved increasing with a
   * sign change on the bracket (the prox of a loss proved convex, ir/convexity.ts), so its ends are not evaluated. */
  | {
    readonly kind: 'root'; readonly variable: string; readonly expr: Node; readonly slope: Node; readonly lower: Node; readonly upper: Node;
    readonly objective?: Node; readonly increasing?: true; readonly site?: number;
  };

export type Op =
  | '+' | '-' | '*' | '/' | '^' | 'neg'
  | '<' | '<=' | '>' | '>=' | '==' | '!='
  | 'and' | 'or' | 'not';

/** The law an expectation integrates against: a discriminated union whose kinds are registered in
 * measures/index.ts, each with its own quadrature rule, derivative, printer and code (measures/measure.ts). */
export type { Measure } from './measures/index.ts';

export interface UserFunction {
  readonly name: string;
  readonly args: readonly string[];
  readonly body: Node;
}

export interface StateVar {
  readonly name: string;
  /** Read before its update in a sweep, so its value carries from one sweep to the next. A value that is
   * assigned before it is read (a conjugate in the hats-then-overlaps order) is an intermediate: the solver
   * neither damps it nor needs a start value for it. */
  readonly carried: boolean;
  readonly init?: Readonly<Record<string, number>>;
  readonly min?: number;
  readonly max?: number;
  readonly doc?: string;
}

export interface ParamVar {
  readonly name: string;
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly doc?: string;
}

/** A random variable as declared: its law (measures/: `declaredLaw(law)` describes and prints it) and what the
 * law keeps of its declaration. */
export interface VariableInfo {
  readonly name: string;
  readonly law: Law['kind'];
  /** normal: the node count declared for it. */
  readonly nodes?: number;
  /** discrete: its values. */
  readonly values?: readonly number[];
  /** discrete: declared without `probs`, its values are equally likely. */
  readonly uniform?: boolean;
  /** spectrum: the file it was read from, and its sha256. */
  readonly data?: DataFile;
  readonly doc?: string;
}

/** A model's identity (what every result records) and the facts about it later stages need. Plain data: it is
 * structured-cloned to worker threads with the program. */
export interface ModelInfo {
  readonly name: string;
  readonly file: string;
  /** sha256 of the model file's text. */
  readonly sha256: string;
  /** The data files the model reads (empirical spectra), each once with its sha256: with `sha256`, the model's
   * identity. Empty or absent: none. */
  readonly data?: readonly DataFile[];
  readonly description: string;
  readonly conventions?: string;
  readonly source?: string;
  /** The named initialisations, in order (uninformed, informed, and the model's own). */
  readonly initNames: readonly string[];
  readonly solver: SolverDefaults;
  /** The default Gauss-Hermite node count. */
  readonly nodes: number;
  /** The random variables as declared (for printers and summaries). */
  readonly variables: readonly VariableInfo[];
  /** The model has a `free_energy:` section (the last observable, `free_energy`). */
  readonly freeEnergy: boolean;
}

/** A model resolved and checked: all symbols bound, definitions inlined, ready to compile or interpret. */
export interface Program {
  /** What the program came from and what its users need besides the equations: never the raw Model. */
  readonly info: ModelInfo;
  readonly params: readonly ParamVar[];
  readonly state: readonly StateVar[];
  readonly functions: readonly UserFunction[]; // callees before callers
  /** Sequential (Gauss-Seidel) updates: each reads the values assigned before it in the same sweep. */
  readonly updates: readonly { readonly target: number; readonly expr: Node; readonly loc?: Loc }[];
  /** Observables, then `free_energy` when the model has one. */
  readonly observables: readonly { readonly name: string; readonly expr: Node; readonly loc?: Loc }[];
  /** Where each `expect` node was written in the model file (the `E` of its `E(...)`); nodes made later
   * (by D(...), root and prox derivatives) have no entry. */
  readonly expectationLocs?: ReadonlyMap<Node, Loc>;
  /** Each definition read on its own (its random variables left free), in file order: what printers show
   * under "definitions" (ir/latex.ts). The solver never reads them: definitions are inlined where used. */
  readonly definitions?: readonly { readonly name: string; readonly expr: Node }[];
  /** The node each use of a definition became, by the definition's name, so that a printer shows the name
   * where the file wrote it instead of the inlined body. */
  readonly definitionUses?: ReadonlyMap<Node, string>;
  /** Where each inner problem was written (a root node's `site` indexes it): what a failed one is reported at. */
  readonly innerSites?: readonly InnerSite[];
}

/** An inner problem of the model file: its form (root, argmin, prox, moreau) and where it was written. */
export interface InnerSite {
  readonly form: string;
  readonly loc: Loc;
}

/**
 * The direct children of a node, in evaluation order: a measure's expressions before an expectation's body, a
 * root's bracket before its expression and slope. Every pass that only recurses goes through this and
 * `mapChildren` (mathjs's `forEach`/`map`): a node kind's children are listed here once.
 */
export function children(node: Node): readonly Node[] {
  switch (node.kind) {
    case 'call': case 'apply': case 'op': return node.args;
    case 'cond': return [node.test, node.then, node.else];
    case 'expect': return [...measureKind(node.measure).nodes(node.measure), node.body];
    case 'root': return node.objective ? [node.lower, node.upper, node.expr, node.slope, node.objective] : [node.lower, node.upper, node.expr, node.slope];
    default: return [];
  }
}

/**
 * A copy of a node with each child replaced by `f(child)`, `f` called in the order of `children`; a leaf is
 * returned as it is. Always a new node (never the input, even when nothing changed): passes that keep
 * unchanged subtrees compare the children themselves (`withChildren`).
 */
export function mapChildren(node: Node, f: (child: Node) => Node): Node {
  switch (node.kind) {
    case 'call': case 'apply': case 'op': return { ...node, args: node.args.map(f) } as Node;
    case 'cond': return { ...node, test: f(node.test), then: f(node.then), else: f(node.else) };
    case 'expect': return { ...node, measure: measureKind(node.measure).map(node.measure, f), body: f(node.body) };
    case 'root': {
      const [lower, upper, expr, slope] = [f(node.lower), f(node.upper), f(node.expr), f(node.slope)];
      return { ...node, lower, upper, expr, slope, ...(node.objective && { objective: f(node.objective) }) };
    }
    default: return node;
  }
}

/** A copy of a node with the children `kids` (as many as `children(node)`, in its order). */
export function withChildren(node: Node, kids: readonly Node[]): Node {
  let i = 0;
  return mapChildren(node, () => kids[i++]);
}

/**
 * The variable a node binds, if it binds one, and how many of its children (the last ones) see it: an
 * expectation binds its variable in its body (not in its measure's expressions), a root in its expression,
 * slope and objective (not in its bracket).
 */
export function binder(node: Node): { readonly variable: string; readonly scoped: number } | undefined {
  switch (node.kind) {
    case 'expect': return { variable: node.variable, scoped: 1 };
    case 'root': return { variable: node.variable, scoped: node.objective ? 3 : 2 };
    default: return undefined;
  }
}

/** Calls `f` on each child, in order, with the variable the node binds in it (undefined where it binds none). */
export function forEachScoped(node: Node, f: (child: Node, bound: string | undefined) => void): void {
  const b = binder(node);
  const kids = children(node);
  kids.forEach((c, i) => f(c, b && i >= kids.length - b.scoped ? b.variable : undefined));
}

/**
 * What tells a node apart from another of its kind besides its children, as a string (numbers by Object.is, a
 * measure by its kind's key): two nodes are the same tree exactly when their kinds, their labels and their
 * children are.
 */
export function label(node: Node): string {
  switch (node.kind) {
    case 'num': return Object.is(node.value, -0) ? '-0' : String(node.value);
    case 'param': case 'state': return `${node.name}#${node.index}`;
    case 'bound': return node.name;
    case 'call': case 'apply': return node.fn;
    case 'op': return node.op;
    case 'cond': return '';
    case 'root': return `${node.variable}|${node.objective ? 'min' : node.increasing ? 'increasing' : ''}`;
    case 'expect': return `${node.variable}|${node.measure.kind}|${measureKind(node.measure).key(node.measure)}`;
  }
}

/**
 * The number of nodes of `node` as a tree once every user-function call is replaced by the function's body
 * (what code generation walks), or Infinity as soon as it exceeds `limit`. Shared subtrees count once per use:
 * a definition used twice is inlined twice. An upper bound where an argument is used inside a function.
 */
export function treeSize(node: Node, functions: readonly UserFunction[], limit: number): number {
  const byName = new Map(functions.map((f) => [f.name, f]));
  const memo = new Map<Node, number>();
  // For each function: the size of its body with arguments counted as 1, and how often each argument occurs.
  const shapes = new Map<string, { size: number; uses: number[] }>();
  const shape = (f: UserFunction) => {
    let known = shapes.get(f.name);
    if (!known) {
      const uses = f.args.map((a) => {
        let n = 0;
        walk(f.body, (x) => { if (x.kind === 'bound' && x.name === a) n++; else if (x.kind === 'apply') n += argUses(x, a); });
        return n;
      });
      shapes.set(f.name, (known = { size: size(f.body), uses }));
    }
    return known;
  };
  // uses of the bound `a` through a call that passes it on (its arguments' uses times the callee's)
  const argUses = (call: Extract<Node, { kind: 'apply' }>, a: string): number => {
    const f = byName.get(call.fn);
    if (!f) return 0;
    const { uses } = shape(f);
    let n = 0;
    call.args.forEach((arg, i) => {
      let inArg = 0;
      walk(arg, (x) => { if (x.kind === 'bound' && x.name === a) inArg++; });
      n += inArg * Math.max(0, uses[i] - 1);
    });
    return n;
  };
  const size = (n: Node): number => {
    const known = memo.get(n);
    if (known !== undefined) return known;
    let total = 1;
    for (const c of children(n)) {
      total += size(c);
      if (total > limit) break;
    }
    if (n.kind === 'apply') {
      const f = byName.get(n.fn);
      if (f) {
        const { size: body, uses } = shape(f);
        total += body;
        n.args.forEach((arg, i) => { total += Math.max(0, uses[i] - 1) * size(arg); });
      }
    }
    const out = total > limit ? Infinity : total;
    memo.set(n, out);
    return out;
  };
  return size(node);
}

/** The depth of a tree (a leaf has depth 1), without recursion: safe on any input. */
export function treeDepth(node: Node): number {
  let deepest = 0;
  const stack: [Node, number][] = [[node, 1]];
  const seen = new Map<Node, number>();
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if ((seen.get(n) ?? 0) >= d) continue;
    seen.set(n, d);
    deepest = Math.max(deepest, d);
    for (const c of children(n)) stack.push([c, d + 1]);
  }
  return deepest;
}

/** Calls `visit` on every node of a tree, parents first, children in evaluation order. */
export function walk(node: Node, visit: (n: Node) => void): void {
  visit(node);
  for (const c of children(node)) walk(c, visit);
}

/** True when a node reads no order parameter and no bound variable: fixed for a whole solve. */
export function isStatic(node: Node): boolean {
  let fixed = true;
  walk(node, (n) => { if (n.kind === 'state' || n.kind === 'bound') fixed = false; });
  return fixed;
}

/**
 * Structure ids: structurally equal subtrees (the same kinds, numbers, names and children, whether or not they
 * are the same objects) get the same id, and have the same value under the same values of the bound variables
 * they read. Memoised on node objects, so a tree that shares subtrees (a DAG) costs its number of distinct
 * objects, and an id is a small number however large the tree: keys for CSE and memo tables that do not grow with
 * the expression (JSON of a shared tree grows with its size as a tree, exponentially in the nesting of shares).
 */
export function structureIds(): (node: Node) => number {
  const ids = new Map<Node, number>();
  const table = new Map<string, number>();
  const num = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
  const id = (node: Node): number => {
    let out = ids.get(node);
    if (out !== undefined) return out;
    let key: unknown[];
    switch (node.kind) {
      case 'num': key = [node.kind, num(node.value)]; break;
      case 'param': case 'state': key = [node.kind, node.index]; break;
      default: key = [node.kind, label(node), children(node).map(id)];
    }
    const text = JSON.stringify(key);
    out = table.get(text);
    if (out === undefined) table.set(text, (out = table.size));
    ids.set(node, out);
    return out;
  };
  return id;
}

