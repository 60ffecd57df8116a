import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../base/errors.ts';
import { ioError, readTextBounded, writeFileAtomic, writeText } from '../io/files.ts';
import { nonFiniteAsText } from '../io/json.ts';
import type { DataFile } from '../ir/data-files.ts';
import type { PhaseRecord } from './compute.ts';
import type { PhaseSpec } from './spec.ts';
import { recordKey } from './tasks.ts';
import { checkHeader, checkRows, parseJsonLine, type PhaseWarning } from './validate.ts';

/** The first line of a phase file: what was computed. Two runs with equal headers compute equal records. */
export interface PhaseHeader {
  readonly format: 'saddle-phase';
  readonly version: 1;
  readonly model: string;
  /** sha256 of the model file's text: a changed model is a different computation. */
  readonly model_sha256: string;
  /** The data files the model reads (empirical spectra) with their sha256; absent when it reads none. */
  readonly data_sha256?: readonly DataFile[];
  readonly spec: Omit<PhaseSpec, 'file'>;
  /** `K/N` for one part of a sharded run; absent for a whole run and for the merge of all parts. */
  readonly shard?: string;
}

/** Parses a line of a phase file written by saddle (the caller has checked it: see `recordChecker`). */
export function parseRecord(line: string): PhaseRecord {
  return parseJsonLine(line) as PhaseRecord;
}

/**
 * A phase file's text as lines, each without its line ending (`\n`, or `\r\n` from a file that went through
 * Windows), and `tail`: the text after the last newline (empty, or a line cut by a kill).
 */
export function phaseLines(text: string): { lines: string[]; tail: string } {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const tail = lines.pop()!;
  return { lines, tail };
}

/**
 * A phase diagram on disk, as JSON lines: the header, then one record per cell or line point, appended as each
 * finishes (one write per record, so a kill loses at most the line being written, which the next open drops).
 * `finish` rewrites the file in canonical order (header, cells by (i, j), line points by line and k), so that
 * a run, a resumed run and a merge of shards give the same bytes.
 */
export class PhaseStore {
  private fd: number | undefined;

  private constructor(readonly file: string, readonly header: PhaseHeader, private readonly lines: Map<string, string>,
    /** The lines of the file that were not kept when it was opened, and why. */
    readonly warnings: readonly PhaseWarning[]) {}

  /**
   * Opens `file` for `header`: resumes it when it holds the same computation, refuses when it holds another.
   * Every line after the header is checked (`checkRows`); a line that is not a record this run computes
   * (garbled, foreign, of another shard, cut by a kill) or that repeats a key is dropped, said in `warnings`,
   * and the file rewritten at once without it: its record is computed again, and nothing but valid records is
   * ever kept.
   */
  static open(file: string, header: PhaseHeader): PhaseStore {
    const head = JSON.stringify(header);
    if (!existsSync(file)) {
      writeText(file, `${head}\n`);
      return new PhaseStore(file, header, new Map(), []).append();
    }
    const text = readText(file);
    const { lines, tail } = phaseLines(text);
    if (lines.length === 0) {
      // An empty file, or a header cut by a kill: start over. Anything else is someone's file, not ours to erase.
      if (!head.startsWith(tail)) refuse(file, tail);
      writeText(file, `${head}\n`);
      return new PhaseStore(file, header, new Map(), []).append();
    }
    if (lines[0] !== head) refuse(file, lines[0]);
    const { rows, warnings } = checkRows(file, header, lines.slice(1), tail);
    if ([head, ...rows.values()].map((l) => `${l}\n`).join('') !== text) writePhaseFile(file, header, [...rows.values()]);
    return new PhaseStore(file, header, rows, warnings).append();
  }

  private append(): this {
    try {
      this.fd = openSync(this.file, 'a');
    } catch (e) {
      throw ioError(e, 'write', this.file) ?? e;
    }
    return this;
  }

  has(key: string): boolean {
    return this.lines.has(key);
  }

  get size(): number {
    return this.lines.size;
  }

  /** Appends the records not yet in the file. */
  add(records: readonly PhaseRecord[]): void {
    for (const r of records) {
      const key = recordKey(r);
      if (this.lines.has(key)) continue;
      const line = JSON.stringify(r, nonFiniteAsText);
      try {
        writeSync(this.fd!, `${line}\n`);
      } catch (e) {
        // an error on a file descriptor names no file: say which (a full disk is the user's to fix, not a bug)
        throw ioError(e, 'write', this.file) ?? e;
      }
      this.lines.set(key, line);
    }
  }

  records(): PhaseRecord[] {
    return canonical([...this.lines.values()], this.header).map((k) => k.record);
  }

  /** Closes the file, rewritten in canonical order. */
  finish(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    writePhaseFile(this.file, this.header, [...this.lines.values()]);
  }
}

function refuse(file: string, first: string): never {
  let ours = false;
  try {
    ours = (JSON.parse(first) as { format?: unknown } | null)?.format === 'saddle-phase';
  } catch { /* not JSON: not a phase file */ }
  if (!ours) throw new UsageError(`${file} is not a phase file written by \`saddle phase\`: it is left as it is`, 'give another --out');
  throw new UsageError(`${file} holds another computation (a different model, grid, lines, options or shard)`,
    'give another --out, or delete the file to start over');
}

/** Records in canonical order, as text and parsed: cells by (i, j), then line points by the spec's line order and k. */
function canonical(rows: readonly string[], header: PhaseHeader): { row: string; record: PhaseRecord }[] {
  const order = new Map(header.spec.lines.map((l, n) => [l.name, n]));
  const rank = (r: PhaseRecord) => (r.type === 'cell' ? [0, r.i, r.j] : [1 + (order.get(r.line) ?? 0), r.k, 0]);
  const keyed = rows.map((row) => {
    const record = parseRecord(row);
    return { row, record, rank: rank(record) };
  });
  keyed.sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.rank[2] - b.rank[2]);
  return keyed;
}

/** Writes a phase file: the header and the records' lines in canonical order. Returns the number of records. */
export function writePhaseFile(file: string, header: PhaseHeader, rows: readonly string[]): number {
  writeFileAtomic(file, [JSON.stringify(header), ...canonical(rows, header).map((k) => k.row)].map((l) => `${l}\n`).join(''));
  return rows.length;
}

/**
 * Reads a phase file: its header (checked enough that its records can be checked against it), the lines after
 * it (`\r` stripped) and the text after the last newline; its records are not checked (see `checkRows`).
 */
export function readPhaseFile(file: string): { header: PhaseHeader; rows: string[]; tail: string } {
  const { lines, tail } = phaseLines(readText(file));
  let header: unknown;
  try {
    header = JSON.parse(lines[0] ?? 'null');
  } catch { /* reported below */ }
  const wrong = checkHeader(header);
  if (wrong) throw new UsageError(`${file}: ${wrong}`);
  return { header: header as PhaseHeader, rows: lines.slice(1), tail };
}

/** The longest string V8 makes (about 512 MB, a grid of some 500 x 500 cells with several branches): a phase
 * file is read whole, and never past that, nor from anything but a regular file. */
const MAX_PHASE_BYTES = 2 ** 29 - 24;

function readText(file: string): string {
  return readTextBounded(file, MAX_PHASE_BYTES);
}
