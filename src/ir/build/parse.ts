import type { Expr } from '../../model/types.ts';
import { locateIndex } from '../locate.ts';
import type { BuildContext } from './context.ts';
import { MAX_DEPTH } from './limits.ts';
import { parse } from '../mathjs.ts';

/** The part of a mathjs AST node we read; mathjs's own types are wider than we need. */
export interface Ast {
  readonly type: string;
  readonly name?: string;
  readonly value?: unknown;
  readonly fn?: Ast | string;
  readonly op?: string;
  readonly args?: readonly Ast[];
  readonly items?: readonly Ast[];
  readonly content?: Ast;
  readonly condition?: Ast;
  readonly trueExpr?: Ast;
  readonly falseExpr?: Ast;
}

/** The syntax tree of an expression text, parsed once; undefined after reporting its syntax error. */
export function parseExpr(cx: BuildContext, expr: Expr): Ast | undefined {
  const { parsed, add } = cx;
  if (parsed.has(expr)) return parsed.get(expr);
  let ast: Ast | undefined;
  try {
    // A newline (from a YAML block scalar) is whitespace here, not mathjs's statement separator;
    // replaced one for one, so the parser's error positions still index expr.text.
    ast = parse(expr.text.replace(/[\r\n]/g, ' ')) as unknown as Ast;
  } catch (e) {
    if (e instanceof RangeError) {
      add('too-complex', expr.loc, `the expression is nested too deeply to be read (more than about ${MAX_DEPTH} levels of brackets, calls or powers)`,
        undefined, 'split it into definitions, or let your computer-algebra system write it flatter');
      parsed.set(expr, undefined);
      return undefined;
    }
    const err = e as Error & { char?: number };
    const msg = err.message.replace(/\s*\(char \d+\)$/, '');
    add('expression-syntax', locateIndex(expr, Math.max(0, (err.char ?? 1) - 1)), `cannot parse \`${expr.text.trim().replace(/\s*\n\s*/g, ' ')}\`: ${msg}`,
      undefined, 'expressions use mathjs syntax: + - * / ^, f(x), a ? b : c, E(xi, ...)');
  }
  parsed.set(expr, ast);
  return ast;
}

const LOWER_THAN = ['smaller', 'smallerEq'];
const GREATER_THAN = ['larger', 'largerEq'];

/** `t > a`, `t < b`, `a < t < b` (or with > and >=) as the first argument of E: a variable and its interval. */
export function intervalOf(a: Ast, isVariable: (name: string) => boolean): { variable: Ast; lower: Ast | null; upper: Ast | null } | undefined {
  const isSym = (x: Ast) => x.type === 'SymbolNode' && isVariable(x.name!);
  if (a.type === 'OperatorNode' && a.args?.length === 2) {
    const [l, r] = a.args;
    const lt = LOWER_THAN.includes(a.fn as string);
    const gt = GREATER_THAN.includes(a.fn as string);
    if (!lt && !gt) return undefined;
    if (isSym(l)) return lt ? { variable: l, lower: null, upper: r } : { variable: l, lower: r, upper: null };
    if (isSym(r)) return lt ? { variable: r, lower: l, upper: null } : { variable: r, lower: null, upper: l };
    return undefined;
  }
  const rel = a as Ast & { conditionals?: string[]; params?: Ast[] };
  if (a.type === 'RelationalNode' && rel.params?.length === 3 && isSym(rel.params[1])) {
    const [lo, v, hi] = rel.params;
    if (rel.conditionals!.every((c) => LOWER_THAN.includes(c))) return { variable: v, lower: lo, upper: hi };
    if (rel.conditionals!.every((c) => GREATER_THAN.includes(c))) return { variable: v, lower: hi, upper: lo };
  }
  return undefined;
}
