import { IoError } from '../base/errors.ts';

/**
 * The outputs a command writes at the end: a failure (a full disk) is kept and reported after the results are
 * printed, so that finished work is at least on the terminal; a file is written whole or not at all.
 */
export class Outputs {
  private readonly failures: IoError[] = [];
  /** The files written. */
  readonly written = new Set<string>();

  /** Writes `file` with `write`; true when written, false (the failure kept) on an I/O error. */
  async save(file: string, write: () => void | Promise<void>): Promise<boolean> {
    try {
      await write();
      this.written.add(file);
      return true;
    } catch (e) {
      if (!(e instanceof IoError)) throw e;
      this.failures.push(e);
      return false;
    }
  }

  /** Throws the first failure, naming the others, once the results are printed. */
  rethrow(): void {
    if (!this.failures.length) return;
    const [first, ...rest] = this.failures;
    throw new IoError(first.op, first.path, first.reason,
      `${rest.length ? `also not written: ${rest.map((f) => `${f.path} (${f.reason})`).join(', ')}; ` : ''}`
      + `the table above has the rows, and a file that could not be written was left as it was${first.hint ? `; ${first.hint}` : ''}`, first.code);
  }
}
