/**
 * A simulation plan: the dimension d of the instances, the number of seeded trials and the master seed, written
 * one way everywhere: `d=D,trials=T[,seed=S]` (`--simulate` of sweep, simulate, verify and report; `--verify` of
 * report, with more keys). `saddle simulate` and `saddle verify` also take the keys as options of their own
 * (`--d D --trials T --seed S`), read by the same reader with the same checks.
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../../base/errors.ts';
import type { Compiled } from '../../compile/compile.ts';
import { sampleCount } from '../../simulate/data.ts';
import { simulationOf, type Simulatable } from '../../simulate/run.ts';
import { spectralSamples } from '../../simulate/spectral-experiment.ts';
import { integerOption } from './values.ts';

/** The largest dimension d of a simulated instance. */
export const MAX_DIMENSION = 1_000_000;
/** The most seeded trials per point. */
export const MAX_TRIALS = 100_000;
/** The most entries of one trial's data (the n x d inputs, or the N x N spiked matrix): 2^28 doubles, 2 GiB. */
export const MAX_INSTANCE_ENTRIES = 2 ** 28;
/** Trials per point when the plan does not say. */
export const DEFAULT_TRIALS = 8;

/** A simulation asked for: size, trials, master seed, and the quantities the model's simulation measures. */
export interface SimulationPlan {
  readonly d: number;
  readonly trials: number;
  readonly seed: number;
  readonly quantities: readonly string[];
}

/** The plan's keys as given: a value and how to name it in a message (`--simulate: d=5`, or `--d 5`). */
type Given = Readonly<Partial<Record<'d' | 'trials' | 'seed', { readonly value: string; readonly at: string }>>>;

/**
 * `d=1000,trials=10[,seed=1]` given as `option`: the plan, checked against the model's simulation section.
 * `extra` reads any other `key=value` (report's `--verify` takes parameter values and a tolerance); without it
 * another key is a usage error.
 */
export function simulationPlan(model: Simulatable, text: string, option = '--simulate', extra?: (key: string, value: string) => boolean): SimulationPlan {
  const usage = `write ${option} d=1000,trials=10 (optionally ,seed=S)`;
  const given: Record<string, { value: string; at: string }> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) throw new UsageError(`cannot read \`${option} ${text}\``, usage);
    const [, key, value] = m;
    if (key === 'd' || key === 'trials' || key === 'seed') given[key] = { value, at: `${option}: ${key}=${value}` };
    else if (!extra?.(key, value)) throw new UsageError(`cannot read \`${option} ${text}\`: unknown key \`${key}\``, usage);
  }
  return readPlan(model, given, `${option} needs d=D (an integer >= 2)`, `e.g. ${option} d=1000,trials=10`);
}

/** `--d D [--trials T] [--seed S]` (saddle simulate, verify): the same plan, the same checks. */
export function simulationOptions(model: Simulatable, values: { readonly d?: unknown; readonly trials?: unknown; readonly seed?: unknown }): SimulationPlan {
  const given: Record<string, { value: string; at: string }> = {};
  for (const key of ['d', 'trials', 'seed'] as const) {
    if (values[key] !== undefined) given[key] = { value: String(values[key]), at: `--${key} ${String(values[key])}` };
  }
  return readPlan(model, given, 'give the dimension of the instances, --d D (or --simulate d=D,trials=T)', 'e.g. --d 1000');
}

function readPlan(model: Simulatable, given: Given, missing: string, example: string): SimulationPlan {
  const spec = simulationOf(model); // a model without a simulation section is refused first
  const read = (key: 'd' | 'trials' | 'seed', lo: number, hi: number, range: string, above?: string, aboveHint?: string): number | undefined => {
    const g = given[key];
    if (g === undefined) return undefined;
    const x = g.value.trim() === '' ? NaN : Number(g.value);
    if (above !== undefined && Number.isInteger(x) && x > hi) throw new UsageError(`${g.at} is more than ${above}`, aboveHint);
    if (!Number.isInteger(x) || x < lo || x > hi) throw new UsageError(`${g.at} is not a valid value`, `expected ${range}`);
    return x;
  };
  const d = read('d', 2, MAX_DIMENSION, `an integer from 2 to ${MAX_DIMENSION}`, `the largest dimension, ${MAX_DIMENSION.toLocaleString('en-US')}`,
    'finite-size effects are O(1/d): d = 1000 to 10000 is usually plenty');
  if (d === undefined) throw new UsageError(missing, example);
  const trials = read('trials', 2, MAX_TRIALS, `an integer from 2 (a standard error needs two) to ${MAX_TRIALS}`, `the ${MAX_TRIALS.toLocaleString('en-US')} allowed`,
    'the standard error falls like 1/sqrt(trials): a few dozen trials are usually plenty') ?? DEFAULT_TRIALS;
  const seed = read('seed', 0, 0xffffffff, 'an integer in [0, 2^32 - 1]') ?? 1;
  return { d, trials, seed, quantities: spec.measure.map((m) => m.theory) };
}

/** `--workers N`: worker threads for trials (default: the cores), never more than the trials of a point. */
export function workersPlan(value: unknown, trials = Infinity): number {
  return Math.min(integerOption(value, '--workers', 1, Number.MAX_SAFE_INTEGER, 'a positive integer') ?? availableParallelism(), trials);
}

/**
 * Refuses, before any work, a simulation size that makes an empty or an impossibly large problem: n =
 * round(alpha d) = 0 samples at some point (e.g. alpha = 0.1, d = 4), or a trial whose data (the n x d inputs, or
 * the d x d spiked matrix) has more than MAX_INSTANCE_ENTRIES entries. `option` names the option in the message.
 */
export function checkSimulationSize(compiled: Simulatable & Compiled, points: readonly Readonly<Record<string, number>>[], d: number, option: string): void {
  const spec = simulationOf(compiled);
  const tooLarge = (what: string, entries: number): never => {
    throw new UsageError(`${option}: ${what} = ${entries.toExponential(2)} numbers (${(entries * 8 / 2 ** 30).toPrecision(3)} GiB), more than the 2^28 = ${MAX_INSTANCE_ENTRIES.toExponential(2)} allowed`,
      'a smaller d: finite-size effects are O(1/d), so compare a few moderate sizes (saddle verify --sizes 250,500,1000)');
  };
  if (spec.model === 'kernel-powerlaw') {
    // n samples of d modes, n given by the data piece (simulate/spectral-experiment.ts)
    for (const point of points) {
      const n = spectralSamples(spec, compiled.problem(point).params);
      if (n * d > MAX_INSTANCE_ENTRIES) tooLarge(`one trial's features would be n x d = ${n} x ${d}`, n * d);
    }
    return;
  }
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
