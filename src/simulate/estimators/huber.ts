/**
 * Huber regression, F(w) = sum_mu huber_a(y_mu - w.x_mu/sqrt d) + (lambda/2)|w|^2 (huber.yaml): huber_a(r) = r^2/2
 * for |r| <= a, a|r| - a^2/2 beyond. The loss is C^1 with a piecewise-constant second derivative (1 inside,
 * 0 outside): semismooth Newton (newton.ts) to gradient norm <= tol.
 */
import { newtonCG, type NewtonOptions, type SmoothLoss } from './newton.ts';
import { checkPenalty, type Design, type Fit } from './types.ts';

export function huberLoss(a: number): SmoothLoss {
  if (!(a > 0) || Number.isNaN(a)) throw new RangeError(`huber: the threshold a must be > 0, got ${a}`);
  return {
    name: `huber(a=${a})`,
    value: (y, z) => {
      const r = Math.abs(y - z);
      return r <= a ? 0.5 * r * r : a * r - 0.5 * a * a;
    },
    slope: (y, z) => {
      const r = y - z;
      return r > a ? -a : r < -a ? a : -r;
    },
    curvature: (y, z) => (Math.abs(y - z) <= a ? 1 : 0),
  };
}

/** lambda >= 0; with lambda = 0 the minimiser exists when the samples span R^d (alpha > 1) but need not be unique. */
export function huber(data: Design, lambda: number, a: number, options: NewtonOptions = {}): Fit {
  checkPenalty('huber', lambda, false);
  return newtonCG(data, huberLoss(a), lambda, options);
}
