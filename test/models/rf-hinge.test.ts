import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { simulationTests } from './rf-simulation.ts';

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

  // (c) at d = 500, 6 trials: the theory within 4 standard errors (off the interpolation threshold)
  simulationTests(FILE, ['alpha=2,kappa=2,lambda=0.1', 'alpha=3,kappa=1,lambda=0.01,activation=2']);
});
