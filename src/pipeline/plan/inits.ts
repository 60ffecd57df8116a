/**
 * Named initialisations asked for: `--init NAME|all`, `--inits A,B`, the starts named in a threshold or a line,
 * each checked against the model once, with one message.
 */
import { UsageError } from '../../base/errors.ts';
import type { Compiled } from '../../compile/compile.ts';

/** Starts of a solve or a sweep: one (`init`, undefined for the default) or several (`inits`, one branch each). */
export interface InitPlan {
  readonly init?: string;
  readonly inits?: readonly string[];
}

/** The model's named initialisations, in order. */
export const initNames = (model: Compiled): readonly string[] => model.program.info.initNames;

/** Refuses a name that is not an initialisation of the model; `where` (an option) prefixes the message. */
export function checkInit(model: Compiled, name: string, where?: string): void {
  const names = initNames(model);
  if (names.includes(name)) return;
  throw new UsageError(`${where ? `${where}: ` : ''}model "${model.program.info.name}" has no initialisation \`${name}\``, `its initialisations are: ${names.join(', ')}`);
}

/** `--init NAME` (one start) or `--init all` (every initialisation, a branch each). */
export function initPlan(model: Compiled, text: string | undefined): InitPlan {
  if (text === undefined) return {};
  if (text === 'all') return { inits: [...initNames(model)] };
  checkInit(model, text);
  return { init: text };
}

/** `--inits A,B` (undefined when absent): each checked. */
export function initList(model: Compiled, names: readonly string[] | undefined, flag = '--inits'): string[] | undefined {
  if (names === undefined) return undefined;
  for (const n of names) checkInit(model, n, flag);
  return [...names];
}
