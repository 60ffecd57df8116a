import type { Loc } from '../base/issues.ts';
import type { SpectrumData } from './spectrum-file.ts';

/** An expression as written in the model file, with enough of its surroundings to locate a token in it. */
export interface Expr {
  readonly text: string;
  readonly loc: Loc; // where the YAML scalar starts
  readonly raw: string; // the scalar's source text (with quotes or block indentation), for locating tokens
}

export interface ParamDecl {
  readonly name: string;
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly doc?: string;
  readonly loc: Loc;
}

/** An order parameter. `init` maps an initialisation name to a start value; absent when the update
 * assigns it before anything reads it (conjugate "hat" parameters in the usual hats-then-overlaps order). */
export interface OrderParamDecl {
  readonly name: string;
  readonly init?: Readonly<Record<string, number>>;
  readonly min?: number;
  readonly max?: number;
  readonly doc?: string;
  readonly loc: Loc;
}

/** A measure an expectation E(var, ...) integrates over. The quadrature rule is chosen by the measure. */
export type Law =
  | { readonly kind: 'normal'; readonly nodes?: number }
  | { readonly kind: 'discrete'; readonly values: readonly number[]; readonly probs: readonly Expr[] | null }
  // Spectral laws (model/spectral-laws.ts, ir/measures/marchenko-pastur.ts, power-law.ts).
  | { readonly kind: 'marchenko-pastur'; readonly ratio: Expr; readonly nodes?: number }
  | { readonly kind: 'power-law'; readonly capacity: Expr; readonly source: Expr | null; readonly modes: Expr | null; readonly nodes?: number }
  | { readonly kind: 'spectrum'; readonly file: string; readonly weights: 'uniform' | 'modes' | 'teacher'; readonly data: SpectrumData };

export interface VariableDecl {
  readonly name: string;
  readonly law: Law;
  readonly doc?: string;
  readonly loc: Loc;
}

export interface FunctionDecl {
  readonly name: string;
  readonly args: readonly string[];
  readonly body: Expr;
  readonly loc: Loc;
}

export interface NamedExpr {
  readonly name: string;
  readonly expr: Expr;
  readonly loc: Loc; // of the key
}

export interface SolverDefaults {
  readonly damping?: number;
  readonly tol?: number;
  readonly maxIterations?: number;
  /** Anderson memory (0: off). */
  readonly anderson?: number;
}

/** A model file as read and checked for shape; expressions are still text (see ir/build.ts). */
export interface Model {
  readonly file: string;
  /** sha256 of the file's text: what identifies the model in every output. */
  readonly sha256: string;
  readonly name: string;
  readonly description: string;
  readonly conventions?: string;
  readonly source?: string;
  readonly nodes: number; // default Gauss-Hermite node count
  readonly solver: SolverDefaults;
  readonly params: readonly ParamDecl[];
  readonly orderParams: readonly OrderParamDecl[];
  readonly initNames: readonly string[];
  readonly variables: readonly VariableDecl[];
  readonly functions: readonly FunctionDecl[];
  readonly definitions: readonly NamedExpr[];
  readonly updates: readonly NamedExpr[]; // in the order they are applied
  readonly observables: readonly NamedExpr[];
  readonly freeEnergy?: Expr;
  // The registered sections (model/section.ts) add their fields here by declaration merging: `glm` and
  // `lowrank` (glm/types.ts), `simulation` (simulate/section.ts).
  /** The `regions:` section: labelled conditions on the branches of a phase-diagram cell (phase/regions.ts). */
  readonly regions?: readonly NamedExpr[];
}

/** Choices made when a model is loaded (command-line options that change the model itself). */
export interface LoadOptions {
  /** The prior of a `lowrank:` section that lists several (`--prior NAME`); default: the first. */
  readonly prior?: string;
}
