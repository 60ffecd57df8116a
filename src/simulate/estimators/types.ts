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

export interface Fit {
  readonly w: Float64Array;
  /** Outer iterations (Newton steps, epochs of coordinate updates, refinement steps). */
  readonly iterations: number;
  /** certificate <= tolerance, measured at the returned w; never true otherwise. */
  readonly converged: boolean;
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

/** Misuse is an error that names the fix; failure to converge is a Fit with converged = false. */
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
