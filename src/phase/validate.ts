import { nonFiniteAsText } from '../io/json.ts';
import { STATUSES, type Status } from '../solve/solution.ts';
import type { PhaseRecord } from './compute.ts';
import type { PhaseHeader } from './store.ts';
import { cellKey, lineKey, parseShardName, shardKeys } from './tasks.ts';

/**
 * What a line of a phase file must be to be kept: a record of the computation its header names, of a key the
 * run (or the shard) computes, with the fields and types saddle writes, in the text saddle writes. A phase file
 * is data that travels (copied, concatenated, edited, cut by a kill or a full disk); anything else in it is
 * dropped and recomputed, never kept and never a crash.
 */

/** A line of a phase file that was not kept, and why: data, for the caller to print. */
export interface PhaseWarning {
  readonly file: string;
  /** 1-based line number in the file. */
  readonly line: number;
  /**
   * corrupt: not a record of this computation, or not as saddle writes it; cut: the last line, cut short (a run
   * interrupted while writing it); duplicate: a second, identical record of a key; conflict: a second record of
   * a key that differs from the first.
   */
  readonly kind: 'corrupt' | 'cut' | 'duplicate' | 'conflict';
  /** Why the line is not kept, e.g. `not JSON`, `cell (3, 0) is outside the 3 x 4 grid`. */
  readonly reason: string;
  /** What was done with it, and why: the text printed after `FILE:LINE: `. */
  readonly message: string;
}

export const formatWarning = (w: PhaseWarning): string => `${w.file}:${w.line}: ${w.message}`;

const revive = (_k: string, v: unknown) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

/** Parses a line of a phase file (non-finite numbers are written as the strings "NaN", "Infinity", "-Infinity"). */
export function parseJsonLine(line: string): unknown {
  return JSON.parse(line, revive);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A name read from the file, quoted and escaped (no control character reaches the terminal), and bounded. */
const quote = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);

interface Field { readonly test: (v: unknown) => boolean; readonly what: string }
const NUMBER: Field = { test: (v) => typeof v === 'number', what: 'a number' };
const COUNT: Field = { test: (v) => Number.isSafeInteger(v) && (v as number) >= 0, what: 'a non-negative integer' };
const STRING: Field = { test: (v) => typeof v === 'string', what: 'a string' };
const BOOLEAN: Field = { test: (v) => typeof v === 'boolean', what: 'true or false' };
const LIST: Field = { test: Array.isArray, what: 'a list' };
const NUMBERS: Field = { test: (v) => isObject(v) && Object.values(v).every((n) => typeof n === 'number'), what: 'an object of numbers' };
const PAIR: Field = { test: (v) => Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number'), what: 'two numbers' };
const STATUS: Field = { test: (v) => STATUSES.includes(v as Status), what: `a status (${STATUSES.join(', ')})` };
const NAME_OR_NULL: Field = { test: (v) => v === null || typeof v === 'string', what: 'a start or null' };
const exactly = (value: string): Field => ({ test: (v) => v === value, what: JSON.stringify(value) });

/** The first field of `o` that is missing, unexpected or of the wrong type; undefined when all are right. */
function checkFields(o: Json, required: Readonly<Record<string, Field>>, optional: Readonly<Record<string, Field>> = {}): string | undefined {
  for (const [name, f] of Object.entries(required)) {
    if (!Object.hasOwn(o, name)) return `no field \`${name}\``;
    if (!f.test(o[name])) return `\`${name}\` is not ${f.what}`;
  }
  for (const [name, v] of Object.entries(o)) {
    if (Object.hasOwn(required, name)) continue;
    if (!Object.hasOwn(optional, name)) return `an unexpected field ${quote(name)}`;
    if (!optional[name].test(v)) return `\`${name}\` is not ${optional[name].what}`;
  }
  return undefined;
}

const CELL = { type: exactly('cell'), i: COUNT, j: COUNT, x: NUMBER, y: NUMBER, branches: LIST, selected: NAME_OR_NULL };
const BRANCH = { init: STRING, status: STATUS, iterations: COUNT, residual: NUMBER, state: NUMBERS, observables: NUMBERS };
const LINE_POINT = {
  type: exactly('line'), line: STRING, k: COUNT, x: NUMBER, threshold: NUMBER, bracket: PAIR, tolerance: NUMBER, evaluations: COUNT, found: BOOLEAN,
};
const MESSAGE = { message: STRING };

/** A line's verdict: its key and record, or why it is not a record of this computation. */
export type RecordCheck = { readonly key: string; readonly record: PhaseRecord } | { readonly reason: string };

/** The check of the lines of a phase file with this header: every field, and a key inside the grid, lines and shard. */
export function recordChecker(header: PhaseHeader): (row: string) => RecordCheck {
  const { spec } = header;
  const nx = spec.x.values.length;
  const ny = spec.y.values.length;
  const lines = spec.lines.map((l) => l.name);
  const mine = shardKeys(spec, header.shard === undefined ? undefined : parseShardName(header.shard));

  const cell = (o: Json): string | undefined => {
    const bad = checkFields(o, CELL);
    if (bad) return bad;
    const { i, j } = o as { i: number; j: number };
    if (i >= nx || j >= ny) return `cell (${i}, ${j}) is outside the ${nx} x ${ny} grid`;
    if (o.x !== spec.x.values[i] || o.y !== spec.y.values[j]) return `its x, y are not those of cell (${i}, ${j})`;
    const branches = o.branches as unknown[];
    if (branches.length !== spec.inits.length) return `${branches.length} branches, not one per start (${spec.inits.join(', ')})`;
    for (const [n, b] of branches.entries()) {
      if (!isObject(b)) return `branch ${n + 1} is not an object`;
      const wrong = checkFields(b, BRANCH, MESSAGE);
      if (wrong) return `branch ${n + 1}: ${wrong}`;
      if (b.init !== spec.inits[n]) return `branch ${n + 1} is from ${quote(b.init as string)}, not \`${spec.inits[n]}\``;
    }
    const converged = (branches as Json[]).filter((b) => b.status === 'converged').map((b) => b.init);
    if (o.selected === null ? converged.length > 0 : !converged.includes(o.selected)) return '`selected` is not one of its converged branches';
    return undefined;
  };

  const point = (o: Json): string | undefined => {
    const bad = checkFields(o, LINE_POINT, MESSAGE);
    if (bad) return bad;
    const { line, k } = o as { line: string; k: number };
    if (!lines.includes(line)) return `a point of line ${quote(line)}, not a line of this diagram (${lines.join(', ') || 'none'})`;
    if (k >= nx) return `point ${k} of line ${line} is outside the ${nx} values of ${spec.x.name}`;
    if (o.x !== spec.x.values[k]) return `its x is not that of point ${k}`;
    if (o.found && !Number.isFinite(o.threshold)) return 'found, but its threshold is not a number';
    return undefined;
  };

  return (row) => {
    let value: unknown;
    try {
      value = parseJsonLine(row);
    } catch {
      return { reason: row.trim() === '' ? 'an empty line' : 'not JSON' };
    }
    if (!isObject(value)) return { reason: 'not a record (not a JSON object)' };
    const reason = value.type === 'cell' ? cell(value) : value.type === 'line' ? point(value) : 'not a record (no `type` "cell" or "line")';
    if (reason) return { reason };
    const record = value as unknown as PhaseRecord;
    const key = record.type === 'cell' ? cellKey(record.i, record.j) : lineKey(record.line, record.k);
    if (!mine.has(key)) return { reason: `${describeKey(record)} is computed by another shard than ${header.shard}` };
    // What is kept is the text saddle writes: a resumed file is then the same bytes as an uninterrupted run's.
    if (JSON.stringify(value, nonFiniteAsText) !== row) return { reason: 'its text is not as saddle writes it (spacing, field order or number format)' };
    return { key, record };
  };
}

const describeKey = (r: PhaseRecord) => (r.type === 'cell' ? `cell (${r.i}, ${r.j})` : `point ${r.k} of line ${r.line}`);

/** The valid records of a file's lines after its header, by key, each once, in file order; and the lines not kept. */
export interface CheckedRows {
  readonly rows: Map<string, string>;
  readonly warnings: PhaseWarning[];
}

/**
 * Checks the lines after the header of phase file `file` (line 2 on; `\r` already stripped) and `tail`, the text
 * after its last newline: a record cut by a kill, or a last line whose newline was lost (kept when it is whole).
 * Of two records of one key the first is kept.
 */
export function checkRows(file: string, header: PhaseHeader, lines: readonly string[], tail: string): CheckedRows {
  const check = recordChecker(header);
  const rows = new Map<string, string>();
  const at = new Map<string, number>();
  const warnings: PhaseWarning[] = [];
  const take = (row: string, line: number, cut: boolean) => {
    const c = check(row);
    if ('reason' in c) {
      warnings.push(cut
        ? { file, line, kind: 'cut', reason: 'a record cut short (a run interrupted while writing it)', message: 'record cut short (a run interrupted while writing it) dropped, recomputed' }
        : { file, line, kind: 'corrupt', reason: c.reason, message: `corrupt record dropped, recomputed (${c.reason})` });
      return;
    }
    const first = at.get(c.key);
    const what = describeKey(c.record);
    if (first === undefined) {
      rows.set(c.key, row);
      at.set(c.key, line);
    } else if (rows.get(c.key) === row) {
      warnings.push({ file, line, kind: 'duplicate', reason: `a duplicate of line ${first} (${what})`, message: `duplicate of line ${first} (${what}) dropped; line ${first} kept` });
    } else {
      warnings.push({
        file, line, kind: 'conflict', reason: `a second record of ${what}, different from line ${first}`,
        message: `second record of ${what}, different from line ${first}, dropped; line ${first} kept`,
      });
    }
  };
  lines.forEach((row, n) => take(row, n + 2, false));
  if (tail !== '') take(tail, lines.length + 2, true);
  return { rows, warnings };
}

/** Why `value` is not a phase file's header that records can be checked against; undefined when it is one. */
export function checkHeader(value: unknown): string | undefined {
  if (!isObject(value) || value.format !== 'saddle-phase') return 'not a phase file written by `saddle phase`';
  if (value.version !== 1) return `a phase file of version ${JSON.stringify(value.version)}, not 1`;
  const spec = value.spec;
  if (!isObject(spec)) return 'its header has no spec';
  for (const a of ['x', 'y'] as const) {
    const axis = spec[a];
    if (!isObject(axis) || typeof axis.name !== 'string' || !Array.isArray(axis.values) || axis.values.length === 0
      || !axis.values.every((v) => Number.isFinite(v))) return `its header's ${a} axis is not valid`;
  }
  if (!Array.isArray(spec.inits) || !spec.inits.every((s) => typeof s === 'string')) return "its header's starts are not valid";
  if (!Array.isArray(spec.lines) || !spec.lines.every((l) => isObject(l) && typeof l.name === 'string')) return "its header's lines are not valid";
  if (value.shard !== undefined && (typeof value.shard !== 'string' || !parseShardName(value.shard))) return "its header's shard is not K/N";
  return undefined;
}
