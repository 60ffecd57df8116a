/**
 * Random-features ridge as an estimator of teacher-student data (rf-ridge.yaml): rf-ridge(kappa, lambda, activation)
 * draws the feature matrix F (p = round(kappa d) rows, entries N(0, 1)) from the trial's solver stream, fits
 * a = argmin (1/2) sum_mu (y_mu - a.sigma(F x_mu/sqrt d)/sqrt p)^2 + (lambda/2)|a|^2 exactly and measures the
 * predictor itself (random-features.ts): its estimate lives in R^p, not in the inputs' R^d, so the overlaps m, q
 * and the test error are the population ones of the predictor, not those of a weight vector.
 */
import { ACTIVATION_CODES, ACTIVATIONS, drawFeatures, featureRidge } from '../random-features.ts';
import { exactTestError } from '../measure.ts';
import { Purpose, trialStream } from '../rng.ts';
import type { GlmEstimator } from './library.ts';

/** What a random-features estimator measures itself (the others are meaningless for it). */
export const FEATURE_MEASURES = ['m', 'q', 'q_star', 'train_error', 'train_loss', 'test_error'] as const;

/** The number of features at kappa = p/d: at least 1. */
export const featureCount = (kappa: number, d: number): number => Math.max(1, Math.round(kappa * d));

export const rfRidgeEstimator: GlmEstimator = {
  name: 'rf-ridge', experiment: 'glm', task: 'regression', measures: FEATURE_MEASURES,
  doc: 'random-features ridge: p = round(kappa d) features sigma(F x/sqrt(d)), F with N(0, 1) entries, square loss on a.sigma/sqrt(p), '
    + 'ell-2 penalty (lambda/2)|a|^2 (Cholesky); m = E[t f], q = E[f^2] exactly from the Gaussian moments of sigma, the test error '
    + 'through the channel\'s closed form (exact for linear(Delta))',
  tex: '\\hat a = \\operatorname{argmin}_a \\sum_\\mu \\tfrac12 \\big(y_\\mu - a \\cdot \\sigma(F x_\\mu / \\sqrt{d}) / \\sqrt{p}\\big)^2 + \\tfrac{\\lambda}{2} \\|a\\|^2',
  params: [
    { name: 'kappa', doc: 'p/d, the number of features per input dimension, > 0' },
    { name: 'lambda', doc: 'penalty strength on |a|^2, against the total loss, >= 0' },
    { name: 'activation', doc: `sigma: ${ACTIVATION_CODES.map((a, i) => `${i} ${a}`).join(', ')} (default 0)`, default: '0' },
  ],
  checkArgs: ([kappa, lambda, activation]) => (!(kappa > 0 && Number.isFinite(kappa)) ? `the feature ratio kappa of rf-ridge(kappa, lambda, activation) must be finite and > 0, got ${kappa}`
    : !(lambda >= 0 && Number.isFinite(lambda)) ? `the penalty lambda of rf-ridge(kappa, lambda, activation) must be finite and >= 0, got ${lambda}`
      : !(Number.isInteger(activation) && activation >= 0 && activation < ACTIVATION_CODES.length)
        ? `the activation of rf-ridge(kappa, lambda, activation) must be one of ${ACTIVATION_CODES.map((a, i) => `${i} (${a})`).join(', ')}, got ${activation}` : undefined),
  at: ([kappa, lambda, activation]) => {
    const act = ACTIVATIONS.get(ACTIVATION_CODES[activation])!;
    return {
      fit: (data, seed) => {
        const p = featureCount(kappa, data.d);
        const F = drawFeatures(p, data.d, trialStream(seed, Purpose.solver));
        const r = featureRidge(data, F, p, act, lambda);
        const { m, q, qStar } = r.overlaps;
        return {
          w: r.fit.w, status: r.fit.status, converged: r.fit.status === 'converged', certificate: r.fit.certificate, iterations: r.fit.iterations,
          ...(r.fit.message !== undefined && { message: r.fit.message }),
          measured: {
            m, q, q_star: qStar, train_error: r.trainError, train_loss: r.trainError / 2,
            test_error: exactTestError('regression', data.spec.channel, m, q, qStar),
          },
        };
      },
    };
  },
};
