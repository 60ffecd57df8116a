import { BUILTINS } from '../ir/builtins.ts';
import { mapChildren, type Node } from '../ir/nodes.ts';
import { applyOp } from '../ir/simplify.ts';

const one = (n: Node) => n.kind === 'num' && n.value === 1;

/**
 * Constant folding, exact: an operation or built-in on numbers becomes its value (the same JS operation the
 * generated code would run), a conditional with a constant test becomes its branch, x * 1 and x / 1 become x.
 * Model files written generically (a label-flip probability of 0, a glm piece with default arguments) then
 * cost nothing for the generality they do not use.
 */
export function fold(node: Node): Node {
  const memo = new WeakMap<Node, Node>();
  const go = (n: Node): Node => {
    const known = memo.get(n);
    if (known) return known;
    let out: Node;
    if (n.kind === 'cond') {
      const test = go(n.test);
      // NaN counts as true, as in the interpreter and the generated code; only the branch taken is folded.
      out = test.kind === 'num' ? go(test.value !== 0 ? n.then : n.else) : { kind: 'cond', test, then: go(n.then), else: go(n.else) };
    } else {
      out = mapChildren(n, go);
      if (out.kind === 'op') out = foldOp(out);
      else if (out.kind === 'call' && out.args.every((a) => a.kind === 'num')) {
        out = { kind: 'num', value: BUILTINS[out.fn].fn(...out.args.map((a) => (a as { value: number }).value)) };
      }
    }
    memo.set(n, out);
    return out;
  };
  return go(node);
}

/** An operation whose arguments are folded already. */
function foldOp(n: Extract<Node, { kind: 'op' }>): Node {
  const { args } = n;
  if (args.every((a) => a.kind === 'num')) {
    const [a, b] = args as readonly { value: number }[];
    return { kind: 'num', value: applyOp(n.op, a.value, b?.value ?? NaN) };
  }
  if (n.op === '*' && one(args[0])) return args[1];
  if ((n.op === '*' || n.op === '/') && one(args[1])) return args[0];
  return n;
}
