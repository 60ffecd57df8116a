import { isMap, isScalar } from 'yaml';
import { readPieceRef } from '../glm/section.ts';
import type { SectionGrammar, SectionReader } from '../model/section.ts';
import { signature } from '../pieces/args.ts';
import { CHANNELS, PRIORS } from '../pieces/library.ts';
import type { BuiltinRef, PieceInfo } from '../pieces/types.ts';
import { ESTIMATORS } from './estimators/library.ts';
import { SPECTRAL_DATA } from './spectral-experiment.ts';
import type { Loc } from '../base/issues.ts';
import { didYouMean } from '../base/suggest.ts';

/**
 * The `simulation:` section of a model file: the finite-size experiment behind the theory, in the theory's own
 * parameter names.
 *
 *   simulation:
 *     teacher: gaussian            # a prior of the piece library (src/pieces) with a sampler, e.g. gaussian(v),
 *                                  # rademacher, gauss-bernoulli(rho), gauss-bernoulli(rho, v), sparse-rademacher(rho)
 *     channel: linear(Delta)       # a channel of the piece library with a sampler: linear(Delta), sign(eps), abs(Delta),
 *                                  # relu(Delta), outliers(eps, Delta, Delta_out), rules-facts(eps)
 *     estimator: ridge(lambda)     # ridge(lambda) | logistic(lambda) | hinge(lambda) | huber(a, lambda) | lasso(lambda)
 *                                  # | gamp | gamp(damping) | gamp(damping, q0) | kernel-square(lambda, mu1, mu_star)
 *                                  # | kernel-hinge(...) | kernel-logistic(...)   (estimators/library.ts)
 *     measure:                     # theory quantity: what is measured on an instance
 *       m: m
 *       gen_error: test_error
 *
 * Arguments are parameter names or numbers. n = round(alpha d): the model must have a parameter `alpha`. A piece
 * means the same law in every section: `gauss-bernoulli(rho)` has nonzero entries N(0, 1/rho) here as in a glm
 * section.
 *
 * A model with a `lowrank:` section simulates its spiked Wigner matrix instead (spiked.ts):
 *
 *   simulation:
 *     model: spiked-wigner         # Y = sqrt(snr/N) x x^T + W, x from the lowrank section's prior (the one in use)
 *     estimator: amp               # amp | amp(damping) | amp(damping, m0): Bayes-optimal AMP from the prior's fa, fv
 *     measure: { m: m, mse: matrix_error, mse_x: estimation_error }
 *
 * This file reads the section's shape; plan.ts resolves it against the library and the model, at load, into the
 * `Simulation` that later stages run.
 */
export type SimulationSpec = GlmSimulation | SpikedSimulation | SpectralSimulation;

declare module '../model/types.ts' {
  interface Model {
    /** The `simulation:` section: the finite-size experiment behind the theory. */
    readonly simulation?: SimulationSpec;
  }
}

/** The `simulation:` section, registered with the reader (pipeline/load.ts). */
export const SIMULATION_SECTION: SectionGrammar = { key: 'simulation', read: readSimulationSection };

interface SimulationCommon {
  readonly estimator: Ref;
  readonly measure: readonly { readonly theory: string; readonly measured: Measured; readonly loc: Loc }[];
  readonly loc: Loc;
}

/** Teacher-student GLM: inputs x ~ N(0, I_d), labels through a channel (the default `model: glm`). */
export interface GlmSimulation extends SimulationCommon {
  readonly model: 'glm';
  readonly teacher: Ref;
  readonly channel: Ref;
}

/** The spiked Wigner model of a lowrank section: its prior (the one in use) and signal-to-noise ratio are the
 * section's. */
export interface SpikedSimulation extends SimulationCommon {
  readonly model: 'spiked-wigner';
}

/** Kernel ridge in the feature space of a spectrum (spectral-experiment.ts): the data piece gives the spectrum, the
 * teacher and the noise; the simulation's size d is the number of modes. */
export interface SpectralSimulation extends SimulationCommon {
  readonly model: 'kernel-powerlaw';
  readonly data: Ref;
}

/** The experiments a simulation section can describe. */
export const EXPERIMENTS = ['glm', 'spiked-wigner', 'kernel-powerlaw'] as const;

/** `name(arg, ...)`, located: arguments are parameter names or numbers. */
export type Ref = BuiltinRef;

/** What can be measured on one instance and its estimate (src/simulate/measure.ts). */
export const MEASURED = {
  m: 'teacher-student overlap w.w*/d',
  q: 'self-overlap |w|^2/d',
  q_star: 'teacher norm |w*|^2/d',
  estimation_error: '|w - w*|^2/d',
  train_loss: 'mean training loss per sample at w (penalty excluded)',
  train_error: 'training error: mean squared residual (regression) or fraction misclassified (classification)',
  train_error_regular: 'training error on the samples of a mixture channel\'s regular part (the rules of rules-facts)',
  train_error_exceptions: 'training error on the samples of a mixture channel\'s exceptional part (the facts of rules-facts)',
  test_error: 'test error, exact from the overlaps for Gaussian inputs',
  test_error_sampled: 'test error on fresh samples',
  matrix_error: 'spiked-wigner: |w w^T - w* w*^T|_F^2 / d^2 = q^2 - 2 m^2 + q_star^2',
  excess_risk: 'kernel-powerlaw: E_x (f(x) - f*(x))^2 = sum_k lambda_k (theta_k - theta*_k)^2, exact',
  separable: 'estimator separability: 1 when the data are linearly separable through the origin, 0 when not (certified either way)',
} as const;
export type Measured = keyof typeof MEASURED;

/** What each experiment measures (the others are meaningless there). */
export const MEASURABLE: Readonly<Record<SimulationSpec['model'], readonly Measured[]>> = {
  glm: ['m', 'q', 'q_star', 'estimation_error', 'train_loss', 'train_error', 'train_error_regular', 'train_error_exceptions', 'test_error', 'test_error_sampled', 'separable'],
  'spiked-wigner': ['m', 'q', 'q_star', 'estimation_error', 'matrix_error'],
  'kernel-powerlaw': ['excess_risk', 'train_error', 'm', 'q', 'test_error', 'train_loss'],
};

/** The choices of each key, from the libraries. */
const choices = <P extends PieceInfo>(library: ReadonlyMap<string, P>, offered: (p: P) => boolean) =>
  [...library.values()].filter(offered).map((p) => signature(p, 'simulation')).join(', ');
const HINT = {
  teacher: `e.g. \`teacher: gaussian\`; teachers: ${choices(PRIORS, (p) => p.draw !== undefined)}`,
  channel: `e.g. \`channel: linear(Delta)\`; channels: ${choices(CHANNELS, (c) => c.sampler !== undefined)}`,
  estimator: `e.g. \`estimator: ridge(lambda)\`; estimators: ${choices(ESTIMATORS, (e) => e.experiment === 'glm')}`,
  spiked: `e.g. \`estimator: amp\`; estimators: ${choices(ESTIMATORS, (e) => e.experiment === 'spiked-wigner')}`,
  spectral: `e.g. \`estimator: kernel-ridge(lambda, ell)\`; estimators: ${choices(ESTIMATORS, (e) => e.experiment === 'kernel-powerlaw')}`,
  data: `e.g. \`data: powerlaw(n, a, r, sigma2)\`; data: ${choices(SPECTRAL_DATA, () => true)}`,
};

/** Reads the section's shape (names are resolved against the library and the model by plan.ts checkSimulation). */
export function readSimulationSection(node: unknown, loc: Loc, r: SectionReader): SimulationSpec | undefined {
  const o = r.options(node, ['model', 'teacher', 'channel', 'estimator', 'measure', 'data'], 'simulation');
  let model: SimulationSpec['model'] = 'glm';
  if (o.has('model')) {
    const m = r.strOf(o.get('model'), 'simulation.model');
    if ((EXPERIMENTS as readonly string[]).includes(m ?? '')) model = m as SimulationSpec['model'];
    else if (m !== undefined) {
      r.add('bad-value', r.locOf(o.get('model')), `unknown simulation model \`${m}\``, m,
        didYouMean(m, EXPERIMENTS) ?? `models: ${EXPERIMENTS.join(', ')} (glm: teacher-student data, the default; spiked-wigner: the matrix of a lowrank section)`);
    }
  }
  const spiked = model === 'spiked-wigner';
  const spectral = model === 'kernel-powerlaw';
  const ref = (key: 'teacher' | 'channel' | 'estimator'): Ref | undefined => {
    if (spectral && key !== 'estimator') {
      if (o.has(key)) {
        r.add('bad-value', r.locOf(o.get(key)), `a kernel-powerlaw simulation takes no \`${key}\`: its \`data\` piece gives the spectrum, the teacher and the noise`, key,
          `remove \`${key}:\`; ${HINT.data}`);
      }
      return undefined;
    }
    if (spiked && key !== 'estimator') {
      if (o.has(key)) {
        r.add('bad-value', r.locOf(o.get(key)), `a spiked-wigner simulation takes no \`${key}\`: the lowrank section gives the prior of x and the signal-to-noise ratio`, key,
          `remove \`${key}:\`; \`--prior NAME\` selects the prior of both the theory and the simulation`);
      }
      return undefined;
    }
    const hint = key === 'estimator' && spiked ? HINT.spiked : key === 'estimator' && spectral ? HINT.spectral : HINT[key];
    if (!o.has(key)) {
      r.add('missing-key', loc, `the simulation section has no \`${key}\``, key, hint);
      return undefined;
    }
    return readPieceRef(o.get(key), `simulation.${key}`, key, hint, r);
  };
  const teacher = ref('teacher');
  const channel = ref('channel');
  const estimator = ref('estimator');
  let data: Ref | undefined;
  if (spectral && !o.has('data')) r.add('missing-key', loc, 'the simulation section has no `data`', 'data', HINT.data);
  else if (spectral) data = readPieceRef(o.get('data'), 'simulation.data', 'data', HINT.data, r);
  else if (o.has('data')) {
    r.add('bad-value', r.locOf(o.get('data')), `a ${model} simulation takes no \`data\` (that is the kernel-powerlaw experiment's)`, 'data',
      'remove `data:`, or write `model: kernel-powerlaw`');
  }
  const measure: { theory: string; measured: Measured; loc: Loc }[] = [];
  if (!o.has('measure')) {
    r.add('missing-key', loc, 'the simulation section has no `measure`: which theory quantity is compared with what', 'measure',
      `e.g. \`measure: { m: m, gen_error: test_error }\`; measurable: ${Object.keys(MEASURED).join(', ')}`);
  } else {
    const node = o.get('measure');
    const entries: [string, unknown][] = isMap(node)
      ? (node.items as { key: unknown; value: unknown }[]).map((p) => [isScalar(p.key) ? String(p.key.value) : '', p.value])
      : [];
    if (!isMap(node)) r.add('bad-value', r.locOf(node), '`measure` maps theory quantities to measurements', undefined, 'e.g. `measure: { m: m, gen_error: test_error }`');
    for (const [theory, v] of entries) {
      const what = r.strOf(v, `simulation.measure.${theory}`);
      if (what === undefined) continue;
      if (!Object.hasOwn(MEASURED, what)) {
        r.add('bad-value', r.locOf(v), `\`${what}\` cannot be measured on an instance`, what,
          didYouMean(what, Object.keys(MEASURED)) ?? `measurable: ${Object.keys(MEASURED).join(', ')}`);
        continue;
      }
      measure.push({ theory, measured: what as Measured, loc: r.locOf(v) });
    }
  }
  if (!estimator) return undefined;
  if (spiked) return { model: 'spiked-wigner', estimator, measure, loc };
  if (spectral) return data && { model: 'kernel-powerlaw', data, estimator, measure, loc };
  if (!teacher || !channel) return undefined;
  return { model: 'glm', teacher, channel, estimator, measure, loc };
}
