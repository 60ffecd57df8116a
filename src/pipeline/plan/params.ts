/**
 * Parameter values from the command line: `--set a=1,b=2` (repeatable), checked against the model (every name
 * declared, every value in its declared range) before any work. The names and ranges are checked by the compile
 * stage's own `paramValues`, so a value gets the same message wherever it comes from (`--set`, a swept value, an
 * axis of a phase diagram, a point of `report --verify`).
 */
import { UsageError } from '../../base/errors.ts';
import { paramValues, type Compiled } from '../../compile/compile.ts';

/** Parameter values by name, in a record without prototype (any name is safe to look up). */
export type ParamValues = Readonly<Record<string, number>>;

/** The fixed parameters of a command: the values given (`--set`) and every parameter's value with the defaults. */
export interface ParamsPlan {
  /** The values given, in the order given (what a phase file's header and the titles of plots show). */
  readonly fixed: ParamValues;
  /** Every parameter's value: the model's defaults overridden by `fixed`, in the model's order. */
  readonly values: ParamValues;
}

/** `--set a=1,b=2` (repeatable) into a record of numbers, without checking the names against a model. */
export function parseSet(values: readonly string[] | undefined, flag = '--set'): Record<string, number> {
  // No prototype: `--set __proto__=1` is a name like any other (and refused as unknown), not a prototype change.
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const part of (values ?? []).flatMap((v) => v.split(','))) {
    if (!part.trim()) continue;
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)\s*$/.exec(part);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) throw new UsageError(`cannot read \`${flag} ${part}\``, `write ${flag} name=value,name2=value2 with numbers`);
    out[m[1]] = v;
  }
  return out;
}

/** Checks `values` against the model's parameters (names, ranges): the compile stage's message for each mistake. */
export function checkParams(model: Compiled, values: ParamValues): void {
  paramValues(model.program, values);
}

/** `--set` read and checked: the fixed values, and every parameter's value. */
export function paramsPlan(model: Compiled, set: readonly string[] | undefined): ParamsPlan {
  const fixed = parseSet(set);
  return { fixed, values: allValues(model, fixed) };
}

/** Every parameter's value (the defaults overridden by `values`), checked, in the model's order. */
export function allValues(model: Compiled, values: ParamValues): ParamValues {
  const all = paramValues(model.program, values);
  return Object.fromEntries(model.program.params.map((p, i) => [p.name, all[i]]));
}

/** Checks that `name` is a parameter of the model (the compile stage's message, with a did-you-mean). */
export function checkParamName(model: Compiled, name: string): void {
  const p = model.program.params.find((q) => q.name === name);
  paramValues(model.program, { [name]: p?.default ?? 0 });
}
