import { compile, type Compiled } from '../compile/compile.ts';
import { expandGlm } from '../glm/expand.ts';
import { build } from '../ir/build.ts';
import { ModelError, type Issue } from './issues.ts';
import { readModel, readModelFile } from './read.ts';
import { checkSimulation } from '../simulate/section.ts';

/** read + glm expansion + build: every mistake of all stages, or the Program. */
export function check(file: string, text?: string): { compiled?: Compiled; issues: readonly Issue[] } {
  const r = text === undefined ? readModelFile(file) : readModel(text, file);
  if (!r.model) return { issues: r.issues };
  const g = expandGlm(r.model);
  const b = build(g.model);
  const sim = b.program && r.model.simulation ? checkSimulation(r.model.simulation, b.program) : [];
  const issues = [...r.issues, ...g.issues, ...b.issues, ...sim].sort((a, c) => a.line - c.line || a.col - c.col);
  if (issues.length > 0 || !b.program) return { issues };
  return { compiled: compile(b.program), issues };
}

/** Reads, checks and compiles a model file; throws ModelError listing every mistake. */
export function loadModel(file: string, text?: string): Compiled {
  const { compiled, issues } = check(file, text);
  if (!compiled) throw new ModelError(issues);
  return compiled;
}
