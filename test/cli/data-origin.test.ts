import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataFilesText, parseDataFilesText } from '../../src/ir/data-files.ts';
import { phaseHeader } from '../../src/phase/run.ts';
import type { PhaseSpec } from '../../src/phase/spec.ts';
import { loadModel } from '../../src/pipeline/load.ts';
import { runCli } from '../util/cli.ts';

/**
 * A model that reads an empirical spectrum (`law: spectrum, file: ...`) is the model file and the spectrum: every
 * output that records the model file's sha256 records the spectrum's as `data_sha256` (issue 14), so that two
 * results computed on different spectra by the same model file are told apart. The hash is checked against one
 * computed here with node:crypto from the file's bytes.
 */
const dir = mkdtempSync(join(tmpdir(), 'saddle-data-origin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The 400-mode spectrum of gcm-ridge's tests (test/models/gcm-ridge.test.ts), and gcm-ridge reading it twice. */
function writeModel(): { model: string; spectrum: string } {
  const p = 400;
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const lines = ['# omega, teacher power'];
  for (let i = 0; i < p; i++) {
    const omega = (i + 1) ** -1.3 * (0.5 + rand());
    lines.push(`${omega} ${omega * rand() * 2 / p}`);
  }
  const spectrum = join(dir, 'spectrum.txt');
  writeFileSync(spectrum, lines.join('\n'));
  const text = readFileSync('equations/gcm-ridge.yaml', 'utf8')
    .replace(/^ {2}s: \{ law: power-law.*$/m, '  s: { law: spectrum, file: spectrum.txt, weights: modes }')
    .replace(/^ {2}st: \{ law: power-law.*$/m, '  st: { law: spectrum, file: spectrum.txt, weights: teacher }');
  const model = join(dir, 'gcm.yaml');
  writeFileSync(model, text);
  return { model, spectrum };
}

const sha256Of = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The first data row of a CSV whose cells hold no comma (a row of a sweep of this model), by column. */
function firstRow(file: string): Record<string, string> {
  const [head, row] = readFileSync(file, 'utf8').split('\n');
  const cols = head.split(',');
  const cells = row.split(',');
  return Object.fromEntries(cols.map((c, j) => [c, cells[j]]));
}

describe('data_sha256: the sha256 of the data files a model reads', () => {
  const { model, spectrum } = writeModel();

  it('is in the model identity, once per file (two variables read the same file), and in a phase file\'s header', () => {
    const expected = [{ file: 'spectrum.txt', sha256: sha256Of(spectrum) }];
    expect(loadModel(model).program.info.data).toEqual(expected);
    expect(loadModel('equations/ridge.yaml').program.info.data).toEqual([]);
    // a phase file resumes only a run with the same header: another spectrum is another computation; a model
    // without data files keeps the header it had before
    const spec = { file: model, load: {}, x: { name: 'n', values: [100], log: false }, y: { name: 'lambda', values: [1], log: false },
      fixed: {}, inits: ['uninformed'], lines: [], solver: {}, tol: 1e-6 } satisfies PhaseSpec;
    expect(phaseHeader(loadModel(model), spec).data_sha256).toEqual(expected);
    expect('data_sha256' in phaseHeader(loadModel('equations/ridge.yaml'), spec)).toBe(false);
  });

  it('solve --json, sweep (CSV and JSON), fit and threshold print it; it changes with the file', async () => {
    const expected = [{ file: 'spectrum.txt', sha256: sha256Of(spectrum) }];
    const solved = await runCli('solve', model, '--set', 'n=100', '--json');
    expect(solved.code, solved.err).toBe(0);
    expect(JSON.parse(solved.out).data_sha256).toEqual(expected);

    const csv = join(dir, 'sweep.csv');
    const json = join(dir, 'sweep.json');
    for (const out of [csv, json]) expect((await runCli('sweep', model, '--param', 'n=100:300:3', '--out', out)).code).toBe(0);
    expect(firstRow(csv).data_sha256).toBe(`spectrum.txt:${expected[0].sha256}`);
    const sweepJson = JSON.parse(readFileSync(json, 'utf8'));
    expect(sweepJson.data_sha256).toEqual(expected);
    expect(sweepJson.rows[0].data_sha256).toBe(`spectrum.txt:${expected[0].sha256}`);
    // fit reads the origin back from either file
    for (const file of [csv, json]) {
      const fit = await runCli('fit', file, '--y', 'excess_risk', '--json');
      expect(fit.code, fit.err).toBe(0);
      expect(JSON.parse(fit.out).data_sha256).toEqual(expected);
    }
    const threshold = await runCli('threshold', model, '--param', 'n=100:1000', '--kind', 'level', '--observable', 'excess_risk', '--level', '0.05', '--json');
    expect(JSON.parse(threshold.out).data_sha256).toEqual(expected);
    const optimum = await runCli('optimize', model, '--minimize', 'test_error', '--over', 'lambda', '--set', 'n=300,Delta=0.5', '--scan', '8', '--json');
    expect(JSON.parse(optimum.out).data_sha256).toEqual(expected);
    const along = join(dir, 'optimize.csv');
    expect((await runCli('sweep', model, '--param', 'n=100:300:2', '--optimize', 'lambda', '--minimize', 'test_error', '--set', 'Delta=0.5', '--scan', '8', '--out', along)).err).toBe('');
    expect(firstRow(along).data_sha256).toBe(`spectrum.txt:${expected[0].sha256}`);

    // one more entry in the spectrum: another computation, another hash, the model file's unchanged
    const before = JSON.parse(solved.out);
    appendFileSync(spectrum, '\n1e-6 1e-9');
    const after = JSON.parse((await runCli('solve', model, '--set', 'n=100', '--json')).out);
    expect(after.model_sha256).toBe(before.model_sha256);
    expect(after.data_sha256).toEqual([{ file: 'spectrum.txt', sha256: sha256Of(spectrum) }]);
    expect(after.data_sha256[0].sha256).not.toBe(expected[0].sha256);
  }, 120_000);

  it('is empty for a model that reads no data file', async () => {
    const r = await runCli('solve', 'ridge', '--set', 'alpha=2', '--json');
    expect(JSON.parse(r.out).data_sha256).toEqual([]);
    const csv = join(dir, 'ridge.csv');
    expect((await runCli('sweep', 'ridge', '--param', 'alpha=1:2:2', '--out', csv)).code).toBe(0);
    expect(firstRow(csv).data_sha256).toBe('');
  }, 60_000);

  it('the CSV cell reads back as it was written, a path with colons included', () => {
    const files = [{ file: 'a:b/spec.txt', sha256: 'ab'.repeat(32) }, { file: 'c.txt', sha256: '01'.repeat(32) }];
    expect(parseDataFilesText(dataFilesText(files))).toEqual(files);
    expect(parseDataFilesText('')).toEqual([]);
    expect(parseDataFilesText('no-hash-here')).toBeUndefined();
  });
});
