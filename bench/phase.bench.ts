/**
 * Phase diagrams (`saddle phase`): the issue's target, a 100 x 100 diagram of perceptron-binary-bayes over
 * (eps, alpha) (label-flip probability 0..0.1, sample complexity 0.5..3) with both branches at every cell
 * (20 000 cold solves) and the three lines weak-recovery, spinodal and first-order (100 points each, to 1e-6),
 * on 2 worker threads, as the command runs it (thread start-up, tsx registration and model loading included),
 * streaming to a file in the temp directory. Target: under 60 s on 2 cores. The worker speed-up is the same
 * diagram computed in-process. Times are WALL times (parallelism does not reduce CPU time); the CPU speed-up
 * 2 CPU(1) / CPU(2) is what 2 free cores would give, whatever the load: each thread pays its start-up (tsx, the
 * model compiled from its IR, ~0.5 s) and V8's optimisation of the generated kernels again. The files of the
 * 1- and 2-thread runs must be identical byte for byte, or `phase_workers_identical` is 0.
 * Run alone: npx tsx bench/phase.bench.ts
 *
 * | name | unit | what |
 * | phase_100x100_perceptron_binary_s | s | the target diagram on 2 worker threads |
 * | phase_100x100_perceptron_binary_cells_per_s | cells/s | its 10 000 cells (2 branches each) and 300 line points over its wall time |
 * | phase_100x100_workers1_s | s | the same diagram in-process |
 * | phase_workers2_speedup | ratio | wall(1) / wall(2) |
 * | phase_workers2_cpu_speedup | ratio | 2 CPU(1) / CPU(2) |
 * | phase_loadavg | load | 1-minute load average at the end (2 cores: above 2, other jobs compete) |
 * | phase_workers_identical | bool | 1 when the 1- and 2-thread files are identical |
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../src/pipeline/load.ts';
import { runPhase } from '../src/phase/run.ts';
import { parseLines, parsePhaseAxis, type PhaseSpec } from '../src/phase/spec.ts';
import { cpuMs } from './clock.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../equations/perceptron-binary-bayes.yaml');

function specOf(n: number): PhaseSpec {
  return {
    file: FILE, load: {}, x: parsePhaseAxis(`eps=0:0.1:${n}`, 'x'), y: parsePhaseAxis(`alpha=0.5:3:${n}`, 'y'), fixed: {},
    inits: ['uninformed', 'informed'], lines: parseLines('weak-recovery,spinodal,first-order'), solver: {}, tol: 1e-6,
  };
}

export async function benchPhase(log: (s: string) => void = () => {}): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'saddle-bench-phase-'));
  const compiled = loadModel(FILE);
  const out: BenchResult[] = [];
  try {
    const timed = async (n: number, workers: number, file: string) => {
      const w0 = performance.now();
      const c0 = cpuMs();
      const r = await runPhase(compiled, specOf(n), { out: join(dir, file), workers });
      return { wall: (performance.now() - w0) / 1000, cpu: (cpuMs() - c0) / 1000, records: r.computed };
    };
    const one = await timed(100, 1, 'one.jsonl');
    const two = await timed(100, 2, 'two.jsonl');
    log(`phase 100 x 100 perceptron-binary-bayes, 2 branches, 3 lines: in-process ${one.wall.toFixed(1)} s (CPU ${one.cpu.toFixed(1)} s), `
      + `2 threads ${two.wall.toFixed(1)} s (CPU ${two.cpu.toFixed(1)} s), ${two.records} records`);
    const identical = readFileSync(join(dir, 'one.jsonl'), 'utf8') === readFileSync(join(dir, 'two.jsonl'), 'utf8');
    out.push(
      { name: 'phase_100x100_perceptron_binary_s', value: two.wall, unit: 's' },
      { name: 'phase_100x100_perceptron_binary_cells_per_s', value: 10_000 / two.wall, unit: 'cells/s' },
      { name: 'phase_100x100_workers1_s', value: one.wall, unit: 's' },
      { name: 'phase_workers2_speedup', value: one.wall / two.wall, unit: 'ratio' },
      { name: 'phase_workers2_cpu_speedup', value: (2 * one.cpu) / two.cpu, unit: 'ratio' },
      { name: 'phase_loadavg', value: loadavg()[0], unit: 'load' },
      { name: 'phase_workers_identical', value: identical ? 1 : 0, unit: 'bool' },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (process.argv[1] && /phase\.bench\.ts$/.test(process.argv[1])) {
  for (const r of await benchPhase((s) => process.stderr.write(`${s}\n`))) process.stdout.write(`${JSON.stringify(r)}\n`);
}
