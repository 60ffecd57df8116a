import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../base/errors.ts';
import type { LoadOptions } from '../pipeline/load.ts';
import type { SolveOptions } from '../solve/solution.ts';
import { loadModel, type LoadedModel } from '../pipeline/load.ts';
import { resolveModel } from '../pipeline/models.ts';
import { parseSet as readSet } from '../pipeline/plan/params.ts';
import { solverPlan } from '../pipeline/plan/solver.ts';
import { numberOption } from '../pipeline/plan/values.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every solving command takes. */
export const SOLVER_OPTIONS: Options = {
  set: { type: 'string', multiple: true },
  init: { type: 'string' },
  damping: { type: 'string' },
  tol: { type: 'string' },
  'max-iterations': { type: 'string' },
  anderson: { type: 'string' },
  prior: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** What changes the model itself when it is loaded: `--prior NAME` (a model whose lowrank section lists priors). */
export function loadOptions(values: Record<string, unknown>): LoadOptions {
  const prior = values.prior;
  if (prior === undefined) return {};
  if (typeof prior !== 'string' || prior.trim() === '') throw new UsageError('--prior needs the name of a prior', 'e.g. --prior rademacher; `saddle check MODEL` lists the model\'s priors');
  return { prior: prior.trim() };
}

/** The help line of --prior, shared by every model-loading command. */
export const PRIOR_HELP = `  --prior NAME        a model whose lowrank section lists several priors: use this one (default: the first)`;

export function parse(argv: readonly string[], options: Options) {
  // An option given twice that takes one value is a mistake, never "the last one wins" (a second --out would be
  // dropped without a word).
  const seen = new Map<string, number>();
  for (const a of argv) {
    if (a === '--') break;
    const m = /^--([^=]+)/.exec(a);
    if (!m || !Object.hasOwn(options, m[1]) || options[m[1]].multiple) continue;
    seen.set(m[1], (seen.get(m[1]) ?? 0) + 1);
    if (seen.get(m[1])! > 1) throw new UsageError(`--${m[1]} is given twice`, `give --${m[1]} once${options[m[1]].type === 'string' ? ' (one value)' : ''}`);
  }
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify.*$/s, ''), 'see `saddle COMMAND --help`');
  }
}

// Kept for commands not yet reading their options through the plan layer (src/pipeline/plan/): the same readers.
export const parseSet = (values: readonly string[] | undefined): Record<string, number> => readSet(values);
export { MAX_SCAN } from '../pipeline/plan/thresholds.ts';
export const num = (v: unknown, flag: string, check: (x: number) => boolean = () => true, range?: string): number | undefined => numberOption(v, `--${flag}`, check, range);
export const solveOptions = (values: Record<string, unknown>): Omit<SolveOptions, 'init'> => solverPlan(values);

export function onePositional(positionals: readonly string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`\`saddle ${command}\` takes one model (a file or a built-in name), got ${positionals.length}`, `see \`saddle ${command} --help\``);
  return positionals[0];
}

/** The one model of a command line, found (a file or a built-in name) and loaded with the options that change it. */
export function modelArgument(positionals: readonly string[], command: string, values: Record<string, unknown>): LoadedModel {
  return loadModel(resolveModel(onePositional(positionals, command)), undefined, loadOptions(values));
}
