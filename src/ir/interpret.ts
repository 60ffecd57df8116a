import { innerMinimum, innerRoot, newtonInBracket } from '../numerics/roots.ts';
import { BUILTINS } from './builtins.ts';
import { forEachScoped, structureIds, type Node, type Program } from './nodes.ts';
import { measureKind } from './measures/index.ts';
import type { InnerFailure, Kernels } from './kernels.ts';

/** The bound variables in scope (integration variables, root variables, function arguments), innermost first. */
interface Scope {
  readonly name: string;
  readonly value: number;
  readonly up: Scope | null;
}

const bind = (name: string, value: number, up: Scope | null): Scope => ({ name, value, up });

function lookup(scope: Scope | null, name: string): number {
  for (let s = scope; s !== null; s = s.up) if (s.name === name) return s.value;
  return undefined as unknown as number; // unbound: never in a checked program
}

/** A node ready to evaluate in a scope (the state and the memo are those of the current evaluation context). */
type Closure = (scope: Scope | null) => number;

/**
 * The slow reference semantics of the IR: a tree walk. Used by tests to check the generated code
 * (they must agree to 1e-12 on every model) and never on a hot path. The walk is prepared once per node: each
 * node becomes a closure over its children's closures, so that evaluating does not dispatch on node kinds.
 *
 * One shortcut, which changes no value: each `root` and `expect` is evaluated once per evaluation context, per
 * structure (equal subtrees count as one, whether or not they are the same object) and per values of the bound
 * variables it reads; later occurrences reuse that value, bit for bit. Derivatives repeat the prox they
 * differentiate and the expectations of the expression they differentiate, and a definition used twice (a
 * Moreau envelope reads its prox twice) is inlined twice. An evaluation context is one `observables` call (one
 * state), one update of `update` (the state changes after each: sequential updates) or one call of a user function.
 */
export function interpret(program: Program, params: Float64Array): Kernels {
  const fns = new Map(program.functions.map((f) => [f.name, f]));
  const structure = structureIds(); // computed as needed: most trees have no root and no expectation

  // The current evaluation context.
  let state: Float64Array = new Float64Array(0);
  let memo: Memo = new Map();
  // The first inner problem that failed since `innerFailure` was last called.
  let failure: InnerFailure | undefined;
  const enter = (x: Float64Array) => {
    state = x;
    memo = new Map();
  };

  const closures = new Map<Node, Closure>();
  const closure = (node: Node): Closure => {
    let c = closures.get(node);
    if (c === undefined) closures.set(node, (c = prepare(node)));
    return c;
  };

  const prepare = (node: Node): Closure => {
    switch (node.kind) {
      case 'num': {
        const v = node.value;
        return () => v;
      }
      case 'param': {
        const i = node.index;
        return () => params[i];
      }
      case 'state': {
        const i = node.index;
        return () => state[i];
      }
      case 'bound': {
        const name = node.name;
        return (scope) => lookup(scope, name);
      }
      case 'call': {
        const builtin = BUILTINS[node.fn];
        if (builtin === undefined) return () => { throw new Error(`unknown built-in ${node.fn}`); };
        const f = builtin.fn;
        const args = node.args.map(closure);
        if (args.length === 1) {
          const [a] = args;
          return (scope) => f(a(scope));
        }
        if (args.length === 2) {
          const [a, b] = args;
          return (scope) => f(a(scope), b(scope));
        }
        return (scope) => f(...args.map((a) => a(scope)));
      }
      case 'apply': {
        const f = fns.get(node.fn);
        if (f === undefined) return () => { throw new Error(`unknown function ${node.fn}`); };
        const names = f.args;
        const args = node.args.map(closure);
        const body = closure(f.body);
        return (scope) => {
          // The body sees its arguments only; a later argument of the same name wins, as in a Map.
          let inner: Scope | null = null;
          for (let i = 0; i < names.length; i++) inner = bind(names[i], args[i](scope), inner);
          return body(inner);
        };
      }
      case 'cond': {
        const test = closure(node.test);
        const then = closure(node.then);
        const otherwise = closure(node.else);
        return (scope) => (test(scope) !== 0 ? then(scope) : otherwise(scope)); // NaN counts as true, as in generated code
      }
      case 'op': {
        const a = closure(node.args[0]);
        const b = node.args.length > 1 ? closure(node.args[1]) : a;
        switch (node.op) {
          case '+': return (scope) => a(scope) + b(scope);
          case '-': return (scope) => a(scope) - b(scope);
          case '*': return (scope) => a(scope) * b(scope);
          case '/': return (scope) => a(scope) / b(scope);
          case '^': return (scope) => a(scope) ** b(scope);
          case 'neg': return (scope) => -a(scope);
          case '<': return (scope) => +(a(scope) < b(scope));
          case '<=': return (scope) => +(a(scope) <= b(scope));
          case '>': return (scope) => +(a(scope) > b(scope));
          case '>=': return (scope) => +(a(scope) >= b(scope));
          case '==': return (scope) => +(a(scope) === b(scope));
          case '!=': return (scope) => +(a(scope) !== b(scope));
          case 'and': return (scope) => +(a(scope) !== 0 && b(scope) !== 0);
          case 'or': return (scope) => +(a(scope) !== 0 || b(scope) !== 0);
          case 'not': return (scope) => +(a(scope) === 0);
        }
        throw new Error(`unhandled operator ${(node as { op: string }).op}`);
      }
      case 'root': case 'expect': {
        const evaluate = prepareBinder(node);
        const id = structure(node);
        const free = freeVariables(node);
        return (scope) => {
          const [values, key] = memoSlot(memo, id, free, scope);
          let value = values.get(key) as number | undefined;
          if (value === undefined) values.set(key, (value = evaluate(scope)));
          return value;
        };
      }
    }
  };

  /** A node that binds a variable: a root or an expectation. */
  const prepareBinder = (node: Node & { kind: 'root' | 'expect' }): Closure => {
    const variable = node.variable;
    if (node.kind === 'root') {
      const expr = closure(node.expr);
      const slope = closure(node.slope);
      const lower = closure(node.lower);
      const upper = closure(node.upper);
      const objective = node.objective && closure(node.objective);
      const site = node.site ?? -1;
      const increasing = node.increasing;
      return (scope) => {
        const g = (z: number) => expr(bind(variable, z, scope));
        const dg = (z: number) => slope(bind(variable, z, scope));
        const out = objective ? innerMinimum(g, dg, (z) => objective(bind(variable, z, scope)), lower(scope), upper(scope))
          : increasing ? newtonInBracket(g, dg, lower(scope), upper(scope))
            : innerRoot(g, dg, lower(scope), upper(scope));
        if (out.failed && failure === undefined) failure = { site, z: out.z };
        return out.z;
      };
    }
    // The measure's rule (measures/): its expressions are evaluated in the scope around the expectation.
    const integrate = measureKind(node.measure).integrator(node.measure, closure);
    const body = closure(node.body);
    return (scope) => integrate(scope, (x) => body(bind(variable, x, scope)));
  };

  return {
    update(x, out) {
      const s = Float64Array.from(x);
      for (const u of program.updates) {
        enter(s); // a new context for each: s has changed
        s[u.target] = closure(u.expr)(null);
      }
      out.set(s);
    },
    observables(x, out) {
      enter(x);
      program.observables.forEach((o, i) => { out[i] = closure(o.expr)(null); });
    },
    innerFailure() {
      const f = failure;
      failure = undefined;
      return f;
    },
    functions: Object.fromEntries(program.functions.map((f) => [f.name, (...args: number[]) => {
      let scope: Scope | null = null;
      f.args.forEach((a, i) => { scope = bind(a, args[i], scope); });
      enter(new Float64Array(0));
      return closure(f.body)(scope);
    }])),
  };
}

/**
 * Values of memoised nodes in one evaluation context: by structure id, then by the value of each bound variable the
 * node reads (one map level per variable, keyed so that distinct doubles are distinct keys, −0 too).
 */
type Memo = Map<number | string, Memo | number>;

const memoKey = (v: number): number | string => (v === 0 && 1 / v < 0 ? '-0' : v);

/** The memo entry of a node at the current values of its bound variables: the last level and its key. */
function memoSlot(memo: Memo, id: number, free: readonly string[], scope: Scope | null): [Memo, number | string] {
  let level = memo.get(id) as Memo | undefined;
  if (level === undefined) memo.set(id, (level = new Map()));
  if (free.length === 0) return [level, ''];
  for (let i = 0; i < free.length - 1; i++) {
    const k = memoKey(lookup(scope, free[i]));
    let next = level.get(k) as Memo | undefined;
    if (next === undefined) level.set(k, (next = new Map()));
    level = next;
  }
  return [level, memoKey(lookup(scope, free[free.length - 1]))];
}

/** Bound variables read by a node and not bound inside it (a measure's expressions are outside its expectation's scope). */
function freeVariables(node: Node): readonly string[] {
  let out = freeMemo.get(node);
  if (out !== undefined) return out;
  const free = new Set<string>();
  if (node.kind === 'bound') free.add(node.name);
  forEachScoped(node, (c, except) => freeVariables(c).forEach((v) => { if (v !== except) free.add(v); }));
  freeMemo.set(node, (out = [...free]));
  return out;
}
const freeMemo = new WeakMap<Node, readonly string[]>();
