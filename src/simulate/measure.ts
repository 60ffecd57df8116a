/**
 * What a theory curve is compared with, measured on one instance and one estimate w (model files' names in
 * brackets): the overlaps m = w.w* / d, q = |w|^2/d [m, q]; the estimation error |w - w*|^2/d [estimation_error,
 * mse]; the mean training loss per sample at w, penalty excluded [train_loss]; the training error [train_error];
 * the test error [gen_error], both exactly from the overlaps (Gaussian inputs) and on fresh samples.
 *
 * Regression (ridge, lasso, Huber): errors are squared, (y - w.x/sqrt d)^2, training error = mean squared
 * residual. Classification (logistic, hinge): predicted label sign(w.x/sqrt d) with sign(0) = +1, errors are
 * 0-1.
 *
 * Exact test errors (each channel piece's `sampler.testError`, src/pieces/channels). For a new x ~ N(0, I_d), the
 * student field omega = w.x/sqrt(d) and the teacher field z = w*.x/sqrt(d) are jointly Gaussian with E omega^2 = q,
 * E z^2 = q* = |w*|^2/d, E omega z = m, so:
 *   linear / outliers: E(y - omega)^2 = q* - 2m + q + noise variance (= |w - w*|^2/d + noise variance);
 *   abs:  E(|z| - omega)^2 = q* + q + Delta    (E |z| omega = 0 by the symmetry (z, omega) -> -(z, omega));
 *   relu: E(max(0, z) - omega)^2 = q* / 2 - m + q + Delta   (E max(0, z) omega = m/2);
 *   sign with flip probability eps: P(sign omega != y) = eps + (1 - 2 eps) acos(m/sqrt(q q*))/pi.
 */
import type { Task } from '../pieces/types.ts';
import type { Instance, LabelLaw, Samples } from './data.ts';
import { dot, matVec } from './linalg.ts';
import { testSamples } from './data.ts';

export type { Task } from '../pieces/types.ts';

export interface Measurement {
  readonly m: number;
  readonly q: number;
  /** |w*|^2/d of this teacher (the prior's second moment up to finite-size fluctuations). */
  readonly qStar: number;
  readonly estimationError: number;
  /** Mean of loss(y, w.x/sqrt d) over the training samples (NaN when no loss is given). */
  readonly trainLoss: number;
  readonly trainError: number;
  /** A mixture channel's training error on its regular and on its exceptional samples (rules and facts; NaN for
   * other channels, or when a part is empty). */
  readonly trainErrorRegular: number;
  readonly trainErrorExceptions: number;
  /** From the overlaps; NaN where the task and channel have no closed form here. */
  readonly testErrorExact: number;
  /** On nTest fresh samples (NaN when nTest = 0), with its standard error. */
  readonly testErrorSample: number;
  readonly testErrorSampleSE: number;
  readonly nTest: number;
}

export interface MeasureOptions {
  readonly task: Task;
  /** The estimator's loss, for trainLoss. */
  readonly loss?: (y: number, z: number) => number;
  /** Fresh test samples (default 0: exact test error only). */
  readonly nTest?: number;
  /** The estimator's predictions on the training samples, when they are not w.x_mu/sqrt(d) (Estimate.trainFields). */
  readonly trainFields?: Float64Array;
}

/** Test error of w from its overlaps, for Gaussian inputs: the channel piece's closed form for the task, NaN where
 * it has none (a classifier's error on real labels). */
export function exactTestError(task: Task, channel: LabelLaw, m: number, q: number, qStar: number): number {
  const f = channel.piece.sampler?.testError?.[task];
  return f ? f(channel.args, { m, q, qStar }) : NaN;
}

/** Mean error of w on samples, and its standard error. */
function sampleError(task: Task, samples: Samples, w: Float64Array): { mean: number; se: number } {
  const { X, y, n, d } = samples;
  const omega = new Float64Array(n);
  matVec(X, n, d, w, omega, 1 / Math.sqrt(d));
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const e = task === 'classification' ? ((omega[i] >= 0 ? 1 : -1) !== y[i] ? 1 : 0) : (y[i] - omega[i]) ** 2;
    sum += e;
    sumSq += e * e;
  }
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : NaN;
  return { mean, se: Math.sqrt(variance / n) };
}

export function measure(instance: Instance, w: Float64Array, options: MeasureOptions): Measurement {
  const { teacher, X, y, n, d } = instance;
  if (w.length !== d) throw new RangeError(`measure: w has ${w.length} entries, the instance has d = ${d}`);
  const m = dot(w, teacher, d) / d;
  const q = dot(w, w, d) / d;
  const qStar = dot(teacher, teacher, d) / d;
  let err = 0;
  for (let j = 0; j < d; j++) err += (w[j] - teacher[j]) ** 2;

  let omega = options.trainFields;
  if (omega === undefined) {
    omega = new Float64Array(n);
    matVec(X, n, d, w, omega, 1 / Math.sqrt(d));
  } else if (omega.length !== n) throw new RangeError(`measure: ${omega.length} training predictions for n = ${n} samples`);
  let loss = 0;
  let trainErr = 0;
  const part = [0, 0];
  const count = [0, 0];
  for (let i = 0; i < n; i++) {
    if (options.loss) loss += options.loss(y[i], omega[i]);
    const e = options.task === 'classification'
      ? ((omega[i] >= 0 ? 1 : -1) !== y[i] ? 1 : 0)
      : (y[i] - omega[i]) ** 2;
    trainErr += e;
    if (instance.exception) {
      part[instance.exception[i]] += e;
      count[instance.exception[i]]++;
    }
  }
  const nTest = options.nTest ?? 0;
  const test = nTest > 0 ? sampleError(options.task, testSamples(instance, nTest), w) : { mean: NaN, se: NaN };
  return {
    m, q, qStar,
    estimationError: err / d,
    trainLoss: options.loss ? loss / n : NaN,
    trainError: trainErr / n,
    trainErrorRegular: instance.exception && count[0] > 0 ? part[0] / count[0] : NaN,
    trainErrorExceptions: instance.exception && count[1] > 0 ? part[1] / count[1] : NaN,
    testErrorExact: exactTestError(options.task, instance.spec.channel, m, q, qStar),
    testErrorSample: test.mean,
    testErrorSampleSE: test.se,
    nTest,
  };
}
