import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../util/cli.ts';


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
  }, 60_000);

  it('verify can fail: a perturbed theory (simulation at lambda = 1, theory at 0.1) exits 1', async () => {
    const r = await run('verify', perturbed, ...point, '--d', '400', '--trials', '6');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/disagree/);
  }, 60_000);

  it('the same command gives the same numbers bit for bit, on worker threads or not; another seed gives others; seeds are recorded', async () => {
    // a on worker threads, b in-process: a trial's numbers depend on its seed only
    const a = await run('simulate', 'equations/ridge.yaml', ...point, '--d', '200', '--trials', '3', '--seed', '7', '--json', '--workers', '2');
    const b = await run('simulate', 'equations/ridge.yaml', ...point, '--d', '200', '--trials', '3', '--seed', '7', '--json', '--workers', '1');
    const c = await run('simulate', 'equations/ridge.yaml', ...point, '--d', '200', '--trials', '3', '--seed', '8', '--json', '--workers', '1');
    expect(a.code).toBe(0);
    const strip = (s: string) => JSON.stringify(JSON.parse(s).runs.map((x: { values: unknown }) => x.values));
    expect(strip(a.out)).toBe(strip(b.out));
    expect(strip(a.out)).not.toBe(strip(c.out));
    const j = JSON.parse(a.out);
    expect(j.seed).toBe(7);
    expect(j.runs.map((x: { trial: number }) => x.trial)).toEqual([0, 1, 2]);
    expect(j.n).toBe(400);
    expect(j.runs.every((x: { converged: boolean; certificate: number }) => x.converged && x.certificate <= 1e-8)).toBe(true);
  }, 60_000);

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
  }, 60_000);

  it('sweep --simulate adds mean and SE columns per measured quantity, and error bars to the plot', async () => {
    const csv = join(dir, 'sweep.csv');
    const svg = join(dir, 'sweep.svg');
    const r = await run('sweep', 'equations/ridge.yaml', '--param', 'alpha=0.5:2:3', '--set', 'lambda=0.1,Delta=0.5',
      '--simulate', 'd=150,trials=3,seed=5', '--out', csv, '--plot', svg, '--y', 'gen_error');
    expect(r.code).toBe(0);
    const [head, ...lines] = readFileSync(csv, 'utf8').trim().split('\n');
    const cols = head.split(',');
    for (const c of ['sim_m', 'sim_m_se', 'sim_gen_error', 'sim_gen_error_se', 'sim_trials', 'sim_d', 'sim_seed']) expect(cols).toContain(c);
    expect(lines.length).toBe(3);
    const row = Object.fromEntries(cols.map((c, i) => [c, lines[1].split(',')[i]]));
    expect(Number(row.sim_trials)).toBe(3);
    expect(Number(row.sim_d)).toBe(150);
    expect(Number(row.sim_seed)).toBe(5);
    // the simulation mean sits within a few SE of the theory (alpha = 1.25)
    expect(Math.abs(Number(row.sim_gen_error) - Number(row.gen_error))).toBeLessThan(5 * Number(row.sim_gen_error_se) + 0.02);
    expect(readFileSync(svg, 'utf8')).toMatch(/open circles: simulation/);
    const bad = await run('sweep', 'equations/ridge.yaml', '--param', 'alpha=0.5:2:3', '--simulate', 'trials=3');
    expect(bad.code).toBe(2);
  }, 60_000);

  it('sweep --simulate runs the trials on worker threads: the CSV is the same byte for byte with --workers 1 (in-process) and 2', async () => {
    const csv = (workers: string) => join(dir, `workers-${workers}.csv`);
    for (const w of ['1', '2']) {
      const r = await run('sweep', 'equations/ridge.yaml', '--param', 'alpha=0.5:2:3', '--set', 'lambda=0.1,Delta=0.5',
        '--simulate', 'd=120,trials=3,seed=9', '--workers', w, '--out', csv(w));
      expect(r.code).toBe(0);
    }
    const text = readFileSync(csv('1'), 'utf8');
    expect(readFileSync(csv('2'), 'utf8')).toBe(text);
    expect(text.trim().split('\n')).toHaveLength(4);
    const bad = await run('sweep', 'equations/ridge.yaml', '--param', 'alpha=0.5:2:3', '--workers', '2');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--workers runs the trials of --simulate/);
  }, 60_000);
});
