/**
 * The simulation checks shared by the random-features classifiers (rf-logistic.yaml, rf-hinge.yaml): at d = 500,
 * 6 trials, every measured quantity within 4 standard errors of the theory, and the classification error counted
 * on fresh samples (not through the Gaussian closed form of the measured m, q).
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { simulate } from '../../src/simulate/run.ts';
import { compare } from '../../src/verify/compare.ts';

/** The tests, one per point `sets` (`alpha=2,kappa=2,lambda=0.1`), then the sampled error at the first. */
export function simulationTests(file: string, sets: readonly string[]): void {
  const compiled = loadModel(file);
  it.each(sets)('(c) simulation at d = 500: %s', (set) => {
    const params = Object.fromEntries(set.split(',').map((kv) => { const [k, v] = kv.split('='); return [k, Number(v)]; }));
    const run = simulate(compiled, params, 500, 6, 1);
    expect(run.trials.every((t) => t.converged)).toBe(true);
    const { solution, rows } = compare(compiled, run, 4);
    expect(solution.status).toBe('converged');
    expect(rows.map((r) => r.quantity)).toEqual(['m', 'q', 'gen_error', 'train_loss', 'train_error']);
    for (const r of rows) expect(r.pass, `${r.quantity}: theory ${r.theory}, simulation ${r.mean} +- ${r.se}`).toBe(true);
  }, 300_000);

  it('(c) simulation at d = 500: the error counted on fresh samples', () => {
    const text = readFileSync(file, 'utf8').replace('gen_error: test_error', 'gen_error: test_error_sampled');
    const sampled = loadModel(file.replace(/\.yaml$/, '-sampled.yaml'), text);
    const run = simulate(sampled, { alpha: 2, kappa: 2, lambda: 0.1 }, 500, 6, 2);
    const { rows } = compare(sampled, run, 4);
    const row = rows.find((r) => r.quantity === 'gen_error')!;
    expect(row.pass, `gen_error: theory ${row.theory}, simulation ${row.mean} +- ${row.se}`).toBe(true);
  }, 300_000);
}
