import type { Retcode } from '../../base/retcode.ts';
import type { GampIterate } from '../gamp.ts';

/**
 * What every estimator takes and returns. Normalisation (the model files' own, equations/*.yaml): an estimator
 * minimises the TOTAL loss over the samples plus the penalty, with the student field w.x_mu/sqrt(d):
 *   F(w) = sum_mu loss(y_mu, w.x_mu/sqrt(d)) + (lambda/2) |w|^2     (ridge, logistic, hinge, huber)
 *   F(w) = (1/2) sum_mu (y_mu - w.x_mu/sqrt(d))^2 + lambda |w|_1      (lasso)
 */

/** The training data an estimator sees: X (n x d, row-major) and labels y. `Samples` and `Instance` are Designs. */
export interface Design {
  readonly X: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
  readonly d: number;
}

/**
 * How optimality is certified: the Euclidean norm of the gradient of F (smooth objectives), or the duality gap
 * P(w) - D(dual) >= F(w) - min F (hinge, lasso), evaluated at the returned w from freshly computed fields.
 */
export type CertificateKind = 'gradient-norm' | 'duality-gap';

/** How an estimator stopped, in the project's one vocabulary (base/retcode.ts): `converged` when its certificate
 * is at most its tolerance at the returned w (never otherwise); `max-iterations` at its iteration cap;
 * `non-finite` when the certificate is NaN or infinite; `failed` for anything else (a singular system, a rounding
 * floor above the tolerance), which the message explains. */
export type FitStatus = Extract<Retcode, 'converged' | 'max-iterations' | 'non-finite' | 'failed'>;

export interface Fit {
  readonly w: Float64Array;
  /** Outer iterations (Newton steps, epochs of coordinate updates, refinement steps). */
  readonly iterations: number;
  readonly status: FitStatus;
  readonly certificate: number;
  readonly certificateKind: CertificateKind;
  readonly tolerance: number;
  /** Why the solver stopped when it did not converge (iteration cap, singular system, non-finite values). */
  readonly message?: string;
}

export interface SolverOptions {
  /** Certificate tolerance; default 1e-8. */
  readonly tol?: number;
  /** Cap on outer iterations; the default depends on the solver. */
  readonly maxIterations?: number;
}

export const DEFAULT_TOL = 1e-8;

/** Misuse is an error that names the fix; failure to converge is a Fit whose status says how it stopped. */
export function checkDesign(data: Design): void {
  const { X, y, n, d } = data;
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(d) && d >= 1)) throw new RangeError(`n and d must be positive integers, got n = ${n}, d = ${d}`);
  if (X.length < n * d) throw new RangeError(`X has ${X.length} entries, fewer than n d = ${n * d}`);
  if (y.length < n) throw new RangeError(`y has ${y.length} entries, fewer than n = ${n}`);
}

export function checkPenalty(name: string, lambda: number, positive: boolean): void {
  const ok = Number.isFinite(lambda) && (positive ? lambda > 0 : lambda >= 0);
  if (!ok) {
    throw new RangeError(
      `${name}: lambda must be ${positive ? '> 0 (without a penalty the minimiser need not exist)' : '>= 0'} and finite, got ${lambda}`,
    );
  }
}

/** How a trial runs its estimator. */
export interface FitOptions {
  /** An iterative estimator (GAMP) records every iterate and runs at most this many iterations; stopping at
   * that budget is then not a failure (the trajectory of `saddle verify --trajectory`). */
  readonly trajectory?: number;
}

/** What an estimator returns to the experiment: an ERM fit, or a GAMP run with its iterates. */
export interface Estimate extends Pick<Fit, 'w' | 'certificate' | 'iterations' | 'message'> {
  /** How the estimator stopped (GAMP's own status, or the fit's). */
  readonly status: Retcode;
  /** The trial counts: the estimator converged, or (FitOptions.trajectory) ran its whole iteration budget. */
  readonly converged: boolean;
  /** GAMP: the iterates t = 0 .. iterations (the start first). */
  readonly history?: readonly GampIterate[];
  /** The predictions on the training samples where they are not w.x_mu/sqrt(d) (a kernel with a per-sample part:
   * estimators/kernel.ts); the training loss and errors are measured on them. */
  readonly trainFields?: Float64Array;
  /** The measurements of an estimator that measures its predictor itself (random features: its estimate lives in
   * the features' space, not the inputs'), by measured name (section.ts MEASURED); then w is not read. */
  readonly measured?: Readonly<Record<string, number>>;
}

/** An ERM fit as an Estimate. */
export const estimateOf = (fit: Fit): Estimate => ({
  w: fit.w, status: fit.status, converged: fit.status === 'converged', certificate: fit.certificate, iterations: fit.iterations,
  ...(fit.message !== undefined && { message: fit.message }),
});
