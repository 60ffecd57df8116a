import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMerge } from '../../src/cli/commands/merge.ts';
import { UsageError } from '../../src/base/errors.ts';
import { loadModel } from '../../src/pipeline/load.ts';
import { runPhase } from '../../src/phase/run.ts';
import { parseLines, parsePhaseAxis, type PhaseSpec } from '../../src/phase/spec.ts';
import { PhaseStore } from '../../src/phase/store.ts';
import { formatWarning, type PhaseWarning } from '../../src/phase/validate.ts';

// A small diagram of a cheap model: 3 x 4 cells and 2 lines of 3 points, 18 records.
const file = resolve('test/fixtures/magnet-phase.yaml');
const magnet = loadModel(file);
const spec: PhaseSpec = {
  file, load: {}, x: parsePhaseAxis('beta=1.25:3:3', 'x'), y: parsePhaseAxis('h=-0.8:0.8:4', 'y'), fixed: {},
  inits: ['uninformed', 'informed', 'negative'], lines: parseLines('spinodal@negative,first-order@negative'),
  solver: {}, tol: 1e-6,
};
const dir = mkdtempSync(join(tmpdir(), 'saddle-phase-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;

/** Writes `text` as a phase file and resumes it: the bytes it ends with, the warnings, the run's counts. */
async function resume(text: string, options: { shard?: { k: number; n: number } } = {}) {
  const out = join(dir, `case-${++count}.jsonl`);
  writeFileSync(out, text);
  const warnings: PhaseWarning[] = [];
  const r = await runPhase(magnet, spec, { out, workers: 1, ...options, onWarning: (w) => warnings.push(w) });
  expect(r.warnings).toEqual(warnings); // the same warnings, as data and through the callback
  return { out, bytes: readFileSync(out, 'utf8'), warnings, said: warnings.map(formatWarning), computed: r.computed, reused: r.reused };
}

describe('a phase file with corrupt lines resumes to the bytes of an uninterrupted run', async () => {
  const whole = join(dir, 'whole.jsonl');
  await runPhase(magnet, spec, { out: whole, workers: 1 });
  const reference = readFileSync(whole, 'utf8');
  const lines = reference.trimEnd().split('\n'); // header (line 1), 12 cells (lines 2-13), 6 line points (14-19)
  const text = (ls: readonly string[]) => ls.map((l) => `${l}\n`).join('');
  /** The reference with line `n` (1-based) replaced by `row`. */
  const replaced = (n: number, row: string) => text(lines.map((l, m) => (m === n - 1 ? row : l)));
  /** The reference with `row` inserted before line `n`. */
  const inserted = (n: number, row: string) => text([...lines.slice(0, n - 1), row, ...lines.slice(n - 1)]);
  const cell = JSON.parse(lines[1]) as Record<string, unknown>; // cell (0, 0)
  const point = JSON.parse(lines[13]) as Record<string, unknown>; // point 0 of spinodal@negative

  it('holds 18 records in canonical order', () => {
    expect(lines).toHaveLength(19);
    expect(lines.slice(1, 13).every((l) => l.startsWith('{"type":"cell"'))).toBe(true);
    expect(lines.slice(13).every((l) => l.startsWith('{"type":"line"'))).toBe(true);
  });

  it('a garbled line in the middle: dropped with FILE:LINE, its cell recomputed', async () => {
    const r = await resume(replaced(5, `${lines[4].slice(0, 60)}\u00ff#!${lines[4].slice(64)}`));
    expect(r.bytes).toBe(reference);
    expect(r.said).toEqual([`${r.out}:5: corrupt record dropped, recomputed (not JSON)`]);
    expect([r.computed, r.reused]).toEqual([1, 17]);
    // two records spliced into one (valid JSON, by chance): not a record either
    const spliced = await resume(replaced(8, lines[7].slice(0, 60) + lines[9].slice(90)));
    expect(spliced.bytes).toBe(reference);
    expect(spliced.warnings.map((w) => [w.line, w.kind])).toEqual([[8, 'corrupt']]);
  });

  it('a line of NUL bytes (a block lost by the file system) and an empty line: dropped', async () => {
    const r = await resume(inserted(9, '').replace(lines[11], '\0'.repeat(200)));
    expect(r.bytes).toBe(reference);
    expect(r.warnings.map((w) => [w.line, w.kind])).toEqual([[9, 'corrupt'], [13, 'corrupt']]);
    expect(r.said[0]).toMatch(/:9: corrupt record dropped, recomputed \(an empty line\)$/);
    expect(r.computed).toBe(1);
  });

  it('`{}` and other JSON that is not a record: dropped, nothing else recomputed', async () => {
    const r = await resume(inserted(7, '{}').replace(lines[15], `${lines[15]}\n[1,2]\n"cell"\nnull\n{"type":"cell"}`));
    expect(r.bytes).toBe(reference);
    expect(r.said.map((s) => s.slice(r.out.length))).toEqual([
      ':7: corrupt record dropped, recomputed (not a record (no `type` "cell" or "line"))',
      ':18: corrupt record dropped, recomputed (not a record (not a JSON object))',
      ':19: corrupt record dropped, recomputed (not a record (not a JSON object))',
      ':20: corrupt record dropped, recomputed (not a record (not a JSON object))',
      ':21: corrupt record dropped, recomputed (no field `i`)',
    ]);
    expect(r.computed).toBe(0);
  });

  it('a cell outside the grid, or with the x, y of another cell: dropped', async () => {
    const outside = JSON.stringify({ ...cell, i: 3 });
    const moved = JSON.stringify({ ...cell, j: 1 }); // the numbers of cell (0, 0) filed as (0, 1)
    const r = await resume(inserted(4, outside).replace(lines[2], moved));
    expect(r.bytes).toBe(reference);
    expect(r.said.map((s) => s.slice(r.out.length))).toEqual([
      ':3: corrupt record dropped, recomputed (its x, y are not those of cell (0, 1))',
      ':4: corrupt record dropped, recomputed (cell (3, 0) is outside the 3 x 4 grid)',
    ]);
    expect(r.computed).toBe(1); // cell (0, 1)
  });

  it('a point of a line not in the spec, or past the last x: dropped', async () => {
    const r = await resume(inserted(16, JSON.stringify({ ...point, line: 'weak-recovery' })) + JSON.stringify({ ...point, k: 3 }) + '\n');
    expect(r.bytes).toBe(reference);
    expect(r.said.map((s) => s.slice(r.out.length))).toEqual([
      ':16: corrupt record dropped, recomputed (a point of line "weak-recovery", not a line of this diagram (spinodal@negative, first-order@negative))',
      ':21: corrupt record dropped, recomputed (point 3 of line spinodal@negative is outside the 3 values of beta)',
    ]);
    expect(r.computed).toBe(0);
  });

  it('wrong fields and types, and a record not in the text saddle writes: dropped, recomputed', async () => {
    const branches = cell.branches as Record<string, unknown>[];
    const cases = [
      JSON.stringify({ ...cell, extra: 1 }),
      JSON.stringify({ ...cell, i: '0' }),
      JSON.stringify({ ...cell, branches: [{ ...branches[0], status: 'fine' }, ...branches.slice(1)] }),
      JSON.stringify({ ...cell, branches: branches.slice(1) }),
      JSON.stringify({ ...cell, selected: 'nowhere' }),
      JSON.stringify(cell, null, 1).replace(/\n/g, ''), // valid JSON, other spacing
    ];
    for (const row of cases) {
      const r = await resume(replaced(2, row));
      expect(r.bytes, row).toBe(reference);
      expect(r.warnings.map((w) => [w.line, w.kind]), row).toEqual([[2, 'corrupt']]);
      expect(r.computed).toBe(1);
    }
  });

  it('CRLF line endings (a file that went through Windows): resumed, rewritten with \\n', async () => {
    const crlf = text([...lines.slice(0, 6), ...lines.slice(7)]).replace(/\n/g, '\r\n'); // one cell missing
    const r = await resume(crlf);
    expect(r.bytes).toBe(reference);
    expect(r.warnings).toEqual([]);
    expect([r.computed, r.reused]).toEqual([1, 17]);
    // complete, and without the last newline: nothing to compute
    const done = await resume(reference.replace(/\n/g, '\r\n').replace(/\r\n$/, ''));
    expect([done.bytes, done.warnings, done.computed]).toEqual([reference, [], 0]);
  });

  it('duplicates: the first is kept, and the warning says which', async () => {
    const changed = lines[3].replace(/"iterations":(\d+)/, (_m, n: string) => `"iterations":${Number(n) + 1}`);
    expect(changed).not.toBe(lines[3]);
    const r = await resume(text([...lines, lines[2], changed]));
    expect(r.bytes).toBe(reference);
    expect(r.said.map((s) => s.slice(r.out.length))).toEqual([
      ':20: duplicate of line 3 (cell (0, 1)) dropped; line 3 kept',
      ':21: second record of cell (0, 2), different from line 4, dropped; line 4 kept',
    ]);
    expect(r.computed).toBe(0);
  });

  it('a record cut by a kill is dropped as cut; a whole last line without its newline is kept', async () => {
    const cut = await resume(text(lines.slice(0, 10)) + lines[10].slice(0, 50));
    expect(cut.bytes).toBe(reference);
    expect(cut.warnings.map((w) => [w.line, w.kind])).toEqual([[11, 'cut']]);
    expect(cut.said[0]).toMatch(/:11: record cut short \(a run interrupted while writing it\) dropped, recomputed$/);
    const whole = await resume(text(lines.slice(0, 10)) + lines[10]);
    expect([whole.bytes, whole.warnings, whole.reused]).toEqual([reference, [], 10]);
  });

  it('a shard drops the records of other shards (its file holds only what it computes)', async () => {
    const part = join(dir, 'part1.jsonl');
    await runPhase(magnet, spec, { out: part, workers: 1, shard: { k: 1, n: 2 } });
    const own = readFileSync(part, 'utf8');
    const foreign = lines.slice(1).filter((l) => !own.includes(l));
    expect(foreign.length).toBeGreaterThan(0);
    const r = await resume(own + foreign[0] + '\n', { shard: { k: 1, n: 2 } });
    expect(r.bytes).toBe(own);
    expect(r.said[0]).toMatch(/:\d+: corrupt record dropped, recomputed \(.* is computed by another shard than 1\/2\)$/);
  });

  it('the file is cleaned when opened: a run killed again does not find the corrupt line again', () => {
    const out = join(dir, 'clean.jsonl');
    writeFileSync(out, inserted(5, '{}').replace(/\n/g, '\r\n'));
    const header = JSON.parse(lines[0]);
    const store = PhaseStore.open(out, header);
    expect(store.warnings.map((w) => w.line)).toEqual([5]);
    expect(readFileSync(out, 'utf8')).toBe(reference); // rewritten at once, without the line, with \n
    expect(store.size).toBe(18);
    store.finish();
    const again = PhaseStore.open(out, header);
    expect(again.warnings).toEqual([]);
    again.finish();
  });

  it('an --out that is not a phase file is refused and left as it is, even without a newline', async () => {
    for (const [name, content] of [['notes.txt', 'my notes'], ['data.csv', 'a,b\n1,2\n']]) {
      const out = join(dir, name);
      writeFileSync(out, content);
      await expect(runPhase(magnet, spec, { out, workers: 1 })).rejects.toThrow(/not a phase file written by `saddle phase`: it is left as it is/);
      expect(readFileSync(out, 'utf8')).toBe(content);
    }
    // an empty file, or a header cut by a kill, is started over
    const cutHeader = await resume(lines[0].slice(0, 40));
    expect(cutHeader.bytes).toBe(reference);
    expect(cutHeader.computed).toBe(18);
  });

  describe('saddle merge checks every record of every part', async () => {
    const parts = [1, 2].map((k) => join(dir, `merge-${k}.jsonl`));
    for (const [n, part] of parts.entries()) await runPhase(magnet, spec, { out: part, workers: 1, shard: { k: n + 1, n: 2 } });
    const texts = parts.map((p) => readFileSync(p, 'utf8'));
    const merged = join(dir, 'merged.jsonl');
    const merge = (...argv: string[]) => {
      const said: string[] = [];
      const code = runMerge([...argv, '--out', merged], (s) => said.push(s));
      return { code, said: said.join('\n') };
    };

    it('counts the records it writes', () => {
      rmSync(merged, { force: true });
      const r = merge(...parts);
      expect(r.code).toBe(0);
      expect(readFileSync(merged, 'utf8')).toBe(reference);
      expect(r.said).toBe(`merged 2 parts: 18 records written to ${merged}`);
      // a whole run among the parts: every record twice, identical, each written once
      expect(merge(whole, ...parts).said).toMatch(/merged 3 parts: 18 records written/);
      expect(readFileSync(merged, 'utf8')).toBe(reference);
    });

    const refused = (bad: string, message: RegExp) => {
      rmSync(merged, { force: true });
      const part = join(dir, `bad-${++count}.jsonl`);
      writeFileSync(part, bad);
      let error: unknown;
      try { merge(parts[0], part); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toMatch(message);
      expect((error as UsageError).hint).toMatch(/rerun the `saddle phase` command of that part/);
      expect(existsSync(merged)).toBe(false);
    };

    it('refuses a part with a record of another shard, of no line of the spec, outside the grid, or garbled', () => {
      const first = texts[0].split('\n')[1]; // a record of part 1/2, foreign to part 2/2
      refused(texts[1] + first + '\n', /bad-\d+\.jsonl holds 1 line that is not a record of its computation \(part 2\/2\):\n {2}.*bad-\d+\.jsonl:\d+: .* is computed by another shard than 2\/2$/);
      refused(texts[1] + JSON.stringify({ ...point, line: 'weak-recovery' }) + '\n', /a point of line "weak-recovery", not a line of this diagram/);
      refused(texts[1] + JSON.stringify({ ...cell, i: 9 }) + '\n', /cell \(9, 0\) is outside the 3 x 4 grid/);
      refused(texts[1].replace(/\n/, '\n{"type":"cell","i":1,\n'), /bad-\d+\.jsonl:2: not JSON$/);
      refused(texts[1] + '{}\n', /not a record/);
      refused(texts[1] + lines[5].slice(0, 30), /record cut short/);
      const own = texts[1].split('\n')[1];
      refused(texts[1] + own.replace(/"iterations":(\d+)/, (_m, n: string) => `"iterations":${Number(n) + 1}`) + '\n', /:\d+: a second record of cell \(\d+, \d+\), different from line 2$/);
    });

    it('refuses a part whose header is not one records can be checked against', () => {
      const header = JSON.parse(lines[0]);
      const part = join(dir, 'bad-header.jsonl');
      writeFileSync(part, `${JSON.stringify({ ...header, spec: { ...header.spec, x: { name: 'beta' } } })}\n`);
      expect(() => merge(part)).toThrow(/bad-header\.jsonl: its header's x axis is not valid/);
    });

    it('merges a part that went through Windows (CRLF)', () => {
      const part = join(dir, 'crlf.jsonl');
      writeFileSync(part, texts[1].replace(/\n/g, '\r\n'));
      expect(merge(parts[0], part).code).toBe(0);
      expect(readFileSync(merged, 'utf8')).toBe(reference);
    });
  });
});
