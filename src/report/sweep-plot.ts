import type { SweepRow } from '../sweep/continuation.ts';
import type { LinePlot, PlotSeries, Stability } from './plot.ts';

export interface SweepPlotSpec {
  readonly title: string;
  readonly x: string; // the (inner) swept parameter
  readonly ys: readonly string[]; // order parameters or observables
  readonly outer?: string; // second swept parameter of a grid: one series per value
  readonly logX?: boolean;
  readonly logY?: boolean;
}

const valueOf = (r: SweepRow, y: string): number | null => {
  if (r.solution.status !== 'converged') return null; // a gap, and a red marker below
  const v = r.solution.state[y] ?? r.solution.observables[y];
  return v === undefined ? null : v;
};

/** A converged row compared with the other branches at its point (`selected` set): equilibrium or metastable. */
const stabilityOf = (r: SweepRow): Stability | null =>
  r.selected === undefined || r.solution.status !== 'converged' ? null : r.selected ? 'equilibrium' : 'metastable';

/**
 * One series per quantity, per branch when several were swept, per outer value on a grid. When the sweep
 * compared branches by free energy (rows carry `selected`), each point carries its stability: the plot draws the
 * equilibrium solid and the metastable stretches dashed.
 */
export function sweepPlot(rows: readonly SweepRow[], spec: SweepPlotSpec): LinePlot {
  const groups = new Map<string, SweepRow[]>();
  const branches = new Set(rows.map((r) => r.branch));
  for (const r of rows) {
    const parts = [
      ...(spec.outer !== undefined ? [`${spec.outer}=${+r.params[spec.outer].toPrecision(6)}`] : []),
      ...(branches.size > 1 ? [r.branch] : []),
    ];
    const key = parts.join(', ');
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const series: PlotSeries[] = [];
  for (const y of spec.ys) {
    for (const [key, rs] of groups) {
      const sorted = [...rs].sort((a, b) => a.params[spec.x] - b.params[spec.x]);
      const name = key === '' ? y : spec.ys.length === 1 ? key : `${y} (${key})`;
      const stability = sorted.some((r) => r.selected !== undefined) ? { stability: sorted.map(stabilityOf) } : {};
      series.push({ name, x: sorted.map((r) => r.params[spec.x]), y: sorted.map((r) => valueOf(r, y)), ...stability });
    }
  }
  const failed = rows.filter((r) => r.solution.status !== 'converged')
    .map((r) => ({ x: r.params[spec.x], label: `${r.solution.status} (${r.branch})` }));
  return {
    title: spec.title,
    xLabel: spec.x,
    yLabel: spec.ys.length === 1 ? spec.ys[0] : 'value',
    series,
    ...(spec.logX && { logX: true }),
    ...(spec.logY && { logY: true }),
    ...(failed.length > 0 && { failed }),
  };
}
