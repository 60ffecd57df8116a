import { BUILTINS } from './builtins.ts';
import { children, label, withChildren, type Node, type Op } from './nodes.ts';
import { measureKind } from './measures/index.ts';

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

/** Structural equality (same tree, same numbers with Object.is, same names, same measures). */
export function sameNode(a: Node, b: Node): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'num': return Object.is(a.value, (b as typeof a).value);
    case 'bound': return a.name === (b as typeof a).name;
    default: return label(a) === label(b) && sameList(children(a), children(b));
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
  const kids = children(node);
  const simplified = kids.map(simplify);
  switch (node.kind) {
    case 'op': {
      const out = mkOp(node.op, ...simplified);
      return sameNode(out, node) ? node : out;
    }
    case 'call': {
      const out = mkCall(node.fn, ...simplified);
      return sameNode(out, node) ? node : out;
    }
    case 'cond': {
      const out = mkCond(simplified[0], simplified[1], simplified[2]);
      return sameNode(out, node) ? node : out;
    }
    case 'expect': {
      const next = withChildren(node, simplified) as typeof node;
      const known = measureKind(next.measure).simplify(next.measure, next.body);
      if (known !== undefined) return known;
      break;
    }
    default:
  }
  return simplified.every((x, i) => x === kids[i]) ? node : withChildren(node, simplified);
}
