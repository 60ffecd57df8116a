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
  // which tends to -log 2 at perfect recovery without cancellation.
  accurate: {
    decls: {
      variables: { xi: { law: 'normal', nodes: 200, doc: 'noise of the effective scalar channel' } },
      definitions: { b: 'qhat + sqrt(qhat) * xi' },
    },
    q: 'E(xi, tanh(b))',
    psi: '-log(2) + E(xi, log1pexp(-2 * b))',
  },
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
};

export const PRIORS: ReadonlyMap<string, PriorPiece> = new Map([gaussian, rademacher, gaussBernoulli].map((p) => [p.name, p]));
