import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/base/version.ts';
import { RETCODES } from '../../src/base/retcode.ts';
import { runCli } from '../util/cli.ts';

/**
 * Results carry their origin, in formats that table readers take without traps (issue: pandas read the status
 * `nan` as a missing value, lost the fixed parameters, and found `selected` always empty with several branches).
 */

const dir = mkdtempSync(join(tmpdir(), 'saddle-origin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (model: string) => createHash('sha256').update(readFileSync(join(import.meta.dirname, `../../equations/${model}.yaml`), 'utf8')).digest('hex');

/** A small RFC 4180 reader for files without quoted line breaks. */
function readCsv(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const cells = (l: string) => [...l.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"'));
  const cols = cells(head);
  return lines.map((l) => Object.fromEntries(cells(l).map((c, j) => [cols[j], c])));
}

/** What pandas.read_csv reads as a missing value by default. */
const PANDAS_NA = ['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null'];

describe('results carry their origin', () => {
  it('sweep logistic --param alpha=0.5:2:3 --set lambda=0.01 --out x.csv: a lambda column of 0.01, the model, its sha256 and the version on every row', async () => {
    const file = join(dir, 'x.csv');
    const r = await runCli('sweep', 'logistic', '--param', 'alpha=0.5:2:3', '--set', 'lambda=0.01', '--out', file);
    expect(r.code, r.err).toBe(0);
    const rows = readCsv(file);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(Number(row.lambda)).toBe(0.01);
      expect(row).toMatchObject({ model: 'logistic', model_sha256: sha('logistic'), saddle_version: VERSION, status: 'converged' });
    }
  });

  it('no status word is one that pandas reads as a missing value', () => {
    for (const s of RETCODES) expect(PANDAS_NA).not.toContain(s);
  });

  it('--init all: the CSV has `selected` filled in (the equilibrium of each point), as the JSON does', async () => {
    const csv = join(dir, 'branches.csv');
    const json = join(dir, 'branches.json');
    const args = ['sweep', 'perceptron-binary-bayes', '--param', 'alpha=1:1.6:4', '--init', 'all'];
    expect((await runCli(...args, '--out', csv)).code).toBe(0);
    expect((await runCli(...args, '--out', json)).code).toBe(0);
    const rows = readCsv(csv);
    expect(rows).toHaveLength(8);
    expect(rows.every((row) => row.selected === 'true' || row.selected === 'false')).toBe(true);
    // one selected branch at each point
    for (const alpha of new Set(rows.map((row) => row.alpha))) {
      expect(rows.filter((row) => row.alpha === alpha && row.selected === 'true')).toHaveLength(1);
    }
    const j = JSON.parse(readFileSync(json, 'utf8')) as { rows: { alpha: number; selected: string }[] };
    expect(j.rows.map((row) => row.selected)).toEqual(rows.map((row) => row.selected));
  });

  it('a non-finite number is null in JSON outputs', async () => {
    const r = await runCli('solve', 'test/fixtures/toy-statuses.yaml', '--set', 'mode=1', '--json');
    const j = JSON.parse(r.out) as { status: string; residual: unknown };
    expect(j.status).toBe('non-finite');
    expect(j.residual).toBeNull();
  });

  it('solve --json carries every parameter, the model, its sha256 and the version', async () => {
    const r = await runCli('solve', 'ridge', '--set', 'alpha=2', '--json');
    expect(JSON.parse(r.out)).toMatchObject({ model: 'ridge', model_sha256: sha('ridge'), saddle_version: VERSION, params: { alpha: 2, lambda: 0.1, Delta: 0.5 } });
  });

  it('an option that takes one value, given twice, is refused (a second --out was dropped without a word)', async () => {
    const r = await runCli('sweep', 'ridge', '--param', 'alpha=1:2:2', '--out', join(dir, 'a.csv'), '--out', join(dir, 'b.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('--out is given twice');
  });

  it('simulate --out x.csv is refused: it writes JSON', async () => {
    const r = await runCli('simulate', 'ridge', '--d', '20', '--trials', '2', '--out', join(dir, 'x.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('simulate writes JSON');
  });
});
