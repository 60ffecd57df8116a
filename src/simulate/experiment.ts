/**
 * One model file's `simulation:` section at fixed parameter values, run trial by trial: draw an instance
 * (data.ts, or the spiked Wigner matrix of a lowrank model, spiked.ts), fit the estimator to its certificate
 * (estimators/, or the model's own GAMP or AMP), measure (measure.ts), and summarise the trials into a mean and a
 * standard error per theory quantity.
 */
import type { Problem } from '../compile/compile.ts';
import { UsageError } from '../base/errors.ts';
import { PRIORS } from '../glm/priors.ts';
import { amp, spikedInstance, spikedMeasures } from './spiked.ts';
import type { Channel, Instance, Prior } from './data.ts';
import { drawSamples, drawTeacher, makeInstance, sampleCount } from './data.ts';
import type { Fit } from './estimators/types.ts';
import { gamp, glmFunctions, type GampIterate } from './gamp.ts';
import { hinge, hingeLoss } from './estimators/hinge.ts';
import { huber, huberLoss } from './estimators/huber.ts';
import { lasso } from './estimators/lasso.ts';
import { logistic, logisticLoss } from './estimators/logistic.ts';
import { ridge } from './estimators/ridge.ts';
import { exactTestError, measure, type Measurement, type Task } from './measure.ts';
import { Purpose, trialStream, type Rng, type TrialSeed } from './rng.ts';
import type { GlmSimulation, Measured, Ref, SimulationSpec, SpikedSimulation } from './section.ts';

/** What an estimator returns to the experiment: an ERM fit (estimators/) or a GAMP run with its iterates. */
export interface Estimate extends Pick<Fit, 'w' | 'converged' | 'certificate' | 'iterations' | 'message'> {
  /** GAMP: the iterates t = 0 .. iterations (the start first). */
  readonly history?: readonly GampIterate[];
}

/** How a trial runs its estimator. */
export interface FitOptions {
  /** An iterative estimator (GAMP) records every iterate and runs at most this many iterations; stopping at
   * that budget is then not a failure (the trajectory of `saddle verify --trajectory`). */
  readonly trajectory?: number;
}

/** The section resolved at parameter values: what to draw, what to fit, what it is called in the theory. */
export type Experiment = GlmExperiment | SpikedExperiment;

/** Teacher-student data through a channel, fitted by an ERM estimator or GAMP. */
export interface GlmExperiment {
  readonly kind: 'glm';
  readonly prior: Prior;
  /** Teacher entries are drawn from `prior` and multiplied by this (gauss-bernoulli(rho, power)). */
  readonly teacherScale: number;
  readonly channel: Channel;
  readonly alpha: number;
  readonly task: Task;
  readonly estimator: string;
  readonly fit: (data: Instance, seed: TrialSeed, options?: FitOptions) => Estimate;
  readonly loss?: (y: number, z: number) => number;
  readonly measure: SimulationSpec['measure'];
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
  readonly measure: SimulationSpec['measure'];
  /** The prior is symmetric under x -> -x (zero mean): the sign of the estimate is aligned with the teacher's. */
  readonly signSymmetric: boolean;
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
 * Resolves piece arguments (parameter names or numbers) at the given parameter values. The gamp estimator
 * calls the model's compiled GAMP functions at these values: pass the Problem made at them.
 */
export function experimentAt(spec: SimulationSpec, params: Readonly<Record<string, number>>, problem?: Problem): Experiment {
  return spec.model === 'spiked-wigner' ? spikedAt(spec, params, problem) : glmAt(spec, params, problem);
}

/** A parameter name or a number, at the given parameter values. */
const argValue = (text: string, params: Readonly<Record<string, number>>) => (text in params ? params[text] : Number(text));

function spikedAt(spec: SpikedSimulation, params: Readonly<Record<string, number>>, problem: Problem | undefined): SpikedExperiment {
  const source = spec.source;
  if (!source) throw new UsageError('a spiked-wigner simulation needs a model with a lowrank section', 'add `lowrank: { prior: ..., snr: ... }`');
  const prior = source.prior;
  const piece = prior.kind === 'builtin' ? PRIORS.get(prior.name) : undefined;
  if (!piece?.draw) {
    const name = prior.kind === 'builtin' ? prior.name : `a prior given by its ${prior.kind === 'density' ? 'density' : 'values'}`;
    throw new UsageError(`the spiked-wigner simulation cannot draw x from ${name}: only the built-in priors have a sampler`,
      `built-in priors: ${[...PRIORS.values()].filter((p) => p.draw).map((p) => p.name).join(', ')}`);
  }
  const args = prior.kind === 'builtin' ? piece.params.map((p, i) => {
    const a = prior.args[i];
    return a === undefined ? Number(p.default) : argValue(a.text, params);
  }) : [];
  const bad = piece.checkArgs?.(args);
  if (bad) throw new UsageError(bad);
  const snr = argValue(source.snr, params);
  if (!(snr >= 0 && Number.isFinite(snr))) throw new UsageError(`the signal-to-noise ratio must be finite and >= 0, got ${snr}`);
  const e = spec.estimator.args.map((a) => argValue(a.text, params));
  const damping = e[0] ?? 1;
  const m0 = e[1] ?? 0;
  if (!(damping > 0 && damping <= 1)) throw new UsageError(`amp(damping): the damping must be in (0, 1], got ${damping}`, 'amp(1) is undamped AMP; amp(0.5) takes half of each new estimate');
  if (!(m0 >= 0 && m0 <= 1)) throw new UsageError(`amp(damping, m0): m0, the start's overlap with the signal, must be in [0, 1], got ${m0}`, '0: an uninformed start (default), 1: the signal itself (the informed branch)');
  const fns = problem?.kernels.functions;
  if (typeof fns?.fa !== 'function' || typeof fns?.fv !== 'function') {
    throw new UsageError(`AMP needs the functions fa and fv of ${problem ? `model "${problem.model}"` : 'the model'}`, 'a lowrank section declares them');
  }
  const { fa, fv } = fns;
  const draw = (rng: Rng) => piece.draw!(args, rng);
  return {
    kind: 'spiked-wigner', snr, draw, estimator: spec.estimator.name, damping, m0, fa, fv, measure: spec.measure,
    signSymmetric: Math.abs(fa(0, 0)) <= 1e-12 * Math.sqrt(fv(0, 0)),
  };
}

function glmAt(spec: GlmSimulation, params: Readonly<Record<string, number>>, problem: Problem | undefined): GlmExperiment {
  const args = (ref: Ref) => ref.args.map((a) => (a.text in params ? params[a.text] : Number(a.text)));
  const t = args(spec.teacher);
  const prior: Prior = spec.teacher.name === 'rademacher' ? { kind: 'rademacher' }
    : spec.teacher.name === 'gauss-bernoulli' ? { kind: 'gauss-bernoulli', rho: t[0] }
      : { kind: 'gaussian', ...(t.length > 0 && { variance: t[0] }) };
  let teacherScale = 1;
  if (spec.teacher.name === 'gauss-bernoulli' && t.length > 1) {
    if (!(t[1] >= 0 && Number.isFinite(t[1]))) throw new UsageError(`the power of gauss-bernoulli(rho, power) must be finite and >= 0, got ${t[1]}`);
    if (!(t[0] > 0)) throw new UsageError(`gauss-bernoulli(rho, power) needs rho > 0, got ${t[0]}`);
    teacherScale = Math.sqrt(t[1] / t[0]);
  }
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
  let fit: GlmExperiment['fit'];
  let loss: GlmExperiment['loss'];
  let task: Task = 'regression';
  switch (spec.estimator.name) {
    case 'ridge': fit = (data) => ridge(data, e[0]); loss = square; break;
    case 'lasso': fit = (data) => lasso(data, e[0]); loss = square; break;
    case 'logistic': fit = (data) => logistic(data, e[0]); loss = logisticLoss.value; task = 'classification'; break;
    case 'hinge': fit = (data) => hinge(data, e[0]); loss = hingeLoss; task = 'classification'; break;
    case 'gamp': fit = gampFit(e, problem); task = channel.kind === 'sign' ? 'classification' : 'regression'; break;
    default: {
      const l = huberLoss(e[0]);
      fit = (data) => huber(data, e[1], e[0]);
      loss = l.value;
    }
  }
  return {
    kind: 'glm', prior, teacherScale, channel, alpha: params.alpha, task, estimator: spec.estimator.name, fit,
    ...(loss && { loss }), measure: spec.measure, signSymmetric: channel.kind === 'abs',
  };
}

/** gamp(damping = 1, q0 = 0) with the model's functions; a random start draws from the trial's solver stream. */
function gampFit(e: readonly number[], problem: Problem | undefined): GlmExperiment['fit'] {
  const damping = e[0] ?? 1;
  const q0 = e[1] ?? 0;
  if (!(damping > 0 && damping <= 1)) throw new UsageError(`gamp(damping): the damping must be in (0, 1], got ${damping}`, 'gamp(1) is undamped GAMP; gamp(0.5) takes half of each new message');
  if (!(q0 >= 0 && Number.isFinite(q0))) throw new UsageError(`gamp(damping, q0): q0 must be finite and >= 0, got ${q0}`);
  const fns = glmFunctions(problem?.kernels.functions, problem ? `model "${problem.model}"` : 'the model');
  return (data, seed, options = {}) => {
    const r = gamp(data, fns, {
      damping,
      teacher: data.teacher,
      // a trajectory is compared with state evolution step by step: plain GAMP, no adaptive damping
      ...(options.trajectory !== undefined && { maxIterations: options.trajectory, adaptive: false }),
      start: q0 > 0 ? { kind: 'random', q0, rng: trialStream(seed, Purpose.solver) } : { kind: 'prior' },
    });
    const stopped = options.trajectory !== undefined && r.status === 'max-iterations';
    return {
      w: r.w, converged: r.status === 'converged' || stopped, certificate: r.residual, iterations: r.iterations,
      history: r.history, ...(r.message !== undefined && !stopped && { message: `gamp ${r.status}: ${r.message}` }),
    };
  };
}

/** One trial's instance; a scaled teacher (gauss-bernoulli(rho, power)) draws the same streams as makeInstance. */
export function instanceOf(x: GlmExperiment, d: number, seed: TrialSeed): Instance {
  const spec = { d, alpha: x.alpha, prior: x.prior, channel: x.channel, seed };
  if (x.teacherScale === 1) return makeInstance(spec);
  // makeInstance's checks: alpha and n here, the prior's and the channel's parameters on a one-sample instance
  if (!(x.alpha > 0 && Number.isFinite(x.alpha))) throw new RangeError(`alpha must be positive and finite, got ${x.alpha}`);
  if (sampleCount(x.alpha, d) < 1) throw new RangeError('n = round(alpha d) = 0: raise alpha or d');
  makeInstance({ ...spec, d: 1, alpha: 1 });
  const teacher = drawTeacher(x.prior, d, seed);
  for (let i = 0; i < d; i++) teacher[i] *= x.teacherScale;
  return { ...drawSamples(x.channel, teacher, sampleCount(x.alpha, d), seed), spec, teacher };
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
    case 'matrix_error': return NaN; // not measured in a glm experiment (checkSimulation refuses it)
  }
};

/** One trial: its own instance (seeded by master seed and trial index), fit, measurements. */
export function runTrial(x: Experiment, d: number, seed: TrialSeed, options: FitOptions = {}): Trial {
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
    converged, certificate: r.residual, iterations: r.iterations, time: performance.now() - t0,
    ...(!converged && r.message !== undefined && { message: `amp ${r.status}: ${r.message}` }),
  };
}

function glmTrial(x: GlmExperiment, d: number, seed: TrialSeed, options: FitOptions): Trial {
  const t0 = performance.now();
  const instance = instanceOf(x, d, seed);
  const fit = x.fit(instance, seed, options);
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
  const m = measure(instance, w, { task: x.task, ...(x.loss && { loss: x.loss }), nTest: sampled ? Math.max(10_000, 10 * d) : 0 });
  return {
    seed, n: instance.n, d,
    values: Object.fromEntries(x.measure.map((q) => [q.theory, pick(m, q.measured)])),
    converged: fit.converged, certificate: fit.certificate, iterations: fit.iterations,
    time: performance.now() - t0,
    ...(fit.message !== undefined && !fit.converged && { message: fit.message }),
    ...(options.trajectory !== undefined && fit.history && { trajectory: trajectoryOf(x, m.qStar, sign, fit.history) }),
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
  return Object.fromEntries(names.map((k) => {
    const xs = ok.map((t) => t.values[k]);
    const n = xs.length;
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const variance = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : NaN;
    return [k, { mean, se: Math.sqrt(variance / n), trials: n }];
  }));
}
