import type { SimulationRun } from '../verify/compare.ts';
import type { LinePlot } from './plot.ts';

/**
 * A sweep plot with simulation points: at each simulated parameter point, the mean +- SE of every plotted
 * quantity the simulation measures, attached to the theory series of that quantity (its colour on the plot).
 * `x` is the swept parameter; a quantity the simulation does not measure has no points.
 */
export function simulationOverlay(plot: LinePlot, runs: Iterable<SimulationRun>, ys: readonly string[], x: string, label: string): LinePlot {
  const measured = [...runs].flatMap((run) => ys.filter((y) => run.summary[y]).map((y) => {
    const { mean, se } = run.summary[y];
    const series = plot.series.find((s) => s.name === y || s.name.startsWith(`${y} (`))?.name ?? y;
    return { series, x: run.params[x], y: mean, lo: mean - se, hi: mean + se };
  }));
  return { ...plot, measured, measuredLabel: label };
}
