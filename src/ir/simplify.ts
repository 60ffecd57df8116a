import { BUILTINS } from './builtins.ts';
import { mapMeasure, measureNodes, type Node, type Op } from './nodes.ts';

/**
 * Algebraic simplification of the IR: constant folding and the identities a derivative leaves behind
 * (0·x, 1·x, x + 0, x^1, x^0, −−x, …).
 *
 * Contract. Every rewrite is exact in floating point — the simplified tree evaluates to the same double
 * (`===`, so +0 and −0 are not told apart) — at every point where all subexpressions of the original
 * tree are finite. Outside that set we follow the convention of most computer-algebra systems and treat
 * 0·x as 0, 0/x as 0, x − x as 0, x/x as 1, x^0 as 1 and 1^x as 1 even though IEEE arithmetic would give
 * NaN when x is ±Inf or NaN (or x = 0 in 0/x and x/x). Nothing is reassociated or redistributed (c₁·(c₂·x) stays as it is: folding
 * it would change the rounding), so simplification never costs accuracy.
 *
 * One rewrite is exact only in exact arithmetic: E_normal[c] → c (the Gauss–Hermite weights sum to 1
 * only to rounding, so the folded value can differ from the quadrature sum by a few ulp of c).
 *
 * The result never has more nodes than the input (counting shared subtrees once per use). Nodes are
 * immutable and simplification is pure, so results are memoised per node object (DAGs stay cheap).
 */
export function simplify(node: Node): Node {
  const hit = memo.get(node);
  if (hit !== undefined) return hit;
  const out = rewrite(node);
  memo.set(node, out);
  if (out !== node) memo.set(out, out); // already simplified: every rule applies bottom-up to a fixpoint
  return out;
}

const memo = new WeakMap<Node, Node>();

export const num = (value: number): Node => ({ kind: 'num', value });
const ZERO = num(0);
const ONE = num(1);
const TWO = num(2);

const isNum = (n: Node, v?: number): n is { kind: 'num'; value: number } =>
  n.kind === 'num' && (v === undefined || n.value === v);
const isNeg = (n: Node): n is { kind: 'op'; op: 'neg'; args: readonly Node[] } => n.kind === 'op' && n.op === 'neg';

/** Structural equality (same tree, same numbers with Object.is, same names). */
export function sameNode(a: Node, b: Node): boolean {
  if (a === b) return true;
  switch (a.kind) {
    case 'num': return b.kind === 'num' && Object.is(a.value, b.value);
    case 'param': case 'state': return b.kind === a.kind && b.name === a.name && b.index === a.index;
    case 'bound': return b.kind === 'bound' && b.name === a.name;
    case 'call': case 'apply':
      return b.kind === a.kind && b.fn === a.fn && sameList(a.args, b.args);
    case 'op': return b.kind === 'op' && b.op === a.op && sameList(a.args, b.args);
    case 'cond': return b.kind === 'cond' && sameNode(a.test, b.test) && sameNode(a.then, b.then) && sameNode(a.else, b.else);
    case 'root':
      return b.kind === 'root' && b.variable === a.variable && a.increasing === b.increasing && sameList([a.expr, a.slope, a.lower, a.upper], [b.expr, b.slope, b.lower, b.upper]);
    case 'expect': {
      if (b.kind !== 'expect' || b.variable !== a.variable || !sameNode(a.body, b.body)) return false;
      const m = a.measure;
      const n = b.measure;
      if (m.kind === 'normal') return n.kind === 'normal' && n.nodes === m.nodes;
      if (m.kind === 'normal-interval') {
        return n.kind === 'normal-interval' && n.nodes === m.nodes && sameList(measureNodes(m), measureNodes(n))
          && (m.lower === null) === (n.lower === null);
      }
      return n.kind === 'discrete' && n.values.length === m.values.length && m.values.every((v, i) => Object.is(v, n.values[i]))
        && sameList(m.probs, n.probs);
    }
  }
}
const sameList = (a: readonly Node[], b: readonly Node[]) => a.length === b.length && a.every((x, i) => sameNode(x, b[i]));

/** The value of an operator on numbers, with exactly the semantics of the interpreter and the generated code. */
export function applyOp(op: Op, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '^': return a ** b;
    case 'neg': return -a;
    case '<': return +(a < b);
    case '<=': return +(a <= b);
    case '>': return +(a > b);
    case '>=': return +(a >= b);
    case '==': return +(a === b);
    case '!=': return +(a !== b);
    case 'and': return +(a !== 0 && b !== 0);
    case 'or': return +(a !== 0 || b !== 0);
    case 'not': return +(a === 0);
  }
}

/**
 * Smart constructors: build the node `op(args)` with the local identities applied, assuming the
 * arguments are already simplified. `derive` builds its results with these.
 */
export function mkOp(op: Op, ...args: Node[]): Node {
  const [a, b] = args;
  if (args.every((x) => x.kind === 'num')) return num(applyOp(op, (a as { value: number }).value, (b as { value: number } | undefined)?.value ?? NaN));
  switch (op) {
    case '+':
      if (isNum(a, 0)) return b;
      if (isNum(b, 0)) return a;
      if (isNeg(b)) return mkOp('-', a, b.args[0]); // a + (−b) ≡ a − b
      if (isNeg(a)) return mkOp('-', b, a.args[0]); // (−a) + b ≡ b − a
      if (sameNode(a, b)) return mkOp('*', TWO, a); // a + a ≡ 2a, exact (both round the same real)
      break;
    case '-':
      if (isNum(b, 0)) return a;
      if (isNum(a, 0)) return mkOp('neg', b);
      if (isNeg(b)) return mkOp('+', a, b.args[0]);
      if (sameNode(a, b)) return ZERO; // convention: a is finite
      break;
    case '*':
      if (isNum(a, 0) || isNum(b, 0)) return ZERO; // convention: the other factor is finite
      if (isNum(a, 1)) return b;
      if (isNum(b, 1)) return a;
      if (isNum(a, -1)) return mkOp('neg', b);
      if (isNum(b, -1)) return mkOp('neg', a);
      if (isNeg(a) && isNeg(b)) return mkOp('*', a.args[0], b.args[0]);
      if (isNeg(a)) return mkOp('neg', mkOp('*', a.args[0], b));
      if (isNeg(b)) return mkOp('neg', mkOp('*', a, b.args[0]));
      if (isNum(b) && !isNum(a)) return { kind: 'op', op: '*', args: [b, a] }; // constants first
      break;
    case '/':
      if (isNum(a, 0)) return ZERO; // convention: the denominator is finite and nonzero
      if (isNum(b, 1)) return a;
      if (isNum(b, -1)) return mkOp('neg', a);
      if (sameNode(a, b)) return ONE; // convention: a is finite and nonzero
      if (isNeg(a) && isNeg(b)) return mkOp('/', a.args[0], b.args[0]);
      if (isNeg(a)) return mkOp('neg', mkOp('/', a.args[0], b));
      if (isNeg(b)) return mkOp('neg', mkOp('/', a, b.args[0]));
      break;
    case '^':
      if (isNum(b, 1)) return a;
      if (isNum(b, 0)) return ONE; // x ** 0 is 1 for every double, NaN included
      if (isNum(a, 1)) return ONE; // convention: the exponent is finite
      break;
    case 'neg':
      if (isNeg(a)) return a.args[0];
      if (a.kind === 'op' && a.op === '-') return mkOp('-', a.args[1], a.args[0]); // −(a − b) ≡ b − a
      break;
    case 'and':
      if (isNum(a, 0) || isNum(b, 0)) return ZERO;
      break;
    case 'or':
      if ((isNum(a) && a.value !== 0) || (isNum(b) && b.value !== 0)) return ONE;
      break;
    default:
  }
  return { kind: 'op', op, args };
}

export function mkCall(fn: string, ...args: Node[]): Node {
  if (args.every((x) => x.kind === 'num')) return num(BUILTINS[fn].fn(...args.map((x) => (x as { value: number }).value)));
  if ((fn === 'min' || fn === 'max') && args.length === 1) return args[0]; // Math.min(x) is x
  return { kind: 'call', fn, args };
}

export function mkCond(test: Node, then: Node, otherwise: Node): Node {
  // A NaN test is falsy in the interpreter but `!== 0` in generated code: leave it for them to disagree on.
  if (isNum(test) && !Number.isNaN(test.value)) return test.value !== 0 ? then : otherwise;
  if (sameNode(then, otherwise)) return then;
  return { kind: 'cond', test, then, else: otherwise };
}

function rewrite(node: Node): Node {
  switch (node.kind) {
    case 'num': case 'param': case 'state': case 'bound':
      return node;
    case 'op': {
      const args = node.args.map(simplify);
      const out = mkOp(node.op, ...args);
      return sameNode(out, node) ? node : out;
    }
    case 'call': {
      const out = mkCall(node.fn, ...node.args.map(simplify));
      return sameNode(out, node) ? node : out;
    }
    case 'apply': {
      const args = node.args.map(simplify);
      return args.every((a, i) => a === node.args[i]) ? node : { kind: 'apply', fn: node.fn, args };
    }
    case 'cond': {
      const out = mkCond(simplify(node.test), simplify(node.then), simplify(node.else));
      return sameNode(out, node) ? node : out;
    }
    case 'root': {
      const [expr, slope, lower, upper] = [node.expr, node.slope, node.lower, node.upper].map(simplify);
      const same = expr === node.expr && slope === node.slope && lower === node.lower && upper === node.upper;
      return same ? node : { ...node, expr, slope, lower, upper };
    }
    case 'expect': {
      const body = simplify(node.body);
      const m = node.measure;
      if (m.kind === 'normal') {
        if (isNum(body)) return body; // E[c] = c (weights sum to 1); E[0] = 0 exactly
        return body === node.body ? node : { ...node, body };
      }
      if (m.kind === 'normal-interval') {
        if (isNum(body, 0)) return ZERO;
        const measure = mapMeasure(m, simplify);
        const same = body === node.body && measureNodes(measure).every((x, i) => x === measureNodes(m)[i]);
        return same ? node : { ...node, measure, body };
      }
      const probs = m.probs.map(simplify);
      if (isNum(body, 0) || probs.every((p) => isNum(p, 0))) return ZERO; // convention: the other factor finite
      if (body === node.body && probs.every((p, i) => p === m.probs[i])) return node;
      return { ...node, measure: { ...m, probs }, body };
    }
  }
}
