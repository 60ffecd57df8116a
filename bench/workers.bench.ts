/**
 * Worker-thread speed-up of a simulation (`saddle simulate --workers N`, `saddle sweep --simulate ... --workers N`):
 * the same 8 seeded trials of the logistic model (d = 1000, n = 3000, lambda = 0.1) through `simulateParallel`,
 * in-process (--workers 1) and on 2 worker threads. Unlike the other benchmarks the times are WALL times
 * (performance.now): CPU time is what parallelism does not reduce. The 2-worker time is what a command sees: it
 * includes starting the threads, registering tsx and loading the model in each; the warm line reruns at once,
 * on the same threads. On a shared machine wall times depend on the load (reported as a line): the CPU time of
 * the process (all threads) gives the speed-up that 2 free cores would give, 2 CPU(1) / CPU(2), which charges
 * the workers' overhead (start-up, a JIT warm-up per thread) but not the other jobs. The trials' values must be
 * identical bit for bit (same seeds), or the line `simulate_workers_identical` is 0. Prints nothing: the bench
 * runner formats the results. Run alone: npx tsx bench/workers.bench.ts
 *
 * | name | unit | what |
 * | simulate_workers1_logistic_d1000_8trials_s | s | 8 trials in-process (mean of a run before and one after the others) |
 * | simulate_workers2_logistic_d1000_8trials_s | s | the same on 2 worker threads, thread start-up included |
 * | simulate_workers2_warm_logistic_d1000_8trials_s | s | again at once, on the threads already started |
 * | simulate_workers2_speedup, _warm_speedup | ratio | in-process wall time over the 2-worker wall time (cold, warm) |
 * | simulate_workers2_cpu_speedup | ratio | 2 CPU(in-process) / CPU(2 workers, cold): the speed-up on 2 free cores |
 * | simulate_workers2_startup_cpu_s | s | CPU of the cold run minus the warm one: starting 2 threads (tsx, model, JIT) |
 * | simulate_workers_control_speedup | ratio | 2 threads of plain arithmetic against 1, wall time: what the machine gives now |
 * | simulate_workers_loadavg | load | 1-minute load average when the runs ended (2 cores: above 2, others compete) |
 * | simulate_workers_identical | bool | 1 when the three runs give the same values bit for bit |
 */
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../src/pipeline/load.ts';
import { closeWorkers, simulateParallel, type SimulationRun } from '../src/simulate/run.ts';
import { cpuMs } from './clock.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const MODEL = resolve(dirname(fileURLToPath(import.meta.url)), '../equations/logistic.yaml');
const PARAMS = { alpha: 3, lambda: 0.1 };
const D = 1000;
const TRIALS = 8;

interface Timed { s: number; cpu: number; run: SimulationRun }

async function timed(workers: number): Promise<Timed> {
  const compiled = loadModel(MODEL);
  const [t0, c0] = [performance.now(), cpuMs()];
  const run = await simulateParallel(compiled, PARAMS, D, TRIALS, 1, workers);
  return { s: (performance.now() - t0) / 1000, cpu: cpuMs() - c0, run };
}

const valuesOf = (r: SimulationRun) => JSON.stringify(r.trials.map((t) => t.values));

/**
 * The control: what 2 threads of plain arithmetic (no memory traffic) gain over 1 on this machine right now,
 * wall time. 2 on free cores; less when other jobs hold the cores, which bounds any worker speed-up.
 */
async function controlSpeedup(): Promise<number> {
  const code = `const { parentPort } = require('node:worker_threads'); let s = 0;
    for (let i = 0; i < 2e8; i++) s += Math.sqrt(i); parentPort.postMessage(s);`;
  const run = async (n: number) => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, () => new Promise((done, fail) => new Worker(code, { eval: true }).once('message', done).once('error', fail))));
    return performance.now() - t0;
  };
  const one = await run(1);
  return (2 * one) / (await run(2));
}

export async function benchWorkers(): Promise<BenchResult[]> {
  // in-process before and after the worker runs, averaged: brackets the drift of a shared machine's load
  const before = await timed(1);
  let cold: Timed;
  let warm: Timed;
  try {
    cold = await timed(2);
    warm = await timed(2); // at once, on the threads the cold run started
  } finally {
    await closeWorkers();
  }
  const after = await timed(1);
  const control = await controlSpeedup();
  const one = { s: (before.s + after.s) / 2, cpu: (before.cpu + after.cpu) / 2 };
  const tag = `logistic_d${D}_${TRIALS}trials`;
  const runs = [before, cold, warm, after].map((r) => valuesOf(r.run));
  return [
    { name: `simulate_workers1_${tag}_s`, value: one.s, unit: 's' },
    { name: `simulate_workers2_${tag}_s`, value: cold.s, unit: 's' },
    { name: `simulate_workers2_warm_${tag}_s`, value: warm.s, unit: 's' },
    { name: 'simulate_workers2_speedup', value: one.s / cold.s, unit: 'ratio' },
    { name: 'simulate_workers2_warm_speedup', value: one.s / warm.s, unit: 'ratio' },
    { name: 'simulate_workers2_cpu_speedup', value: (2 * one.cpu) / cold.cpu, unit: 'ratio' },
    { name: 'simulate_workers2_startup_cpu_s', value: (cold.cpu - warm.cpu) / 1000, unit: 's' },
    { name: 'simulate_workers_control_speedup', value: control, unit: 'ratio' },
    { name: 'simulate_workers_loadavg', value: loadavg()[0], unit: 'load' },
    { name: 'simulate_workers_identical', value: runs.every((v) => v === runs[0]) ? 1 : 0, unit: 'bool' },
  ];
}

const isEntry = process.argv[1] !== undefined && /workers\.bench\.ts$/.test(process.argv[1]);
if (isEntry) for (const m of await benchWorkers()) process.stdout.write(`${JSON.stringify({ ...m, value: Number(m.value.toPrecision(4)) })}\n`);
