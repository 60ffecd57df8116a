/**
 * Teacher-student instances at finite size: inputs x_mu ~ N(0, I_d) (rows of X, row-major n x d), a teacher w*
 * with i.i.d. entries from a prior, labels y_mu ~ P_out(y | z_mu) with the teacher field z_mu = w*.x_mu/sqrt(d)
 * (PRIMER conventions), and n = round(alpha d). The prior and the channel are pieces of the one library
 * (src/pieces), drawn by their own samplers: the same pieces, with the same arguments, as the theory.
 *
 * Each part draws from its own stream (rng.ts `Purpose`): inputs, teacher, label noise, test inputs, test label
 * noise. Every sample and every teacher entry consumes a fixed number of draws whatever the parameter values,
 * so (at fixed d and seed) the first n rows of X, their labels and w* are the same for every alpha, and a sweep
 * over the noise level or the flip probability keeps X and w* (common random numbers).
 */
import { CHANNELS, PRIORS } from '../pieces/library.ts';
import type { ChannelPiece, PieceInfo, PriorPiece } from '../pieces/types.ts';
import { matVec } from './linalg.ts';
import { Purpose, trialStream, type Rng, type TrialSeed } from './rng.ts';

/** A piece of the library with its arguments as numbers (all of the piece's parameters, in order, defaults filled
 * in): the law an instance draws from. */
export interface Law<P extends PieceInfo> {
  readonly piece: P;
  readonly args: readonly number[];
}
/** The teacher's law: a prior piece with a sampler (`draw`), entries i.i.d. */
export type TeacherLaw = Law<PriorPiece>;
/** The labels' law: a channel piece with a sampler, y given the teacher field z. Noise levels are variances. */
export type LabelLaw = Law<ChannelPiece>;

/** `name(args...)` from the library, the omitted trailing arguments at their defaults (tests, benchmarks, and the
 * programmatic use of the simulation; a model file's pieces are resolved at load, simulate/plan.ts). */
function lawOf<P extends PieceInfo>(library: ReadonlyMap<string, P>, what: string, name: string, args: readonly number[]): Law<P> {
  const piece = library.get(name);
  if (!piece) throw new RangeError(`unknown ${what} \`${name}\`; ${what}s: ${[...library.keys()].join(', ')}`);
  if (args.length > piece.params.length || piece.params.slice(args.length).some((p) => p.default === undefined)) {
    throw new RangeError(`the ${what} \`${name}\` takes the arguments (${piece.params.map((p) => p.name).join(', ')}), got ${args.length}`);
  }
  return { piece, args: piece.params.map((p, i) => (i < args.length ? args[i] : Number(p.default))) };
}

/** The prior `name` with these arguments, e.g. `priorOf('gauss-bernoulli', 0.2)`. */
export const priorOf = (name: string, ...args: number[]): TeacherLaw => lawOf(PRIORS, 'prior', name, args);
/** The channel `name` with these arguments, e.g. `channelOf('sign', 0.1)`. */
export const channelOf = (name: string, ...args: number[]): LabelLaw => lawOf(CHANNELS, 'channel', name, args);

export interface InstanceSpec {
  readonly d: number;
  /** n = round(alpha d). */
  readonly alpha: number;
  readonly prior: TeacherLaw;
  readonly channel: LabelLaw;
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
  /** A mixture channel's (`labelWithPart`): 1 for a sample of the exceptional component (a fact, an outlier). */
  readonly exception?: Uint8Array;
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
  if (!prior.piece.draw) throw new RangeError(`the prior \`${prior.piece.name}\` has no sampler`);
  if (!channel.piece.sampler) throw new RangeError(`the channel \`${channel.piece.name}\` has no sampler`);
  const bad = prior.piece.checkArgs?.(prior.args) ?? channel.piece.checkArgs?.(channel.args);
  if (bad) throw new RangeError(bad);
}

/** n = round(alpha d), the convention of every model file. */
export function sampleCount(alpha: number, d: number): number {
  return Math.round(alpha * d);
}

/** A teacher of dimension d drawn from the prior piece's sampler (teacher stream of the trial), component by
 * component: each takes a fixed number of draws (one normal for gaussian, one uniform for rademacher and
 * sparse-rademacher, one uniform and one normal for gauss-bernoulli). */
export function drawTeacher(prior: TeacherLaw, d: number, seed: TrialSeed): Float64Array {
  const draw = prior.piece.draw;
  if (!draw) throw new RangeError(`the prior \`${prior.piece.name}\` has no sampler`);
  const rng = trialStream(seed, Purpose.teacher);
  const w = new Float64Array(d);
  for (let i = 0; i < d; i++) w[i] = draw(prior.args, rng);
  return w;
}

/** Labels from teacher fields through the channel piece's sampler, drawing from `rng` a fixed number of draws per
 * sample (one normal for the noisy channels, also when the variance is 0; one uniform for sign; one uniform and one
 * normal for outliers). */
function label(channel: LabelLaw, z: Float64Array, y: Float64Array, rng: Rng): Uint8Array | undefined {
  const sampler = channel.piece.sampler;
  if (!sampler) throw new RangeError(`the channel \`${channel.piece.name}\` has no sampler`);
  const withPart = sampler.labelWithPart;
  if (!withPart) {
    for (let i = 0; i < z.length; i++) y[i] = sampler.label(channel.args, z[i], rng);
    return undefined;
  }
  const exception = new Uint8Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const [yi, e] = withPart(channel.args, z[i], rng);
    y[i] = yi;
    exception[i] = e ? 1 : 0;
  }
  return exception;
}

/** n samples for a teacher: X from the `inputs` stream, labels from the `labels` stream of the trial. */
export function drawSamples(
  channel: LabelLaw, teacher: Float64Array, n: number, seed: TrialSeed,
  streams: { inputs: Purpose; labels: Purpose } = { inputs: Purpose.inputs, labels: Purpose.labels },
): Samples {
  const d = teacher.length;
  const X = new Float64Array(n * d);
  trialStream(seed, streams.inputs).fillNormal(X);
  const z = new Float64Array(n);
  matVec(X, n, d, teacher, z, 1 / Math.sqrt(d));
  const y = new Float64Array(n);
  const exception = label(channel, z, y, trialStream(seed, streams.labels));
  return { n, d, X, y, z, ...(exception && { exception }) };
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
