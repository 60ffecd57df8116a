import type { Loc } from '../base/issues.ts';
import type { Expr } from '../model/types.ts';

declare module '../model/types.ts' {
  interface Model {
    /** The `glm:` section (a prior and a channel), expanded into the core sections by glm/expand.ts. */
    readonly glm?: GlmSpec;
    /** The `lowrank:` section (a prior and a signal-to-noise ratio), expanded by glm/lowrank.ts. */
    readonly lowrank?: LowrankSpec;
  }
}

/**
 * The `glm:` section of a model file as read (src/glm/section.ts): which prior and which channel, still
 * unresolved. expand.ts resolves the names against the piece library and turns the section into ordinary
 * model content (order parameters, updates, observables, free energy) before the IR build.
 */
export interface GlmSpec {
  readonly prior?: PriorSpec;
  readonly channel?: ChannelSpec;
  /** `accurate` (default): the pieces' hand-derived state-evolution forms where they have them;
   * `generic`: every piece through the quadrature of its log Z (for checks). */
  readonly stateEvolution: 'accurate' | 'generic';
  readonly loc: Loc;
}

/**
 * The `lowrank:` section (src/glm/lowrank.ts): a symmetric rank-one matrix estimation problem (spiked Wigner,
 * Y = sqrt(snr/N) x x^T + W) named by the prior of x and the signal-to-noise ratio, expanded like `glm:` into
 * the state evolution of Bayes-optimal AMP and its free entropy. A list of priors offers a choice: the first is
 * the default, `--prior NAME` (LoadOptions.prior) selects another.
 */
export interface LowrankSpec {
  readonly priors: readonly PriorSpec[];
  /** The signal-to-noise ratio: a parameter name or a number. */
  readonly snr?: PieceArg;
  readonly stateEvolution: 'accurate' | 'generic';
  readonly loc: Loc;
  /** Set by the expansion: the index in `priors` of the prior in use. */
  readonly selected?: number;
}

import type { BuiltinRef, PieceArg } from '../pieces/types.ts';
export type { BuiltinRef, PieceArg } from '../pieces/types.ts';

/** `prior: { density: "p(w)", scale: s, nodes: n }`: a prior given by its (unnormalised) density in `w`. */
export interface DensityPrior {
  readonly kind: 'density';
  readonly density: Expr;
  readonly scale?: Expr;
  readonly nodes?: number;
  /** Points where the density has a kink or a step: each integral is split there. */
  readonly kinks?: readonly number[];
  readonly loc: Loc;
}

/** `prior: { values: [...], probs: [...] }`: a prior on finitely many values. */
export interface DiscretePrior {
  readonly kind: 'discrete';
  readonly values: readonly number[];
  readonly probs: readonly Expr[] | null;
  readonly loc: Loc;
}

/** `channel: { likelihood: "P(y | z)", y: [...] | real, y_scale: s, nodes: n }`. */
export interface LikelihoodChannel {
  readonly kind: 'likelihood';
  readonly likelihood: Expr;
  readonly labels: { readonly kind: 'discrete'; readonly values: readonly number[] } | { readonly kind: 'real'; readonly scale?: Expr };
  readonly nodes?: number;
  /** Values of z where P(y | z) has a kink or a step: each integral over z is split there. */
  readonly kinks?: readonly number[];
  readonly loc: Loc;
}

export type PriorSpec = BuiltinRef | DensityPrior | DiscretePrior;
export type ChannelSpec = BuiltinRef | LikelihoodChannel;
