import { createHash } from 'node:crypto';
import { IoError } from '../base/errors.ts';
import { readBytesBounded } from '../io/files.ts';

/** The most entries an empirical spectrum may have: each is one term of every sum over it. */
export const MAX_SPECTRUM_ENTRIES = 1_000_000;
/** The largest spectrum file read (a million lines of two numbers in full precision fit comfortably). */
export const MAX_SPECTRUM_BYTES = 64 * 1024 * 1024;

/** An empirical spectrum: eigenvalues, and per eigenvalue the teacher's weight when the file gives one. */
export interface SpectrumData {
  readonly eigenvalues: Float64Array;
  readonly teacher: Float64Array | null;
  /** sha256 of the file's bytes: what identifies the data (in keys of the IR, in outputs). */
  readonly sha256: string;
}

/**
 * Reads an empirical spectrum: one entry per line, an eigenvalue and optionally the teacher's weight on that
 * eigenvector (non-negative), separated by spaces, tabs or a comma; `#` starts a comment; blank lines are skipped,
 * and so is a first line of column names. Every line has the same number of columns. Returns the data, or the
 * first mistake as a message (with the file's line).
 */
export function readSpectrumFile(path: string): SpectrumData | { readonly error: string; readonly hint?: string } {
  let bytes: Buffer;
  try {
    bytes = readBytesBounded(path, MAX_SPECTRUM_BYTES);
  } catch (e) {
    if (e instanceof IoError) return { error: `cannot read the spectrum file: ${e.reason}`, hint: 'the path is relative to the model file' };
    throw e;
  }
  const lines = bytes.toString('utf8').split(/\r?\n/);
  const eig: number[] = [];
  const tw: number[] = [];
  let columns = 0;
  let header = true;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].replace(/#.*/, '').trim();
    if (text === '') continue;
    const fields = text.split(/[\s,]+/);
    const values = fields.map(Number);
    if (header && values.every((v, k) => Number.isNaN(v) && fields[k] !== 'NaN')) { header = false; continue; }
    header = false;
    if (columns === 0) columns = fields.length;
    const where = `line ${i + 1} of the spectrum file`;
    if (fields.length !== columns || columns > 2) {
      return { error: `${where} has ${fields.length} columns, the file ${columns > 2 ? 'may have at most 2' : `has ${columns}`}`, hint: 'one eigenvalue per line, optionally followed by the teacher\'s weight' };
    }
    const bad = values.findIndex((v) => !Number.isFinite(v) || v < 0);
    if (bad >= 0) return { error: `${where}: \`${fields[bad]}\` is not a finite non-negative number` };
    if (eig.length >= MAX_SPECTRUM_ENTRIES) return { error: `the spectrum file has more than ${MAX_SPECTRUM_ENTRIES.toLocaleString('en-US')} entries`, hint: 'bin the spectrum, or keep its largest eigenvalues' };
    eig.push(values[0]);
    if (columns === 2) tw.push(values[1]);
  }
  if (eig.length === 0) return { error: 'the spectrum file has no entries', hint: 'one eigenvalue per line' };
  return {
    eigenvalues: Float64Array.from(eig),
    teacher: columns === 2 ? Float64Array.from(tw) : null,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}
