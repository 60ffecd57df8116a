import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/base/version.ts';
import { parse as parseYaml } from 'yaml';
import { runCli as run, type CliRun } from '../util/cli.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A user mistake: exit 2, a message on stderr, nothing on stdout, no stack trace. */
function expectInputError(r: CliRun): void {
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err).not.toBe('');
  expect(r.err).not.toContain('    at ');
}

/** The column order a sweep table should have, read from the model file itself. */
function ridgeColumns(): { state: string[]; observables: string[] } {
  const doc = parseYaml(readFileSync(join(ROOT, 'equations/ridge.yaml'), 'utf8')) as {
    order_params: Record<string, unknown>;
    observables: Record<string, unknown>;
  };
  return { state: Object.keys(doc.order_params), observables: Object.keys(doc.observables) };
}

function readCsv(file: string): { header: string[]; rows: Record<string, string>[] } {
  const [head, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const header = head.split(',');
  return { header, rows: lines.map((l) => Object.fromEntries(l.split(',').map((c, j) => [header[j], c]))) };
}

/** Runs the real binary in a child process. */
function spawnBin(argv: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['bin/saddle.js', ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill(), 120_000); // a guard against a hung child, generous for a busy machine
    child.on('close', (status) => { clearTimeout(timer); done({ status, stdout, stderr }); });
  });
}

let dir: string;
let binRun: ReturnType<typeof spawnBin>;
let binWorkers: ReturnType<typeof spawnBin>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'saddle-cli-'));
  binRun = spawnBin(['solve', 'equations/ridge.yaml', '--set', 'alpha=2,lambda=0.1,Delta=0.5', '--json']);
  // the worker threads' entry as the bin finds it (dist/bundle/trial-worker.js in a build, the tsx entry in src/)
  binWorkers = spawnBin(['simulate', 'ridge', '--set', 'alpha=2,lambda=0.1,Delta=0.5', '--d', '60', '--trials', '4', '--workers', '2', '--json']);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('saddle solve', () => {
  it('--json prints one parseable object with status converged', async () => {
    const r = await run('solve', 'ridge', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out) as { status: string; params: Record<string, number>; state: Record<string, number> };
    expect(j.status).toBe('converged');
    expect(j.params).toEqual({ alpha: 2, lambda: 0.1, Delta: 0.5 });
    expect(Number.isFinite(j.state.q)).toBe(true);
  });

  it('prints a table without --json', async () => {
    const r = await run('solve', 'ridge', '--set', 'alpha=3');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/init uninformed: converged after \d+ iterations/);
    expect(r.out).toMatch(/gen_error/);
  });

  it('exits 3 when the solve does not converge, and still prints the result', async () => {
    const r = await run('solve', 'ridge', '--max-iterations', '2', '--json');
    expect(r.code).toBe(3);
    const j = JSON.parse(r.out) as { status: string; iterations: number; message?: string };
    expect(j.status).not.toBe('converged');
    expect(j.iterations).toBe(2);
    expect(j.message).toBeDefined();
  });

  it('exits 2 with a located message and no stack trace for a malformed model file', async () => {
    const file = join(dir, 'bad.yaml');
    const text = `name: bad
description: a model with a misspelled parameter
params:
  lambda: 0.1
order_params:
  q: { init: 0.5 }
updates:
  q: 1 / (1 + lamda + q)
`;
    writeFileSync(file, text);
    for (const command of ['solve', 'check', 'sweep']) {
      const r = await run(command, file, ...(command === 'sweep' ? ['--param', 'lambda=0.1:1:3'] : []));
      expectInputError(r);
      expect(r.err).toContain(`${file}:8:15: error[unknown-symbol] \`lamda\`: unknown symbol \`lamda\``);
      expect(r.err).toContain('hint: did you mean `lambda`?');
      expect(r.err).toMatch(/1 mistake found\.$/);
    }
  });

  it('exits 2 with a located message for a YAML syntax error', async () => {
    const file = join(dir, 'broken-yaml.yaml');
    writeFileSync(file, 'name: broken\nparams:\n  alpha: 1\n   lambda: 2\n');
    const r = await run('solve', file);
    expectInputError(r);
    expect(r.err).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error\\[yaml-syntax\\]`));
  });

  it('exits 2 for an unknown parameter in --set, suggesting the right one', async () => {
    const r = await run('solve', 'ridge', '--set', 'lamda=0.1');
    expectInputError(r);
    expect(r.err).toContain('has no parameter `lamda`');
    expect(r.err).toContain('did you mean `lambda`?');
  });

  it('exits 2 for a parameter value outside its declared range', async () => {
    const r = await run('solve', 'ridge', '--set', 'lambda=-1');
    expectInputError(r);
    expect(r.err).toMatch(/outside its declared range/);
  });

  it('exits 2 for a --set that is not name=number', async () => {
    const r = await run('solve', 'ridge', '--set', 'alpha=two');
    expectInputError(r);
    expect(r.err).toMatch(/cannot read `--set alpha=two`/);
  });

  it('exits 2 for an unknown model name, suggesting a built-in one', async () => {
    const r = await run('solve', 'ridg');
    expectInputError(r);
    expect(r.err).toContain('no model file `ridg`');
    expect(r.err).toContain('did you mean `ridge`?');
  });

  it('exits 2 for an unknown option', async () => {
    const r = await run('solve', 'ridge', '--frobnicate');
    expectInputError(r);
    expect(r.err).toMatch(/--frobnicate/);
  });

  it('exits 2 for a bad option value', async () => {
    const r = await run('solve', 'ridge', '--damping', '2');
    expectInputError(r);
    expect(r.err).toMatch(/--damping 2 is not a valid value/);
  });
});

describe('saddle (top level)', () => {
  it('exits 2 for an unknown command, listing the commands', async () => {
    const r = await run('slove', 'ridge');
    expectInputError(r);
    expect(r.err).toMatch(/unknown command `slove`/);
    for (const c of ['solve', 'sweep', 'threshold', 'phase', 'merge', 'check', 'simulate', 'verify', 'report', 'list', 'demo']) expect(r.err).toMatch(new RegExp(`commands: .*\\b${c}\\b`));
    expect(r.err).toMatch(/did you mean `solve`/);
  });

  it('--help and no arguments print the usage and exit 0', async () => {
    for (const argv of [['--help'], [], ['-h']]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^saddle:/);
      expect(r.out).toMatch(/Exit codes/);
    }
  });

  it.each(['solve', 'sweep', 'check', 'list', 'demo'])('%s --help prints its usage and exits 0', async (command) => {
    const r = await run(command, '--help');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.startsWith(`saddle ${command}`)).toBe(true);
    const viaHelp = await run('help', command);
    expect(viaHelp).toEqual(r);
  });
});

describe('saddle check and list', () => {
  it('check prints a summary', async () => {
    const r = await run('check', 'ridge');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ridge: ok/);
    expect(r.out).toMatch(/parameters:\n {2}alpha = 2/);
    expect(r.out).toContain(`updates, in order: ${ridgeColumns().state.join(' -> ')}`);
    expect(r.out).toContain(`observables: ${ridgeColumns().observables.join(', ')}`);
    expect(r.out).not.toContain('function update');
  });

  it('check --debug also prints the generated code', async () => {
    const r = await run('check', 'perceptron-bayes', '--debug');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^perceptron-bayes: ok/);
    expect(r.out).toContain('random variables:');
    expect(r.out).toContain('function update');
    expect(r.out).toContain('function observables');
  });

  it('check takes exactly one model', async () => {
    expectInputError(await run('check'));
    expectInputError(await run('check', 'ridge', 'perceptron-bayes'));
  });

  it('list lists the built-in models with a summary', async () => {
    const r = await run('list');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ *ridge +Ridge regression/m);
    expect(r.out).toMatch(/^ *perceptron-bayes +Bayes-optimal/m);
  });
});

describe('saddle sweep', () => {
  const { state, observables } = ridgeColumns();
  const tail = ['status', 'iterations', 'residual', 'branch', 'selected', 'warning', 'model', 'model_sha256', 'data_sha256', 'saddle_version'];
  const sha256 = createHash('sha256').update(readFileSync(join(ROOT, 'equations/ridge.yaml'), 'utf8')).digest('hex');

  it('--out x.csv: swept parameter, the other parameters, order parameters, observables, the record of the solve and its origin; one row per point', async () => {
    const file = join(dir, 'line.csv');
    const r = await run('sweep', 'ridge', '--param', 'alpha=0.5:3:5', '--set', 'lambda=0.1', '--out', file);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('5 points, 5 converged, 0 not converged');
    expect(r.out).toContain(`rows written to ${file}`);
    const { header, rows } = readCsv(file);
    expect(header).toEqual(['alpha', 'lambda', 'Delta', ...state, ...observables, ...tail]);
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => Number(row.alpha))).toEqual([0.5, 1.125, 1.75, 2.375, 3]);
    for (const row of rows) {
      expect(row.status).toBe('converged');
      expect(row.branch).toBe('forward');
      expect(Number.isFinite(Number(row.gen_error))).toBe(true);
      expect(Number(row.residual)).toBeLessThan(1e-8);
      // every parameter's value (the fixed ones too) and where the numbers come from
      expect([Number(row.lambda), Number(row.Delta)]).toEqual([0.1, 0.5]);
      expect([row.model, row.model_sha256, row.saddle_version]).toEqual(['ridge', sha256, VERSION]);
    }
  });

  it('--direction both writes both branches: 2 x COUNT rows', async () => {
    const file = join(dir, 'both.csv');
    const r = await run('sweep', 'ridge', '--param', 'alpha=0.5:3:5', '--direction', 'both', '--out', file);
    expect(r.code).toBe(0);
    const { rows } = readCsv(file);
    expect(rows).toHaveLength(10);
    expect(rows.map((row) => row.branch)).toEqual([...Array(5).fill('forward'), ...Array(5).fill('backward')]);
    expect(rows.slice(5).map((row) => Number(row.alpha))).toEqual([3, 2.375, 1.75, 1.125, 0.5]);
  });

  it('--out x.json writes JSON rows', async () => {
    const file = join(dir, 'line.json');
    const r = await run('sweep', 'ridge', '--param', 'alpha=0.5:3:4', '--out', file);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(file, 'utf8')) as {
      model: string; columns: string[]; rows: Record<string, unknown>[]; axes: { name: string; values: number[] }[];
    };
    expect(j.model).toBe('ridge');
    expect(j.columns).toEqual(['alpha', 'lambda', 'Delta', ...state, ...observables, ...tail]);
    expect(j).toMatchObject({ model: 'ridge', model_sha256: sha256, saddle_version: VERSION });
    expect(j.axes).toEqual([{ name: 'alpha', values: [0.5, 4 / 3, 13 / 6, 3].map((v) => expect.closeTo(v, 10)) }]); // grid values are rounded to 12 significant digits
    expect(j.rows).toHaveLength(4);
    for (const row of j.rows) {
      expect(Object.keys(row)).toEqual(j.columns);
      expect(row.status).toBe('converged');
      expect(typeof row.gen_error).toBe('number');
    }
  });

  it('--plot x.svg writes an SVG', async () => {
    const file = join(dir, 'line.svg');
    const r = await run('sweep', 'ridge', '--param', 'alpha=0.5:3:5', '--y', 'gen_error,train_error', '--plot', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`plot written to ${file}`);
    const svg = readFileSync(file, 'utf8');
    expect(svg).toMatch(/<svg[\s>]/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('two --param give a grid of COUNT1 x COUNT2 rows', async () => {
    const file = join(dir, 'grid.csv');
    const r = await run('sweep', 'ridge', '--param', 'alpha=0.5:3:4', '--param', 'lambda=0.05:1:3', '--out', file);
    expect(r.code).toBe(0);
    const { header, rows } = readCsv(file);
    expect(header.slice(0, 2)).toEqual(['alpha', 'lambda']);
    expect(header.slice(2)).toEqual(['Delta', ...state, ...observables, ...tail]);
    expect(rows).toHaveLength(12);
    const pairs = new Set(rows.map((row) => `${row.alpha}|${row.lambda}`));
    expect(pairs.size).toBe(12);
    expect(rows.every((row) => row.status === 'converged')).toBe(true);
  });

  it('exits 3 when some points do not converge, and still writes every row', async () => {
    const file = join(dir, 'failing.csv');
    const r = await run('sweep', 'ridge', '--param', 'alpha=0.5:3:3', '--max-iterations', '2', '--out', file);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/3 points, 0 converged, 3 not converged/);
    const { rows } = readCsv(file);
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => row.status !== 'converged')).toBe(true);
  });

  it('exits 2 for a bad --param', async () => {
    const r = await run('sweep', 'ridge', '--param', 'alpha=0.1:4');
    expectInputError(r);
    expect(r.err).toMatch(/cannot read the sweep range `alpha=0.1:4`/);
    expect(r.err).toMatch(/NAME=START:STOP:COUNT/);
  });

  it('exits 2 for a swept parameter the model does not have, suggesting one', async () => {
    const r = await run('sweep', 'ridge', '--param', 'alpfa=0.1:4:5');
    expectInputError(r);
    expect(r.err).toContain('did you mean `alpha`?');
  });

  it('exits 2 without --param, and for a bad --direction or --out extension', async () => {
    expectInputError(await run('sweep', 'ridge'));
    expectInputError(await run('sweep', 'ridge', '--param', 'alpha=1:2:3', '--direction', 'sideways'));
    expectInputError(await run('sweep', 'ridge', '--param', 'alpha=1:2:3', '--out', join(dir, 'x.txt')));
    expectInputError(await run('sweep', 'ridge', '--param', 'alpha=1:2:3', '--y', 'gen_eror'));
  });
});

describe('the bin', () => {
  // Started in beforeAll (the cold start through tsx takes seconds) and awaited here, after the in-process tests.
  it('node bin/saddle.js solve equations/ridge.yaml --set ... --json exits 0 with the JSON result', async () => {
    const r = await binRun;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const k of ['model', 'params', 'status', 'iterations', 'residual', 'state', 'observables']) expect(j).toHaveProperty(k);
    expect(j.model).toBe('ridge');
    expect(j.params).toEqual({ alpha: 2, lambda: 0.1, Delta: 0.5 });
    expect(j.status).toBe('converged');
    expect(typeof j.iterations).toBe('number');
    expect(j.residual as number).toBeLessThan(1e-8);
    expect(Object.keys(j.state as object)).toEqual(ridgeColumns().state);
    expect(Object.keys(j.observables as object)).toEqual(ridgeColumns().observables);
  }, 150_000);

  it('node bin/saddle.js simulate ... --workers 2 runs its trials on worker threads and exits 0', async () => {
    const r = await binWorkers;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { model: string; trials: number; summary: Record<string, { mean: number; trials: number }> };
    expect(j.model).toBe('ridge');
    expect(j.trials).toBe(4);
    expect(j.summary.m.trials).toBe(4);
    expect(Number.isFinite(j.summary.m.mean)).toBe(true);
  }, 150_000);
});
