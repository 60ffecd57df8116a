import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMerge } from '../../src/cli/commands/merge.ts';
import { UsageError } from '../../src/base/errors.ts';
import { check, loadModel } from '../../src/pipeline/load.ts';
import type { CellRecord, LinePointRecord } from '../../src/phase/compute.ts';
import { diagramOf, regionLabels } from '../../src/phase/diagram.ts';
import { heatMapOf } from '../../src/report/heatmap.ts';
import { runPhase } from '../../src/phase/run.ts';
import { parseLines, parsePhaseAxis, type PhaseSpec } from '../../src/phase/spec.ts';
import { findThreshold } from '../../src/transitions/threshold.ts';
import { heatMapSpec, regionLabelPlaces, renderHeatMapPng, renderHeatMapSvg } from '../../src/report/heatmap.ts';

const file = resolve('test/fixtures/magnet-phase.yaml');
const magnet = loadModel(file);
const spec: PhaseSpec = {
  file, load: {}, x: parsePhaseAxis('beta=1.25:3:6', 'x'), y: parsePhaseAxis('h=-0.8:0.8:9', 'y'), fixed: {},
  inits: ['uninformed', 'informed', 'negative'],
  lines: parseLines('spinodal@negative,spinodal@informed:backward,first-order@negative'),
  solver: { maxIterations: 100_000 }, tol: 1e-7,
};
const tmp = () => mkdtempSync(join(tmpdir(), 'saddle-phase-'));
/** The field where the branch of magnetisation -1 ends: h_s = beta m_s - atanh(m_s), m_s = sqrt(1 - 1/beta). */
const hs = (beta: number) => beta * Math.sqrt(1 - 1 / beta) - Math.atanh(Math.sqrt(1 - 1 / beta));

describe('saddle phase on the Curie-Weiss magnet (closed-form lines)', async () => {
  const dir = tmp();
  const whole = join(dir, 'whole.jsonl');
  const result = await runPhase(magnet, spec, { out: whole, workers: 1 });
  const lines = result.records.filter((r): r is LinePointRecord => r.type === 'line');
  const cells = result.records.filter((r): r is CellRecord => r.type === 'cell');

  it('computes every cell with every branch, and every line point', () => {
    expect(result.complete).toBe(true);
    expect(cells).toHaveLength(6 * 9);
    expect(lines).toHaveLength(3 * 6);
    expect(cells.every((c) => c.branches.map((b) => b.init).join() === 'uninformed,informed,negative')).toBe(true);
  });

  it('traces the spinodals and the first-order line to their closed forms', () => {
    for (const p of lines) {
      // past beta ~ 2.4 the spinodals leave the range |h| <= 0.8: not found there, and said so
      expect(p.found).toBe(p.line.startsWith('first-order') || hs(p.x) < 0.8);
      if (!p.found) { expect(p.message).toMatch(/continuous in \[-0.8, 0.8\]/); continue; }
      const exact = p.line === 'spinodal@negative' ? hs(p.x) : p.line === 'spinodal@informed:backward' ? -hs(p.x) : 0;
      expect(Math.abs(p.threshold - exact)).toBeLessThan(3e-7);
    }
  });

  it('selects the branch of lowest free energy: m > 0 for h > 0, m < 0 for h < 0', () => {
    for (const c of cells) {
      if (c.y === 0) continue;
      const sel = c.branches.find((b) => b.init === c.selected)!;
      expect(Math.sign(sel.state.m)).toBe(Math.sign(c.y));
    }
  });

  it('labels regions from the model file: coexistence exactly inside the spinodals', () => {
    const { regions } = magnet;
    for (const c of cells) {
      const label = regions!.label(c, { beta: c.x, h: c.y });
      const inside = Math.abs(c.y) < hs(c.x);
      expect(label).toBe(inside ? 'coexistence' : 'magnetised');
    }
  });

  it('gives the same bytes on two worker threads', async () => {
    const two = join(dir, 'two.jsonl');
    await runPhase(magnet, spec, { out: two, workers: 2 });
    expect(readFileSync(two, 'utf8')).toBe(readFileSync(whole, 'utf8'));
  }, 60_000);

  it('--shard 1/2 and 2/2 merged give the bytes of one unsharded run', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    const ra = await runPhase(magnet, spec, { out: a, workers: 1, shard: { k: 1, n: 2 } });
    await runPhase(magnet, spec, { out: b, workers: 1, shard: { k: 2, n: 2 } });
    expect(ra.complete).toBe(false);
    const merged = join(dir, 'merged.jsonl');
    expect(() => runMerge([a, '--out', merged], () => {})).toThrow(/miss \d+ of 72 records/);
    expect(runMerge([a, b, '--out', merged], () => {})).toBe(0);
    expect(readFileSync(merged, 'utf8')).toBe(readFileSync(whole, 'utf8'));
    // the merged file is a finished run: the same command computes nothing
    const again = await runPhase(magnet, spec, { out: merged, workers: 1 });
    expect(again.computed).toBe(0);
  });

  it('resumes a file cut in the middle of a record: recomputes only what is missing, no duplicates', async () => {
    const cut = join(dir, 'cut.jsonl');
    const text = readFileSync(whole, 'utf8');
    writeFileSync(cut, text);
    truncateSync(cut, Math.floor(text.length * 0.6)); // mid-record
    const kept = readFileSync(cut, 'utf8').split('\n').length - 2; // header, and the cut line
    const r = await runPhase(magnet, spec, { out: cut, workers: 1 });
    expect(r.reused).toBe(kept);
    expect(r.computed).toBe(72 - kept);
    expect(readFileSync(cut, 'utf8')).toBe(text);
  });

  it('refuses a file made by another computation', async () => {
    await expect(runPhase(magnet, { ...spec, tol: 1e-6 }, { out: whole, workers: 1 })).rejects.toThrow(UsageError);
  });

  it('draws the heat map with its lines and region labels (SVG, and PNG at 2x)', async () => {
    const { regions } = magnet;
    const map = heatMapOf(diagramOf(result.header.spec, result.records), 'magnet', 'm', regions);
    const layers = (heatMapSpec(map) as { layer: unknown[] }).layer;
    expect(layers).toHaveLength(6); // empty cells, cells, halo and dashed lines, label halo and labels
    const svg = await renderHeatMapSvg(map);
    expect(svg).toContain('coexistence');
    expect(svg).toContain('spinodal@negative');
    const width = Number(/width="(\d+)"/.exec(svg)![1]);
    const png = await renderHeatMapPng(map);
    expect(Buffer.from(png).readUInt32BE(16)).toBe(2 * width);
  });
});

describe('region labels', () => {
  it('sit inside their region, in each large enough connected part, away from the frame', () => {
    // an L-shaped region `a` around a square `b`, and a one-cell part of `a` that is too small for a label
    const grid = Array.from({ length: 12 }, (_, i) => Array.from({ length: 12 }, (_, j) => (i >= 4 && j >= 4 ? 'b' : 'a')));
    grid[11][11] = 'a';
    const places = regionLabelPlaces(grid);
    expect(places.map((p) => p.label).sort()).toEqual(['a', 'b']);
    for (const p of places) expect(grid[p.i][p.j]).toBe(p.label);
    const b = places.find((p) => p.label === 'b')!;
    expect(Math.min(b.i - 4, b.j - 4, 11 - b.i, 11 - b.j)).toBeGreaterThanOrEqual(2);
  });
});

describe('regions: mistakes are located in the model file', () => {
  it('names an unknown branch and an unknown quantity with their lines', () => {
    const text = readFileSync(file, 'utf8').replace('informed.m > 0.05', 'informd.m > 0.05').replace('abs(selected.m)', 'abs(selected.mm)');
    const { issues } = check(file, text);
    const line = (s: string) => text.split('\n').findIndex((l) => l.includes(s)) + 1;
    expect(issues.map((i) => [i.symbol, i.line])).toEqual([['mm', line('selected.mm')], ['informd', line('informd.m')]]);
    expect(issues[1].hint).toMatch(/uninformed, informed, negative, selected/);
  });
});

describe('a killed run resumes without losing or repeating finished cells', () => {
  it('kill -9 halfway, rerun: the same file as an uninterrupted run', async () => {
    const dir = tmp();
    const args = ['bin/saddle.js', 'phase', 'perceptron-binary-bayes', '--x', 'eps=0:0.1:30', '--y', 'alpha=0.5:3:30', '--workers', '1'];
    const run = (out: string, killAfter?: number) => new Promise<{ code: number | null; signal: string | null }>((done) => {
      const child = spawn(process.execPath, [...args, '--out', out], { stdio: 'ignore' });
      if (killAfter !== undefined) {
        const poll = setInterval(() => {
          let lines = 0;
          try { lines = readFileSync(out, 'utf8').split('\n').length - 2; } catch { /* not created yet */ }
          if (lines >= killAfter) { clearInterval(poll); child.kill('SIGKILL'); }
        }, 20);
        child.on('exit', () => clearInterval(poll));
      }
      child.on('exit', (code, signal) => done({ code, signal }));
    });
    const killed = join(dir, 'killed.jsonl');
    const first = await run(killed, 150);
    expect(first.signal).toBe('SIGKILL');
    const before = readFileSync(killed, 'utf8').split('\n').filter(Boolean).length - 1;
    expect(before).toBeGreaterThanOrEqual(150);
    expect(before).toBeLessThan(900);
    const second = await run(killed);
    expect(second.code).toBe(0);
    const reference = join(dir, 'reference.jsonl');
    expect((await run(reference)).code).toBe(0);
    const text = readFileSync(killed, 'utf8');
    expect(text).toBe(readFileSync(reference, 'utf8'));
    expect(text.split('\n').filter(Boolean)).toHaveLength(901);
    expect(statSync(killed).size).toBeGreaterThan(0);
  }, 120_000);
});

describe('the spiked Wigner phase diagram: a hard phase at small density', async () => {
  const file = resolve('equations/spiked-wigner.yaml');
  const sw = loadModel(file);
  const spec: PhaseSpec = {
    file, load: {}, x: parsePhaseAxis('rho=0.02:0.2:2', 'x'), y: parsePhaseAxis('lambda=0.3:1.5:7', 'y'), fixed: {},
    inits: ['uninformed', 'informed', 'zero'], lines: parseLines('spinodal,first-order'), solver: {}, tol: 1e-6,
  };
  const result = await runPhase(sw, spec, { out: join(tmp(), 'sw.jsonl'), workers: 1 });
  const d = diagramOf(result.header.spec, result.records);
  const line = (name: string) => d.lines.get(name)!;

  it('separates the first-order line from the spinodal below the tricritical density, and not above it', () => {
    // rho = 0.02: lambda_IT < lambda_alg ~ 1 (a hard phase between); rho = 0.2: no jump, no crossing
    for (const k of [0]) {
      expect(line('first-order')[k]!.found).toBe(true);
      expect(line('spinodal')[k]!.found).toBe(true);
      expect(line('first-order')[k]!.threshold).toBeLessThan(line('spinodal')[k]!.threshold - 0.1);
      expect(line('spinodal')[k]!.threshold).toBeGreaterThan(1);
    }
    for (const k of [1]) {
      expect(line('first-order')[k]!.found).toBe(false);
      expect(line('spinodal')[k]!.found).toBe(false);
    }
    // as accurate as `saddle threshold`: the same transitions found by its own scan of the whole range at rho = 0.02
    for (const kind of ['first-order', 'spinodal'] as const) {
      const t = findThreshold(sw, { kind, param: 'lambda', lo: 0.3, hi: 1.5, fixed: { rho: 0.02 } });
      expect(Math.abs(line(kind)[0]!.threshold - t.threshold)).toBeLessThan(2e-6);
    }
  }, 60_000);

  it('labels the cells between the lines hard: the equilibrium is informative, AMP from an uninformed start is not', () => {
    const { regions } = sw;
    const labels = regionLabels(d, regions!);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 7; j++) {
      const c = d.cells[i][j]!;
      const fo = line('first-order')[i]!;
      const sp = line('spinodal')[i]!;
      const inside = fo.found && sp.found && c.y > fo.threshold && c.y < sp.threshold;
      expect(labels[i][j] === 'hard', `rho ${c.x} lambda ${c.y}`).toBe(inside);
    }
    expect(labels.flat()).toContain('hard');
    expect(labels.flat()).toContain('impossible');
    expect(labels.flat()).toContain('easy');
  });
});
