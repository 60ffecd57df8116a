import type { Compiled } from '../compile/compile.ts';
import { solveCell, traceLine, type PhaseRecord } from './compute.ts';
import type { PhaseSpec } from './spec.ts';

/**
 * The units of work of a phase diagram, in a fixed order that depends only on the spec: every line segment, then
 * every cell. A task's records depend only on the spec and the task, so shards, workers and reruns compute the
 * same numbers: `--shard K/N` takes the tasks whose index is K-1 modulo N.
 */
export type PhaseTask =
  /** Cells (i, j) for j0 <= j < j1 (each independent of the others), or only the listed js of them. */
  | { readonly type: 'cells'; readonly i: number; readonly j0: number; readonly j1: number; readonly only?: readonly number[] }
  /** Points k0 <= k < k1 of line `line` (an index into spec.lines), traced warm from k0 on. */
  | { readonly type: 'line'; readonly line: number; readonly k0: number; readonly k1: number };

/** Points of a line traced in one task: the first is searched over the whole y range, the others warm. */
export const LINE_SEGMENT = 10;
/** Cells per task: a worker thread's task costs ~1 ms of messaging, about what one cell's solves cost. */
export const CELL_BLOCK = 16;

/** What the numbering of the work depends on: the axes and the lines (so a phase file's header is enough). */
export type PhaseGrid = Pick<PhaseSpec, 'x' | 'y' | 'lines'>;

export function phaseTasks(spec: PhaseGrid): PhaseTask[] {
  const tasks: PhaseTask[] = [];
  const nx = spec.x.values.length;
  spec.lines.forEach((_, line) => {
    for (let k0 = 0; k0 < nx; k0 += LINE_SEGMENT) tasks.push({ type: 'line', line, k0, k1: Math.min(nx, k0 + LINE_SEGMENT) });
  });
  const ny = spec.y.values.length;
  for (let i = 0; i < nx; i++) for (let j0 = 0; j0 < ny; j0 += CELL_BLOCK) tasks.push({ type: 'cells', i, j0, j1: Math.min(ny, j0 + CELL_BLOCK) });
  return tasks;
}

export function shardTasks(tasks: readonly PhaseTask[], shard: { k: number; n: number } | undefined): PhaseTask[] {
  return shard ? tasks.filter((_, t) => t % shard.n === shard.k - 1) : [...tasks];
}

/** The keys of every record a run computes: the whole diagram's, or one shard's. */
export function shardKeys(spec: PhaseGrid, shard: { k: number; n: number } | undefined): Set<string> {
  return new Set(shardTasks(phaseTasks(spec), shard).flatMap((t) => taskKeys(spec, t)));
}

/** The shard named `K/N` in a phase file's header (1 <= K <= N), or undefined when the text is not one. */
export function parseShardName(text: string): { k: number; n: number } | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const k = Number(m?.[1]);
  const n = Number(m?.[2]);
  return m && n >= 1 && k >= 1 && k <= n ? { k, n } : undefined;
}

export const cellKey = (i: number, j: number) => `cell ${i} ${j}`;
export const lineKey = (line: string, k: number) => `line ${line} ${k}`;

export function recordKey(r: PhaseRecord): string {
  return r.type === 'cell' ? cellKey(r.i, r.j) : lineKey(r.line, r.k);
}

export function taskKeys(spec: PhaseGrid, task: PhaseTask): string[] {
  if (task.type === 'cells') return (task.only ?? range(task.j0, task.j1)).map((j) => cellKey(task.i, j));
  const name = spec.lines[task.line].name;
  return Array.from({ length: task.k1 - task.k0 }, (_, d) => lineKey(name, task.k0 + d));
}

/**
 * What is left of a task when the file already holds the records `has` says: nothing (undefined), the cells of a
 * block the file lacks, or a whole line segment (its points are warm-started one from the next; the file keeps
 * the ones it had).
 */
export function remaining(spec: PhaseGrid, task: PhaseTask, has: (key: string) => boolean): PhaseTask | undefined {
  if (taskKeys(spec, task).every(has)) return undefined;
  if (task.type === 'line') return task;
  return { ...task, only: (task.only ?? range(task.j0, task.j1)).filter((j) => !has(cellKey(task.i, j))) };
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, d) => a + d);

/** Runs a task, handing each record to `onRecord` as soon as it is computed (cells one by one). */
export function runTask(compiled: Compiled, spec: PhaseSpec, task: PhaseTask, onRecord: (r: PhaseRecord) => void): void {
  if (task.type === 'cells') {
    for (const j of task.only ?? range(task.j0, task.j1)) onRecord(solveCell(compiled, spec, task.i, j));
    return;
  }
  for (const r of traceLine(compiled, spec, spec.lines[task.line], range(task.k0, task.k1))) onRecord(r);
}
