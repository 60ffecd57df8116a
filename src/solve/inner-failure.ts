import type { Problem } from '../compile/compile.ts';
import type { InnerFailure } from '../ir/kernels.ts';

/** Which inner problem failed, where in the file, what it returned and at which parameter values, in words. */
export function innerFailureMessage(problem: Problem, failure: InnerFailure, during: string): string {
  const site = problem.innerSites?.[failure.site];
  const which = site ? `${site.form}(...) at ${site.loc.file}:${site.loc.line}:${site.loc.col}` : 'an inner problem';
  const got = Number.isNaN(failure.z) ? 'found no root or minimum in its bracket' : `returned ${failure.z}, which failed its checks (not a stationary point, or not the lowest minimum found)`;
  const at = problem.paramNames.map((p, i) => `${p}=${problem.params[i]}`).join(', ');
  return `${which} ${got}, ${during}${at ? `, at ${at}` : ''}`;
}
