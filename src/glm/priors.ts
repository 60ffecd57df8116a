import type { PriorPiece } from './pieces.ts';

/**
 * Built-in priors. Conventions: Zw(B, A) = E_{w ~ prior} exp(B w - A w^2 / 2); the effective scalar channel of
 * state evolution is B = qhat w* + sqrt(qhat) xi with A = qhat.
 */

/** N(0, v); v = 1 unless given. */
const gaussian: PriorPiece = {
  name: 'gaussian',
  doc: 'Gaussian prior N(0, v), v = 1 unless given',
  params: [{ name: 'v', doc: 'variance (default 1)', default: '1' }],
  secondMoment: 'v',
  logZw: 'v * B^2 / (2 * (1 + v * A)) - log1p(v * A) / 2',
  fa: 'v * B / (1 + v * A)',
  fv: 'v / (1 + v * A)',
  teacher: { decls: { variables: { g: { law: 'normal', doc: 'standardised teacher component' } } }, average: 'E(g, F(sqrt(v) * g))' },
  // The posterior of a Gaussian scalar channel is Gaussian: q = E[w* fa] = v^2 qhat / (1 + v qhat), and
  // Psi_w = v qhat / 2 - log(1 + v qhat) / 2.
  accurate: { q: 'v * (v * qhat) / (1 + v * qhat)', psi: '-log1p(v * qhat) / 2' },
  draw: ([v], rng) => Math.sqrt(v) * rng.normal(),
  checkArgs: ([v]) => (v >= 0 && Number.isFinite(v) ? undefined : `the variance v of gaussian(v) must be finite and >= 0, got ${v}`),
};

/** w* = +-1 with probability 1/2 (perceptron-binary-bayes.yaml). */
const rademacher: PriorPiece = {
  name: 'rademacher',
  doc: 'Rademacher prior: w = +1 or -1 with probability 1/2',
  params: [],
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
  // relative accuracy (the window rules' weights sum to 1 only to ~1e-15); 1 - q is floored at 2^-53, the spacing
  // of doubles below 1, so that q < 1 as in exact arithmetic (at q = 1 the sign channel's floor of V, 1e-300, would
  // send qhat to 1e150). Below qhat = 2 (q < 0.77) the direct form, which keeps small q to full relative accuracy
  // (weak recovery).
  accurate: {
    decls: {
      variables: { xi: { law: 'normal', nodes: 96, doc: 'noise of the effective scalar channel (split where B = 0)' } },
      definitions: { b: 'qhat + sqrt(qhat) * xi', xs: '-sqrt(qhat)' },
    },
    q: 'qhat > 2 ? 1 - max(2 * (E(xi < xs, sigmoid(-2 * b)) + E(xi > xs, sigmoid(-2 * b))), 2^(-53)) : E(xi < xs, tanh(b)) + E(xi > xs, tanh(b))',
    psi: '-log(2) + E(xi < xs, log1pexp(-2 * b)) + E(xi > xs, log1pexp(-2 * b))',
  },
  draw: (_, rng) => (rng.uniform() < 0.5 ? -1 : 1),
};

/**
 * w* = 0 with probability 1 - rho, else N(0, 1/rho): second moment 1 for every density rho (cs-bayes.yaml,
 * whose conventions give the derivation of the accurate forms).
 */
const gaussBernoulli: PriorPiece = {
  name: 'gauss-bernoulli',
  doc: 'Gauss-Bernoulli prior: 0 with probability 1 - rho, else N(0, 1/rho) (second moment 1)',
  params: [{ name: 'rho', doc: 'density of nonzero components, in (0, 1)' }],
  secondMoment: '1',
  decls: {
    functions: {
      // Zw = (1 - rho) + rho exp(L); g = L + log(rho / (1 - rho)) is the log posterior odds of a nonzero component
      'L(B, A)': 'B^2 / (2 * (rho + A)) - log1p(A / rho) / 2',
      'g(B, A)': 'L(B, A) + log(rho / (1 - rho))',
    },
  },
  logZw: 'log(rho) + L(B, A) + log1pexp(-g(B, A))',
  fa: 'sigmoid(g(B, A)) * B / (rho + A)',
  fv: 'D(fa(B, A), B)',
  teacher: {
    decls: {
      variables: {
        st: { values: [0, 1], probs: ['1 - rho', 'rho'], doc: 'support indicator of the teacher component' },
        x: { law: 'normal', doc: 'standardised nonzero teacher component' },
      },
    },
    average: 'E(st, E(x, F(st * x / sqrt(rho))))',
  },
  // cs-bayes.yaml conventions (i)-(ii): the parts polynomial in B integrated exactly, the localised remainders
  // over the field given s, shrunk by c and reweighted by exp(lw). psi = Psi_w - qhat/2, with
  // qhat (1 + qhat) / (2 (rho + qhat)) - qhat/2 = qhat (1 - rho) / (2 (rho + qhat)) (no cancellation).
  accurate: {
    decls: {
      variables: {
        s: { values: [0, 1], probs: ['1 - rho', 'rho'], doc: 'support indicator of the teacher component' },
        w: { law: 'normal', nodes: 128, doc: 'standardised field of the effective scalar channel, rescaled' },
      },
      definitions: {
        vs: 'qhat * (1 + s * qhat / rho)',
        c: 'max(1, 2 * vs / (rho + qhat))',
        b: 'sqrt(vs / c) * w',
        lw: 'w^2 * (1 - 1 / c) / 2 - log(c) / 2',
        remainder: 'E(s, E(w, exp(lw) * sigmoid(-g(b, qhat)) * (1 + sigmoid(g(b, qhat))) * b^2))',
      },
    },
    q: '(qhat * (1 + qhat) - remainder) / (rho + qhat)^2',
    psi: 'log(rho) + qhat * (1 - rho) / (2 * (rho + qhat)) - log1p(qhat / rho) / 2 + E(s, E(w, exp(lw) * log1pexp(-g(b, qhat))))',
  },
  // one uniform and one normal per component, whatever rho
  draw: ([rho], rng) => {
    const u = rng.uniform();
    const g = rng.normal();
    return u < rho ? g / Math.sqrt(rho) : 0;
  },
  checkArgs: ([rho]) => (rho > 0 && rho <= 1 ? undefined : `the density rho of gauss-bernoulli(rho) must be in (0, 1], got ${rho}`),
};

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
const sparseRademacher: PriorPiece = {
  name: 'sparse-rademacher',
  doc: 'sparse Rademacher prior: 0 with probability 1 - rho, +-1/sqrt(rho) with probability rho/2 each (second moment 1)',
  params: [{ name: 'rho', doc: 'density of nonzero components, in (0, 1]' }],
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
    // keeps the mse to full relative accuracy, floored at 2^-53 so that q < 1 as for `rademacher`; the direct form
    // where q is small (weak recovery); the switch, u > 2 max(1, log((1 - rho)/rho)), falls where q is ~0.35 to ~0.8
    q: 'u > 2 * max(1, log1p(-rho) - log(rho)) ? 1 - max(E(xi < xs, sigmoid(-g1) + 2 * sigmoid(g1) * sigmoid(-2 * y)) + E(xi > xs, sigmoid(-g1) + 2 * sigmoid(g1) * sigmoid(-2 * y)), 2^(-53))'
      + ' : E(xi < xs, sigmoid(g1) * tanh(y)) + E(xi > xs, sigmoid(g1) * tanh(y))',
    // the zero components' term vanishes at rho = 1 (where log(1 - rho) = -Inf); it is even in xi
    psi: 'rho * (log(rho / 2) + E(xi < xs, log1pexp(-2 * y) + log1pexp(-g1)) + E(xi > xs, log1pexp(-2 * y) + log1pexp(-g1)))'
      + ' + (rho < 1 ? (1 - rho) * (log1p(-rho) + 2 * (E(0 < xi < x0, log1pexp(g0)) + E(xi > x0, log1pexp(g0)))) : 0)',
  },
  // one uniform per component: -1/sqrt(rho) below rho/2, +1/sqrt(rho) below rho, else 0
  draw: ([rho], rng) => {
    const u = rng.uniform();
    return u < rho ? (u < rho / 2 ? -1 : 1) / Math.sqrt(rho) : 0;
  },
  checkArgs: ([rho]) => (rho > 0 && rho <= 1 ? undefined : `the density rho of sparse-rademacher(rho) must be in (0, 1], got ${rho}`),
};

export const PRIORS: ReadonlyMap<string, PriorPiece> = new Map([gaussian, rademacher, gaussBernoulli, sparseRademacher].map((p) => [p.name, p]));
