/**
 * One model file's `simulation:` section at fixed parameter values, run trial by trial: draw an instance
 * (data.ts), fit the estimator to its certificate (estimators/), measure (measure.ts), and summarise the trials
 * into a mean and a standard error per theory quantity.
 */
import type { Channel, Prior } from './data.ts';
import { makeInstance } from './data.ts';
import type { Design, Fit } from './estimators/types.ts';
import { hinge, hingeLoss } from './estimators/hinge.ts';
import { huber, huberLoss } from './estimators/huber.ts';
import { lasso } from './estimators/lasso.ts';
import { logistic, logisticLoss } from './estimators/logistic.ts';
import { ridge } from './estimators/ridge.ts';
import { measure, type Measurement, type Task } from './measure.ts';
import type { TrialSeed } from './rng.ts';
import type { Measured, Ref, SimulationSpec } from './section.ts';

/** The section resolved at parameter values: what to draw, what to fit, what it is called in the theory. */
export interface Experiment {
  readonly prior: Prior;
  readonly channel: Channel;
  readonly alpha: number;
  readonly task: Task;
  readonly fit: (data: Design) => Fit;
  readonly loss: (y: number, z: number) => number;
  readonly measure: SimulationSpec['measure'];
}

export interface Trial {
  readonly seed: TrialSeed;
  readonly n: number;
  readonly d: number;
  /** Theory name -> value measured on this trial's instance. */
  readonly values: Readonly<Record<string, number>>;
  readonly converged: boolean;
  readonly certificate: number;
  readonly iterations: number;
  readonly time: number; // ms
}

export interface Summary {
  readonly mean: number;
  /** Standard error of the mean over trials (NaN for one trial). */
  readonly se: number;
  readonly trials: number;
}

/** Resolves piece arguments (parameter names or numbers) at the given parameter values. */
export function experimentAt(spec: SimulationSpec, params: Readonly<Record<string, number>>): Experiment {
  const args = (ref: Ref) => ref.args.map((a) => (a.text in params ? params[a.text] : Number(a.text)));
  const t = args(spec.teacher);
  const prior: Prior = spec.teacher.name === 'rademacher' ? { kind: 'rademacher' }
    : spec.teacher.name === 'gauss-bernoulli' ? { kind: 'gauss-bernoulli', rho: t[0] }
      : { kind: 'gaussian', ...(t.length > 0 && { variance: t[0] }) };
  const c = args(spec.channel);
  const channel: Channel = ((): Channel => {
    switch (spec.channel.name) {
      case 'linear': return { kind: 'linear', Delta: c[0] };
      case 'sign': return { kind: 'sign', ...(c.length > 0 && { flip: c[0] }) };
      case 'abs': return { kind: 'abs', ...(c.length > 0 && { Delta: c[0] }) };
      case 'relu': return { kind: 'relu', ...(c.length > 0 && { Delta: c[0] }) };
      default: return { kind: 'outliers', eps: c[0], Delta: c[1], DeltaOut: c[2] };
    }
  })();
  const e = args(spec.estimator);
  const square = (y: number, z: number) => 0.5 * (y - z) ** 2;
  let fit: (data: Design) => Fit;
  let loss: (y: number, z: number) => number;
  let task: Task = 'regression';
  switch (spec.estimator.name) {
    case 'ridge': fit = (data) => ridge(data, e[0]); loss = square; break;
    case 'lasso': fit = (data) => lasso(data, e[0]); loss = square; break;
    case 'logistic': fit = (data) => logistic(data, e[0]); loss = logisticLoss.value; task = 'classification'; break;
    case 'hinge': fit = (data) => hinge(data, e[0]); loss = hingeLoss; task = 'classification'; break;
    default: {
      const l = huberLoss(e[0]);
      fit = (data) => huber(data, e[1], e[0]);
      loss = l.value;
    }
  }
  return { prior, channel, alpha: params.alpha, task, fit, loss, measure: spec.measure };
}

const pick = (m: Measurement, what: Measured): number => {
  switch (what) {
    case 'm': return m.m;
    case 'q': return m.q;
    case 'q_star': return m.qStar;
    case 'estimation_error': return m.estimationError;
    case 'train_loss': return m.trainLoss;
    case 'train_error': return m.trainError;
    case 'test_error': return m.testErrorExact;
    case 'test_error_sampled': return m.testErrorSample;
  }
};

/** One trial: its own instance (seeded by master seed and trial index), fit, measurements. */
export function runTrial(x: Experiment, d: number, seed: TrialSeed): Trial {
  const t0 = performance.now();
  const instance = makeInstance({ d, alpha: x.alpha, prior: x.prior, channel: x.channel, seed });
  const fit = x.fit(instance);
  const sampled = x.measure.some((m) => m.measured === 'test_error_sampled');
  const m = measure(instance, fit.w, { task: x.task, loss: x.loss, nTest: sampled ? Math.max(10_000, 10 * d) : 0 });
  return {
    seed, n: instance.n, d,
    values: Object.fromEntries(x.measure.map((q) => [q.theory, pick(m, q.measured)])),
    converged: fit.converged, certificate: fit.certificate, iterations: fit.iterations,
    time: performance.now() - t0,
  };
}

/** Mean and standard error per theory quantity over the trials whose estimator converged. */
export function summarize(trials: readonly Trial[]): Record<string, Summary> {
  const ok = trials.filter((t) => t.converged);
  const names = trials.length ? Object.keys(trials[0].values) : [];
  return Object.fromEntries(names.map((k) => {
    const xs = ok.map((t) => t.values[k]);
    const n = xs.length;
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const variance = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : NaN;
    return [k, { mean, se: Math.sqrt(variance / n), trials: n }];
  }));
}
