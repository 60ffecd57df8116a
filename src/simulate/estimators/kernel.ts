/**
 * Margin-loss classification with the linearised dot-product kernel K = mu1^2 X X^T/d + mu_star^2 I_n
 * (rules-facts-*.yaml): f = argmin_f sum_mu loss(y_mu f(x_mu)) + (lambda/2)|f|_K^2.
 *
 * K is the Gram matrix of the features phi(x_mu) = (mu1 x_mu/sqrt(d), mu_star e_mu), so the learner is the linear
 * one on the augmented design [mu1 X, mu_star sqrt(d) I_n] (n x (d + n)): f(x_mu) = mu1 w.x_mu/sqrt(d) + mu_star c_mu
 * with the penalty (lambda/2)(|w|^2 + |c|^2), and on a fresh x, f(x) = mu1 w.x/sqrt(d). The estimators of the
 * linear model (ridge, the SVM, Newton for logistic regression) then solve it exactly, each to its own certificate,
 * on the augmented design, whose columns are rescaled by sqrt((d + n)/d) because they divide the fields by the
 * square root of their own dimension. The identity part costs n columns (a dense copy: fine at the sizes of a
 * verification, d of a few thousand). What is returned is w (the first d coordinates, the model's overlaps) and the
 * training predictions f(x_mu), on which the training loss and errors are measured.
 */
import type { Instance } from '../data.ts';
import { matVec } from '../linalg.ts';
import { hinge, hingeLoss } from './hinge.ts';
import type { GlmEstimator } from './library.ts';
import { logistic, logisticLoss } from './logistic.ts';
import { ridge } from './ridge.ts';
import { checkDesign, estimateOf, type Design, type Estimate, type Fit } from './types.ts';

/** The augmented design of the kernel (its fields X_aug w_aug/sqrt(d + n) are the predictions f(x_mu)). */
export function kernelDesign(data: Design, mu1: number, muStar: number): Design {
  checkDesign(data);
  const { X, y, n, d } = data;
  const D = muStar > 0 ? d + n : d;
  const a = mu1 * Math.sqrt(D / d);
  const b = muStar * Math.sqrt(D);
  const Xa = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) Xa[i * D + j] = a * X[i * d + j];
    if (muStar > 0) Xa[i * D + d + i] = b;
  }
  return { X: Xa, y, n, d: D };
}

/** A linear estimator run on the kernel's augmented design: w, its certificate, and the training predictions. */
export function kernelFit(data: Design, mu1: number, muStar: number, fit: (design: Design) => Fit): Estimate {
  const aug = kernelDesign(data, mu1, muStar);
  const f = fit(aug);
  const trainFields = new Float64Array(data.n);
  matVec(aug.X, aug.n, aug.d, f.w, trainFields, 1 / Math.sqrt(aug.d));
  return { ...estimateOf({ ...f, w: f.w.slice(0, data.d) }), trainFields };
}

const PARAMS = [
  { name: 'lambda', doc: 'penalty strength on |f|_K^2, against the total loss' },
  { name: 'mu1', doc: 'linear coefficient of the kernel, > 0 (default 1)', default: '1' },
  { name: 'mu_star', doc: 'coefficient of the identity part of the kernel, >= 0 (default 0: the linear model)', default: '0' },
] as const;

const checkKernel = (name: string) => ([lambda, mu1, muStar]: readonly number[]): string | undefined =>
  (!(Number.isFinite(lambda) && lambda > 0) ? `the penalty lambda of ${name}(lambda, mu1, mu_star) must be finite and > 0, got ${lambda}`
    : !(Number.isFinite(mu1) && mu1 > 0) ? `the kernel coefficient mu1 of ${name}(lambda, mu1, mu_star) must be finite and > 0, got ${mu1}`
      : !(Number.isFinite(muStar) && muStar >= 0) ? `the kernel coefficient mu_star of ${name}(lambda, mu1, mu_star) must be finite and >= 0, got ${muStar}` : undefined);

const TEX = (loss: string) => `f = \\operatorname{argmin}_f \\sum_\\mu ${loss} + \\tfrac{\\lambda}{2} \\|f\\|_K^2, \\ K = \\mu_1^2 X X^\\top / d + \\mu_\\star^2 I_n`;

/** (1 - y f)^2/2 = (y - f)^2/2 for labels +-1. */
const squareMargin = (y: number, z: number) => 0.5 * (y - z) ** 2;

export const kernelSquare: GlmEstimator = {
  name: 'kernel-square', experiment: 'glm', task: 'classification',
  doc: 'kernel ridge classification: square loss (1 - y f)^2/2, K = mu1^2 X X^T/d + mu_star^2 I (exact solve on the augmented design)',
  tex: TEX('\\tfrac12 (1 - y_\\mu f(x_\\mu))^2'),
  params: PARAMS,
  checkArgs: checkKernel('kernel-square'),
  at: ([lambda, mu1, muStar]) => ({ fit: (data: Instance) => kernelFit(data, mu1, muStar, (aug) => ridge(aug, lambda)), loss: squareMargin }),
};

export const kernelHinge: GlmEstimator = {
  name: 'kernel-hinge', experiment: 'glm', task: 'classification',
  doc: 'kernel SVM: hinge loss, K = mu1^2 X X^T/d + mu_star^2 I (the SVM solver on the augmented design, to a duality gap)',
  tex: TEX('\\max(0, 1 - y_\\mu f(x_\\mu))'),
  params: PARAMS,
  checkArgs: checkKernel('kernel-hinge'),
  at: ([lambda, mu1, muStar]) => ({ fit: (data: Instance) => kernelFit(data, mu1, muStar, (aug) => hinge(aug, lambda)), loss: hingeLoss }),
};

export const kernelLogistic: GlmEstimator = {
  name: 'kernel-logistic', experiment: 'glm', task: 'classification',
  doc: 'kernel logistic regression, K = mu1^2 X X^T/d + mu_star^2 I (Newton-CG on the augmented design, to a gradient norm)',
  tex: TEX('\\log(1 + e^{-y_\\mu f(x_\\mu)})'),
  params: PARAMS,
  checkArgs: checkKernel('kernel-logistic'),
  at: ([lambda, mu1, muStar]) => ({ fit: (data: Instance) => kernelFit(data, mu1, muStar, (aug) => logistic(aug, lambda)), loss: logisticLoss.value }),
};
