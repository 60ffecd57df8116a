import type { Loc } from '../base/issues.ts';
import type { SolverDefaults } from '../model/types.ts';

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
  /** The z in [lower, upper] where `expr` (a function of the bound `variable` z) vanishes, by safeguarded
   * Newton with `slope` = d expr / dz (numerics/roots.ts); NaN when expr keeps its sign on the bracket.
   * argmin(...) and prox(...) in model files are roots of a derivative. `increasing`: expr is known to be
   * increasing with a sign change on the bracket (prox of a convex loss), so its ends need not be evaluated. */
  | { readonly kind: 'root'; readonly variable: string; readonly expr: Node; readonly slope: Node; readonly lower: Node; readonly upper: Node; readonly increasing?: true };

export type Op =
  | '+' | '-' | '*' | '/' | '^' | 'neg'
  | '<' | '<=' | '>' | '>=' | '==' | '!='
  | 'and' | 'or' | 'not';

/** The law an expectation integrates against; each law brings its own quadrature rule (compile/). */
export type Measure =
  | { readonly kind: 'normal'; readonly nodes: number } // probabilists' Gauss-Hermite
  /** The standard normal restricted to lower < t < upper (not renormalised): E(t > a, f) = int_a^inf Dt f(t).
   * Integrands with a kink are integrated piece by piece; each piece is smooth. null: an infinite end. */
  | { readonly kind: 'normal-interval'; readonly nodes: number; readonly lower: Node | null; readonly upper: Node | null }
  | { readonly kind: 'discrete'; readonly values: readonly number[]; readonly probs: readonly Node[] };

/** The expressions a measure depends on (probabilities, interval ends). */
export function measureNodes(m: Measure): readonly Node[] {
  switch (m.kind) {
    case 'normal': return [];
    case 'normal-interval': return [m.lower, m.upper].filter((n): n is Node => n !== null);
    case 'discrete': return m.probs;
  }
}

/** A copy of a measure with each of its expressions mapped. */
export function mapMeasure(m: Measure, f: (n: Node) => Node): Measure {
  switch (m.kind) {
    case 'normal': return m;
    case 'normal-interval': return { ...m, lower: m.lower && f(m.lower), upper: m.upper && f(m.upper) };
    case 'discrete': return { ...m, probs: m.probs.map(f) };
  }
}

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

/** A model's identity (what every result records) and the facts about it later stages need. Plain data: it is
 * structured-cloned to worker threads with the program. */
export interface ModelInfo {
  readonly name: string;
  readonly file: string;
  /** sha256 of the model file's text. */
  readonly sha256: string;
  readonly description: string;
  readonly conventions?: string;
  readonly source?: string;
  /** The named initialisations, in order (uninformed, informed, and the model's own). */
  readonly initNames: readonly string[];
  readonly solver: SolverDefaults;
  /** The default Gauss-Hermite node count. */
  readonly nodes: number;
  /** The random variables as declared (for printers and summaries). */
  readonly variables: readonly {
    readonly name: string;
    readonly law: 'normal' | 'discrete';
    readonly nodes?: number;
    readonly values?: readonly number[];
    /** A discrete law without `probs`: its values are equally likely. */
    readonly uniform?: boolean;
    readonly doc?: string;
  }[];
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
}

/** The direct children of a node, in evaluation order (a measure's expressions before an expectation's body). */
export function children(node: Node): readonly Node[] {
  switch (node.kind) {
    case 'call': case 'apply': case 'op': return node.args;
    case 'cond': return [node.test, node.then, node.else];
    case 'expect': return [...measureNodes(node.measure), node.body];
    case 'root': return [node.lower, node.upper, node.expr, node.slope];
    default: return [];
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

/** Calls `visit` on every node of a tree, parents first. */
export function walk(node: Node, visit: (n: Node) => void): void {
  visit(node);
  switch (node.kind) {
    case 'call': case 'apply': case 'op':
      node.args.forEach((a) => walk(a, visit));
      break;
    case 'cond':
      walk(node.test, visit); walk(node.then, visit); walk(node.else, visit);
      break;
    case 'expect':
      measureNodes(node.measure).forEach((p) => walk(p, visit));
      walk(node.body, visit);
      break;
    case 'root':
      [node.lower, node.upper, node.expr, node.slope].forEach((p) => walk(p, visit));
      break;
    default:
  }
}

/** True when a node reads no order parameter and no bound variable: fixed for a whole solve. */
export function isStatic(node: Node): boolean {
  let fixed = true;
  walk(node, (n) => { if (n.kind === 'state' || n.kind === 'bound') fixed = false; });
  return fixed;
}
