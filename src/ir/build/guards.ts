import type { Expr } from '../../model/types.ts';
import { NEWTON_MAX_ITERATIONS } from '../../numerics/roots.ts';
import { measureKind } from '../measures/index.ts';
import { children, treeSize, type Node, type UserFunction } from '../nodes.ts';
import type { BuildContext } from './context.ts';
import { MAX_EVALUATIONS, MAX_SIZE } from './limits.ts';

/**
 * What code generation will walk, bounded: every expression with its functions inlined and derivatives taken,
 * unrolled where a measure's sum is unrolled, and the work of its nested expectations per sweep. `sized` pairs
 * each expression of the file with its IR (every function's body too: each is compiled, for GAMP, even when no
 * update calls it).
 */
export function checkSizes(cx: BuildContext, sized: readonly (readonly [Expr, Node | undefined])[], functions: readonly UserFunction[]): void {
  for (const [expr, node] of sized) {
    if (node && treeSize(node, functions, MAX_SIZE) === Infinity) {
      cx.add('too-complex', expr.loc, `the expression grows beyond ${MAX_SIZE} nodes once its functions are inlined and its derivatives taken`,
        undefined, 'a function that calls another several times, or D(...) of D(...), multiplies the size: write the derivative out, or simplify');
    } else if (node && unrolledSize(node, functions, MAX_SIZE) === Infinity) {
      cx.add('too-complex', expr.loc, `the expression grows beyond ${MAX_SIZE} nodes of code once its discrete expectations are unrolled (a copy of the body per value; nested ones multiply)`,
        undefined, 'nest fewer discrete variables, or integrate a variable of many values as a normal variable');
    } else if (node && evaluations(node, functions) > MAX_EVALUATIONS) {
      cx.add('too-complex', expr.loc, `nested expectations evaluate their innermost body more than ${MAX_EVALUATIONS.toExponential()} times per sweep (the product of their node counts)`,
        undefined, 'nest fewer expectations or give them fewer nodes: 400 x 400 x 400 nodes is 6.4e7 evaluations, each sweep');
    }
  }
}

/**
 * The size of `node` as generated code, or Infinity beyond `limit`: an expectation holds as many copies of its
 * body as its measure's code does (one per value of a discrete sum, which is unrolled; one for a loop), and a
 * call is its function's body (each argument counted once: treeSize bounds what inlining copies).
 */
export function unrolledSize(node: Node, functions: readonly UserFunction[], limit: number): number {
  const byName = new Map(functions.map((f) => [f.name, f]));
  const memo = new Map<Node, number>();
  const bodies = new Map<string, number>();
  const size = (n: Node): number => {
    const known = memo.get(n);
    if (known !== undefined) return known;
    let total = 1;
    if (n.kind === 'expect') {
      const kind = measureKind(n.measure);
      total += kind.nodes(n.measure).reduce((a, p) => a + size(p), 0) + kind.copies(n.measure) * size(n.body);
    } else for (const c of children(n)) total += size(c);
    if (n.kind === 'apply') {
      const f = byName.get(n.fn);
      if (f && !bodies.has(f.name)) bodies.set(f.name, size(f.body));
      total += bodies.get(n.fn) ?? 0;
    }
    const out = total > limit ? Infinity : total;
    memo.set(n, out);
    return out;
  };
  return size(node);
}

/**
 * How often the innermost body of `node` is evaluated, at most, per evaluation of `node`: the product of the
 * numbers of points of nested expectations' measures (node counts, numbers of values), and of the Newton budget
 * of nested inner problems.
 */
export function evaluations(node: Node, functions: readonly UserFunction[]): number {
  const byName = new Map(functions.map((f) => [f.name, f]));
  const memo = new Map<Node, number>();
  const bodies = new Map<string, number>();
  const count = (n: Node): number => {
    const known = memo.get(n);
    if (known !== undefined) return known;
    let most = 1;
    if (n.kind === 'expect') {
      const m = n.measure;
      const kind = measureKind(m);
      kind.nodes(m).forEach((p) => { most = Math.max(most, count(p)); });
      most = Math.max(most, kind.points(m) * count(n.body));
    } else if (n.kind === 'root') {
      most = Math.max(count(n.lower), count(n.upper), (NEWTON_MAX_ITERATIONS + 2) * Math.max(count(n.expr), count(n.slope)));
    } else for (const c of children(n)) most = Math.max(most, count(c));
    if (n.kind === 'apply') {
      const f = byName.get(n.fn);
      if (f && !bodies.has(f.name)) bodies.set(f.name, count(f.body));
      most = Math.max(most, bodies.get(n.fn) ?? 1);
    }
    memo.set(n, most);
    return most;
  };
  return count(node);
}
