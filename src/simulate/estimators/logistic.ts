/**
 * Logistic regression, F(w) = sum_mu log(1 + exp(-y_mu w.x_mu/sqrt d)) + (lambda/2)|w|^2 (logistic.yaml), labels
 * +-1, by truncated Newton (newton.ts) to gradient norm <= tol.
 */
import { newtonCG, type NewtonOptions, type SmoothLoss } from './newton.ts';
import { checkPenalty, type Design, type Fit } from './types.ts';

/** log(1 + e^t) without overflow or loss of digits. */
export function log1pexp(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/** 1/(1 + e^-t), computed from e^-|t| so it neither overflows nor cancels. */
function sigmoid(t: number): number {
  const e = Math.exp(-Math.abs(t));
  return t >= 0 ? 1 / (1 + e) : e / (1 + e);
}

export const logisticLoss: SmoothLoss = {
  name: 'logistic',
  value: (y, z) => log1pexp(-y * z),
  slope: (y, z) => -y * sigmoid(-y * z),
  curvature: (y, z) => {
    const e = Math.exp(-Math.abs(y * z));
    return e / ((1 + e) * (1 + e));
  },
};

export function logistic(data: Design, lambda: number, options: NewtonOptions = {}): Fit {
  checkPenalty('logistic', lambda, true);
  return newtonCG(data, logisticLoss, lambda, options);
}
