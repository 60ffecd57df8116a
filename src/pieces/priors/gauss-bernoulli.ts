import type { PriorPiece } from '../types.ts';

/**
 * w* = 0 with probability 1 - rho, else N(0, v/rho): second moment v for every density rho, v = 1 unless given
 * (cs-bayes.yaml, whose conventions give the derivation of the accurate forms). The theory forms are those of
 * v = 1; a simulation may give v, e.g. `gauss-bernoulli(rho, rho)` for nonzero entries N(0, 1) (second moment rho,
 * the teacher of lasso.yaml).
 */
export const gaussBernoulli: PriorPiece = {
  name: 'gauss-bernoulli',
  doc: 'Gauss-Bernoulli prior: 0 with probability 1 - rho, else N(0, v/rho) (second moment v, 1 unless given)',
  tex: 'w \\sim (1 - \\rho)\\, \\delta_0 + \\rho\\, \\mathcal{N}(0, v / \\rho)',
  params: [
    { name: 'rho', doc: 'density of nonzero components, in (0, 1]' },
    { name: 'v', doc: 'second moment E w^2 (default 1): nonzero components N(0, v/rho); gauss-bernoulli(rho, rho) has N(0, 1) ones', default: '1', simulationOnly: true },
  ],
  theory: {
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
  },
  // one uniform and one normal per component, whatever rho and v
  draw: ([rho, v], rng) => {
    const u = rng.uniform();
    const g = rng.normal();
    return u < rho ? g * Math.sqrt(v / rho) : 0;
  },
  secondMomentAt: ([, v]) => v,
  checkArgs: ([rho, v]) => (!(rho > 0 && rho <= 1) ? `the density rho of gauss-bernoulli(rho, v) must be in (0, 1], got ${rho}`
    : !(v >= 0 && Number.isFinite(v)) ? `the second moment v of gauss-bernoulli(rho, v) must be finite and >= 0, got ${v}` : undefined),
};
