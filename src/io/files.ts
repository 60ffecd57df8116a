/**
 * Files the user names: model files read with a bound, outputs checked before any work and written so that an
 * interruption or a full disk never leaves a truncated file behind, and every operating-system failure on such a
 * path turned into a message that names the file and the reason (exit 2), never "a bug in saddle".
 *
 * Ground level: imports nothing from the other stages.
 */
import { randomBytes } from 'node:crypto';
import {
  accessSync, closeSync, constants, fchmodSync, fstatSync, fsyncSync, ftruncateSync, lstatSync, mkdirSync, openSync,
  readSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { IoError, UsageError } from '../base/errors.ts';

/** The largest model file read: a model is a few kB of YAML, so anything near this is the wrong file. */
export const MAX_MODEL_BYTES = 4 * 1024 * 1024;

/** What an operating-system error means on a file the user named, in words. */
const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'the file is too large for this file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'a file of that name already exists',
  ENAMETOOLONG: 'the file name is too long',
  ELOOP: 'too many symbolic links',
  EPIPE: 'the reader at the other end closed the pipe',
  EIO: 'input/output error (the device failed)',
  ENXIO: 'no such device or address',
  ENODEV: 'no such device',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is busy',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
};

const HINTS: Readonly<Record<string, string>> = {
  ENOSPC: 'free some space, or write to another disk',
  EDQUOT: 'free some space, or write to another disk',
  EFBIG: 'write to another file system',
  EACCES: 'write somewhere you may write (e.g. under your home directory), or fix the permissions',
  EPERM: 'write somewhere you may write (e.g. under your home directory), or fix the permissions',
  EROFS: 'write to a writable directory',
  EISDIR: 'name a file, not a directory',
  ENOTDIR: 'check the path: one of its directories is a file',
  ENOENT: 'check the path',
  ENAMETOOLONG: 'use a shorter file name',
};

/** The operating system's code of an error, if it is one. */
function codeOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * An operating-system error on a file the user named, as an IoError that names the file and the reason;
 * undefined when `e` is not such an error (then it is a bug and should propagate as one). `path` defaults to the
 * path the error carries.
 */
export function ioError(e: unknown, op: 'read' | 'write', path?: string): IoError | undefined {
  if (e instanceof IoError) return e;
  const code = codeOf(e);
  if (code === undefined || !Object.hasOwn(REASONS, code)) return undefined;
  const where = path ?? (e as NodeJS.ErrnoException).path;
  if (where === undefined) return undefined;
  return new IoError(op, where, REASONS[code], HINTS[code], code);
}

/** Runs `f`, turning an operating-system error into an IoError about `path`. */
function mapped<T>(op: 'read' | 'write', path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw ioError(e, op, path) ?? e;
  }
}

/** What a non-regular file is, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** stat, or undefined when nothing is there (a missing file, or a path through a file). */
function statOrNothing(path: string, op: 'read' | 'write'): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    const code = codeOf(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw ioError(e, op, path) ?? e;
  }
}

const endsInSlash = (path: string) => path.endsWith('/') || path.endsWith(sep);

/**
 * Refuses, before any work, an output path that cannot be written as a file: empty, ending in a slash, a
 * directory, a device, a FIFO or a socket, a read-only file, or one whose nearest existing directory is not a
 * directory or cannot be written. A missing parent directory is fine: writers create it. `flag` names the option
 * in the message (e.g. `--out`).
 */
export function checkOutputPath(path: string, flag: string): void {
  const say = (why: string, hint: string): never => { throw new UsageError(`${flag} ${path}: ${why}`, hint); };
  if (path.trim() === '') say('an empty file name', `give a file, e.g. ${flag} results/out.csv`);
  if (endsInSlash(path)) say('ends in a slash, so it names a directory, not a file', `drop the slash: ${flag} ${path.replace(/[\\/]+$/, '') || 'FILE'}`);
  const st = statOrNothing(path, 'write');
  if (st && !st.isFile()) {
    say(`is ${kindOf(st)}, not a file`, st.isDirectory() ? `name a file in it: ${flag} ${join(path, 'FILE')}` : 'write to a regular file (saddle writes files whole or row by row, not to pipes or devices)');
  }
  if (st) {
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      say(`cannot be written (${ioError(e, 'write', path)?.reason ?? String(e)})`, 'choose another file, or make it writable');
    }
  }
  // The nearest existing ancestor must be a directory we may write in (writers create the missing ones).
  let dir = dirname(resolve(path));
  for (;;) {
    const d = statOrNothing(dir, 'write');
    if (d) {
      if (!d.isDirectory()) say(`${dir} is not a directory`, `choose a path whose directories are directories, e.g. ${flag} ${basename(path)}`);
      try {
        accessSync(dir, constants.W_OK | constants.X_OK);
      } catch (e) {
        say(`cannot create a file in ${dir} (${ioError(e, 'write', dir)?.reason ?? String(e)})`, 'write to a directory you may write in, or fix its permissions');
      }
      return;
    }
    const up = dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}

/**
 * Refuses an input that is not a regular file (a directory, a device such as /dev/zero, a FIFO, a socket) before
 * anything is read from it: reading one could block forever or never end.
 */
export function checkInputFile(path: string): void {
  const st = mapped('read', path, () => statSync(path));
  if (!st.isFile()) throw new IoError('read', path, `it is ${kindOf(st)}, not a regular file`, 'give the path of a file', 'EINVAL');
}

/** The bytes of a regular file of at most `maxBytes`; a larger file (or anything but a regular file) is refused unread. */
export function readBytesBounded(path: string, maxBytes: number): Buffer {
  checkInputFile(path);
  // O_NONBLOCK: should the path have become a FIFO since the check, opening it does not wait for a writer.
  const fd = mapped('read', path, () => openSync(path, constants.O_RDONLY | constants.O_NONBLOCK));
  try {
    const st = mapped('read', path, () => fstatSync(fd));
    if (!st.isFile()) throw new IoError('read', path, `it is ${kindOf(st)}, not a regular file`, 'give the path of a file', 'EINVAL');
    const tooLarge = (size?: number) => new IoError('read', path,
      size === undefined ? `it is larger than the ${megabytes(maxBytes)} allowed` : `it is ${megabytes(size)}, more than the ${megabytes(maxBytes)} allowed`,
      'is it the right file? a model file is a few kB of YAML', 'EFBIG');
    if (st.size > maxBytes) throw tooLarge(st.size);
    // Read to the end, but never more than maxBytes + 1 bytes: a file that grows (or reports size 0, as under
    // /proc) cannot make this read without bound.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(st.size - total, 64 * 1024), maxBytes + 1 - total));
      const n = mapped('read', path, () => readSync(fd, chunk, 0, chunk.length, null));
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooLarge();
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** The UTF-8 text of a regular file of at most `maxBytes` (see readBytesBounded). */
export function readTextBounded(path: string, maxBytes: number = MAX_MODEL_BYTES): string {
  return readBytesBounded(path, maxBytes).toString('utf8');
}

function megabytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toPrecision(3)} MB`;
  return bytes >= 1024 ? `${+(bytes / 1024).toPrecision(3)} kB` : `${bytes} bytes`;
}

/** Creates the directory a file goes in (and its parents). */
export function ensureParent(path: string): void {
  const dir = dirname(resolve(path));
  mapped('write', path, () => mkdirSync(dir, { recursive: true }));
}

/**
 * Writes `data` to `path` whole or not at all: to a temporary file in the same directory, flushed to the disk,
 * then renamed over `path` (an atomic replacement on POSIX file systems). A reader never sees a half-written file;
 * a crash leaves the old file (and at worst a `.NAME.*.tmp` file beside it); on failure (a full disk) the
 * temporary file is removed and `path` is unchanged. A symbolic link to a file is followed: its target is
 * replaced. Anything but a regular file (or nothing) at `path` is refused.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  if (endsInSlash(path)) throw new IoError('write', path, 'the name ends in a slash: it names a directory', 'drop the slash', 'EISDIR');
  let target = resolve(path);
  const existing = statOrNothing(target, 'write');
  if (existing && !existing.isFile()) throw new IoError('write', path, `it is ${kindOf(existing)}, not a regular file`, 'write to a regular file', 'EINVAL');
  if (existing && lstatSync(target).isSymbolicLink()) target = mapped('write', path, () => realpathSync(target));
  ensureParent(target);
  const tmp = join(dirname(target), `.${basename(target).slice(0, 100)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o666);
    if (existing) {
      try { fchmodSync(fd, existing.mode & 0o7777); } catch { /* keeping the old file's permissions is a courtesy */ }
    }
    writeFileSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    try { unlinkSync(tmp); } catch { /* never created, or already gone */ }
    throw ioError(e, 'write', path) ?? e;
  }
  // The rename is durable once the directory is flushed; some file systems refuse to fsync a directory.
  try {
    const dfd = openSync(dirname(target), 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* best effort */ }
}

/** Creates (or truncates) `path` with `text`, making its directory; errors become IoErrors. Not atomic: for files written in pieces. */
export function writeText(path: string, text: string): void {
  ensureParent(path);
  mapped('write', path, () => writeFileSync(path, text));
}

/**
 * Appends `text` to `path` whole or not at all: should a write fail part way (a full disk: ENOSPC), the file is
 * cut back to its length before, so that it never ends in half a line. Errors become IoErrors.
 */
export function appendText(path: string, text: string): void {
  const fd = mapped('write', path, () => openSync(path, 'a'));
  let size: number | undefined;
  try {
    size = fstatSync(fd).size;
    writeFileSync(fd, text);
  } catch (e) {
    if (size !== undefined) {
      try { ftruncateSync(fd, size); } catch { /* a device or a pipe cannot be cut: nothing more to do */ }
    }
    throw ioError(e, 'write', path) ?? e;
  } finally {
    closeSync(fd);
  }
}
