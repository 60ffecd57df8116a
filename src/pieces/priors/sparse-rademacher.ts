import type { PriorPiece } from '../types.ts';

/**
 * w* = 0 with probability 1 - rho, +-1/sqrt(rho) with probability rho/2 each: second moment 1 for every density
 * (sparse PCA: Deshpande and Montanari 2014; Lesieur, Krzakala, Zdeborova, J. Stat. Mech. (2017) 073403, their
 * Rademacher-Bernoulli prior rescaled to unit second moment). rho = 1 is the Rademacher prior.
 *
 * Zw(B, A) = (1 - rho) + rho exp(-A/(2 rho)) cosh(B/sqrt(rho)). With the log posterior odds of a nonzero component
 *   g(B, A) = log(rho/(1 - rho)) - A/(2 rho) + log cosh(B/sqrt(rho)),
 * log Zw = log(1 - rho) + log1pexp(g) = log(rho) - A/(2 rho) + log cosh(B/sqrt(rho)) + log1pexp(-g) (the first
 * for g <= 0, the second for g > 0: neither cancels), fa = sigmoid(g) tanh(B/sqrt(rho))/sqrt(rho) and
 * fv = E[w^2 | B] - fa^2 = sigmoid(g)/rho (sigmoid(-g) + sigmoid(g)/cosh^2(B/sqrt(rho))), free of the cancellation
 * of sigmoid(g)/rho - fa^2 when the posterior is sure.
 *
 * State evolution on the Nishimori line, with u = qhat/rho (the signal-to-noise ratio of a nonzero component)
 * and the field of a component in units of its size, y = B/sqrt(rho): y = u + sqrt(u) xi for w* = +1/sqrt(rho)
 * (w* = -1/sqrt(rho) by the symmetry w -> -w), y0 = sqrt(u) xi for w* = 0; g1, g0 the odds there.
 *   q = E[w* fa] = rho (1/sqrt(rho)) E[fa(y)] = E_xi[sigmoid(g1) tanh(y)]  (the zero components add nothing);
 *   psi = Psi_w - qhat/2 = rho [log(rho/2) + E log1pexp(-2y) + E log1pexp(-g1)] + (1 - rho) [log(1 - rho) + E log1pexp(g0)],
 * after log cosh y = y - log 2 + log1pexp(-2y) and E y = u, which cancels rho u against qhat/2 exactly (no
 * cancellation left at large qhat: psi tends to minus the prior's entropy, rho log(rho/2) + (1 - rho) log(1 - rho)).
 * Quadrature: the sigmoids switch where log cosh y ~ u/2 + log((1 - rho)/rho), at |xi| >= sqrt(2 log((1 - rho)/rho))
 * with width 1/sqrt(u) in xi: 200 nodes (checked n vs 2n by saddle check down to rho = 0.01, and against a fine
 * trapezoid rule in test/glm/lowrank.test.ts).
 */
export const sparseRademacher: PriorPiece = {
  name: 'sparse-rademacher',
  doc: 'sparse Rademacher prior: 0 with probability 1 - rho, +-1/sqrt(rho) with probability rho/2 each (second moment 1)',
  tex: 'w \\sim (1 - \\rho)\\, \\delta_0 + \\tfrac{\\rho}{2} (\\delta_{1/\\sqrt{\\rho}} + \\delta_{-1/\\sqrt{\\rho}})',
  params: [{ name: 'rho', doc: 'density of nonzero components, in (0, 1]' }],
  theory: {
    secondMoment: '1',
    decls: {
      functions: {
        // log cosh(x) without overflow
        'lc(x)': 'abs(x) + log1pexp(-2 * abs(x)) - log(2)',
        'g(B, A)': 'log(rho) - log1p(-rho) - A / (2 * rho) + lc(B / sqrt(rho))',
      },
    },
    logZw: 'g(B, A) > 0 ? log(rho) - A / (2 * rho) + lc(B / sqrt(rho)) + log1pexp(-g(B, A)) : log1p(-rho) + log1pexp(g(B, A))',
    fa: 'sigmoid(g(B, A)) * tanh(B / sqrt(rho)) / sqrt(rho)',
    fv: 'sigmoid(g(B, A)) / rho * (sigmoid(-g(B, A)) + sigmoid(g(B, A)) / cosh(B / sqrt(rho))^2)',
    teacher: {
      decls: {
        variables: {
          st: { values: [0, 1], probs: ['1 - rho', 'rho'], doc: 'support indicator of the teacher component' },
          sg: { values: [-1, 1], doc: 'sign of the teacher component' },
        },
      },
      average: 'E(st, E(sg, F(st * sg / sqrt(rho))))',
    },
    accurate: {
      decls: {
        functions: {
          // the y > 0 where log cosh y = t (t >= 0): acosh(exp(t)) without overflow
          'lcinv(t)': 't + log1p(sqrt(-expm1(-2 * t)))',
        },
        variables: { xi: { law: 'normal', nodes: 96, doc: 'noise of the effective scalar channel (split at the switches of the odds)' } },
        definitions: {
          u: 'qhat / rho',
          su: 'sqrt(max(u, 1e-300))',
          y: 'u + sqrt(u) * xi',
          y0: 'sqrt(u) * xi',
          g1: 'log(rho) - log1p(-rho) - u / 2 + lc(y)',
          g0: 'log(rho) - log1p(-rho) - u / 2 + lc(y0)',
          // where the odds switch sign (g = 0 at y = +-ys), in xi: xs for a nonzero component, +-x0 for a zero one
          ys: 'lcinv(max(0, u / 2 - log(rho) + log1p(-rho)))',
          xs: '(ys - u) / su',
          x0: 'ys / su',
        },
      },
      // near perfect recovery 1 - q = E[sigmoid(-g1) + 2 sigmoid(g1) sigmoid(-2y)] (1 - tanh y = 2 sigmoid(-2y)), which
      // keeps the mse to full relative accuracy. Not floored, as for `rademacher`: where 1 - q < 2^-54 the nearest
      // double is q = 1, the exact perfect-recovery fixed point (qhat held finite by the channel's floor of V), whose
      // free entropy is exact; a floor at 2^-53 stopped sparse-rademacher with sign at q = 1 - 2^-53, qhat ~ 7e7 alpha,
      // no fixed point of the exact equations, its free energy off by qhat (1 - q)/2 ~ 4e-9 alpha. The direct form
      // where q is small (weak recovery); the switch, u > 2 max(1, log((1 - rho)/rho)), falls where q is ~0.35 to ~0.8
      q: 'u > 2 * max(1, log1p(-rho) - log(rho)) ? 1 - (E(xi < xs, sigmoid(-g1) + 2 * sigmoid(g1) * sigmoid(-2 * y)) + E(xi > xs, sigmoid(-g1) + 2 * sigmoid(g1) * sigmoid(-2 * y)))'
        + ' : E(xi < xs, sigmoid(g1) * tanh(y)) + E(xi > xs, sigmoid(g1) * tanh(y))',
      // the zero components' term vanishes at rho = 1 (where log(1 - rho) = -Inf); it is even in xi
      psi: 'rho * (log(rho / 2) + E(xi < xs, log1pexp(-2 * y) + log1pexp(-g1)) + E(xi > xs, log1pexp(-2 * y) + log1pexp(-g1)))'
        + ' + (rho < 1 ? (1 - rho) * (log1p(-rho) + 2 * (E(0 < xi < x0, log1pexp(g0)) + E(xi > x0, log1pexp(g0)))) : 0)',
    },
  },
  // one uniform per component: -1/sqrt(rho) below rho/2, +1/sqrt(rho) below rho, else 0
  draw: ([rho], rng) => {
    const u = rng.uniform();
    return u < rho ? (u < rho / 2 ? -1 : 1) / Math.sqrt(rho) : 0;
  },
  secondMomentAt: () => 1,
  checkArgs: ([rho]) => (rho > 0 && rho <= 1 ? undefined : `the density rho of sparse-rademacher(rho) must be in (0, 1], got ${rho}`),
};
