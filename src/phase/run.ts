import { MessageChannel } from 'node:worker_threads';
import Tinypool from 'tinypool';
import type { Compiled } from '../compile/compile.ts';
import type { PhaseRecord } from './compute.ts';
import type { PhaseSpec } from './spec.ts';
import { PhaseStore, type PhaseHeader } from './store.ts';
import { phaseTasks, remaining, runTask, shardTasks, taskKeys, type PhaseTask } from './tasks.ts';
import type { PhaseWarning } from './validate.ts';
import type { PhaseTaskMessage, PhaseWorkerData } from './worker.ts';

export interface PhaseRunOptions {
  /** The JSON-lines file written as records finish, and resumed from. */
  readonly out: string;
  /** Worker threads (1: in this thread). */
  readonly workers: number;
  readonly shard?: { readonly k: number; readonly n: number };
  /** Called after each record with the number of records written so far by this run and the number to write. */
  readonly onProgress?: (done: number, total: number, records: readonly PhaseRecord[]) => void;
  /** Called, before any work, for each line of the file dropped when it was opened (a corrupt record, a duplicate). */
  readonly onWarning?: (warning: PhaseWarning) => void;
}

export interface PhaseRunResult {
  readonly header: PhaseHeader;
  readonly records: readonly PhaseRecord[];
  /** Records computed by this run, and found in the file from an earlier run. */
  readonly computed: number;
  readonly reused: number;
  /** Whether the file now holds the whole diagram (false for one shard of several). */
  readonly complete: boolean;
  /** The lines of the file dropped when it was opened, and why (each also passed to `onWarning`). */
  readonly warnings: readonly PhaseWarning[];
}

export function phaseHeader(compiled: Compiled, spec: PhaseSpec, shard?: { k: number; n: number }): PhaseHeader {
  const { file, ...rest } = spec;
  return {
    format: 'saddle-phase', version: 1, model: compiled.program.info.name,
    model_sha256: compiled.program.info.sha256,
    // the data files the model reads: another spectrum is another computation (absent when none, as before)
    ...(compiled.program.info.data?.length && { data_sha256: compiled.program.info.data }),
    spec: rest, ...(shard && shard.n > 1 && { shard: `${shard.k}/${shard.n}` }),
  };
}

/**
 * Computes the cells and line points of a phase diagram that `options.out` does not hold yet (all of them, or
 * one shard's), on worker threads, appending each record as it finishes; then rewrites the file in canonical
 * order. Rerunning the same command after an interruption computes only what is missing.
 */
export async function runPhase(compiled: Compiled, spec: PhaseSpec, options: PhaseRunOptions): Promise<PhaseRunResult> {
  const header = phaseHeader(compiled, spec, options.shard);
  const store = PhaseStore.open(options.out, header);
  for (const w of store.warnings) options.onWarning?.(w);
  const all = phaseTasks(spec);
  const mine = shardTasks(all, options.shard);
  const reused = store.size;
  const pending = mine.flatMap((t) => remaining(spec, t, (k) => store.has(k)) ?? []);
  const total = pending.reduce((s, t) => s + taskKeys(spec, t).filter((k) => !store.has(k)).length, 0);
  let done = 0;
  const finished = (record: PhaseRecord) => {
    const before = store.size;
    store.add([record]);
    done += store.size - before;
    options.onProgress?.(done, total, [record]);
  };
  try {
    if (options.workers <= 1 || pending.length < 2) {
      for (const task of pending) runTask(compiled, spec, task, finished);
    } else {
      await runOnWorkers(compiled, spec, pending, options.workers, finished);
    }
  } finally {
    store.finish();
  }
  const complete = all.every((t) => taskKeys(spec, t).every((k) => store.has(k)));
  return { header, records: store.records(), computed: done, reused, complete, warnings: store.warnings };
}

/**
 * The tasks on worker threads: each worker takes the next task from a shared counter until none is left, and
 * posts every record on its MessagePort as soon as it is computed, then `null`: a record is on disk moments after
 * it exists, and no worker waits for the main thread between tasks.
 */
async function runOnWorkers(compiled: Compiled, spec: PhaseSpec, tasks: readonly PhaseTask[], workers: number,
  finished: (r: PhaseRecord) => void): Promise<void> {
  // compiled (dist/): the worker module itself; from src/ (tsx, vitest): an entry that registers tsx first
  const filename = new URL(import.meta.url.endsWith('.ts') ? './worker-entry.js' : './worker.js', import.meta.url).href;
  const workerData: PhaseWorkerData = { program: compiled.program, spec };
  const threads = Math.min(workers, tasks.length);
  const pool = new Tinypool({ filename, minThreads: threads, maxThreads: threads, idleTimeout: 100, workerData });
  const next = new SharedArrayBuffer(4);
  try {
    await Promise.all(Array.from({ length: threads }, async () => {
      const { port1, port2 } = new MessageChannel();
      const drained = new Promise<void>((resolve) => port1.on('message', (r: PhaseRecord | null) => {
        if (r === null) { port1.close(); resolve(); } else finished(r);
      }));
      const message: PhaseTaskMessage = { tasks, next, port: port2 };
      await pool.run(message, { transferList: [port2] });
      await drained;
    }));
  } finally {
    await pool.destroy();
  }
}
