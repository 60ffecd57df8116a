import { UsageError } from '../base/errors.ts';

/** One swept parameter and the values it takes, in sweep order. */
export interface Axis {
  readonly name: string;
  readonly values: readonly number[];
}

/** The most points one axis may have: each is at least one solve, and a row kept in memory. */
export const MAX_AXIS_POINTS = 1_000_000;
/** The most points a grid (the product of its axes' counts) may have. */
export const MAX_GRID_POINTS = 1_000_000;

/** Parses `NAME=START:STOP:COUNT` (evenly spaced) or `NAME=START:STOP:COUNT:log` (geometric). */
export function parseAxis(spec: string): Axis {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=([^:]+):([^:]+):([^:]+)(?::(lin|log))?$/.exec(spec.trim());
  const usage = 'write NAME=START:STOP:COUNT, e.g. alpha=0.1:5:50, or NAME=START:STOP:COUNT:log for a geometric grid';
  if (!m) throw new UsageError(`cannot read the sweep range \`${spec}\``, usage);
  const [, name, a, b, c, scale] = m;
  const start = Number(a);
  const stop = Number(b);
  const count = Number(c);
  if (!Number.isFinite(start) || !Number.isFinite(stop)) throw new UsageError(`\`${spec}\`: START and STOP must be numbers`, usage);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`\`${spec}\`: COUNT must be a positive integer`, usage);
  if (count > MAX_AXIS_POINTS) {
    throw new UsageError(`\`${spec}\`: COUNT ${c} is more than the ${MAX_AXIS_POINTS.toLocaleString('en-US')} points an axis may have`,
      'a smaller COUNT, or several runs over parts of the range');
  }
  if (scale === 'log' && !(start > 0 && stop > 0)) throw new UsageError(`\`${spec}\`: a log grid needs START and STOP > 0`);
  return { name, values: grid(start, stop, count, scale === 'log') };
}

export function grid(start: number, stop: number, count: number, log = false): number[] {
  if (count === 1) return [start];
  // 12 significant digits: 0.01, not 0.009999999999999998, in tables and file names; endpoints exact.
  return Array.from({ length: count }, (_, i) => {
    if (i === 0) return start;
    if (i === count - 1) return stop;
    const t = i / (count - 1);
    const v = log ? Math.exp(Math.log(start) + t * (Math.log(stop) - Math.log(start))) : start + t * (stop - start);
    return Number(v.toPrecision(12));
  });
}

/**
 * Refuses a grid of more than MAX_GRID_POINTS points (the product of the axes' counts) before any work: every
 * point is solved and kept as a row. `what` names the options in the message (e.g. `--param` or `--x/--y`).
 */
export function checkGridSize(axes: readonly Axis[], what = '--param'): void {
  const points = axes.reduce((n, a) => n * a.values.length, 1);
  if (points > MAX_GRID_POINTS) {
    throw new UsageError(`${what}: a grid of ${axes.map((a) => `${a.values.length} ${a.name}`).join(' x ')} = ${points.toLocaleString('en-US')} points is more than the ${MAX_GRID_POINTS.toLocaleString('en-US')} allowed`,
      'use fewer points per axis, or split the range over several runs');
  }
}
