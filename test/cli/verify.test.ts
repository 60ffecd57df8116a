import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dir = mkdtempSync(join(tmpdir(), 'saddle-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ridge = readFileSync('equations/ridge.yaml', 'utf8');
/** The same model whose simulation fits lambda = 1 while the theory is solved at the file's lambda. */
const perturbed = join(dir, 'ridge-perturbed.yaml');
writeFileSync(perturbed, ridge.replace('estimator: ridge(lambda)', 'estimator: ridge(1)'));

describe('saddle simulate / verify on ridge', () => {
  const point = ['--set', 'alpha=2,lambda=0.1,Delta=0.5'];

  it('verify passes for the ridge theory (d = 400, 6 trials) and reports every measured quantity', async () => {
    const r = await run('verify', 'equations/ridge.yaml', ...point, '--d', '400', '--trials', '6', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.pass).toBe(true);
    expect(j.points[0].rows.map((x: { quantity: string }) => x.quantity)).toEqual(['m', 'q', 'estimation_error', 'gen_error', 'train_error']);
    for (const row of j.points[0].rows) expect(Math.abs(row.z)).toBeLessThanOrEqual(4);
  });

  it('verify can fail: a perturbed theory (simulation at lambda = 1, theory at 0.1) exits 1', async () => {
    const r = await run('verify', perturbed, ...point, '--d', '400', '--trials', '6');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/disagree/);
  });

  it('the same command gives the same numbers bit for bit; another seed gives others; seeds are recorded', async () => {
    const a = await run('simulate', 'equations/ridge.yaml', ...point, '--d', '200', '--trials', '3', '--seed', '7', '--json');
    const b = await run('simulate', 'equations/ridge.yaml', ...point, '--d', '200', '--trials', '3', '--seed', '7', '--json');
    const c = await run('simulate', 'equations/ridge.yaml', ...point, '--d', '200', '--trials', '3', '--seed', '8', '--json');
    expect(a.code).toBe(0);
    const strip = (s: string) => JSON.stringify(JSON.parse(s).runs.map((x: { values: unknown }) => x.values));
    expect(strip(a.out)).toBe(strip(b.out));
    expect(strip(a.out)).not.toBe(strip(c.out));
    const j = JSON.parse(a.out);
    expect(j.seed).toBe(7);
    expect(j.runs.map((x: { trial: number }) => x.trial)).toEqual([0, 1, 2]);
    expect(j.n).toBe(400);
    expect(j.runs.every((x: { converged: boolean; certificate: number }) => x.converged && x.certificate <= 1e-8)).toBe(true);
  });

  it('bad input: no --d, no simulation section, a misspelled piece (file:line:col), all exit 2', async () => {
    expect((await run('verify', 'equations/ridge.yaml')).code).toBe(2);
    const none = await run('simulate', 'equations/gardner.yaml', '--d', '100');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no `simulation:` section/);
    const typo = join(dir, 'typo.yaml');
    writeFileSync(typo, ridge.replace('estimator: ridge(lambda)', 'estimator: ridgee(lamda)'));
    const t = await run('verify', typo, '--d', '100');
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/typo\.yaml:\d+:\d+: error\[unknown-piece\] `ridgee`/);
    expect(t.err).toMatch(/did you mean `ridge`/);
  });
});
