/**
 * Swept and mapped parameters: `--param NAME=START:STOP:COUNT[:log]` (sweep, verify, report) and the axes of a
 * phase diagram (`--x`, `--y`), checked once against the model and the fixed values before any work: the names,
 * every value in its declared range, no axis also fixed or given twice, a grid of bounded size.
 */
import { UsageError } from '../../base/errors.ts';
import type { Compiled } from '../../compile/compile.ts';
import { checkGridSize, parseAxis, type Axis } from '../../sweep/axis.ts';
import type { Direction } from '../../sweep/continuation.ts';
import { checkParamName, checkParams, type ParamValues } from './params.ts';

/** How many axes a command takes, and what to say when the count is wrong. */
export interface AxisCount {
  readonly least: number;
  readonly most: number;
  readonly message: string;
  readonly hint?: string;
}

/** `--param` of a line (one), of a line or a grid (one or two), or of an optional line (none or one). */
export const LINE_OR_GRID: AxisCount = { least: 1, most: 2, message: 'give one --param (a line) or two (a grid)', hint: 'e.g. --param alpha=0.1:5:50' };
export const AT_MOST_ONE: AxisCount = { least: 0, most: 1, message: 'give at most one --param', hint: 'e.g. --param alpha=0.5:4:5' };

/** The `--param` values read, counted and checked (`checkAxes`). */
export function sweepAxes(model: Compiled, fixed: ParamValues, texts: readonly string[], count: AxisCount): Axis[] {
  const axes = texts.map((t) => parseAxis(t));
  if (axes.length < count.least || axes.length > count.most) throw new UsageError(count.message, count.hint);
  checkAxes(model, fixed, axes, '--param');
  return axes;
}

/**
 * Checks axes against the model: distinct, not fixed too, each a parameter whose every value is in its declared
 * range, and their grid of at most MAX_GRID_POINTS. `flag` names the options in the messages (`--param`, or
 * `--x, --y`).
 */
export function checkAxes(model: Compiled, fixed: ParamValues, axes: readonly Axis[], flag: string): void {
  if (axes.length === 2 && axes[0].name === axes[1].name) {
    throw new UsageError(`${flag} ${axes[0].name} is given twice`, 'the axes of a grid must be different parameters');
  }
  for (const a of axes) {
    if (Object.hasOwn(fixed, a.name)) throw new UsageError(`\`${a.name}\` is both swept (${flag}) and fixed (--set)`, `drop ${a.name} from --set, or sweep another parameter`);
  }
  checkGridSize(axes, flag);
  for (const a of axes) {
    checkParamName(model, a.name);
    for (const v of a.values) checkParams(model, { ...fixed, [a.name]: v }); // every value in range, before any work
  }
}

/** Refuses a logarithmic plot axis over values that are not all positive. */
export function checkLogAxis(axis: Axis): void {
  const bad = axis.values.filter((v) => !(v > 0));
  if (bad.length === 0) return;
  throw new UsageError(`--log-x: ${axis.name} takes ${bad.length} value${bad.length > 1 ? 's' : ''} <= 0 (${bad.slice(0, 3).join(', ')}), which a log axis cannot place`,
    `sweep a positive range (e.g. --param ${axis.name}=0.1:10:50:log) or drop --log-x`);
}

/** Every parameter point of a line or a grid (the fixed values with the swept ones), the first axis inner. */
export function gridPoints(fixed: ParamValues, axes: readonly Axis[]): Record<string, number>[] {
  const [inner, outer] = axes;
  if (!inner) return [{ ...fixed }];
  return (outer ? outer.values : [undefined]).flatMap((o) => inner.values.map((v) => ({
    ...fixed, [inner.name]: v, ...(outer && o !== undefined && { [outer.name]: o }),
  })));
}

/** `--direction forward|backward|both` of a sweep (default forward): both follows the line each way, two branches. */
export function directionPlan(text: string | undefined): Direction | 'both' {
  const direction = text ?? 'forward';
  if (direction !== 'forward' && direction !== 'backward' && direction !== 'both') throw new UsageError(`--direction ${direction}: use forward, backward or both`);
  return direction;
}
