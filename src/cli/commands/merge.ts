import { UsageError } from '../../base/errors.ts';
import { readPhaseFile, writePhaseFile, type PhaseHeader } from '../../phase/store.ts';
import { shardKeys } from '../../phase/tasks.ts';
import { checkRows } from '../../phase/validate.ts';
import { checkOutputPath } from '../../io/files.ts';
import { EXIT } from '../exit.ts';
import { parse } from '../options.ts';

export const MERGE_HELP = `saddle merge PART1 PART2 ... --out FILE

Join the parts of a sharded phase diagram (saddle phase --shard K/N, one --out per part) into one file,
byte for byte the file that one unsharded run writes. Every part must come from the same command (model,
grid, lines, options) and together they must hold every cell and line point: a missing part or an
unfinished one is reported (rerun that shard: it resumes), and nothing is written. Every line of every
part is checked against the part's header: a part that holds anything else (a garbled line, a record of
another grid, line or shard) is refused, with FILE:LINE of each such line; rerunning that part's command
drops those lines and recomputes their records.
Then \`saddle phase\` with the same options and --out FILE draws the plot without computing anything.

Exit codes: 0 merged, 2 bad input (parts that do not match, or are missing records).`;

export function runMerge(argv: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) { out(MERGE_HELP); return EXIT.ok; }
  if (positionals.length === 0) throw new UsageError('give the part files to merge', 'saddle merge part1.jsonl part2.jsonl --out phase.jsonl');
  if (values.out === undefined) throw new UsageError('give the merged file: --out FILE');
  checkOutputPath(String(values.out), '--out');
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
  const rows = new Map<string, { row: string; file: string }>();
  for (const p of parts) {
    // Every record is checked against its part's header (grid, lines, shard): a part holds nothing else.
    const checked = checkRows(p.file, p.header, p.rows, p.tail);
    const bad = checked.warnings.filter((w) => w.kind !== 'duplicate');
    if (bad.length > 0) {
      throw new UsageError(`${p.file} holds ${bad.length} line${bad.length > 1 ? 's' : ''} that ${bad.length > 1 ? 'are' : 'is'} not a record of its computation${p.header.shard ? ` (part ${p.header.shard})` : ''}:\n${bad.slice(0, 5).map((w) => `  ${w.file}:${w.line}: ${w.reason}`).join('\n')}${bad.length > 5 ? `\n  and ${bad.length - 5} more` : ''}`,
        'rerun the `saddle phase` command of that part (same options, --shard and --out): it drops such lines and recomputes their records; then merge again');
    }
    for (const [key, row] of checked.rows) {
      const seen = rows.get(key);
      if (seen !== undefined && seen.row !== row) throw new UsageError(`${p.file}: ${key} differs from ${seen.file}'s`, 'the parts were computed with different versions of saddle or of the model');
      rows.set(key, { row, file: p.file });
    }
  }
  const expected = shardKeys(header.spec, undefined);
  const missing = [...expected].filter((k) => !rows.has(k));
  if (missing.length > 0) {
    const shards = [...new Set(parts.map((p) => p.header.shard ?? 'whole'))].join(', ');
    throw new UsageError(`the parts (${shards}) miss ${missing.length} of ${expected.size} records (e.g. ${missing.slice(0, 3).join('; ')})`,
      'merge every shard 1/N ... N/N, each run to completion (rerunning a shard resumes it)');
  }
  const written = writePhaseFile(String(values.out), header, [...rows.values()].map((r) => r.row));
  out(`merged ${parts.length} parts: ${written} records written to ${values.out}`);
  return EXIT.ok;
}
