import type { PriorPiece } from '../types.ts';

/** w* ~ N(0, v); v = 1 unless given. */
export const gaussian: PriorPiece = {
  name: 'gaussian',
  doc: 'Gaussian prior N(0, v), v = 1 unless given',
  tex: 'w \\sim \\mathcal{N}(0, v)',
  params: [{ name: 'v', doc: 'variance (default 1)', default: '1' }],
  theory: {
    secondMoment: 'v',
    logZw: 'v * B^2 / (2 * (1 + v * A)) - log1p(v * A) / 2',
    fa: 'v * B / (1 + v * A)',
    fv: 'v / (1 + v * A)',
    teacher: { decls: { variables: { g: { law: 'normal', doc: 'standardised teacher component' } } }, average: 'E(g, F(sqrt(v) * g))' },
    // The posterior of a Gaussian scalar channel is Gaussian: q = E[w* fa] = v^2 qhat / (1 + v qhat), and
    // Psi_w = v qhat / 2 - log(1 + v qhat) / 2.
    accurate: { q: 'v * (v * qhat) / (1 + v * qhat)', psi: '-log1p(v * qhat) / 2' },
  },
  // one normal per component
  draw: ([v], rng) => Math.sqrt(v) * rng.normal(),
  secondMomentAt: ([v]) => v,
  checkArgs: ([v]) => (v >= 0 && Number.isFinite(v) ? undefined : `the variance v of gaussian(v) must be finite and >= 0, got ${v}`),
};
