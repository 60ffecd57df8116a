import type { ChannelPiece } from '../types.ts';

/**
 * y = z + noise, the noise N(0, Delta) with probability 1 - eps and N(0, Delta_out) with probability eps: a linear
 * teacher with outliers (huber.yaml, whose theory is written by hand for the Huber loss). No Bayes theory forms:
 * a simulation-only piece.
 */
export const outliers: ChannelPiece = {
  name: 'outliers',
  doc: 'linear channel with outliers: y = z + noise, N(0, Delta) with probability 1 - eps, N(0, Delta_out) with probability eps (simulations only)',
  tex: 'y = z + \\xi, \\quad \\xi \\sim (1 - \\varepsilon)\\, \\mathcal{N}(0, \\Delta) + \\varepsilon\\, \\mathcal{N}(0, \\Delta_{\\mathrm{out}})',
  params: [
    { name: 'eps', doc: 'fraction of outliers, in [0, 1]' },
    { name: 'Delta', doc: 'noise variance of the inliers' },
    { name: 'Delta_out', doc: 'noise variance of the outliers' },
  ],
  sampler: {
    // one uniform and one normal per sample, whatever the arguments
    label: ([eps, Delta, DeltaOut], z, rng) => {
      const u = rng.uniform();
      return z + (u < eps ? Math.sqrt(DeltaOut) : Math.sqrt(Delta)) * rng.normal();
    },
    task: 'regression',
    // E(y - omega)^2 = qStar - 2 m + q + the mean noise variance
    testError: { regression: ([eps, Delta, DeltaOut], { m, q, qStar }) => qStar - 2 * m + q + (1 - eps) * Delta + eps * DeltaOut },
  },
  checkArgs: ([eps, Delta, DeltaOut]) => (!(eps >= 0 && eps <= 1) ? `the outlier fraction eps of outliers(eps, Delta, Delta_out) must be a probability in [0, 1], got ${eps}`
    : !(Delta >= 0 && Number.isFinite(Delta)) ? `the noise variance Delta of outliers(eps, Delta, Delta_out) must be finite and >= 0, got ${Delta}`
      : !(DeltaOut >= 0 && Number.isFinite(DeltaOut)) ? `the noise variance Delta_out of outliers(eps, Delta, Delta_out) must be finite and >= 0, got ${DeltaOut}` : undefined),
};
