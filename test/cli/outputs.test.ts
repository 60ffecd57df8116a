/**
 * Files the CLI reads and writes (issue 11): outputs checked before any work, JSON written whole, CSV row by row
 * and RFC 4180 without formula injection, model files read with a bound, and exit codes a script can trust.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IoError, UsageError } from '../../src/base/errors.ts';
import { failure } from '../../src/cli/main.ts';
import { EXIT } from '../../src/cli/exit.ts';
import { ModelError } from '../../src/base/issues.ts';
import { csvCell, CsvWriter } from '../../src/report/table.ts';
import { runCli as run, type CliRun } from '../util/cli.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'saddle-outputs-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A user mistake or a file that cannot be used: exit 2, a message on stderr, nothing on stdout, no stack trace. */
function expectRefused(r: CliRun, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err).toMatch(message);
  expect(r.err).not.toContain('internal error');
  expect(r.err).not.toContain('    at ');
}

const SWEEP = ['sweep', 'ridge', '--param', 'alpha=0.5:1:3'];

describe('output paths are checked before any work', () => {
  it('a trailing slash: refused, nothing written (before: "rows written", and no file)', async () => {
    const out = join(dir, 'slash', 'rows.csv/');
    expectRefused(await run(...SWEEP, '--out', out), /--out .*rows\.csv\/: ends in a slash, so it names a directory, not a file\n    hint: drop the slash: --out .*rows\.csv$/);
    expect(readdirSync(dir)).not.toContain('slash');
  });

  it('a directory, a device (through a link named .csv), a FIFO, a path through a file', async () => {
    const sub = join(dir, 'taken.csv');
    mkdirSync(sub);
    expectRefused(await run(...SWEEP, '--out', sub), /taken\.csv: is a directory, not a file/);
    const device = join(dir, 'device.csv');
    symlinkSync('/dev/full', device);
    expectRefused(await run(...SWEEP, '--out', device), /device\.csv: is a device, not a file/);
    const fifo = join(dir, 'fifo.csv');
    execFileSync('mkfifo', [fifo]);
    expectRefused(await run(...SWEEP, '--out', fifo), /fifo\.csv: is a named pipe \(FIFO\), not a file/);
    const file = join(dir, 'plain');
    writeFileSync(file, 'x');
    expectRefused(await run(...SWEEP, '--out', join(file, 'rows.json')), /plain is not a directory/);
    expectRefused(await run(...SWEEP, '--plot', join(file, 'p.svg')), /^saddle sweep: --plot .*plain is not a directory/);
    expectRefused(await run('simulate', 'ridge', '--d', '20', '--out', fifo), /^saddle simulate: --out .*fifo\.csv: simulate writes JSON: write to a \.json file/);
    const fifoJson = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifoJson]);
    expectRefused(await run('simulate', 'ridge', '--d', '20', '--out', fifoJson), /^saddle simulate: --out .*fifo\.json: is a named pipe/);
    expectRefused(await run('report', 'ridge', '--out', join(file, 'r.html')), /^saddle report: --out .*plain is not a directory/);
  });

  it('the same file twice is refused', async () => {
    const p = join(dir, 'twice.svg');
    expectRefused(await run(...SWEEP, '--plot', p, '--plot', p), /twice\.svg is given twice as an output/);
  });
});

describe('model files are read with a bound', () => {
  it('/dev/zero, a FIFO and a directory are refused unread (before: /dev/zero was read until memory ran out)', async () => {
    const fifo = join(dir, 'model-fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    for (const [model, kind] of [['/dev/zero', 'a device'], [fifo, 'a named pipe \\(FIFO\\)'], [dir, 'a directory']]) {
      expectRefused(await run('solve', model), new RegExp(`:1:1: error\\[bad-value\\]: cannot read the model file: it is ${kind}, not a regular file`));
    }
  });

  it('a model file over 4 MB is refused with its size', async () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `# ${'x'.repeat(5 * 1024 * 1024)}\n`);
    expectRefused(await run('check', big), /cannot read the model file: it is 5 MB, more than the 4 MB allowed\n    hint: is it the right file\?/);
  });
});

describe('written outputs', () => {
  it('sweep --out FILE.json is written whole, replacing the old file, with no temporary file left', async () => {
    const out = join(dir, 'json', 'rows.json');
    mkdirSync(join(dir, 'json'));
    writeFileSync(out, 'old');
    const r = await run(...SWEEP, '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`rows written to ${out}`);
    expect(JSON.parse(readFileSync(out, 'utf8')).rows).toHaveLength(3);
    expect(readdirSync(join(dir, 'json'))).toEqual(['rows.json']);
  });

  it('sweep --out FILE.csv: one line per row, header first', async () => {
    const out = join(dir, 'csv', 'rows.csv');
    const r = await run(...SWEEP, '--out', out);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0].startsWith('alpha,')).toBe(true);
  });
});

describe('CSV cells: RFC 4180, and no formula injection into spreadsheets', () => {
  it('quotes a field with a comma, a quote, CR or LF, doubling its quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell('')).toBe('');
  });

  it('puts a leading \' on text that a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('+1+cmd')).toBe("'+1+cmd");
    expect(csvCell('-2+3+cmd|\' /C calc\'!A0')).toBe("'-2+3+cmd|' /C calc'!A0");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe('"\'\rx"');
    expect(csvCell('=1,2')).toBe('"\'=1,2"');
    expect(csvCell('max-iterations')).toBe('max-iterations'); // only the first character counts
  });

  it('leaves numbers plain, negative ones included, also when they come as text', () => {
    expect(csvCell(-0.5)).toBe('-0.5');
    expect(csvCell(-1e-3)).toBe('-0.001');
    expect(csvCell(-1e-30)).toBe('-1e-30');
    expect(csvCell(-Infinity)).toBe('-Infinity');
    expect(csvCell(NaN)).toBe('NaN');
    expect(csvCell(0.1 + 0.2)).toBe('0.30000000000000004');
    for (const t of ['-0.5', '-1e-3', '-1E+20', '-.5', '-3.', '-Infinity']) expect(csvCell(t)).toBe(t);
    expect(csvCell('-1e-3x')).toBe("'-1e-3x");
    expect(csvCell('-')).toBe("'-");
  });

  it('header names are cells too; the writer refuses a device before writing', () => {
    const file = join(dir, 'cells.csv');
    const csv = new CsvWriter(file, ['x', '=cmd', 'a,b'], '--csv');
    csv.writeCells([-0.5, '@x', 'fine']);
    expect(readFileSync(file, 'utf8')).toBe('x,\'=cmd,"a,b"\n-0.5,\'@x,fine\n');
    expect(() => new CsvWriter('/dev/full', ['x'], '--csv')).toThrow(/--csv \/dev\/full: is a device, not a file/);
  });
});

describe('exit codes', () => {
  it('simulate with n = round(alpha d) = 0 is a usage error (before: internal error, exit 1)', async () => {
    expectRefused(await run('simulate', 'ridge', '--set', 'alpha=0.1', '--d', '4', '--workers', '1'),
      /^saddle simulate: --d: at alpha = 0\.1, d = 4 gives n = round\(alpha d\) = 0 samples: the simulation would have no data\n {4}hint: raise d to at least 5/);
    expectRefused(await run('simulate', 'ridge', '--set', 'alpha=0', '--d', '100'), /alpha = 0, d = 100 gives n = round\(alpha d\) = 0 samples[^]*hint: simulate at alpha > 0/);
    expectRefused(await run('verify', 'ridge', '--set', 'alpha=0.2', '--d', '100', '--sizes', '2,4'), /^saddle verify: --sizes: at alpha = 0\.2, d = 2 gives n/);
    expectRefused(await run('sweep', 'ridge', '--param', 'alpha=0.05:1:3', '--simulate', 'd=5,trials=2'), /^saddle sweep: --simulate: at alpha = 0\.05, d = 5/);
    expectRefused(await run('report', 'ridge', '--out', join(dir, 'r.html'), '--verify', 'd=4,trials=2,alpha=0.1'), /^saddle report: --verify: at alpha = 0\.1, d = 4/);
  });

  it('an instance too large for memory is refused before any work', async () => {
    expectRefused(await run('simulate', 'ridge', '--set', 'alpha=1', '--d', '100000'), /one trial's inputs would be n x d = 100000 x 100000 = 1\.00e\+10 numbers \(74\.5 GiB\)/);
  });

  it('internal errors exit 70 with a stack trace; misuse and file errors exit 2 without one', () => {
    expect(EXIT.internal).toBe(70);
    expect(EXIT.disagree).toBe(1);
    const bug = failure('sweep', new TypeError('x is undefined'));
    expect(bug.code).toBe(70);
    expect(bug.message).toMatch(/^saddle sweep: internal error \(a bug in saddle; please report it with the command line\):\nTypeError: x is undefined\n {4}at /);
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: 'results/phase.jsonl' });
    expect(failure('phase', enospc)).toEqual({ code: 2, message: 'saddle phase: cannot write results/phase.jsonl: no space left on device\n    hint: free some space, or write to another disk' });
    const eacces = Object.assign(new Error('EACCES'), { code: 'EACCES', syscall: 'open', path: '/root/x.csv' });
    expect(failure('sweep', eacces).message).toMatch(/^saddle sweep: cannot write \/root\/x\.csv: permission denied\n/);
    expect(failure('solve', new IoError('write', 'a.json', 'read-only file system'))).toEqual({ code: 2, message: 'saddle solve: cannot write a.json: read-only file system' });
    expect(failure('solve', new UsageError('bad', 'fix it'))).toEqual({ code: 2, message: 'saddle solve: bad\n    hint: fix it' });
    expect(failure('check', new ModelError([{ code: 'bad-value', file: 'm.yaml', line: 1, col: 1, message: 'oops' }])).code).toBe(2);
    // an errno without a path is not about a user's file
    expect(failure('solve', Object.assign(new Error('EMFILE'), { code: 'EMFILE', syscall: 'spawn' })).code).toBe(70);
  });

  it('the overview states the exit codes', async () => {
    const r = await run('--help');
    expect(r.out).toContain('70 internal error');
    expect(r.out).toContain('1 verify only: theory and simulation disagree');
  });
});
