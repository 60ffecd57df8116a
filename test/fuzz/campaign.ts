/**
 * What the fixed-seed test and `npm run fuzz` share: case k of a campaign with seed S is the mutant that
 * fast-check draws with seed S + k, so any case is replayed alone from (S, k); the counts; the files a finding
 * is written to.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadSeeds, mutantArb, type Mutant } from './mutate.ts';
import type { Outcome } from './oracle.ts';

let arb: fc.Arbitrary<Mutant> | undefined;
/** Case k of the campaign `seed`. */
export function mutantFor(seed: number, k: number): Mutant {
  arb ??= mutantArb(loadSeeds());
  return fc.sample(arb, { seed: (seed + k) | 0, numRuns: 1 })[0];
}

export interface WorkerJob {
  readonly seed: number;
  readonly start: number;
  readonly step: number;
  readonly runs: number;
  /** Every cliEvery-th case also goes through `saddle check FILE` (0: never). */
  readonly cliEvery: number;
  /** Where the CLI cases write their model file, and where the case running now is kept (for the parent,
   * should the case end the process or never end). */
  readonly dir: string;
  /** Where findings are written. */
  readonly findings: string;
}

export type FuzzMessage =
  | { readonly type: 'start'; readonly k: number }
  | { readonly type: 'done'; readonly k: number; readonly cli: boolean; readonly outcome: Outcome; readonly ms: number; readonly detail?: string; readonly file?: string }
  | { readonly type: 'end' };

export interface Counts {
  tried: number;
  located: number;
  solved: number;
  crash: number;
  hang: number;
  cli: number;
}

export const newCounts = (): Counts => ({ tried: 0, located: 0, solved: 0, crash: 0, hang: 0, cli: 0 });

/** A model file that records a finding: a header saying what happened and how to replay it, then the mutant. */
export function findingText(seed: number, k: number, m: Mutant, outcome: Outcome, detail: string, cli = false): string {
  const header = [
    `# fuzz finding: ${outcome}${cli ? ' (saddle check on the command line)' : ''}`,
    `# replay: SADDLE_FUZZ_SEED=${seed} SADDLE_FUZZ_CASE=${k} npm run fuzz`,
    `# seed model: ${m.seed}`,
    ...m.log.map((l) => `# op: ${l.replace(/[\r\n\u2028\u2029]/g, ' ')}`),
    ...detail.split('\n').slice(0, 20).map((l) => `# ${l}`),
    '',
  ].join('\n');
  return `${header}${m.text}`;
}

/** Where finding `k` of campaign `seed` is written. */
export const findingFile = (dir: string, seed: number, k: number, outcome: Outcome) => join(dir, `${outcome}-${seed}-${k}.yaml`);

/** Writes a finding; returns its path. */
export function writeFinding(dir: string, seed: number, k: number, m: Mutant, outcome: Outcome, detail: string, cli = false): string {
  mkdirSync(dir, { recursive: true });
  const file = findingFile(dir, seed, k, outcome);
  writeFileSync(file, findingText(seed, k, m, outcome, detail, cli));
  return file;
}
