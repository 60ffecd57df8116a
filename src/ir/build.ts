import { createRequire } from 'node:module';
import type { parse as ParseFn } from 'mathjs';
import type { Issue, IssueCode, Loc } from '../model/issues.ts';
import { didYouMean } from '../model/suggest.ts';
import type { Expr, Model, NamedExpr, VariableDecl } from '../model/types.ts';
import { BUILTINS, CONSTANTS } from './builtins.ts';
import { locateIndex, locateToken } from './locate.ts';
import { derive, substitute, type Wrt } from './derive.ts';
import { walk, type Measure, type Node, type Op, type Program, type UserFunction } from './nodes.ts';

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
const RESERVED = ['E', 'D', 'root', 'argmin', 'prox', 'moreau', 'status', 'iterations', 'residual'];
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
  const add = (code: IssueCode, loc: Loc, message: string, symbol?: string, hint?: string) => {
    const key = `${code}|${loc.line}|${loc.col}|${symbol}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ code, ...loc, message, ...(symbol !== undefined && { symbol }), ...(hint && { hint }) });
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
    if (RESERVED.includes(name)) add('duplicate-name', loc, `\`${name}\` is reserved`, name, 'choose another name');
    else if (section !== 'functions' && (name in CONSTANTS || name in BUILTINS)) {
      add('duplicate-name', loc, `\`${name}\` would hide the built-in ${name in CONSTANTS ? 'constant' : 'function'} of the same name`, name, 'choose another name');
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
    if (stateIx.has(o.name) || paramIx.has(o.name) || RESERVED.includes(o.name)) {
      add('duplicate-name', o.loc, `observable \`${o.name}\` would share a column with a ${stateIx.has(o.name) ? 'state variable' : paramIx.has(o.name) ? 'parameter' : 'reserved name'}`, o.name,
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
    const here = locateToken(scope.expr, name);
    if (scope.bound.has(name)) return { kind: 'bound', name };
    if (stateIx.has(name)) {
      if (scope.inFunction !== undefined) {
        add('state-in-function', here, `function \`${scope.inFunction}\` reads the order parameter \`${name}\``, name,
          `functions see only their arguments and the parameters: add \`${name}\` as an argument`);
        return NAN;
      }
      return { kind: 'state', name, index: stateIx.get(name)! };
    }
    if (paramIx.has(name)) return { kind: 'param', name, index: paramIx.get(name)! };
    const def = defs.get(name);
    if (def) {
      if (scope.defStack.includes(name)) {
        const cycle = [...scope.defStack.slice(scope.defStack.indexOf(name)), name].join(' -> ');
        add('cyclic-definition', def.loc, `definitions refer to each other in a cycle: ${cycle}`, name,
          'a definition may use only definitions that do not lead back to it');
        return NAN;
      }
      const ast = parseExpr(def.expr);
      const bound = scope.args ? new Set([...scope.bound].filter((b) => !scope.args!.has(b))) : scope.bound;
      if (!ast) return NAN;
      const node = conv(ast, { ...scope, bound, args: new Set(), expr: def.expr, defStack: [...scope.defStack, name], seenE: { n: 0 } });
      definitionUses.set(node, name);
      return node;
    }
    if (variables.has(name)) {
      if (scope.freeVariablesOk) return { kind: 'bound', name };
      add('variable-outside-expectation', here, `the random variable \`${name}\` is used outside an expectation over it`, name,
        `wrap the expression that uses it in E(${name}, ...)`);
      return NAN;
    }
    if (name in CONSTANTS) return { kind: 'num', value: CONSTANTS[name] };
    if (funcs.has(name) || name in BUILTINS) {
      add('unknown-symbol', here, `\`${name}\` is a function, used here as a value`, name, `call it: ${name}(...)`);
      return NAN;
    }
    add('unknown-symbol', here, `unknown symbol \`${name}\``, name,
      didYouMean(name, visibleNames(scope)) ?? 'declare it under params, order_params, variables or definitions');
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
          ? values.map((): Node => ({ kind: 'num', value: 1 / values.length }))
          : probs.map((p) => { const a = parseExpr(p); return a ? conv(a, { ...outer, expr: p, seenE: { n: 0 } }) : NAN; });
        measure = { kind: 'discrete', values, probs: ps };
      }
      node = { kind: 'expect', variable: names[k], measure, body: node };
      expectationLocs.set(node, here);
    }
    return node;
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
    try {
      return derive(body, wrt, converted);
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
    try {
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
    if (name in INNER_FORMS) return inner(name, ast, scope);
    const args = (ast.args ?? []).map((a) => conv(a, scope));
    const here = locateToken(scope.expr, name);
    const user = funcs.get(name);
    if (user) {
      if (args.length !== user.args.length) {
        add('wrong-arity', here, `\`${name}\` takes ${user.args.length} argument${user.args.length === 1 ? '' : 's'}, got ${args.length}`, name,
          `declared as ${name}(${user.args.join(', ')})`);
        return NAN;
      }
      return { kind: 'apply', fn: name, args };
    }
    const b = BUILTINS[name];
    if (b) {
      if (args.length < b.minArgs || args.length > b.maxArgs) {
        const want = b.minArgs === b.maxArgs ? `${b.minArgs}` : b.maxArgs === Infinity ? `at least ${b.minArgs}` : `${b.minArgs} to ${b.maxArgs}`;
        add('wrong-arity', here, `\`${name}\` takes ${want} argument${want === '1' ? '' : 's'}, got ${args.length}`, name, b.doc);
        return NAN;
      }
      return { kind: 'call', fn: name, args };
    }
    const isValue = stateIx.has(name) || paramIx.has(name) || defs.has(name) || variables.has(name);
    add('unknown-function', here, isValue ? `\`${name}\` is not a function` : `unknown function \`${name}\``, name,
      isValue ? `write ${name} * (...) to multiply` : (didYouMean(name, [...funcs.keys(), ...Object.keys(BUILTINS)]) ?? 'declare it under functions, e.g. `f(x): x^2`'));
    return NAN;
  };

  const conv = (ast: Ast, scope: Scope): Node => {
    switch (ast.type) {
      case 'ConstantNode': {
        if (typeof ast.value === 'number') return { kind: 'num', value: ast.value };
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
        const op = OPS[ast.fn as string];
        if (op === undefined) {
          add('unsupported-syntax', locateToken(scope.expr, ast.op ?? ''), `the operator \`${ast.op}\` is not supported`, ast.op,
            'supported: + - * / ^, comparisons, and, or, not, a ? b : c');
          return NAN;
        }
        const args = (ast.args ?? []).map((a) => conv(a, scope));
        return op === 'pos' ? args[0] : { kind: 'op', op, args };
      }
      default:
        add('unsupported-syntax', SYNTAX_TOKEN[ast.type] ? locateToken(scope.expr, SYNTAX_TOKEN[ast.type]) : scope.expr.loc,
          `${ast.type.replace(/Node$/, '').toLowerCase()} syntax is not supported in expressions`,
          undefined, 'expressions are scalar formulas: numbers, names, operators, function calls and E(...)');
        return NAN;
    }
  };

  const top = (expr: Expr, extra: Partial<Scope> = {}): Node => {
    const ast = parseExpr(expr);
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

  const updates: { target: number; expr: Node }[] = [];
  for (const u of model.updates) {
    const target = stateIx.get(u.name);
    const expr = top(u.expr);
    if (target === undefined) {
      add('update-of-undeclared', u.loc, `update for \`${u.name}\`, which is not an order parameter`, u.name,
        didYouMean(u.name, stateIx.keys()) ?? `declare it under order_params: \`${u.name}: {init: 0.5}\``);
    } else updates.push({ target, expr });
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

  const observables = model.observables.map((o) => ({ name: o.name, expr: top(o.expr) }));
  if (model.freeEnergy) observables.push({ name: 'free_energy', expr: top(model.freeEnergy) });

  if (issues.length > 0) return { issues };
  const program: Program = {
    model,
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
