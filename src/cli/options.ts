import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../base/errors.ts';
import type { LoadOptions } from '../pipeline/load.ts';
import type { SolveOptions } from '../solve/solution.ts';

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

/** `--set a=1,b=2` (repeatable) into a record of numbers. */
export function parseSet(values: readonly string[] | undefined): Record<string, number> {
  // No prototype: `--set __proto__=1` is a name like any other (and refused as unknown), not a prototype change.
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const part of (values ?? []).flatMap((v) => v.split(','))) {
    if (!part.trim()) continue;
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)\s*$/.exec(part);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) throw new UsageError(`cannot read \`--set ${part}\``, 'write --set name=value,name2=value2 with numbers');
    out[m[1]] = v;
  }
  return out;
}

/** The most points of a threshold's initial scan (`--scan`, and `scan=` of `saddle report --threshold`): each is a solve. */
export const MAX_SCAN = 100_000;

export function num(v: unknown, flag: string, check: (x: number) => boolean = () => true, range?: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || !check(x)) throw new UsageError(`--${flag} ${v} is not a valid value`, range ? `expected ${range}` : undefined);
  return x;
}

export function solveOptions(values: Record<string, unknown>): Omit<SolveOptions, 'init'> {
  const damping = num(values.damping, 'damping', (x) => x > 0 && x <= 1, 'a number in (0, 1]');
  const rtol = num(values.tol, 'tol', (x) => x > 0, 'a positive number');
  const maxIterations = num(values['max-iterations'], 'max-iterations', (x) => Number.isInteger(x) && x > 0, 'a positive integer');
  const anderson = num(values.anderson, 'anderson', (x) => Number.isInteger(x) && x >= 0 && x <= 20, 'an integer from 0 (off) to 20');
  return {
    ...(damping !== undefined && { damping }), ...(rtol !== undefined && { rtol }),
    ...(maxIterations !== undefined && { maxIterations }), ...(anderson !== undefined && { anderson }),
  };
}

export function onePositional(positionals: readonly string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`\`saddle ${command}\` takes one model (a file or a built-in name), got ${positionals.length}`, `see \`saddle ${command} --help\``);
  return positionals[0];
}
