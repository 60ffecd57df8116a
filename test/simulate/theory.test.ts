import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { makeInstance, type InstanceSpec, priorOf, channelOf } from '../../src/simulate/data.ts';
import { hinge, hingeLoss } from '../../src/simulate/estimators/hinge.ts';
import { huber, huberLoss } from '../../src/simulate/estimators/huber.ts';
import { lasso } from '../../src/simulate/estimators/lasso.ts';
import { logistic, logisticLoss } from '../../src/simulate/estimators/logistic.ts';
import type { Fit } from '../../src/simulate/estimators/types.ts';
import { measure, type Measurement, type MeasureOptions } from '../../src/simulate/measure.ts';
import { solve } from '../../src/solve/iterate.ts';

/**
 * The estimators' normalisations against the model files: a few trials at modest d, each observable's mean
 * within 4 standard errors of the replica prediction (ridge: ridge.test.ts). The simulation shares no code with
 * the replica solver. Seeds are fixed, so the outcome is too.
 */
interface Case {
  readonly file: string;
  readonly params: Record<string, number>;
  readonly spec: Omit<InstanceSpec, 'seed'>;
  readonly trials: number;
  readonly fit: (inst: ReturnType<typeof makeInstance>) => Fit;
  readonly measure: MeasureOptions;
  readonly observables: Record<string, (m: Measurement, fit: Fit) => number>;
}

const CASES: Record<string, Case> = {
  logistic: {
    file: 'equations/logistic.yaml', params: { alpha: 2, lambda: 0.1 }, trials: 6,
    spec: { d: 300, alpha: 2, prior: priorOf('gaussian'), channel: channelOf('sign') },
    fit: (x) => logistic(x, 0.1),
    measure: { task: 'classification', loss: logisticLoss.value },
    observables: { m: (m) => m.m, q: (m) => m.q, gen_error: (m) => m.testErrorExact, train_loss: (m) => m.trainLoss },
  },
  hinge: {
    file: 'equations/hinge.yaml', params: { alpha: 2, lambda: 0.1 }, trials: 6,
    spec: { d: 300, alpha: 2, prior: priorOf('gaussian'), channel: channelOf('sign') },
    fit: (x) => hinge(x, 0.1),
    measure: { task: 'classification', loss: hingeLoss },
    observables: { m: (m) => m.m, q: (m) => m.q, gen_error: (m) => m.testErrorExact, train_loss: (m) => m.trainLoss },
  },
  lasso: {
    file: 'equations/lasso.yaml', params: { alpha: 0.5, lambda: 0.1, rho: 0.2, Delta: 0.01 }, trials: 8,
    spec: { d: 400, alpha: 0.5, prior: priorOf('gauss-bernoulli', 0.2, 0.2), channel: channelOf('linear', 0.01) },
    fit: (x) => lasso(x, 0.1),
    measure: { task: 'regression' },
    observables: {
      mse: (m) => m.estimationError,
      train_error: (m) => m.trainError,
      sparsity: (_, f) => f.w.reduce((k, v) => k + (v !== 0 ? 1 : 0), 0) / f.w.length,
    },
  },
  huber: {
    file: 'equations/huber.yaml', params: { alpha: 2, lambda: 0.1, a: 1, Delta: 0.1, Delta_out: 10, eps: 0.1 }, trials: 8,
    spec: { d: 300, alpha: 2, prior: priorOf('gaussian'), channel: channelOf('outliers', 0.1, 0.1, 10) },
    fit: (x) => huber(x, 0.1, 1),
    measure: { task: 'regression', loss: huberLoss(1).value },
    observables: { m: (m) => m.m, q: (m) => m.q, gen_error: (m) => m.testErrorExact, train_loss: (m) => m.trainLoss },
  },
};

describe('simulation vs replica theory', () => {
  it.each(Object.keys(CASES))('%s', (name) => {
    const c = CASES[name];
    const theory = solve(loadModel(c.file).problem(c.params));
    expect(theory.status).toBe('converged');
    const t: Record<string, number> = { ...theory.state, ...theory.observables };
    const rows = Array.from({ length: c.trials }, (_, trial) => {
      const inst = makeInstance({ ...c.spec, seed: { master: 2026, trial } });
      const fit = c.fit(inst);
      expect(fit.status).toBe('converged');
      const m = measure(inst, fit.w, c.measure);
      return Object.fromEntries(Object.entries(c.observables).map(([k, f]) => [k, f(m, fit)]));
    });
    for (const key of Object.keys(c.observables)) {
      const xs = rows.map((r) => r[key]);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const se = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) / xs.length);
      expect(Math.abs(mean - t[key]) / se, `${name} ${key}: simulation ${mean} +- ${se}, theory ${t[key]}`).toBeLessThan(4);
    }
  }, 60_000);
});
