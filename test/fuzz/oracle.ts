/**
 * What the fuzzer asserts about one model file: a located error or a documented outcome, never a crash, never
 * code execution (DESIGN.md, "A model file is untrusted data").
 *
 * - `located`: check() returned issues, each with the file's name, an integer line and column inside the text,
 *   and a message; formatted, they carry no raw control character that could forge a line of output.
 * - `solved`: check() compiled the model; the generated source holds only saddle's own names (p0, s3, v1, ...),
 *   no string, no comment but its header; `problem()` and `solve()` from every initialisation (50 iterations)
 *   return a Solution with a status; the LaTeX printer of the report works; the regions label a cell made of
 *   those solutions with one of their labels.
 * - `crash`: anything else: an exception, an issue without a place, a source with model text in it, the canary.
 * - `hang`: a case over the time budget (the worker's watchdog, test/fuzz/run.ts, catches one that never ends).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { LoadedModel } from '../../src/pipeline/load.ts';
import { UsageError } from '../../src/base/errors.ts';
import { BUILTINS } from '../../src/ir/builtins.ts';
import { measureRuntime } from '../../src/ir/measures/index.ts';
import { programLatex } from '../../src/ir/latex.ts';
import type { BranchRecord, CellRecord } from '../../src/phase/compute.ts';
import { formatIssues, type Issue } from '../../src/base/issues.ts';
import { check } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { STATUSES } from '../../src/solve/solution.ts';
import { CANARY } from './mutate.ts';

export type Outcome = 'located' | 'solved' | 'crash' | 'hang';

export interface CaseResult {
  readonly outcome: Outcome;
  /** For a crash or a hang: what went wrong (an exception's stack, the bad issue, the offending source). */
  readonly detail?: string;
  readonly ms: number;
  /** Issue codes (located) or statuses per initialisation (solved). */
  readonly codes?: readonly string[];
}

export const FUZZ_FILE = 'mutant.yaml';
/** A case slower than this is a finding (the longest seed model takes ~0.3 s on a loaded machine). */
export const SLOW_MS = Number(process.env.SADDLE_FUZZ_SLOW_MS ?? 8000);
const MAX_INITS = 4;

type Global = typeof globalThis & Record<string, unknown>;

/** Runs `body` with the canary cleared and process.exit disarmed; reports either being touched. */
function guarded<T>(body: () => T): { value?: T; error?: unknown; breach?: string } {
  const g = globalThis as Global;
  delete g[CANARY];
  const exit = process.exit;
  let exited: unknown;
  process.exit = ((code?: number) => { exited = code ?? 0; throw new Error(`process.exit(${String(code)}) called from a model`); }) as typeof process.exit;
  try {
    return { value: body() };
  } catch (error) {
    return { error };
  } finally {
    process.exit = exit;
    const pwned = g[CANARY];
    delete g[CANARY];
    // eslint-disable-next-line no-unsafe-finally
    if (pwned !== undefined || exited !== undefined) return { breach: `code execution: globalThis.${CANARY} = ${String(pwned)}, process.exit(${String(exited)})` };
  }
}

const stack = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 12).join('\n')}` : String(e));

/** Why `issues` are not all located in `text` (of file `file`), or undefined. */
export function locationProblem(issues: readonly Issue[], file: string, text: string): string | undefined {
  const lines = text.split('\n'); // as src/model/read.ts counts them (a lone \r is not a line break)
  for (const i of issues) {
    const where = `${i.code} at ${i.file}:${i.line}:${i.col}: ${i.message}`;
    if (i.file !== file) return `an issue names the file ${JSON.stringify(i.file)}: ${where}`;
    if (!Number.isInteger(i.line) || i.line < 1 || i.line > lines.length + 1) return `an issue has line ${i.line} of ${lines.length}: ${where}`;
    const len = lines[i.line - 1]?.length ?? 0;
    if (!Number.isInteger(i.col) || i.col < 1 || i.col > len + 1) return `an issue has column ${i.col} on a line of ${len} characters: ${where}`;
    if (typeof i.code !== 'string' || !i.code || typeof i.message !== 'string' || !i.message) return `an issue without a code or message: ${where}`;
  }
  // eslint-disable-next-line no-control-regex
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/.exec(formatIssues(issues));
  if (raw) return `formatted issues hold the raw character U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')}`;
  return undefined;
}

/** Identifiers the generator writes itself: keywords, its runtime's names, the built-ins' JS spellings. */
const VOCABULARY = new Set([
  'const', 'let', 'function', 'return', 'if', 'else', 'for', 'break', 'continue', 'new', 'true', 'false', 'NaN', 'Infinity',
  'use', 'strict', 'saddle', 'generated', 'kernels', 'P', 'S', 'T', 'x', 'out', 'update', 'observables', 'functions', 'Math',
  'nodes', 'weights', 'Float64Array', 'gz', 'dgz', 'fz', 'nx', 'C', 'length', 'IF', 'IFz', 'innerFailure', 'undefined', 'site', 'z', 'f',
  ...Object.keys(measureRuntime()), // the measures' run-time helpers (S_truncRule, S_mpRule, ...)
  ...Object.getOwnPropertyNames(Math),
  ...Object.keys(BUILTINS).flatMap((n) => BUILTINS[n].js(['x', 'x']).match(/[A-Za-z_$][\w$]*/g) ?? []),
  ...Object.keys(BUILTINS).map((n) => `S_${n}`),
]);
/** Slots: p<k> parameter, s<k> order parameter, v<k> bound variable, f<k> function, and temporaries. */
const SLOT = /^(?:(?:p|s|t|v|f|e|i|c|a|b|ga|neg|z|r|k|st|so|R|nx|badr|ph|zp|gp|zs|gs|fmin|fb|n)\d+|GH\d+[xw]?)$/;

/** Why the generated `source` may hold text of the model file, or undefined. */
export function sourceProblem(source: string): string | undefined {
  const header = '// saddle: generated kernels\n"use strict";\n';
  if (!source.startsWith(header)) return 'the generated source does not start with its header';
  const body = source.slice(header.length);
  if (body.includes(CANARY)) return `the generated source holds ${CANARY}`;
  // eslint-disable-next-line no-control-regex
  const odd = /[^\x20-\x7e\n]|\/\/|\/\*|["'`\\]/.exec(body);
  if (odd) return `the generated source holds ${JSON.stringify(odd[0])} near ${JSON.stringify(body.slice(Math.max(0, odd.index - 40), odd.index + 40))}`;
  const words = body.replace(/(?<![\w$])\d+(?:\.\d*)?(?:e[+-]?\d+)?/gi, ' ').match(/[A-Za-z_$][\w$]*/g) ?? [];
  const foreign = words.find((w) => !SLOT.test(w) && !VOCABULARY.has(w));
  return foreign === undefined ? undefined : `the generated source holds the identifier \`${foreign}\``;
}

/** Solves from every initialisation (at most MAX_INITS) and prints the LaTeX; why that failed, or the statuses. */
function exercise(compiled: LoadedModel): { problem?: string; statuses: string[] } {
  const statuses: string[] = [];
  const problem = compiled.problem();
  const branches: BranchRecord[] = [];
  for (const init of Object.keys(problem.inits).slice(0, MAX_INITS)) {
    const s = solve(problem, { init, maxIterations: 50 });
    if (!STATUSES.includes(s.status)) return { problem: `solve from ${init} returned the status ${String(s.status)}`, statuses };
    if (!Number.isInteger(s.iterations) || s.iterations < 0 || s.iterations > 50) return { problem: `solve from ${init} reports ${s.iterations} iterations`, statuses };
    statuses.push(s.status);
    branches.push({ init, status: s.status, iterations: s.iterations, residual: s.residual, state: s.state, observables: s.observables });
  }
  programLatex(compiled.program);
  // the labels of a phase diagram's cell, from these branches
  const { regions } = compiled;
  if (regions) {
    const converged = branches.find((b) => b.status === 'converged');
    const cell: CellRecord = { type: 'cell', i: 0, j: 0, x: 0, y: 0, branches, selected: converged?.init ?? null };
    const label = regions.label(cell, Object.fromEntries(problem.paramNames.map((p, i) => [p, problem.params[i]])));
    if (label !== null && !regions.labels.includes(label)) return { problem: `a cell labelled ${JSON.stringify(label)}`, statuses };
  }
  return { statuses };
}

/** check() and, for a model that compiles, solve() from each start: the outcome of one model file. */
export function runCase(text: string, file = FUZZ_FILE, slowMs = SLOW_MS): CaseResult {
  const t0 = performance.now();
  const r = guarded(() => {
    const { compiled, issues } = check(file, text);
    if (!compiled) {
      if (issues.length === 0) return { crash: 'check() returned neither a model nor an issue' };
      const bad = locationProblem(issues, file, text);
      return bad ? { crash: bad } : { located: issues.map((i) => i.code) };
    }
    if (issues.length > 0) return { crash: `a compiled model with issues: ${issues.map((i) => i.code).join(', ')}` };
    const bad = sourceProblem(compiled.source);
    if (bad) return { crash: bad };
    const x = exercise(compiled);
    return x.problem ? { crash: x.problem } : { solved: x.statuses };
  });
  const ms = performance.now() - t0;
  if (r.breach) return { outcome: 'crash', detail: r.breach, ms };
  if (r.error !== undefined) {
    const usage = r.error instanceof UsageError ? 'UsageError from a model file that compiled (a model mistake must be a located issue): ' : '';
    return { outcome: 'crash', detail: usage + stack(r.error), ms };
  }
  const v = r.value!;
  if ('crash' in v) return { outcome: 'crash', detail: v.crash, ms };
  if (ms > slowMs) return { outcome: 'hang', detail: `took ${(ms / 1000).toFixed(1)} s (budget ${slowMs / 1000} s)`, ms };
  return 'located' in v ? { outcome: 'located', codes: v.located, ms } : { outcome: 'solved', codes: v.solved, ms };
}

/** `saddle check FILE --max-iterations 50` in this process: exit 0 or 2 with located errors, never 70. */
export async function runCliCase(text: string, dir: string, slowMs = SLOW_MS): Promise<CaseResult> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, FUZZ_FILE);
  writeFileSync(file, text);
  const out: string[] = [];
  const err: string[] = [];
  const g = globalThis as Global;
  delete g[CANARY];
  const t0 = performance.now();
  let code: number;
  try {
    code = await main(['check', file, '--max-iterations', '50'], (s) => out.push(s), (s) => err.push(s));
  } catch (e) {
    return { outcome: 'crash', detail: `main() threw: ${stack(e)}`, ms: performance.now() - t0 };
  }
  const ms = performance.now() - t0;
  const e = err.join('\n');
  const fail = (detail: string): CaseResult => ({ outcome: 'crash', detail: `saddle check (exit ${code}): ${detail}\n${e.slice(0, 2000)}`, ms });
  if (g[CANARY] !== undefined) { delete g[CANARY]; return fail(`code execution: globalThis.${CANARY} is set`); }
  if (code !== 0 && code !== 2) return fail('exit code other than 0 or 2');
  if (/internal error/.test(e) || /^\s+at .+:\d+:\d+\)?$/m.test(e)) return fail('an internal error or a stack trace');
  if (code === 2) {
    const located = e.split('\n').filter((l) => l.startsWith(`${file}:`));
    if (located.length === 0 && !/^saddle check: /.test(e)) return fail('exit 2 without a located error or a message');
    const lines = text.split('\n'); // as src/model/read.ts counts them (a lone \r is not a line break)
    for (const l of located) {
      const m = /^(\d+):(\d+): (?:error|warning)\[[a-z-]+\]/.exec(l.slice(file.length + 1));
      if (!m || Number(m[1]) < 1 || Number(m[1]) > lines.length + 1 || Number(m[2]) < 1) return fail(`a badly located line: ${l.slice(0, 200)}`);
    }
  }
  if (ms > slowMs) return { outcome: 'hang', detail: `saddle check took ${(ms / 1000).toFixed(1)} s`, ms };
  return { outcome: code === 0 ? 'solved' : 'located', ms };
}
