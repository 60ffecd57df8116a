import type { SimulationRun } from '../simulate/run.ts';
import type { LinePlot } from './plot.ts';

/**
 * A sweep plot with simulation points: at each simulated parameter point, the mean +- SE of every plotted
 * quantity the simulation measures, attached to the first theory series of that quantity (drawn in its colour):
 * with several branches, the branch of the first start (`uninformed` for `--init all`, which is the one an
 * algorithm started without information follows). `x` is the swept parameter; a quantity the simulation does
 * not measure has no points. `ys` are the plot's quantities, in the order sweep-plot.ts made its series.
 */
export function simulationOverlay(plot: LinePlot, runs: Iterable<SimulationRun>, ys: readonly string[], x: string, label: string): LinePlot {
  // sweepPlot names a series `y` or `y (branch)`, or only `branch` when the plot has one quantity.
  const seriesOf = (y: string) => plot.series.find((s) => (ys.length === 1 && ys[0] === y) || s.name === y || s.name.startsWith(`${y} (`))?.name;
  const measured = [...runs].flatMap((run) => ys.filter((y) => run.summary[y] && seriesOf(y) !== undefined).map((y) => {
    const { mean, se } = run.summary[y];
    return { series: seriesOf(y)!, x: run.params[x], y: mean, lo: mean - se, hi: mean + se };
  }));
  return { ...plot, measured, measuredLabel: label };
}
