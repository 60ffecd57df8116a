/**
 * Theory against simulation at one parameter point: the replica fixed point (solve) and the mean +- standard
 * error of the same quantities over seeded finite-size trials, with a z-score per quantity.
 */
import type { Compiled } from '../compile/compile.ts';
import { solve } from '../solve/iterate.ts';
import type { Solution, SolveOptions } from '../solve/solution.ts';
import { experimentAt, runTrial, summarize, type FitOptions, type Summary, type Trial } from '../simulate/experiment.ts';
import type { SimulationSpec } from '../simulate/section.ts';
import { UsageError } from '../base/errors.ts';
import { createHash } from 'node:crypto';
import Tinypool from 'tinypool';
import type { TrialTask } from '../simulate/trial-worker.ts';

export interface SimulationRun {
  readonly params: Readonly<Record<string, number>>;
  readonly d: number;
  readonly seed: number;
  readonly trials: readonly Trial[];
  readonly summary: Readonly<Record<string, Summary>>;
}

export interface Comparison {
  readonly quantity: string;
  readonly theory: number;
  readonly mean: number;
  readonly se: number;
  /** (mean - theory) / se. */
  readonly z: number;
  /** (mean - theory) / |theory|. */
  readonly relative: number;
  readonly pass: boolean;
}

/** A compiled model with its simulation section (pipeline/load.ts LoadedModel is one). */
export type Simulatable = Compiled & { readonly simulation?: SimulationSpec };

/** The simulation section of a compiled model, or a usage error naming the fix. */
export function simulationOf(compiled: Simulatable): SimulationSpec {
  const spec = compiled.simulation;
  if (!spec) {
    throw new UsageError(`model "${compiled.program.info.name}" has no \`simulation:\` section`,
      'add one (docs/model-files.md, "simulation"): teacher, channel, estimator and what to measure');
  }
  return spec;
}

/**
 * `trials` seeded trials at size d: trial t uses the stream (seed, t), so a run is reproducible bit for bit and
 * a longer run extends a shorter one. `onTrial` sees each trial as it finishes (progress).
 */
export function simulate(compiled: Simulatable, params: Readonly<Record<string, number>>, d: number, trials: number, seed: number,
  onTrial?: (t: Trial) => void, fit: FitOptions = {}): SimulationRun {
  const spec = simulationOf(compiled);
  const problem = compiled.problem(params); // validates the parameter names and ranges
  const values = Object.fromEntries(problem.paramNames.map((p, i) => [p, problem.params[i]]));
  const experiment = experimentAt(spec, values, problem);
  const out: Trial[] = [];
  for (let t = 0; t < trials; t++) {
    const trial = runTrial(experiment, d, { master: seed, trial: t }, fit);
    out.push(trial);
    onTrial?.(trial);
  }
  return { params: values, d, seed, trials: out, summary: summarize(out) };
}

/**
 * `simulate` on `workers` worker threads (tinypool): the trials of a point in parallel, each the same as
 * in-process (its result depends only on its seed). Each task carries the model's IR (a structured clone,
 * ~1 ms), which a worker compiles once: workers never load the YAML reader or mathjs.
 */
export async function simulateParallel(compiled: Simulatable, params: Readonly<Record<string, number>>, d: number, trials: number,
  seed: number, workers: number, onTrial?: (t: Trial) => void, fit: FitOptions = {}): Promise<SimulationRun> {
  if (workers <= 1 || trials < 2) return simulate(compiled, params, d, trials, seed, onTrial, fit);
  const problem = compiled.problem(params);
  const values = Object.fromEntries(problem.paramNames.map((p, i) => [p, problem.params[i]]));
  experimentAt(simulationOf(compiled), values, problem); // misuse (e.g. bad estimator arguments) is reported here, not in a worker
  const pool = await workerPool(workers);
  const out = await Promise.all(Array.from({ length: trials }, async (_, t) => {
    const task: TrialTask = { program: compiled.program, simulation: simulationOf(compiled), key: modelKey(compiled), params: values, d, seed: { master: seed, trial: t }, fit };
    const trial = (await pool.run(task)) as Trial;
    onTrial?.(trial);
    return trial;
  }));
  return { params: values, d, seed, trials: out, summary: summarize(out) };
}

const keys = new WeakMap<Compiled, string>();
/** What identifies a compiled model for the workers' caches: its generated source (the chosen prior included). */
function modelKey(compiled: Compiled): string {
  const known = keys.get(compiled);
  if (known !== undefined) return known;
  const key = createHash('sha256').update(compiled.source).digest('hex');
  keys.set(compiled, key);
  return key;
}

let shared: { pool: Tinypool; size: number } | undefined;
/** One pool per process, sized on first use; its threads exit when the process has nothing else to do. */
async function workerPool(size: number): Promise<Tinypool> {
  if (shared && shared.size === size) return shared.pool;
  await shared?.pool.destroy();
  // compiled (dist/): the worker module itself; from src/ (tsx, vitest): an entry that registers tsx first
  const worker = new URL(import.meta.url.endsWith('.ts') ? '../simulate/trial-worker-entry.js' : '../simulate/trial-worker.js', import.meta.url).href;
  const pool = new Tinypool({ filename: worker, minThreads: 0, maxThreads: size, idleTimeout: 100 });
  shared = { pool, size };
  return pool;
}

/** Ends the worker threads (tests and commands call it when done; idle threads also exit on their own). */
export async function closeWorkers(): Promise<void> {
  await shared?.pool.destroy();
  shared = undefined;
}

/** The theory value of each measured quantity at the run's parameters, and its z-score. */
export function compare(compiled: Compiled, run: SimulationRun, tolerance: number, options: SolveOptions = {}): { solution: Solution; rows: Comparison[] } {
  const solution = solve(compiled.problem(run.params), options);
  const rows = Object.entries(run.summary).map(([quantity, s]) => {
    const theory = quantity in solution.state ? solution.state[quantity] : solution.observables[quantity];
    return comparison(quantity, theory, s, tolerance);
  });
  return { solution, rows };
}

/**
 * Deviations below this (relative to max(1, |theory|)) agree whatever the z-score: a simulation that reaches a
 * floored fixed point exactly (GAMP at perfect recovery: mse = 0 in every trial, se = 0, against a theory
 * 1 - q = 1e-12 set by the floor of V) is not a disagreement. 1e-8 is above the rounding of the theory's own
 * values there: acos(sqrt(q)) / pi at q = 1 - 2^-52 is sqrt(2^-51) / pi = 5e-9.
 */
export const RESOLUTION = 1e-8;

/** One quantity: theory against the mean +- se of the trials, its z-score and whether |z| <= tolerance. */
export function comparison(quantity: string, theory: number, s: Summary, tolerance: number): Comparison {
  const gap = s.mean - theory;
  const z = s.se > 0 ? gap / s.se : gap === 0 ? 0 : Math.sign(gap) * Infinity;
  const resolved = Math.abs(gap) <= RESOLUTION * Math.max(1, Math.abs(theory));
  return { quantity, theory, mean: s.mean, se: s.se, z, relative: gap / Math.abs(theory), pass: Math.abs(z) <= tolerance || resolved };
}
