import type { Compiled } from '../compile/compile.ts';
import { UsageError } from '../errors.ts';
import { simulationOf } from '../verify/compare.ts';

/** A simulation asked for on the command line: size, trials, master seed, and the quantities it measures. */
export interface SimulationPlan {
  readonly d: number;
  readonly trials: number;
  readonly seed: number;
  readonly quantities: readonly string[];
}

/**
 * `d=1000,trials=10[,seed=1]` (the value of `--simulate`, as in `saddle sweep --simulate`): the plan, checked
 * against the model's simulation section. `extra` reads any other `key=value` (e.g. `--verify`'s parameter
 * values and tolerance); without it another key is a usage error.
 */
export function simulationPlan(text: string, compiled: Compiled, option = '--simulate',
  extra?: (key: string, value: string) => boolean): SimulationPlan {
  const spec = simulationOf(compiled);
  const usage = `write ${option} d=1000,trials=10 (optionally ,seed=S)`;
  const kv: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) throw new UsageError(`cannot read \`${option} ${text}\``, usage);
    const [, key, value] = m;
    if (['d', 'trials', 'seed'].includes(key)) {
      if (!/^\d+$/.test(value)) throw new UsageError(`${option}: ${key}=${value} is not a non-negative integer`, usage);
      kv[key] = Number(value);
    } else if (!extra?.(key, value)) {
      throw new UsageError(`cannot read \`${option} ${text}\`: unknown key \`${key}\``, usage);
    }
  }
  if (!(kv.d >= 2)) throw new UsageError(`${option} needs d=D (an integer >= 2)`, `e.g. ${option} d=1000,trials=10`);
  const trials = kv.trials ?? 8;
  if (!(trials >= 2)) throw new UsageError(`${option}: trials must be >= 2 (a standard error needs two)`);
  const seed = kv.seed ?? 1;
  if (seed > 0xffffffff) throw new UsageError(`${option}: seed must be in [0, 2^32 - 1]`);
  return { d: kv.d, trials, seed, quantities: spec.measure.map((m) => m.theory) };
}
