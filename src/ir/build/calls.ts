import { didYouMean } from '../../base/suggest.ts';
import { BUILTINS } from '../builtins.ts';
import { locateToken } from '../locate.ts';
import type { Node } from '../nodes.ts';
import { NAN, type BuildContext, type Scope } from './context.ts';
import { conv } from './convert.ts';
import { derivative } from './derivative.ts';
import { expectation } from './expect.ts';
import { inner, INNER_FORMS } from './inner.ts';
import { integral } from './integral.ts';
import type { Ast } from './parse.ts';

/** A call f(...): E(...), D(...), an inner problem, a user function (`apply`) or a built-in (`call`). */
export function call(cx: BuildContext, ast: Ast, scope: Scope): Node {
  const { add } = cx;
  const fnAst = ast.fn as Ast;
  if (typeof fnAst !== 'object' || fnAst.type !== 'SymbolNode') {
    add('unsupported-syntax', scope.expr.loc, 'only named functions can be called', undefined);
    return NAN;
  }
  const name = fnAst.name!;
  if (name === 'E') return expectation(cx, ast, scope);
  if (name === 'D') return derivative(cx, ast, scope);
  if (name === 'integral') return integral(cx, ast, scope);
  if (Object.hasOwn(INNER_FORMS, name)) return inner(cx, name, ast, scope);
  const args = (ast.args ?? []).map((a) => conv(cx, a, scope));
  const here = () => locateToken(scope.expr, name);
  const user = cx.funcs.get(name);
  if (user) {
    if (args.length !== user.args.length) {
      add('wrong-arity', here(), `\`${name}\` takes ${user.args.length} argument${user.args.length === 1 ? '' : 's'}, got ${args.length}`, name,
        `declared as ${name}(${user.args.join(', ')})`);
      return NAN;
    }
    return { kind: 'apply', fn: name, args };
  }
  const b = Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
  if (b) {
    if (args.length < b.minArgs || args.length > b.maxArgs) {
      const want = b.minArgs === b.maxArgs ? `${b.minArgs}` : b.maxArgs === Infinity ? `at least ${b.minArgs}` : `${b.minArgs} to ${b.maxArgs}`;
      add('wrong-arity', here(), `\`${name}\` takes ${want} argument${want === '1' ? '' : 's'}, got ${args.length}`, name, b.doc);
      return NAN;
    }
    return { kind: 'call', fn: name, args };
  }
  const isValue = cx.stateIx.has(name) || cx.paramIx.has(name) || cx.defs.has(name) || cx.variables.has(name);
  add('unknown-function', here(), isValue ? `\`${name}\` is not a function` : `unknown function \`${name}\``, name,
    isValue ? `write ${name} * (...) to multiply` : () => didYouMean(name, [...cx.funcs.keys(), ...Object.keys(BUILTINS)]) ?? 'declare it under functions, e.g. `f(x): x^2`');
  return NAN;
}
