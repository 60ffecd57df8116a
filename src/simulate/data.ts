/**
 * Teacher-student instances at finite size: inputs x_mu ~ N(0, I_d) (rows of X, row-major n x d), a teacher w*
 * with i.i.d. entries from a prior, labels y_mu ~ P_out(y | z_mu) with the teacher field z_mu = w*.x_mu/sqrt(d)
 * (PRIMER conventions), and n = round(alpha d).
 *
 * Each part draws from its own stream (rng.ts `Purpose`): inputs, teacher, label noise, test inputs, test label
 * noise. Every sample and every teacher entry consumes a fixed number of draws whatever the parameter values,
 * so (at fixed d and seed) the first n rows of X, their labels and w* are the same for every alpha, and a sweep
 * over the noise level or the flip probability keeps X and w* (common random numbers).
 */
import { matVec } from './linalg.ts';
import { Purpose, trialStream, type Rng, type TrialSeed } from './rng.ts';

/** Teacher prior, entries i.i.d. */
export type Prior =
  /** N(0, variance); variance defaults to 1. */
  | { readonly kind: 'gaussian'; readonly variance?: number }
  /** +-1 with probability 1/2 each. */
  | { readonly kind: 'rademacher' }
  /** 0 with probability 1 - rho, N(0, 1) with probability rho (second moment rho), as in equations/lasso.yaml. */
  | { readonly kind: 'gauss-bernoulli'; readonly rho: number };

/** Output channel P_out(y | z). Noise levels are variances. */
export type Channel =
  /** y = z + sqrt(Delta) xi. */
  | { readonly kind: 'linear'; readonly Delta: number }
  /** y = sign(z) (sign(0) = +1), then flipped with probability `flip` (default 0). */
  | { readonly kind: 'sign'; readonly flip?: number }
  /** y = |z| + sqrt(Delta) xi (Delta defaults to 0: noiseless phase retrieval). */
  | { readonly kind: 'abs'; readonly Delta?: number }
  /** y = max(0, z) + sqrt(Delta) xi (Delta defaults to 0). */
  | { readonly kind: 'relu'; readonly Delta?: number }
  /** y = z + noise, noise ~ N(0, Delta) with probability 1 - eps, N(0, DeltaOut) with probability eps (huber.yaml). */
  | { readonly kind: 'outliers'; readonly Delta: number; readonly DeltaOut: number; readonly eps: number };

export interface InstanceSpec {
  readonly d: number;
  /** n = round(alpha d). */
  readonly alpha: number;
  readonly prior: Prior;
  readonly channel: Channel;
  readonly seed: TrialSeed;
}

/** A sample set: inputs, labels and the teacher fields that produced them. */
export interface Samples {
  readonly n: number;
  readonly d: number;
  /** n x d row-major, entries N(0, 1). */
  readonly X: Float64Array;
  readonly y: Float64Array;
  /** Teacher fields z_mu = w*.x_mu / sqrt(d). */
  readonly z: Float64Array;
}

export interface Instance extends Samples {
  readonly spec: InstanceSpec;
  readonly teacher: Float64Array;
}

function checkSpec(spec: InstanceSpec): void {
  const { d, alpha, prior, channel } = spec;
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`d must be a positive integer, got ${d}`);
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new RangeError(`alpha must be positive and finite, got ${alpha}`);
  if (Math.round(alpha * d) < 1) throw new RangeError(`n = round(alpha d) = 0: raise alpha or d`);
  const prob = (name: string, p: number | undefined) => {
    if (p !== undefined && !(p >= 0 && p <= 1)) throw new RangeError(`${name} must be a probability in [0, 1], got ${p}`);
  };
  const variance = (name: string, v: number | undefined) => {
    if (v !== undefined && !(v >= 0 && Number.isFinite(v))) throw new RangeError(`${name} must be a finite variance >= 0, got ${v}`);
  };
  if (prior.kind === 'gauss-bernoulli') prob('rho', prior.rho);
  if (prior.kind === 'gaussian') variance('prior variance', prior.variance);
  switch (channel.kind) {
    case 'sign': prob('flip', channel.flip); break;
    case 'outliers': prob('eps', channel.eps); variance('Delta', channel.Delta); variance('DeltaOut', channel.DeltaOut); break;
    default: variance('Delta', channel.Delta);
  }
}

/** n = round(alpha d), the convention of every model file. */
export function sampleCount(alpha: number, d: number): number {
  return Math.round(alpha * d);
}

/** A teacher of dimension d drawn from the prior (teacher stream of the trial): one uniform and one normal per
 * entry for gauss-bernoulli, one normal for gaussian, one uniform for rademacher. */
export function drawTeacher(prior: Prior, d: number, seed: TrialSeed): Float64Array {
  const rng = trialStream(seed, Purpose.teacher);
  const w = new Float64Array(d);
  switch (prior.kind) {
    case 'gaussian':
      rng.fillNormal(w, 0, d, Math.sqrt(prior.variance ?? 1));
      break;
    case 'rademacher':
      for (let i = 0; i < d; i++) w[i] = rng.uniform() < 0.5 ? -1 : 1;
      break;
    case 'gauss-bernoulli':
      for (let i = 0; i < d; i++) {
        const u = rng.uniform();
        const g = rng.normal();
        w[i] = u < prior.rho ? g : 0;
      }
      break;
  }
  return w;
}

/**
 * Labels from teacher fields through the channel, drawing from `rng`: one normal per sample for the noisy
 * channels (also when the variance is 0), one uniform for sign, one uniform and one normal for outliers.
 */
function label(channel: Channel, z: Float64Array, y: Float64Array, rng: Rng): void {
  const n = z.length;
  switch (channel.kind) {
    case 'linear': {
      const s = Math.sqrt(channel.Delta);
      for (let i = 0; i < n; i++) y[i] = z[i] + s * rng.normal();
      break;
    }
    case 'abs':
    case 'relu': {
      const s = Math.sqrt(channel.Delta ?? 0);
      const abs = channel.kind === 'abs';
      for (let i = 0; i < n; i++) {
        const f = abs ? Math.abs(z[i]) : Math.max(0, z[i]);
        y[i] = f + s * rng.normal();
      }
      break;
    }
    case 'sign': {
      const flip = channel.flip ?? 0;
      for (let i = 0; i < n; i++) {
        const s = z[i] >= 0 ? 1 : -1;
        y[i] = rng.uniform() < flip ? -s : s;
      }
      break;
    }
    case 'outliers': {
      const sIn = Math.sqrt(channel.Delta);
      const sOut = Math.sqrt(channel.DeltaOut);
      for (let i = 0; i < n; i++) {
        const u = rng.uniform();
        y[i] = z[i] + (u < channel.eps ? sOut : sIn) * rng.normal();
      }
      break;
    }
  }
}

/** n samples for a teacher: X from the `inputs` stream, labels from the `labels` stream of the trial. */
export function drawSamples(
  channel: Channel, teacher: Float64Array, n: number, seed: TrialSeed,
  streams: { inputs: Purpose; labels: Purpose } = { inputs: Purpose.inputs, labels: Purpose.labels },
): Samples {
  const d = teacher.length;
  const X = new Float64Array(n * d);
  trialStream(seed, streams.inputs).fillNormal(X);
  const z = new Float64Array(n);
  matVec(X, n, d, teacher, z, 1 / Math.sqrt(d));
  const y = new Float64Array(n);
  label(channel, z, y, trialStream(seed, streams.labels));
  return { n, d, X, y, z };
}

/** One trial's training instance. */
export function makeInstance(spec: InstanceSpec): Instance {
  checkSpec(spec);
  const teacher = drawTeacher(spec.prior, spec.d, spec.seed);
  const samples = drawSamples(spec.channel, teacher, sampleCount(spec.alpha, spec.d), spec.seed);
  return { ...samples, spec, teacher };
}

/** Fresh test samples for the instance's teacher (own streams, independent of the training set). */
export function testSamples(instance: Instance, nTest: number): Samples {
  return drawSamples(instance.spec.channel, instance.teacher, nTest, instance.spec.seed, {
    inputs: Purpose.testInputs,
    labels: Purpose.testLabels,
  });
}
