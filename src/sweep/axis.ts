import { UsageError } from '../errors.ts';

/** One swept parameter and the values it takes, in sweep order. */
export interface Axis {
  readonly name: string;
  readonly values: readonly number[];
}

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
