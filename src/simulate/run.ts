/**
 * The trial runner: a model's simulation at one parameter point, `trials` seeded trials at size d, in-process or on
 * worker threads (tinypool, trial-worker.ts). A trial's numbers depend only on (model, parameter values, d, master
 * seed, trial index), never on the thread that ran it or the order.
 */
import { createHash } from 'node:crypto';
import Tinypool from 'tinypool';
import { UsageError } from '../base/errors.ts';
import type { Compiled } from '../compile/compile.ts';
import type { FitOptions } from './estimators/types.ts';
import { experimentAt, runTrial, summarize, type Summary, type Trial } from './experiment.ts';
import type { Simulation } from './plan.ts';
import type { TrialTask } from './trial-worker.ts';

/** The trials of one parameter point and their summary. */
export interface SimulationRun {
  readonly params: Readonly<Record<string, number>>;
  readonly d: number;
  readonly seed: number;
  readonly trials: readonly Trial[];
  readonly summary: Readonly<Record<string, Summary>>;
}

/** A compiled model with its resolved simulation (pipeline/load.ts LoadedModel is one). */
export type Simulatable = Compiled & { readonly simulation?: Simulation };

/** The resolved simulation of a compiled model, or a usage error naming the fix. */
export function simulationOf(compiled: Simulatable): Simulation {
  const plan = compiled.simulation;
  if (!plan) {
    throw new UsageError(`model "${compiled.program.info.name}" has no \`simulation:\` section`,
      'add one (docs/model-files.md, "simulation"): teacher, channel, estimator and what to measure');
  }
  return plan;
}

/**
 * `trials` seeded trials at size d: trial t uses the stream (seed, t), so a run is reproducible bit for bit and
 * a longer run extends a shorter one. `onTrial` sees each trial as it finishes (progress).
 */
export function simulate(compiled: Simulatable, params: Readonly<Record<string, number>>, d: number, trials: number, seed: number,
  onTrial?: (t: Trial) => void, fit: FitOptions = {}): SimulationRun {
  const plan = simulationOf(compiled);
  const problem = compiled.problem(params); // validates the parameter names and ranges
  const values = Object.fromEntries(problem.paramNames.map((p, i) => [p, problem.params[i]]));
  const experiment = experimentAt(plan, problem);
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
 * in-process (its result depends only on its seed). Each task carries the model's IR and its resolved simulation
 * (a structured clone, ~1 ms), which a worker compiles once: workers never load the YAML reader or mathjs.
 */
export async function simulateParallel(compiled: Simulatable, params: Readonly<Record<string, number>>, d: number, trials: number,
  seed: number, workers: number, onTrial?: (t: Trial) => void, fit: FitOptions = {}): Promise<SimulationRun> {
  if (workers <= 1 || trials < 2) return simulate(compiled, params, d, trials, seed, onTrial, fit);
  const plan = simulationOf(compiled);
  const problem = compiled.problem(params);
  const values = Object.fromEntries(problem.paramNames.map((p, i) => [p, problem.params[i]]));
  experimentAt(plan, problem); // misuse (e.g. bad estimator arguments) is reported here, not in a worker
  const pool = await workerPool(workers);
  const out = await Promise.all(Array.from({ length: trials }, async (_, t) => {
    const task: TrialTask = { program: compiled.program, simulation: plan, key: modelKey(compiled), params: values, d, seed: { master: seed, trial: t }, fit };
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
  const worker = new URL(import.meta.url.endsWith('.ts') ? './trial-worker-entry.js' : './trial-worker.js', import.meta.url).href;
  const pool = new Tinypool({ filename: worker, minThreads: 0, maxThreads: size, idleTimeout: 100 });
  shared = { pool, size };
  return pool;
}

/** Ends the worker threads (tests and commands call it when done; idle threads also exit on their own). */
export async function closeWorkers(): Promise<void> {
  await shared?.pool.destroy();
  shared = undefined;
}
