/**
 * Random-features classifiers (rf-logistic.yaml, rf-hinge.yaml): rf-logistic(kappa, lambda, activation) and
 * rf-hinge(kappa, lambda, activation) draw F (p = round(kappa d) rows, N(0, 1) entries) from the trial's solver
 * stream like rf-ridge, and fit a = argmin sum_mu loss(y_mu a.sigma(F x_mu/sqrt d)/sqrt p) + (lambda/2)|a|^2 with
 * the linear model's own solvers (Newton-CG for logistic, the SVM's dual solver for hinge) on the n x p feature
 * matrix, whose fields Phi a/sqrt(p) are the predictor's. The predictor is measured like rf-ridge's: population
 * overlaps m, q exactly given F, w* and a (random-features.ts), the classification error on a fresh label from the
 * channel's closed form (which takes the predictor and the teacher field as jointly Gaussian: the features' Gaussian
 * equivalence, exact only as d -> infinity) and, free of that assumption, counted on max(n, 2000) fresh samples
 * (`test_error_sampled`); training loss and error on the samples.
 */
import { testSamples, type Instance } from '../data.ts';
import { exactTestError } from '../measure.ts';
import { matVec } from '../linalg.ts';
import { ACTIVATION_CODES, ACTIVATIONS, drawFeatures, featureOverlaps, featuresOf, type Activation } from '../random-features.ts';
import { Purpose, trialStream } from '../rng.ts';
import { hinge, hingeLoss } from './hinge.ts';
import type { GlmEstimator } from './library.ts';
import { logistic, logisticLoss } from './logistic.ts';
import { FEATURE_MEASURES, featureCount } from './random-features.ts';
import type { Design, Fit } from './types.ts';

/** What these estimators measure: rf-ridge's, and the classification error counted on fresh samples. */
const MEASURES = [...FEATURE_MEASURES, 'test_error_sampled'] as const;

/** Rows of fresh samples featurised at once (a chunk's n x p feature matrix stays small). */
const CHUNK = 512;

/** The fraction of fresh samples (the instance's own test streams) whose label sign(f(x)) misses. */
function sampledError(data: Instance, F: Float64Array, p: number, act: Activation, a: Float64Array): number {
  const { d } = data;
  const test = testSamples(data, Math.max(data.n, 2000));
  const pred = new Float64Array(CHUNK);
  let errors = 0;
  for (let start = 0; start < test.n; start += CHUNK) {
    const rows = Math.min(CHUNK, test.n - start);
    const Phi = featuresOf(test.X.subarray(start * d, (start + rows) * d), rows, d, F, p, act);
    matVec(Phi, rows, p, a, pred, 1 / Math.sqrt(p));
    for (let i = 0; i < rows; i++) if ((pred[i] >= 0 ? 1 : -1) !== test.y[start + i]) errors++;
  }
  return errors / test.n;
}

/** A margin-loss classifier on the random features: its linear-model solver and its loss. */
function rfClassifier(name: string, lossName: string, tex: string, solve: (design: Design, lambda: number) => Fit,
  loss: (y: number, z: number) => number): GlmEstimator {
  const usage = `${name}(kappa, lambda, activation)`;
  return {
    name, experiment: 'glm', task: 'classification', measures: MEASURES,
    doc: `random-features ${lossName}: p = round(kappa d) features sigma(F x/sqrt(d)), F with N(0, 1) entries, ${lossName} loss on `
      + 'y a.sigma/sqrt(p), ell-2 penalty (lambda/2)|a|^2 (the linear model\'s solver on the feature matrix); m = E[t f], q = E[f^2] '
      + 'exactly from the Gaussian moments of sigma, the classification error through the channel\'s closed form',
    tex: `\\hat a = \\operatorname{argmin}_a \\sum_\\mu ${tex} + \\tfrac{\\lambda}{2} \\|a\\|^2,\\ f(x) = a \\cdot \\sigma(F x / \\sqrt{d}) / \\sqrt{p}`,
    params: [
      { name: 'kappa', doc: 'p/d, the number of features per input dimension, > 0' },
      { name: 'lambda', doc: 'penalty strength on |a|^2, against the total loss, > 0' },
      { name: 'activation', doc: `sigma: ${ACTIVATION_CODES.map((a, i) => `${i} ${a}`).join(', ')} (default 0)`, default: '0' },
    ],
    checkArgs: ([kappa, lambda, activation]) => (!(kappa > 0 && Number.isFinite(kappa)) ? `the feature ratio kappa of ${usage} must be finite and > 0, got ${kappa}`
      : !(lambda > 0 && Number.isFinite(lambda)) ? `the penalty lambda of ${usage} must be finite and > 0 (without a penalty the minimiser need not exist), got ${lambda}`
        : !(Number.isInteger(activation) && activation >= 0 && activation < ACTIVATION_CODES.length)
          ? `the activation of ${usage} must be one of ${ACTIVATION_CODES.map((a, i) => `${i} (${a})`).join(', ')}, got ${activation}` : undefined),
    at: ([kappa, lambda, activation]) => {
      const act = ACTIVATIONS.get(ACTIVATION_CODES[activation])!;
      return {
        loss,
        fit: (data, seed) => {
          const { X, y, n, d } = data;
          const p = featureCount(kappa, d);
          const F = drawFeatures(p, d, trialStream(seed, Purpose.solver));
          const Phi = featuresOf(X, n, d, F, p, act);
          const fit = solve({ X: Phi, y, n, d: p }, lambda);
          const pred = new Float64Array(n);
          matVec(Phi, n, p, fit.w, pred, 1 / Math.sqrt(p));
          let trainLoss = 0;
          let trainErrors = 0;
          for (let i = 0; i < n; i++) {
            trainLoss += loss(y[i], pred[i]);
            if ((pred[i] >= 0 ? 1 : -1) !== y[i]) trainErrors++;
          }
          const { m, q, qStar } = featureOverlaps(F, p, d, data.teacher, fit.w, act);
          return {
            w: fit.w, status: fit.status, converged: fit.status === 'converged', certificate: fit.certificate, iterations: fit.iterations,
            ...(fit.message !== undefined && { message: fit.message }),
            measured: {
              m, q, q_star: qStar, train_loss: trainLoss / n, train_error: trainErrors / n,
              test_error: exactTestError('classification', data.spec.channel, m, q, qStar),
              test_error_sampled: sampledError(data, F, p, act, fit.w),
            },
          };
        },
      };
    },
  };
}

export const rfLogisticEstimator = rfClassifier('rf-logistic', 'logistic', '\\log(1 + e^{-y_\\mu f(x_\\mu)})', logistic, logisticLoss.value);
export const rfHingeEstimator = rfClassifier('rf-hinge', 'hinge', '\\max(0, 1 - y_\\mu f(x_\\mu))', hinge, hingeLoss);
