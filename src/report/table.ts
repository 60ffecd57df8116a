import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Problem } from '../compile/compile.ts';
import type { SweepRow } from '../sweep/continuation.ts';

/** Column order of sweep tables: swept parameters, order parameters, observables, then the solve's record. */
export function columns(swept: readonly string[], problem: Pick<Problem, 'stateNames' | 'observableNames'>): string[] {
  return [...swept, ...problem.stateNames, ...problem.observableNames, 'status', 'iterations', 'residual', 'branch', 'selected'];
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
      default: return row.params[c] ?? s.state[c] ?? s.observables[c];
    }
  });
}

const csvCell = (v: string | number) => (typeof v === 'number' ? (Number.isNaN(v) ? 'NaN' : String(v)) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** A CSV file written row by row, so an interrupted run keeps what it computed. */
export class CsvWriter {
  constructor(private readonly file: string, private readonly cols: readonly string[]) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${cols.join(',')}\n`);
  }

  write(row: SweepRow): void {
    this.writeCells(cells(row, this.cols));
  }

  /** A row already laid out in the writer's columns (e.g. with simulation columns appended). */
  writeCells(values: readonly (string | number)[]): void {
    appendFileSync(this.file, `${values.map(csvCell).join(',')}\n`);
  }
}

export function toCsv(rows: readonly SweepRow[], cols: readonly string[]): string {
  return [cols.join(','), ...rows.map((r) => cells(r, cols).map(csvCell).join(','))].join('\n') + '\n';
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

/** JSON.stringify replacer: NaN and Infinity as the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers). */
export function jsonNumbers(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}
