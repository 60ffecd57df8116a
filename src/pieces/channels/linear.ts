import type { ChannelPiece } from '../types.ts';

/** y = z + sqrt(Delta) noise (cs-bayes.yaml). */
export const linear: ChannelPiece = {
  name: 'linear',
  doc: 'linear channel y = z + sqrt(Delta) xi, Delta the noise variance (default 0)',
  tex: 'y = z + \\sqrt{\\Delta}\\, \\xi',
  params: [{ name: 'Delta', doc: 'noise variance (default 0)', default: '0' }],
  theory: {
    floor: 1e-10,
    logZout: '-(y - omega)^2 / (2 * (V + Delta)) - log(2 * pi * (V + Delta)) / 2',
    gout: '(y - omega) / (V + Delta)',
    dgout: '-1 / (V + Delta)',
    // given omega, y ~ N(omega, V + Delta)
    labels: { decls: { variables: { s: { law: 'normal', doc: 'standardised label given the student field' } } }, average: 'E(s, F(omega + sqrt(V + Delta) * s))' },
    accurate: { fisher: '1 / (Delta + V)', psi: '-(1 + log(2 * pi * (Delta + V))) / 2' },
  },
  sampler: {
    // one normal per sample, also when Delta = 0 (common random numbers along a sweep over the noise)
    label: ([Delta], z, rng) => z + Math.sqrt(Delta) * rng.normal(),
    task: 'regression',
    // E(y - omega)^2 = qStar - 2 m + q + Delta
    testError: { regression: ([Delta], { m, q, qStar }) => qStar - 2 * m + q + Delta },
  },
  checkArgs: ([Delta]) => (Delta >= 0 && Number.isFinite(Delta) ? undefined : `the noise variance Delta of linear(Delta) must be finite and >= 0, got ${Delta}`),
};
