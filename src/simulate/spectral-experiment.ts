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
 * resolved by pieces/args.ts), in their own small libraries.
 */
import { argValues } from '../pieces/args.ts';
import type { PieceInfo } from '../pieces/types.ts';
import type { SpectralPlan } from './plan.ts';
import { checkSpectrum, excessRisk, kernelRidge, spectralInstance } from './powerlaw-krr.ts';
import type { Fit } from './estimators/types.ts';
import type { TrialSeed } from './rng.ts';

/** A law of spectral data at argument values. */
export interface SpectralDataPiece extends PieceInfo {
  /** The number of samples at argument values (for the size checks before any work). */
  readonly samples: (args: readonly number[]) => number;
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
};

/** The data pieces of a kernel-powerlaw simulation. */
export const SPECTRAL_DATA: ReadonlyMap<string, SpectralDataPiece> = new Map([[powerlawData.name, powerlawData]]);

/** kernel-ridge(lambda, ell): f = argmin (1/n) sum_mu (y_mu - f(x_mu))^2 + lambda |theta|^2 (Cui et al. 2021), i.e. the
 * penalty n lambda against (1/2) times the total loss, solved exactly. */
export interface SpectralEstimatorAt {
  /** The penalty against (1/2) sum of squared residuals, at n samples. */
  readonly penalty: (n: number) => number;
  readonly fit: (instance: ReturnType<typeof spectralInstance>, penalty: number) => Fit;
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

/** A trial at d modes: the instance from the trial's streams, the fit, the excess risk and the training error. */
export function spectralTrial(data: readonly number[], estimator: SpectralEstimatorAt, d: number, seed: TrialSeed): SpectralTrialValues {
  const [n, a, r, sigma2] = data;
  const instance = spectralInstance({ a, r, modes: d }, n, sigma2, seed);
  const fit = estimator.fit(instance, estimator.penalty(n));
  const pred = new Float64Array(n);
  let train = 0;
  const s = 1 / Math.sqrt(d);
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let k = 0; k < d; k++) f += instance.X[i * d + k] * fit.w[k];
    pred[i] = f * s;
    train += (instance.y[i] - pred[i]) ** 2;
  }
  return { n, fit, values: { excess_risk: excessRisk(instance, fit.w), train_error: train / n } };
}

/** The number of samples of a kernel-powerlaw plan at parameter values (the size checks before any work); NaN when the
 * data piece is unknown (checkSimulation has refused it). */
export function spectralSamples(plan: SpectralPlan, params: ArrayLike<number>): number {
  const piece = SPECTRAL_DATA.get(plan.data.key);
  return piece ? piece.samples(argValues(plan.data.args, params)) : Number.NaN;
}
