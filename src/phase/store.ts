import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.ts';
import { jsonNumbers } from '../report/table.ts';
import type { PhaseRecord } from './compute.ts';
import type { PhaseSpec } from './spec.ts';
import { recordKey } from './tasks.ts';

/** The first line of a phase file: what was computed. Two runs with equal headers compute equal records. */
export interface PhaseHeader {
  readonly format: 'saddle-phase';
  readonly version: 1;
  readonly model: string;
  /** sha256 of the model file's text: a changed model is a different computation. */
  readonly model_sha256: string;
  readonly spec: Omit<PhaseSpec, 'file'>;
  /** `K/N` for one part of a sharded run; absent for a whole run and for the merge of all parts. */
  readonly shard?: string;
}

const revive = (_k: string, v: unknown) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

export function parseRecord(line: string): PhaseRecord {
  return JSON.parse(line, revive) as PhaseRecord;
}

/**
 * A phase diagram on disk, as JSON lines: the header, then one record per cell or line point, appended as each
 * finishes (one write per record, so a kill loses at most the line being written, which the next open drops).
 * `finish` rewrites the file in canonical order (header, cells by (i, j), line points by line and k), so that
 * a run, a resumed run and a merge of shards give the same bytes.
 */
export class PhaseStore {
  private readonly lines = new Map<string, string>();
  private fd: number | undefined;

  private constructor(readonly file: string, readonly header: PhaseHeader) {}

  /** Opens `file` for `header`: resumes it when it holds the same computation, refuses when it holds another. */
  static open(file: string, header: PhaseHeader): PhaseStore {
    const store = new PhaseStore(file, header);
    const head = JSON.stringify(header);
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      const complete = text.lastIndexOf('\n') + 1;
      const rows = text.slice(0, complete).split('\n').filter(Boolean);
      if (rows.length > 0 && rows[0] !== head) {
        throw new UsageError(`${file} holds another computation (a different model, grid, lines, options or shard)`,
          'give another --out, or delete the file to start over');
      }
      // A record cut by a kill is dropped: its cell is computed again.
      if (complete < text.length) truncateSync(file, complete);
      for (const row of rows.slice(1)) store.lines.set(recordKey(parseRecord(row)), row);
      if (rows.length === 0) writeFileSync(file, `${head}\n`);
    } else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${head}\n`);
    }
    store.fd = openSync(file, 'a');
    return store;
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
      const line = JSON.stringify(r, jsonNumbers);
      this.lines.set(key, line);
      writeSync(this.fd!, `${line}\n`);
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

export function writePhaseFile(file: string, header: PhaseHeader, rows: readonly string[]): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, [JSON.stringify(header), ...canonical(rows, header).map((k) => k.row)].map((l) => `${l}\n`).join(''));
  renameSync(tmp, file);
}

/** Reads a phase file: its header and its records (a cut last line is ignored). */
export function readPhaseFile(file: string): { header: PhaseHeader; rows: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const rows = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
  let header: PhaseHeader | undefined;
  try {
    header = JSON.parse(rows[0] ?? 'null') as PhaseHeader;
  } catch { /* reported below */ }
  if (header?.format !== 'saddle-phase') throw new UsageError(`${file} is not a phase file written by \`saddle phase\``);
  return { header, rows: rows.slice(1) };
}
