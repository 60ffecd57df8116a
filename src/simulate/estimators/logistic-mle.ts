/**
 * The unpenalised logistic maximum-likelihood estimate (logistic-mle.yaml, Sur and Candes 2019),
 * F(w) = sum_mu log(1 + exp(-y_mu w.x_mu/sqrt d)), by truncated Newton (newton.ts) to gradient norm <= tol.
 * It exists only when the data are not linearly separable (kappa = d/n < h_MLE(gamma), Candes and Sur 2020). On
 * separable data F has no minimiser, yet Newton drives the norm of w up until the gradient, exponentially small in
 * the margins, passes below any tolerance: a small gradient is then no certificate. So a fit whose w classifies
 * every sample correctly (which proves the data separable, hence no MLE) is reported `failed`, never converged.
 */
import { matVec } from '../linalg.ts';
import { logisticLoss } from './logistic.ts';
import { newtonCG, type NewtonOptions } from './newton.ts';
import type { Design, Fit } from './types.ts';

export function logisticMle(data: Design, options: NewtonOptions = {}): Fit {
  const fit = newtonCG(data, logisticLoss, 0, { maxIterations: 100, ...options });
  const { X, y, n, d } = data;
  const z = new Float64Array(n);
  matVec(X, n, d, fit.w, z, 1 / Math.sqrt(d));
  let separated = true;
  for (let i = 0; i < n && separated; i++) separated = y[i] * z[i] > 0;
  if (!separated) return fit;
  return {
    ...fit, status: 'failed',
    message: 'the data are linearly separable (the iterate classifies every sample correctly): the MLE does not exist',
  };
}
