import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, constants, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IoError, UsageError } from '../../src/base/errors.ts';
import { appendText, checkInputFile, checkOutputPath, ioError, readTextBounded, writeFileAtomic } from '../../src/io/files.ts';

let dir: string;
let fifo: string;
let socket: string;
let server: Server;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'saddle-io-'));
  chmodSync(dir, 0o755); // readable by the unprivileged child below
  fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  socket = join(dir, 'sock');
  server = createServer();
  await new Promise<void>((done) => server.listen(socket, done));
});

afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  rmSync(dir, { recursive: true, force: true });
});

/** The error `f` throws (fails the test when it throws nothing). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** Files left in a directory whose names say they are temporary. */
const temporaries = (d: string) => readdirSync(d).filter((f) => f.endsWith('.tmp'));

/**
 * Runs `checkOutputPath(path, '--out')` as an unprivileged user when the tests run as root (root may write in a
 * read-only directory); returns the message of the error, or 'ok'.
 */
function checkAsUser(path: string): string {
  if (process.getuid?.() !== 0) {
    try {
      checkOutputPath(path, '--out');
      return 'ok';
    } catch (e) {
      return (e as Error).message;
    }
  }
  const url = new URL('../../src/io/files.ts', import.meta.url).href;
  const code = `import { checkOutputPath } from ${JSON.stringify(url)};
try { checkOutputPath(${JSON.stringify(path)}, '--out'); console.log('ok'); } catch (e) { console.log(e.message); }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code],
    { uid: 65534, gid: 65534, cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

describe('checkOutputPath refuses before any work', () => {
  it('accepts a new file, an existing file, and a file in directories still to be made', () => {
    expect(() => checkOutputPath(join(dir, 'new.csv'), '--out')).not.toThrow();
    writeFileSync(join(dir, 'old.csv'), 'x');
    expect(() => checkOutputPath(join(dir, 'old.csv'), '--out')).not.toThrow();
    expect(() => checkOutputPath(join(dir, 'a', 'b', 'c.json'), '--out')).not.toThrow();
  });

  it('a trailing slash, naming the flag and the fix', () => {
    const e = thrown(() => checkOutputPath('rows.csv/', '--out'));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe('--out rows.csv/: ends in a slash, so it names a directory, not a file');
    expect((e as UsageError).hint).toBe('drop the slash: --out rows.csv');
  });

  it('a directory, a device, a FIFO and a socket', () => {
    expect(thrown(() => checkOutputPath(dir, '--out')).message).toMatch(/is a directory, not a file$/);
    expect(thrown(() => checkOutputPath('/dev/full', '--plot')).message).toBe('--plot /dev/full: is a device, not a file');
    expect(thrown(() => checkOutputPath('/dev/null', '--out')).message).toMatch(/is a device/);
    expect(thrown(() => checkOutputPath(fifo, '--csv')).message).toMatch(/is a named pipe \(FIFO\), not a file$/);
    expect(thrown(() => checkOutputPath(socket, '--out')).message).toMatch(/is a socket, not a file$/);
  });

  it('a path through a file, and an empty name', () => {
    const file = join(dir, 'plain');
    writeFileSync(file, 'x');
    const e = thrown(() => checkOutputPath(join(file, 'sub', 'rows.csv'), '--out'));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe(`--out ${join(file, 'sub', 'rows.csv')}: ${file} is not a directory`);
    expect(thrown(() => checkOutputPath('', '--out')).message).toMatch(/empty file name/);
  });

  it('a directory that cannot be written, and a read-only file', () => {
    const ro = join(dir, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    expect(checkAsUser(join(ro, 'rows.csv'))).toBe(`--out ${join(ro, 'rows.csv')}: cannot create a file in ${ro} (permission denied)`);
    expect(checkAsUser(join(ro, 'deeper', 'rows.csv'))).toMatch(/cannot create a file in .*read-only \(permission denied\)/);
    const file = join(dir, 'locked.csv');
    writeFileSync(file, 'x');
    chmodSync(file, 0o444);
    expect(checkAsUser(file)).toBe(`--out ${file}: cannot be written (permission denied)`);
  });
});

describe('checkInputFile and readTextBounded', () => {
  it('read a regular file', () => {
    const file = join(dir, 'model.yaml');
    writeFileSync(file, 'name: x\n');
    expect(() => checkInputFile(file)).not.toThrow();
    expect(readTextBounded(file)).toBe('name: x\n');
  });

  it('refuse a directory, /dev/zero, a FIFO (without waiting for a writer) and a socket, unread', () => {
    for (const [path, kind] of [[dir, 'a directory'], ['/dev/zero', 'a device'], [fifo, 'a named pipe (FIFO)'], [socket, 'a socket']]) {
      const e = thrown(() => readTextBounded(path));
      expect(e).toBeInstanceOf(IoError);
      expect(e.message).toBe(`cannot read ${path}: it is ${kind}, not a regular file`);
      expect(thrown(() => checkInputFile(path)).message).toBe(e.message);
    }
  });

  it('refuse a file larger than the bound, with its size', () => {
    const file = join(dir, 'big.yaml');
    writeFileSync(file, 'x'.repeat(3000));
    expect(readTextBounded(file, 3000)).toHaveLength(3000);
    const e = thrown(() => readTextBounded(file, 2048)) as IoError;
    expect(e.message).toBe(`cannot read ${file}: it is 2.93 kB, more than the 2 kB allowed`);
    expect(e.hint).toMatch(/right file/);
  });

  it('a missing file is an IoError with ENOENT', () => {
    const e = thrown(() => readTextBounded(join(dir, 'nothing.yaml'))) as IoError;
    expect(e).toBeInstanceOf(IoError);
    expect(e.code).toBe('ENOENT');
    expect(e.reason).toBe('no such file or directory');
  });

  it('a regular file that reports size 0 but has content (as under /proc) is read, and bounded', () => {
    const text = readTextBounded('/proc/self/status', 1 << 20);
    expect(text).toMatch(/^Name:/);
    expect(statSync('/proc/self/status').size).toBe(0);
    expect(thrown(() => readTextBounded('/proc/self/status', 16)).message).toBe('cannot read /proc/self/status: it is larger than the 16 bytes allowed');
  });
});

describe('writeFileAtomic', () => {
  it('writes a new file (making its directory) and replaces an old one, leaving no temporary file', () => {
    const sub = join(dir, 'atomic', 'deep');
    const file = join(sub, 'rows.json');
    writeFileAtomic(file, '{"a":1}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    writeFileAtomic(file, new Uint8Array([104, 105]));
    expect(readFileSync(file, 'utf8')).toBe('hi');
    expect(temporaries(sub)).toEqual([]);
  });

  it('keeps the permissions of the file it replaces', () => {
    const file = join(dir, 'mode.json');
    writeFileSync(file, 'old');
    chmodSync(file, 0o640);
    writeFileAtomic(file, 'new');
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it('follows a symbolic link: the target is replaced, the link stays', () => {
    const target = join(dir, 'target.json');
    const link = join(dir, 'link.json');
    writeFileSync(target, 'old');
    symlinkSync(target, link);
    writeFileAtomic(link, 'new');
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readFileSync(link, 'utf8')).toBe('new');
  });

  it('refuses a directory, a device and a FIFO, and a path through a file, leaving nothing behind', () => {
    expect(thrown(() => writeFileAtomic(dir, 'x'))).toBeInstanceOf(IoError);
    expect(thrown(() => writeFileAtomic('/dev/full', 'x')).message).toBe('cannot write /dev/full: it is a device, not a regular file');
    expect(thrown(() => writeFileAtomic(fifo, 'x')).message).toMatch(/named pipe/);
    expect(thrown(() => writeFileAtomic('x.json/', 'x')).message).toMatch(/ends in a slash/);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const e = thrown(() => writeFileAtomic(join(file, 'rows.json'), 'x')) as IoError;
    expect(e).toBeInstanceOf(IoError);
    expect(e.message).toMatch(/^cannot write .*a-file\/rows\.json: /);
    expect(temporaries(dir)).toEqual([]);
  });
});

describe('write errors name the file and the reason', () => {
  it('a full device (/dev/full): ENOSPC', () => {
    const e = thrown(() => appendText('/dev/full', 'a row\n')) as IoError;
    expect(e).toBeInstanceOf(IoError);
    expect(e.message).toBe('cannot write /dev/full: no space left on device');
    expect(e.code).toBe('ENOSPC');
    expect(e.hint).toMatch(/free some space/);
  });

  it('a pipe whose reader has gone: EPIPE', () => {
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    closeSync(reader);
    try {
      const e = ioError(thrown(() => writeSync(writer, 'x')), 'write', 'out.csv');
      expect(e?.message).toBe('cannot write out.csv: the reader at the other end closed the pipe');
    } finally {
      closeSync(writer);
    }
  });

  it('appendText adds whole lines', () => {
    const file = join(dir, 'rows.csv');
    writeFileSync(file, 'a\n');
    appendText(file, 'b\n');
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n');
  });

  it('ioError maps operating-system errors only', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: '/x/rows.csv' });
    expect(ioError(enospc, 'write')?.message).toBe('cannot write /x/rows.csv: no space left on device');
    expect(ioError(Object.assign(new Error('x'), { code: 'EROFS', path: '/ro' }), 'write')?.reason).toBe('read-only file system');
    expect(ioError(Object.assign(new Error('x'), { code: 'EACCES' }), 'write', 'a.json')?.message).toBe('cannot write a.json: permission denied');
    expect(ioError(new TypeError('a bug'), 'write', 'a.json')).toBeUndefined();
    expect(ioError(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }), 'write', 'a.json')).toBeUndefined();
  });
});
