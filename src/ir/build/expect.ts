import { didYouMean } from '../../base/suggest.ts';
import { locateToken } from '../locate.ts';
import { declaredLaw, type LawContext } from '../measures/index.ts';
import type { Measure, Node } from '../nodes.ts';
import { NAN, type BuildContext, type Scope } from './context.ts';
import { conv } from './convert.ts';
import { intervalOf, parseExpr, type Ast } from './parse.ts';

/**
 * E(xi, body), E([xi, z], body), E(xi, body, nodes), E(t > a, body), E(a < t < b, body): nested expectations,
 * each over the measure its variable's declared law makes (measures/: `declaredLaw(...).measure`, or
 * `.restrict` for an interval).
 */
export function expectation(cx: BuildContext, ast: Ast, scope: Scope): Node {
  const { add, variables } = cx;
  const args = ast.args ?? [];
  const here = locateToken(scope.expr, 'E', scope.seenE ? scope.seenE.n++ : 0);
  if (args.length < 2 || args.length > 3) {
    add('wrong-arity', here, `E takes 2 or 3 arguments, got ${args.length}`, 'E', 'write E(xi, body), E([xi, z], body) or E(xi, body, nodes)');
    return NAN;
  }
  const interval = intervalOf(args[0], (n) => variables.has(n));
  const head = interval ? [interval.variable] : args[0].type === 'ArrayNode' ? (args[0].items ?? []) : [args[0]];
  const names: string[] = [];
  for (const h of head) {
    if (h.type !== 'SymbolNode') {
      add('unsupported-syntax', here, 'the first argument of E is a variable, a list of variables, or an interval of a declared normal variable', 'E', 'e.g. E(xi, ...), E([xi, z], ...), E(t > -kappa, ...) or E(a < t < b, ...)');
      return NAN;
    }
    const v = h.name!;
    if (!variables.has(v)) {
      add('undeclared-variable', locateToken(scope.expr, v), `expectation over \`${v}\`, which is not declared under variables`, v,
        didYouMean(v, variables.keys()) ?? `declare it: variables: {${v}: normal}`);
      return NAN;
    }
    if (scope.bound.has(v) || names.includes(v)) {
      add('bad-value', locateToken(scope.expr, v), `\`${v}\` is already integrated over here`, v, 'use another variable for the inner expectation');
      return NAN;
    }
    names.push(v);
  }
  let nodesOverride: number | undefined;
  if (args.length === 3) {
    const n = args[2];
    const v = n.type === 'ConstantNode' ? Number(n.value) : NaN;
    if (!(Number.isInteger(v) && v >= 1 && v <= 400)) {
      add('bad-nodes', here, 'the node count (third argument of E) must be an integer between 1 and 400', 'E');
      return NAN;
    }
    nodesOverride = v;
  }
  const inner: Scope = { ...scope, bound: new Set([...scope.bound, ...names]) };
  let node = conv(cx, args[1], inner);
  for (let k = names.length - 1; k >= 0; k--) {
    const decl = variables.get(names[k])!;
    const outer: Scope = { ...scope, bound: new Set([...scope.bound, ...names.slice(0, k)]) };
    const law = declaredLaw(decl.law.kind);
    // What the law needs to make its measure: expressions (probabilities) are read outside this expectation.
    const context: LawContext = {
      ...(nodesOverride !== undefined && { nodes: nodesOverride }),
      defaultNodes: cx.model.nodes,
      expr: (p) => { const a = parseExpr(cx, p); return a ? conv(cx, a, { ...outer, expr: p, seenE: { n: 0 } }) : NAN; },
      uniform: (n) => uniformProbs(cx, names[k], n),
    };
    let measure: Measure;
    if (interval) {
      if (!law.restrict) {
        add('bad-value', locateToken(scope.expr, names[k]), `\`${names[k]}\` is ${decl.law.kind}: an interval restricts a normal variable`, names[k], 'write E(t > a, ...) with t declared `normal`');
        return NAN;
      }
      const limit = (a: Ast | null) => (a ? conv(cx, a, outer) : null);
      measure = law.restrict(decl.law, limit(interval.lower), limit(interval.upper), context);
    } else measure = law.measure(decl.law, context);
    node = { kind: 'expect', variable: names[k], measure, body: node };
    cx.expectationLocs.set(node, here);
  }
  return node;
}

/** The probabilities 1/n of a discrete variable without `probs`, made once per variable (BuildContext.uniform). */
function uniformProbs(cx: BuildContext, variable: string, n: number): Node[] {
  let ps = cx.uniform.get(variable);
  if (!ps) cx.uniform.set(variable, (ps = Array.from({ length: n }, (): Node => ({ kind: 'num', value: 1 / n }))));
  return ps;
}
