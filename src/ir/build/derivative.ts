import { didYouMean } from '../../base/suggest.ts';
import { derive, type Wrt } from '../derive.ts';
import { locateToken } from '../locate.ts';
import { treeSize, type Node } from '../nodes.ts';
import { NAN, type BuildContext, type Scope } from './context.ts';
import { conv } from './convert.ts';
import { MAX_SIZE } from './limits.ts';
import type { Ast } from './parse.ts';
import { visibleNames } from './symbols.ts';

/** D(expr, x): the symbolic derivative of expr with respect to x (a function argument, an integration
 * variable, an order parameter or a parameter), e.g. gout(y, w, V): D(logZout(y, w, V), w). */
export function derivative(cx: BuildContext, ast: Ast, scope: Scope): Node {
  const { add } = cx;
  const args = ast.args ?? [];
  const here = locateToken(scope.expr, 'D');
  if (args.length !== 2 || args[1].type !== 'SymbolNode') {
    add('wrong-arity', here, 'D takes an expression and a variable name', 'D', 'write D(expression, x), e.g. D(logH(-y * w / sqrt(V)), w)');
    return NAN;
  }
  const x = args[1].name!;
  const wrt: Wrt | undefined = scope.bound.has(x) ? { kind: 'bound', name: x }
    : cx.stateIx.has(x) ? { kind: 'state', name: x } : cx.paramIx.has(x) ? { kind: 'param', name: x } : undefined;
  if (!wrt) {
    add('unknown-symbol', locateToken(scope.expr, x, 1), `D(..., ${x}): \`${x}\` is not a variable here`, x,
      cx.defs.has(x) ? `\`${x}\` is a definition (an abbreviation): differentiate inside a function that takes it as an argument, e.g. g(${x}): D(f(${x}), ${x})`
        : didYouMean(x, visibleNames(cx, scope)) ?? 'differentiate with respect to a function argument, an integration variable, an order parameter or a parameter');
    return NAN;
  }
  const body = conv(cx, args[0], scope);
  if (cx.aborted) return NAN;
  try {
    const d = derive(body, wrt, cx.converted);
    // D(D(D(...))) grows geometrically: stop at the first derivative too large, before the next one is taken
    if (treeSize(d, [...cx.converted.values()], MAX_SIZE) === Infinity) {
      cx.aborted = true;
      add('too-complex', here, `the derivative grows beyond ${MAX_SIZE} nodes`, 'D', 'take fewer derivatives of derivatives, or write the derivative out');
      return NAN;
    }
    return d;
  } catch (e) {
    add('unknown-function', here, `D(...) cannot differentiate here: ${(e as Error).message.replace(/^derive: /, '')}`, 'D',
      'a function used inside D must be declared before the function that uses D');
    return NAN;
  }
}
