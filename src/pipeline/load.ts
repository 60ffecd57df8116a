import { compile, type Compiled } from '../compile/compile.ts';
import { expandGlm } from '../glm/expand.ts';
import { expandLowrank, selectPrior } from '../glm/lowrank.ts';
import { build } from '../ir/build.ts';
import { ModelError, type Issue } from '../base/issues.ts';
import type { LoadOptions } from '../model/types.ts';
import { readModel, readModelFile } from '../model/read.ts';
import { SIMULATION_SECTION } from '../simulate/section.ts';
import { checkSimulation, type Simulation } from '../simulate/plan.ts';
import { GLM_SECTION, LOWRANK_SECTION } from '../glm/section.ts';
import type { SectionGrammar } from '../model/section.ts';

/** The sections later stages own, registered with the reader. */
export const SECTIONS: readonly SectionGrammar[] = [GLM_SECTION, LOWRANK_SECTION, SIMULATION_SECTION];
import { compileRegions, type Regions } from '../phase/regions.ts';
import { originPath } from './models.ts';

export type { LoadOptions } from '../model/types.ts';

/**
 * read + glm/lowrank expansion + build: every mistake of all stages, or the Program. A load option that does
 * not apply to the model (a --prior it does not offer) is a UsageError.
 */
export function check(file: string, text?: string, options: LoadOptions = {}): { compiled?: LoadedModel; issues: readonly Issue[] } {
  const r = text === undefined ? readModelFile(file, SECTIONS) : readModel(text, file, SECTIONS);
  if (!r.model) return { issues: r.issues };
  // a file with mistakes reports them (ModelError) before a --prior that may only look wrong because of them
  const selected = r.issues.length ? 0 : selectPrior(r.model, options.prior);
  const g = expandGlm(r.model);
  const l = expandLowrank(g.model, selected);
  const model = l.model;
  const b = build(model);
  const sim = b.program && model.simulation ? checkSimulation(model.simulation, b.program, model) : undefined;
  const regions = b.program && model.regions ? compileRegions(model.regions, b.program) : undefined;
  const issues = [...r.issues, ...g.issues, ...l.issues, ...b.issues, ...(sim?.issues ?? []), ...(regions?.issues ?? [])].sort((a, c) => a.line - c.line || a.col - c.col);
  if (issues.length > 0 || !b.program) return { issues };
  // results name a built-in model the same on every machine (read from its real path above)
  const program = { ...b.program, info: { ...b.program.info, file: originPath(b.program.info.file) } };
  return {
    compiled: {
      ...compile(program),
      ...(sim?.simulation && { simulation: sim.simulation }),
      ...(regions?.regions && { regions: regions.regions }),
    },
    issues,
  };
}

/**
 * A model as the pipeline delivers it: compiled (its Program carries its identity, `info`), with what later
 * stages need of its other sections resolved and checked: the simulation section (its plan: pieces of the library,
 * arguments as parameter indices or numbers), the compiled regions. Nothing downstream reads the raw Model or
 * resolves a name of it again.
 */
export interface LoadedModel extends Compiled {
  readonly simulation?: Simulation;
  readonly regions?: Regions;
}

/** Reads, checks and compiles a model file; throws ModelError listing every mistake. */
export function loadModel(file: string, text?: string, options: LoadOptions = {}): LoadedModel {
  const { compiled, issues } = check(file, text, options);
  if (!compiled) throw new ModelError(issues);
  return compiled;
}
