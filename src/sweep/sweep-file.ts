/**
 * A sweep's table read back from the file `saddle sweep --out` wrote (CSV or JSON), and the curve of one quantity
 * along the swept parameter taken out of it (what `saddle fit` fits). A table made in memory from SweepRows has the
 * same shape, so a fit reads a file and a sweep it runs itself the same way.
 */
import { extname } from 'node:path';
import { UsageError } from '../base/errors.ts';
import { parseCsv } from '../io/csv.ts';
import { readTextBounded } from '../io/files.ts';
import { parseDataFilesText, type DataFile } from '../ir/data-files.ts';

/** A cell: a number (NaN for a missing or non-finite value) or text (status, branch, model...). */
export type Cell = number | string;

/** The rows of a sweep, by column name, and where they come from. */
export interface SweepTable {
  readonly columns: readonly string[];
  /** Null-prototype records (any column name is safe to look up). */
  readonly rows: readonly Readonly<Record<string, Cell>>[];
  /** The swept parameters (a JSON file and a sweep in memory know them; a CSV file's first column is taken). */
  readonly swept: readonly string[];
  /** The values of the parameters held fixed (a JSON file and a sweep in memory). */
  readonly params?: Readonly<Record<string, number>>;
  readonly origin: { readonly model?: string; readonly file?: string; readonly sha256?: string; readonly data?: readonly DataFile[]; readonly version?: string };
}

/** The largest sweep file read: a million rows of a few dozen columns. */
const MAX_SWEEP_BYTES = 512 * 1024 * 1024;

/** Columns a sweep table holds as text. */
const TEXT_COLUMNS = new Set(['status', 'branch', 'selected', 'warning', 'model', 'model_sha256', 'data_sha256', 'saddle_version', 'file']);

const record = (entries: Iterable<[string, Cell]>): Record<string, Cell> => Object.assign(Object.create(null) as Record<string, Cell>, Object.fromEntries(entries));

/** Reads a `saddle sweep --out` file (.csv or .json). */
export function readSweepFile(path: string): SweepTable {
  const ext = extname(path).toLowerCase();
  if (ext !== '.csv' && ext !== '.json') throw new UsageError(`${path}: a sweep file is a .csv or .json file written by \`saddle sweep --out\``);
  const text = readTextBounded(path, MAX_SWEEP_BYTES);
  return ext === '.csv' ? csvTable(text, path) : jsonTable(text, path);
}

function csvTable(text: string, path: string): SweepTable {
  const [header, ...body] = parseCsv(text, path);
  if (!header || header.length === 0 || header[0] === '') throw new UsageError(`${path}: no header line`, 'a sweep CSV starts with its column names');
  const rows = body.filter((r) => !(r.length === 1 && r[0] === '')).map((r, i) => {
    if (r.length !== header.length) throw new UsageError(`${path}, row ${i + 2}: ${r.length} fields for ${header.length} columns`, 'is the file complete?');
    return record(header.map((c, j) => [c, TEXT_COLUMNS.has(c) ? r[j] : r[j] === '' ? Number.NaN : Number(r[j])]));
  });
  const first = rows[0];
  const text0 = (c: string) => (first && typeof first[c] === 'string' && first[c] !== '' ? first[c] as string : undefined);
  const data = first && typeof first.data_sha256 === 'string' ? parseDataFilesText(first.data_sha256) : undefined;
  return {
    columns: header, rows, swept: [header[0]],
    origin: { model: text0('model'), sha256: text0('model_sha256'), ...(data && { data }), version: text0('saddle_version') },
  };
}

function jsonTable(text: string, path: string): SweepTable {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not JSON (${(e as Error).message})`, 'give a file written by `saddle sweep --out FILE.json`');
  }
  const o = doc as { columns?: unknown; rows?: unknown; axes?: unknown; params?: unknown; model?: unknown; file?: unknown; model_sha256?: unknown; data_sha256?: unknown; saddle_version?: unknown };
  if (typeof o !== 'object' || o === null || !Array.isArray(o.columns) || !Array.isArray(o.rows) || !o.columns.every((c) => typeof c === 'string')) {
    throw new UsageError(`${path}: not a sweep file (it needs "columns" and "rows")`, 'give a file written by `saddle sweep --out FILE.json`');
  }
  const columns = o.columns as string[];
  const rows = (o.rows as unknown[]).map((r) => {
    const row = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
    return record(columns.map((c) => {
      const v = Object.hasOwn(row, c) ? row[c] : undefined;
      return [c, typeof v === 'number' ? v : typeof v === 'string' ? (TEXT_COLUMNS.has(c) ? v : Number(v)) : TEXT_COLUMNS.has(c) ? '' : Number.NaN];
    }));
  });
  const axes = Array.isArray(o.axes) ? (o.axes as { name?: unknown }[]).map((a) => a?.name).filter((n): n is string => typeof n === 'string') : [];
  const params = typeof o.params === 'object' && o.params !== null
    ? Object.fromEntries(Object.entries(o.params as Record<string, unknown>).filter(([, v]) => typeof v === 'number') as [string, number][]) : undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const data = Array.isArray(o.data_sha256) && o.data_sha256.every((d) => typeof d?.file === 'string' && typeof d?.sha256 === 'string')
    ? (o.data_sha256 as DataFile[]).map((d) => ({ file: d.file, sha256: d.sha256 })) : undefined;
  return {
    columns, rows, swept: axes.length ? axes : [columns[0]], ...(params && { params }),
    origin: { model: str(o.model), file: str(o.file), sha256: str(o.model_sha256), ...(data && { data }), version: str(o.saddle_version) },
  };
}

/** One quantity along the swept parameter: the converged points of one branch. */
export interface Curve {
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** The branch taken: the equilibrium (`selected`) when the sweep compared branches, else the one named or the first. */
  readonly branch?: string;
  /** Points of that branch that did not converge (left out). */
  readonly notConverged: number;
}

/**
 * The curve of `y` along `x` in a table: rows whose status is `converged` (a table without a status column: every
 * row), of one branch. A table with several rows at one x within that branch (a grid) is refused: a fit takes a line.
 */
export function curveOf(table: SweepTable, x: string, y: string, branch?: string): Curve {
  for (const c of [x, y]) {
    if (!table.columns.includes(c)) throw new UsageError(`the sweep has no column \`${c}\``, `its columns: ${table.columns.filter((k) => !TEXT_COLUMNS.has(k)).join(', ')}`);
  }
  let rows = table.rows;
  let taken: string | undefined;
  const branches = [...new Set(rows.map((r) => r.branch).filter((b): b is string => typeof b === 'string' && b !== ''))];
  if (branch !== undefined) {
    if (!branches.includes(branch)) throw new UsageError(`the sweep has no branch \`${branch}\``, branches.length ? `its branches: ${branches.join(', ')}` : 'it has one branch: drop --branch');
    rows = rows.filter((r) => r.branch === branch);
    taken = branch;
  } else if (rows.some((r) => r.selected === 'true')) {
    rows = rows.filter((r) => r.selected === 'true');
    taken = 'selected';
  } else if (branches.length > 1) {
    rows = rows.filter((r) => r.branch === branches[0]);
    taken = branches[0];
  }
  const hasStatus = table.columns.includes('status');
  const ok = rows.filter((r) => !hasStatus || r.status === 'converged');
  const xs = ok.map((r) => Number(r[x]));
  const seen = new Set<number>();
  for (const v of xs) {
    if (seen.has(v)) {
      throw new UsageError(`the sweep has several rows at ${x} = ${v}${taken ? ` on the branch ${taken}` : ''}: a fit takes a line`,
        'fit a sweep over one parameter (a grid: sweep each line on its own), or choose a branch with --branch');
    }
    seen.add(v);
  }
  return { x: xs, y: ok.map((r) => Number(r[y])), ...(taken !== undefined && { branch: taken }), notConverged: rows.length - ok.length };
}
