import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { simulate } from '../../src/simulate/run.ts';
import { compare } from '../../src/verify/compare.ts';

/**
 * rf-hinge.yaml: the Marchenko-Pastur prior side of rf-logistic.yaml (checked there against the closed form of ridge)
 * with hinge.yaml's channel at n/p samples per feature. Independent references: (a) the linear activation with
 * kappa -> infinity is the plain SVM of hinge.yaml; (c) simulation: the SVM on random features at d = 500.
 */
const FILE = 'equations/rf-hinge.yaml';
const compiled = loadModel(FILE);
const hinge = loadModel('equations/hinge.yaml');
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('rf-hinge.yaml', () => {
  it.each([[2, 0.1], [0.5, 1], [5, 1e-3]])('(a) linear features, kappa -> infinity: hinge.yaml at alpha=%f lambda=%f', (alpha, lambda) => {
    const ref = solve(hinge.problem({ alpha, lambda }));
    expect(ref.status).toBe('converged');
    const at = (kappa: number) => {
      const s = solve(compiled.problem({ alpha, lambda, kappa, activation: 3 }));
      expect(s.status).toBe('converged');
      return s;
    };
    const [s3, s4] = [at(1e3), at(1e4)];
    for (const k of ['m', 'q', 'V'] as const) {
      // the gap is O(1/kappa); Richardson's extrapolation from kappa = 1e3, 1e4 removes its leading term
      expect(rel(s4.state[k], ref.state[k])).toBeLessThan(2e-3);
      expect(rel((10 * s4.state[k] - s3.state[k]) / 9, ref.state[k])).toBeLessThan(1e-6);
    }
    for (const k of ['gen_error', 'train_loss', 'on_margin'] as const) {
      // absolute below 0.01: the training loss of the max-margin regime (alpha = 5, lambda = 1e-3) is 1e-189
      const x = (10 * s4.observables[k] - s3.observables[k]) / 9;
      expect(Math.abs(x - ref.observables[k])).toBeLessThan(1e-6 * Math.max(Math.abs(ref.observables[k]), 0.01));
    }
  }, 120_000);

  // (c) at d = 500, 6 trials: the theory within 4 standard errors
  it.each(['alpha=2,kappa=2,lambda=0.1', 'alpha=3,kappa=1,lambda=0.01,activation=2'])('(c) simulation at d = 500: %s', (set) => {
    const params = Object.fromEntries(set.split(',').map((kv) => { const [k, v] = kv.split('='); return [k, Number(v)]; }));
    const run = simulate(compiled, params, 500, 6, 1);
    expect(run.trials.every((t) => t.converged)).toBe(true);
    const { solution, rows } = compare(compiled, run, 4);
    expect(solution.status).toBe('converged');
    expect(rows.map((r) => r.quantity)).toEqual(['m', 'q', 'gen_error', 'train_loss', 'train_error']);
    for (const r of rows) expect(r.pass, `${r.quantity}: theory ${r.theory}, simulation ${r.mean} +- ${r.se}`).toBe(true);
  }, 300_000);

  // the classification error counted on fresh samples, not through the Gaussian closed form of the measured m, q
  it('(c) simulation at d = 500: the error counted on fresh samples', () => {
    const text = readFileSync(FILE, 'utf8').replace('gen_error: test_error', 'gen_error: test_error_sampled');
    const sampled = loadModel('rf-hinge-sampled.yaml', text);
    const run = simulate(sampled, { alpha: 2, kappa: 2, lambda: 0.1 }, 500, 6, 2);
    const { rows } = compare(sampled, run, 4);
    const row = rows.find((r) => r.quantity === 'gen_error')!;
    expect(row.pass, `gen_error: theory ${row.theory}, simulation ${row.mean} +- ${row.se}`).toBe(true);
  }, 300_000);
});
