/**
 * A phase diagram asked for (`saddle phase --x ... --y ...`, `saddle report --phase-x ... --phase-y ...`): its
 * axes, the starts solved at every cell, the transition lines, the heat map's quantity and the lines' tolerance,
 * checked against the model into a PhaseSpec before any work; its default output file; a shard.
 */
import { basename } from 'node:path';
import { UsageError } from '../../base/errors.ts';
import type { LoadOptions } from '../../model/types.ts';
import { parseLines, parsePhaseAxis, type PhaseSpec } from '../../phase/spec.ts';
import type { SolveOptions } from '../../solve/solution.ts';
import type { LoadedModel } from '../load.ts';
import { checkAxes } from './axes.ts';
import { checkInit, initList, initNames } from './inits.ts';
import type { ParamValues } from './params.ts';
import { checkQuantity, firstCarried } from './quantities.ts';
import { numberOption } from './values.ts';

export interface PhasePlan {
  readonly spec: PhaseSpec;
  /** The heat map's quantity. */
  readonly quantity: string;
}

/** The phase options as given (text), and the names of the options that carried the axes and the quantity. */
export interface PhaseOptions {
  readonly x?: string;
  readonly y?: string;
  readonly inits?: readonly string[];
  readonly lines?: string;
  readonly observable?: string;
  readonly tol?: unknown;
  readonly flags?: { readonly x: string; readonly y: string; readonly observable: string };
}

/** A part of a sharded computation: part k of n. */
export interface Shard {
  readonly k: number;
  readonly n: number;
}

/** The phase options checked against the model (`file`: its absolute path, which the spec records). */
export function phasePlan(model: LoadedModel, file: string, load: LoadOptions, fixed: ParamValues, solver: Omit<SolveOptions, 'init'>, o: PhaseOptions): PhasePlan {
  const flags = o.flags ?? { x: '--x', y: '--y', observable: '--observable' };
  if (o.x === undefined || o.y === undefined) {
    throw new UsageError(`give both axes: ${flags.x} NAME=START:STOP:COUNT ${flags.y} NAME=START:STOP:COUNT`, `e.g. ${flags.x} rho=0.01:0.2:40 ${flags.y} lambda=0.2:2:40`);
  }
  const x = parsePhaseAxis(o.x, flags.x.replace(/^--/, ''));
  const y = parsePhaseAxis(o.y, flags.y.replace(/^--/, ''));
  checkAxes(model, fixed, [x, y], `${flags.x}, ${flags.y}`);
  const inits = initList(model, o.inits) ?? [...initNames(model)];
  const lines = o.lines === undefined ? [] : parseLines(o.lines);
  for (const l of lines) {
    for (const i of [l.init ?? 'uninformed', ...(l.kind === 'first-order' ? ['informed'] : [])]) checkInit(model, i, `--lines ${l.name}`);
    if (l.kind === 'first-order' && !model.program.info.freeEnergy) throw new UsageError(`--lines ${l.name}: model "${model.program.info.name}" declares no free_energy`);
  }
  const quantity = o.observable ?? firstCarried(model);
  checkQuantity(model, quantity, flags.observable);
  const tol = numberOption(o.tol, '--tol', (t) => t > 0, 'a positive number') ?? 1e-6;
  return { spec: { file, load, x, y, fixed, inits, lines, solver, tol }, quantity };
}

/** results/phase-MODEL-X-Y[-KofN].jsonl */
export function defaultPhaseOut(spec: PhaseSpec, shard?: Shard): string {
  return `results/phase-${basename(spec.file).replace(/\.ya?ml$/, '')}-${spec.x.name}-${spec.y.name}${shard ? `-${shard.k}of${shard.n}` : ''}.jsonl`;
}

/** `--shard K/N` (undefined when absent). */
export function shardPlan(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || !(n >= 1) || !(k >= 1 && k <= n)) throw new UsageError(`--shard ${text}: expected K/N with 1 <= K <= N`, 'e.g. --shard 2/8, or in a SLURM array job --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT');
  return { k, n };
}
