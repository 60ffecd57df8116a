/**
 * One worker process of `npm run fuzz`: runs the cases k = start, start + step, ... < runs, each the mutant
 * drawn with seed `seed + k`, and reports each start (for the parent's watchdog) and each result. A process,
 * not a thread: a case that kills V8 (out of memory, an invalid array length) ends this process only. The case
 * running now is kept in a file (current-PID.yaml) that the parent turns into a finding if it never ends.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findingText, mutantFor, writeFinding, type FuzzMessage, type WorkerJob } from './campaign.ts';
import { runCase, runCliCase } from './oracle.ts';

const job = JSON.parse(process.env.SADDLE_FUZZ_JOB!) as WorkerJob;
const post = (m: FuzzMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
const current = join(job.dir, `current-${process.pid}.yaml`);
for (let k = job.start; k < job.runs; k += job.step) {
  await post({ type: 'start', k });
  rmSync(current, { force: true });
  const m = mutantFor(job.seed, k); // a mutator that never returns leaves no current file: the parent says so
  const cli = job.cliEvery > 0 && k % job.cliEvery === 0;
  writeFileSync(current, findingText(job.seed, k, m, 'hang', '', cli));
  const r = cli ? await runCliCase(m.text, job.dir) : runCase(m.text);
  const bad = r.outcome === 'crash' || r.outcome === 'hang';
  const file = bad ? writeFinding(job.findings, job.seed, k, m, r.outcome, r.detail ?? '', cli) : undefined;
  await post({ type: 'done', k, cli, outcome: r.outcome, ms: r.ms, ...(r.detail !== undefined && { detail: r.detail }), ...(file && { file }) });
}
rmSync(current, { force: true });
await post({ type: 'end' });
process.disconnect();
