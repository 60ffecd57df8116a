/**
 * A model's resolved simulation (plan.ts) at fixed parameter values, run trial by trial: draw an instance
 * (data.ts, from the model's own pieces of the library, or the spiked Wigner matrix of a lowrank model,
 * spiked.ts), fit the estimator to its certificate (estimators/library.ts: an ERM estimator, or the model's own
 * GAMP or AMP), measure (measure.ts), and summarise the trials into a mean and a standard error per theory quantity.
 */
import type { Problem } from '../compile/compile.ts';
import { UsageError } from '../base/errors.ts';
import type { Retcode } from '../base/retcode.ts';
import { argValues, type ResolvedArg } from '../pieces/args.ts';
import { CHANNELS, PRIORS } from '../pieces/library.ts';
import type { PieceInfo, Task } from '../pieces/types.ts';
import { amp, spikedInstance, spikedMeasures } from './spiked.ts';
import { makeInstance, type Instance, type LabelLaw, type Law, type TeacherLaw } from './data.ts';
import { ESTIMATORS, type EstimatorPiece, type FitFn, type GlmEstimator, type SpectralEstimator, type SpikedEstimator } from './estimators/library.ts';
import type { Estimate, FitOptions } from './estimators/types.ts';
import type { GampIterate } from './gamp.ts';
import { exactTestError, measure, type Measurement as Measures } from './measure.ts';
import { Purpose, trialStream, type Rng, type TrialSeed } from './rng.ts';
import type { GlmPlan, Measurement, PieceUse, Simulation, SpectralPlan, SpikedPlan } from './plan.ts';
import { SPECTRAL_DATA, spectralTrial, type SpectralDataPiece, type SpectralEstimatorAt } from './spectral-experiment.ts';
import type { Measured } from './section.ts';

export type { Estimate, FitOptions } from './estimators/types.ts';

/** The plan at parameter values: what to draw, what to fit, what it is called in the theory. */
export type Experiment = GlmExperiment | SpikedExperiment | SpectralExperiment;

/** Kernel ridge in the feature space of a spectrum truncated to d modes (spectral-experiment.ts). */
export interface SpectralExperiment {
  readonly kind: 'kernel-powerlaw';
  /** The data piece (regression or sign labels) and its arguments: n, a, r, then sigma2 or eps. */
  readonly law: SpectralDataPiece;
  readonly data: readonly number[];
  readonly estimator: string;
  readonly at: SpectralEstimatorAt;
  readonly measure: readonly Measurement[];
}

/** Teacher-student data through a channel, fitted by an ERM estimator or GAMP. */
export interface GlmExperiment {
  readonly kind: 'glm';
  readonly prior: TeacherLaw;
  readonly channel: LabelLaw;
  readonly alpha: number;
  readonly task: Task;
  /** The estimator's library key. */
  readonly estimator: string;
  readonly fit: FitFn;
  readonly loss?: (y: number, z: number) => number;
  readonly measure: readonly Measurement[];
  /** The channel cannot tell w* from -w* (abs): overlaps are measured after aligning the estimate's sign with
   * the teacher's, i.e. m is |w.w*|/d. */
  readonly signSymmetric: boolean;
}

/** The spiked Wigner matrix of a lowrank section, estimated by Bayes-optimal AMP (spiked.ts). */
export interface SpikedExperiment {
  readonly kind: 'spiked-wigner';
  readonly snr: number;
  /** One teacher component from the prior piece in use. */
  readonly draw: (rng: Rng) => number;
  readonly estimator: string;
  readonly damping: number;
  /** The start's overlap with the teacher (0: uninformed). */
  readonly m0: number;
  readonly fa: (B: number, A: number) => number;
  readonly fv: (B: number, A: number) => number;
  readonly measure: readonly Measurement[];
  /** The prior is symmetric under x -> -x (zero mean): the sign of the estimate is aligned with the teacher's. */
  readonly signSymmetric: boolean;
}

export interface Trial {
  readonly seed: TrialSeed;
  readonly n: number;
  readonly d: number;
  /** Theory name -> value measured on this trial's instance. */
  readonly values: Readonly<Record<string, number>>;
  /** How the estimator stopped. */
  readonly status: Retcode;
  /** The trial counts in the summary: its estimator converged (or, with FitOptions.trajectory, ran its whole
   * iteration budget). */
  readonly converged: boolean;
  readonly certificate: number;
  readonly iterations: number;
  readonly time: number; // ms
  /** Why the estimator stopped, when it did not converge. */
  readonly message?: string;
  /** With FitOptions.trajectory: theory name -> value at each iterate t = 0 .. iterations (quantities measurable
   * from the overlaps only: m, q, q_star, estimation_error, test_error). */
  readonly trajectory?: Readonly<Record<string, readonly number[]>>;
}

export interface Summary {
  readonly mean: number;
  /** Standard error of the mean over trials (NaN for one trial). */
  readonly se: number;
  readonly trials: number;
}

/**
 * The plan at the parameter values of `problem` (made by `compiled.problem(values)`, which checks them): each
 * piece's arguments read off `problem.params` by index, checked by the piece (a UsageError naming the fix). The
 * gamp and amp estimators call the model's compiled functions at these values (`problem.kernels.functions`).
 */
export function experimentAt(plan: Simulation, problem: Problem): Experiment {
  if (plan.model === 'kernel-powerlaw') return spectralAt(plan, problem);
  return plan.model === 'spiked-wigner' ? spikedAt(plan, problem) : glmAt(plan, problem);
}

/** The kernel-powerlaw experiment at parameter values: the data piece's arguments and the estimator's, checked. */
function spectralAt(plan: SpectralPlan, problem: Problem): SpectralExperiment {
  const data = lawAt(SPECTRAL_DATA, plan.data, problem.params, 'data');
  const { estimator, args } = estimatorAt<SpectralEstimator>(plan.estimator, problem, 'kernel-powerlaw');
  return { kind: 'kernel-powerlaw', law: data.piece, data: data.args, estimator: estimator.name, at: estimator.at(args, problem), measure: plan.measure };
}

/** A kernel-powerlaw trial at d modes (spectral-experiment.ts). */
function spectralTrialOf(x: SpectralExperiment, d: number, seed: TrialSeed): Trial {
  const t0 = performance.now();
  const { n, fit, values } = spectralTrial(x.law, x.data, x.at, d, seed);
  const converged = fit.status === 'converged';
  return {
    seed, n, d,
    values: Object.fromEntries(x.measure.map((q) => [q.theory, Object.hasOwn(values, q.measured) ? values[q.measured] : NaN])),
    status: fit.status, converged, certificate: fit.certificate, iterations: fit.iterations, time: performance.now() - t0,
    ...(fit.message !== undefined && !converged && { message: fit.message }),
  };
}

/** A piece of the plan (a library key), its arguments at the parameter values, checked. */
function lawAt<P extends PieceInfo>(library: ReadonlyMap<string, P>, use: PieceUse, params: ArrayLike<number>, what: string): Law<P> {
  const piece = library.get(use.key);
  if (!piece) throw new Error(`internal: the plan names a ${what} \`${use.key}\` that is not in the library`);
  const args = argValues(use.args, params);
  const bad = piece.checkArgs?.(args);
  if (bad) throw new UsageError(`${what} ${shown(piece, use.args, args)}: ${bad}`, 'change the parameter values (--set) or the arguments in the simulation section');
  return { piece, args };
}

/** `gauss-bernoulli(rho = 0.3, v = 1)`: a piece with its arguments and their values, for messages. */
const shown = (piece: PieceInfo, args: readonly ResolvedArg[], values: readonly number[]) =>
  `\`${piece.name}${args.length ? `(${args.map((a, i) => (a.kind === 'param' ? `${a.name} = ${values[i]}` : a.text)).join(', ')})` : ''}\``;

function estimatorAt<E extends EstimatorPiece>(use: PieceUse, problem: Problem, experiment: E['experiment']): { estimator: E; args: readonly number[] } {
  const { piece, args } = lawAt(ESTIMATORS, use, problem.params, 'estimator');
  if (piece.experiment !== experiment) throw new Error(`internal: the estimator \`${piece.name}\` is not one of a ${experiment} experiment`);
  return { estimator: piece as E, args };
}

function spikedAt(plan: SpikedPlan, problem: Problem): SpikedExperiment {
  if ('unavailable' in plan.prior) throw new UsageError(plan.prior.unavailable, plan.prior.hint);
  const prior = lawAt(PRIORS, plan.prior, problem.params, 'prior');
  const snr = argValues([plan.snr], problem.params)[0];
  if (!(snr >= 0 && Number.isFinite(snr))) throw new UsageError(`the signal-to-noise ratio must be finite and >= 0, got ${snr}`);
  const { estimator, args } = estimatorAt<SpikedEstimator>(plan.estimator, problem, 'spiked-wigner');
  const { damping, m0, fa, fv } = estimator.at(args, problem);
  const draw = prior.piece.draw!;
  return {
    kind: 'spiked-wigner', snr, draw: (rng: Rng) => draw(prior.args, rng), estimator: estimator.name, damping, m0, fa, fv, measure: plan.measure,
    signSymmetric: Math.abs(fa(0, 0)) <= 1e-12 * Math.sqrt(fv(0, 0)),
  };
}

function glmAt(plan: GlmPlan, problem: Problem): GlmExperiment {
  const prior = lawAt(PRIORS, plan.teacher, problem.params, 'teacher');
  const channel = lawAt(CHANNELS, plan.channel, problem.params, 'channel');
  const sampler = channel.piece.sampler!;
  const { estimator, args } = estimatorAt<GlmEstimator>(plan.estimator, problem, 'glm');
  const { fit, loss } = estimator.at(args, problem);
  return {
    kind: 'glm', prior, channel, alpha: problem.params[plan.alpha], task: estimator.task ?? sampler.task, estimator: estimator.name, fit,
    ...(loss && { loss }), measure: plan.measure, signSymmetric: sampler.symmetric === true,
  };
}

/** One trial's instance. */
export function instanceOf(x: GlmExperiment, d: number, seed: TrialSeed): Instance {
  return makeInstance({ d, alpha: x.alpha, prior: x.prior, channel: x.channel, seed });
}

const pick = (m: Measures, what: Measured): number => {
  switch (what) {
    case 'm': return m.m;
    case 'q': return m.q;
    case 'q_star': return m.qStar;
    case 'estimation_error': return m.estimationError;
    case 'train_loss': return m.trainLoss;
    case 'train_error': return m.trainError;
    case 'train_error_regular': return m.trainErrorRegular;
    case 'train_error_exceptions': return m.trainErrorExceptions;
    case 'test_error': return m.testErrorExact;
    case 'test_error_sampled': return m.testErrorSample;
    case 'matrix_error': return NaN; // not measured in a glm experiment (checkSimulation refuses it)
    case 'excess_risk': return NaN; // a kernel-powerlaw measurement (checkSimulation refuses it here)
    case 'separable': return NaN; // the separability estimator's own measurement (checkSimulation refuses it for the others)
  }
};

/** One trial: its own instance (seeded by master seed and trial index), fit, measurements. */
export function runTrial(x: Experiment, d: number, seed: TrialSeed, options: FitOptions = {}): Trial {
  if (x.kind === 'kernel-powerlaw') return spectralTrialOf(x, d, seed);
  return x.kind === 'spiked-wigner' ? spikedTrial(x, d, seed) : glmTrial(x, d, seed, options);
}

/**
 * One spiked Wigner trial at N = d: the teacher from the teacher stream, W from the inputs stream, AMP's random
 * start from the solver stream; the overlaps after aligning the estimate's sign with the teacher's (a symmetric
 * prior cannot tell x from -x), so m = |w.x|/N.
 */
function spikedTrial(x: SpikedExperiment, d: number, seed: TrialSeed): Trial {
  const t0 = performance.now();
  const instance = spikedInstance(d, x.snr, x.draw, trialStream(seed, Purpose.teacher), trialStream(seed, Purpose.inputs));
  const r = amp(instance, { fa: x.fa, fv: x.fv }, {
    damping: x.damping, m0: x.m0, teacher: instance.teacher, rng: trialStream(seed, Purpose.solver),
  });
  const s = spikedMeasures(r.w, instance.teacher, x.signSymmetric);
  const pickSpiked = (what: Measured): number => {
    switch (what) {
      case 'm': return s.m;
      case 'q': return s.q;
      case 'q_star': return s.qStar;
      case 'estimation_error': return s.estimationError;
      case 'matrix_error': return s.matrixError;
      default: return NaN; // not measured in a spiked-wigner experiment (checkSimulation refuses it)
    }
  };
  const converged = r.status === 'converged';
  return {
    seed, n: d, d,
    values: Object.fromEntries(x.measure.map((q) => [q.theory, pickSpiked(q.measured)])),
    status: r.status, converged, certificate: r.residual, iterations: r.iterations, time: performance.now() - t0,
    ...(!converged && r.message !== undefined && { message: `amp ${r.status}: ${r.message}` }),
  };
}

function glmTrial(x: GlmExperiment, d: number, seed: TrialSeed, options: FitOptions): Trial {
  const t0 = performance.now();
  const instance = instanceOf(x, d, seed);
  const fit = x.fit(instance, seed, options);
  if (fit.measured) return measuredTrial(x, instance.n, d, seed, fit, t0);
  const sampled = x.measure.some((m) => m.measured === 'test_error_sampled');
  let w = fit.w;
  let sign = 1;
  if (x.signSymmetric) {
    let m = 0;
    for (let i = 0; i < d; i++) m += w[i] * instance.teacher[i];
    if (m < 0) {
      sign = -1;
      w = w.map((v) => -v);
    }
  }
  const m = measure(instance, w, {
    task: x.task, ...(x.loss && { loss: x.loss }), nTest: sampled ? Math.max(10_000, 10 * d) : 0, ...(fit.trainFields && { trainFields: fit.trainFields }),
  });
  return {
    seed, n: instance.n, d,
    values: Object.fromEntries(x.measure.map((q) => [q.theory, pick(m, q.measured)])),
    status: fit.status, converged: fit.converged, certificate: fit.certificate, iterations: fit.iterations,
    time: performance.now() - t0,
    ...(fit.message !== undefined && !fit.converged && { message: fit.message }),
    ...(options.trajectory !== undefined && fit.history && { trajectory: trajectoryOf(x, m.qStar, sign, fit.history) }),
  };
}

/** A trial of an estimator that measured its predictor itself (random features): its values, NaN for the others
 * (which checkSimulation refuses). */
function measuredTrial(x: GlmExperiment, n: number, d: number, seed: TrialSeed, fit: Estimate, t0: number): Trial {
  const measured = fit.measured ?? {};
  return {
    seed, n, d,
    values: Object.fromEntries(x.measure.map((q) => [q.theory, Object.hasOwn(measured, q.measured) ? measured[q.measured] : NaN])),
    status: fit.status, converged: fit.converged, certificate: fit.certificate, iterations: fit.iterations,
    time: performance.now() - t0,
    ...(fit.message !== undefined && !fit.converged && { message: fit.message }),
  };
}

/** Per-iterate values of the quantities that follow from the overlaps (the others are NaN). */
function trajectoryOf(x: GlmExperiment, qStar: number, sign: number, history: readonly GampIterate[]): Record<string, number[]> {
  const at = (h: GampIterate, what: Measured): number => {
    const m = sign * h.m;
    switch (what) {
      case 'm': return m;
      case 'q': return h.q;
      case 'q_star': return qStar;
      case 'estimation_error': return qStar - 2 * m + h.q;
      case 'test_error': return exactTestError(x.task, x.channel, m, h.q, qStar);
      default: return NaN;
    }
  };
  return Object.fromEntries(x.measure.map((q) => [q.theory, history.map((h) => at(h, q.measured))]));
}

/** Mean and standard error per theory quantity over the trials whose estimator converged. */
export function summarize(trials: readonly Trial[]): Record<string, Summary> {
  const ok = trials.filter((t) => t.converged);
  const names = trials.length ? Object.keys(trials[0].values) : [];
  return Object.fromEntries(names.map((k) => [k, summaryOf(ok.map((t) => t.values[k]))]));
}

/** The mean of xs and its standard error (NaN for one value). */
export function summaryOf(xs: readonly number[]): Summary {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : NaN;
  return { mean, se: Math.sqrt(variance / n), trials: n };
}
