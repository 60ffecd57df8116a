import { isMap, isScalar } from 'yaml';
import { own } from '../base/names.ts';
import { readPieceRef } from '../glm/section.ts';
import type { SectionGrammar, SectionReader } from '../model/section.ts';
import type { BuiltinRef, PriorSpec } from '../glm/types.ts';
import type { Issue, Loc } from '../base/issues.ts';
import { didYouMean } from '../base/suggest.ts';
import type { Program } from '../ir/nodes.ts';
import type { Model } from '../model/types.ts';

/**
 * The `simulation:` section of a model file: the finite-size experiment behind the theory, in the theory's own
 * parameter names.
 *
 *   simulation:
 *     teacher: gaussian            # gaussian | gaussian(v) | rademacher | gauss-bernoulli(rho) | gauss-bernoulli(rho, power)
 *     channel: linear(Delta)       # linear(Delta) | sign | sign(eps) | abs | abs(Delta) | relu | relu(Delta)
 *                                  # | outliers(eps, Delta, Delta_out)
 *     estimator: ridge(lambda)     # ridge(lambda) | logistic(lambda) | hinge(lambda) | huber(a, lambda) | lasso(lambda)
 *                                  # | gamp | gamp(damping) | gamp(damping, q0)   (a glm model's own GAMP, gamp.ts)
 *     measure:                     # theory quantity: what is measured on an instance
 *       m: m
 *       gen_error: test_error
 *
 * Arguments are parameter names or numbers. n = round(alpha d): the model must have a parameter `alpha`.
 *
 * A model with a `lowrank:` section simulates its spiked Wigner matrix instead (spiked.ts):
 *
 *   simulation:
 *     model: spiked-wigner         # Y = sqrt(snr/N) x x^T + W, x from the lowrank section's prior (the one in use)
 *     estimator: amp               # amp | amp(damping) | amp(damping, m0): Bayes-optimal AMP from the prior's fa, fv
 *     measure: { m: m, mse: matrix_error, mse_x: estimation_error }
 */
export type SimulationSpec = GlmSimulation | SpikedSimulation;

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

/** The spiked Wigner model of a lowrank section: its prior and signal-to-noise ratio are the section's. */
export interface SpikedSimulation extends SimulationCommon {
  readonly model: 'spiked-wigner';
  /** Filled in by the lowrank expansion (glm/lowrank.ts): the prior in use and the snr (a parameter name or a
   * number). */
  readonly source?: { readonly prior: PriorSpec; readonly snr: string };
}

/** The experiments a simulation section can describe. */
export const EXPERIMENTS = ['glm', 'spiked-wigner'] as const;

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
  test_error: 'test error, exact from the overlaps for Gaussian inputs',
  test_error_sampled: 'test error on fresh samples',
  matrix_error: 'spiked-wigner: |w w^T - w* w*^T|_F^2 / d^2 = q^2 - 2 m^2 + q_star^2',
} as const;
export type Measured = keyof typeof MEASURED;

/** What each experiment measures (the others are meaningless there). */
export const MEASURABLE: Readonly<Record<SimulationSpec['model'], readonly Measured[]>> = {
  glm: ['m', 'q', 'q_star', 'estimation_error', 'train_loss', 'train_error', 'test_error', 'test_error_sampled'],
  'spiked-wigner': ['m', 'q', 'q_star', 'estimation_error', 'matrix_error'],
};

/** Each piece, its parameters (all required unless a default is given) and what it is. */
export const TEACHERS: Readonly<Record<string, { args: readonly string[]; optional?: number }>> = {
  gaussian: { args: ['variance'], optional: 1 },
  rademacher: { args: [] },
  // power = E w*^2 (default rho: nonzero entries N(0, 1)); gauss-bernoulli(rho, 1) is the glm prior of the same
  // name (nonzero entries N(0, 1/rho)).
  'gauss-bernoulli': { args: ['rho', 'power'], optional: 1 },
};
export const CHANNELS: Readonly<Record<string, { args: readonly string[]; optional?: number }>> = {
  linear: { args: ['Delta'] },
  sign: { args: ['flip'], optional: 1 },
  abs: { args: ['Delta'], optional: 1 },
  relu: { args: ['Delta'], optional: 1 },
  outliers: { args: ['eps', 'Delta', 'Delta_out'] },
};
export const ESTIMATORS: Readonly<Record<string, { args: readonly string[]; optional?: number }>> = {
  ridge: { args: ['lambda'] },
  logistic: { args: ['lambda'] },
  hinge: { args: ['lambda'] },
  huber: { args: ['a', 'lambda'] },
  lasso: { args: ['lambda'] },
  // damping in (0, 1] (default 1); q0 > 0: a random start a ~ N(0, q0) instead of the prior mean (default 0)
  gamp: { args: ['damping', 'q0'], optional: 2 },
};
/** Estimators of the spiked-wigner experiment (spiked.ts). */
export const SPIKED_ESTIMATORS: Readonly<Record<string, { args: readonly string[]; optional?: number }>> = {
  // damping in (0, 1] (default 1); m0 in [0, 1]: the start's overlap with the signal (default 0: a random start)
  amp: { args: ['damping', 'm0'], optional: 2 },
};
/** The functions AMP calls: a model with a `lowrank:` section has them. */
export const AMP_FUNCTIONS = ['fa', 'fv'] as const;

/** The functions the gamp estimator calls: a model with a `glm:` section has them. */
export const GAMP_FUNCTIONS = ['fa', 'fv', 'gout', 'dgout'] as const;

const HINT = {
  teacher: `teachers: ${Object.keys(TEACHERS).join(', ')}`,
  channel: `channels: ${Object.keys(CHANNELS).join(', ')}`,
  estimator: `estimators: ${Object.keys(ESTIMATORS).join(', ')}`,
};

/** Reads the section's shape (names are checked against the model by checkSimulation). */
export function readSimulationSection(node: unknown, loc: Loc, r: SectionReader): SimulationSpec | undefined {
  const o = r.options(node, ['model', 'teacher', 'channel', 'estimator', 'measure'], 'simulation');
  let model: SimulationSpec['model'] = 'glm';
  if (o.has('model')) {
    const m = r.strOf(o.get('model'), 'simulation.model');
    if (m === 'glm' || m === 'spiked-wigner') model = m;
    else if (m !== undefined) {
      r.add('bad-value', r.locOf(o.get('model')), `unknown simulation model \`${m}\``, m,
        didYouMean(m, EXPERIMENTS) ?? `models: ${EXPERIMENTS.join(', ')} (glm: teacher-student data, the default; spiked-wigner: the matrix of a lowrank section)`);
    }
  }
  const spiked = model === 'spiked-wigner';
  const ref = (key: 'teacher' | 'channel' | 'estimator'): Ref | undefined => {
    if (spiked && key !== 'estimator') {
      if (o.has(key)) {
        r.add('bad-value', r.locOf(o.get(key)), `a spiked-wigner simulation takes no \`${key}\`: the lowrank section gives the prior of x and the signal-to-noise ratio`, key,
          `remove \`${key}:\`; \`--prior NAME\` selects the prior of both the theory and the simulation`);
      }
      return undefined;
    }
    const hint = key === 'estimator' && spiked ? `estimators: ${Object.keys(SPIKED_ESTIMATORS).join(', ')}` : HINT[key];
    if (!o.has(key)) {
      r.add('missing-key', loc, `the simulation section has no \`${key}\``, key, hint);
      return undefined;
    }
    return readPieceRef(o.get(key), `simulation.${key}`, key, hint, r);
  };
  const teacher = ref('teacher');
  const channel = ref('channel');
  const estimator = ref('estimator');
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
  if (!teacher || !channel) return undefined;
  return { model: 'glm', teacher, channel, estimator, measure, loc };
}

/** Names against the model: pieces, their arity, parameter arguments, theory quantities, and `alpha`. */
export function checkSimulation(spec: SimulationSpec, program: Program, model: Pick<Model, 'glm' | 'lowrank'>): Issue[] {
  const issues: Issue[] = [];
  const add = (loc: Loc, code: Issue['code'], message: string, symbol?: string, hint?: string) =>
    issues.push({ ...loc, code, message, ...(symbol !== undefined && { symbol }), ...(hint !== undefined && { hint }) });
  const params = program.params.map((p) => p.name);
  const piece = (ref: Ref, table: typeof TEACHERS, what: keyof typeof HINT) => {
    const p = own(table, ref.name);
    if (!p) {
      add(ref.loc, 'unknown-piece', `unknown ${what} \`${ref.name}\``, ref.name, didYouMean(ref.name, Object.keys(table)) ?? HINT[what]);
      return;
    }
    const min = p.args.length - (p.optional ?? 0);
    if (ref.args.length < min || ref.args.length > p.args.length) {
      add(ref.loc, 'wrong-arity', `${what} \`${ref.name}\` takes ${min === p.args.length ? min : `${min} to ${p.args.length}`} argument${p.args.length === 1 ? '' : 's'} (${p.args.join(', ')}), got ${ref.args.length}`, ref.name);
    }
    for (const a of ref.args) {
      if (Number.isFinite(Number(a.text)) && a.text !== '') continue;
      if (!params.includes(a.text)) {
        add(a.loc, 'unknown-symbol', `\`${a.text}\` is not a parameter of the model`, a.text,
          didYouMean(a.text, params) ?? 'an argument is a parameter name or a number');
      }
    }
  };
  for (const m of spec.measure) {
    if (!MEASURABLE[spec.model].includes(m.measured)) {
      add(m.loc, 'bad-value', `\`${m.measured}\` is not measured in a ${spec.model} experiment`, m.measured,
        `measurable there: ${MEASURABLE[spec.model].join(', ')}`);
    }
  }
  if (spec.model === 'spiked-wigner') {
    piece(spec.estimator, SPIKED_ESTIMATORS, 'estimator');
    if (!model.lowrank) {
      add(spec.loc, 'missing-key', 'a spiked-wigner simulation draws x from the prior of the model\'s lowrank section, and the model has none', 'lowrank',
        'add `lowrank: { prior: ..., snr: ... }` (docs/model-files.md, "lowrank")');
    }
    const missing = AMP_FUNCTIONS.filter((f) => !program.functions.some((g) => g.name === f));
    if (missing.length && model.lowrank) {
      add(spec.estimator.loc, 'unknown-function', `AMP calls the model's ${AMP_FUNCTIONS.join(', ')}; ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not declared`, missing[0]);
    }
    theoryQuantities(spec, program, add);
    return issues;
  }
  piece(spec.teacher, TEACHERS, 'teacher');
  piece(spec.channel, CHANNELS, 'channel');
  piece(spec.estimator, ESTIMATORS, 'estimator');
  if (spec.estimator.name === 'gamp') {
    const missing = GAMP_FUNCTIONS.filter((f) => !program.functions.some((g) => g.name === f));
    if (missing.length) {
      add(spec.estimator.loc, 'unknown-function', `the gamp estimator calls the model's ${GAMP_FUNCTIONS.join(', ')}; ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not declared`,
        missing[0], 'GAMP runs on a Bayes-optimal GLM: add a `glm: { prior, channel }` section, which declares them');
    }
    // Bayes-optimal means the data come from the model's own prior and channel: check the built-in pieces.
    const glm = model.glm;
    const pair = (sim: Ref, piece: unknown, canon: typeof teacherCanon, what: 'teacher' | 'channel', glmWhat: string) => {
      if (!piece || (piece as { kind?: string }).kind !== 'builtin') return;
      const ref = piece as { name: string; args: readonly { text: string }[] };
      const want = canon(ref.name, ref.args.map((a) => a.text), true);
      const got = canon(sim.name, sim.args.map((a) => a.text), false);
      if (want !== undefined && got !== undefined && want !== got) {
        add(sim.loc, 'bad-value', `the ${what} \`${show(sim)}\` is not the glm ${glmWhat} \`${show(ref)}\`: GAMP is Bayes-optimal only for data drawn from its own model`,
          sim.name, `write \`${what}: ${ref.name === 'gauss-bernoulli' ? suggestion(want) : show(ref)}\`${ref.name === 'gauss-bernoulli' ? ' (the glm prior\'s nonzero entries are N(0, 1/rho), second moment 1; the teacher\'s are N(0, power/rho))' : ''}`);
      }
    };
    pair(spec.teacher, glm?.prior, teacherCanon, 'teacher', 'prior');
    pair(spec.channel, glm?.channel, channelCanon, 'channel', 'channel');
  }
  if (!params.includes('alpha')) add(spec.loc, 'unknown-symbol', 'a simulation needs a parameter `alpha` (n = round(alpha d))', 'alpha');
  theoryQuantities(spec, program, add);
  return issues;
}

/** Every measured theory quantity is an order parameter or an observable of the model. */
function theoryQuantities(spec: SimulationSpec, program: Program, add: (loc: Loc, code: Issue['code'], message: string, symbol?: string, hint?: string) => void): void {
  const theory = [...program.state.map((s) => s.name), ...program.observables.map((o) => o.name)];
  for (const m of spec.measure) {
    if (!theory.includes(m.theory)) {
      add(m.loc, 'unknown-symbol', `\`${m.theory}\` is neither an order parameter nor an observable of the model`, m.theory,
        didYouMean(m.theory, theory) ?? `theory quantities: ${theory.join(', ')}`);
    }
  }
}

const show = (r: { name: string; args: readonly { text: string }[] }) => (r.args.length ? `${r.name}(${r.args.map((a) => a.text).join(', ')})` : r.name);
/** A canonical form `name(arg, ...)` with the defaults filled in, from a glm piece or a simulation piece. */
const canonical = (name: string, args: readonly string[]) => `${name}(${args.join(', ')})`;
const suggestion = (c: string) => c.replace(/\(\)$/, '');
function teacherCanon(name: string, args: readonly string[], glm: boolean): string | undefined {
  switch (name) {
    case 'gaussian': return canonical('gaussian', [args[0] ?? '1']);
    case 'rademacher': return canonical('rademacher', []);
    // the glm gauss-bernoulli(rho) has second moment 1; the simulation's has rho unless a power is given
    case 'gauss-bernoulli': return canonical('gauss-bernoulli', [args[0], glm ? '1' : args[1] ?? args[0]]);
    default: return undefined;
  }
}
function channelCanon(name: string, args: readonly string[]): string | undefined {
  switch (name) {
    case 'linear': return canonical('linear', [args[0] ?? '0']);
    case 'sign': return canonical('sign', [args[0] ?? '0']);
    case 'abs': return canonical('abs', [args[0] ?? '0']);
    case 'relu': return canonical('relu', [args[0] ?? '0']);
    default: return undefined;
  }
}
