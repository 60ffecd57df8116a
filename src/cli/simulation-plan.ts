import type { Compiled } from '../compile/compile.ts';
import { UsageError } from '../base/errors.ts';
import { sampleCount } from '../simulate/data.ts';
import { simulationOf } from '../simulate/run.ts';

/** The largest dimension d of a simulated instance. */
export const MAX_DIMENSION = 1_000_000;
/** The most seeded trials per point. */
export const MAX_TRIALS = 100_000;
/** The most entries of one trial's data (the n x d inputs, or the N x N spiked matrix): 2^28 doubles, 2 GiB. */
export const MAX_INSTANCE_ENTRIES = 2 ** 28;

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
  if (kv.d > MAX_DIMENSION) throw new UsageError(`${option}: d=${kv.d} is more than the largest dimension, ${MAX_DIMENSION.toLocaleString('en-US')}`, 'finite-size effects are O(1/d): d = 1000 to 10000 is usually plenty');
  const trials = kv.trials ?? 8;
  if (!(trials >= 2)) throw new UsageError(`${option}: trials must be >= 2 (a standard error needs two)`);
  if (trials > MAX_TRIALS) throw new UsageError(`${option}: trials=${trials} is more than the ${MAX_TRIALS.toLocaleString('en-US')} allowed`, 'the standard error falls like 1/sqrt(trials): a few dozen trials are usually plenty');
  const seed = kv.seed ?? 1;
  if (seed > 0xffffffff) throw new UsageError(`${option}: seed must be in [0, 2^32 - 1]`);
  return { d: kv.d, trials, seed, quantities: spec.measure.map((m) => m.theory) };
}

/**
 * Refuses, before any work, a simulation size that makes an empty or an impossibly large problem: n =
 * round(alpha d) = 0 samples at some point (e.g. alpha = 0.1, d = 4), or a trial whose data (the n x d inputs, or
 * the d x d spiked matrix) has more than MAX_INSTANCE_ENTRIES entries. `option` names the option in the message.
 */
export function checkSimulationSize(compiled: Compiled, points: readonly Readonly<Record<string, number>>[], d: number, option: string): void {
  const spec = simulationOf(compiled);
  const tooLarge = (what: string, entries: number): never => {
    throw new UsageError(`${option}: ${what} = ${entries.toExponential(2)} numbers (${(entries * 8 / 2 ** 30).toPrecision(3)} GiB), more than the 2^28 = ${MAX_INSTANCE_ENTRIES.toExponential(2)} allowed`,
      'a smaller d: finite-size effects are O(1/d), so compare a few moderate sizes (saddle verify --sizes 250,500,1000)');
  };
  if (spec.model === 'spiked-wigner') {
    if (d * d > MAX_INSTANCE_ENTRIES) tooLarge(`one trial's matrix would be d x d = ${d} x ${d}`, d * d);
    return;
  }
  for (const point of points) {
    const problem = compiled.problem(point);
    const alpha = problem.params[problem.paramNames.indexOf('alpha')];
    const n = sampleCount(alpha, d);
    if (!(n >= 1)) {
      let least = alpha > 0 ? Math.ceil(0.5 / alpha) : Infinity;
      if (sampleCount(alpha, least) < 1) least += 1;
      throw new UsageError(`${option}: at alpha = ${alpha}, d = ${d} gives n = round(alpha d) = ${n} samples: the simulation would have no data`,
        alpha > 0 && Number.isFinite(least) ? `raise d to at least ${least} (n >= 1 needs alpha d >= 0.5), or alpha` : 'simulate at alpha > 0: at alpha = 0 there are no samples');
    }
    if (n * d > MAX_INSTANCE_ENTRIES) tooLarge(`at alpha = ${alpha}, one trial's inputs would be n x d = ${n} x ${d}`, n * d);
  }
}
