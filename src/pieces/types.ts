import type { Loc } from '../base/issues.ts';
import type { Expr } from '../model/types.ts';

/**
 * The building blocks of a teacher-student model (tramp's prior and channel): ONE library, from which the theory
 * (a `glm:` or `lowrank:` section, expanded by src/glm) and the simulation (the `simulation:` section, run by
 * src/simulate) both take their pieces, by the same name and with the same arguments, so that both describe the
 * same law.
 *
 * A piece is data: its name (the library key), its parameters, a doc string and LaTeX, and two optional parts:
 *  - theory forms, expression text in the piece's own local names, instantiated by glm/expand.ts (local names get
 *    the prefix `prior_` or `channel_`, the piece's parameters are replaced by the arguments of the model file).
 *    Names that keep their meaning in piece text: the built-ins, and the public names of the expanded model: `q`,
 *    `qhat`, `alpha`, `rho_w` (the prior's second moment), `V` (the posterior variance rho_w - q, floored by the
 *    channel), and the GAMP functions `logZw`, `fa`, `fv`, `logZout`, `gout`, `dgout`. Absent for a piece that
 *    exists only for simulations (the `outliers` channel of a hand-written Huber model): a glm or lowrank section
 *    naming it is a located error.
 *  - a sampler, with the piece's arguments as numbers: how a simulation draws a teacher component, or a label
 *    given the teacher field. Absent for a piece that cannot be sampled (a prior given by the user's density).
 * A piece never switches on another piece's name: what differs between pieces is in the pieces.
 */

/** Piece text: a string in the piece's local names, or user text (an Expr, kept as written, with its place). */
export type Text = string | Expr;

export interface PieceParam {
  readonly name: string;
  readonly doc: string;
  /** Text (a number) used when the argument is omitted; absent for a required argument. */
  readonly default?: string;
  /** The theory forms do not model this argument (they hold at its default): only a simulation may give it, and
   * a glm or lowrank section does not count it (e.g. the noise variance of `abs(Delta)`). Simulation-only
   * parameters come after the others. */
  readonly simulationOnly?: true;
}

/** `name` or `name(arg, ...)` as written in a model file: a piece of the library, each part located. */
export interface BuiltinRef {
  readonly kind: 'builtin';
  readonly name: string;
  readonly args: readonly PieceArg[];
  readonly loc: Loc; // of the name
}

/** One argument of `name(arg, ...)`: a parameter name or a number. */
export interface PieceArg {
  readonly text: string;
  readonly loc: Loc;
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

/** The random source a sampler draws from (simulate/rng.ts `Rng` has these). */
export interface Draws {
  uniform(): number;
  normal(): number;
}

/** What an estimate's error is: squared (regression, real labels) or 0-1 of sign(omega) (classification). */
export type Task = 'regression' | 'classification';

/** The overlaps of an estimate w with the teacher w* (all divided by d): m = w.w*, q = |w|^2, qStar = |w*|^2. */
export interface Overlaps {
  readonly m: number;
  readonly q: number;
  readonly qStar: number;
}

/** What every piece has. */
export interface PieceInfo {
  /** The library key, as a model file writes it. */
  readonly name: string;
  readonly doc: string;
  /** The law as LaTeX, in the piece's parameter names (documentation and reports). */
  readonly tex: string;
  readonly params: readonly PieceParam[];
  /** Checks argument values (all of `params`, in order, defaults filled in): why they are invalid, or undefined. */
  readonly checkArgs?: (args: readonly number[]) => string | undefined;
}

/** The theory forms of a prior. Conventions: Zw(B, A) = E_{w ~ prior} exp(B w - A w^2 / 2); the effective scalar
 * channel of state evolution is B = qhat w* + sqrt(qhat) xi with A = qhat. */
export interface PriorTheory {
  readonly decls?: Decls;
  /** E w*^2, rho_w. */
  readonly secondMoment: string;
  /** GAMP: log Zw(B, A) (normalised), fa = d log Zw / dB (posterior mean of the scalar channel), fv = d fa / dB
   * (posterior variance). Bodies in B, A. */
  readonly logZw: string;
  readonly fa: string;
  readonly fv: string;
  /** E over w* ~ prior of F(w*): a template with the placeholder F, and the variables it integrates over. */
  readonly teacher: { readonly decls?: Decls; readonly average: string };
  /** State evolution on the Nishimori line, accurate forms: q as a function of qhat, and
   * psi = Psi_w(qhat) - rho_w qhat / 2 (Psi_w = E log Zw(qhat w* + sqrt(qhat) xi, qhat)). */
  readonly accurate?: { readonly decls?: Decls; readonly q: string; readonly psi: string };
}

export interface PriorPiece extends PieceInfo {
  /** Absent: a teacher only simulations draw from (no Bayes theory forms). */
  readonly theory?: PriorTheory;
  /**
   * One teacher component, with the piece's arguments as numbers (all of `params`, defaults filled in): how a
   * simulation draws its teacher from the same piece as the theory. It consumes a fixed number of draws of `rng`
   * whatever the arguments (common random numbers along a sweep). Absent for a prior that cannot be sampled.
   */
  readonly draw?: (args: readonly number[], rng: Draws) => number;
  /** E w*^2 at the argument values: what the theory's `secondMoment` is there (and a sample's |w*|^2/d estimates). */
  readonly secondMomentAt?: (args: readonly number[]) => number;
}

/** The theory forms of a channel. Conventions: z = w*.x / sqrt(d) is the teacher field; on the Nishimori line the
 * student field is omega = sqrt(q) xi and the teacher field given omega is N(omega, V), V = rho_w - q;
 * Zout(y, omega, V) = E_{z ~ N(omega, V)} P(y | z). */
export interface ChannelTheory {
  readonly decls?: Decls;
  /** V = max(rho_w - q, floor): keeps perfect recovery (V = 0) a finite fixed point. */
  readonly floor: number;
  /** GAMP: log Zout(y, omega, V), gout = d log Zout / d omega and its derivative dgout. Bodies in y, omega, V. */
  readonly logZout: string;
  readonly gout: string;
  readonly dgout: string;
  /** The sum or integral over y of Zout(y, omega, V) F(y): the average of F over the label given the student field
   * omega and variance V. A template with placeholders F, omega and V, and the variables it integrates over. */
  readonly labels: { readonly decls?: Decls; readonly average: string };
  /** Standard observables of this channel (e.g. gen_error of a classifier). */
  readonly observables?: Readonly<Record<string, string>>;
  /** State evolution on the Nishimori line, accurate forms at omega = sqrt(q) xi and V:
   * fisher = E_xi int dy Zout gout^2 (so qhat = alpha fisher) and psi = Psi_out(q) = E_xi int dy Zout log Zout. */
  readonly accurate?: { readonly decls?: Decls; readonly fisher: string; readonly psi: string };
}

/** How a simulation draws labels through a channel. */
export interface ChannelSampler {
  /** One label y given the teacher field z, with the piece's arguments as numbers (all of `params`, defaults filled
   * in); it consumes a fixed number of draws of `rng` whatever the arguments and z. */
  readonly label: (args: readonly number[], z: number, rng: Draws) => number;
  /** A mixture channel (rules and facts, inliers and outliers): the same label from the same draws, and whether it
   * came from the exceptional component (a fact, an outlier), so that training errors are measured on each part. */
  readonly labelWithPart?: (args: readonly number[], z: number, rng: Draws) => readonly [y: number, exception: boolean];
  /** What the labels are: classes +-1 (classification) or real numbers (regression). */
  readonly task: Task;
  /** The label law is even in z (y given z = y given -z): the data cannot tell w* from -w*, and overlaps are
   * measured after aligning the estimate's sign with the teacher's. */
  readonly symmetric?: true;
  /** The test error of an estimate from its overlaps, for Gaussian inputs (the student field omega and the teacher
   * field z are jointly Gaussian with E omega^2 = q, E z^2 = qStar, E omega z = m): per task, where it has a closed
   * form (NaN elsewhere). */
  readonly testError?: Partial<Record<Task, (args: readonly number[], o: Overlaps) => number>>;
}

export interface ChannelPiece extends PieceInfo {
  /** Absent: a channel only simulations draw from (no Bayes theory forms). */
  readonly theory?: ChannelTheory;
  /** Absent for a channel that cannot be sampled (a likelihood given by the user). */
  readonly sampler?: ChannelSampler;
}
