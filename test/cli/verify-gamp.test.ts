import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../util/cli.ts';


interface Row { quantity: string; theory: number; mean: number; se: number; z: number; pass: boolean }

const dir = mkdtempSync(join(tmpdir(), 'saddle-verify-gamp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `saddle verify` passes, with every row within the tolerance; returns the rows. */
async function verifies(model: string, set: string, d: number, ...more: string[]): Promise<Row[]> {
  const r = await run('verify', model, '--set', set, '--d', String(d), '--trials', '8', '--workers', '2', '--json', ...more);
  const j = JSON.parse(r.out);
  for (const row of j.points[0].rows as Row[]) expect(row.pass, `${model} ${set}: ${JSON.stringify(row)}`).toBe(true);
  expect(r.code).toBe(0);
  return j.points[0].rows;
}
const value = (rows: Row[], q: string) => rows.find((r) => r.quantity === q)!;

/**
 * GAMP (estimator `gamp`) against the fixed point of its state evolution on both sides of a transition, at
 * d >= 1000 and the documented tolerance |z| <= 4. GAMP starts uninformed, so it is compared with the branch of
 * the `uninformed` start (verify's default).
 */
describe('saddle verify: Bayes-optimal GLMs through GAMP on both sides of their transitions', () => {
  it('perceptron-binary-bayes: alpha = 1.0 (low branch, below alpha_IT ~ 1.245) and 1.7 (perfect recovery, above alpha_alg ~ 1.493)', async () => {
    const low = await verifies('perceptron-binary-bayes', 'alpha=1', 1000);
    expect(value(low, 'mse').theory).toBeCloseTo(0.4393, 3);
    const high = await verifies('perceptron-binary-bayes', 'alpha=1.7', 1000);
    expect(value(high, 'mse').mean).toBeLessThan(1e-12);
    expect(value(high, 'test_error').mean).toBe(0);
  }, 60_000);

  it('perceptron-binary-bayes with label noise eps = 0.05 at alpha = 1: the noisy channel and the noisy test error', async () => {
    const noisy = await verifies('perceptron-binary-bayes', 'alpha=1,eps=0.05', 2000);
    // a flipped label is an error of a classifier that agrees with the teacher: eps + (1 - 2 eps) acos(sqrt q) / pi
    const q = value(noisy, 'q').theory;
    expect(value(noisy, 'test_error').theory).toBeCloseTo(0.05 + 0.9 * Math.acos(Math.sqrt(q)) / Math.PI, 12);
  }, 60_000);

  it('cs-bayes (rho = 0.1, Delta = 1e-6): easy phase alpha = 0.3, hard phase alpha = 0.18 (GAMP stays on the uninformed branch)', async () => {
    const easy = await verifies('cs-bayes', 'alpha=0.3,rho=0.1,Delta=1e-6', 2000);
    expect(value(easy, 'mse').theory).toBeLessThan(1e-6);
    const hard = await verifies('cs-bayes', 'alpha=0.18,rho=0.1,Delta=1e-6', 2000);
    expect(value(hard, 'mse').theory).toBeGreaterThan(0.3);
    // the check discriminates: the informed branch (the equilibrium there) is not what GAMP reaches
    const informed = await run('verify', 'cs-bayes', '--set', 'alpha=0.18,rho=0.1,Delta=1e-6', '--d', '2000', '--trials', '8', '--workers', '2', '--init', 'informed');
    expect(informed.code).toBe(1);
  }, 120_000);

  it('relu-bayes below and above perfect recovery (alpha = 1, 2.5)', async () => {
    await verifies('relu-bayes', 'alpha=1', 1000);
    const high = await verifies('relu-bayes', 'alpha=2.5', 1000);
    expect(value(high, 'mse').mean).toBeLessThan(1e-9);
  }, 120_000);

  it('phase-retrieval-bayes above alpha_alg (1.5), GAMP from a random start', async () => {
    const pr = await verifies('phase-retrieval-bayes', 'alpha=1.5', 1000, '--init', 'small');
    expect(value(pr, 'm').mean).toBeGreaterThan(0.9); // aligned with the teacher's sign
  }, 60_000);
});

describe('saddle verify --trajectory: GAMP against state evolution at each iteration', () => {
  it('perceptron-bayes alpha = 2, t = 0..12: every |z| <= 4; the table and the JSON', async () => {
    const r = await run('verify', 'perceptron-bayes', '--set', 'alpha=2', '--d', '1000', '--trials', '6', '--workers', '2', '--trajectory', '12', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.pass).toBe(true);
    expect(j.iterations).toBe(12);
    const steps = j.points[0].steps as { t: number; rows: Row[] }[];
    expect(steps.map((s) => s.t)).toEqual([...Array(13).keys()]);
    expect(steps[0].rows.map((x) => x.quantity)).toEqual(['m', 'q', 'mse', 'gen_error']);
    expect(steps[0].rows[0]).toMatchObject({ theory: 0, mean: 0 });
    const text = await run('verify', 'perceptron-bayes', '--set', 'alpha=2', '--d', '300', '--trials', '3', '--workers', '1', '--trajectory', '3');
    expect(text.out).toMatch(/GAMP iterate t against state evolution step t/);
    expect(text.out).toMatch(/^gen_error:$/m);
    expect(text.out).toMatch(/every \|z\| <= 4 at every iteration/);
  }, 60_000);

  it('bad input: --trajectory with an ERM estimator, with --sizes, a gamp estimator on a model without glm section', async () => {
    const ridge = await run('verify', 'ridge', '--d', '100', '--trajectory', '5');
    expect(ridge.code).toBe(2);
    expect(ridge.err).toMatch(/estimator .* is `ridge`/);
    expect((await run('verify', 'perceptron-bayes', '--d', '100', '--trajectory', '5', '--sizes', '50')).code).toBe(2);
    expect((await run('verify', 'perceptron-bayes', '--d', '100', '--trajectory', '0')).code).toBe(2);
    const file = join(dir, 'ridge-gamp.yaml');
    writeFileSync(file, readFileSync('equations/ridge.yaml', 'utf8').replace('estimator: ridge(lambda)', 'estimator: gamp'));
    const noGlm = await run('simulate', file, '--d', '100');
    expect(noGlm.code).toBe(2);
    expect(noGlm.err).toMatch(/ridge-gamp\.yaml:\d+:\d+: error\[unknown-function\] `fa`: the gamp estimator/);
    expect(noGlm.err).toMatch(/glm: \{ prior, channel \}/);
    // one piece, one law: the glm prior gauss-bernoulli(rho) has second moment 1, and so has the teacher
    // gauss-bernoulli(rho) (= gauss-bernoulli(rho, 1)); gauss-bernoulli(rho, rho) (nonzero entries N(0, 1)) is another law
    const mismatch = join(dir, 'cs-teacher.yaml');
    writeFileSync(mismatch, readFileSync('equations/cs-bayes.yaml', 'utf8').replace('teacher: gauss-bernoulli(rho)', 'teacher: gauss-bernoulli(rho, rho)'));
    const mm = await run('simulate', mismatch, '--d', '100');
    expect(mm.code).toBe(2);
    expect(mm.err).toMatch(/cs-teacher\.yaml:\d+:\d+: error\[bad-value\] `gauss-bernoulli`: the teacher `gauss-bernoulli\(rho, rho\)` is not the glm prior/);
    expect(mm.err).toMatch(/write `teacher: gauss-bernoulli\(rho\)`/);
    const badDamping = join(dir, 'perceptron-damping.yaml');
    writeFileSync(badDamping, readFileSync('equations/perceptron-bayes.yaml', 'utf8').replace('estimator: gamp', 'estimator: gamp(2)'));
    const bd = await run('simulate', badDamping, '--d', '100');
    expect(bd.code).toBe(2);
    expect(bd.err).toMatch(/damping must be in \(0, 1\]/);
  }, 60_000);
});

describe('saddle simulate --trajectory: GAMP iterate by iterate, mean +- se over the trials', () => {
  it('reports every iterate t = 0..T; the same numbers as verify --trajectory (same seeds), on worker threads or in-process', async () => {
    const args = ['perceptron-bayes', '--set', 'alpha=2', '--d', '300', '--trials', '3', '--seed', '4', '--trajectory', '4'];
    const sim = await run('simulate', ...args, '--workers', '2', '--json');
    expect(sim.code).toBe(0);
    const j = JSON.parse(sim.out);
    expect(j.iterations).toBe(4);
    const steps = j.steps as { t: number; summary: Record<string, { mean: number; se: number; trials: number }> }[];
    expect(steps.map((s) => s.t)).toEqual([0, 1, 2, 3, 4]);
    expect(Object.keys(steps[0].summary)).toEqual(['m', 'q', 'mse', 'gen_error']);
    expect(steps[0].summary.m).toEqual({ mean: 0, se: 0, trials: 3 }); // GAMP starts with no information
    expect(steps[4].summary.m.mean).toBeGreaterThan(0.6);
    expect(j.runs[0].trajectory.m).toHaveLength(5);
    // the mean at step t is the mean of the runs' t-th iterates
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(steps[2].summary.q.mean).toBeCloseTo(mean(j.runs.map((r: { trajectory: { q: number[] } }) => r.trajectory.q[2])), 15);

    const ver = JSON.parse((await run('verify', ...args, '--workers', '1', '--json')).out);
    for (const s of ver.points[0].steps as { t: number; rows: Row[] }[]) {
      for (const r of s.rows) {
        expect(steps[s.t].summary[r.quantity].mean).toBe(r.mean);
        expect(steps[s.t].summary[r.quantity].se).toBe(r.se);
      }
    }

    const text = await run('simulate', ...args, '--workers', '1');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/GAMP iterate t = 0\.\.4: mean and standard error over the trials/);
    expect(text.out).toMatch(/^t +m +m_se +q +q_se +mse +mse_se +gen_error +gen_error_se$/m);
    expect(text.out.split('\n').filter((l) => /^[0-4] /.test(l))).toHaveLength(5);
  }, 60_000);

  it('bad input: an ERM estimator, a zero or fractional T (exit 2)', async () => {
    const ridge = await run('simulate', 'ridge', '--d', '100', '--trajectory', '5');
    expect(ridge.code).toBe(2);
    expect(ridge.err).toMatch(/estimator .* is `ridge`/);
    expect((await run('simulate', 'perceptron-bayes', '--d', '100', '--trajectory', '0')).code).toBe(2);
    expect((await run('simulate', 'perceptron-bayes', '--d', '100', '--trajectory', '2.5')).code).toBe(2);
  }, 60_000);
});
