import { IoError } from '../base/errors.ts';
import { appendText, checkOutputPath, writeText } from '../io/files.ts';
import type { Problem } from '../compile/compile.ts';
import { dataFilesText } from '../ir/data-files.ts';
import type { SweepRow } from '../sweep/continuation.ts';

/** The columns that say where every row comes from: the model (name, sha256 of its file, the data files it reads
 * as `file:sha256;...`, empty when none) and saddle's version. */
export const ORIGIN_COLUMNS = ['model', 'model_sha256', 'data_sha256', 'saddle_version'] as const;

/**
 * Column order of sweep tables: the swept parameters, the other parameters (every row carries every value), order
 * parameters, observables, the solve's record (status, iterations, residual, branch, selected, warning), and the
 * origin (model, model_sha256, data_sha256, saddle_version).
 */
export function columns(swept: readonly string[], problem: Pick<Problem, 'paramNames' | 'stateNames' | 'observableNames'>): string[] {
  return [...swept, ...problem.paramNames.filter((p) => !swept.includes(p)), ...problem.stateNames, ...problem.observableNames,
    'status', 'iterations', 'residual', 'branch', 'selected', 'warning', ...ORIGIN_COLUMNS];
}

export function cells(row: SweepRow, cols: readonly string[]): (string | number)[] {
  const s = row.solution;
  return cols.map((c) => {
    switch (c) {
      case 'status': return s.status;
      case 'iterations': return s.iterations;
      case 'residual': return s.residual;
      case 'branch': return row.branch;
      case 'selected': return row.selected === undefined ? '' : String(row.selected);
      case 'warning': return (s.warnings ?? []).join('; ');
      case 'model': return s.origin.model;
      case 'model_sha256': return s.origin.sha256;
      case 'data_sha256': return dataFilesText(s.origin.data ?? []);
      case 'saddle_version': return s.origin.version;
      default: return s.params[c] ?? row.params[c] ?? s.state[c] ?? s.observables[c];
    }
  });
}

/** A text cell that is a plain number (as String(number) writes one): safe in a spreadsheet, and left as it is. */
const NUMBER_TEXT = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$|^-?Infinity$|^NaN$/i;

/**
 * One CSV field (RFC 4180): a field holding a comma, a double quote, CR or LF is quoted, with its quotes doubled.
 * A text field that a spreadsheet would read as a formula (starting with =, +, -, @, tab or CR: OWASP "CSV
 * injection") gets a leading `'`, unless it is a plain number such as -0.5 or -1e-3. Numbers are written at full
 * precision, non-finite ones as NaN, Infinity, -Infinity.
 */
export function csvCell(v: string | number): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  const text = /^[=+\-@\t\r]/.test(v) && !NUMBER_TEXT.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (without its line end). */
export const csvLine = (values: readonly (string | number)[]): string => values.map(csvCell).join(',');

/**
 * A CSV file written row by row, so an interrupted run keeps what it computed. The path is checked when the
 * writer is made (a directory, a device or a FIFO is refused before any row is computed); a failed write (a full
 * disk) is an IoError naming the file, and the rows written before it stay in the file.
 */
export class CsvWriter {
  constructor(private readonly file: string, private readonly cols: readonly string[], flag = 'the CSV file') {
    checkOutputPath(file, flag);
    writeText(file, `${csvLine(cols)}\n`);
  }

  write(row: SweepRow): void {
    this.writeCells(cells(row, this.cols));
  }

  /** A row already laid out in the writer's columns (e.g. with simulation columns appended). */
  writeCells(values: readonly (string | number)[]): void {
    try {
      appendText(this.file, `${csvLine(values)}\n`);
    } catch (e) {
      if (!(e instanceof IoError)) throw e;
      throw new IoError(e.op, e.path, e.reason, `the rows before this one are in the file${e.hint ? `; ${e.hint}` : ''}`, e.code);
    }
  }
}

export function toCsv(rows: readonly SweepRow[], cols: readonly string[]): string {
  return [csvLine(cols), ...rows.map((r) => csvLine(cells(r, cols)))].join('\n') + '\n';
}

/** Numbers for a terminal: 6 significant digits, exponent form outside [1e-3, 1e5). */
export function fmt(v: string | number): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(4) : v.toPrecision(6);
}

/** An aligned plain-text table. */
export function textTable(header: readonly string[], body: readonly (readonly (string | number)[])[]): string {
  const rows = [header.map(String), ...body.map((r) => r.map(fmt))];
  const width = header.map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  // Numbers align right, text aligns left.
  const numeric = header.map((_, j) => body.every((r) => typeof r[j] === 'number'));
  return rows.map((r) => r.map((c, j) => (numeric[j] ? c.padStart(width[j]) : c.padEnd(width[j]))).join('  ').trimEnd()).join('\n');
}
