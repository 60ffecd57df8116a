/**
 * The `simulation:` section resolved at load (pipeline/load.ts) into a `Simulation`: its pieces looked up in the one
 * library (src/pieces, and the estimators of estimators/library.ts), their arguments resolved to parameter indices
 * or numbers (pieces/args.ts, the resolution the glm section uses too), the measured quantities checked against the
 * model. Later stages (experiment.ts at parameter values, the trial worker) read this plan and never resolve a name
 * of the file again. A plan is plain data (it crosses to worker threads by structured clone): a piece is named by
 * its library key.
 */
import type { Issue, Loc } from '../base/issues.ts';
import { didYouMean } from '../base/suggest.ts';
import type { Program } from '../ir/nodes.ts';
import type { Model } from '../model/types.ts';
import { lookupPiece, refText, resolveArg, resolveArgs, signature, type Add, type ResolvedArg } from '../pieces/args.ts';
import { CHANNELS, PRIORS } from '../pieces/library.ts';
import type { BuiltinRef, PieceInfo } from '../pieces/types.ts';
import { ESTIMATORS, type EstimatorPiece } from './estimators/library.ts';
import { MEASURABLE, type Measured, type SimulationSpec } from './section.ts';
import { SPECTRAL_DATA } from './spectral-experiment.ts';

/** A piece of the library in use: its key, and one resolved argument per parameter (defaults filled in). */
export interface PieceUse {
  readonly key: string;
  readonly args: readonly ResolvedArg[];
}

/** What is measured on an instance (`measured`) and the theory quantity (order parameter or observable) it is
 * compared with, by the name the model gives it. */
export interface Measurement {
  readonly theory: string;
  readonly measured: Measured;
}

interface PlanCommon {
  /** A key of ESTIMATORS, for this experiment. */
  readonly estimator: PieceUse;
  readonly measure: readonly Measurement[];
}

/** Teacher-student data: a teacher and a channel with samplers, n = round(alpha d). */
export interface GlmPlan extends PlanCommon {
  readonly model: 'glm';
  /** A key of PRIORS with a sampler. */
  readonly teacher: PieceUse;
  /** A key of CHANNELS with a sampler. */
  readonly channel: PieceUse;
  /** The index of the parameter `alpha`. */
  readonly alpha: number;
}

/** The spiked Wigner matrix of a lowrank section, x from the prior in use. */
export interface SpikedPlan extends PlanCommon {
  readonly model: 'spiked-wigner';
  /** The lowrank section's prior in use, when it is a piece of the library with a sampler; else why it cannot be
   * drawn from (a prior given by its density or values: the theory still solves, the simulation is refused). */
  readonly prior: PieceUse | { readonly unavailable: string; readonly hint: string };
  readonly snr: ResolvedArg;
}

/** Kernel ridge in the feature space of a spectrum truncated to d modes (spectral-experiment.ts). */
export interface SpectralPlan extends PlanCommon {
  readonly model: 'kernel-powerlaw';
  /** A key of SPECTRAL_DATA: the spectrum, the teacher, the noise and the number of samples. */
  readonly data: PieceUse;
}

/** A model's simulation, resolved (LoadedModel.simulation). */
export type Simulation = GlmPlan | SpikedPlan | SpectralPlan;

/**
 * Resolves the section against the library and the model (its Program, and its glm or lowrank section): each
 * piece known, with a sampler, its arity and arguments right (numbers checked by the piece when all are numbers);
 * the estimator's needs (the model's functions; for a Bayes-optimal one, data from the glm section's own prior and
 * channel); `alpha`; the measured quantities measurable in the experiment and named after the theory's.
 */
export function checkSimulation(spec: SimulationSpec, program: Program, model: Pick<Model, 'glm' | 'lowrank'>): { simulation?: Simulation; issues: Issue[] } {
  const issues: Issue[] = [];
  const add: Add = (code, loc, message, symbol, hint) =>
    issues.push({ ...loc, code, message, ...(symbol !== undefined && { symbol }), ...(hint !== undefined && { hint }) });
  const params = program.params.map((p) => p.name);
  const use = <P extends PieceInfo>(ref: BuiltinRef, library: ReadonlyMap<string, P>, what: string, offered: (p: P) => boolean, refused: (p: P) => string, hint?: string) => {
    const piece = lookupPiece(ref, library, what, 'simulation', add, offered, refused, hint);
    const args = piece && resolveArgs(ref, piece, what, 'simulation', params, add);
    return piece && args ? { piece, use: { key: piece.name, args } as PieceUse } : undefined;
  };
  const experiment = spec.model;
  // the estimators of this experiment (GAMP is unknown to a spiked-wigner simulation, AMP to a glm one)
  const estimators = new Map([...ESTIMATORS].filter(([, e]) => e.experiment === experiment));
  const estimator = use(spec.estimator, estimators, 'estimator', () => true, () => '',
    experiment === 'glm' ? undefined : `a ${experiment} experiment's estimators: ${[...estimators.values()].map((e) => signature(e, 'simulation')).join(', ')}`);
  if (estimator) calls(estimator.piece, spec.estimator.loc, program, model, add);
  for (const m of spec.measure) {
    if (!MEASURABLE[experiment].includes(m.measured)) {
      add('bad-value', m.loc, `\`${m.measured}\` is not measured in a ${experiment} experiment`, m.measured,
        `measurable there: ${MEASURABLE[experiment].join(', ')}`);
    } else if (estimator?.piece.measures && !estimator.piece.measures.includes(m.measured)) {
      // an estimator that measures its predictor itself (random features) measures only these
      add('bad-value', m.loc, `\`${m.measured}\` is not measured with the estimator ${estimator.piece.name}`, m.measured,
        `it measures: ${estimator.piece.measures.join(', ')}`);
    } else if (m.measured === 'separable' && estimator && !estimator.piece.measures?.includes('separable')) {
      add('bad-value', m.loc, `\`separable\` is measured by the estimator separability, not ${estimator.piece.name}`, m.measured, 'write `estimator: separability`');
    }
  }
  theoryQuantities(spec, program, add);
  const measure = spec.measure.map((m) => ({ theory: m.theory, measured: m.measured }));

  if (spec.model === 'kernel-powerlaw') {
    const data = use(spec.data, SPECTRAL_DATA, 'data', () => true, () => '');
    // regression or sign labels: the estimator's loss and the measurements must be for them
    const task = estimator?.piece.task;
    if (data && task && task !== data.piece.task) {
      add('bad-value', spec.estimator.loc, `the estimator ${estimator.piece.name} is for ${task}, the data ${data.piece.name} for ${data.piece.task}`, estimator.piece.name,
        `data for ${task}: ${[...SPECTRAL_DATA.values()].filter((p) => p.task === task).map((p) => p.name).join(', ')}`);
    }
    for (const m of spec.measure) {
      const refused = !MEASURABLE[experiment].includes(m.measured) || (estimator?.piece.measures && !estimator.piece.measures.includes(m.measured));
      if (data && !refused && !data.piece.measures.includes(m.measured)) {
        add('bad-value', m.loc, `\`${m.measured}\` is not measured in a kernel-powerlaw experiment with the data ${data.piece.name}`, m.measured, `it measures: ${data.piece.measures.join(', ')}`);
      }
    }
    if (issues.length || !estimator || !data) return { issues };
    return { simulation: { model: 'kernel-powerlaw', data: data.use, estimator: estimator.use, measure }, issues };
  }

  if (spec.model === 'spiked-wigner') {
    const lowrank = model.lowrank;
    if (!lowrank) {
      add('missing-key', spec.loc, 'a spiked-wigner simulation draws x from the prior of the model\'s lowrank section, and the model has none', 'lowrank',
        'add `lowrank: { prior: ..., snr: ... }` (docs/model-files.md, "lowrank")');
      return { issues };
    }
    // the lowrank expansion has reported any mistake in its prior and snr: resolve them quietly
    const quiet: Add = () => {};
    const priorSpec = lowrank.priors[lowrank.selected ?? 0];
    const snr = lowrank.snr && resolveArg(lowrank.snr.text, params);
    let prior: SpikedPlan['prior'] | undefined;
    const samplers = [...PRIORS.values()].filter((p) => p.draw).map((p) => p.name).join(', ');
    if (priorSpec?.kind === 'builtin') {
      const piece = PRIORS.get(priorSpec.name);
      const args = piece && resolveArgs(priorSpec, piece, 'prior', 'theory', params, quiet);
      if (piece && args) {
        prior = piece.draw ? { key: piece.name, args }
          : { unavailable: `the spiked-wigner simulation cannot draw x from the prior \`${piece.name}\`: it has no sampler`, hint: `priors with a sampler: ${samplers}` };
      }
    } else if (priorSpec) {
      prior = {
        unavailable: `the spiked-wigner simulation cannot draw x from a prior given by its ${priorSpec.kind === 'density' ? 'density' : 'values'}: only the library's priors have a sampler`,
        hint: `priors with a sampler: ${samplers}`,
      };
    }
    if (issues.length || !estimator || !prior || !snr) return { issues };
    return { simulation: { model: 'spiked-wigner', estimator: estimator.use, measure, prior, snr }, issues };
  }

  const teacher = use(spec.teacher, PRIORS, 'teacher', (p) => p.draw !== undefined, (p) => `the prior \`${p.name}\` has no sampler: a simulation cannot draw a teacher from it`);
  const channel = use(spec.channel, CHANNELS, 'channel', (c) => c.sampler !== undefined, (c) => `the channel \`${c.name}\` has no sampler: a simulation cannot draw labels through it`);
  if (estimator?.piece.bayesOptimal) {
    // Bayes-optimal means the data come from the model's own prior and channel, with the same arguments
    const glm = model.glm;
    if (teacher && glm?.prior?.kind === 'builtin') sameLaw(spec.teacher, teacher.use, glm.prior, PRIORS, 'teacher', 'prior', params, add);
    if (channel && glm?.channel?.kind === 'builtin') sameLaw(spec.channel, channel.use, glm.channel, CHANNELS, 'channel', 'channel', params, add);
  }
  const alpha = params.indexOf('alpha');
  if (alpha < 0) add('unknown-symbol', spec.loc, 'a simulation needs a parameter `alpha` (n = round(alpha d))', 'alpha');
  if (issues.length || !estimator || !teacher || !channel) return { issues };
  return { simulation: { model: 'glm', teacher: teacher.use, channel: channel.use, estimator: estimator.use, measure, alpha }, issues };
}

/** The model's functions the estimator calls are declared (a glm or lowrank section declares them). */
function calls(e: EstimatorPiece, loc: Loc, program: Program, model: Pick<Model, 'glm' | 'lowrank'>, add: Add): void {
  if (!e.calls) return;
  // without a lowrank section, a spiked-wigner simulation has a mistake already said
  if (e.experiment === 'spiked-wigner' && !model.lowrank) return;
  const missing = e.calls.functions.filter((f) => !program.functions.some((g) => g.name === f));
  if (missing.length) {
    add('unknown-function', loc, `the ${e.name} estimator calls the model's ${e.calls.functions.join(', ')}; ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not declared`,
      missing[0], e.calls.hint);
  }
}

/** The simulation's piece is the glm section's, with the same arguments (each the same parameter or number, the
 * defaults filled in): otherwise a Bayes-optimal estimator would not be Bayes-optimal for the data. */
function sameLaw<P extends PieceInfo>(sim: BuiltinRef, got: PieceUse, glm: BuiltinRef, library: ReadonlyMap<string, P>, what: string, glmWhat: string,
  params: readonly string[], add: Add): void {
  const piece = library.get(glm.name);
  // the glm expansion has reported any mistake in its own pieces
  const want = piece && resolveArgs(glm, piece, glmWhat, 'theory', params, () => {});
  if (!want) return;
  const same = (a: ResolvedArg, b: ResolvedArg) => (a.kind === 'param' ? b.kind === 'param' && a.index === b.index : b.kind === 'number' && Object.is(a.value, b.value));
  if (got.key === piece.name && want.length === got.args.length && want.every((a, i) => same(a, got.args[i]))) return;
  add('bad-value', sim.loc, `the ${what} \`${refText(sim)}\` is not the glm ${glmWhat} \`${refText(glm)}\`: GAMP is Bayes-optimal only for data drawn from its own model`,
    sim.name, `write \`${what}: ${refText(glm)}\` (a piece means the same law in both sections)`);
}

/** Every measured theory quantity is an order parameter or an observable of the model. */
function theoryQuantities(spec: SimulationSpec, program: Program, add: Add): void {
  const theory = [...program.state.map((s) => s.name), ...program.observables.map((o) => o.name)];
  for (const m of spec.measure) {
    if (!theory.includes(m.theory)) {
      add('unknown-symbol', m.loc, `\`${m.theory}\` is neither an order parameter nor an observable of the model`, m.theory,
        didYouMean(m.theory, theory) ?? `theory quantities: ${theory.join(', ')}`);
    }
  }
}
