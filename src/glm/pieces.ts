import type { Expr } from '../model/types.ts';

/**
 * The building blocks of a Bayes-optimal GLM (tramp's prior and channel), as model-language text.
 *
 * A piece is data: expression text in its own local names, instantiated by expand.ts (local names get the
 * prefix `prior_` or `channel_`, the piece's parameters are replaced by the arguments of the model file).
 * Names that keep their meaning in piece text: the built-ins, and the public names of the expanded model:
 * `q`, `qhat`, `alpha`, `rho_w` (the prior's second moment), `V` (the posterior variance rho_w - q, floored by
 * the channel), and the GAMP functions `logZw`, `fa`, `fv`, `logZout`, `gout`, `dgout`.
 *
 * Each piece carries (i) the GAMP functions, (ii) an average over the teacher (the prior's law of w*, the
 * channel's law of the label y given the fields), from which state evolution follows by quadrature for any
 * piece (the generic path), and (iii) where available, accurate state-evolution forms derived by hand
 * (changes of variables, closed forms), lifted from the zoo files that introduced them.
 */

/** Piece text: a string in the piece's local names, or user text (an Expr, kept as written, with its place). */
export type Text = string | Expr;

export interface PieceParam {
  readonly name: string;
  readonly doc: string;
  /** Text used when the argument is omitted; absent for a required argument. */
  readonly default?: string;
}

export type VariableText =
  | { readonly law: 'normal'; readonly nodes?: number; readonly doc?: string }
  | { readonly values: readonly number[]; readonly probs?: readonly Text[]; readonly doc?: string };

/** Local declarations, in the order a model file would give them (a function used in D comes first). */
export interface Decls {
  readonly variables?: Readonly<Record<string, VariableText>>;
  /** `name(a, b)`: body. The body is in the function's arguments and the parameters only. */
  readonly functions?: Readonly<Record<string, Text>>;
  readonly definitions?: Readonly<Record<string, Text>>;
}

export interface PriorPiece {
  readonly name: string;
  readonly doc: string;
  readonly params: readonly PieceParam[];
  readonly decls?: Decls;
  /** E w*^2, rho_w. */
  readonly secondMoment: string;
  /** GAMP: log Zw(B, A), Zw = E_w exp(B w - A w^2 / 2) (normalised), fa = d log Zw / dB (posterior mean of
   * the scalar channel), fv = d fa / dB (posterior variance). Bodies in B, A. */
  readonly logZw: string;
  readonly fa: string;
  readonly fv: string;
  /** E over w* ~ prior of F(w*): a template with the placeholder F, and the variables it integrates over. */
  readonly teacher: { readonly decls?: Decls; readonly average: string };
  /** State evolution on the Nishimori line, accurate forms: q as a function of qhat, and
   * psi = Psi_w(qhat) - rho_w qhat / 2 (Psi_w = E log Zw(qhat w* + sqrt(qhat) xi, qhat)). */
  readonly accurate?: { readonly decls?: Decls; readonly q: string; readonly psi: string };
  /** One draw of a teacher component from this prior, with the piece's parameters (in `params` order) as
   * numbers: how a simulation draws its teacher from the same piece as the theory. It consumes a fixed number
   * of draws of `rng` whatever the parameters (common random numbers along a sweep). Absent for pieces that
   * cannot be sampled (a density given by the user). */
  readonly draw?: (args: readonly number[], rng: Draws) => number;
  /** Checks the parameters of `draw`; returns why they are invalid, or undefined. */
  readonly checkArgs?: (args: readonly number[]) => string | undefined;
}

/** The random source a piece draws from (simulate/rng.ts Rng has these). */
export interface Draws {
  uniform(): number;
  normal(): number;
}

export interface ChannelPiece {
  readonly name: string;
  readonly doc: string;
  readonly params: readonly PieceParam[];
  readonly decls?: Decls;
  /** V = max(rho_w - q, floor): keeps perfect recovery (V = 0) a finite fixed point. */
  readonly floor: number;
  /** GAMP: log Zout(y, omega, V), Zout = E_{z ~ N(omega, V)} P(y | z), gout = d log Zout / d omega and its
   * derivative dgout. Bodies in y, omega, V. */
  readonly logZout: string;
  readonly gout: string;
  readonly dgout: string;
  /** The sum or integral over y of Zout(y, omega, V) F(y): the average of F over the label given the
   * student field omega and variance V. A template with placeholders F, omega and V, and the variables it
   * integrates over. */
  readonly labels: { readonly decls?: Decls; readonly average: string };
  /** Standard observables of this channel (e.g. gen_error of a classifier). */
  readonly observables?: Readonly<Record<string, string>>;
  /** State evolution on the Nishimori line, accurate forms at omega = sqrt(q) xi and V:
   * fisher = E_xi int dy Zout gout^2 (so qhat = alpha fisher) and psi = Psi_out(q) = E_xi int dy Zout log Zout. */
  readonly accurate?: { readonly decls?: Decls; readonly fisher: string; readonly psi: string };
}
