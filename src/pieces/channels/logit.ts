import type { ChannelPiece } from '../types.ts';

/**
 * The logistic model: y = +1 with probability sigmoid(gamma z), -1 otherwise (logistic-mle.yaml, Sur and Candes
 * 2019, whose signal strength gamma^2 = Var(x.beta) is gamma^2 times the teacher's second moment). No Bayes theory
 * forms: a simulation-only piece (logistic-mle.yaml writes its ERM theory by hand).
 */
export const logit: ChannelPiece = {
  name: 'logit',
  doc: 'logistic channel: y = +1 with probability 1/(1 + exp(-gamma z)), else -1 (simulations only)',
  tex: 'P(y = \\pm 1 \\mid z) = \\frac{1}{1 + e^{\\mp \\gamma z}}',
  params: [{ name: 'gamma', doc: 'signal strength: the teacher field is scaled by gamma (default 1)', default: '1' }],
  sampler: {
    // one uniform per sample, whatever gamma
    label: ([gamma], z, rng) => {
      const t = gamma * z;
      const p = t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
      return rng.uniform() < p ? 1 : -1;
    },
    task: 'classification',
  },
  checkArgs: ([gamma]) => (Number.isFinite(gamma) ? undefined : `the signal strength gamma of logit(gamma) must be finite, got ${gamma}`),
};
