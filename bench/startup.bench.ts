/**
 * Whole commands, as a user runs them: start-up against a bare `node -e 0`, and the 100-point logistic curve as
 * one command against the careful numpy solution of the same equations (bench/numpy/logistic_curve.py), in one
 * run, side by side. Each command is a fresh process (child_process.spawnSync); the value is the median WALL
 * time over several runs after warm-up runs (which fill the OS file cache), with the commands interleaved
 * (A B C, C B A, ...) so that the load of a shared machine falls on all of them alike. The issue's targets:
 * `saddle --version` within a few times of `node -e 0`; the curve at least 100x faster than numpy.
 *
 * saddle runs the compiled JavaScript in dist/ only while dist/.build-stamp is newer than every file under src/
 * (bin/saddle.js; otherwise it runs src/ through tsx, several times slower to start). The saddle lines are
 * measured only when dist is fresh before and after every run; otherwise they are skipped with a WARNING
 * (run `npm run build` first). Without python3, numpy or scipy the numpy lines are skipped with a WARNING.
 * Run alone: npm run bench -- startup   (or npx tsx bench/startup.bench.ts)
 *
 * | name | unit | what |
 * | startup_node_e0_ms | ms | `node -e 0` |
 * | startup_saddle_version_ms | ms | `node bin/saddle.js --version` |
 * | startup_version_over_node | ratio | the two above |
 * | startup_saddle_list_ms | ms | `node bin/saddle.js list` (reads every shipped model file) |
 * | startup_list_over_node | ratio | |
 * | logistic_curve_100_saddle_s | s | `node bin/saddle.js sweep logistic --param alpha=0.1:10:100 --set lambda=0.001 --out F.csv` |
 * | logistic_curve_100_numpy_s | s | `python3 bench/numpy/logistic_curve.py` (the same 100 points, equations, rules and tolerance) |
 * | logistic_curve_100_numpy_over_saddle | ratio | numpy wall / saddle wall (target >= 100) |
 * | logistic_curve_100_numpy_over_saddle_cpu | ratio | the same with the CPU time of each process (/usr/bin/time; skipped without it) |
 * | logistic_curve_100_agreement | rel | largest relative difference of gen_error between the two curves |
 * | startup_loadavg | load | 1-minute load average at the end (2 cores: above 2, other jobs compete) |
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './clock.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin/saddle.js');
const NUMPY_SCRIPT = join(ROOT, 'bench/numpy/logistic_curve.py');
const TIME = '/usr/bin/time';
const STARTUP_RUNS = 15;
const STARTUP_WARMUP = 3;
const CURVE_RUNS = 5;
const CURVE_ARGS = ['sweep', 'logistic', '--param', 'alpha=0.1:10:100', '--set', 'lambda=0.001'];

export interface Command { readonly label: string; readonly file: string; readonly args: readonly string[] }
export interface Run { readonly wallMs: number; readonly cpuMs?: number; readonly stdout: string }

/** The newest modification time under `dir` (bin/saddle.js's rule). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Why bin/saddle.js would not run dist/ now (undefined: it runs dist/). */
export function distStale(): string | undefined {
  const stamp = join(ROOT, 'dist/.build-stamp');
  if (!existsSync(stamp)) return 'dist/ is not built';
  const built = statSync(stamp).mtimeMs;
  const src = newest(join(ROOT, 'src'));
  if (built < src) return `src/ was edited ${((src - built) / 1000).toFixed(0)} s after the last build`;
  return undefined;
}

/** One whole process: wall time around spawnSync; with `cpu`, also its user + system time from /usr/bin/time. */
function runOnce(c: Command, cpu: boolean, tmp: string): Run {
  const timeFile = join(tmp, 'time.txt');
  const [file, args] = cpu ? [TIME, ['-f', '%U %S', '-o', timeFile, c.file, ...c.args]] : [c.file, c.args];
  const t0 = performance.now();
  const r = spawnSync(file, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallMs = performance.now() - t0;
  if (r.error || r.status !== 0) {
    throw new Error(`${c.label}: ${r.error?.message ?? `exit ${r.status}`}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  }
  if (!cpu) return { wallMs, stdout: r.stdout };
  const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wallMs, cpuMs: (user + sys) * 1000, stdout: r.stdout };
}

/**
 * `warmup` untimed rounds, then `runs` rounds of every command, the order reversed every other round.
 * `check` runs before and after each run of a command that needs it (a stale dist/ discards that command).
 */
export function interleaved(commands: readonly Command[], runs: number, warmup: number, opts: {
  cpu?: boolean; tmp: string; check?: (c: Command) => string | undefined; log: (s: string) => void;
}): Map<string, Run[]> {
  const out = new Map(commands.map((c) => [c.label, [] as Run[]]));
  const dropped = new Set<string>();
  for (let r = 0; r < warmup + runs; r++) {
    const order = r % 2 ? [...commands].reverse() : commands;
    for (const c of order) {
      if (dropped.has(c.label)) continue;
      const before = opts.check?.(c);
      let run: Run | undefined;
      let failed: string | undefined;
      try {
        if (before === undefined) run = runOnce(c, opts.cpu ?? false, opts.tmp);
      } catch (e) {
        failed = (e as Error).message;
      }
      const why = before ?? opts.check?.(c);
      if (why !== undefined || failed !== undefined) {
        opts.log(why !== undefined
          ? `WARNING: ${c.label} skipped: ${why}, so bin/saddle.js runs src/ through tsx (run \`npm run build\` first)`
          : `WARNING: ${c.label} skipped: it failed: ${failed}`);
        dropped.add(c.label);
        out.delete(c.label);
        continue;
      }
      if (r >= warmup) out.get(c.label)!.push(run!);
    }
  }
  return out;
}

/** Whether python3 with numpy and scipy runs here; the interpreter itself (not a shim such as pyenv's). */
export function findPython(log: (s: string) => void): string | undefined {
  const r = spawnSync('python3', ['-c', 'import sys, numpy, scipy.special, scipy.linalg; print(sys.executable)'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    log(`WARNING: numpy baseline skipped: python3 with numpy and scipy is not available (${r.error?.message ?? (r.stderr ?? '').trim().split('\n').pop()})`);
    return undefined;
  }
  return r.stdout.trim() || 'python3';
}

/** alpha -> gen_error from a CSV with a header (lines starting with # are comments). */
function genErrors(csv: string): Map<number, number> {
  const lines = csv.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const head = lines[0].split(',');
  const [a, g, s] = ['alpha', 'gen_error', 'status'].map((k) => head.indexOf(k));
  const out = new Map<number, number>();
  for (const l of lines.slice(1)) {
    const cells = l.split(',');
    if (cells[s] === 'converged') out.set(Number(Number(cells[a]).toPrecision(12)), Number(cells[g]));
  }
  return out;
}

export async function benchStartup(log: (s: string) => void = () => {}): Promise<BenchResult[]> {
  const tmp = mkdtempSync(join(tmpdir(), 'saddle-bench-startup-'));
  const out: BenchResult[] = [];
  const emit = (name: string, value: number, unit: string) => out.push({ name, value, unit });
  const med = (runs: Run[] | undefined, key: 'wallMs' | 'cpuMs') => (runs?.length ? median(runs.map((r) => r[key] ?? NaN)) : NaN);
  const stale = distStale();
  if (stale) log(`WARNING: ${stale}: the saddle lines are skipped (run \`npm run build\`, then the bench)`);
  const check = (c: Command) => (c.file === process.execPath && c.args[0] === BIN ? distStale() : undefined);
  try {
    // ------------------------------------------------------------------------------------ start-up
    const node = process.execPath;
    const startup: Command[] = [
      { label: 'node -e 0', file: node, args: ['-e', '0'] },
      ...(stale ? [] : [{ label: 'saddle --version', file: node, args: [BIN, '--version'] }, { label: 'saddle list', file: node, args: [BIN, 'list'] }]),
    ];
    const s = interleaved(startup, STARTUP_RUNS, STARTUP_WARMUP, { tmp, check, log });
    const [n0, ver, list] = ['node -e 0', 'saddle --version', 'saddle list'].map((label) => med(s.get(label), 'wallMs'));
    log(`start-up, median wall of ${STARTUP_RUNS} after ${STARTUP_WARMUP} warm-up rounds: node -e 0 ${n0.toFixed(1)} ms` +
      (s.has('saddle --version') ? `, saddle --version ${ver.toFixed(1)} ms (${(ver / n0).toFixed(2)}x)` : '') +
      (s.has('saddle list') ? `, saddle list ${list.toFixed(1)} ms (${(list / n0).toFixed(2)}x)` : ''));
    emit('startup_node_e0_ms', n0, 'ms');
    if (s.has('saddle --version')) {
      emit('startup_saddle_version_ms', ver, 'ms');
      emit('startup_version_over_node', ver / n0, 'ratio');
    }
    if (s.has('saddle list')) {
      emit('startup_saddle_list_ms', list, 'ms');
      emit('startup_list_over_node', list / n0, 'ratio');
    }

    // ------------------------------------------------------------------ the 100-point logistic curve
    const csvFile = join(tmp, 'curve.csv');
    const python = findPython(log);
    const curve: Command[] = [
      ...(stale ? [] : [{ label: 'saddle sweep', file: node, args: [BIN, ...CURVE_ARGS, '--out', csvFile] }]),
      ...(python ? [{ label: 'numpy', file: python, args: [NUMPY_SCRIPT] }] : []),
    ];
    const cpu = existsSync(TIME);
    if (!cpu) log(`WARNING: ${TIME} not found: CPU times of the curve commands skipped`);
    const c = interleaved(curve, CURVE_RUNS, 1, { cpu, tmp, check, log });
    const sad = c.get('saddle sweep');
    const np = c.get('numpy');
    const [sw, nw] = [med(sad, 'wallMs'), med(np, 'wallMs')];
    const [sc, nc] = [med(sad, 'cpuMs'), med(np, 'cpuMs')];
    const fmt = (w: number, cp: number) => `${(w / 1000).toFixed(2)} s${cpu ? ` (CPU ${(cp / 1000).toFixed(2)} s)` : ''}`;
    if (sad || np) log(`logistic curve, 100 points, median wall of ${CURVE_RUNS} after a warm-up round:` +
      [sad && ` saddle ${fmt(sw, sc)}`, np && ` numpy ${fmt(nw, nc)}`].filter(Boolean).join(',') +
      (sad && np ? `: numpy/saddle ${(nw / sw).toFixed(2)}x wall${cpu ? `, ${(nc / sc).toFixed(2)}x CPU` : ''}` : ''));
    if (np) {
      const tail = np[np.length - 1].stdout.split('\n').find((l) => l.startsWith('#'));
      if (tail) log(`numpy script's own report: ${tail.slice(1).trim()}`);
    }
    if (sad) emit('logistic_curve_100_saddle_s', sw / 1000, 's');
    if (np) emit('logistic_curve_100_numpy_s', nw / 1000, 's');
    if (sad && np) {
      emit('logistic_curve_100_numpy_over_saddle', nw / sw, 'ratio');
      if (cpu) emit('logistic_curve_100_numpy_over_saddle_cpu', nc / sc, 'ratio');
      if (nw / sw < 100) log(`WARNING: numpy time / saddle time on the logistic curve is ${(nw / sw).toFixed(2)} (target >= 100)`);
      // Agreement: the last run's curves, point by point (both converge to the tolerance 1e-10).
      const a = genErrors(readFileSync(csvFile, 'utf8'));
      const b = genErrors(np[np.length - 1].stdout);
      let worst = 0;
      let matched = 0;
      for (const [alpha, g] of a) {
        const h = b.get(alpha);
        if (h === undefined) continue;
        matched++;
        worst = Math.max(worst, Math.abs(g - h) / Math.abs(g));
      }
      log(`agreement on gen_error: ${matched} points converged in both, largest relative difference ${worst.toExponential(2)}`);
      if (matched < 100) log(`WARNING: only ${matched} of the 100 points converged in both (saddle ${a.size}, numpy ${b.size})`);
      if (!(worst <= 1e-6)) log(`WARNING: saddle and numpy disagree on gen_error by ${worst} relative (target <= 1e-6)`);
      emit('logistic_curve_100_agreement', matched ? worst : NaN, 'rel');
    }
    emit('startup_loadavg', loadavg()[0], 'load');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

const isEntry = process.argv[1] !== undefined && /startup\.bench\.ts$/.test(process.argv[1]);
if (isEntry) {
  const log = (s: string) => process.stderr.write(`[startup] ${s}\n`);
  for (const r of await benchStartup(log)) process.stdout.write(`${JSON.stringify({ ...r, value: Number(r.value.toPrecision(4)) })}\n`);
}
