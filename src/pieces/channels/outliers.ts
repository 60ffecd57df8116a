import type { ChannelPiece } from '../types.ts';

/**
 * y = z + noise, the noise N(0, Delta) with probability 1 - eps and N(0, Delta_out) with probability eps: a linear
 * teacher with outliers (huber.yaml, whose theory is written by hand for the Huber loss); the outliers' teacher term
 * scaled by beta (default 1: y = beta z + noise, the robust-*.yaml models). No Bayes theory forms: a simulation-only
 * piece.
 */
export const outliers: ChannelPiece = {
  name: 'outliers',
  doc: 'linear channel with outliers: y = z + noise, N(0, Delta) with probability 1 - eps, N(0, Delta_out) with probability eps (simulations only)',
  tex: 'y = z + \\xi, \\quad \\xi \\sim (1 - \\varepsilon)\\, \\mathcal{N}(0, \\Delta) + \\varepsilon\\, \\mathcal{N}(0, \\Delta_{\\mathrm{out}})',
  params: [
    { name: 'eps', doc: 'fraction of outliers, in [0, 1]' },
    { name: 'Delta', doc: 'noise variance of the inliers' },
    { name: 'Delta_out', doc: 'noise variance of the outliers' },
    { name: 'beta', doc: 'teacher scale of the outliers: y = beta z + noise (default 1)', default: '1' },
  ],
  sampler: {
    // one uniform and one normal per sample, whatever the arguments
    label: ([eps, Delta, DeltaOut, beta = 1], z, rng) => {
      const u = rng.uniform();
      return u < eps ? beta * z + Math.sqrt(DeltaOut) * rng.normal() : z + Math.sqrt(Delta) * rng.normal();
    },
    task: 'regression',
    // E(y - omega)^2 over the two classes: qStar - 2 m + q + Delta, and beta^2 qStar - 2 beta m + q + Delta_out
    testError: { regression: ([eps, Delta, DeltaOut, beta = 1], { m, q, qStar }) => (1 - eps) * (qStar - 2 * m + q + Delta) + eps * (beta * beta * qStar - 2 * beta * m + q + DeltaOut) },
  },
  checkArgs: ([eps, Delta, DeltaOut, beta = 1]) => (!(eps >= 0 && eps <= 1) ? `the outlier fraction eps of outliers(eps, Delta, Delta_out) must be a probability in [0, 1], got ${eps}`
    : !(Delta >= 0 && Number.isFinite(Delta)) ? `the noise variance Delta of outliers(eps, Delta, Delta_out) must be finite and >= 0, got ${Delta}`
      : !(DeltaOut >= 0 && Number.isFinite(DeltaOut)) ? `the noise variance Delta_out of outliers(eps, Delta, Delta_out) must be finite and >= 0, got ${DeltaOut}`
        : !Number.isFinite(beta) ? `the teacher scale beta of outliers(eps, Delta, Delta_out, beta) must be finite, got ${beta}` : undefined),
};
