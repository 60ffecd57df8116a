import { locateToken } from '../locate.ts';
import type { Node } from '../nodes.ts';
import { NAN, type BuildContext, type Scope } from './context.ts';
import { conv } from './convert.ts';
import type { Ast } from './parse.ts';

export const INTEGRAL_FORM = 'integral(r, a, b, f) or integral(r, a, b, f, [c1, c2, ...]): int_a^b f dr, by Gauss-Legendre with quadrature.nodes nodes per piece, split at c1, c2, ...';

/**
 * integral(r, a, b, f): the plain integral of f over r from a to b, an expectation over the `interval` measure
 * (measures/interval.ts) with the model's default node count; integral(r, a, b, f, [c1, c2]) sums the pieces
 * a..c1, c1..c2, c2..b, each with that many nodes (split where f has a kink). Split points are clamped into
 * [a, b]; whatever their order the pieces' orientations make the sum the integral from a to b.
 */
export function integral(cx: BuildContext, ast: Ast, scope: Scope): Node {
  const args = ast.args ?? [];
  const here = locateToken(scope.expr, 'integral');
  if (args.length < 4 || args.length > 5 || args[0].type !== 'SymbolNode') {
    cx.add('wrong-arity', here, 'integral takes 4 or 5 arguments, the first a new variable name', 'integral', INTEGRAL_FORM);
    return NAN;
  }
  const r = args[0].name!;
  if (scope.bound.has(r) || cx.stateIx.has(r) || cx.paramIx.has(r) || cx.defs.has(r) || cx.variables.has(r)) {
    cx.add('duplicate-name', locateToken(scope.expr, r), `\`${r}\` is already a name here; the variable of integral must be new`, r, 'e.g. use `r` or `s`');
    return NAN;
  }
  const split = args[4];
  if (split && split.type !== 'ArrayNode') {
    cx.add('unsupported-syntax', here, 'the fifth argument of integral is a list of split points, e.g. [0, 1]', 'integral', INTEGRAL_FORM);
    return NAN;
  }
  const a = conv(cx, args[1], scope);
  const b = conv(cx, args[2], scope);
  const cuts = (split?.items ?? []).map((c) => conv(cx, c, scope));
  const body = conv(cx, args[3], { ...scope, bound: new Set([...scope.bound, r]) });
  if (cx.aborted) return NAN;
  const call = (fn: string, ...xs: Node[]): Node => ({ kind: 'call', fn, args: xs });
  const ends = [a, ...cuts.map((c) => call('min', call('max', c, a), b)), b];
  let sum: Node | undefined;
  for (let k = 1; k < ends.length; k++) {
    const piece: Node = { kind: 'expect', variable: r, measure: { kind: 'interval', nodes: cx.model.nodes, lower: ends[k - 1], upper: ends[k] }, body };
    cx.expectationLocs.set(piece, here);
    sum = sum ? { kind: 'op', op: '+', args: [sum, piece] } : piece;
  }
  return sum!;
}
