/**
 * The estimators a `simulation:` section can name, looked up by name in a Map like the prior and channel pieces
 * (src/pieces), and resolved by the same code (pieces/args.ts): each has its parameters, a doc string and LaTeX,
 * what it needs of the model, and how it fits one trial's instance at argument values. The experiment code never
 * switches on an estimator's name.
 */
import type { Problem } from '../../compile/compile.ts';
import { UsageError } from '../../base/errors.ts';
import type { PieceInfo, Task } from '../../pieces/types.ts';
import type { Instance } from '../data.ts';
import { gamp, glmFunctions } from '../gamp.ts';
import { Purpose, trialStream, type TrialSeed } from '../rng.ts';
import type { Denoiser } from '../spiked.ts';
import { hinge, hingeLoss } from './hinge.ts';
import { huber, huberLoss } from './huber.ts';
import { kernelHinge, kernelLogistic, kernelSquare } from './kernel.ts';
import { lasso } from './lasso.ts';
import { lad, ladLoss } from './lad.ts';
import { tukey, tukeyLoss } from './tukey.ts';
import { logistic, logisticLoss } from './logistic.ts';
import { adversarialLogistic } from './adversarial.ts';
import { logisticMle } from './logistic-mle.ts';
import { ridge } from './ridge.ts';
import { rfRidgeEstimator } from './random-features.ts';
import { rfHingeEstimator, rfLogisticEstimator } from './rf-classifiers.ts';
import { separabilityEstimator } from './separability.ts';
import { kernelRidgeAt, type SpectralEstimatorAt } from '../spectral-experiment.ts';
import { spectralLogisticEstimator } from '../powerlaw-classification.ts';
import { estimateOf, type Estimate, type FitOptions } from './types.ts';

/** How an estimator fits one trial's instance (the seed gives it its own random stream, e.g. GAMP's random start). */
export type FitFn = (data: Instance, seed: TrialSeed, options?: FitOptions) => Estimate;

interface EstimatorCommon extends PieceInfo {
  /** The model's functions it calls (checked at load), and the fix when they are missing. */
  readonly calls?: { readonly functions: readonly string[]; readonly hint?: string };
  /** It is Bayes-optimal for the model's own prior and channel (a glm section's): the teacher and the channel of
   * the simulation must be those pieces with those arguments (checked at load). */
  readonly bayesOptimal?: true;
  /** An iterative algorithm whose iterates the model's state evolution predicts step by step (`--trajectory`). */
  readonly iterative?: true;
  /** It measures its predictor itself (Estimate.measured): only these quantities can be measured (checked at load). */
  readonly measures?: readonly string[];
  /** What its loss is for: the labels (the glm channel's, the kernel-powerlaw data piece's) must be for it (checked
   * at load); absent: any (e.g. GAMP, whose channel decides). */
  readonly task?: Task;
}

/** An estimator of teacher-student data (the `glm` experiment). */
export interface GlmEstimator extends EstimatorCommon {
  readonly experiment: 'glm';
  /** At argument values (all of `params`, defaults filled in, checked), and the Problem at the point (whose compiled
   * functions GAMP calls): the fit, and the loss whose training value is measured (penalty excluded). */
  readonly at: (args: readonly number[], problem: Problem) => { readonly fit: FitFn; readonly loss?: (y: number, z: number) => number };
}

/** An estimator of the spiked Wigner matrix of a lowrank section (the `spiked-wigner` experiment, spiked.ts). */
export interface SpikedEstimator extends EstimatorCommon {
  readonly experiment: 'spiked-wigner';
  /** AMP's settings at argument values: its damping, the start's overlap m0 and the model's denoiser. */
  readonly at: (args: readonly number[], problem: Problem) => { readonly damping: number; readonly m0: number } & Denoiser;
}

/** An estimator of a kernel-powerlaw experiment (spectral-experiment.ts): kernel ridge in the spectrum's feature space,
 * or a classifier there (powerlaw-classification.ts). */
export interface SpectralEstimator extends EstimatorCommon {
  readonly experiment: 'kernel-powerlaw';
  readonly at: (args: readonly number[], problem: Problem) => SpectralEstimatorAt;
}

export type EstimatorPiece = GlmEstimator | SpikedEstimator | SpectralEstimator;

const penalty = (name: string, positive: boolean) => ([lambda]: readonly number[]): string | undefined =>
  (Number.isFinite(lambda) && (positive ? lambda > 0 : lambda >= 0) ? undefined
    : `the penalty lambda of ${name}(lambda) must be finite and ${positive ? '> 0 (without a penalty the minimiser need not exist)' : '>= 0'}, got ${lambda}`);
const square = (y: number, z: number) => 0.5 * (y - z) ** 2;
const LAMBDA = { name: 'lambda', doc: 'penalty strength, multiplying the penalty against the total loss' } as const;

const ridgeEstimator: GlmEstimator = {
  name: 'ridge', experiment: 'glm', task: 'regression',
  doc: 'ridge regression: square loss, ell-2 penalty (lambda/2) |w|^2 (Cholesky solve, refined)',
  tex: '\\hat w = \\operatorname{argmin}_w \\sum_\\mu \\tfrac12 (y_\\mu - w \\cdot x_\\mu / \\sqrt{d})^2 + \\tfrac{\\lambda}{2} \\|w\\|^2',
  params: [LAMBDA],
  checkArgs: penalty('ridge', false),
  at: ([lambda]) => ({ fit: (data) => estimateOf(ridge(data, lambda)), loss: square }),
};

const lassoEstimator: GlmEstimator = {
  name: 'lasso', experiment: 'glm', task: 'regression',
  doc: 'LASSO: square loss, ell-1 penalty lambda |w|_1 (coordinate descent to a duality gap)',
  tex: '\\hat w = \\operatorname{argmin}_w \\sum_\\mu \\tfrac12 (y_\\mu - w \\cdot x_\\mu / \\sqrt{d})^2 + \\lambda \\|w\\|_1',
  params: [LAMBDA],
  checkArgs: penalty('lasso', true),
  at: ([lambda]) => ({ fit: (data) => estimateOf(lasso(data, lambda)), loss: square }),
};

const logisticEstimator: GlmEstimator = {
  name: 'logistic', experiment: 'glm', task: 'classification',
  doc: 'logistic regression with ell-2 penalty (Newton-CG to a gradient norm)',
  tex: '\\hat w = \\operatorname{argmin}_w \\sum_\\mu \\log(1 + e^{-y_\\mu w \\cdot x_\\mu / \\sqrt{d}}) + \\tfrac{\\lambda}{2} \\|w\\|^2',
  params: [LAMBDA],
  checkArgs: penalty('logistic', true),
  at: ([lambda]) => ({ fit: (data) => estimateOf(logistic(data, lambda)), loss: logisticLoss.value }),
};

const hingeEstimator: GlmEstimator = {
  name: 'hinge', experiment: 'glm', task: 'classification',
  doc: 'soft-margin SVM: hinge loss with ell-2 penalty (dual coordinate ascent and projected Newton to a duality gap)',
  tex: '\\hat w = \\operatorname{argmin}_w \\sum_\\mu \\max(0, 1 - y_\\mu w \\cdot x_\\mu / \\sqrt{d}) + \\tfrac{\\lambda}{2} \\|w\\|^2',
  params: [LAMBDA],
  checkArgs: penalty('hinge', true),
  at: ([lambda]) => ({ fit: (data) => estimateOf(hinge(data, lambda)), loss: hingeLoss }),
};

const huberEstimator: GlmEstimator = {
  name: 'huber', experiment: 'glm', task: 'regression',
  doc: 'Huber regression with threshold a and ell-2 penalty (semismooth Newton to a gradient norm)',
  tex: '\\hat w = \\operatorname{argmin}_w \\sum_\\mu \\rho_a(y_\\mu - w \\cdot x_\\mu / \\sqrt{d}) + \\tfrac{\\lambda}{2} \\|w\\|^2',
  params: [{ name: 'a', doc: 'threshold of the Huber loss (quadratic below, linear above), > 0' }, LAMBDA],
  checkArgs: ([a, lambda]) => (!(a > 0 && Number.isFinite(a)) ? `the threshold a of huber(a, lambda) must be finite and > 0, got ${a}` : penalty('huber', false)([lambda])),
  at: ([a, lambda]) => {
    const l = huberLoss(a);
    return { fit: (data) => estimateOf(huber(data, lambda, a)), loss: l.value };
  },
};

const ladEstimator: GlmEstimator = {
  name: 'lad', experiment: 'glm', task: 'regression',
  doc: 'least absolute deviations (ell-1 loss) with ell-2 penalty (dual coordinate ascent and an exact finish to a duality gap)',
  tex: '\\hat w = \\operatorname{argmin}_w \\sum_\\mu |y_\\mu - w \\cdot x_\\mu / \\sqrt{d}| + \\tfrac{\\lambda}{2} \\|w\\|^2',
  params: [LAMBDA],
  checkArgs: penalty('lad', true),
  at: ([lambda]) => ({ fit: (data) => estimateOf(lad(data, lambda)), loss: ladLoss }),
};

const tukeyEstimator: GlmEstimator = {
  name: 'tukey', experiment: 'glm', task: 'regression',
  doc: 'Tukey biweight regression with threshold tau and ell-2 penalty (non-convex: Newton and reweighted least squares from the Huber fit with threshold tau/2, to a gradient norm)',
  tex: '\\hat w = \\operatorname{argmin}_w \\sum_\\mu \\rho^{\\mathrm{Tukey}}_\\tau(y_\\mu - w \\cdot x_\\mu / \\sqrt{d}) + \\tfrac{\\lambda}{2} \\|w\\|^2',
  params: [{ name: 'tau', doc: 'threshold of the Tukey loss (flat beyond), > 0' }, LAMBDA],
  checkArgs: ([tau, lambda]) => (!(tau > 0 && Number.isFinite(tau)) ? `the threshold tau of tukey(tau, lambda) must be finite and > 0, got ${tau}` : penalty('tukey', true)([lambda])),
  at: ([tau, lambda]) => ({ fit: (data) => estimateOf(tukey(data, lambda, tau)), loss: tukeyLoss(tau) }),
};

const EPS = { name: 'eps', doc: 'radius of the attack (ell-2: |delta|_2 <= eps; ell-infinity: |delta|_inf <= eps/sqrt(d)), >= 0' } as const;
const radius = (name: string) => (eps: number): string | undefined =>
  (Number.isFinite(eps) && eps >= 0 ? undefined : `the attack radius eps of ${name} must be finite and >= 0, got ${eps}`);

const adversarialL2Estimator: GlmEstimator = {
  name: 'adversarial-l2', experiment: 'glm', task: 'classification',
  doc: 'logistic adversarial training against an ell-2 attack of radius eps, ell-2 penalty (accelerated projected gradient to a gradient-mapping norm)',
  tex: '\\hat w = \\operatorname{argmin}_w \\sum_\\mu \\max_{\\|\\delta\\|_2 \\le \\varepsilon} \\log(1 + e^{-y_\\mu w \\cdot (x_\\mu + \\delta) / \\sqrt{d}}) + \\tfrac{\\lambda}{2} \\|w\\|^2',
  params: [EPS, LAMBDA],
  checkArgs: ([eps, lambda]) => radius('adversarial-l2(eps, lambda)')(eps) ?? penalty('adversarial-l2', true)([lambda]),
  at: ([eps, lambda]) => ({ fit: (data) => estimateOf(adversarialLogistic(data, { norm: 'l2', eps, lambda })) }),
};

const adversarialLinfEstimator: GlmEstimator = {
  name: 'adversarial-linf', experiment: 'glm', task: 'classification',
  doc: 'logistic adversarial training against an ell-infinity attack of radius eps/sqrt(d), penalty (lambda/2)|w|^2 + lambda1 |w|_1 (accelerated projected gradient to a gradient-mapping norm)',
  tex: '\\hat w = \\operatorname{argmin}_w \\sum_\\mu \\max_{\\|\\delta\\|_\\infty \\le \\varepsilon / \\sqrt{d}} \\log(1 + e^{-y_\\mu w \\cdot (x_\\mu + \\delta) / \\sqrt{d}}) + \\tfrac{\\lambda}{2} \\|w\\|^2 + \\lambda_1 \\|w\\|_1',
  params: [EPS, LAMBDA, { name: 'lambda1', doc: 'ell-1 penalty strength, >= 0 (default 0)', default: '0' }],
  checkArgs: ([eps, lambda, lambda1]) => radius('adversarial-linf(eps, lambda, lambda1)')(eps) ?? penalty('adversarial-linf', true)([lambda])
    ?? (Number.isFinite(lambda1) && lambda1 >= 0 ? undefined : `the ell-1 penalty lambda1 of adversarial-linf(eps, lambda, lambda1) must be finite and >= 0, got ${lambda1}`),
  at: ([eps, lambda, lambda1]) => ({ fit: (data) => estimateOf(adversarialLogistic(data, { norm: 'linf', eps, lambda, lambda1 })) }),
};

const logisticMleEstimator: GlmEstimator = {
  name: 'logistic-mle', experiment: 'glm', task: 'classification',
  doc: 'unpenalised logistic regression, the maximum-likelihood estimate (Newton-CG to a gradient norm; it does not converge on separable data, where no MLE exists)',
  tex: '\\hat w = \\operatorname{argmin}_w \\sum_\\mu \\log(1 + e^{-y_\\mu w \\cdot x_\\mu / \\sqrt{d}})',
  params: [],
  at: () => ({ fit: (data) => estimateOf(logisticMle(data)), loss: logisticLoss.value }),
};

/** gamp(damping = 1, q0 = 0) with the model's functions; a random start draws from the trial's solver stream. */
const gampEstimator: GlmEstimator = {
  name: 'gamp', experiment: 'glm', bayesOptimal: true, iterative: true,
  doc: 'the model\'s own GAMP (a glm section\'s fa, fv, gout, dgout), damped by `damping`, from the prior mean or a random start of variance q0',
  tex: '\\text{GAMP with } f_a, f_v, g_{\\mathrm{out}}, \\partial_\\omega g_{\\mathrm{out}}',
  params: [
    { name: 'damping', doc: 'fraction of each new message taken, in (0, 1] (default 1: undamped)', default: '1' },
    { name: 'q0', doc: 'variance of a random start independent of the teacher (default 0: the prior mean)', default: '0' },
  ],
  calls: { functions: ['fa', 'fv', 'gout', 'dgout'], hint: 'GAMP runs on a Bayes-optimal GLM: add a `glm: { prior, channel }` section, which declares them' },
  checkArgs: ([damping, q0]) => (!(damping > 0 && damping <= 1) ? `gamp(damping): the damping must be in (0, 1], got ${damping} (gamp(1) is undamped GAMP; gamp(0.5) takes half of each new message)`
    : !(q0 >= 0 && Number.isFinite(q0)) ? `gamp(damping, q0): q0 must be finite and >= 0, got ${q0}` : undefined),
  at: ([damping, q0], problem) => {
    const fns = glmFunctions(problem.kernels.functions, `model "${problem.model}"`);
    const fit: FitFn = (data, seed, options = {}) => {
      const r = gamp(data, fns, {
        damping,
        teacher: data.teacher,
        // a trajectory is compared with state evolution step by step: plain GAMP, no adaptive damping
        ...(options.trajectory !== undefined && { maxIterations: options.trajectory, adaptive: false }),
        start: q0 > 0 ? { kind: 'random', q0, rng: trialStream(seed, Purpose.solver) } : { kind: 'prior' },
      });
      const stopped = options.trajectory !== undefined && r.status === 'max-iterations';
      return {
        w: r.w, status: r.status, converged: r.status === 'converged' || stopped, certificate: r.residual, iterations: r.iterations,
        history: r.history, ...(r.message !== undefined && !stopped && { message: `gamp ${r.status}: ${r.message}` }),
      };
    };
    return { fit };
  },
};

/** kernel-ridge(lambda, ell), Cui et al. 2021's normalisation: per-sample penalty lambda, or n^-ell when lambda < 0. */
const kernelRidgeEstimator: SpectralEstimator = {
  name: 'kernel-ridge', experiment: 'kernel-powerlaw', task: 'regression',
  doc: 'kernel ridge regression in the feature space: argmin (1/n) sum_mu (y_mu - f(x_mu))^2 + lambda |theta|^2, lambda = n^-ell when lambda < 0 (Cholesky, refined)',
  tex: '\\hat\\theta = \\operatorname{argmin}_\\theta \\tfrac1n \\sum_\\mu (y_\\mu - \\theta \\cdot \\phi_\\mu)^2 + \\lambda \\|\\theta\\|^2,\\ \\lambda = n^{-\\ell} \\text{ if } \\lambda < 0',
  params: [
    { name: 'lambda', doc: 'penalty per sample, >= 0; a negative value means n^-ell' },
    { name: 'ell', doc: 'the decay of the penalty lambda = n^-ell, used when lambda < 0 (default 0)', default: '0' },
  ],
  checkArgs: ([lambda, ell]) => (Number.isFinite(lambda) && Number.isFinite(ell) ? undefined : `kernel-ridge(lambda, ell): both must be finite, got ${lambda}, ${ell}`),
  at: (args) => kernelRidgeAt(args),
};

/** Bayes-optimal AMP on the spiked Wigner matrix, from the lowrank section's prior (its fa, fv). */
const ampEstimator: SpikedEstimator = {
  name: 'amp', experiment: 'spiked-wigner', bayesOptimal: true, iterative: true,
  doc: 'Bayes-optimal AMP with the prior\'s denoiser fa, fv (a lowrank section\'s), damped by `damping`, from a start of overlap m0',
  tex: '\\text{AMP with } f_a, f_v',
  params: [
    { name: 'damping', doc: 'fraction of each new estimate taken, in (0, 1] (default 1: undamped)', default: '1' },
    { name: 'm0', doc: 'the start\'s overlap with the signal, in [0, 1] (default 0: a random start)', default: '0' },
  ],
  calls: { functions: ['fa', 'fv'] },
  checkArgs: ([damping, m0]) => (!(damping > 0 && damping <= 1) ? `amp(damping): the damping must be in (0, 1], got ${damping} (amp(1) is undamped AMP; amp(0.5) takes half of each new estimate)`
    : !(m0 >= 0 && m0 <= 1) ? `amp(damping, m0): m0, the start's overlap with the signal, must be in [0, 1], got ${m0} (0: an uninformed start, 1: the signal itself, the informed branch)` : undefined),
  at: ([damping, m0], problem) => {
    const fns = problem.kernels.functions;
    if (typeof fns?.fa !== 'function' || typeof fns?.fv !== 'function') {
      throw new UsageError(`AMP needs the functions fa and fv of model "${problem.model}"`, 'a lowrank section declares them');
    }
    return { damping, m0, fa: fns.fa, fv: fns.fv };
  },
};

export const ESTIMATORS: ReadonlyMap<string, EstimatorPiece> = new Map(
  [ridgeEstimator, logisticEstimator, hingeEstimator, huberEstimator, lassoEstimator, gampEstimator, ampEstimator, separabilityEstimator,
    adversarialL2Estimator, adversarialLinfEstimator, logisticMleEstimator, ladEstimator, tukeyEstimator, kernelSquare, kernelHinge, kernelLogistic, rfRidgeEstimator, rfLogisticEstimator, rfHingeEstimator, kernelRidgeEstimator, spectralLogisticEstimator].map((e) => [e.name, e]),
);
