import { measureKind } from '../../src/ir/measures/index.ts';
import type { Node, Program } from '../../src/ir/nodes.ts';

/**
 * The program with every quadrature capped at `max` nodes. For tests that compare the reference interpreter with
 * generated code, or derivatives with finite differences, on every model in equations/: agreement does not depend
 * on the node count, and the interpreter is slow on 40 x 48-node prox integrals. `intervals: false` keeps the
 * node counts of restricted expectations: with moving ends, the derivative of a coarse rule is not the coarse
 * rule of the derivative (Leibniz terms included), so finite differences would test the rule, not `D`.
 */
export function coarsen(program: Program, max = 10, options: { intervals?: boolean } = {}): Program {
  const intervals = options.intervals ?? true;
  const go = (n: Node): Node => {
    switch (n.kind) {
      case 'num': case 'param': case 'state': case 'bound': return n;
      case 'call': case 'apply': case 'op': return { ...n, args: n.args.map(go) } as Node;
      case 'cond': return { kind: 'cond', test: go(n.test), then: go(n.then), else: go(n.else) };
      case 'root': return { ...n, expr: go(n.expr), slope: go(n.slope), lower: go(n.lower), upper: go(n.upper) };
      case 'expect': {
        // Through the measure registry, so that every kind is coarsened: its expressions mapped, its rule's node
        // counts capped (those of a measure with expressions, such as moving ends, kept when `intervals` is false).
        const kind = measureKind(n.measure);
        const mapped = kind.map(n.measure, go);
        const measure = intervals || kind.nodes(n.measure).length === 0 ? kind.resize(mapped, (k) => Math.min(k, max)) : mapped;
        return { ...n, measure, body: go(n.body) };
      }
    }
  };
  return {
    ...program,
    functions: program.functions.map((f) => ({ ...f, body: go(f.body) })),
    updates: program.updates.map((u) => ({ ...u, expr: go(u.expr) })),
    observables: program.observables.map((o) => ({ ...o, expr: go(o.expr) })),
  };
}
