/**
 * The 100-point random-features double-descent curve (issue 14, item 5): rf-ridge (erf features, alpha = 2,
 * lambda = 1e-3, Delta = 0.1) over kappa = p/d from 0.1 to 10, as one saddle command against the careful vectorised
 * numpy implementation of the Marchenko-Pastur closed form of the same curve (bench/numpy/rf_ridge_curve.py), side
 * by side: whole processes, interleaved, median wall time (and CPU time from /usr/bin/time), as startup.bench.ts
 * measures the logistic curve; then, in this process, the compute alone: one rf-ridge solve at the interpolation
 * peak and off it, and the 100-point sweep without start-up and compilation.
 * The saddle command runs the compiled dist/ (skipped with a WARNING when dist/ is stale: `npm run build` first).
 * Run alone: npm run bench -- rf-curve   (or npx tsx bench/rf-curve.bench.ts)
 *
 * | name | unit | what |
 * | rf_curve_100_saddle_s | s | `node bin/saddle.js sweep rf-ridge --param kappa=0.1:10:100 --set alpha=2 --out F.csv` |
 * | rf_curve_100_numpy_s | s | `python3 bench/numpy/rf_ridge_curve.py` (the same 100 points, closed form) |
 * | rf_curve_100_numpy_over_saddle | ratio | numpy wall / saddle wall (> 1: saddle faster) |
 * | rf_curve_100_numpy_over_saddle_cpu | ratio | the same with each process's CPU time |
 * | rf_curve_100_agreement | rel | largest relative difference of test_error between the two curves |
 * | rf_ridge_solve_us, rf_ridge_solve_peak_us | us | one solve of rf-ridge (observables included) at kappa = 1 and at kappa = alpha = 2, warm, median CPU |
 * | rf_curve_100_inprocess_ms | ms | the 100-point sweep (`sweep`, continuation) in this process, model compiled, median CPU |
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../src/pipeline/load.ts';
import { solve } from '../src/solve/iterate.ts';
import { parseAxis } from '../src/sweep/axis.ts';
import { sweep } from '../src/sweep/continuation.ts';
import { cpuMs, median } from './clock.ts';
import { distStale, findPython, interleaved, type BenchResult, type Command, type Run } from './startup.bench.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin/saddle.js');
const NUMPY_SCRIPT = join(ROOT, 'bench/numpy/rf_ridge_curve.py');
const TIME = '/usr/bin/time';
const RUNS = 5;
const AXIS = 'kappa=0.1:10:100';
const FIXED = { alpha: 2, lambda: 1e-3, Delta: 0.1 };
const SWEEP_ARGS = ['sweep', 'rf-ridge', '--param', AXIS, '--set', `alpha=${FIXED.alpha},lambda=${FIXED.lambda},Delta=${FIXED.Delta}`];

/** kappa -> test_error from a CSV with a header (lines starting with # are comments); converged rows only when the
 * CSV has a status column. */
function testErrors(csv: string): Map<number, number> {
  const lines = csv.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const head = lines[0].split(',');
  const [k, t, s] = ['kappa', 'test_error', 'status'].map((c) => head.indexOf(c));
  const out = new Map<number, number>();
  for (const l of lines.slice(1)) {
    const cells = l.split(',');
    if (s < 0 || cells[s] === 'converged') out.set(Number(Number(cells[k]).toPrecision(12)), Number(cells[t]));
  }
  return out;
}

/** Median CPU ms per call of f after a warm-up, over `reps` repetitions of about `targetMs` each. */
function timeCpu(f: () => unknown, reps = 11, targetMs = 40): number {
  for (let t0 = cpuMs(); cpuMs() - t0 < 100;) f();
  let n = 1;
  for (;;) {
    const t0 = cpuMs();
    for (let i = 0; i < n; i++) f();
    const dt = cpuMs() - t0;
    if (dt >= targetMs / 4) { n = Math.max(1, Math.round((n * targetMs) / dt)); break; }
    n *= 4;
  }
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = cpuMs();
    for (let i = 0; i < n; i++) f();
    times.push((cpuMs() - t0) / n);
  }
  return median(times);
}

export async function benchRfCurve(log: (s: string) => void = () => {}): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const emit = (name: string, value: number, unit: string) => out.push({ name, value, unit });

  // ---------------------------------------------------------------- compute alone, in this process
  const compiled = loadModel(join(ROOT, 'equations/rf-ridge.yaml'));
  for (const [name, kappa] of [['rf_ridge_solve_us', 1], ['rf_ridge_solve_peak_us', 2]] as const) {
    const problem = compiled.problem({ ...FIXED, kappa });
    const s = solve(problem);
    const ms = timeCpu(() => solve(problem).residual);
    log(`rf-ridge solve at kappa = ${kappa}: ${s.status} in ${s.iterations} iterations, ${(ms * 1000).toFixed(1)} us`);
    emit(name, ms * 1000, 'us');
  }
  const axis = parseAxis(AXIS);
  const inprocess = timeCpu(() => sweep(compiled, FIXED, axis).length, 5, 200);
  const rows = sweep(compiled, FIXED, axis);
  log(`rf-ridge 100-point sweep in process: ${inprocess.toFixed(1)} ms, ${rows.filter((r) => r.solution.status === 'converged').length} converged, `
    + `${rows.reduce((a, r) => a + r.solution.iterations, 0)} iterations in all`);
  emit('rf_curve_100_inprocess_ms', inprocess, 'ms');

  // ---------------------------------------------------------------- whole commands, side by side
  const tmp = mkdtempSync(join(tmpdir(), 'saddle-bench-rf-'));
  try {
    const stale = distStale();
    if (stale) log(`WARNING: ${stale}: the saddle command line is skipped (run \`npm run build\`, then the bench)`);
    const python = findPython(log);
    const csvFile = join(tmp, 'curve.csv');
    const node = process.execPath;
    const commands: Command[] = [
      ...(stale ? [] : [{ label: 'saddle sweep', file: node, args: [BIN, ...SWEEP_ARGS, '--out', csvFile] }]),
      ...(python ? [{ label: 'numpy', file: python, args: [NUMPY_SCRIPT] }] : []),
    ];
    const cpu = existsSync(TIME);
    const check = (c: Command) => (c.file === node ? distStale() : undefined);
    const runs = interleaved(commands, RUNS, 1, { cpu, tmp, check, log });
    const med = (r: Run[] | undefined, key: 'wallMs' | 'cpuMs') => (r?.length ? median(r.map((x) => x[key] ?? NaN)) : NaN);
    const sad = runs.get('saddle sweep');
    const np = runs.get('numpy');
    const [sw, nw, sc, nc] = [med(sad, 'wallMs'), med(np, 'wallMs'), med(sad, 'cpuMs'), med(np, 'cpuMs')];
    const fmt = (w: number, c: number) => `${(w / 1000).toFixed(3)} s${cpu ? ` (CPU ${(c / 1000).toFixed(3)} s)` : ''}`;
    if (sad || np) log(`rf-ridge curve, 100 points, median wall of ${RUNS}:${[sad && ` saddle ${fmt(sw, sc)}`, np && ` numpy ${fmt(nw, nc)}`].filter(Boolean).join(',')}`);
    if (np) {
      const tail = np[np.length - 1].stdout.split('\n').find((l) => l.startsWith('#'));
      if (tail) log(`numpy script's own report: ${tail.slice(1).trim()}`);
      emit('rf_curve_100_numpy_s', nw / 1000, 's');
    }
    if (sad) emit('rf_curve_100_saddle_s', sw / 1000, 's');
    if (sad && np) {
      emit('rf_curve_100_numpy_over_saddle', nw / sw, 'ratio');
      if (cpu) emit('rf_curve_100_numpy_over_saddle_cpu', nc / sc, 'ratio');
      if (nw / sw < 1) log(`WARNING: the numpy closed form is faster than the saddle command (numpy/saddle = ${(nw / sw).toFixed(2)})`);
    }
    // agreement: saddle's curve (from the command, else the in-process sweep) against numpy's, point by point
    const ours = sad ? testErrors(readFileSync(csvFile, 'utf8'))
      : new Map(rows.filter((r) => r.solution.status === 'converged').map((r) => [Number(r.params.kappa.toPrecision(12)), r.solution.observables.test_error]));
    if (np) {
      const theirs = testErrors(np[np.length - 1].stdout);
      let worst = 0;
      let matched = 0;
      for (const [k, t] of ours) {
        const u = theirs.get(k);
        if (u === undefined) continue;
        matched++;
        worst = Math.max(worst, Math.abs(t - u) / Math.abs(u));
      }
      log(`agreement on test_error: ${matched} points in both, largest relative difference ${worst.toExponential(2)}`);
      if (matched < 100) log(`WARNING: only ${matched} of the 100 points in both`);
      emit('rf_curve_100_agreement', matched ? worst : NaN, 'rel');
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

const isEntry = process.argv[1] !== undefined && /rf-curve\.bench\.ts$/.test(process.argv[1]);
if (isEntry) {
  const log = (s: string) => process.stderr.write(`[rf-curve] ${s}\n`);
  for (const r of await benchRfCurve(log)) process.stdout.write(`${JSON.stringify({ ...r, value: Number(r.value.toPrecision(4)) })}\n`);
}
