import { BUILTINS } from './builtins.ts';
import { binder, children, forEachScoped, mapChildren, withChildren, type Node, type UserFunction } from './nodes.ts';
import { measureKind, type Calculus } from './measures/index.ts';
import { mkCall, mkCond, mkOp, num, simplify } from './simplify.ts';

/**
 * Symbolic differentiation of the IR.
 *
 * `derive(node, wrt, functions)` is the exact derivative d node / d v, simplified (see simplify.ts for
 * its conventions: 0·x = 0 and friends). Rules:
 * - + − · / ^ and neg by the usual rules; a^b with an exponent whose derivative simplifies to 0 uses the power
 *   rule b·a^(b−1)·a′ (valid for negative bases too), otherwise b·a^(b−1)·a′ + a^b·log|a|·b′, the second
 *   term taken as 0 where a = 0 (its limit for b > 0; IEEE would give 0·(−Inf) = NaN).
 * - Comparisons and logical operators are piecewise constant: derivative 0. `cond` is differentiated
 *   branch by branch under the same test (piecewise; no distributional terms at the switch point).
 * - Built-ins by the table {@link BUILTIN_DERIVATIVES}, written with numerically safe building blocks
 *   (logH′ = −mills, log1pexp′ = sigmoid, …). min/max are piecewise (the first minimal argument wins ties).
 * - A user function by the chain rule: Σᵢ (∂f/∂aᵢ)(args)·argsᵢ′, the partial derivatives derived once from
 *   its body (and cached) and the arguments substituted in, capture-avoiding (expectation variables inside
 *   the body are renamed if an argument mentions a variable of the same name). A body that reads a state
 *   variable or parameter directly adds its direct derivative. The result may still contain `apply` nodes
 *   (of the functions and of their callees), never of new functions.
 * - Expectations: differentiation under the integral, d/dv E_x[f] = E_x[df/dv], plus what the measure adds
 *   when its expressions depend on v (its kind's `derive`, measures/): for a discrete measure with
 *   probabilities depending on v, d/dv Σ pᵢ f(xᵢ) = Σ pᵢ′ f(xᵢ) + Σ pᵢ f′(xᵢ) (two expectations over the same
 *   values); for an interval with moving ends, Leibniz's rule. If v is the bound variable x itself, the body
 *   does not see the outer v (it is shadowed).
 *
 * `wrt` names a bound variable (an expectation variable or a user-function argument, in scope where
 * `node` is evaluated), a state variable or a parameter. Throws on a built-in without a derivative (a
 * programming error: the table covers every entry of BUILTINS) or an unknown user function.
 */
export type Wrt = { readonly kind: 'bound' | 'state' | 'param'; readonly name: string };

export function derive(node: Node, wrt: Wrt, functions: ReadonlyMap<string, UserFunction>): Node {
  return simplify(new Deriver(wrt, functions).d(node));
}

const ZERO = num(0);
const ONE = num(1);
const isZero = (n: Node) => n.kind === 'num' && n.value === 0;

const add = (a: Node, b: Node) => mkOp('+', a, b);
const sub = (a: Node, b: Node) => mkOp('-', a, b);
// A zero derivative annihilates its factor before constant folding could turn 0·Inf or 0/0 into NaN: the
// derivative of a constant (even of one that is ±Inf, like exp(1/0)) is 0.
const mul = (...xs: Node[]) => (xs.some(isZero) ? ZERO : xs.reduce((acc, x) => mkOp('*', acc, x)));
const div = (a: Node, b: Node) => (isZero(a) ? ZERO : mkOp('/', a, b));
const neg = (a: Node) => mkOp('neg', a);
const pow = (a: Node, b: Node) => mkOp('^', a, b);
const sq = (a: Node) => pow(a, num(2));
const call = (fn: string, ...args: Node[]) => mkCall(fn, ...args);
const sum = (xs: readonly Node[]) => (xs.length === 0 ? ZERO : xs.reduce(add));

const SQRT_PI = Math.sqrt(Math.PI);
const INV_SQRT_PI = 1 / SQRT_PI;

/**
 * Above this argument, mills′ and erfcx′ switch from their closed forms (which cancel: relative error
 * ≈ ε·x² for mills(x)·(mills(x) − x), ≈ 2ε·x² for 2x·erfcx(x) − 2/√π) to their asymptotic series in
 * u = 1/x², truncated where the next term is below 1e-18 relative. At the switch both agree to ~1e-13.
 */
export const ASYMPTOTIC_FROM = 25;

/** mills′(x) = 1 − u + 6u² − 50u³ + … (u = 1/x²), from mills(x) = x·T(u), T = 1/Σ(−1)ⁿ(2n−1)!!uⁿ. */
const MILLS_PRIME_SERIES = [1, -1, 6, -50, 518, -6354, 89782, -1435330, 25625910, -505785122];
/** erfcx′(x) = −(1/(√π x²))·Σ (−1)ⁿ (2n+1)!!/2ⁿ uⁿ (term-by-term derivative of the asymptotic series of erfcx). */
const ERFCX_PRIME_SERIES = [1, -3 / 2, 15 / 4, -105 / 8, 945 / 16, -10395 / 32, 135135 / 64, -2027025 / 128, 34459425 / 256, -654729075 / 512];

/** c₀ + u·(c₁ + u·(c₂ + …)) as IR (Horner). */
const horner = (cs: readonly number[], u: Node): Node =>
  cs.slice(0, -1).reduceRight<Node>((acc, c) => add(num(c), mul(u, acc)), num(cs[cs.length - 1]));

/** f′(x) of a one-argument built-in, given x and the call node f(x) itself (to reuse it). */
type Unary = (x: Node, self: Node) => Node;
/** The derivative of a call: the arguments, the call node, and the arguments' derivatives. */
type Rule = (args: readonly Node[], self: Node, dargs: readonly Node[]) => Node;

const unary = (f: Unary): Rule => (args, self, [dx]) => (isZero(dx) ? ZERO : mul(f(args[0], self), dx));
const flat: Rule = () => ZERO;
/** d(a^b), shared by `^` and pow(). */
const power: Rule = ([a, b], self, [da, db]) => {
  if (isZero(db)) return isZero(da) || (b.kind === 'num' && b.value === 0) ? ZERO : mul(b, pow(a, sub(b, ONE)), da);
  // a^b·log|a|·b′, with the term taken as 0 at a = 0 (its limit when b > 0; IEEE would give 0·(−Inf) = NaN).
  // log|a| rather than log a: for a < 0, a^b is real only at integer b, so where b′ ≠ 0 the function is NaN
  // around the point anyway, and where b′ = 0 (an exponent like x/x) the term is 0 instead of NaN·0.
  const viaExponent = a.kind === 'num'
    ? (a.value === 0 ? ZERO : mul(self, call('log', num(Math.abs(a.value))), db))
    : mkCond(mkOp('==', a, ZERO), ZERO, mul(self, call('log', call('abs', a)), db));
  return isZero(da) ? viaExponent : add(mul(b, pow(a, sub(b, ONE)), da), viaExponent);
};
/** min/max: the derivative of the first extreme argument (piecewise, by comparisons). */
const extreme = (fn: 'min' | 'max', better: '<=' | '>='): Rule => {
  const rule: Rule = (args, self, dargs) => {
    if (args.length === 1) return dargs[0];
    const rest = args.length === 2 ? args[1] : call(fn, ...args.slice(1));
    const dRest = args.length === 2 ? dargs[1] : rule(args.slice(1), rest, dargs.slice(1));
    return mkCond(mkOp(better, args[0], rest), dargs[0], dRest);
  };
  return rule;
};

/** erf′(x) = 2/√π·exp(−x²), written 4√π·npdf(x)² so that x² is never rounded (npdf splits it exactly). */
const erfPrime = (x: Node) => mul(num(4 * SQRT_PI), sq(call('npdf', x)));

/** Derivatives of the built-ins; must cover every key of BUILTINS (tested). */
export const BUILTIN_DERIVATIVES: Readonly<Record<string, Rule>> = {
  sqrt: unary((_x, self) => div(num(0.5), self)),
  exp: unary((_x, self) => self),
  log: unary((x) => div(ONE, x)),
  log1p: unary((x) => div(ONE, add(ONE, x))),
  expm1: unary((x) => call('exp', x)),
  abs: unary((x) => call('sign', x)),
  sin: unary((x) => call('cos', x)),
  cos: unary((x) => neg(call('sin', x))),
  tan: unary((_x, self) => add(ONE, sq(self))),
  asin: unary((x) => div(ONE, call('sqrt', mul(sub(ONE, x), add(ONE, x))))),
  acos: unary((x) => neg(div(ONE, call('sqrt', mul(sub(ONE, x), add(ONE, x)))))),
  atan: unary((x) => div(ONE, add(ONE, sq(x)))),
  // d atan2(y, x) = (x dy − y dx)/(x² + y²)
  atan2: ([y, x], _self, [dy, dx]) => div(sub(mul(x, dy), mul(y, dx)), add(sq(x), sq(y))),
  sinh: unary((x) => call('cosh', x)),
  cosh: unary((x) => call('sinh', x)),
  tanh: unary((x) => sq(div(ONE, call('cosh', x)))), // sech², not 1 − tanh² (which is 0 for |x| > 19)
  // Beyond |x| = 1e150, x² + 1 rounds to x² and 1/|x| is the same value without the overflow of x² (from 1e154).
  asinh: unary((x) => mkCond(mkOp('>', call('abs', x), num(1e150)), div(ONE, call('abs', x)), div(ONE, call('sqrt', add(sq(x), ONE))))),
  acosh: unary((x) => mkCond(mkOp('>', x, num(1e150)), div(ONE, x), div(ONE, call('sqrt', mul(sub(x, ONE), add(x, ONE)))))),
  atanh: unary((x) => div(ONE, mul(sub(ONE, x), add(ONE, x)))),
  floor: flat,
  ceil: flat,
  sign: flat,
  pow: power,
  min: extreme('min', '<='),
  max: extreme('max', '>='),
  erf: unary(erfPrime),
  erfc: unary((x) => neg(erfPrime(x))),
  erfcx: unary((x, self) => {
    const u = div(ONE, sq(x));
    return mkCond(mkOp('>', x, num(ASYMPTOTIC_FROM)),
      neg(mul(num(INV_SQRT_PI), u, horner(ERFCX_PRIME_SERIES, u))),
      sub(mul(num(2), x, self), num(2 * INV_SQRT_PI)));
  }),
  H: unary((x) => neg(call('npdf', x))),
  logH: unary((x) => neg(call('mills', x))),
  npdf: unary((x, self) => neg(mul(x, self))),
  ncdf: unary((x) => call('npdf', x)),
  logNpdf: unary((x) => neg(x)),
  mills: unary((x, self) => mkCond(mkOp('>', x, num(ASYMPTOTIC_FROM)),
    horner(MILLS_PRIME_SERIES, div(ONE, sq(x))),
    mul(self, sub(self, x)))),
  log1pexp: unary((x) => call('sigmoid', x)),
  sigmoid: unary((x, self) => mul(self, call('sigmoid', neg(x)))),
  logSigmoid: unary((x) => call('sigmoid', neg(x))),
};

/** The smart constructors a measure's derivative rule builds with (measures/measure.ts `Calculus`). */
const CALCULUS: Omit<Calculus, 'd' | 'underIntegral'> = { zero: ZERO, isZero, add, mul, neg, call, substitute: (n, b) => substitute(n, b) };

/** Partial derivatives of user-function bodies, per functions map, keyed `fn|kind|name`. */
const partialCache = new WeakMap<ReadonlyMap<string, UserFunction>, Map<string, Node>>();

class Deriver {
  private readonly memo = new Map<Node, Node>();

  constructor(private readonly wrt: Wrt, private readonly functions: ReadonlyMap<string, UserFunction>) {}

  d(node: Node): Node {
    let out = this.memo.get(node);
    if (out === undefined) {
      out = this.rule(node);
      this.memo.set(node, out);
    }
    return out;
  }

  private rule(node: Node): Node {
    const { wrt } = this;
    switch (node.kind) {
      case 'num': return ZERO;
      case 'param': case 'state': case 'bound':
        return node.kind === wrt.kind && node.name === wrt.name ? ONE : ZERO;
      case 'op': {
        const [a, b] = node.args;
        switch (node.op) {
          case '+': return add(this.d(a), this.d(b));
          case '-': return sub(this.d(a), this.d(b));
          case 'neg': return neg(this.d(a));
          case '*': return add(mul(this.d(a), b), mul(a, this.d(b)));
          case '/': {
            // (a/b)′ = (a′ − (a/b)·b′)/b: no b², which would overflow or underflow long before a/b does.
            const da = this.d(a);
            const db = this.d(b);
            return isZero(db) ? div(da, b) : div(sub(da, mul(node, db)), b);
          }
          case '^': return power(node.args, node, [this.d(a), this.d(b)]);
          default: return ZERO; // comparisons and logic: piecewise constant
        }
      }
      case 'cond': return mkCond(node.test, this.d(node.then), this.d(node.else));
      case 'call': {
        if (!Object.hasOwn(BUILTIN_DERIVATIVES, node.fn) || !Object.hasOwn(BUILTINS, node.fn)) throw new Error(`derive: no derivative for the built-in function \`${node.fn}\``);
        const dargs = node.args.map((a) => this.d(a));
        return dargs.every(isZero) ? ZERO : BUILTIN_DERIVATIVES[node.fn](node.args, node, dargs);
      }
      case 'apply': return this.apply(node.fn, node.args);
      case 'root': {
        // Implicit differentiation of g(r(theta), theta) = 0: dr/dtheta = -(dg/dtheta) / (dg/dz) at z = r.
        if (wrt.kind === 'bound' && wrt.name === node.variable) return ZERO;
        const dg = this.d(node.expr);
        if (isZero(dg)) return ZERO;
        const at = (n: Node) => substitute(n, new Map([[node.variable, node as Node]]));
        return neg(div(at(dg), at(node.slope)));
      }
      case 'expect': {
        const shadowed = wrt.kind === 'bound' && wrt.name === node.variable;
        const dbody = shadowed ? ZERO : this.d(node.body);
        const underIntegral: Node = isZero(dbody) ? ZERO : { kind: 'expect', variable: node.variable, measure: node.measure, body: dbody };
        return measureKind(node.measure).derive(node, { ...CALCULUS, d: (n) => this.d(n), underIntegral });
      }
    }
  }

  private apply(name: string, args: readonly Node[]): Node {
    const f = this.functions.get(name);
    if (f === undefined) throw new Error(`derive: unknown user function \`${name}\``);
    if (f.args.length !== args.length) throw new Error(`derive: \`${name}\` takes ${f.args.length} arguments, got ${args.length}`);
    const binding = new Map(f.args.map((a, i) => [a, args[i]]));
    const terms: Node[] = [];
    f.args.forEach((a, i) => {
      const da = this.d(args[i]);
      if (isZero(da)) return;
      const partial = this.partial(f, { kind: 'bound', name: a });
      if (!isZero(partial)) terms.push(mul(substitute(partial, binding), da));
    });
    // The body sees only its arguments as bound variables, so a bound `wrt` cannot reach it directly.
    if (this.wrt.kind !== 'bound') {
      const direct = this.partial(f, this.wrt);
      if (!isZero(direct)) terms.push(substitute(direct, binding));
    }
    return sum(terms);
  }

  private partial(f: UserFunction, wrt: Wrt): Node {
    let cache = partialCache.get(this.functions);
    if (cache === undefined) partialCache.set(this.functions, (cache = new Map()));
    const key = `${f.name}|${wrt.kind}|${wrt.name}`;
    let p = cache.get(key);
    if (p === undefined) {
      p = derive(f.body, wrt, this.functions);
      cache.set(key, p);
    }
    return p;
  }
}

/**
 * Substitution under a binder (an expectation's or a root's variable): the binder shadows its variable; if a
 * substituted node reads a variable of the binder's name, the binder is renamed first (no capture).
 */
function underBinder(variable: string, bodies: readonly Node[], binding: ReadonlyMap<string, Node>): { variable: string; bodies: Node[] } {
  const inner = new Map(binding);
  inner.delete(variable);
  const free = new Set<string>();
  bodies.forEach((b) => freeBound(b).forEach((x) => free.add(x)));
  for (const k of [...inner.keys()]) if (!free.has(k)) inner.delete(k);
  if (inner.size === 0) return { variable, bodies: [...bodies] };
  const incoming = new Set<string>();
  inner.forEach((v) => freeBound(v).forEach((x) => incoming.add(x)));
  let name = variable;
  let renamed = [...bodies];
  if (incoming.has(variable)) {
    const taken = new Set<string>();
    bodies.forEach((b) => allNames(b, taken));
    incoming.forEach((x) => taken.add(x));
    inner.forEach((_v, k) => taken.add(k));
    let k = 1;
    while (taken.has(`${variable}_${k}`)) k++;
    name = `${variable}_${k}`;
    renamed = bodies.map((b) => substitute(b, new Map([[variable, { kind: 'bound', name } as Node]])));
  }
  return { variable: name, bodies: renamed.map((b) => substitute(b, inner)) };
}

/** Bound variables read by `node` and not bound inside it (a measure's expressions and a root's bracket are outside their binder's scope). */
export function freeBound(node: Node): ReadonlySet<string> {
  const hit = freeMemo.get(node);
  if (hit !== undefined) return hit;
  const out = new Set<string>();
  if (node.kind === 'bound') out.add(node.name);
  forEachScoped(node, (c, shadow) => freeBound(c).forEach((v) => { if (v !== shadow) out.add(v); }));
  freeMemo.set(node, out);
  return out;
}
const freeMemo = new WeakMap<Node, ReadonlySet<string>>();

/** Every bound-variable name a node mentions, free or bound (for choosing fresh names). */
function allNames(node: Node, out = new Set<string>()): Set<string> {
  if (node.kind === 'bound') out.add(node.name);
  const b = binder(node);
  if (b) out.add(b.variable);
  for (const c of children(node)) allNames(c, out);
  return out;
}

/**
 * Capture-avoiding substitution of bound variables: every free `bound` named k becomes binding.get(k).
 * A binder shadows its variable in the children in its scope (an expectation's body, not its measure's
 * expressions); if a substituted node reads a variable that a binder in `node` binds, that binder's variable is
 * renamed first.
 */
export function substitute(node: Node, binding: ReadonlyMap<string, Node>): Node {
  if (binding.size === 0) return node;
  const go = (n: Node): Node => {
    if (n.kind === 'bound') return binding.get(n.name) ?? n;
    const b = binder(n);
    if (!b) return mapChildren(n, go);
    const kids = children(n);
    const outside = kids.length - b.scoped;
    const { variable, bodies } = underBinder(b.variable, kids.slice(outside), binding);
    return { ...withChildren(n, [...kids.slice(0, outside).map(go), ...bodies]), variable } as Node;
  };
  return go(node);
}
