/**
 * saddle as a library (docs/library.md): load a model (a built-in's name, a file, or YAML text), solve it at a
 * point, sweep a parameter, locate a threshold, simulate it at finite size and compare theory with simulation.
 * Every result carries its parameters and its origin (model, file, sha256 of its text and of its data files,
 * saddle's version); a failure to converge is a status, never an exception; misuse throws a UsageError, a model
 * with mistakes a ModelError holding every Issue (file:line:column, message, hint).
 */
import { loadModel, type LoadedModel } from './pipeline/load.ts';
import { resolveModel } from './pipeline/models.ts';
import type { LoadOptions } from './model/types.ts';

/** A model by a built-in's name (`ridge`, `logistic`, ...; `builtinModels()` lists them) or a path to a file. */
export function load(model: string, options: LoadOptions = {}): LoadedModel {
  return loadModel(resolveModel(model), undefined, options);
}

/** A model written as YAML text; `file` names it in messages and in every result's origin. */
export function loadText(yaml: string, file = 'model.yaml', options: LoadOptions = {}): LoadedModel {
  return loadModel(file, yaml, options);
}

export { builtinNames as builtinModels } from './pipeline/models.ts';
export { check, type LoadedModel } from './pipeline/load.ts';
export type { LoadOptions } from './model/types.ts';
export type { Compiled, Problem } from './compile/compile.ts';
export type { ModelInfo, Program } from './ir/nodes.ts';

export { solve, solveFromEach, type FixedPoints } from './solve/iterate.ts';
export { selectEquilibrium } from './solve/equilibrium.ts';
export type { Origin, Solution, SolveOptions, Status } from './solve/solution.ts';
export type { Retcode } from './base/retcode.ts';

export { grid, parseAxis, type Axis } from './sweep/axis.ts';
export { sweep, sweepGrid, type Direction, type SweepOptions, type SweepRow } from './sweep/continuation.ts';

export { findThreshold, THRESHOLD_KINDS, type Threshold, type ThresholdKind, type ThresholdSpec } from './transitions/threshold.ts';

export { closeWorkers, simulate, simulateParallel, type SimulationRun } from './simulate/run.ts';
export { compare, type Comparison } from './verify/compare.ts';

export { IoError, UsageError } from './base/errors.ts';
export { formatIssue, formatIssues, ModelError, type Issue, type IssueCode } from './base/issues.ts';
export { VERSION } from './base/version.ts';
