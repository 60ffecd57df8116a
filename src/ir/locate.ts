import type { Loc } from '../base/issues.ts';
import type { Expr } from '../model/types.ts';

/** A character of an identifier (a name of 30000 characters is too large for a RegExp: words are found by hand). */
const inWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

/**
 * What locating needs of an expression's source, found once per expression: its line breaks, and where each token
 * occurs. A long expression with a mistake at each of its thousands of terms is then searched once, not once per
 * term. Held as long as the expression is (a WeakMap on it).
 */
interface Index {
  readonly breaks: number[];
  readonly tokens: Map<string, number[]>;
}
const indexes = new WeakMap<Expr, Index>();
function indexOf(expr: Expr): Index {
  let ix = indexes.get(expr);
  if (!ix) {
    const breaks: number[] = [];
    for (let i = expr.raw.indexOf('\n'); i >= 0; i = expr.raw.indexOf('\n', i + 1)) breaks.push(i);
    indexes.set(expr, (ix = { breaks, tokens: new Map() }));
  }
  return ix;
}

/** The file position of index `i` of `expr.raw`, a scalar's source text starting at `expr.loc`. */
function advance(expr: Expr, i: number): Loc {
  const { breaks } = indexOf(expr);
  let lines = 0; // line breaks before i
  for (let hi = breaks.length; lines < hi;) {
    const mid = (lines + hi) >> 1;
    if (breaks[mid] < i) lines = mid + 1; else hi = mid;
  }
  const start = expr.loc;
  return { file: start.file, line: start.line + lines, col: lines === 0 ? start.col + i : i - breaks[lines - 1] };
}

/** Where the k-th occurrence of `token` (a whole word if it is one) sits in the file. */
export function locateToken(expr: Expr, token: string, occurrence = 0): Loc {
  if (token === '') return expr.loc; // an empty token is everywhere: indexOf('', i) never passes the end
  const { tokens } = indexOf(expr);
  let inRaw = tokens.get(token);
  if (!inRaw) {
    const s = expr.raw;
    const word = /^[A-Za-z_][A-Za-z0-9_]*$/.test(token);
    inRaw = [];
    for (let i = s.indexOf(token); i >= 0; i = s.indexOf(token, i + 1)) {
      if (!word || (!inWord(s[i - 1]) && !inWord(s[i + token.length]))) inRaw.push(i);
    }
    tokens.set(token, inRaw);
  }
  return inRaw.length > occurrence ? advance(expr, inRaw[occurrence]) : expr.loc;
}

/** Where character `index` of the expression text sits in the file (for parser errors). */
export function locateIndex(expr: Expr, index: number): Loc {
  const direct = expr.raw.indexOf(expr.text);
  if (direct >= 0) return advance(expr, direct + Math.min(index, expr.text.length));
  // Folded or escaped text: find the same short fragment in the source instead.
  const start = Math.max(0, index - 1);
  const frag = expr.text.slice(start, index + 2);
  const before = expr.text.slice(0, start).split(frag).length - 1;
  if (!frag.trim()) return expr.loc;
  const at = locateToken(expr, frag, before);
  // The fragment starts one character before `index`: step onto the character itself.
  return at !== expr.loc && start < index && frag[0] !== '\n' ? { ...at, col: at.col + 1 } : at;
}
