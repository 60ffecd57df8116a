import type { Expr } from '../../model/types.ts';
import { locateToken } from '../locate.ts';
import type { Node, Op } from '../nodes.ts';
import { call } from './calls.ts';
import { NAN, type BuildContext, type Scope } from './context.ts';
import { CHAIN, MAX_DEPTH, MAX_SIZE, MAX_TOTAL } from './limits.ts';
import { parseExpr, type Ast } from './parse.ts';
import { symbol } from './symbols.ts';

const OPS: Readonly<Record<string, Op | 'pos'>> = {
  add: '+', subtract: '-', multiply: '*', divide: '/', pow: '^', unaryMinus: 'neg', unaryPlus: 'pos',
  smaller: '<', smallerEq: '<=', larger: '>', largerEq: '>=', equal: '==', unequal: '!=',
  and: 'and', or: 'or', not: 'not',
};
/** Where to point for syntax the language does not support (the token that starts it). */
const SYNTAX_TOKEN: Readonly<Record<string, string>> = {
  ArrayNode: '[', AccessorNode: '[', ObjectNode: '{', AssignmentNode: '=', FunctionAssignmentNode: '=', BlockNode: ';',
};

/** A top-level expression of the model (an update, an observable, a function body, a definition on its own) as IR;
 * the guards start afresh for it. */
export function top(cx: BuildContext, expr: Expr, extra: Partial<Scope> = {}): Node {
  const ast = parseExpr(cx, expr);
  cx.level = 0;
  cx.budget = 0;
  cx.aborted = false;
  return ast ? conv(cx, ast, { expr, bound: new Set(), defStack: [], seenE: { n: 0 }, ...extra }) : NAN;
}

/** One syntax node as IR, within the guards of its top-level expression: nesting depth, its node count and the
 * model's (a definition counted at each use). */
export function conv(cx: BuildContext, ast: Ast, scope: Scope): Node {
  if (cx.aborted || cx.total > MAX_TOTAL) return NAN;
  if (++cx.budget > MAX_SIZE || ++cx.total > MAX_TOTAL || cx.level >= MAX_DEPTH) {
    cx.aborted = true;
    cx.add('too-complex', scope.expr.loc, cx.budget > MAX_SIZE
      ? `the expression grows beyond ${MAX_SIZE} nodes once its definitions are inlined`
      : cx.total > MAX_TOTAL ? `the model grows beyond ${MAX_TOTAL} nodes in all once its definitions are inlined at each use`
        : `the expression is nested more than ${MAX_DEPTH} levels deep (brackets, calls, conditionals, definitions inside definitions)`,
    undefined, 'split it into functions (which are not copied at every use) or write it flatter');
    return NAN;
  }
  cx.level++;
  try {
    return convert(cx, ast, scope);
  } finally {
    cx.level--;
  }
}

/** A chain a + b - c + ... (or a * b / c ...) of more than CHAIN terms, read along its left spine without
 * recursion and summed as a balanced tree: a - b - c + d = (a - b) - (c - d). */
function chain(cx: BuildContext, ast: Ast, scope: Scope): Node | undefined {
  const family = (a: Ast) => (a.type !== 'OperatorNode' || a.args?.length !== 2 ? undefined
    : a.fn === 'add' || a.fn === 'subtract' ? '+' : a.fn === 'multiply' || a.fn === 'divide' ? '*' : undefined);
  const fam = family(ast);
  if (fam === undefined) return undefined;
  const terms: { inverse: boolean; ast: Ast }[] = [];
  let head = ast;
  while (family(head) === fam && terms.length <= MAX_SIZE) {
    terms.push({ inverse: head.fn === 'subtract' || head.fn === 'divide', ast: head.args![1] });
    head = head.args![0];
  }
  if (terms.length < CHAIN) return undefined;
  terms.push({ inverse: false, ast: head });
  terms.reverse();
  const items = terms.map((t) => ({ inverse: t.inverse, node: conv(cx, t.ast, scope) }));
  const [plus, minus]: Op[] = fam === '+' ? ['+', '-'] : ['*', '/'];
  const balanced = (xs: readonly { inverse: boolean; node: Node }[]): Node => {
    if (xs.length === 1) return xs[0].node;
    const mid = xs.length >> 1;
    const right = xs.slice(mid);
    const flip = right[0].inverse;
    const r = balanced(flip ? right.map((x) => ({ ...x, inverse: !x.inverse })) : right);
    return { kind: 'op', op: flip ? minus : plus, args: [balanced(xs.slice(0, mid)), r] };
  };
  return balanced(items);
}

function convert(cx: BuildContext, ast: Ast, scope: Scope): Node {
  switch (ast.type) {
    case 'ConstantNode': {
      if (typeof ast.value === 'number') return { kind: 'num', value: ast.value };
      if (typeof ast.value === 'boolean') return { kind: 'num', value: +ast.value }; // as comparisons give
      if (ast.value === undefined && !/[A-Za-z0-9]/.test(scope.expr.text.replace(/#.*/g, ''))) {
        cx.add('expression-syntax', scope.expr.loc, 'the expression is empty', undefined, 'write a formula, e.g. `q: qhat / (1 + qhat)`');
        return NAN;
      }
      if (ast.value === undefined || ast.value === null) {
        const word = String(ast.value);
        cx.add('unsupported-syntax', locateToken(scope.expr, word), `\`${word}\` is not a number`, word,
          'expressions are numeric: numbers, names of the model, operators and function calls');
        return NAN;
      }
      const quoted = scope.expr.raw.includes(`'${ast.value}'`) ? `'${ast.value}'` : JSON.stringify(ast.value);
      cx.add('unsupported-syntax', locateToken(scope.expr, quoted), `only numbers are allowed as constants, got ${JSON.stringify(ast.value)}`,
        undefined, 'expressions are numeric: write numbers without quotes, and no strings');
      return NAN;
    }
    case 'ParenthesisNode':
      return conv(cx, ast.content!, scope);
    case 'SymbolNode':
      return symbol(cx, ast.name!, scope);
    case 'FunctionNode':
      return call(cx, ast, scope);
    case 'ConditionalNode':
      return { kind: 'cond', test: conv(cx, ast.condition!, scope), then: conv(cx, ast.trueExpr!, scope), else: conv(cx, ast.falseExpr!, scope) };
    case 'OperatorNode': {
      const long = chain(cx, ast, scope);
      if (long) return long;
      const op = Object.hasOwn(OPS, ast.fn as string) ? OPS[ast.fn as string] : undefined;
      if (op === undefined) {
        cx.add('unsupported-syntax', locateToken(scope.expr, ast.op ?? ''), `the operator \`${ast.op}\` is not supported`, ast.op,
          'supported: + - * / ^, comparisons, and, or, not, a ? b : c');
        return NAN;
      }
      const args = (ast.args ?? []).map((a) => conv(cx, a, scope));
      return op === 'pos' ? args[0] : { kind: 'op', op, args };
    }
    default:
      cx.add('unsupported-syntax', Object.hasOwn(SYNTAX_TOKEN, ast.type) ? locateToken(scope.expr, SYNTAX_TOKEN[ast.type]) : scope.expr.loc,
        `${ast.type.replace(/Node$/, '').toLowerCase()} syntax is not supported in expressions`,
        undefined, 'expressions are scalar formulas: numbers, names, operators, function calls and E(...)');
      return NAN;
  }
}
