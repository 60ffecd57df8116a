import type { Expr, Law } from '../../model/types.ts';
import type { Node, VariableInfo } from '../nodes.ts';
import type { Measure } from './index.ts';

/**
 * What a kind of measure brings: everything that depends on the law an expectation integrates against, so that
 * the passes over the IR (nodes.ts, derive.ts, simplify.ts, interpret.ts, latex.ts), code generation
 * (compile/) and the quadrature report (verify/quadrature.ts) never look at a measure's kind. A kind is one
 * file of this folder, registered in index.ts.
 */
export interface MeasureKind<M extends { readonly kind: string }> {
  readonly kind: M['kind'];

  // Structure: what `children` and `mapChildren` of an expectation see before its body.
  /** The expressions the measure depends on (probabilities, interval ends), in evaluation order. */
  nodes(m: M): readonly Node[];
  /** A copy with each expression mapped, `f` called in the order of `nodes` (the measure itself when it has none). */
  map(m: M, f: (n: Node) => Node): M;
  /** Everything of the measure but its expressions, as a string (numbers by Object.is): two measures of the kind
   * are the same rule exactly when their keys and their expressions are the same. Structural equality, the
   * interpreter's memo and loop fusion in generated code go by it. */
  key(m: M): string;

  // Size: what the build stage's guards count.
  /** How many times the body is evaluated per evaluation of the expectation. */
  points(m: M): number;
  /** How many copies of the body the generated code holds: 1 for a loop over a rule, one per point for a sum
   * unrolled. */
  copies(m: M): number;

  // Quadrature accuracy (verify/quadrature.ts, `saddle check`).
  /** The node counts of its rule, as written; none for an exact sum. */
  nodeCounts(m: M): readonly number[];
  /** The same measure with every node count n of its rule replaced by `f(n)`; `m` itself when no count changes
   * (an exact sum has none). The quadrature report refines by it (n -> 2n, verify/quadrature.ts). */
  resize(m: M, f: (nodes: number) => number): M;

  // Passes.
  /** E over `m` of `body` (both simplified) when it is known without quadrature, else undefined (simplify.ts:
   * E_normal[c] = c, E[0] = 0). */
  simplify(m: M, body: Node): Node | undefined;
  /** d/dv E_m[body] (derive.ts): `calculus.underIntegral` is E_m[d body / dv]; a measure whose expressions
   * depend on v adds its own terms (Leibniz's rule for moving ends, the derivatives of probabilities). */
  derive(e: Expectation<M>, calculus: Calculus): Node;
  /** The reference interpreter's integral over `m` (interpret.ts): `prepare` turns an expression of the measure
   * into a closure over the interpreter's scope; the integrand is the body at a value of the variable. The terms
   * must be summed in the order of the generated code, so that both agree to the last bit where they can. */
  integrator<S>(m: M, prepare: (n: Node) => (scope: S) => number): Integrator<S>;
  /** The loop nest of generated code (compile/loops.ts) through `emit`. */
  emit(m: M, emit: LoopEmitter): void;
  /** JavaScript values the generated code of this kind calls (quadrature rules built at run time), by the name
   * it calls them (`S_...`); passed in by compile/compile.ts. */
  readonly runtime?: Readonly<Record<string, unknown>>;
  /** The restriction the measure puts on its variable, in LaTeX (E[f; z > a]); undefined for none. */
  restriction?(variable: string, m: M, print: (n: Node) => string): string | undefined;
  /** A measure that is no probability law (a plain integral) prints its own integral of `body` (LaTeX) instead of
   * an expectation. */
  latexIntegral?(variable: string, m: M, body: string, print: (n: Node) => string): string;

  /** A law of the model file's `variables:` section whose expectations integrate over this kind. */
  readonly declared?: DeclaredLaw<Law>;
}

/** An expectation over a measure of kind M. */
export interface Expectation<M> {
  readonly kind: 'expect';
  readonly variable: string;
  readonly measure: M;
  readonly body: Node;
}

/** What a measure's derivative rule may use (derive.ts's smart constructors, which simplify as they build). */
export interface Calculus {
  /** The derivative of an expression the expectation reads outside its scope (one of the measure's). */
  d(n: Node): Node;
  /** E over the same measure of the body's derivative (differentiation under the integral), or 0. */
  readonly underIntegral: Node;
  readonly zero: Node;
  isZero(n: Node): boolean;
  add(a: Node, b: Node): Node;
  mul(...xs: Node[]): Node;
  neg(a: Node): Node;
  call(fn: string, ...args: Node[]): Node;
  /** Capture-avoiding substitution of bound variables. */
  substitute(n: Node, binding: ReadonlyMap<string, Node>): Node;
}

/**
 * Leibniz's rule for an integral over [lower, upper] against a density w (null end: infinite, no term):
 * d/dv int_a^b w f = E[df/dv] + w(b) f(b) db/dv - w(a) f(a) da/dv. `density` gives w at an end (undefined: w = 1).
 */
export function leibniz(
  e: Expectation<unknown>, c: Calculus, lower: Node | null, upper: Node | null, density?: (limit: Node) => Node,
): Node {
  const end = (limit: Node | null, sign: number): Node => {
    if (limit === null) return c.zero;
    const dl = c.d(limit);
    if (c.isZero(dl)) return c.zero;
    const at = c.substitute(e.body, new Map([[e.variable, limit]]));
    const term = density ? c.mul(density(limit), at, dl) : c.mul(at, dl);
    return sign > 0 ? term : c.neg(term);
  };
  return c.add(c.add(c.underIntegral, end(upper, 1)), end(lower, -1));
}

/** An expectation prepared for the interpreter: its value in a scope, given the integrand (the body at x). */
export type Integrator<S> = (scope: S, integrand: (x: number) => number) => number;

/**
 * What a measure's code generation may do. The loop nest sits in the current block of generated code and sums
 * `weight * body` over the points of the rule into one accumulator per fused expectation.
 */
export interface LoopEmitter {
  /** JavaScript for one of the measure's expressions, evaluated before the loop nest (hoisted, shared). */
  expr(n: Node): string;
  /** A number as a JavaScript literal. */
  literal(v: number): string;
  /** A fresh name for generated code (`prefix` and a number). */
  fresh(prefix: string): string;
  /** The arrays of nodes and weights of the Gauss-Hermite rule with n nodes (constants of the closure). */
  gaussHermite(n: number): { readonly nodes: string; readonly weights: string };
  /** A declaration made once per Problem, before any kernel runs: `define` gets the JavaScript of expressions
   * fixed for the whole solve (read nothing but parameters), computed in the same block, and returns the line. */
  perProblem(define: (fixed: (n: Node) => string) => string): void;
  /** Scratch memory allocated once per Problem (a line declaring it). */
  scratch(line: string): void;
  /** A statement in the current block, before the loop nest. */
  before(line: string): void;
  /** The loop over the `count` points of a rule whose nodes and weights are the arrays `nodes` and `weights`
   * (`count` a number, or JavaScript for one: a rule whose length is known only at run time). */
  loop(count: number | string, nodes: string, weights: string): void;
  /** A value as a constant of the generated closure (a table of data, such as an empirical spectrum's arrays):
   * the JavaScript that reads it. */
  constant(value: unknown): string;
  /** One point, unrolled: the variable takes `value`, and its term has weight `weight` (JavaScript). */
  point(value: string, weight: string): void;
}

/** How a variable declared with a law (`variables:` of the model file) is integrated, described and printed. */
export interface DeclaredLaw<L extends Law> {
  readonly law: L['kind'];
  /** The measure of E(v, ...). */
  measure(law: L, context: LawContext): Measure;
  /** The measure of E(a < v < b, ...), E(v > a, ...); absent when the law has no restriction to an interval. */
  restrict?(law: L, lower: Node | null, upper: Node | null, context: LawContext): Measure;
  /** What the Program keeps of the declaration (ModelInfo.variables). */
  info(law: L): Omit<VariableInfo, 'name' | 'doc'>;
  /** The law in a few words (`saddle check`). */
  describe(v: VariableInfo, defaultNodes: number): string;
  /** The declaration in LaTeX, and a note for the line under it. `measure`: an expectation's measure over the
   * variable in the program, if there is one (for its probabilities as expressions). */
  latex(v: VariableInfo, symbol: string, defaultNodes: number, measure: Measure | undefined, print: LatexPrinter): { readonly tex: string; readonly note?: string };
}

/** The LaTeX printer of the IR (latex.ts), for what a measure prints. */
export interface LatexPrinter {
  expr(n: Node): string;
  number(v: number): string;
}

/** What building a declared law's measure needs from the build stage. */
export interface LawContext {
  /** The node count given as E's third argument, if any. */
  readonly nodes?: number;
  /** The model's default node count. */
  readonly defaultNodes: number;
  /** An expression of the model file (a probability) read in the scope around the expectation. */
  expr(e: Expr): Node;
  /** The probabilities 1/n of the variable's n values, made once per variable. */
  uniform(n: number): readonly Node[];
}

/** A number as a key: every double its own string, -0 apart from 0. */
export const numberKey = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));
