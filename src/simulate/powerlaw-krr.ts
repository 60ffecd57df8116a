/**
 * Kernel ridge regression on a truncated power-law spectrum at finite size (krr-powerlaw's simulation), in the
 * kernel's feature space (Cui, Loureiro, Krzakala, Zdeborova 2021, Gaussian design): M modes, features
 * phi_k = sqrt(lambda_k) z_k with z ~ N(0, I_M) and eigenvalues lambda_k = k^-a (capacity a), a teacher theta*
 * whose mode k carries the power lambda_k theta*_k^2 = k^-(1 + 2 r a) (source r), labels
 * y = theta*.phi + sqrt(sigma2) xi, and the estimator
 *   theta = argmin (1/2) sum_mu (y_mu - theta.phi_mu)^2 + (penalty/2) |theta|^2       (penalty: against the TOTAL loss)
 * solved exactly (estimators/ridge.ts on the design sqrt(M) phi, whose 1/sqrt(M) scaling gives back theta.phi).
 * The excess risk E_x[(f(x) - f*(x))^2] = sum_k lambda_k (theta_k - theta*_k)^2 is measured exactly: the
 * covariance is diagonal. A truncation to M modes is a different spectrum from the infinite one: the infinite sum's
 * tail is absent here, which biases the excess risk once n approaches M (compare a theory truncated alike).
 */
import { ridge } from './estimators/ridge.ts';
import type { Fit } from './estimators/types.ts';
import { Purpose, trialStream, type TrialSeed } from './rng.ts';

/** The spectrum and teacher of the power-law model, truncated to `modes` modes. */
export interface PowerLawSpectrum {
  /** Capacity: eigenvalues k^-a, a > 1 (a summable spectrum). */
  readonly a: number;
  /** Source: the teacher's power on mode k is k^-(1 + 2 r a), r >= 0. */
  readonly r: number;
  readonly modes: number;
}

/** A training set of the power-law model: Z (n x M, N(0, 1)), features phi = Z diag(sqrt(lambda)), labels. */
export interface SpectralInstance {
  readonly n: number;
  readonly modes: number;
  readonly eigenvalues: Float64Array;
  readonly teacher: Float64Array;
  /** sqrt(M) phi (n x M, row-major): the design ridge() reads (it scales by 1/sqrt(M)). */
  readonly X: Float64Array;
  readonly y: Float64Array;
}

export function checkSpectrum(s: PowerLawSpectrum): string | undefined {
  if (!(s.a > 1 && Number.isFinite(s.a))) return `the capacity a must be finite and > 1 (a summable spectrum), got ${s.a}`;
  if (!(s.r >= 0 && Number.isFinite(s.r))) return `the source r must be finite and >= 0, got ${s.r}`;
  if (!(Number.isInteger(s.modes) && s.modes >= 1)) return `the number of modes must be a positive integer, got ${s.modes}`;
  return undefined;
}

/** lambda_k = k^-a and theta*_k = k^((a - 1 - 2 r a)/2), so that lambda_k theta*_k^2 = k^-(1 + 2 r a). */
export function powerLawSpectrum(s: PowerLawSpectrum): { eigenvalues: Float64Array; teacher: Float64Array } {
  const bad = checkSpectrum(s);
  if (bad) throw new RangeError(bad);
  const eigenvalues = new Float64Array(s.modes);
  const teacher = new Float64Array(s.modes);
  for (let k = 1; k <= s.modes; k++) {
    eigenvalues[k - 1] = k ** -s.a;
    teacher[k - 1] = k ** ((s.a - 1 - 2 * s.r * s.a) / 2);
  }
  return { eigenvalues, teacher };
}

/** n samples: Z from the trial's inputs stream, the label noise from its labels stream (data.ts's purposes). */
export function spectralInstance(s: PowerLawSpectrum, n: number, sigma2: number, seed: TrialSeed): SpectralInstance {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`n must be a positive integer, got ${n}`);
  if (!(sigma2 >= 0 && Number.isFinite(sigma2))) throw new RangeError(`the noise variance must be finite and >= 0, got ${sigma2}`);
  const { eigenvalues, teacher } = powerLawSpectrum(s);
  const M = s.modes;
  const X = new Float64Array(n * M);
  trialStream(seed, Purpose.inputs).fillNormal(X);
  const scale = Float64Array.from(eigenvalues, (l) => Math.sqrt(l));
  const noise = new Float64Array(n);
  trialStream(seed, Purpose.labels).fillNormal(noise);
  const y = new Float64Array(n);
  const sM = Math.sqrt(M);
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let k = 0; k < M; k++) {
      const phi = X[i * M + k] * scale[k];
      t += phi * teacher[k];
      X[i * M + k] = phi * sM;
    }
    y[i] = t + Math.sqrt(sigma2) * noise[i];
  }
  return { n, modes: M, eigenvalues, teacher, X, y };
}

/** The excess risk sum_k lambda_k (theta_k - theta*_k)^2 of an estimate. */
export function excessRisk(instance: Pick<SpectralInstance, 'eigenvalues' | 'teacher'>, theta: Float64Array): number {
  let e = 0;
  for (let k = 0; k < theta.length; k++) e += instance.eigenvalues[k] * (theta[k] - instance.teacher[k]) ** 2;
  return e;
}

/** Kernel ridge with the penalty against the total loss, in feature space (exact, certified by its gradient). */
export function kernelRidge(instance: SpectralInstance, penalty: number): Fit {
  return ridge({ X: instance.X, y: instance.y, n: instance.n, d: instance.modes }, penalty);
}
