/**
 * Classification on a truncated power-law spectrum at finite size (gcm-logistic's simulation): the Gaussian covariate
 * model drawn as it is defined, features phi in R^M Gaussian with covariance diag(omega_k), omega_k = k^-a, the
 * teacher of the source condition omega_k theta*_k^2 = k^-(1 + 2 r a) (powerlaw-krr.ts draws both), labels
 * y = sign(theta*.phi) each flipped with probability eps, and ell-2 penalised logistic regression
 *   theta = argmin sum_mu log(1 + exp(-y_mu theta.phi_mu)) + (lambda/2) |theta|^2      (lambda against the TOTAL loss)
 * solved by the linear model's Newton-CG (estimators/logistic.ts) on the design sqrt(M) phi, whose 1/sqrt(M) scaling
 * gives back theta.phi. The covariance is diagonal and known, so the predictor's population overlaps are exact:
 * m = E[yhat y*] = sum_k omega_k theta_k theta*_k, q = E[yhat^2] = sum_k omega_k theta_k^2, and with
 * rho = sum_k omega_k theta*_k^2 the error on a fresh noisy label eps + (1 - 2 eps) acos(m/sqrt(rho q))/pi (yhat and
 * y* are jointly Gaussian: no Gaussian-equivalence assumption). A truncation to M modes is a different spectrum from
 * the infinite one: compare with a theory truncated alike (gcm-logistic's `modes`).
 */
import { logistic, logisticLoss } from './estimators/logistic.ts';
import type { SpectralEstimator } from './estimators/library.ts';
import { spectralInstance, type PowerLawSpectrum, type SpectralInstance } from './powerlaw-krr.ts';
import { Purpose, trialStream, type TrialSeed } from './rng.ts';

/** n samples with sign labels flipped with probability eps: the features and the teacher field of powerlaw-krr's
 * instance (no additive noise), the flips from uniforms of the trial's labels stream. */
export function signInstance(s: PowerLawSpectrum, n: number, eps: number, seed: TrialSeed): SpectralInstance {
  if (!(eps >= 0 && eps <= 0.5)) throw new RangeError(`the flip probability must be in [0, 1/2], got ${eps}`);
  const instance = spectralInstance(s, n, 0, seed);
  // the labels stream's normals were multiplied by 0 above: its uniforms here are independent of everything drawn
  const flips = trialStream(seed, Purpose.labels);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const label = instance.y[i] >= 0 ? 1 : -1;
    y[i] = flips.uniform() < eps ? -label : label;
  }
  return { ...instance, y };
}

/** What a classification trial measures: exact population overlaps and error, training loss and error per sample. */
export function classificationMeasures(instance: SpectralInstance, theta: Float64Array, eps: number,
  loss: (y: number, z: number) => number): Record<string, number> {
  const { eigenvalues: omega, teacher, modes: M, n, X, y } = instance;
  let m = 0;
  let q = 0;
  let rho = 0;
  for (let k = 0; k < M; k++) {
    m += omega[k] * theta[k] * teacher[k];
    q += omega[k] * theta[k] ** 2;
    rho += omega[k] * teacher[k] ** 2;
  }
  const cos = Math.max(-1, Math.min(1, m / Math.sqrt(rho * q)));
  let trainLoss = 0;
  let trainErrors = 0;
  const s = 1 / Math.sqrt(M);
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let k = 0; k < M; k++) f += X[i * M + k] * theta[k];
    f *= s;
    trainLoss += loss(y[i], f);
    if ((f >= 0 ? 1 : -1) !== y[i]) trainErrors++;
  }
  return { m, q, test_error: eps + (1 - 2 * eps) * Math.acos(cos) / Math.PI, train_loss: trainLoss / n, train_error: trainErrors / n };
}

/** spectral-logistic(lambda): logistic regression in the spectrum's feature space, penalty against the total loss. */
export const spectralLogisticEstimator: SpectralEstimator = {
  name: 'spectral-logistic', experiment: 'kernel-powerlaw', task: 'classification',
  measures: ['m', 'q', 'test_error', 'train_loss', 'train_error'],
  doc: 'logistic regression in the feature space of the spectrum: argmin sum_mu log(1 + exp(-y_mu theta.phi_mu)) + (lambda/2)|theta|^2 '
    + '(Newton-CG to a gradient norm); m, q and the classification error exactly from the known covariance',
  tex: '\\hat\\theta = \\operatorname{argmin}_\\theta \\sum_\\mu \\log(1 + e^{-y_\\mu \\theta \\cdot \\phi_\\mu}) + \\tfrac{\\lambda}{2} \\|\\theta\\|^2',
  params: [{ name: 'lambda', doc: 'penalty strength on |theta|^2, against the total loss, > 0' }],
  checkArgs: ([lambda]) => (lambda > 0 && Number.isFinite(lambda) ? undefined
    : `the penalty lambda of spectral-logistic(lambda) must be finite and > 0 (without a penalty the minimiser need not exist), got ${lambda}`),
  at: ([lambda]) => ({
    penalty: () => lambda,
    loss: logisticLoss.value,
    fit: (instance, penalty) => logistic({ X: instance.X, y: instance.y, n: instance.n, d: instance.modes }, penalty),
  }),
};
