import type { PowerLawFit } from '../sweep/powerlaw.ts';
import type { Curve } from '../sweep/sweep-file.ts';
import type { LinePlot } from './plot.ts';

/** What a fit plot shows: the quantity along the swept parameter, and the fitted power law over its window. */
export interface FitPlotSpec {
  readonly title: string;
  readonly x: string;
  readonly y: string;
}

/** The significant digits of a slope as its standard error allows (2 digits of the error, at least 3 in all). */
export function slopeText(fit: Pick<PowerLawFit, 'slope' | 'stderr'>): string {
  if (!Number.isFinite(fit.stderr) || fit.stderr === 0) return `${+fit.slope.toPrecision(4)}`;
  const digits = Math.max(0, Math.min(12, 1 - Math.floor(Math.log10(fit.stderr))));
  return `${fit.slope.toFixed(digits)} ± ${fit.stderr.toPrecision(2)}`;
}

/**
 * A log-log plot of the curve with the fitted line y = C x^slope drawn over the window it was fitted on, as a
 * second series (its own colour and dash) named by its slope and standard error.
 */
export function fitPlot(curve: Curve, fit: PowerLawFit, spec: FitPlotSpec): LinePlot {
  const order = curve.x.map((_, i) => i).sort((a, b) => curve.x[a] - curve.x[b]);
  const [lo, hi] = fit.window;
  const used = order.map((i) => curve.x[i]).filter((x) => x >= lo && x <= hi);
  const line = Number.isFinite(fit.slope) && used.length >= 2
    ? [{ name: `fit: slope ${slopeText(fit)}`, x: used, y: used.map((x) => Math.exp(fit.intercept + fit.slope * Math.log(x))) }]
    : [];
  return {
    title: spec.title,
    xLabel: spec.x,
    yLabel: spec.y,
    series: [{ name: spec.y, x: order.map((i) => curve.x[i]), y: order.map((i) => curve.y[i]) }, ...line],
    logX: true,
    logY: true,
  };
}
