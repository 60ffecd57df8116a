/**
 * `npm run bench`: one JSON line {"name", "value", "unit"} per measurement on stdout; progress on stderr.
 * What each line means, and the numbers on the reference machine: bench/README.md.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Compiled, Problem } from '../src/compile/compile.ts';
import type { Kernels } from '../src/ir/kernels.ts';
import { loadModel } from '../src/pipeline/load.ts';
import { solve } from '../src/solve/iterate.ts';
import type { SolveOptions } from '../src/solve/solution.ts';
import { grid } from '../src/sweep/axis.ts';
import { sweep } from '../src/sweep/continuation.ts';
import { makeUpdate } from './handwritten/perceptron-bayes.ts';
import { makeLogisticUpdate } from './handwritten/logistic.ts';
import { findThreshold, type ThresholdSpec } from '../src/transitions/threshold.ts';
import { benchNumerics } from './numerics.bench.ts';
import { benchSimulate } from './simulate.bench.ts';
import { benchGamp } from './gamp.bench.ts';
import { benchWorkers } from './workers.bench.ts';
import { benchPhase } from './phase.bench.ts';
import { benchStartup } from './startup.bench.ts';
import { benchRfCurve } from './rf-curve.bench.ts';
import { cpuMs, median } from './clock.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const EQUATIONS = resolve(HERE, '../equations');
const T_START = performance.now();

/** `npm run bench -- startup sweeps`: only the sections whose names contain one of the words; all without. */
const SECTIONS = ['compile', 'handwritten', 'logistic-handwritten', 'anderson', 'sweeps', 'thresholds', 'numerics',
  'simulate', 'gamp', 'workers', 'phase', 'startup', 'rf-curve'] as const;
const ONLY = process.argv.slice(2);
const want = (section: (typeof SECTIONS)[number]): boolean => ONLY.length === 0 || ONLY.some((w) => section.includes(w));

// ---------------------------------------------------------------------------------------------- output

function emit(name: string, value: number, unit: string): void {
  process.stdout.write(`${JSON.stringify({ name, value, unit })}\n`);
}
function log(msg: string): void {
  process.stderr.write(`[bench ${((performance.now() - T_START) / 1000).toFixed(1)}s] ${msg}\n`);
}
const round = (v: number, digits = 4): number => (Number.isFinite(v) && v !== 0 ? Number(v.toPrecision(digits)) : v);


/**
 * Interleaved timing of several variants: warm each up, give each its own repeat count so one repetition takes
 * ~targetMs (equal exposure to preemption on a loaded machine), then run `reps` rounds, each timing every
 * variant once, alternating the order (A B, B A, ...) so drift and GC pauses fall on both. Returns each
 * variant's median CPU time per call in ms (see cpuMs).
 */
function interleaved(variants: readonly (() => unknown)[], opts: { reps?: number; targetMs?: number; warmupMs?: number } = {}) {
  const { reps = 15, targetMs = 50, warmupMs = 150 } = opts;
  let sink = 0;
  const consume = (v: unknown) => { if (typeof v === 'number') sink += v; };
  // Warm-up: run every variant for ~warmupMs so it reaches optimised code.
  for (const f of variants) {
    const t0 = performance.now();
    while (performance.now() - t0 < warmupMs) consume(f());
  }
  // Calibrate each variant: calls per repetition so that one repetition takes ~targetMs.
  const calls = variants.map((f) => {
    let n = 1;
    for (;;) {
      const t0 = cpuMs();
      for (let i = 0; i < n; i++) consume(f());
      const dt = cpuMs() - t0;
      if (dt >= targetMs / 4) return Math.max(1, Math.round((n * targetMs) / dt));
      n *= 4;
    }
  });
  const times = variants.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) {
    const order = variants.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const v of order) {
      const f = variants[v];
      const n = calls[v];
      const t0 = cpuMs();
      for (let i = 0; i < n; i++) consume(f());
      times[v].push((cpuMs() - t0) / n);
    }
  }
  if (sink === 42.4242) log('(unlikely sink value)'); // keeps the results observable
  return { perCall: times.map(median), calls, spread: times.map((t) => (Math.max(...t) - Math.min(...t)) / median(t)) };
}

// ------------------------------------------------------------------------------- 4. compile each model

function modelFiles(): string[] {
  return readdirSync(EQUATIONS).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(EQUATIONS, f));
}
const modelName = (file: string) => basename(file, '.yaml');

/** Loads every model; with `measure`, also times the compilation (the compile_* lines). */
function benchCompile(files: readonly string[], measure = true): Map<string, Compiled> {
  const compiled = new Map<string, Compiled>();
  for (const file of files) {
    const name = modelName(file);
    const t0 = cpuMs();
    let first: Compiled;
    try {
      first = loadModel(file);
      first.problem();
    } catch (e) {
      log(`compile ${name}: FAILED, model skipped: ${(e as Error).message}`);
      continue;
    }
    const cold = cpuMs() - t0; // includes JIT warm-up of the reader, builder and generator (first model most)
    compiled.set(name, first);
    if (!measure) continue;
    for (let i = 0; i < 5; i++) loadModel(file).problem();
    const times: number[] = [];
    for (let i = 0; i < 21; i++) {
      const t = cpuMs();
      loadModel(file).problem();
      times.push(cpuMs() - t);
    }
    log(`compile ${name}: first ${cold.toFixed(2)} ms, warm median ${median(times).toFixed(3)} ms`);
    emit(`compile_${name}`, round(median(times)), 'ms');
  }
  return compiled;
}

// ------------------------------------------------------------- 1. generated vs hand-written update map

type Update = Kernels['update'];
const ALPHAS = [0.5, 2, 10];
const STEPS = 50; // update evaluations per alpha per pass, from the uninformed start
const Q0 = 0.001; // the model's uninformed start for q

// Two textually separate drivers, so each call site `u(x, out)` only ever sees one implementation (a shared
// driver would turn polymorphic and penalise whichever variant lost the inlining).
function driveCompiled(updates: readonly Update[], x: Float64Array, out: Float64Array): number {
  let acc = 0;
  for (let a = 0; a < updates.length; a++) {
    const u = updates[a];
    x[0] = 0;
    x[1] = Q0;
    for (let k = 0; k < STEPS; k++) {
      u(x, out);
      x[0] = out[0];
      x[1] = out[1];
    }
    acc += x[1];
  }
  return acc;
}
function driveHandwritten(updates: readonly Update[], x: Float64Array, out: Float64Array): number {
  let acc = 0;
  for (let a = 0; a < updates.length; a++) {
    const u = updates[a];
    x[0] = 0;
    x[1] = Q0;
    for (let k = 0; k < STEPS; k++) {
      u(x, out);
      x[0] = out[0];
      x[1] = out[1];
    }
    acc += x[1];
  }
  return acc;
}

function benchHandwritten(model: Compiled): void {
  const problem = (alpha: number) => model.problem({ alpha });

  // Agreement first: the same solver loop, only the update kernel swapped; tight tolerance.
  let maxDiff = 0;
  const tight: SolveOptions = { rtol: 1e-14, atol: 1e-15, maxIterations: 20_000 };
  for (const alpha of [0.5, 1, 2, 5, 10, 20]) {
    const p = problem(alpha);
    const hand: Problem = { ...p, kernels: { update: makeUpdate(alpha), observables: p.kernels.observables } };
    const a = solve(p, tight);
    const b = solve(hand, tight);
    if (a.status !== 'converged' || b.status !== 'converged') {
      log(`agreement at alpha=${alpha}: compiled ${a.status}, handwritten ${b.status} (${a.message ?? b.message ?? ''})`);
    }
    for (const k of p.stateNames) maxDiff = Math.max(maxDiff, Math.abs(a.state[k] - b.state[k]));
  }

  // Identical inputs for both: the same iteration x <- F(x) from the same start at the same alphas.
  const compiled = ALPHAS.map((alpha) => problem(alpha).kernels.update);
  const hand = ALPHAS.map((alpha) => makeUpdate(alpha));
  const xa = new Float64Array(2), oa = new Float64Array(2), xb = new Float64Array(2), ob = new Float64Array(2);
  const ra = driveCompiled(compiled, xa, oa);
  const rb = driveHandwritten(hand, xb, ob);
  if (Math.abs(ra - rb) > 1e-9) log(`WARNING: the two drivers end at different states (${ra} vs ${rb})`);

  const { perCall, calls, spread } = interleaved([
    () => driveCompiled(compiled, xa, oa),
    () => driveHandwritten(hand, xb, ob),
  ], { reps: 15, targetMs: 50 });
  const evals = ALPHAS.length * STEPS;
  const [tc, th] = perCall.map((ms) => (ms * 1e6) / evals);
  log(`update map: ${calls.join('/')} passes of ${evals} evaluations per repetition; spread (max-min)/median ` +
    `compiled ${(spread[0] * 100).toFixed(1)}%, handwritten ${(spread[1] * 100).toFixed(1)}%`);
  if (tc / th > 1.2) log(`WARNING: generated update is ${(tc / th).toFixed(2)}x the hand-written one (target <= 1.2)`);
  if (!(maxDiff <= 1e-12)) log(`WARNING: generated and hand-written fixed points differ by ${maxDiff} (target <= 1e-12)`);
  emit('compiled_vs_handwritten', round(tc / th), 'ratio');
  emit('compiled_update_ns', round(tc), 'ns');
  emit('handwritten_update_ns', round(th), 'ns');
  emit('handwritten_agreement', maxDiff, 'abs');
}

// ------------------------------------------- 1b. generated vs hand-written: logistic ERM (prox at every node)

function benchLogisticHandwritten(model: Compiled): void {
  const lambda = 1e-3;
  let maxDiff = 0;
  for (const alpha of [0.5, 3, 10]) {
    const p = model.problem({ alpha, lambda });
    const hand: Problem = { ...p, kernels: { update: makeLogisticUpdate(alpha, lambda), observables: p.kernels.observables } };
    const a = solve(p, { rtol: 1e-13 });
    const b = solve(hand, { rtol: 1e-13 });
    for (const k of p.stateNames) maxDiff = Math.max(maxDiff, Math.abs(a.state[k] - b.state[k]) / Math.max(1, Math.abs(a.state[k])));
  }
  // One update at the fixed point of alpha = 3 (V ~ 120: the prox takes its most Newton steps there).
  const p = model.problem({ alpha: 3, lambda });
  const x = Float64Array.from(p.stateNames, (k) => solve(p).state[k]);
  const compiled = p.kernels.update;
  const hand = makeLogisticUpdate(3, lambda);
  const oa = new Float64Array(x.length);
  const ob = new Float64Array(x.length);
  const { perCall } = interleaved([() => { compiled(x, oa); return oa[5]; }, () => { hand(x, ob); return ob[5]; }], { reps: 15, targetMs: 50 });
  const [tc, th] = perCall.map((ms) => ms * 1e3);
  log(`logistic update (40 x 48 nodes, one prox each): compiled ${tc.toFixed(0)} us, hand-written ${th.toFixed(0)} us; fixed points agree to ${maxDiff.toExponential(1)}`);
  emit('logistic_compiled_vs_handwritten', round(tc / th), 'ratio');
  emit('logistic_compiled_update_us', round(tc), 'us');
  emit('logistic_handwritten_agreement', maxDiff, 'rel');
}

// ----------------------------------------------------------------------- 2. Anderson vs damped iteration

const ANDERSON_DEPTH = 4;

function benchAnderson(models: ReadonlyMap<string, Compiled>): void {
  const cases: { label: string; model: string; params: Record<string, number> }[] = [
    { label: 'perceptron-bayes_alpha1', model: 'perceptron-bayes', params: { alpha: 1 } },
    { label: 'perceptron-bayes_alpha10', model: 'perceptron-bayes', params: { alpha: 10 } },
    { label: 'ridge_alpha1_lambda1e-3', model: 'ridge', params: { alpha: 1, lambda: 1e-3 } },
  ];
  for (const c of cases) {
    const compiled = models.get(c.model);
    if (!compiled) { log(`anderson: no model ${c.model}, skipped`); continue; }
    const problem = compiled.problem(c.params);
    const damped = solve(problem);
    const anderson = solve(problem, { anderson: ANDERSON_DEPTH });
    for (const [what, s] of [['damped', damped], ['anderson', anderson]] as const) {
      if (s.status !== 'converged') log(`WARNING ${c.label} ${what}: ${s.status}: ${s.message ?? ''}`);
    }
    const { perCall } = interleaved([
      () => solve(problem).iterations,
      () => solve(problem, { anderson: ANDERSON_DEPTH }).iterations,
    ], { reps: 21, targetMs: 20, warmupMs: 100 });
    log(`${c.label}: damped ${damped.status} in ${damped.iterations} its, ${(perCall[0] * 1e3).toFixed(1)} us; ` +
      `anderson(${ANDERSON_DEPTH}) ${anderson.status} in ${anderson.iterations} its, ${(perCall[1] * 1e3).toFixed(1)} us`);
    emit(`damped_iterations_${c.label}`, damped.iterations, 'iterations');
    emit(`anderson_iterations_${c.label}`, anderson.iterations, 'iterations');
    emit(`anderson_vs_damped_iterations_${c.label}`, round(anderson.iterations / damped.iterations), 'ratio');
    emit(`anderson_vs_damped_time_${c.label}`, round(perCall[1] / perCall[0]), 'ratio');
  }
}

// ------------------------------------------------------------------------------ 3. 100-point sweeps

/** The swept parameter and its range: fixed choices for the shipped models, a generic rule for new ones. */
function sweepPlan(name: string, compiled: Compiled): { fixed: Record<string, number>; axis: string; from: number; to: number; inits?: string[] } | undefined {
  if (name === 'ridge') return { fixed: { lambda: 1e-3 }, axis: 'alpha', from: 0.1, to: 4 };
  if (name === 'perceptron-bayes') return { fixed: {}, axis: 'alpha', from: 0.1, to: 20 };
  if (name === 'logistic' || name === 'hinge') return { fixed: { lambda: 1e-3 }, axis: 'alpha', from: 0.1, to: 10 };
  if (name === 'perceptron-binary-bayes') return { fixed: {}, axis: 'alpha', from: 0.5, to: 2.5, inits: ['uninformed', 'informed'] };
  const p = compiled.program.params[0];
  if (!p) return undefined;
  let [from, to] = p.default > 0 ? [p.default / 2, p.default * 2] : p.default < 0 ? [p.default * 2, p.default / 2] : [0.1, 2];
  const clamp = (v: number) => Math.min(p.max ?? Infinity, Math.max(p.min ?? -Infinity, v));
  [from, to] = [clamp(from), clamp(to)];
  return { fixed: {}, axis: p.name, from, to };
}

function benchSweeps(models: ReadonlyMap<string, Compiled>): void {
  for (const [name, compiled] of models) {
    const plan = sweepPlan(name, compiled);
    if (!plan) { log(`sweep ${name}: no parameter to sweep, skipped`); continue; }
    const axis = { name: plan.axis, values: grid(plan.from, plan.to, 100) };
    const run = () => sweep(compiled, plan.fixed, axis, plan.inits ? { inits: plan.inits } : {});
    let first: ReturnType<typeof run>;
    try {
      first = run(); // also the warm-up
    } catch (e) {
      log(`sweep ${name}: FAILED: ${(e as Error).message}`);
      continue;
    }
    const times: number[] = [];
    const budget = performance.now() + 4000; // at most ~4 s per model, however slow a new model is
    for (let i = 0; i < 9 && performance.now() < budget; i++) {
      const t0 = cpuMs();
      run();
      times.push(cpuMs() - t0);
    }
    const converged = first.filter((r) => r.solution.status === 'converged').length / (plan.inits?.length ?? 1);
    const its = first.reduce((s, r) => s + r.solution.iterations, 0);
    log(`sweep ${name} ${plan.axis}=${plan.from}..${plan.to} ${JSON.stringify(plan.fixed)}: ` +
      `median of ${times.length} ${median(times).toFixed(1)} ms, ${converged}/100 converged, ${its} iterations`);
    emit(`sweep_100_${name}`, round(median(times)), 'ms');
    emit(`sweep_100_${name}_converged`, converged, 'points');
  }
}

// ------------------------------------------------------------------------------------ 4. thresholds

function benchThresholds(models: ReadonlyMap<string, Compiled>): void {
  const cases: { model: string; spec: ThresholdSpec }[] = [
    { model: 'phase-retrieval-bayes', spec: { kind: 'weak-recovery', param: 'alpha', lo: 0.2, hi: 0.9, fixed: {} } },
    { model: 'perceptron-binary-bayes', spec: { kind: 'spinodal', param: 'alpha', lo: 1, hi: 2, fixed: {} } },
    { model: 'perceptron-binary-bayes', spec: { kind: 'first-order', param: 'alpha', lo: 1, hi: 2, fixed: {} } },
    { model: 'logistic', spec: { kind: 'level', param: 'alpha', lo: 0.5, hi: 10, fixed: { lambda: 1e-3 }, observable: 'gen_error', level: 0.1 } },
  ];
  for (const c of cases) {
    const compiled = models.get(c.model);
    if (!compiled) { log(`threshold: no model ${c.model}, skipped`); continue; }
    const t0 = cpuMs();
    const t = findThreshold(compiled, c.spec);
    const ms = cpuMs() - t0;
    log(`threshold ${c.spec.kind} ${c.model}: ${t.found ? `${c.spec.param} = ${t.threshold.toPrecision(7)}` : t.message} in ${ms.toFixed(0)} ms, ${t.evaluations} evaluations`);
    emit(`threshold_${c.spec.kind}_${c.model}`, round(ms), 'ms');
  }
}

// ------------------------------------------------------------------------------ 5. numerics (other helper)

async function benchNumericsLines(): Promise<void> {
  for (const m of await benchNumerics()) emit(m.name, round(m.value), m.unit);
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const unknown = ONLY.filter((w) => !SECTIONS.some((s) => s.includes(w)));
  if (unknown.length) log(`WARNING: no section matches ${unknown.join(', ')}; the sections: ${SECTIONS.join(', ')}`);
  const files = modelFiles();
  const needModels = (['compile', 'handwritten', 'logistic-handwritten', 'anderson', 'sweeps', 'thresholds'] as const).some(want);
  if (needModels) log(`models: ${files.map(modelName).join(', ')}`);
  const models = needModels ? benchCompile(files, want('compile')) : new Map<string, Compiled>();
  const pb = models.get('perceptron-bayes');
  if (want('handwritten')) {
    if (pb) benchHandwritten(pb);
    else log('perceptron-bayes not found: compiled_vs_handwritten skipped');
  }
  const logistic = models.get('logistic');
  if (logistic && want('logistic-handwritten')) benchLogisticHandwritten(logistic);
  if (want('anderson')) benchAnderson(models);
  if (want('sweeps')) benchSweeps(models);
  if (want('thresholds')) benchThresholds(models);
  if (want('numerics')) {
    log('numerics (bench/numerics.bench.ts)');
    await benchNumericsLines();
  }
  if (want('simulate')) {
    log('simulation estimators (bench/simulate.bench.ts)');
    for (const m of await benchSimulate()) emit(m.name, round(m.value), m.unit);
  }
  if (want('gamp')) {
    log('GAMP (bench/gamp.bench.ts)');
    for (const m of await benchGamp()) emit(m.name, round(m.value), m.unit);
  }
  if (want('workers')) {
    log('worker threads (bench/workers.bench.ts): 8 logistic trials in-process and on 2 threads, wall time');
    for (const m of await benchWorkers()) emit(m.name, round(m.value), m.unit);
  }
  if (want('phase')) {
    log('phase diagrams (bench/phase.bench.ts): 100 x 100 perceptron-binary-bayes in-process and on 2 threads');
    for (const m of await benchPhase(log)) emit(m.name, round(m.value), m.unit);
  }
  if (want('startup')) {
    log('whole commands (bench/startup.bench.ts): start-up against node -e 0, the logistic curve against numpy, wall time');
    for (const m of await benchStartup(log)) emit(m.name, round(m.value), m.unit);
  }
  if (want('rf-curve')) {
    log('random-features curve (bench/rf-curve.bench.ts): 100-point rf-ridge sweep against the numpy Marchenko-Pastur closed form');
    for (const m of await benchRfCurve(log)) emit(m.name, round(m.value), m.unit);
  }
  log(`done in ${((performance.now() - T_START) / 1000).toFixed(1)} s`);
}

await main();
