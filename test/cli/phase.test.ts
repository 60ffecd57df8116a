import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../util/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'saddle-phase-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const MAGNET = 'test/fixtures/magnet-phase.yaml';
const GRID = ['--x', 'beta=1.25:3:3', '--y', 'h=-0.8:0.8:4'];

describe('saddle phase and saddle merge on the command line', () => {
  it('bad input is refused before any work: exit 2, a message that says what to do, no file written', async () => {
    const out = join(dir, 'never.jsonl');
    const cases: [string[], RegExp][] = [
      [[MAGNET, '--x', 'beta=1:2:3', '--out', out], /give both axes/],
      [[MAGNET, '--x', 'bta=1:2:3', '--y', 'h=0:1:3', '--out', out], /has no parameter `bta`.*\n.*did you mean `beta`/],
      [[MAGNET, '--x', 'beta=1:2:3', '--y', 'beta=0:1:3', '--out', out], /must be different/],
      [[MAGNET, ...GRID, '--set', 'h=0.1', '--out', out], /`h` is both swept \(--x, --y\) and fixed \(--set\)/],
      [[MAGNET, '--x', 'beta=-1:2:3', '--y', 'h=0:1:3', '--out', out], /outside its declared range/],
      [[MAGNET, ...GRID, '--lines', 'sideways', '--out', out], /cannot read `sideways`/],
      [[MAGNET, ...GRID, '--lines', 'first-order:backward', '--out', out], /spinodal lines only/],
      [[MAGNET, ...GRID, '--lines', 'spinodal@nowhere', '--out', out], /no initialisation `nowhere`/],
      [[MAGNET, ...GRID, '--inits', 'uninformed,nowhere', '--out', out], /no initialisation `nowhere`/],
      [[MAGNET, ...GRID, '--observable', 'mm', '--out', out], /not an order parameter or observable/],
      [[MAGNET, ...GRID, '--shard', '3/2', '--out', out], /K\/N with 1 <= K <= N/],
      [[MAGNET, ...GRID, '--plot', join(dir, 'x.pdf'), '--out', out], /\.svg or \.png/],
      [['docs/examples/binary-cs.yaml', ...GRID, '--out', out], /has no parameter/],
    ];
    for (const [argv, message] of cases) {
      const r = await run('phase', ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(existsSync(out)).toBe(false);
  });

  it('writes the records, the CSV and the plot; refuses to mix another computation into its file', async () => {
    const out = join(dir, 'magnet.jsonl');
    const csv = join(dir, 'magnet.csv');
    const plot = join(dir, 'magnet.svg');
    const linesCsv = join(dir, 'lines.csv');
    const r = await run('phase', MAGNET, ...GRID, '--lines', 'spinodal@negative', '--workers', '1', '--out', out, '--csv', csv, '--lines-csv', linesCsv, '--plot', plot);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/15 records computed, 0 from an earlier run/);
    expect(r.out).toMatch(/regions: .*coexistence/);
    expect(r.out).toMatch(/line spinodal@negative: found at 2\/3 values of beta/);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0].split(',').slice(0, 6)).toEqual(['beta', 'h', 'selected', 'region', 'uninformed:status', 'uninformed:iterations']);
    expect(rows).toHaveLength(1 + 12);
    expect(readFileSync(plot, 'utf8')).toMatch(/^<svg/);
    const lines = readFileSync(linesCsv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('line,beta,h,found,tolerance,evaluations,message');
    expect(lines).toHaveLength(1 + 3);
    // h_s(beta) = beta m_s - atanh(m_s), m_s = sqrt(1 - 1/beta), at beta = 1.25: the end of the negative branch
    const [name, beta, h, found] = lines[1].split(',');
    expect([name, beta, found]).toEqual(['spinodal@negative', '1.25', 'true']);
    const ms = Math.sqrt(1 - 1 / 1.25);
    expect(Math.abs(Number(h) - (1.25 * ms - Math.atanh(ms)))).toBeLessThan(2e-6);
    expect(lines[3]).toMatch(/^spinodal@negative,3,NaN,false,NaN,\d+,.*continuous/);
    // the same command again computes nothing
    expect((await run('phase', MAGNET, ...GRID, '--lines', 'spinodal@negative', '--workers', '1', '--out', out)).out).toMatch(/0 records computed, 15 from an earlier run/);
    const other = await run('phase', MAGNET, '--x', 'beta=1.25:3:4', '--y', 'h=-0.8:0.8:4', '--workers', '1', '--out', out);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/holds another computation/);
  });

  it('merge: parts of one command join into the file of one run; mismatched or missing parts are refused', async () => {
    const whole = join(dir, 'whole.jsonl');
    const parts = [1, 2, 3].map((k) => join(dir, `part${k}.jsonl`));
    expect((await run('phase', MAGNET, ...GRID, '--workers', '1', '--out', whole)).code).toBe(0);
    for (const [k, part] of parts.entries()) {
      const r = await run('phase', MAGNET, ...GRID, '--workers', '1', '--shard', `${k + 1}/3`, '--out', part);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/this part is done/);
    }
    const merged = join(dir, 'merged.jsonl');
    const missing = await run('merge', parts[0], parts[2], '--out', merged);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/miss \d+ of 12 records/);
    expect(existsSync(merged)).toBe(false);
    const foreign = join(dir, 'foreign.jsonl');
    expect((await run('phase', MAGNET, '--x', 'beta=1.25:3:3', '--y', 'h=-0.8:0.8:5', '--workers', '1', '--shard', '2/3', '--out', foreign)).code).toBe(0);
    const mixed = await run('merge', parts[0], foreign, parts[2], '--out', merged);
    expect(mixed.code).toBe(2);
    expect(mixed.err).toMatch(/not a part of the same computation/);
    writeFileSync(join(dir, 'junk.jsonl'), '{"hello": 1}\n');
    expect((await run('merge', join(dir, 'junk.jsonl'), '--out', merged)).err).toMatch(/not a phase file/);
    const ok = await run('merge', ...parts, '--out', merged);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/merged 3 parts: 12 records/);
    expect(readFileSync(merged, 'utf8')).toBe(readFileSync(whole, 'utf8'));
  });

  it('a corrupt line is dropped with FILE:LINE on the terminal and recomputed; merge refuses a part that holds one', async () => {
    const clean = join(dir, 'clean.jsonl');
    expect((await run('phase', MAGNET, ...GRID, '--workers', '1', '--out', clean)).code).toBe(0);
    const text = readFileSync(clean, 'utf8');
    const lines = text.split('\n');
    const corrupt = join(dir, 'corrupt.jsonl');
    writeFileSync(corrupt, [lines[0], '{}', ...lines.slice(1, 3), lines[3].slice(0, 40), ...lines.slice(4)].join('\r\n'));
    const r = await run('phase', MAGNET, ...GRID, '--workers', '1', '--out', corrupt);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`${corrupt}:2: corrupt record dropped, recomputed (not a record`);
    expect(r.out).toContain(`${corrupt}:5: corrupt record dropped, recomputed (not JSON)`);
    expect(r.out).toMatch(/1 records computed, 11 from an earlier run/);
    expect(readFileSync(corrupt, 'utf8')).toBe(text);

    const parts = [1, 2].map((k) => join(dir, `p${k}of2.jsonl`));
    for (const [k, part] of parts.entries()) expect((await run('phase', MAGNET, ...GRID, '--workers', '1', '--shard', `${k + 1}/2`, '--out', part)).code).toBe(0);
    const merged = join(dir, 'merged-checked.jsonl');
    const ok = await run('merge', ...parts, '--out', merged);
    expect(ok.out).toBe(`merged 2 parts: 12 records written to ${merged}`);
    expect(readFileSync(merged, 'utf8').split('\n').filter(Boolean)).toHaveLength(1 + 12);
    rmSync(merged);
    const foreign = readFileSync(parts[0], 'utf8').split('\n')[1]; // a record of part 1 in part 2
    writeFileSync(parts[1], `${readFileSync(parts[1], 'utf8')}${foreign}\n`);
    const refused = await run('merge', ...parts, '--out', merged);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/p2of2\.jsonl holds 1 line that is not a record of its computation \(part 2\/2\):\n {2}.*p2of2\.jsonl:\d+: .*computed by another shard than 2\/2/);
    expect(refused.err).toMatch(/hint: rerun the `saddle phase` command of that part/);
    expect(existsSync(merged)).toBe(false);
    // rerunning that part drops the line; then the merge goes through
    const rerun = await run('phase', MAGNET, ...GRID, '--workers', '1', '--shard', '2/2', '--out', parts[1]);
    expect(rerun.out).toMatch(/p2of2\.jsonl:\d+: corrupt record dropped/);
    expect((await run('merge', ...parts, '--out', merged)).code).toBe(0);
    expect(readFileSync(merged, 'utf8')).toBe(text);
  });
});
