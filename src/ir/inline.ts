import { substitute } from './derive.ts';
import { mapChildren, type Node, type UserFunction } from './nodes.ts';

/**
 * The node with every user-function call replaced by the function's body, its arguments substituted
 * (capture-avoiding). Same values as calling: functions are pure. Compile-time only: inlined bodies let the
 * code generator share work across calls, e.g. one prox solve for both f_out and its derivative.
 */
export function inlineCalls(node: Node, functions: readonly UserFunction[]): Node {
  const bodies = new Map<string, Node>();
  const memo = new WeakMap<Node, Node>();
  const go = (n: Node): Node => {
    const known = memo.get(n);
    if (known) return known;
    let out: Node;
    if (n.kind === 'apply') {
      const f = functions.find((g) => g.name === n.fn)!;
      let body = bodies.get(f.name);
      if (!body) bodies.set(f.name, (body = go(f.body)));
      out = substitute(body, new Map(f.args.map((a, i) => [a, go(n.args[i])])));
    } else out = mapChildren(n, go);
    memo.set(n, out);
    return out;
  };
  return go(node);
}
