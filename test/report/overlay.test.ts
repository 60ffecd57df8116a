import { describe, expect, it } from 'vitest';
import type { LinePlot } from '../../src/report/plot.ts';
import { simulationOverlay } from '../../src/report/overlay.ts';
import type { SimulationRun } from '../../src/simulate/run.ts';

const run = (alpha: number, q: number, se: number): SimulationRun =>
  ({ params: { alpha }, d: 100, seed: 1, trials: [], summary: { q: { mean: q, se, trials: 4 }, m: { mean: q, se, trials: 4 } } } as unknown as SimulationRun);
const plot = (names: string[]): LinePlot => ({ xLabel: 'alpha', yLabel: 'value', series: names.map((name) => ({ name, x: [1, 2], y: [0.5, 0.6] })) });

describe('simulationOverlay', () => {
  const runs = [run(1, 0.5, 0.01), run(2, 0.62, 0.02)];

  it('puts each measured quantity on its theory series, with mean +- SE', () => {
    const p = simulationOverlay(plot(['q', 'mse']), runs, ['q', 'mse'], 'alpha', 'sim');
    expect(p.measured).toEqual([
      { series: 'q', x: 1, y: 0.5, lo: 0.49, hi: 0.51 },
      { series: 'q', x: 2, y: 0.62, lo: 0.6, hi: 0.64 },
    ]);
    expect(p.measuredLabel).toBe('sim');
  });

  it('with several branches: on the first branch of the quantity, also when the plot has one quantity', () => {
    expect(simulationOverlay(plot(['q (uninformed)', 'q (informed)', 'm (uninformed)']), runs, ['q', 'm'], 'alpha', 'sim').measured?.map((m) => m.series))
      .toEqual(['q (uninformed)', 'm (uninformed)', 'q (uninformed)', 'm (uninformed)']);
    // sweepPlot names the series after the branch alone when there is one quantity
    expect(simulationOverlay(plot(['uninformed', 'informed']), runs, ['q'], 'alpha', 'sim').measured?.map((m) => m.series)).toEqual(['uninformed', 'uninformed']);
  });
});
