/**
 * Reading option values: the one reader of a number, of a comma-separated list, and of a repeatable option, each
 * with its one message. Every plan of this folder reads its values through these.
 */
import { UsageError } from '../../base/errors.ts';

/** Option values as a command line parser delivers them (strings, booleans, lists of strings), by option name. */
export type OptionValues = Readonly<Record<string, unknown>>;

/**
 * A number given as the value of `flag` (`--damping 0.5`): undefined when absent; anything else that is not a
 * finite number satisfying `check` is refused with `--flag VALUE is not a valid value` and the range expected.
 */
export function numberOption(v: unknown, flag: string, check: (x: number) => boolean = () => true, range?: string): number | undefined {
  if (v === undefined) return undefined;
  const x = typeof v === 'string' && v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(x) || !check(x)) throw new UsageError(`${flag.startsWith('-') ? flag : `--${flag}`} ${v} is not a valid value`, range ? `expected ${range}` : undefined);
  return x;
}

/** An integer from `lo` to `hi` given as the value of `flag`; undefined when absent. */
export function integerOption(v: unknown, flag: string, lo: number, hi: number, range = `an integer from ${lo} to ${hi}`): number | undefined {
  return numberOption(v, flag, (x) => Number.isInteger(x) && x >= lo && x <= hi, range);
}

/** `A,B,C` into its non-empty, trimmed items (undefined when the option is absent). */
export function listOption(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return String(v).split(',').map((s) => s.trim()).filter(Boolean);
}

/** The values of a repeatable option (none when absent). */
export function repeated(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** A string option (undefined when absent). */
export function stringOption(v: unknown): string | undefined {
  return v === undefined ? undefined : String(v);
}

/**
 * Runs `f`; a UsageError it throws gets `prefix: ` in front of its message (the option that carried the value,
 * e.g. `--threshold level:alpha=0.2:0.5`), its hint kept.
 */
export function within<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof UsageError && !e.message.startsWith(prefix)) throw new UsageError(`${prefix}: ${e.message}`, e.hint);
    throw e;
  }
}
