import { isMap, isScalar, parseDocument, type Node as YNode, type Pair, type YAMLMap } from 'yaml';
import type { Issue, IssueCode, Loc } from '../base/issues.ts';
import { didYouMean } from '../base/suggest.ts';
import { nameProblem } from '../base/names.ts';
import type { SectionReader } from './section.ts';
import type { Expr } from './types.ts';

/** YAML syntax errors listed: after the first few, the parser has usually lost its way (a file of garbage
 * would otherwise list one error per token, hundreds of thousands of them). */
const MAX_YAML_ERRORS = 20;
/** The most Gauss-Hermite nodes a variable may ask for. */
export const MAX_NODES = 400;

/**
 * A model file's YAML with its mistakes: every accessor checks the shape of what it reads and records an Issue,
 * located at the token, when it is wrong (it never throws). Shared by the reader's steps (read.ts) and lent to the
 * grammars of registered sections (model/section.ts).
 */
export class YamlReader implements SectionReader {
  readonly issues: Issue[] = [];
  /** The start of each line, counted in the text itself: the parser's LineCounter misses the line breaks inside
   * tokens it could not read (after a stray `]`, a block scalar's lines), and its positions then run past their line. */
  private readonly starts: number[] = [0];

  constructor(readonly text: string, readonly file: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  at(offset: number): Loc {
    let lo = 0;
    for (let hi = this.starts.length - 1; lo < hi;) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, col: offset - this.starts[lo] + 1 };
  }

  locOf(n: unknown): Loc {
    return this.at((n as YNode | null | undefined)?.range?.[0] ?? 0);
  }

  add(code: IssueCode, where: Loc, message: string, symbol?: string, hint?: string): void {
    this.issues.push({ code, ...where, message, ...(symbol !== undefined && { symbol }), ...(hint && { hint }) });
  }

  /** The document's root mapping, or undefined (with its syntax errors recorded). */
  root(): YAMLMap | undefined {
    const { text } = this;
    // The parser makes an Error for each mistake, with a stack trace that no one reads: in a file of garbage tokens
    // (one mistake each, hundreds of thousands) capturing them took two thirds of the time.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let doc: ReturnType<typeof parseDocument>;
    try {
      doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    const lines = text.split('\n');
    for (const e of doc.errors.slice(0, MAX_YAML_ERRORS)) {
      const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      // Point at the offending token, not at the indentation before it.
      let pos = e.pos[0];
      while (text[pos] === ' ' || text[pos] === '\t') pos++;
      if (e.code === 'DUPLICATE_KEY') {
        const word = /[^\s:,{}[\]]+/y;
        word.lastIndex = pos;
        const key = word.exec(text)?.[0];
        this.add('duplicate-name', this.at(pos), key ? `\`${key}\` appears twice in the same mapping` : msg, key,
          'each key may appear once in a mapping: remove or rename one of them');
      } else {
        const line = lines[this.at(pos).line - 1] ?? '';
        // `a ? b : c` unquoted reads as a nested YAML mapping: the commonest way to break a model file.
        const hint = /:\s.*\?.*:\s/.test(line)
          ? 'an expression that contains `: ` (as in a ? b : c) must be quoted: x: "a > 0 ? a : 0"'
          : 'check indentation, colons and matching brackets/quotes';
        this.add('yaml-syntax', this.at(pos), msg, undefined, hint);
      }
    }
    if (doc.errors.length > MAX_YAML_ERRORS) {
      this.add('yaml-syntax', this.at(doc.errors[MAX_YAML_ERRORS].pos[0]), `and ${doc.errors.length - MAX_YAML_ERRORS} more YAML syntax errors from here on (not listed)`,
        undefined, 'fix the first ones: the parser has often lost its way after them');
    }
    if (doc.errors.length > 0) return undefined;
    if (!isMap(doc.contents)) {
      this.add('yaml-syntax', this.locOf(doc.contents), 'a model file is a YAML mapping of sections (name, params, order_params, updates, ...)');
      return undefined;
    }
    return doc.contents as YAMLMap;
  }

  exprOf(n: unknown, what: string): Expr | undefined {
    // booleans too: `true` is the catch-all condition of a region
    if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number' || typeof n.value === 'boolean')) {
      const r = n.range ?? [0, 0, 0];
      return { text: String(n.value), loc: this.at(r[0]), raw: this.text.slice(r[0], r[1]) };
    }
    this.add('bad-value', this.locOf(n), `${what} must be an expression (a string or a number)`);
    return undefined;
  }

  numOf(n: unknown, what: string): number | undefined {
    if (isScalar(n) && typeof n.value === 'number') return n.value;
    this.add('bad-value', this.locOf(n), `${what} must be a number`, undefined,
      isScalar(n) && typeof n.value === 'string' ? `got "${n.value}"; write a plain number such as 0.5 or 1e-3` : undefined);
    return undefined;
  }

  /** A number that must be finite (a default, a start value, a value of a discrete law). */
  finiteOf(n: unknown, what: string): number | undefined {
    const v = this.numOf(n, what);
    if (v !== undefined && !Number.isFinite(v)) {
      this.add('bad-value', this.locOf(n), `${what} must be a finite number, got ${v}`);
      return undefined;
    }
    return v;
  }

  strOf(n: unknown, what: string): string | undefined {
    if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number')) return String(n.value);
    this.add('bad-value', this.locOf(n), `${what} must be text`);
    return undefined;
  }

  nodesOf(n: unknown, what: string): number | undefined {
    const v = this.numOf(n, what);
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || v < 1 || v > MAX_NODES) {
      this.add('bad-nodes', this.locOf(n), `${what} must be an integer between 1 and ${MAX_NODES}, got ${v}`);
      return undefined;
    }
    return v;
  }

  pairs(n: unknown, what: string): Pair<unknown, unknown>[] {
    if (n === null || n === undefined || (isScalar(n) && n.value === null)) return [];
    if (isMap(n)) return n.items as Pair<unknown, unknown>[];
    this.add('bad-value', this.locOf(n), `${what} must be a mapping of names to entries`);
    return [];
  }

  keyOf(p: Pair<unknown, unknown>): { name: string; loc: Loc } {
    const k = p.key as YNode;
    return { name: isScalar(k) ? String(k.value) : '?', loc: this.locOf(k) };
  }

  /** A declared name must be an identifier and not reserved (names never become code; they become columns). */
  declared(name: string, loc: Loc, what: string): void {
    const p = nameProblem(name, what);
    if (p) this.add('bad-name', loc, p.message, name, p.hint);
  }

  /** Reads a mapping of options, reporting keys outside `allowed`. */
  options(n: unknown, allowed: readonly string[], what: string): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const p of this.pairs(n, what)) {
      const { name, loc } = this.keyOf(p);
      if (!allowed.includes(name)) {
        this.add('unknown-key', loc, `unknown key in ${what}`, name, didYouMean(name, allowed) ?? `allowed keys: ${allowed.join(', ')}`);
      } else out.set(name, p.value);
    }
    return out;
  }

  /** Shared by params and order parameters: optional bounds that must be ordered, and a doc string. */
  bounds(o: Map<string, unknown>, what: string): { min?: number; max?: number; doc?: string } {
    const min = o.has('min') ? this.numOf(o.get('min'), `${what}.min`) : undefined;
    const max = o.has('max') ? this.numOf(o.get('max'), `${what}.max`) : undefined;
    if (min !== undefined && max !== undefined && min > max) {
      this.add('bad-value', this.locOf(o.get('min')), `${what}: min (${min}) is above max (${max})`);
    }
    const doc = o.has('doc') ? this.strOf(o.get('doc'), `${what}.doc`) : undefined;
    return { ...(min !== undefined && { min }), ...(max !== undefined && { max }), ...(doc !== undefined && { doc }) };
  }
}
