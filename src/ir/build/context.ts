import type { Issue, IssueCode, Loc } from '../../base/issues.ts';
import type { Expr, FunctionDecl, Model, NamedExpr, VariableDecl } from '../../model/types.ts';
import type { InnerSite, Node, UserFunction } from '../nodes.ts';
import type { Ast } from './parse.ts';

/** Records an issue once per code, place and symbol. A hint may be a function: a did-you-mean is worked out once
 * per issue, not at each of a long expression's thousand repeats of the same unknown name. */
export type AddIssue = (code: IssueCode, loc: Loc, message: string, symbol?: string, hint?: string | (() => string)) => void;

/** Where an expression is being read: what its names mean there. */
export interface Scope {
  readonly expr: Expr;
  readonly bound: ReadonlySet<string>;
  readonly inFunction?: string;
  /** Arguments of the function being read: a definition inlined there must not capture them. */
  readonly args?: ReadonlySet<string>;
  readonly defStack: readonly string[];
  /** Checking a definition on its own: where it is used decides whether its random variables are bound. */
  readonly freeVariablesOk?: boolean;
  /** How many `E(` of `expr` were read so far (in text order), to locate the next one; one counter per
   * reading of an expression text (a definition inlined twice is counted afresh each time). */
  readonly seenE?: { n: number };
}

/** The value of an expression that could not be read (its mistake is reported). */
export const NAN: Node = { kind: 'num', value: NaN };

/**
 * What the steps of one build share: the model and its names, the issues found so far, what the program keeps
 * besides its equations (where expectations were written, what definitions became), caches, and the guards
 * of the top-level expression being read.
 */
export interface BuildContext {
  readonly model: Model;
  readonly issues: Issue[];
  readonly add: AddIssue;
  readonly paramIx: ReadonlyMap<string, number>;
  readonly stateIx: ReadonlyMap<string, number>;
  readonly variables: ReadonlyMap<string, VariableDecl>;
  readonly defs: ReadonlyMap<string, NamedExpr>;
  readonly funcs: ReadonlyMap<string, FunctionDecl>;
  /** Each expression text parsed once (undefined: its syntax error is reported). */
  readonly parsed: Map<Expr, Ast | undefined>;
  /** Where each expectation was written (its `E`), for reports on it (verify/quadrature.ts). */
  readonly expectationLocs: Map<Node, Loc>;
  /** What each use of a definition became, for printers (ir/latex.ts). */
  readonly definitionUses: Map<Node, string>;
  /** Each inner problem as written (root nodes carry their index): where a failed one is reported. */
  readonly innerSites: InnerSite[];
  /** Functions converted so far, in declaration order: what a D(...) may differentiate through. */
  readonly converted: Map<string, UserFunction>;
  /** The probabilities 1/n of each discrete variable without `probs`, made once: an expectation over a variable
   * of 256 values, copied at each use of a definition used 2^k times, would otherwise allocate them every time. */
  readonly uniform: Map<string, Node[]>;
  /** Nodes of each definition once inlined (at least that many, when the budget ran out inside it). */
  readonly defSizes: Map<string, number>;
  /** Definitions on a cycle: each use would walk the cycle again, 2^k times through definitions used twice. */
  readonly cyclic: Set<string>;
  // Guards of one top-level expression: nesting depth and node count, so that no input overflows the stack or
  // grows without bound (a definition used twice in a definition used twice ... is inlined 2^k times).
  level: number;
  budget: number;
  aborted: boolean;
  /** Nodes over all the expressions; reported once, where it runs out. */
  total: number;
}

export function createContext(model: Model): BuildContext {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const add: AddIssue = (code, loc, message, symbol, hint) => {
    const key = `${code}|${loc.line}|${loc.col}|${symbol}`;
    if (seen.has(key)) return;
    seen.add(key);
    const h = typeof hint === 'function' ? hint() : hint;
    issues.push({ code, ...loc, message, ...(symbol !== undefined && { symbol }), ...(h && { hint: h }) });
  };
  return {
    model,
    issues,
    add,
    paramIx: new Map(model.params.map((p, i) => [p.name, i])),
    stateIx: new Map(model.orderParams.map((p, i) => [p.name, i])),
    variables: new Map(model.variables.map((v) => [v.name, v])),
    defs: new Map(model.definitions.map((d) => [d.name, d])),
    funcs: new Map(model.functions.map((f) => [f.name, f])),
    parsed: new Map(),
    expectationLocs: new Map(),
    definitionUses: new Map(),
    innerSites: [],
    converted: new Map(),
    uniform: new Map(),
    defSizes: new Map(),
    cyclic: new Set(),
    level: 0,
    budget: 0,
    aborted: false,
    total: 0,
  };
}
