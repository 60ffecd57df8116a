import type { Loc } from '../../base/issues.ts';
import { didYouMean } from '../../base/suggest.ts';
import type { Expr } from '../../model/types.ts';
import { BUILTINS, CONSTANTS } from '../builtins.ts';
import { locateToken } from '../locate.ts';
import type { Node } from '../nodes.ts';
import { NAN, type BuildContext, type Scope } from './context.ts';
import { conv } from './convert.ts';
import { MAX_SIZE } from './limits.ts';
import { parseExpr } from './parse.ts';

/** The names an expression may use where it is read (for did-you-mean). */
export const visibleNames = (cx: BuildContext, scope: Scope): string[] => [
  ...scope.bound, ...cx.stateIx.keys(), ...cx.paramIx.keys(), ...cx.defs.keys(), ...Object.keys(CONSTANTS), ...cx.variables.keys(),
];

/**
 * What a name means where it is read: a bound variable, an order parameter, a parameter, a definition (inlined:
 * definitions are macros), a constant; or a located mistake.
 */
export function symbol(cx: BuildContext, name: string, scope: Scope): Node {
  const { add, stateIx, paramIx } = cx;
  const here = () => locateToken(scope.expr, name); // only for an issue: a long expression has many symbols
  if (scope.bound.has(name)) return { kind: 'bound', name };
  if (stateIx.has(name)) {
    if (scope.inFunction !== undefined) {
      add('state-in-function', here(), `function \`${scope.inFunction}\` reads the order parameter \`${name}\``, name,
        `functions see only their arguments and the parameters: add \`${name}\` as an argument`);
      return NAN;
    }
    return { kind: 'state', name, index: stateIx.get(name)! };
  }
  if (paramIx.has(name)) return { kind: 'param', name, index: paramIx.get(name)! };
  const def = cx.defs.get(name);
  if (def) return definition(cx, name, def.expr, def.loc, scope);
  if (cx.variables.has(name)) {
    if (scope.freeVariablesOk) return { kind: 'bound', name };
    add('variable-outside-expectation', here(), `the random variable \`${name}\` is used outside an expectation over it`, name,
      `wrap the expression that uses it in E(${name}, ...)`);
    return NAN;
  }
  if (Object.hasOwn(CONSTANTS, name)) return { kind: 'num', value: CONSTANTS[name] };
  if (cx.funcs.has(name) || Object.hasOwn(BUILTINS, name)) {
    add('unknown-symbol', here(), `\`${name}\` is a function, used here as a value`, name, `call it: ${name}(...)`);
    return NAN;
  }
  add('unknown-symbol', here(), `unknown symbol \`${name}\``, name,
    () => didYouMean(name, visibleNames(cx, scope)) ?? 'declare it under params, order_params, variables or definitions');
  return NAN;
}

/** A use of a definition: its expression read where it is used (remembered in `definitionUses`, for printers). */
function definition(cx: BuildContext, name: string, expr: Expr, loc: Loc, scope: Scope): Node {
  if (cx.cyclic.has(name)) return NAN; // reported where the cycle was found: not walked around again
  if (scope.defStack.includes(name)) {
    const members = scope.defStack.slice(scope.defStack.indexOf(name));
    members.forEach((m) => cx.cyclic.add(m));
    cx.add('cyclic-definition', loc, `definitions refer to each other in a cycle: ${[...members, name].join(' -> ')}`, name,
      'a definition may use only definitions that do not lead back to it');
    return NAN;
  }
  const ast = parseExpr(cx, expr);
  const bound = scope.args ? new Set([...scope.bound].filter((b) => !scope.args!.has(b))) : scope.bound;
  if (!ast) return NAN;
  // A definition known to be larger than what is left of the budget is not inlined again to find out.
  const known = cx.defSizes.get(name) ?? 0;
  if (cx.budget + known > MAX_SIZE) cx.budget = MAX_SIZE;
  const before = cx.budget;
  const node = conv(cx, ast, { ...scope, bound, args: new Set(), expr, defStack: [...scope.defStack, name], seenE: { n: 0 } });
  if (!cx.aborted || cx.budget > MAX_SIZE) cx.defSizes.set(name, Math.max(known, cx.budget - before));
  cx.definitionUses.set(node, name);
  return node;
}
