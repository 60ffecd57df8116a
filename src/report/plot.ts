/**
 * Line plots of parameter sweeps, rendered headless, styled for a paper's column (figure.ts).
 *
 * Pipeline: LinePlot -> vega-lite spec (pure, `toVegaLite`) -> SVG (render.ts: vega, renderer 'none') ->
 * PNG at 2x (resvg).
 *
 * Conventions:
 * - `y[i] === null` is a missing point (e.g. a failed solve): the line is broken there instead of being drawn
 *   across it. Non-finite y values are treated the same way and counted in a note.
 * - Each series has its colour (distinct lightness), and its dash pattern; when the plot carries stabilities
 *   (branches with a free energy), the dash says the stability instead (equilibrium solid, metastable dashed)
 *   and sparse markers of the series' shape tell the series apart in black and white.
 * - Simulation points: open markers of the series' shape with capped error bars, in the series' colour.
 * - On a log axis, non-positive values cannot be placed; they are removed (a non-positive y becomes a gap, a
 *   non-positive x drops the point) and a note under the title says how many (`plotNotes`).
 * - The figure is FIGURE_WIDTH px wide; its height is the plot area plus the legend below it and the notes.
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import {
  FAILED_COLOR, FAILED_SHAPE, FIGURE_WIDTH, FONT_SIZE, NOTE_COLOR, PLOT_AREA_HEIGHT, prettyLabel, prettySymbol,
  seriesStyle, STABILITY_DASHES, STROKE_WIDTH, vegaConfig,
} from './figure.ts';
import { renderSpecSvg, svgToPng } from './render.ts';

export { prettyLabel, prettySymbol } from './figure.ts';
export { renderSpecPng, renderSpecSvg, svgToPng } from './render.ts';

/** Whether a point of a branch is the equilibrium (lowest free energy at its parameters) or metastable. */
export type Stability = 'equilibrium' | 'metastable';

export interface PlotSeries {
  readonly name: string;
  readonly x: readonly number[];
  /** null = missing point (failed solve): drawn as a gap in the line. */
  readonly y: readonly (number | null)[];
  /** Per point, when the sweep compared branches by free energy: drawn solid (equilibrium) or dashed. */
  readonly stability?: readonly (Stability | null)[];
}

export interface LinePlot {
  readonly title?: string;
  /** Raw parameter name, e.g. "alpha"; shown through `prettySymbol`. */
  readonly xLabel: string;
  /** e.g. "gen_error" or "value"; shown through `prettySymbol`. */
  readonly yLabel: string;
  /** One legend entry per series (observable or branch, e.g. "q (forward)"). Names must be unique. */
  readonly series: readonly PlotSeries[];
  readonly logX?: boolean;
  readonly logY?: boolean;
  /** x positions of failed points: red markers at the bottom, legend entry "not converged". */
  readonly failed?: readonly { x: number; label: string }[];
  /** Measured points with error bars (simulation mean +- SE), in the style of the series they belong to. */
  readonly measured?: readonly { series: string; x: number; y: number; lo: number; hi: number }[];
  /** What the measured points are, e.g. "simulation, mean ± SE, 10 trials, d = 1000" (shown as a note). */
  readonly measuredLabel?: string;
}

/** Overall figure width in px (SVG); the PNG is twice this. The height depends on the legend. */
export const PLOT_WIDTH = FIGURE_WIDTH;
const FAILED_LABEL = 'not converged';
/** At most about this many markers per series on a theory line (when markers are drawn at all). */
const MARKERS_PER_SERIES = 10;

// ---------------------------------------------------------------------------
// Data

interface LineRow { series: string; x: number; y: number | null; stability?: Stability }
interface PointRow { series: string; x: number; y: number }
interface FailedRow { x: number; label: string }

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One series' points after the checks and the log-axis filter, in the order given (sorted by x by the caller). */
interface Prepared { name: string; x: number[]; y: (number | null)[]; stability: (Stability | null)[] }

/** Validated, log-filtered series plus the notes that explain what was removed. */
function prepare(plot: LinePlot): { series: Prepared[]; failed: FailedRow[]; notes: string[] } {
  const names = new Set<string>();
  const series: Prepared[] = [];
  let droppedX = 0; // non-positive x on a log axis
  let gapY = 0; // non-positive y on a log axis
  let nonFiniteY = 0;
  let nonFiniteX = 0;
  for (const s of plot.series) {
    if (names.has(s.name)) throw new Error(`plot: duplicate series name "${s.name}"`);
    if (s.name === FAILED_LABEL) throw new Error(`plot: series name "${FAILED_LABEL}" is reserved`);
    names.add(s.name);
    if (s.x.length !== s.y.length) throw new Error(`plot: series "${s.name}" has ${s.x.length} x values but ${s.y.length} y values`);
    if (s.stability && s.stability.length !== s.x.length) {
      throw new Error(`plot: series "${s.name}" has ${s.x.length} points but ${s.stability.length} stabilities`);
    }
    const p: Prepared = { name: s.name, x: [], y: [], stability: [] };
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i];
      let y = s.y[i];
      if (!Number.isFinite(x)) { nonFiniteX++; continue; }
      if (plot.logX && x <= 0) { droppedX++; continue; }
      if (y !== null && !Number.isFinite(y)) { nonFiniteY++; y = null; }
      if (y !== null && plot.logY && y <= 0) { gapY++; y = null; }
      p.x.push(x);
      p.y.push(y);
      p.stability.push(s.stability?.[i] ?? null);
    }
    series.push(p);
  }
  const failed: FailedRow[] = [];
  let droppedFailed = 0;
  for (const f of plot.failed ?? []) {
    if (!Number.isFinite(f.x) || (plot.logX && f.x <= 0)) { droppedFailed++; continue; }
    failed.push({ x: f.x, label: f.label });
  }
  const notes: string[] = [];
  if (droppedX > 0) notes.push(`${plural(droppedX, 'point')} with ${prettySymbol(plot.xLabel)} ≤ 0 omitted (log x axis)`);
  if (gapY > 0) notes.push(`${plural(gapY, 'non-positive value')} omitted (log y axis)`);
  if (droppedFailed > 0) notes.push(`${plural(droppedFailed, 'failed point')} not placeable on the x axis omitted`);
  if (nonFiniteX > 0) notes.push(`${plural(nonFiniteX, 'point')} with non-finite x omitted`);
  if (nonFiniteY > 0) notes.push(`${plural(nonFiniteY, 'non-finite value')} drawn as ${nonFiniteY === 1 ? 'a gap' : 'gaps'}`);
  return { series, failed, notes };
}

/** What the plot leaves out (non-positive values on a log axis, non-finite values): the notes under its title. */
export function plotNotes(plot: LinePlot): string[] {
  return prepare(plot).notes;
}

/**
 * The rows of the line layer. Without stabilities: the points as they are. With them, each series is two
 * lines, the equilibrium part and the metastable part, each with nulls where the other is (so neither is drawn
 * across the other's stretch); the metastable part also takes the equilibrium points next to it, so the curve
 * stays continuous where the branch changes stability (the switch lies between the two grid points).
 */
function lineRows(series: readonly Prepared[], display: (name: string) => string, withStability: boolean): LineRow[] {
  const rows: LineRow[] = [];
  for (const s of series) {
    const name = display(s.name);
    if (!withStability) {
      s.x.forEach((x, i) => rows.push({ series: name, x, y: s.y[i] }));
      continue;
    }
    const st = (i: number): Stability | null => (s.y[i] === null || i < 0 || i >= s.x.length ? null : s.stability[i] ?? 'equilibrium');
    s.x.forEach((x, i) => {
      const here = st(i);
      const nextToMetastable = st(i - 1) === 'metastable' || st(i + 1) === 'metastable';
      rows.push({ series: name, x, y: here === 'equilibrium' ? s.y[i] : null, stability: 'equilibrium' });
      rows.push({ series: name, x, y: here === 'metastable' || (here === 'equilibrium' && nextToMetastable) ? s.y[i] : null, stability: 'metastable' });
    });
  }
  return rows;
}

/** Points with no drawn neighbour (a line needs two): a marker, or they would not show at all. */
function isolatedRows(series: readonly Prepared[], display: (name: string) => string): PointRow[] {
  return series.flatMap((s) => s.x.flatMap((x, i) => {
    const y = s.y[i];
    const drawn = (j: number) => j >= 0 && j < s.x.length && s.y[j] !== null;
    return y !== null && !drawn(i - 1) && !drawn(i + 1) ? [{ series: display(s.name), x, y }] : [];
  }));
}

/** Every k-th drawn point of each series (k so that about MARKERS_PER_SERIES remain), offset per series. */
function markerRows(series: readonly Prepared[], display: (name: string) => string): PointRow[] {
  return series.flatMap((s, n) => {
    const k = Math.max(1, Math.ceil(s.x.length / MARKERS_PER_SERIES));
    return s.x.flatMap((x, i) => {
      const y = s.y[i];
      return y !== null && (i + n) % k === 0 ? [{ series: display(s.name), x, y }] : [];
    });
  });
}

/** Display names: prettyLabel of each series name, or the raw names when two would collide. */
function displayNames(names: readonly string[]): (name: string) => string {
  const pretty = new Map(names.map((n) => [n, prettyLabel(n)]));
  if (new Set(pretty.values()).size < names.length || [...pretty.values()].includes(FAILED_LABEL)) return (n) => n;
  return (n) => pretty.get(n) ?? n;
}

// ---------------------------------------------------------------------------
// Spec

/** The vega-lite spec for `plot` (pure and deterministic). */
export function toVegaLite(plot: LinePlot): TopLevelSpec {
  const { series, failed, notes } = prepare(plot);
  const display = displayNames(plot.series.map((s) => s.name));
  const names = series.map((s) => display(s.name));
  const withStability = series.some((s) => s.stability.some((v) => v === 'metastable'));
  const domain = names;
  const styles = names.map((_, i) => seriesStyle(i));
  const longest = Math.max(0, ...domain.map((d) => d.length));
  // Legends under the plot, stacked (figure.ts vegaConfig): as many columns as fit the width (about 0.6 em
  // per character, plus the symbol).
  const columns = Math.max(1, Math.min(domain.length, Math.floor((FIGURE_WIDTH - 100) / (longest * FONT_SIZE.legend * 0.62 + 50))));
  const legend = names.length > 1
    ? { title: null, orient: 'bottom' as const, direction: 'vertical' as const, columns, ...(withStability ? { symbolSize: 80 } : { symbolType: 'stroke', symbolSize: 600 }) }
    : null;
  // Colour and dash (or colour and shape) share the domain: vega-lite merges them into one entry per series,
  // drawn as a dashed stroke (or as the marker).
  const color = { field: 'series', type: 'nominal' as const, scale: { domain, range: styles.map((s) => s.color) }, legend };
  const shape = { field: 'series', type: 'nominal' as const, scale: { domain, range: styles.map((s) => s.shape) }, legend };
  const seriesDash = { field: 'series', type: 'nominal' as const, scale: { domain, range: styles.map((s) => [...s.dash]) }, legend };
  const stabilityDash = {
    field: 'stability', type: 'nominal' as const,
    scale: { domain: ['equilibrium', 'metastable'], range: [[...STABILITY_DASHES.equilibrium], [...STABILITY_DASHES.metastable]] },
    legend: { title: null, orient: 'bottom' as const, direction: 'horizontal' as const, symbolType: 'stroke', symbolSize: 600, symbolStrokeColor: '#222' },
  };

  const axisScale = (log: boolean | undefined) => (log ? { type: 'log' as const, padding: 8, nice: false } : { zero: false, padding: 8, nice: false });
  const xs = series.flatMap((s) => s.x);
  const ys = [...series.flatMap((s) => s.y.filter((v): v is number => v !== null)), ...(plot.measured ?? []).flatMap((m) => [m.lo, m.hi])];
  const axis = (log: boolean | undefined, values: readonly number[]) => {
    const a = logAxis(log, values);
    return a === undefined ? {} : { axis: a };
  };
  const x = { field: 'x', type: 'quantitative' as const, title: prettySymbol(plot.xLabel), scale: axisScale(plot.logX), ...axis(plot.logX, xs) };
  const y = { field: 'y', type: 'quantitative' as const, title: prettySymbol(plot.yLabel), scale: axisScale(plot.logY), ...axis(plot.logY, ys) };

  const layers: object[] = [{
    data: { values: lineRows(series, display, withStability) },
    // Break the path at null y instead of connecting across the gap.
    mark: { type: 'line', invalid: 'break-paths-filter-domains', strokeWidth: STROKE_WIDTH, strokeJoin: 'round', clip: true },
    encoding: { x, y, color, strokeDash: withStability ? stabilityDash : seriesDash },
  }];
  // Markers on the lines: every point that has no neighbour to join, and with stabilities (where the dash is
  // taken) sparse markers of each series' shape. Without stabilities the shape channel is not used, so the
  // legend shows the dashed strokes.
  const points = [...isolatedRows(series, display), ...(withStability ? markerRows(series, display) : [])];
  if (points.length > 0) {
    layers.push({
      data: { values: points },
      mark: { type: 'point', filled: true, size: 36, opacity: 1, clip: true, ...(!withStability && { shape: 'circle' }) },
      encoding: { x, y, color, ...(withStability && { shape }) },
    });
  }
  const measured = (plot.measured ?? []).filter((m) => [m.x, m.y, m.lo, m.hi].every(Number.isFinite)
    && !(plot.logX && m.x <= 0) && !(plot.logY && m.lo <= 0)).map((m) => ({ ...m, series: display(m.series) }));
  if (measured.length > 0) {
    layers.push({
      data: { values: measured },
      mark: { type: 'errorbar', ticks: { size: 7, strokeWidth: 1.5, opacity: 1 }, rule: { strokeWidth: 1.5, opacity: 1 }, clip: true },
      encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color },
    }, {
      data: { values: measured },
      mark: { type: 'point', filled: false, size: 56, strokeWidth: 1.6, opacity: 1, fill: 'white', fillOpacity: 1, clip: true,
        ...(!withStability && { shape: 'circle' }) },
      encoding: { x, y, color, ...(withStability && { shape }),
        tooltip: [{ field: 'x', type: 'quantitative' }, { field: 'y', type: 'quantitative' }, { field: 'lo', type: 'quantitative' }, { field: 'hi', type: 'quantitative' }] },
    });
    if (plot.measuredLabel) notes.push(`lines: theory; open ${withStability ? 'markers' : 'circles'}: ${plot.measuredLabel}`);
  }
  if (failed.length > 0) {
    // Its own channel (fill), so its legend entry is a red triangle whatever the series' legend shows.
    layers.push({
      data: { values: failed },
      mark: { type: 'point', filled: true, size: 50, opacity: 1, yOffset: -5, shape: FAILED_SHAPE },
      encoding: {
        x,
        y: { value: 'height' },
        fill: { datum: FAILED_LABEL, type: 'nominal', scale: { domain: [FAILED_LABEL], range: [FAILED_COLOR] },
          legend: { title: null, orient: 'bottom', symbolType: FAILED_SHAPE, symbolSize: 70 } },
        tooltip: [{ field: 'x', type: 'quantitative' }, { field: 'label', type: 'nominal' }],
      },
    });
  }

  // Notes on omitted values go in the subtitle; vega draws no subtitle without a title, so without a title the
  // notes become a title styled like a subtitle. One note per line: a long single line would widen the figure.
  const noteStyle = { fontSize: FONT_SIZE.note, fontWeight: 'normal' as const, color: NOTE_COLOR };
  const limit = FIGURE_WIDTH - 12;
  const title = plot.title !== undefined
    ? { text: plot.title, ...(notes.length > 0 ? { subtitle: notes, subtitleFontSize: FONT_SIZE.note } : {}), anchor: 'start' as const, frame: 'bounds' as const, limit }
    : notes.length > 0
      ? { text: notes, anchor: 'start' as const, frame: 'bounds' as const, limit, ...noteStyle }
      : undefined;

  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title !== undefined ? { title } : {}),
    width: FIGURE_WIDTH,
    height: PLOT_AREA_HEIGHT,
    autosize: { type: 'fit-x' as const, contains: 'padding' as const },
    padding: 6,
    background: 'white',
    layer: layers,
    config: vegaConfig(),
  };
  return spec as TopLevelSpec;
}

const SUPERSCRIPTS: readonly (readonly [string, string])[] = [
  ['-', '⁻'], ['−', '⁻'], ['0', '⁰'], ['1', '¹'], ['2', '²'], ['3', '³'], ['4', '⁴'], ['5', '⁵'], ['6', '⁶'], ['7', '⁷'], ['8', '⁸'], ['9', '⁹'],
];

/**
 * The axis of a log scale: when the data span three powers of ten or more, ticks and grid lines at the powers
 * only, labelled 10⁻³, 10⁻², 10⁻¹, 1, 10, 10²; a narrower span keeps vega's ticks (1..9 x 10^k) with plain
 * labels (a power-only axis would have two labels or fewer). Undefined on a linear axis.
 */
function logAxis(log: boolean | undefined, values: readonly number[]): object | undefined {
  if (!log) return undefined;
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return undefined;
  const lo = Math.ceil(Math.log10(Math.min(...positive)) - 1e-9);
  const hi = Math.floor(Math.log10(Math.max(...positive)) + 1e-9);
  if (hi - lo < 2) return { format: '~g' };
  const k = 'log(datum.value) / LN10';
  const exponent = `format(round(${k}), 'd')`;
  const sup = SUPERSCRIPTS.reduce((acc, [d, u]) => `replace(${acc}, regexp('${d}', 'g'), '${u}')`, exponent);
  const labelExpr = `abs(${k} - round(${k})) > 1e-6 ? '' : round(${k}) === 0 ? '1' : round(${k}) === 1 ? '10' : '10' + ${sup}`;
  // a tick count of at most the number of decades makes vega tick at the powers only (no 2..9 x 10^k grid)
  return { labelExpr, tickCount: hi - lo };
}

// ---------------------------------------------------------------------------
// Rendering

/** Render the plot to an SVG string (FIGURE_WIDTH wide, white background). */
export async function renderSvg(plot: LinePlot): Promise<string> {
  return renderSpecSvg(toVegaLite(plot));
}

/** Render the plot to PNG bytes at 2x the SVG size, using system fonts (DejaVu Sans fallback). */
export async function renderPng(plot: LinePlot): Promise<Uint8Array> {
  return svgToPng(await renderSvg(plot));
}

const WRITERS: Readonly<Record<string, (plot: LinePlot) => Promise<string | Uint8Array>>> = {
  '.svg': renderSvg,
  '.png': renderPng,
};

/** Write the plot to `file`, format chosen by extension (.svg or .png). */
export async function writePlot(plot: LinePlot, file: string): Promise<void> {
  const ext = extname(file).toLowerCase();
  const render = Object.hasOwn(WRITERS, ext) ? WRITERS[ext] : undefined;
  if (render === undefined) {
    throw new Error(
      `writePlot: unsupported file extension "${ext || '(none)'}" for ${file}; supported: ${Object.keys(WRITERS).join(', ')}`,
    );
  }
  await writeFile(file, await render(plot));
}
