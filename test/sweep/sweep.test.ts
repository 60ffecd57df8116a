import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { grid, parseAxis } from '../../src/sweep/axis.ts';
import { sweep, sweepGrid } from '../../src/sweep/continuation.ts';

const toy = loadModel('test/fixtures/toy-statuses.yaml');
const cw = loadModel('test/fixtures/curie-weiss.yaml');

describe('axes', () => {
  it('parses linear and geometric ranges', () => {
    expect(parseAxis('alpha=0:1:5').values).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const g = parseAxis('lambda=1e-3:1:4:log').values;
    expect(g[0]).toBeCloseTo(1e-3, 15);
    expect(g[1] / g[0]).toBeCloseTo(10, 10);
    expect(g[3]).toBeCloseTo(1, 14);
    expect(grid(2, 3, 1)).toEqual([2]);
  });

  it('rejects malformed ranges with the syntax in the hint', () => {
    expect(() => parseAxis('alpha=0:1')).toThrow(/cannot read the sweep range/);
    expect(() => parseAxis('alpha=0:1:0')).toThrow(/COUNT/);
    expect(() => parseAxis('alpha=0:1:3:log')).toThrow(/log grid/);
  });
});

describe('1-D sweeps with continuation', () => {
  it('warm-starts each point from its neighbour', () => {
    const rows = sweep(cw, { beta: 2 }, { name: 'h', values: grid(0.05, 0.5, 10) }, { init: 'informed' });
    expect(rows).toHaveLength(10);
    expect(rows[0].solution.init).toBe('informed');
    expect(rows.slice(1).every((r) => r.solution.init === 'warm' && r.solution.status === 'converged')).toBe(true);
  });

  it('forward and backward branches expose hysteresis of a first-order transition', () => {
    // beta = 2: both magnetised states exist for |h| below the spinodal field atanh(1/sqrt 2) - sqrt 2 = 0.533.
    const rows = sweep(cw, { beta: 2 }, { name: 'h', values: grid(-0.8, 0.8, 33) }, { direction: 'both', init: 'negative' });
    expect(rows).toHaveLength(66);
    const at0 = rows.filter((r) => Math.abs(r.params.h) < 1e-12);
    const fwd = at0.find((r) => r.branch === 'forward')!;
    const bwd = at0.find((r) => r.branch === 'backward')!;
    expect(fwd.solution.state.m).toBeCloseTo(-0.957504, 5);
    // The backward branch starts at h = 0.8 from `negative`, where only the positive state exists, is carried to the positive state, and keeps it.
    expect(bwd.solution.state.m).toBeCloseTo(0.957504, 5);
  });

  it('halves a failed step and retries through intermediate values', () => {
    // mode 4 moves x at most one unit per iteration: with 4 iterations a jump of 5 fails, of 2.5 succeeds.
    const rows = sweep(toy, { mode: 4 }, { name: 'a', values: [1, 6] }, { maxIterations: 4 });
    expect(rows.map((r) => r.solution.status)).toEqual(['converged', 'converged']);
    expect(rows[1].substeps).toBeGreaterThan(0);
    expect(rows[1].solution.state.x).toBe(6);
    const noHalving = sweep(toy, { mode: 4 }, { name: 'a', values: [1, 6] }, { maxIterations: 4, maxHalvings: 0 });
    expect(noHalving[1].solution.status).toBe('max-iterations');
  });

  it('keeps failed points as rows with their status, and continues past them', () => {
    // mode 1 fails everywhere with NaN; alternate modes along the axis through `a` is not possible, so use mode 4
    // with a jump too large even for halving, then a reachable point.
    const rows = sweep(toy, { mode: 4 }, { name: 'a', values: [1, 9.5, 2] }, { maxIterations: 3, maxHalvings: 1 });
    expect(rows).toHaveLength(3);
    expect(rows[1].solution.status).toBe('max-iterations');
    expect(rows[2].solution.status).toBe('converged');
    expect(rows[2].solution.state.x).toBe(2);
  });
});

describe('2-D grid sweeps', () => {
  it('yields one row per grid point, failures included', () => {
    const rows = sweepGrid(cw, {}, { name: 'h', values: grid(0, 0.3, 4) }, { name: 'beta', values: grid(0.5, 2, 3) }, { init: 'informed' });
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => `${r.params.h},${r.params.beta}`)).size).toBe(12);
    for (const r of rows) {
      expect(r.solution.status).toBe('converged');
      expect(Math.abs(Math.tanh(r.params.beta * r.solution.state.m + r.params.h) - r.solution.state.m)).toBeLessThan(1e-9);
    }
  });
});

describe('several starts: one branch each, and the equilibrium marked', () => {
  it('marks the magnetisation along the field as selected on each side of h = 0', () => {
    // Within the coexistence region |h| < 0.208 (the spinodal at beta = 1.5) both branches exist everywhere.
    const rows = sweep(cw, { beta: 1.5 }, { name: 'h', values: grid(-0.15, 0.15, 7) }, { inits: ['negative', 'informed'] });
    expect(rows).toHaveLength(14);
    expect(new Set(rows.map((r) => r.branch))).toEqual(new Set(['negative', 'informed']));
    for (const r of rows) {
      const h = r.params.h;
      if (Math.abs(h) < 1e-12) continue; // the two states tie at h = 0
      const expected = (h < 0) === (r.branch === 'negative');
      expect(r.selected, `h = ${h}, ${r.branch}`).toBe(expected);
    }
  });
});
