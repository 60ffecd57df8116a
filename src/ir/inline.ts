import { substitute } from './derive.ts';
import type { Node, UserFunction } from './nodes.ts';
import { mapMeasure } from './nodes.ts';

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
    switch (n.kind) {
      case 'num': case 'param': case 'state': case 'bound': out = n; break;
      case 'call': case 'op': out = { ...n, args: n.args.map(go) } as Node; break;
      case 'apply': {
        const f = functions.find((g) => g.name === n.fn)!;
        let body = bodies.get(f.name);
        if (!body) bodies.set(f.name, (body = go(f.body)));
        out = substitute(body, new Map(f.args.map((a, i) => [a, go(n.args[i])])));
        break;
      }
      case 'cond': out = { kind: 'cond', test: go(n.test), then: go(n.then), else: go(n.else) }; break;
      case 'expect': out = { ...n, measure: mapMeasure(n.measure, go), body: go(n.body) }; break;
      case 'root': out = { ...n, expr: go(n.expr), slope: go(n.slope), lower: go(n.lower), upper: go(n.upper) }; break;
    }
    memo.set(n, out);
    return out;
  };
  return go(node);
}
