/**
 * `npm run fuzz`: a long campaign of model-file mutants (test/fuzz/mutate.ts) against the oracle
 * (test/fuzz/oracle.ts), in worker processes with a watchdog, so that a case that never ends, or one that kills
 * the process, is a finding and not a stuck or lost run.
 *
 *   SADDLE_FUZZ_RUNS=20000      cases (default 20000)
 *   SADDLE_FUZZ_SEED=123        campaign seed (default: random, printed)
 *   SADDLE_FUZZ_WORKERS=2       worker processes (default 2)
 *   SADDLE_FUZZ_CLI_EVERY=10    every 10th case also runs `saddle check FILE` in-process (0: never)
 *   SADDLE_FUZZ_HANG_MS=60000   a case still running after this is a hang: the worker is replaced
 *   SADDLE_FUZZ_SLOW_MS=8000    a case that finishes after this is also a hang (test/fuzz/oracle.ts)
 *   SADDLE_FUZZ_CASE=k          replay case k of SADDLE_FUZZ_SEED alone, printing the mutant and the outcome
 *
 * Each crash or hang is written to results/fuzz/ as a model file with a header saying how to replay it; the
 * exit code is 1 when there was any. Make the smallest model that reproduces it, save it under
 * test/fuzz/regressions/ and fix the cause (test/fuzz/model-fuzz.test.ts runs every file there).
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findingFile, mutantFor, newCounts, type FuzzMessage, type WorkerJob } from './campaign.ts';
import { ROOT } from './mutate.ts';
import { runCase, runCliCase } from './oracle.ts';

const env = process.env;
const runs = Number(env.SADDLE_FUZZ_RUNS ?? 20_000);
const seed = env.SADDLE_FUZZ_SEED !== undefined ? Number(env.SADDLE_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const workers = Math.max(1, Number(env.SADDLE_FUZZ_WORKERS ?? 2));
const cliEvery = Number(env.SADDLE_FUZZ_CLI_EVERY ?? 10);
const hangMs = Number(env.SADDLE_FUZZ_HANG_MS ?? 60_000);
const findings = join(ROOT, 'results/fuzz');
const dir = mkdtempSync(join(tmpdir(), 'saddle-fuzz-'));

if (env.SADDLE_FUZZ_CASE !== undefined) {
  const k = Number(env.SADDLE_FUZZ_CASE);
  const m = mutantFor(seed, k);
  console.log(`case ${k} of seed ${seed}: ${m.seed}\n${m.log.map((l) => `  ${l}`).join('\n')}\n---\n${m.text.length > 4000 ? `${m.text.slice(0, 4000)}\n...` : m.text}---`);
  const r = cliEvery > 0 && k % cliEvery === 0 ? await runCliCase(m.text, dir) : runCase(m.text);
  console.log(`${r.outcome} in ${r.ms.toFixed(0)} ms${r.detail ? `\n${r.detail}` : ''}`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(r.outcome === 'crash' || r.outcome === 'hang' ? 1 : 0);
}

console.log(`saddle fuzz: ${runs} mutants, seed ${seed} (replay: SADDLE_FUZZ_SEED=${seed}), ${workers} workers`);
const counts = newCounts();
const signatures = new Map<string, number>();
const t0 = performance.now();
const running = new Map<number, { k: number; since: number }>(); // by worker pid

const finding = (k: number, outcome: 'crash' | 'hang', detail: string, file: string) => {
  const sig = `${outcome}: ${detail.split('\n')[0].slice(0, 160)}`;
  signatures.set(sig, (signatures.get(sig) ?? 0) + 1);
  if (signatures.get(sig) === 1) console.log(`  ${sig}\n    case ${k}: ${file}`);
};

const progress = setInterval(() => {
  const now = performance.now();
  const busy = [...running.values()].map((c) => `case ${c.k} for ${((now - c.since) / 1000).toFixed(0)} s`).join(', ');
  console.log(`  ${counts.tried}/${runs} in ${((now - t0) / 1000).toFixed(0)} s: ${JSON.stringify(counts)}${busy ? `; running ${busy}` : ''}`);
}, 30_000);
await new Promise<void>((resolve) => {
  let live = 0;
  const spawn = (start: number, step: number) => {
    if (start >= runs) return;
    live++;
    const job: WorkerJob = { seed, start, step, runs, cliEvery, dir, findings };
    const w = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'], env: { ...process.env, SADDLE_FUZZ_JOB: JSON.stringify(job) }, stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let stderr = '';
    w.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    let current: { k: number; since: number } | undefined;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      clearInterval(watch);
      if (--live === 0) resolve();
    };
    /** The case running now ends the worker: a finding (from the worker's copy of the case); the next worker
     * goes on after it. */
    const lost = (outcome: 'crash' | 'hang', detail: string) => {
      const { k } = current!;
      current = undefined;
      running.delete(w.pid!);
      counts.tried++;
      counts[outcome]++;
      const kept = join(dir, `current-${w.pid}.yaml`);
      const file = findingFile(findings, seed, k, outcome);
      mkdirSync(findings, { recursive: true });
      if (existsSync(kept)) writeFileSync(file, readFileSync(kept, 'utf8').replace(/^# fuzz finding: hang/, `# fuzz finding: ${outcome}\n# ${detail.split('\n').join('\n# ')}`));
      else writeFileSync(file, `# fuzz finding: ${outcome} while the mutant was being made (a bug of test/fuzz/mutate.ts)\n# replay: SADDLE_FUZZ_SEED=${seed} SADDLE_FUZZ_CASE=${k} npm run fuzz\n# ${detail}\n`);
      finding(k, outcome, existsSync(kept) ? detail : `${detail} (making the mutant)`, file);
      done();
      spawn(k + step, step);
    };
    const watch = setInterval(() => {
      if (!current || performance.now() - current.since < hangMs) return;
      lost('hang', `still running after ${hangMs / 1000} s`);
      w.kill('SIGKILL');
    }, 1000);
    w.on('message', (m: FuzzMessage) => {
      if (m.type === 'start') running.set(w.pid!, (current = { k: m.k, since: performance.now() }));
      else if (m.type === 'done') {
        current = undefined;
        running.delete(w.pid!);
        counts.tried++;
        counts[m.outcome]++;
        if (m.cli) counts.cli++;
        if (m.outcome === 'crash' || m.outcome === 'hang') finding(m.k, m.outcome, m.detail ?? '', m.file ?? '');
      }
    });
    w.on('exit', (code, signal) => {
      // the process died with a case running (V8 out of memory, a fatal error): that case is a crash
      if (current) lost('crash', `the worker process died (exit ${code}, signal ${signal}):\n${stderr.trim().split('\n').slice(0, 12).join('\n')}`);
      else done();
    });
  };
  for (let j = 0; j < workers; j++) spawn(j, workers);
});

clearInterval(progress);
rmSync(dir, { recursive: true, force: true });
const secs = (performance.now() - t0) / 1000;
console.log(`\nsaddle fuzz, seed ${seed}: ${counts.tried} mutants in ${secs.toFixed(0)} s (${(counts.tried / secs).toFixed(1)}/s), ${counts.cli} of them also through \`saddle check\``);
console.log(`  located errors:                       ${counts.located}`);
console.log(`  documented outcomes (compiled+solved): ${counts.solved}`);
console.log(`  crashes:                              ${counts.crash}`);
console.log(`  hangs (over the time budget):         ${counts.hang}`);
for (const [sig, n] of signatures) console.log(`  ${n} x ${sig}`);
if (signatures.size) console.log(`findings written to ${findings}`);
process.exit(counts.crash + counts.hang > 0 ? 1 : 0);
