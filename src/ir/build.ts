import { createRequire } from 'node:module';
import type { parse as ParseFn } from 'mathjs';
import type { Issue, IssueCode, Loc } from '../base/issues.ts';
import { didYouMean } from '../base/suggest.ts';
import type { Expr, Model, NamedExpr, VariableDecl } from '../model/types.ts';
import { BUILTINS, CONSTANTS } from './builtins.ts';
import { locateIndex, locateToken } from './locate.ts';
import { derive, substitute, type Wrt } from './derive.ts';
import { NEWTON_MAX_ITERATIONS } from '../numerics/roots.ts';
import { children, measureNodes, treeSize, walk, type Measure, type Node, type Op, type Program, type UserFunction } from './nodes.ts';

// mathjs's pre-built single-file bundle: the same parser, loaded in ~0.1 s instead of ~1.5 s for its module graph
// (every CLI command pays this at start-up).
const { parse } = createRequire(import.meta.url)('mathjs/lib/browser/math.js') as { parse: typeof ParseFn };

/** The part of a mathjs AST node we read; mathjs's own types are wider than we need. */
interface Ast {
  readonly type: string;
  readonly name?: string;
  readonly value?: unknown;
  readonly fn?: Ast | string;
  readonly op?: string;
  readonly args?: readonly Ast[];
  readonly items?: readonly Ast[];
  readonly content?: Ast;
  readonly condition?: Ast;
  readonly trueExpr?: Ast;
  readonly falseExpr?: Ast;
}

const OPS: Readonly<Record<string, Op | 'pos'>> = {
  add: '+', subtract: '-', multiply: '*', divide: '/', pow: '^', unaryMinus: 'neg', unaryPlus: 'pos',
  smaller: '<', smallerEq: '<=', larger: '>', largerEq: '>=', equal: '==', unequal: '!=',
  and: 'and', or: 'or', not: 'not',
};
/** Where to point for syntax the language does not support (the token that starts it). */
const SYNTAX_TOKEN: Readonly<Record<string, string>> = {
  ArrayNode: '[', AccessorNode: '[', ObjectNode: '{', AssignmentNode: '=', FunctionAssignmentNode: '=', BlockNode: ';',
};
/** Nesting depth of an expression (after definitions are inlined); 8x the deepest model of the zoo. Deeper
 * nests are refused with a located error instead of overflowing the stack of a later pass. A long sum or
 * product is not deep: its chain is split in halves. */
export const MAX_DEPTH = 200;
/** Nodes of one expression as a tree (definitions and user functions inlined, derivatives taken). */
export const MAX_SIZE = 200_000;
/** Nodes of all the expressions of a model together, a definition counted at each use: the bound on the work of
 * one build, whatever the number of expressions (the zoo's largest model reads about 2000). */
export const MAX_TOTAL = 500_000;
/** Evaluations of the innermost body of nested expectations per sweep (400^3 is 6.4e7; the zoo's most is the
 * generic glm path's 64^3 = 2.6e5): a file cannot ask for a sweep that takes hours. */
export const MAX_EVALUATIONS = 1e8;
/** A chain of + and - (or * and /) longer than this is summed as a balanced tree, so that its depth is log2 n. */
const CHAIN = 32;
const INNER_FORMS: Readonly<Record<string, string>> = {
  root: 'root(z, g, lo, hi): the z in [lo, hi] where g vanishes',
  argmin: 'argmin(z, f, lo, hi): the minimiser of a convex f over [lo, hi]',
  prox: 'prox(z, loss, omega, V): argmin_z loss + (z - omega)^2 / (2 V), for a convex loss',
  moreau: 'moreau(z, loss, omega, V): min_z loss + (z - omega)^2 / (2 V), the Moreau envelope of a convex loss',
};
const NAN: Node = { kind: 'num', value: NaN };

export interface BuildResult {
  readonly program?: Program;
  readonly issues: readonly Issue[];
}

interface Scope {
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

/** Resolves every symbol of a Model into the IR, reporting every mistake with its place and a hint. */
export function build(model: Model): BuildResult {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  // A hint may be a function: a did-you-mean is worked out once per issue, not at each of a long expression's
  // thousand repeats of the same unknown name.
  const add = (code: IssueCode, loc: Loc, message: string, symbol?: string, hint?: string | (() => string)) => {
    const key = `${code}|${loc.line}|${loc.col}|${symbol}`;
    if (seen.has(key)) return;
    seen.add(key);
    const h = typeof hint === 'function' ? hint() : hint;
    issues.push({ code, ...loc, message, ...(symbol !== undefined && { symbol }), ...(h && { hint: h }) });
  };

  const paramIx = new Map(model.params.map((p, i) => [p.name, i]));
  const stateIx = new Map(model.orderParams.map((p, i) => [p.name, i]));
  const variables = new Map<string, VariableDecl>(model.variables.map((v) => [v.name, v]));
  const defs = new Map<string, NamedExpr>(model.definitions.map((d) => [d.name, d]));
  const funcs = new Map(model.functions.map((f) => [f.name, f]));

  // One name, one meaning: a clash between sections is a mistake, not a silent shadowing.
  const owner = new Map<string, string>();
  const claim = (name: string, section: string, loc: Loc) => {
    const prev = owner.get(name);
    // reserved names and the identifier rule are checked where the names are read (model/read.ts)
    if (section !== 'functions' && (Object.hasOwn(CONSTANTS, name) || Object.hasOwn(BUILTINS, name))) {
      add('duplicate-name', loc, `\`${name}\` would hide the built-in ${Object.hasOwn(CONSTANTS, name) ? 'constant' : 'function'} of the same name`, name, 'choose another name');
    } else if (prev !== undefined) add('duplicate-name', loc, `\`${name}\` is declared both in ${prev} and in ${section}`, name, 'rename one of them');
    else owner.set(name, section);
  };
  model.params.forEach((p) => claim(p.name, 'params', p.loc));
  model.orderParams.forEach((p) => claim(p.name, 'order_params', p.loc));
  model.variables.forEach((v) => claim(v.name, 'variables', v.loc));
  model.definitions.forEach((d) => claim(d.name, 'definitions', d.loc));
  model.functions.forEach((f) => claim(f.name, 'functions', f.loc));
  for (const o of model.observables) {
    if (o.name === 'free_energy' && model.freeEnergy) {
      add('duplicate-name', o.loc, 'an observable named `free_energy` and a `free_energy:` section', o.name, 'keep one of them (the section is the usual place)');
    }
    if (stateIx.has(o.name) || paramIx.has(o.name)) {
      add('duplicate-name', o.loc, `observable \`${o.name}\` would share a column with a ${stateIx.has(o.name) ? 'state variable' : 'parameter'}`, o.name,
        'order parameters are reported already; give the observable another name');
    }
  }

  const parsed = new Map<Expr, Ast | undefined>();
  const parseExpr = (expr: Expr): Ast | undefined => {
    if (parsed.has(expr)) return parsed.get(expr);
    let ast: Ast | undefined;
    try {
      // A newline (from a YAML block scalar) is whitespace here, not mathjs's statement separator;
      // replaced one for one, so the parser's error positions still index expr.text.
      ast = parse(expr.text.replace(/[\r\n]/g, ' ')) as unknown as Ast;
    } catch (e) {
      if (e instanceof RangeError) {
        add('too-complex', expr.loc, `the expression is nested too deeply to be read (more than about ${MAX_DEPTH} levels of brackets, calls or powers)`,
          undefined, 'split it into definitions, or let your computer-algebra system write it flatter');
        parsed.set(expr, undefined);
        return undefined;
      }
      const err = e as Error & { char?: number };
      const msg = err.message.replace(/\s*\(char \d+\)$/, '');
      add('expression-syntax', locateIndex(expr, Math.max(0, (err.char ?? 1) - 1)), `cannot parse \`${expr.text.trim().replace(/\s*\n\s*/g, ' ')}\`: ${msg}`,
        undefined, 'expressions use mathjs syntax: + - * / ^, f(x), a ? b : c, E(xi, ...)');
    }
    parsed.set(expr, ast);
    return ast;
  };

  const visibleNames = (scope: Scope): string[] => [
    ...scope.bound, ...stateIx.keys(), ...paramIx.keys(), ...defs.keys(), ...Object.keys(CONSTANTS), ...variables.keys(),
  ];

  const symbol = (name: string, scope: Scope): Node => {
    const here = () => locateToken(scope.expr, name); // only for an issue: a long expression has many symbols
    if (scope.bound.has(name)) return { kind: 'bound', name };
    if (stateIx.has(name)) {
      if (scope.inFunction !== undefined) {
        add('state-in-function', here(), `function \`${scope.inFunction}\` reads the order parameter \`${name}\``, name,
          `functions see only their arguments and the parameters: add \`${name}\` as an argument`);
        return NAN;
      }
      return { kind: 'state', name, index: stateIx.get(name)! };
    }
    if (paramIx.has(name)) return { kind: 'param', name, index: paramIx.get(name)! };
    const def = defs.get(name);
    if (def) {
      if (cyclic.has(name)) return NAN; // reported where the cycle was found: not walked around again
      if (scope.defStack.includes(name)) {
        const members = scope.defStack.slice(scope.defStack.indexOf(name));
        members.forEach((m) => cyclic.add(m));
        add('cyclic-definition', def.loc, `definitions refer to each other in a cycle: ${[...members, name].join(' -> ')}`, name,
          'a definition may use only definitions that do not lead back to it');
        return NAN;
      }
      const ast = parseExpr(def.expr);
      const bound = scope.args ? new Set([...scope.bound].filter((b) => !scope.args!.has(b))) : scope.bound;
      if (!ast) return NAN;
      // A definition known to be larger than what is left of the budget is not inlined again to find out.
      const known = defSizes.get(name) ?? 0;
      if (budget + known > MAX_SIZE) budget = MAX_SIZE;
      const before = budget;
      const node = conv(ast, { ...scope, bound, args: new Set(), expr: def.expr, defStack: [...scope.defStack, name], seenE: { n: 0 } });
      if (!aborted || budget > MAX_SIZE) defSizes.set(name, Math.max(known, budget - before));
      definitionUses.set(node, name);
      return node;
    }
    if (variables.has(name)) {
      if (scope.freeVariablesOk) return { kind: 'bound', name };
      add('variable-outside-expectation', here(), `the random variable \`${name}\` is used outside an expectation over it`, name,
        `wrap the expression that uses it in E(${name}, ...)`);
      return NAN;
    }
    if (Object.hasOwn(CONSTANTS, name)) return { kind: 'num', value: CONSTANTS[name] };
    if (funcs.has(name) || Object.hasOwn(BUILTINS, name)) {
      add('unknown-symbol', here(), `\`${name}\` is a function, used here as a value`, name, `call it: ${name}(...)`);
      return NAN;
    }
    add('unknown-symbol', here(), `unknown symbol \`${name}\``, name,
      () => didYouMean(name, visibleNames(scope)) ?? 'declare it under params, order_params, variables or definitions');
    return NAN;
  };

  const expectation = (ast: Ast, scope: Scope): Node => {
    const args = ast.args ?? [];
    const here = locateToken(scope.expr, 'E', scope.seenE ? scope.seenE.n++ : 0);
    if (args.length < 2 || args.length > 3) {
      add('wrong-arity', here, `E takes 2 or 3 arguments, got ${args.length}`, 'E', 'write E(xi, body), E([xi, z], body) or E(xi, body, nodes)');
      return NAN;
    }
    const interval = intervalOf(args[0], (n) => variables.has(n));
    const head = interval ? [interval.variable] : args[0].type === 'ArrayNode' ? (args[0].items ?? []) : [args[0]];
    const names: string[] = [];
    for (const h of head) {
      if (h.type !== 'SymbolNode') {
        add('unsupported-syntax', here, 'the first argument of E is a variable, a list of variables, or an interval of a declared normal variable', 'E', 'e.g. E(xi, ...), E([xi, z], ...), E(t > -kappa, ...) or E(a < t < b, ...)');
        return NAN;
      }
      const v = h.name!;
      if (!variables.has(v)) {
        add('undeclared-variable', locateToken(scope.expr, v), `expectation over \`${v}\`, which is not declared under variables`, v,
          didYouMean(v, variables.keys()) ?? `declare it: variables: {${v}: normal}`);
        return NAN;
      }
      if (scope.bound.has(v) || names.includes(v)) {
        add('bad-value', locateToken(scope.expr, v), `\`${v}\` is already integrated over here`, v, 'use another variable for the inner expectation');
        return NAN;
      }
      names.push(v);
    }
    let nodesOverride: number | undefined;
    if (args.length === 3) {
      const n = args[2];
      const v = n.type === 'ConstantNode' ? Number(n.value) : NaN;
      if (!(Number.isInteger(v) && v >= 1 && v <= 400)) {
        add('bad-nodes', here, 'the node count (third argument of E) must be an integer between 1 and 400', 'E');
        return NAN;
      }
      nodesOverride = v;
    }
    const inner: Scope = { ...scope, bound: new Set([...scope.bound, ...names]) };
    let node = conv(args[1], inner);
    for (let k = names.length - 1; k >= 0; k--) {
      const decl = variables.get(names[k])!;
      const outer: Scope = { ...scope, bound: new Set([...scope.bound, ...names.slice(0, k)]) };
      let measure: Measure;
      if (interval) {
        if (decl.law.kind !== 'normal') {
          add('bad-value', locateToken(scope.expr, names[k]), `\`${names[k]}\` is discrete: an interval restricts a normal variable`, names[k], 'write E(t > a, ...) with t declared `normal`');
          return NAN;
        }
        const limit = (a: Ast | null) => (a ? conv(a, outer) : null);
        measure = { kind: 'normal-interval', nodes: nodesOverride ?? decl.law.nodes ?? model.nodes, lower: limit(interval.lower), upper: limit(interval.upper) };
      } else if (decl.law.kind === 'normal') {
        measure = { kind: 'normal', nodes: nodesOverride ?? decl.law.nodes ?? model.nodes };
      } else {
        const { values, probs } = decl.law;
        const ps = probs === null
          ? uniformProbs(names[k], values.length)
          : probs.map((p) => { const a = parseExpr(p); return a ? conv(a, { ...outer, expr: p, seenE: { n: 0 } }) : NAN; });
        measure = { kind: 'discrete', values, probs: ps };
      }
      node = { kind: 'expect', variable: names[k], measure, body: node };
      expectationLocs.set(node, here);
    }
    return node;
  };

  /** The probabilities 1/n of a discrete variable without `probs`, made once: an expectation over a variable of
   * 256 values, copied at each use of a definition used 2^k times, would otherwise allocate them every time. */
  const uniform = new Map<string, Node[]>();
  const uniformProbs = (variable: string, n: number): Node[] => {
    let ps = uniform.get(variable);
    if (!ps) uniform.set(variable, (ps = Array.from({ length: n }, (): Node => ({ kind: 'num', value: 1 / n }))));
    return ps;
  };

  /** Where each expectation was written (its `E`), for reports on it (verify/quadrature.ts). */
  const expectationLocs = new Map<Node, Loc>();
  /** What each use of a definition became, for printers (ir/latex.ts). */
  const definitionUses = new Map<Node, string>();

  /** Functions converted so far, in declaration order: what a D(...) may differentiate through. */
  const converted = new Map<string, UserFunction>();

  /** D(expr, x): the symbolic derivative of expr with respect to x (a function argument, an integration
   * variable, an order parameter or a parameter), e.g. gout(y, w, V): D(logZout(y, w, V), w). */
  const derivative = (ast: Ast, scope: Scope): Node => {
    const args = ast.args ?? [];
    const here = locateToken(scope.expr, 'D');
    if (args.length !== 2 || args[1].type !== 'SymbolNode') {
      add('wrong-arity', here, 'D takes an expression and a variable name', 'D', 'write D(expression, x), e.g. D(logH(-y * w / sqrt(V)), w)');
      return NAN;
    }
    const x = args[1].name!;
    const wrt: Wrt | undefined = scope.bound.has(x) ? { kind: 'bound', name: x }
      : stateIx.has(x) ? { kind: 'state', name: x } : paramIx.has(x) ? { kind: 'param', name: x } : undefined;
    if (!wrt) {
      add('unknown-symbol', locateToken(scope.expr, x, 1), `D(..., ${x}): \`${x}\` is not a variable here`, x,
        defs.has(x) ? `\`${x}\` is a definition (an abbreviation): differentiate inside a function that takes it as an argument, e.g. g(${x}): D(f(${x}), ${x})`
          : didYouMean(x, visibleNames(scope)) ?? 'differentiate with respect to a function argument, an integration variable, an order parameter or a parameter');
      return NAN;
    }
    const body = conv(args[0], scope);
    if (aborted) return NAN;
    try {
      const d = derive(body, wrt, converted);
      // D(D(D(...))) grows geometrically: stop at the first derivative too large, before the next one is taken
      if (treeSize(d, [...converted.values()], MAX_SIZE) === Infinity) {
        aborted = true;
        add('too-complex', here, `the derivative grows beyond ${MAX_SIZE} nodes`, 'D', 'take fewer derivatives of derivatives, or write the derivative out');
        return NAN;
      }
      return d;
    } catch (e) {
      add('unknown-function', here, `D(...) cannot differentiate here: ${(e as Error).message.replace(/^derive: /, '')}`, 'D',
        'a function used inside D must be declared before the function that uses D');
      return NAN;
    }
  };

  /** root / argmin / prox: a 1-D inner problem solved by safeguarded Newton, derivatives by implicit differentiation. */
  const inner = (form: string, ast: Ast, scope: Scope): Node => {
    const args = ast.args ?? [];
    const here = locateToken(scope.expr, form);
    if (args.length !== 4 || args[0].type !== 'SymbolNode') {
      add('wrong-arity', here, `${form} takes 4 arguments, the first a new variable name`, form, INNER_FORMS[form]);
      return NAN;
    }
    const z = args[0].name!;
    if (scope.bound.has(z) || stateIx.has(z) || paramIx.has(z) || defs.has(z) || variables.has(z)) {
      add('duplicate-name', locateToken(scope.expr, z), `\`${z}\` is already a name here; the variable of ${form} must be new`, z, 'e.g. use `z` or `u`');
      return NAN;
    }
    const wrt: Wrt = { kind: 'bound', name: z };
    const withZ: Scope = { ...scope, bound: new Set([...scope.bound, z]) };
    const zNode: Node = { kind: 'bound', name: z };
    const body = conv(args[1], withZ);
    const a = conv(args[2], scope);
    const b = conv(args[3], scope);
    /** An inner problem inside another's body is differentiated with it: stop at the first one too large. */
    const bounded = (node: Node): Node => {
      if (treeSize(node, [...converted.values()], MAX_SIZE) !== Infinity) return node;
      aborted = true;
      add('too-complex', here, `${form}(...) grows beyond ${MAX_SIZE} nodes with the derivatives it needs`, form,
        'nest fewer inner problems (root, argmin, prox, moreau) inside each other, or simplify their bodies');
      return NAN;
    };
    const solveFor = (): Node => {
      if (form === 'root') return { kind: 'root', variable: z, expr: body, slope: derive(body, wrt, converted), lower: a, upper: b };
      if (form === 'argmin') {
        const g = derive(body, wrt, converted);
        return { kind: 'root', variable: z, expr: g, slope: derive(g, wrt, converted), lower: a, upper: b };
      }
      // prox (and moreau, its value): the root of loss'(z) + (z - omega)/V lies between omega and omega - V loss'(omega) for a convex
      // loss; the bracket doubles that distance and adds a sliver so that a root at an end is still bracketed.
      const [omega, V] = [a, b];
      const op = (o: '+' | '-' | '*' | '/' | '^', x: Node, y: Node): Node => ({ kind: 'op', op: o, args: [x, y] });
      const n = (v: number): Node => ({ kind: 'num', value: v });
      const f = op('+', body, op('/', op('^', op('-', zNode, omega), n(2)), op('*', n(2), V)));
      const g = derive(f, wrt, converted);
      const atOmega = substitute(derive(body, wrt, converted), new Map([[z, omega]]));
      const reach = op('+', op('*', op('*', n(2), V), { kind: 'call', fn: 'abs', args: [atOmega] }),
        op('*', n(1e-12), op('+', n(1), { kind: 'call', fn: 'abs', args: [omega] })));
      const prox: Node = { kind: 'root', variable: z, expr: g, slope: derive(g, wrt, converted), lower: op('-', omega, reach), upper: op('+', omega, reach), increasing: true };
      // The envelope is the objective at the prox; its omega-derivative (omega - prox)/V comes out of D by
      // implicit differentiation (the loss'-terms vanish at the root), so it needs no rule of its own.
      return form === 'moreau' ? substitute(f, new Map([[z, prox]])) : prox;
    };
    if (aborted) return NAN;
    try {
      return bounded(solveFor());
    } catch (e) {
      add('unknown-function', here, `${form}(...) cannot differentiate its body: ${(e as Error).message.replace(/^derive: /, '')}`, form,
        'a function used inside it must be declared before the function that uses it');
      return NAN;
    }
  };

  const call = (ast: Ast, scope: Scope): Node => {
    const fnAst = ast.fn as Ast;
    if (typeof fnAst !== 'object' || fnAst.type !== 'SymbolNode') {
      add('unsupported-syntax', scope.expr.loc, 'only named functions can be called', undefined);
      return NAN;
    }
    const name = fnAst.name!;
    if (name === 'E') return expectation(ast, scope);
    if (name === 'D') return derivative(ast, scope);
    if (Object.hasOwn(INNER_FORMS, name)) return inner(name, ast, scope);
    const args = (ast.args ?? []).map((a) => conv(a, scope));
    const here = () => locateToken(scope.expr, name);
    const user = funcs.get(name);
    if (user) {
      if (args.length !== user.args.length) {
        add('wrong-arity', here(), `\`${name}\` takes ${user.args.length} argument${user.args.length === 1 ? '' : 's'}, got ${args.length}`, name,
          `declared as ${name}(${user.args.join(', ')})`);
        return NAN;
      }
      return { kind: 'apply', fn: name, args };
    }
    const b = Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
    if (b) {
      if (args.length < b.minArgs || args.length > b.maxArgs) {
        const want = b.minArgs === b.maxArgs ? `${b.minArgs}` : b.maxArgs === Infinity ? `at least ${b.minArgs}` : `${b.minArgs} to ${b.maxArgs}`;
        add('wrong-arity', here(), `\`${name}\` takes ${want} argument${want === '1' ? '' : 's'}, got ${args.length}`, name, b.doc);
        return NAN;
      }
      return { kind: 'call', fn: name, args };
    }
    const isValue = stateIx.has(name) || paramIx.has(name) || defs.has(name) || variables.has(name);
    add('unknown-function', here(), isValue ? `\`${name}\` is not a function` : `unknown function \`${name}\``, name,
      isValue ? `write ${name} * (...) to multiply` : () => didYouMean(name, [...funcs.keys(), ...Object.keys(BUILTINS)]) ?? 'declare it under functions, e.g. `f(x): x^2`');
    return NAN;
  };

  // Guards of one top-level expression: nesting depth and node count, so that no input overflows the stack or
  // grows without bound (a definition used twice in a definition used twice ... is inlined 2^k times).
  let level = 0;
  let budget = 0;
  let aborted = false;
  /** Nodes of each definition once inlined (at least that many, when the budget ran out inside it). */
  const defSizes = new Map<string, number>();
  /** Definitions on a cycle: each use would walk the cycle again, 2^k times through definitions used twice. */
  const cyclic = new Set<string>();
  let total = 0; // over all the expressions; reported once, where it runs out
  const conv = (ast: Ast, scope: Scope): Node => {
    if (aborted || total > MAX_TOTAL) return NAN;
    if (++budget > MAX_SIZE || ++total > MAX_TOTAL || level >= MAX_DEPTH) {
      aborted = true;
      add('too-complex', scope.expr.loc, budget > MAX_SIZE
        ? `the expression grows beyond ${MAX_SIZE} nodes once its definitions are inlined`
        : total > MAX_TOTAL ? `the model grows beyond ${MAX_TOTAL} nodes in all once its definitions are inlined at each use`
          : `the expression is nested more than ${MAX_DEPTH} levels deep (brackets, calls, conditionals, definitions inside definitions)`,
      undefined, 'split it into functions (which are not copied at every use) or write it flatter');
      return NAN;
    }
    level++;
    try {
      return convert(ast, scope);
    } finally {
      level--;
    }
  };

  /** A chain a + b - c + ... (or a * b / c ...) of more than CHAIN terms, read along its left spine without
   * recursion and summed as a balanced tree: a - b - c + d = (a - b) - (c - d). */
  const chain = (ast: Ast, scope: Scope): Node | undefined => {
    const family = (a: Ast) => (a.type !== 'OperatorNode' || a.args?.length !== 2 ? undefined
      : a.fn === 'add' || a.fn === 'subtract' ? '+' : a.fn === 'multiply' || a.fn === 'divide' ? '*' : undefined);
    const fam = family(ast);
    if (fam === undefined) return undefined;
    const terms: { inverse: boolean; ast: Ast }[] = [];
    let head = ast;
    while (family(head) === fam && terms.length <= MAX_SIZE) {
      terms.push({ inverse: head.fn === 'subtract' || head.fn === 'divide', ast: head.args![1] });
      head = head.args![0];
    }
    if (terms.length < CHAIN) return undefined;
    terms.push({ inverse: false, ast: head });
    terms.reverse();
    const items = terms.map((t) => ({ inverse: t.inverse, node: conv(t.ast, scope) }));
    const [plus, minus]: Op[] = fam === '+' ? ['+', '-'] : ['*', '/'];
    const balanced = (xs: readonly { inverse: boolean; node: Node }[]): Node => {
      if (xs.length === 1) return xs[0].node;
      const mid = xs.length >> 1;
      const right = xs.slice(mid);
      const flip = right[0].inverse;
      const r = balanced(flip ? right.map((x) => ({ ...x, inverse: !x.inverse })) : right);
      return { kind: 'op', op: flip ? minus : plus, args: [balanced(xs.slice(0, mid)), r] };
    };
    return balanced(items);
  };

  const convert = (ast: Ast, scope: Scope): Node => {
    switch (ast.type) {
      case 'ConstantNode': {
        if (typeof ast.value === 'number') return { kind: 'num', value: ast.value };
        if (typeof ast.value === 'boolean') return { kind: 'num', value: +ast.value }; // as comparisons give
        if (ast.value === undefined && !/[A-Za-z0-9]/.test(scope.expr.text.replace(/#.*/g, ''))) {
          add('expression-syntax', scope.expr.loc, 'the expression is empty', undefined, 'write a formula, e.g. `q: qhat / (1 + qhat)`');
          return NAN;
        }
        if (ast.value === undefined || ast.value === null) {
          const word = String(ast.value);
          add('unsupported-syntax', locateToken(scope.expr, word), `\`${word}\` is not a number`, word,
            'expressions are numeric: numbers, names of the model, operators and function calls');
          return NAN;
        }
        const quoted = scope.expr.raw.includes(`'${ast.value}'`) ? `'${ast.value}'` : JSON.stringify(ast.value);
        add('unsupported-syntax', locateToken(scope.expr, quoted), `only numbers are allowed as constants, got ${JSON.stringify(ast.value)}`,
          undefined, 'expressions are numeric: write numbers without quotes, and no strings');
        return NAN;
      }
      case 'ParenthesisNode':
        return conv(ast.content!, scope);
      case 'SymbolNode':
        return symbol(ast.name!, scope);
      case 'FunctionNode':
        return call(ast, scope);
      case 'ConditionalNode':
        return { kind: 'cond', test: conv(ast.condition!, scope), then: conv(ast.trueExpr!, scope), else: conv(ast.falseExpr!, scope) };
      case 'OperatorNode': {
        const long = chain(ast, scope);
        if (long) return long;
        const op = Object.hasOwn(OPS, ast.fn as string) ? OPS[ast.fn as string] : undefined;
        if (op === undefined) {
          add('unsupported-syntax', locateToken(scope.expr, ast.op ?? ''), `the operator \`${ast.op}\` is not supported`, ast.op,
            'supported: + - * / ^, comparisons, and, or, not, a ? b : c');
          return NAN;
        }
        const args = (ast.args ?? []).map((a) => conv(a, scope));
        return op === 'pos' ? args[0] : { kind: 'op', op, args };
      }
      default:
        add('unsupported-syntax', Object.hasOwn(SYNTAX_TOKEN, ast.type) ? locateToken(scope.expr, SYNTAX_TOKEN[ast.type]) : scope.expr.loc,
          `${ast.type.replace(/Node$/, '').toLowerCase()} syntax is not supported in expressions`,
          undefined, 'expressions are scalar formulas: numbers, names, operators, function calls and E(...)');
        return NAN;
    }
  };

  const top = (expr: Expr, extra: Partial<Scope> = {}): Node => {
    const ast = parseExpr(expr);
    level = 0;
    budget = 0;
    aborted = false;
    return ast ? conv(ast, { expr, bound: new Set(), defStack: [], seenE: { n: 0 }, ...extra }) : NAN;
  };

  // User functions: their bodies see the arguments and the parameters only.
  const functions: UserFunction[] = model.functions.map((f) => {
    const fn = { name: f.name, args: f.args, body: top(f.body, { bound: new Set(f.args), args: new Set(f.args), inFunction: f.name }) };
    converted.set(f.name, fn);
    return fn;
  });
  checkCallCycles(functions, model, add);

  // Definitions are inlined where used; check each once on its own too, so unused ones are checked.
  const definitions = model.definitions.map((d) => ({ name: d.name, expr: top(d.expr, { defStack: [d.name], freeVariablesOk: true }) }));

  const updates: { target: number; expr: Node; loc?: Loc }[] = [];
  for (const u of model.updates) {
    const target = stateIx.get(u.name);
    const expr = top(u.expr);
    if (target === undefined) {
      add('update-of-undeclared', u.loc, `update for \`${u.name}\`, which is not an order parameter`, u.name,
        didYouMean(u.name, stateIx.keys()) ?? `declare it under order_params: \`${u.name}: {init: 0.5}\``);
    } else updates.push({ target, expr, loc: u.expr.loc });
  }
  const updated = new Set(model.updates.map((u) => u.name));
  for (const o of model.orderParams) {
    if (!updated.has(o.name)) {
      add('missing-update', o.loc, `order parameter \`${o.name}\` has no update equation`, o.name, `add \`${o.name}: <expression>\` under updates`);
    }
  }
  // Sequential updates: a value read before its own update needs an initial value.
  const assigned = new Set<number>();
  const carried = new Set<number>();
  for (let k = 0; k < updates.length; k++) {
    walk(updates[k].expr, (n) => {
      if (n.kind !== 'state' || assigned.has(n.index)) return;
      carried.add(n.index);
      if (model.orderParams[n.index].init !== undefined) return;
      add('missing-init', locateToken(model.updates[k].expr, n.name), `\`${n.name}\` is read before its update and has no initial value`, n.name,
        `give it one under order_params (\`${n.name}: {init: ...}\`) or move its update earlier`);
    });
    assigned.add(updates[k].target);
  }

  const observables = model.observables.map((o) => ({ name: o.name, expr: top(o.expr), loc: o.expr.loc }));
  if (model.freeEnergy) observables.push({ name: 'free_energy', expr: top(model.freeEnergy), loc: model.freeEnergy.loc });

  // What code generation will walk: every expression with its functions inlined and derivatives taken, and
  // every function's body (each is compiled too, for GAMP, even when no update calls it).
  if (issues.length === 0) {
    const sized = [...model.updates.map((u, k) => [u.expr, updates[k]?.expr] as const),
      ...[...model.observables.map((o) => o.expr), ...(model.freeEnergy ? [model.freeEnergy] : [])].map((e, k) => [e, observables[k].expr] as const),
      ...model.functions.map((f, k) => [f.body, functions[k].body] as const)];
    for (const [expr, node] of sized) {
      if (node && treeSize(node, functions, MAX_SIZE) === Infinity) {
        add('too-complex', expr.loc, `the expression grows beyond ${MAX_SIZE} nodes once its functions are inlined and its derivatives taken`,
          undefined, 'a function that calls another several times, or D(...) of D(...), multiplies the size: write the derivative out, or simplify');
      } else if (node && unrolledSize(node, functions, MAX_SIZE) === Infinity) {
        add('too-complex', expr.loc, `the expression grows beyond ${MAX_SIZE} nodes of code once its discrete expectations are unrolled (a copy of the body per value; nested ones multiply)`,
          undefined, 'nest fewer discrete variables, or integrate a variable of many values as a normal variable');
      } else if (node && evaluations(node, functions) > MAX_EVALUATIONS) {
        add('too-complex', expr.loc, `nested expectations evaluate their innermost body more than ${MAX_EVALUATIONS.toExponential()} times per sweep (the product of their node counts)`,
          undefined, 'nest fewer expectations or give them fewer nodes: 400 x 400 x 400 nodes is 6.4e7 evaluations, each sweep');
      }
    }
  }

  if (issues.length > 0) return { issues };
  const program: Program = {
    info: {
      name: model.name, file: model.file, sha256: model.sha256, description: model.description,
      ...(model.conventions !== undefined && { conventions: model.conventions }), ...(model.source !== undefined && { source: model.source }),
      initNames: model.initNames, solver: model.solver, nodes: model.nodes, freeEnergy: model.freeEnergy !== undefined,
      variables: model.variables.map((v) => ({
        name: v.name, ...(v.doc !== undefined && { doc: v.doc }),
        ...(v.law.kind === 'normal' ? { law: 'normal' as const, ...(v.law.nodes !== undefined && { nodes: v.law.nodes }) } : { law: 'discrete' as const, values: v.law.values, uniform: v.law.probs === null }),
      })),
    },
    params: model.params.map(({ loc: _l, ...p }) => p),
    state: model.orderParams.map(({ loc: _l, ...s }, i) => ({ ...s, carried: carried.has(i) })),
    functions,
    updates,
    observables,
    expectationLocs,
    definitions,
    definitionUses,
  };
  return { program, issues };
}

/**
 * The size of `node` as generated code, or Infinity beyond `limit`: an expectation over a discrete variable is
 * unrolled, one copy of its body per value, and a call is its function's body (each argument counted once:
 * treeSize bounds what inlining copies).
 */
function unrolledSize(node: Node, functions: readonly UserFunction[], limit: number): number {
  const byName = new Map(functions.map((f) => [f.name, f]));
  const memo = new Map<Node, number>();
  const bodies = new Map<string, number>();
  const size = (n: Node): number => {
    const known = memo.get(n);
    if (known !== undefined) return known;
    let total = 1;
    if (n.kind === 'expect' && n.measure.kind === 'discrete') {
      total += n.measure.probs.reduce((a, p) => a + size(p), 0) + n.measure.values.length * size(n.body);
    } else for (const c of children(n)) total += size(c);
    if (n.kind === 'apply') {
      const f = byName.get(n.fn);
      if (f && !bodies.has(f.name)) bodies.set(f.name, size(f.body));
      total += bodies.get(n.fn) ?? 0;
    }
    const out = total > limit ? Infinity : total;
    memo.set(n, out);
    return out;
  };
  return size(node);
}

/**
 * How often the innermost body of `node` is evaluated, at most, per evaluation of `node`: the product of the node
 * counts (or numbers of values) of nested expectations, and of the Newton budget of nested inner problems.
 */
function evaluations(node: Node, functions: readonly UserFunction[]): number {
  const byName = new Map(functions.map((f) => [f.name, f]));
  const memo = new Map<Node, number>();
  const bodies = new Map<string, number>();
  const count = (n: Node): number => {
    const known = memo.get(n);
    if (known !== undefined) return known;
    let most = 1;
    if (n.kind === 'expect') {
      const m = n.measure;
      measureNodes(m).forEach((p) => { most = Math.max(most, count(p)); });
      most = Math.max(most, (m.kind === 'discrete' ? m.values.length : m.nodes) * count(n.body));
    } else if (n.kind === 'root') {
      most = Math.max(count(n.lower), count(n.upper), (NEWTON_MAX_ITERATIONS + 2) * Math.max(count(n.expr), count(n.slope)));
    } else for (const c of children(n)) most = Math.max(most, count(c));
    if (n.kind === 'apply') {
      const f = byName.get(n.fn);
      if (f && !bodies.has(f.name)) bodies.set(f.name, count(f.body));
      most = Math.max(most, bodies.get(n.fn) ?? 1);
    }
    memo.set(n, most);
    return most;
  };
  return count(node);
}

const LOWER_THAN = ['smaller', 'smallerEq'];
const GREATER_THAN = ['larger', 'largerEq'];

/** `t > a`, `t < b`, `a < t < b` (or with > and >=) as the first argument of E: a variable and its interval. */
function intervalOf(a: Ast, isVariable: (name: string) => boolean): { variable: Ast; lower: Ast | null; upper: Ast | null } | undefined {
  const isSym = (x: Ast) => x.type === 'SymbolNode' && isVariable(x.name!);
  if (a.type === 'OperatorNode' && a.args?.length === 2) {
    const [l, r] = a.args;
    const lt = LOWER_THAN.includes(a.fn as string);
    const gt = GREATER_THAN.includes(a.fn as string);
    if (!lt && !gt) return undefined;
    if (isSym(l)) return lt ? { variable: l, lower: null, upper: r } : { variable: l, lower: r, upper: null };
    if (isSym(r)) return lt ? { variable: r, lower: l, upper: null } : { variable: r, lower: null, upper: l };
    return undefined;
  }
  const rel = a as Ast & { conditionals?: string[]; params?: Ast[] };
  if (a.type === 'RelationalNode' && rel.params?.length === 3 && isSym(rel.params[1])) {
    const [lo, v, hi] = rel.params;
    if (rel.conditionals!.every((c) => LOWER_THAN.includes(c))) return { variable: v, lower: lo, upper: hi };
    if (rel.conditionals!.every((c) => GREATER_THAN.includes(c))) return { variable: v, lower: hi, upper: lo };
  }
  return undefined;
}

function checkCallCycles(
  functions: readonly UserFunction[],
  model: Model,
  add: (code: IssueCode, loc: Loc, message: string, symbol?: string, hint?: string) => void,
): void {
  const calls = new Map(functions.map((f) => {
    const out = new Set<string>();
    walk(f.body, (n) => { if (n.kind === 'apply') out.add(n.fn); });
    return [f.name, out];
  }));
  const state = new Map<string, 'active' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'active') {
      const decl = model.functions.find((f) => f.name === name)!;
      add('cyclic-definition', decl.loc, `functions call each other in a cycle: ${[...path.slice(path.indexOf(name)), name].join(' -> ')}`,
        name, 'recursion is not supported: write the function without calling itself');
      return;
    }
    state.set(name, 'active');
    for (const c of calls.get(name) ?? []) visit(c, [...path, name]);
    state.set(name, 'done');
  };
  for (const f of functions) visit(f.name, []);
}
