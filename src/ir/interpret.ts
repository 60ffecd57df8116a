import { gaussHermite } from '../numerics/gauss-hermite.ts';
import { truncatedNormalRule } from '../numerics/truncated-normal.ts';
import { truncatedGaussRule } from '../numerics/truncated-gauss.ts';
import { safeguardedNewton } from '../numerics/roots.ts';
import { BUILTINS } from './builtins.ts';
import { isStatic, type Node, type Program } from './nodes.ts';
import type { Kernels } from '../compile/kernels.ts';

/**
 * The slow reference semantics of the IR: a tree walk. Used by tests to check the generated code
 * (they must agree to 1e-12 on every model) and never on a hot path.
 */
export function interpret(program: Program, params: Float64Array): Kernels {
  const fns = new Map(program.functions.map((f) => [f.name, f]));
  const evaluate = (node: Node, state: Float64Array, bound: Map<string, number>): number => {
    const ev = (n: Node) => evaluate(n, state, bound);
    switch (node.kind) {
      case 'num': return node.value;
      case 'param': return params[node.index];
      case 'state': return state[node.index];
      case 'bound': return bound.get(node.name)!;
      case 'call': return BUILTINS[node.fn].fn(...node.args.map(ev));
      case 'apply': {
        const f = fns.get(node.fn)!;
        const args = new Map(f.args.map((a, i) => [a, ev(node.args[i])]));
        return evaluate(f.body, state, args);
      }
      case 'cond': return ev(node.test) !== 0 ? ev(node.then) : ev(node.else); // NaN counts as true, as in generated code
      case 'op': {
        const [a, b] = node.args;
        switch (node.op) {
          case '+': return ev(a) + ev(b);
          case '-': return ev(a) - ev(b);
          case '*': return ev(a) * ev(b);
          case '/': return ev(a) / ev(b);
          case '^': return ev(a) ** ev(b);
          case 'neg': return -ev(a);
          case '<': return +(ev(a) < ev(b));
          case '<=': return +(ev(a) <= ev(b));
          case '>': return +(ev(a) > ev(b));
          case '>=': return +(ev(a) >= ev(b));
          case '==': return +(ev(a) === ev(b));
          case '!=': return +(ev(a) !== ev(b));
          case 'and': return +(ev(a) !== 0 && ev(b) !== 0);
          case 'or': return +(ev(a) !== 0 || ev(b) !== 0);
          case 'not': return +(ev(a) === 0);
        }
        throw new Error(`unhandled operator ${(node as { op: string }).op}`);
      }
      case 'root': {
        const at = (n: Node) => (z: number) => evaluate(n, state, new Map(bound).set(node.variable, z));
        return safeguardedNewton(at(node.expr), at(node.slope), ev(node.lower), ev(node.upper), node.increasing);
      }
      case 'expect': {
        const m = node.measure;
        let acc = 0;
        if (m.kind === 'normal') {
          const rule = gaussHermite(m.nodes);
          for (let i = 0; i < rule.nodes.length; i++) {
            acc += rule.weights[i] * evaluate(node.body, state, new Map(bound).set(node.variable, rule.nodes[i]));
          }
        } else if (m.kind === 'normal-interval') {
          const lo = m.lower ? ev(m.lower) : -Infinity;
          const hi = m.upper ? ev(m.upper) : Infinity;
          // Ends fixed for the whole solve get the Gauss rule of the truncated normal, as in generated code.
          const fixed = [m.lower, m.upper].every((n) => n === null || isStatic(n));
          const rule = fixed ? truncatedGaussRule(lo, hi, m.nodes) : truncatedNormalRule(lo, hi, m.nodes);
          for (let i = 0; i < rule.nodes.length; i++) {
            acc += rule.weights[i] * evaluate(node.body, state, new Map(bound).set(node.variable, rule.nodes[i]));
          }
        } else {
          m.values.forEach((v, i) => {
            acc += ev(m.probs[i]) * evaluate(node.body, state, new Map(bound).set(node.variable, v));
          });
        }
        return acc;
      }
    }
  };
  return {
    update(x, out) {
      const s = Float64Array.from(x);
      for (const u of program.updates) s[u.target] = evaluate(u.expr, s, new Map());
      out.set(s);
    },
    observables(x, out) {
      program.observables.forEach((o, i) => { out[i] = evaluate(o.expr, x, new Map()); });
    },
    functions: Object.fromEntries(program.functions.map((f) => [f.name,
      (...args: number[]) => evaluate(f.body, new Float64Array(0), new Map(f.args.map((a, i) => [a, args[i]])))])),
  };
}
