/**
 * One phase-diagram task in a worker thread (tinypool): loads the model once per worker and runs the task. A
 * task's records depend only on (spec, task): the same in any worker, in any order, as in-process.
 */
import type { Compiled } from '../compile/compile.ts';
import { loadModel } from '../model/load.ts';
import type { PhaseRecord } from './compute.ts';
import type { PhaseSpec } from './spec.ts';
import { runTask, type PhaseTask } from './tasks.ts';

export interface PhaseTaskMessage {
  readonly spec: PhaseSpec;
  readonly task: PhaseTask;
}

const models = new Map<string, Compiled>();

export default function runPhaseTask({ spec, task }: PhaseTaskMessage): PhaseRecord[] {
  const key = JSON.stringify([spec.file, spec.load]);
  let compiled = models.get(key);
  if (!compiled) models.set(key, (compiled = loadModel(spec.file, undefined, spec.load)));
  return runTask(compiled, spec, task);
}
