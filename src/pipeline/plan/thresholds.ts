/**
 * A threshold search asked for: `saddle threshold --param NAME=LO:HI --kind KIND [--observable ...]` and each
 * `--threshold KIND:NAME=LO:HI[,key=value...]` of `saddle report` give the same fields, read and checked here
 * once (kind and its aliases, range, starts, quantity, level, direction, scan, tolerance, budget) into a
 * ThresholdSpec before any work. A value is named in a message the way it was given (`--scan 2`, or
 * `--threshold level:alpha=1:2,scan=2: scan=2`).
 */
import { UsageError } from '../../base/errors.ts';
import type { Compiled } from '../../compile/compile.ts';
import type { SolveOptions } from '../../solve/solution.ts';
import { DEFAULT_BUDGET } from '../../transitions/search.ts';
import { KIND_ALIASES, THRESHOLD_KINDS, thresholdKind as kindOf, type ThresholdKind, type ThresholdSpec } from '../../transitions/threshold.ts';
import { checkInit } from './inits.ts';
import { checkParamName, checkParams, type ParamValues } from './params.ts';
import { checkQuantity } from './quantities.ts';

/** The most points of a threshold's initial scan: each is a solve. */
export const MAX_SCAN = 100_000;
/** The largest evaluation budget: a bound on the work one command may be asked to do. */
export const MAX_BUDGET = 1_000_000;


/** A threshold's fields as text, however given; absent ones take the search's defaults. */
export interface ThresholdFields {
  readonly kind?: string;
  /** `NAME=LO:HI`. */
  readonly range?: string;
  readonly observable?: string;
  readonly level?: string;
  readonly init?: string;
  readonly high?: string;
  readonly direction?: string;
  readonly scan?: string;
  readonly tol?: string;
  readonly budget?: string;
}
export const THRESHOLD_KEYS = ['observable', 'level', 'init', 'high', 'direction', 'scan', 'tol', 'budget'] as const;

/** How a field was given, for messages: `--scan 2` (an option), or `OPTION TEXT: scan=2` (a key of one option's value). */
export interface FieldNames {
  readonly field: (key: string, value: string) => string;
  /** How a user writes a field (`--level X`, or `level=X`). */
  readonly spelling: (key: string, value: string) => string;
  /** What prefixes a message about the whole search (none for options of their own). */
  readonly prefix: string;
}
const option = (k: string, v: string) => `--${k === 'range' ? 'param' : k} ${v}`;
export const OPTION_FIELDS: FieldNames = { field: option, spelling: option, prefix: '' };
export const keyFields = (flag: string, text: string): FieldNames => ({
  field: (k, v) => `${flag} ${text}: ${k === 'range' ? v : `${k}=${v}`}`, spelling: (k, v) => `${k}=${v}`, prefix: `${flag} ${text}: `,
});

/** A kind or one of its aliases; `at` names where it was given. */
export function thresholdKind(text: string, at: string): ThresholdKind {
  const kind = kindOf(text);
  if (!kind) throw new UsageError(`${at}: not a threshold kind`, `kinds: ${THRESHOLD_KINDS.join(', ')} (aliases: ${Object.keys(KIND_ALIASES).join(', ')})`);
  return kind;
}

/** `KIND:NAME=LO:HI[,key=value...]` (report's `--threshold`) into its fields. */
export function thresholdText(text: string, option = '--threshold'): ThresholdFields {
  const usage = `write ${option} KIND:NAME=LO:HI, e.g. first-order:alpha=1:2 or level:alpha=0.2:0.5,observable=mse,level=0.5`;
  const m = /^\s*([a-z-]+):([A-Za-z_][A-Za-z0-9_]*=[^:,]+:[^:,]+)((?:,[^,]+)*)\s*$/.exec(text);
  if (!m) throw new UsageError(`cannot read \`${option} ${text}\``, usage);
  const fields: Record<string, string> = { kind: m[1], range: m[2] };
  for (const part of m[3].split(',').slice(1)) {
    const kv = /^\s*([a-z]+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!kv || !(THRESHOLD_KEYS as readonly string[]).includes(kv[1])) throw new UsageError(`${option} ${text}: cannot read \`${part}\``, `keys: ${THRESHOLD_KEYS.join(', ')}`);
    fields[kv[1]] = kv[2];
  }
  return fields;
}

/** The fields checked against the model and the fixed values: a search ready to run (without progress events). */
export function thresholdPlan(model: Compiled, fixed: ParamValues, f: ThresholdFields, solver: Omit<SolveOptions, 'init'>, names: FieldNames = OPTION_FIELDS): ThresholdSpec {
  const { field, spelling, prefix } = names;
  const fail = (message: string, hint?: string): never => { throw new UsageError(`${prefix}${message}`, hint); };
  if (f.kind === undefined) fail('give the kind of transition, --kind KIND', `kinds: ${THRESHOLD_KINDS.join(', ')}`);
  const kind = thresholdKind(f.kind!, field('kind', f.kind!));
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=([^:]+):([^:]+)$/.exec(f.range ?? '');
  if (!m) fail('give the range as --param NAME=LO:HI', 'e.g. --param alpha=1:2');
  const [, param, a, b] = m!;
  const [lo, hi] = [Number(a), Number(b)];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) fail(`${field('range', f.range!)}: need numbers LO < HI`);
  checkParamName(model, param);
  checkParams(model, { ...fixed, [param]: lo });
  checkParams(model, { ...fixed, [param]: hi });
  const number = (key: keyof ThresholdFields, ok: (x: number) => boolean = () => true, range?: string): number | undefined => {
    const v = f[key];
    if (v === undefined) return undefined;
    const x = v.trim() === '' ? NaN : Number(v);
    if (!Number.isFinite(x) || !ok(x)) throw new UsageError(`${field(key, v)} is not a valid value`, range ? `expected ${range}` : undefined);
    return x;
  };
  for (const k of ['init', 'high'] as const) if (f[k] !== undefined) checkInit(model, f[k]!, field(k, f[k]!));
  if (f.observable !== undefined) checkQuantity(model, f.observable, field('observable', f.observable));
  if (kind === 'level' && f.level === undefined) fail(`a level threshold needs ${spelling('level', 'X')} (and ${spelling('observable', 'NAME')})`, `e.g. ${spelling('observable', 'mse')} ${spelling('level', '0.5')}`);
  if (kind === 'first-order' && !model.program.info.freeEnergy) fail(`model "${model.program.info.name}" declares no free_energy`, 'first-order transitions are where the free energies of two branches cross: add `free_energy:` to the model');
  if (f.direction !== undefined && f.direction !== 'forward' && f.direction !== 'backward') fail(`${field('direction', f.direction)}: expected forward or backward`);
  const level = number('level');
  const scan = number('scan', (x) => Number.isInteger(x) && x >= 3 && x <= MAX_SCAN, `an integer from 3 to ${MAX_SCAN}`);
  const tol = number('tol', (x) => x > 0, 'a positive number');
  const budget = number('budget', (x) => Number.isInteger(x) && x >= 1 && x <= MAX_BUDGET, `an integer from 1 to ${MAX_BUDGET}`) ?? DEFAULT_BUDGET;
  return {
    kind, param, lo, hi, fixed, solver, budget,
    ...(f.observable !== undefined && { observable: f.observable }),
    ...(level !== undefined && { level }),
    ...(f.init !== undefined && { init: f.init }),
    ...(f.high !== undefined && { high: f.high }),
    ...(f.direction !== undefined && { direction: f.direction as 'forward' | 'backward' }),
    ...(scan !== undefined && { scan }),
    ...(tol !== undefined && { tol }),
  };
}
