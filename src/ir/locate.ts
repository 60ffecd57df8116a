import type { Loc } from '../model/issues.ts';
import type { Expr } from '../model/types.ts';

const wordAt = (token: string) =>
  new RegExp(`(?<![A-Za-z0-9_])${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`, 'g');

/** The file position of index `i` of `raw`, a scalar's source text starting at `start`. */
function advance(start: Loc, raw: string, i: number): Loc {
  const before = raw.slice(0, i);
  const nl = before.lastIndexOf('\n');
  const lines = before.split('\n').length - 1;
  return { file: start.file, line: start.line + lines, col: nl < 0 ? start.col + i : i - nl };
}

/** Where the k-th occurrence of `token` (a whole word if it is one) sits in the file. */
export function locateToken(expr: Expr, token: string, occurrence = 0): Loc {
  const isWord = /^[A-Za-z_][A-Za-z0-9_]*$/.test(token);
  const find = (s: string): number[] => {
    if (isWord) return [...s.matchAll(wordAt(token))].map((m) => m.index ?? 0);
    const out: number[] = [];
    for (let i = s.indexOf(token); i >= 0; i = s.indexOf(token, i + 1)) out.push(i);
    return out;
  };
  const inRaw = find(expr.raw);
  return inRaw.length > occurrence ? advance(expr.loc, expr.raw, inRaw[occurrence]) : expr.loc;
}

/** Where character `index` of the expression text sits in the file (for parser errors). */
export function locateIndex(expr: Expr, index: number): Loc {
  const direct = expr.raw.indexOf(expr.text);
  if (direct >= 0) return advance(expr.loc, expr.raw, direct + Math.min(index, expr.text.length));
  // Folded or escaped text: find the same short fragment in the source instead.
  const start = Math.max(0, index - 1);
  const frag = expr.text.slice(start, index + 2);
  const before = expr.text.slice(0, start).split(frag).length - 1;
  if (!frag.trim()) return expr.loc;
  const at = locateToken(expr, frag, before);
  // The fragment starts one character before `index`: step onto the character itself.
  return at !== expr.loc && start < index && frag[0] !== '\n' ? { ...at, col: at.col + 1 } : at;
}
