import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { toVegaLite } from '../../src/report/plot.ts';
import { sweepPlot } from '../../src/report/sweep-plot.ts';
import type { Solution, Status } from '../../src/solve/solution.ts';
import { grid } from '../../src/sweep/axis.ts';
import { sweep, type SweepRow } from '../../src/sweep/continuation.ts';

const solution = (status: Status, q: number): Solution => ({
  status, iterations: 10, residual: 0, params: {}, origin: { model: 'm', file: 'm.yaml', sha256: '', version: '0' }, state: { q }, observables: { free_energy: -q }, time: 0, init: 'x',
});
const row = (alpha: number, branch: string, q: number, selected?: boolean, status: Status = 'converged'): SweepRow => ({
  params: { alpha }, branch, solution: solution(status, q), substeps: 0, ...(selected !== undefined && { selected }),
});

describe('sweepPlot', () => {
  it('carries the stability of each point of each branch from `selected`; failed points are gaps with no stability', () => {
    const rows = [
      row(1, 'uninformed', 0.1, true), row(2, 'uninformed', 0.2, false), row(3, 'uninformed', 0.3, false),
      row(1, 'informed', 0.9, false, 'max-iterations'), row(2, 'informed', 0.8, true), row(3, 'informed', 0.7, true),
    ];
    const plot = sweepPlot(rows, { title: 't', x: 'alpha', ys: ['q'] });
    expect(plot.series.map((s) => s.name)).toEqual(['uninformed', 'informed']);
    expect(plot.series[0].stability).toEqual(['equilibrium', 'metastable', 'metastable']);
    expect(plot.series[1].stability).toEqual([null, 'equilibrium', 'equilibrium']);
    expect(plot.series[1].y).toEqual([null, 0.8, 0.7]);
    expect(plot.failed).toEqual([{ x: 1, label: 'max-iterations (informed)' }]);
  });

  it('leaves stabilities out when the sweep did not compare branches', () => {
    const plot = sweepPlot([row(1, 'forward', 0.1), row(2, 'forward', 0.2)], { title: 't', x: 'alpha', ys: ['q'], logX: true });
    expect(plot.series[0].stability).toBeUndefined();
    expect(plot.logX).toBe(true);
    const spec = toVegaLite(plot) as unknown as { layer: { encoding: { strokeDash: { field: string } } }[] };
    expect(spec.layer[0].encoding.strokeDash.field).toBe('series');
  });

  it('perceptron-binary-bayes from both starts: the uninformed branch is metastable between alpha_IT ~ 1.245 and its spinodal ~ 1.493', () => {
    const compiled = loadModel('equations/perceptron-binary-bayes.yaml');
    const rows = sweep(compiled, {}, { name: 'alpha', values: grid(1, 1.8, 17) }, { inits: ['uninformed', 'informed'] });
    const plot = sweepPlot(rows, { title: 't', x: 'alpha', ys: ['mse'] });
    const low = plot.series.find((s) => s.name === 'uninformed')!;
    const metastable = low.x.filter((_, i) => low.stability![i] === 'metastable');
    expect(metastable.length).toBeGreaterThan(3);
    expect(Math.min(...metastable)).toBeGreaterThan(1.2);
    expect(Math.max(...metastable)).toBeLessThan(1.5);
    const spec = toVegaLite(plot) as unknown as { layer: { encoding: { strokeDash: { field: string } } }[] };
    expect(spec.layer[0].encoding.strokeDash.field).toBe('stability');
  });
});
