import { UsageError } from '../../errors.ts';
import { parseRecord, readPhaseFile, writePhaseFile, type PhaseHeader } from '../../phase/store.ts';
import { phaseTasks, recordKey, taskKeys } from '../../phase/tasks.ts';
import { EXIT } from '../exit.ts';
import { parse } from '../options.ts';

export const MERGE_HELP = `saddle merge PART1 PART2 ... --out FILE

Join the parts of a sharded phase diagram (saddle phase --shard K/N, one --out per part) into one file,
byte for byte the file that one unsharded run writes. Every part must come from the same command (model,
grid, lines, options) and together they must hold every cell and line point: a missing part or an
unfinished one is reported (rerun that shard: it resumes), and nothing is written.
Then \`saddle phase\` with the same options and --out FILE draws the plot without computing anything.

Exit codes: 0 merged, 2 bad input (parts that do not match, or are missing records).`;

export function runMerge(argv: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) { out(MERGE_HELP); return EXIT.ok; }
  if (positionals.length === 0) throw new UsageError('give the part files to merge', 'saddle merge part1.jsonl part2.jsonl --out phase.jsonl');
  if (values.out === undefined) throw new UsageError('give the merged file: --out FILE');
  const parts = positionals.map((file) => ({ file, ...readPhaseFile(file) }));
  const whole = (h: PhaseHeader): PhaseHeader => {
    const { shard: _s, ...rest } = h;
    return rest;
  };
  const header = whole(parts[0].header);
  const text = JSON.stringify(header);
  for (const p of parts) {
    if (JSON.stringify(whole(p.header)) !== text) {
      throw new UsageError(`${p.file} is not a part of the same computation as ${parts[0].file}`, 'the parts must come from one `saddle phase` command (same model file, grid, lines and options) with different --shard');
    }
  }
  const rows = new Map<string, string>();
  for (const p of parts) {
    for (const row of p.rows) {
      const key = recordKey(parseRecord(row));
      const seen = rows.get(key);
      if (seen !== undefined && seen !== row) throw new UsageError(`${p.file}: ${key} differs from another part's`, 'the parts were computed with different versions of saddle or of the model');
      rows.set(key, row);
    }
  }
  const expected = phaseTasks({ ...header.spec, file: '' }).flatMap((t) => taskKeys({ ...header.spec, file: '' }, t));
  const missing = expected.filter((k) => !rows.has(k));
  if (missing.length > 0) {
    const shards = [...new Set(parts.map((p) => p.header.shard ?? 'whole'))].join(', ');
    throw new UsageError(`the parts (${shards}) miss ${missing.length} of ${expected.length} records (e.g. ${missing.slice(0, 3).join('; ')})`,
      'merge every shard 1/N ... N/N, each run to completion (rerunning a shard resumes it)');
  }
  writePhaseFile(String(values.out), header, [...rows.values()]);
  out(`merged ${parts.length} parts: ${expected.length} records written to ${values.out}`);
  return EXIT.ok;
}
