/**
 * The `kernel-powerlaw` experiment of a simulation section (krr-powerlaw.yaml): kernel ridge regression in the
 * feature space of a power-law spectrum truncated to d modes (powerlaw-krr.ts), d being the simulation's size.
 *
 *   simulation:
 *     model: kernel-powerlaw
 *     data: powerlaw(n, a, r, sigma2)      # n samples, capacity a, source r, noise variance sigma2
 *     estimator: kernel-ridge(lambda, ell) # per-sample penalty lambda, or n^-ell when lambda < 0
 *     measure: { excess_risk: excess_risk }
 *
 * The data piece and the estimator are pieces like the others (their arguments parameter names or numbers,
 * resolved by pieces/args.ts), in their own small libraries. A data piece makes the instance and measures an
 * estimate: `powerlaw` regression labels (excess risk, squared training error), `powerlaw-sign(n, a, r, eps)` sign
 * labels flipped with probability eps (powerlaw-classification.ts: m, q, the classification error, training loss
 * and error; with the estimator spectral-logistic(lambda), gcm-logistic.yaml's section).
 */
import { argValues } from '../pieces/args.ts';
import type { PieceInfo, Task } from '../pieces/types.ts';
import type { Measured } from './section.ts';
import type { SpectralPlan } from './plan.ts';
import { classificationMeasures, signInstance } from './powerlaw-classification.ts';
import { checkSpectrum, excessRisk, kernelRidge, spectralInstance, type SpectralInstance } from './powerlaw-krr.ts';
import type { Fit } from './estimators/types.ts';
import type { TrialSeed } from './rng.ts';

/** A law of spectral data at argument values. */
export interface SpectralDataPiece extends PieceInfo {
  /** The number of samples at argument values (for the size checks before any work). */
  readonly samples: (args: readonly number[]) => number;
  /** What its labels are for (an estimator with a task must match it: checked at load). */
  readonly task: Task;
  /** What a trial can measure with these labels (checked at load). */
  readonly measures: readonly Measured[];
  /** One trial's instance at d modes, from the trial's streams. */
  readonly instance: (args: readonly number[], d: number, seed: TrialSeed) => SpectralInstance;
  /** The measurements of an estimate theta (`loss`: the estimator's, for the training loss). */
  readonly measure: (args: readonly number[], instance: SpectralInstance, theta: Float64Array, loss?: (y: number, z: number) => number) => Record<string, number>;
}

const powerlawData: SpectralDataPiece = {
  name: 'powerlaw',
  doc: 'Gaussian features of covariance diag(k^-a), k = 1..d (d: the simulation\'s size), a teacher with power k^-(1 + 2 r a) on mode k, '
    + 'labels with noise of variance sigma2',
  tex: '\\phi_k = k^{-a/2} z_k,\\ k \\le d,\\quad y = \\theta^* \\cdot \\phi + \\sqrt{\\sigma^2}\\,\\xi,\\quad k^{-a} (\\theta^*_k)^2 = k^{-(1 + 2ra)}',
  params: [
    { name: 'n', doc: 'the number of samples, a positive integer' },
    { name: 'a', doc: 'capacity, > 1' },
    { name: 'r', doc: 'source, >= 0' },
    { name: 'sigma2', doc: 'label noise variance, >= 0 (default 0)', default: '0' },
  ],
  checkArgs: ([n, a, r, sigma2]) => (!(Number.isInteger(n) && n >= 1) ? `the number of samples n of powerlaw(n, a, r, sigma2) must be a positive integer, got ${n}`
    : !(sigma2 >= 0 && Number.isFinite(sigma2)) ? `the noise variance sigma2 of powerlaw(n, a, r, sigma2) must be finite and >= 0, got ${sigma2}`
      : checkSpectrum({ a, r, modes: 1 })),
  samples: ([n]) => n,
  task: 'regression',
  measures: ['excess_risk', 'train_error'],
  instance: ([n, a, r, sigma2], d, seed) => spectralInstance({ a, r, modes: d }, n, sigma2, seed),
  measure: (_args, instance, theta) => {
    const { n, modes: M, X, y } = instance;
    let train = 0;
    const s = 1 / Math.sqrt(M);
    for (let i = 0; i < n; i++) {
      let f = 0;
      for (let k = 0; k < M; k++) f += X[i * M + k] * theta[k];
      train += (y[i] - f * s) ** 2;
    }
    return { excess_risk: excessRisk(instance, theta), train_error: train / n };
  },
};

const powerlawSignData: SpectralDataPiece = {
  name: 'powerlaw-sign',
  doc: 'Gaussian features of covariance diag(k^-a), k = 1..d (d: the simulation\'s size), a teacher with power k^-(1 + 2 r a) on mode k, '
    + 'labels sign(theta*.phi) each flipped with probability eps',
  tex: '\\phi_k = k^{-a/2} z_k,\\ k \\le d,\\quad y = s \\operatorname{sign}(\\theta^* \\cdot \\phi),\\ P(s = -1) = \\varepsilon,\\quad k^{-a} (\\theta^*_k)^2 = k^{-(1 + 2ra)}',
  params: [
    { name: 'n', doc: 'the number of samples, a positive integer' },
    { name: 'a', doc: 'capacity, > 1' },
    { name: 'r', doc: 'source, >= 0' },
    { name: 'eps', doc: 'label-flip probability, in [0, 1/2] (default 0)', default: '0' },
  ],
  checkArgs: ([n, a, r, eps]) => (!(Number.isInteger(n) && n >= 1) ? `the number of samples n of powerlaw-sign(n, a, r, eps) must be a positive integer, got ${n}`
    : !(eps >= 0 && eps <= 0.5) ? `the flip probability eps of powerlaw-sign(n, a, r, eps) must be in [0, 1/2], got ${eps}`
      : checkSpectrum({ a, r, modes: 1 })),
  samples: ([n]) => n,
  task: 'classification',
  measures: ['m', 'q', 'test_error', 'train_loss', 'train_error'],
  instance: ([n, a, r, eps], d, seed) => signInstance({ a, r, modes: d }, n, eps, seed),
  measure: ([, , , eps], instance, theta, loss) => classificationMeasures(instance, theta, eps, loss ?? (() => Number.NaN)),
};

/** The data pieces of a kernel-powerlaw simulation. */
export const SPECTRAL_DATA: ReadonlyMap<string, SpectralDataPiece> = new Map([powerlawData, powerlawSignData].map((p) => [p.name, p]));

/** kernel-ridge(lambda, ell): f = argmin (1/n) sum_mu (y_mu - f(x_mu))^2 + lambda |theta|^2 (Cui et al. 2021), i.e. the
 * penalty n lambda against (1/2) times the total loss, solved exactly. */
export interface SpectralEstimatorAt {
  /** The penalty against (1/2) sum of squared residuals (kernel-ridge) or the total loss, at n samples. */
  readonly penalty: (n: number) => number;
  readonly fit: (instance: SpectralInstance, penalty: number) => Fit;
  /** The loss whose training value is measured (classification data), penalty excluded. */
  readonly loss?: (y: number, z: number) => number;
}

/** The penalty per sample of kernel-ridge(lambda, ell): lambda when lambda >= 0, else n^-ell (krr-powerlaw's rule). */
export const perSamplePenalty = (lambda: number, ell: number, n: number): number => (lambda >= 0 ? lambda : n ** -ell);

export const kernelRidgeAt = ([lambda, ell]: readonly number[]): SpectralEstimatorAt => ({
  penalty: (n) => n * perSamplePenalty(lambda, ell, n),
  fit: kernelRidge,
});

/** One trial's measurements of a kernel-powerlaw experiment. */
export interface SpectralTrialValues {
  readonly n: number;
  readonly fit: Fit;
  readonly values: Readonly<Record<string, number>>;
}

/** A trial at d modes: the data piece's instance from the trial's streams, the fit, the piece's measurements. */
export function spectralTrial(law: SpectralDataPiece, data: readonly number[], estimator: SpectralEstimatorAt, d: number, seed: TrialSeed): SpectralTrialValues {
  const instance = law.instance(data, d, seed);
  const fit = estimator.fit(instance, estimator.penalty(instance.n));
  return { n: instance.n, fit, values: law.measure(data, instance, fit.w, estimator.loss) };
}

/** The number of samples of a kernel-powerlaw plan at parameter values (the size checks before any work); NaN when the
 * data piece is unknown (checkSimulation has refused it). */
export function spectralSamples(plan: SpectralPlan, params: ArrayLike<number>): number {
  const piece = SPECTRAL_DATA.get(plan.data.key);
  return piece ? piece.samples(argValues(plan.data.args, params)) : Number.NaN;
}
