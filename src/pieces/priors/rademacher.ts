import type { PriorPiece } from '../types.ts';

/** w* = +-1 with probability 1/2 (perceptron-binary-bayes.yaml). */
export const rademacher: PriorPiece = {
  name: 'rademacher',
  doc: 'Rademacher prior: w = +1 or -1 with probability 1/2',
  tex: 'w = \\pm 1 \\text{ with probability } 1/2',
  params: [],
  theory: {
    secondMoment: '1',
    // Zw = cosh(B) exp(-A/2); log cosh(B) = log1pexp(2B) - B - log 2 without overflow.
    logZw: 'log1pexp(2 * B) - B - log(2) - A / 2',
    fa: 'tanh(B)',
    fv: '1 - tanh(B)^2',
    teacher: { decls: { variables: { s: { values: [-1, 1], doc: 'teacher component' } } }, average: 'E(s, F(s))' },
    // By the symmetry w* -> -w*, take w* = +1. Psi_w - qhat/2 = E log cosh(B) - qhat = -log 2 + E log1pexp(-2B),
    // which tends to -log 2 at perfect recovery without cancellation. Both integrands switch at B = 0, i.e. at
    // xi = -sqrt(qhat), over a width 1/sqrt(qhat) (tanh has poles at B = i pi/2): Gauss-Hermite on the whole line
    // (200 nodes) errs by 7e-11 at qhat = 3.9 and 8e-10 at qhat = 8 (against a trapezoid rule,
    // test/models/spiked-wigner.test.ts); split there, on Gauss-Legendre windows whose nodes crowd at the switch.
    // Near perfect recovery q is 1 minus 1 - q = E[1 - tanh(B)] = 2 E[sigmoid(-2B)], which keeps the mse to full
    // relative accuracy (the window rules' weights sum to 1 only to ~1e-15), and q <= 1. It is not floored: where
    // 1 - q < 2^-54 the nearest double is q = 1, the exact perfect-recovery fixed point (qhat = infinity, held finite
    // by the channel's floor of V). Flooring 1 - q at 2^-53 instead stopped the binary perceptron at a state
    // (q = 1 - 2^-53, qhat = 8.5e7) that is no fixed point of the exact equations, whose free entropy was off by
    // qhat (1 - q) / 2 = 4.7e-9 and moved alpha_IT by 2.6e-7. Below qhat = 2 (q < 0.77) the direct form, which
    // keeps small q to full relative accuracy (weak recovery).
    accurate: {
      decls: {
        variables: { xi: { law: 'normal', nodes: 96, doc: 'noise of the effective scalar channel (split where B = 0)' } },
        definitions: { b: 'qhat + sqrt(qhat) * xi', xs: '-sqrt(qhat)' },
      },
      q: 'qhat > 2 ? 1 - 2 * (E(xi < xs, sigmoid(-2 * b)) + E(xi > xs, sigmoid(-2 * b))) : E(xi < xs, tanh(b)) + E(xi > xs, tanh(b))',
      psi: '-log(2) + E(xi < xs, log1pexp(-2 * b)) + E(xi > xs, log1pexp(-2 * b))',
    },
  },
  // one uniform per component
  draw: (_, rng) => (rng.uniform() < 0.5 ? -1 : 1),
  secondMomentAt: () => 1,
};
