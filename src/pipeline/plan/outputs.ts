/**
 * Files a command writes, checked before any work: an extension that names the format (`--out x.csv` of a
 * command that writes JSON is refused, not silently written as JSON), a path that can be written (io/files.ts
 * `checkOutputPath`: not a directory, a FIFO, a device), and each file named once.
 */
import { extname, resolve } from 'node:path';
import { UsageError } from '../../base/errors.ts';
import { checkOutputPath } from '../../io/files.ts';

/**
 * `file` given as `flag`, one of `extensions` (`.csv`...; compared without case): its extension, lowercased.
 * `why` says what decides the format (`simulate writes JSON`).
 */
export function outputFile(file: string, flag: string, extensions: readonly string[], why?: string): string {
  const ext = extname(file).toLowerCase();
  if (!extensions.includes(ext)) {
    const stem = file.slice(0, file.length - extname(file).length);
    throw new UsageError(`${flag} ${file}: ${why ? `${why}: ` : ''}write to a ${extensions.join(' or ')} file`, `e.g. ${flag} ${stem || 'results'}${extensions[0]}`);
  }
  checkOutputPath(file, flag);
  return ext;
}

/** Refuses a file named twice among a command's outputs. */
export function distinctOutputs(files: readonly string[]): void {
  const twice = files.find((f, i) => files.findIndex((g) => resolve(g) === resolve(f)) !== i);
  if (twice !== undefined) throw new UsageError(`${twice} is given twice as an output`, 'give each output its own file');
}
