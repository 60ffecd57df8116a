/**
 * Phase-diagram tasks in a worker thread (tinypool). The pool hands each worker the model's Program (the IR,
 * structured-cloned) and the spec once, as its workerData; the worker compiles the Program itself (the same
 * generated source, so the same numbers as in-process) without loading the YAML reader and mathjs, which
 * would triple its start-up. A task's records depend only on (spec, task): the same in any worker, in any
 * order, as in-process.
 */
import type { MessagePort } from 'node:worker_threads';
import Tinypool from 'tinypool';
import { compile, type Compiled } from '../compile/compile.ts';
import type { Program } from '../ir/nodes.ts';
import type { PhaseRecord } from './compute.ts';
import type { PhaseSpec } from './spec.ts';
import { runTask, type PhaseTask } from './tasks.ts';

/**
 * One worker's share of the work: every pending task, and a counter shared by all the workers from which each
 * takes the index of its next task (Atomics.add), so that no worker waits for the main thread between tasks.
 */
export interface PhaseTaskMessage {
  readonly tasks: readonly PhaseTask[];
  readonly next: SharedArrayBuffer;
  /** Where each record goes as soon as it is computed; `null` after the last. */
  readonly port: MessagePort;
}

export interface PhaseWorkerData {
  readonly program: Program;
  readonly spec: PhaseSpec;
}

let compiled: Compiled | undefined;

export default function runPhaseTasks({ tasks, next, port }: PhaseTaskMessage): void {
  const { program, spec } = Tinypool.workerData as PhaseWorkerData;
  compiled ??= compile(program);
  const counter = new Int32Array(next);
  for (let t = Atomics.add(counter, 0, 1); t < tasks.length; t = Atomics.add(counter, 0, 1)) {
    runTask(compiled, spec, tasks[t], (r: PhaseRecord) => port.postMessage(r));
  }
  port.postMessage(null);
  port.close();
}
