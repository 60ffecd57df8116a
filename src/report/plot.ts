/**
 * Line plots of parameter sweeps, rendered headless.
 *
 * Pipeline: LinePlot -> vega-lite spec (pure, `toVegaLite`) -> vega spec ->
 * `vega.View` with renderer 'none' -> SVG string -> (resvg) PNG at 2x.
 *
 * Conventions:
 * - `y[i] === null` is a missing point (e.g. a failed solve): the line is broken
 *   there instead of being drawn across it. Non-finite y values are treated the
 *   same way and counted in the subtitle.
 * - On a log axis, non-positive values cannot be placed; they are removed (a
 *   non-positive y becomes a gap, a non-positive x drops the point) and the
 *   subtitle says how many.
 * - The whole figure (plot, axes, legend, title) is PLOT_WIDTH x PLOT_HEIGHT px.
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { renderAsync } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

export interface PlotSeries {
  readonly name: string;
  readonly x: readonly number[];
  /** null = missing point (failed solve): drawn as a gap in the line. */
  readonly y: readonly (number | null)[];
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
  /** Measured points with error bars (simulation mean +- SE), in the colour of the series they belong to. */
  readonly measured?: readonly { series: string; x: number; y: number; lo: number; hi: number }[];
  /** What the measured points are, e.g. "simulation: mean ± SE of 10 trials at d = 1000" (shown as a note). */
  readonly measuredLabel?: string;
}

/** Overall figure size in px (SVG); the PNG is twice this. */
export const PLOT_WIDTH = 640;
export const PLOT_HEIGHT = 400;
const PNG_SCALE = 2;
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const FAILED_LABEL = 'not converged';
const FAILED_COLOR = '#d62728';
/** Tableau-like categorical palette without red (red is reserved for failures). */
const PALETTE = [
  '#4c78a8', '#f58518', '#54a24b', '#b279a2', '#72b7b2',
  '#eeca3b', '#9d755d', '#79706e', '#1f3b73', '#8c564b',
];

// ---------------------------------------------------------------------------
// Symbols

const GREEK: Readonly<Record<string, string>> = {
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', zeta: 'ζ', eta: 'η',
  theta: 'θ', kappa: 'κ', lambda: 'λ', mu: 'μ', nu: 'ν', xi: 'ξ', pi: 'π', rho: 'ρ',
  sigma: 'σ', tau: 'τ', phi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω',
  // Capitals that differ from Latin letters.
  Gamma: 'Γ', Delta: 'Δ', Theta: 'Θ', Lambda: 'Λ', Xi: 'Ξ', Pi: 'Π', Sigma: 'Σ',
  Phi: 'Φ', Psi: 'Ψ', Omega: 'Ω',
};
const COMBINING_CIRCUMFLEX = '\u0302';

/** A greek name, optionally followed by digits: "Delta0" -> "Δ0"; otherwise null. */
function greekToken(token: string): string | null {
  const m = /^([A-Za-z]+?)(\d*)$/.exec(token);
  if (m === null) return null;
  const letter = Object.hasOwn(GREEK, m[1]) ? GREEK[m[1]] : undefined;
  return letter === undefined ? null : letter + m[2];
}

/** Symbol that may carry a hat: a single letter or a greek name. */
function hatBase(base: string): string | null {
  if (/^[A-Za-z]$/.test(base)) return base;
  return Object.hasOwn(GREEK, base) ? GREEK[base] : null;
}

/**
 * Greek names to letters for axis titles, token by token (tokens separated by "_"):
 * alpha -> α, alpha_c -> α_c, Delta0 -> Δ0, q_hat / qhat -> q̂, lambda_hat -> λ̂.
 * Names with no recognised token are returned unchanged.
 */
export function prettySymbol(name: string): string {
  const tokens = name.split('_');
  const out: string[] = [];
  for (const token of tokens) {
    if (token === 'hat' && out.length > 0) {
      const prev = out[out.length - 1];
      const base = hatBase(prev) ?? (greekLetterSet.has(prev) ? prev : null);
      if (base !== null) {
        out[out.length - 1] = base + COMBINING_CIRCUMFLEX;
        continue;
      }
    }
    const greek = greekToken(token);
    if (greek !== null) {
      out.push(greek);
      continue;
    }
    const hat = /^([A-Za-z]+)hat(\d*)$/.exec(token);
    const base = hat === null ? null : hatBase(hat[1]);
    if (hat !== null && base !== null) {
      out.push(base + COMBINING_CIRCUMFLEX + hat[2]);
      continue;
    }
    out.push(token);
  }
  return out.join('_');
}
const greekLetterSet = new Set(Object.values(GREEK));

// ---------------------------------------------------------------------------
// Spec

interface PointRow { series: string; x: number; y: number | null }
interface FailedRow { x: number; label: string }

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Validated, log-filtered data plus the notes that explain what was removed. */
function prepareData(plot: LinePlot): { rows: PointRow[]; failed: FailedRow[]; notes: string[] } {
  const names = new Set<string>();
  const rows: PointRow[] = [];
  let droppedX = 0; // non-positive x on a log axis
  let gapY = 0; // non-positive y on a log axis
  let nonFiniteY = 0;
  let nonFiniteX = 0;
  for (const s of plot.series) {
    if (names.has(s.name)) throw new Error(`plot: duplicate series name "${s.name}"`);
    if (s.name === FAILED_LABEL) throw new Error(`plot: series name "${FAILED_LABEL}" is reserved`);
    names.add(s.name);
    if (s.x.length !== s.y.length) {
      throw new Error(`plot: series "${s.name}" has ${s.x.length} x values but ${s.y.length} y values`);
    }
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i];
      let y = s.y[i];
      if (!Number.isFinite(x)) { nonFiniteX++; continue; }
      if (plot.logX && x <= 0) { droppedX++; continue; }
      if (y !== null && !Number.isFinite(y)) { nonFiniteY++; y = null; }
      if (y !== null && plot.logY && y <= 0) { gapY++; y = null; }
      rows.push({ series: s.name, x, y });
    }
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
  return { rows, failed, notes };
}

/** The vega-lite spec for `plot` (pure and deterministic). */
export function toVegaLite(plot: LinePlot): TopLevelSpec {
  const { rows, failed, notes } = prepareData(plot);
  const names = plot.series.map((s) => s.name);
  const showLegend = names.length > 1 || failed.length > 0;
  const domain = failed.length > 0 ? [...names, FAILED_LABEL] : names;
  const range = domain.map((d, i) => (d === FAILED_LABEL ? FAILED_COLOR : PALETTE[i % PALETTE.length]));
  const legend = showLegend ? { title: null, orient: 'right' as const } : null;
  const color = { scale: { domain, range }, legend };
  // Same domain on a shape scale, so the legend shows the failure marker as a triangle.
  const shape = {
    scale: { domain, range: domain.map((d) => (d === FAILED_LABEL ? 'triangle-up' : 'circle')) },
    legend,
  };
  const xTitle = prettySymbol(plot.xLabel);
  const yTitle = prettySymbol(plot.yLabel);
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: xTitle,
    scale: plot.logX ? { type: 'log' as const, padding: 8, nice: false } : { zero: false, padding: 8, nice: false },
  };

  const lineLayer = {
    data: { values: rows },
    mark: {
      type: 'line' as const,
      // Break the path at null y instead of connecting across the gap.
      invalid: 'break-paths-filter-domains' as const,
      point: { filled: true, size: 18 },
      strokeWidth: 1.5,
    },
    encoding: {
      x,
      y: {
        field: 'y',
        type: 'quantitative' as const,
        title: yTitle,
        scale: plot.logY ? { type: 'log' as const, padding: 8, nice: false } : { zero: false, padding: 8, nice: false },
      },
      color: { field: 'series', type: 'nominal' as const, ...color },
      ...(failed.length > 0 ? { shape: { field: 'series', type: 'nominal' as const, ...shape } } : {}),
    },
  };
  const layers: object[] = [lineLayer];
  const measured = (plot.measured ?? []).filter((m) => [m.x, m.y, m.lo, m.hi].every(Number.isFinite)
    && !(plot.logX && m.x <= 0) && !(plot.logY && m.lo <= 0));
  if (measured.length > 0) {
    const y = { field: 'y', type: 'quantitative' as const };
    layers.push({
      data: { values: measured },
      mark: { type: 'rule', strokeWidth: 1.2 },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 'series', type: 'nominal', ...color } },
    }, {
      data: { values: measured },
      mark: { type: 'point', shape: 'square', filled: false, size: 36, strokeWidth: 1.4, opacity: 1 },
      encoding: { x, y, color: { field: 'series', type: 'nominal', ...color },
        tooltip: [{ field: 'x', type: 'quantitative' }, { field: 'y', type: 'quantitative' }, { field: 'lo', type: 'quantitative' }, { field: 'hi', type: 'quantitative' }] },
    });
    if (plot.measuredLabel) notes.push(`lines: theory; squares: ${plot.measuredLabel}`);
  }
  if (failed.length > 0) {
    layers.push({
      data: { values: failed },
      mark: { type: 'point', filled: true, size: 40, opacity: 1, yOffset: -4 },
      encoding: {
        x,
        y: { value: 'height' },
        color: { datum: FAILED_LABEL, type: 'nominal', ...color },
        shape: { datum: FAILED_LABEL, type: 'nominal', ...shape },
        tooltip: [{ field: 'x', type: 'quantitative' }, { field: 'label', type: 'nominal' }],
      },
    });
  }

  // Notes on omitted values go in the subtitle; vega draws no subtitle without a
  // title, so without a title the notes become a title styled like a subtitle.
  // One note per line: a long single line would make autosize shrink the plot.
  const noteStyle = { fontSize: 11, fontWeight: 'normal' as const, color: '#666' };
  const limit = PLOT_WIDTH - 40;
  const title = plot.title !== undefined
    ? { text: plot.title, ...(notes.length > 0 ? { subtitle: notes } : {}), anchor: 'start' as const, frame: 'group' as const, limit }
    : notes.length > 0
      ? { text: notes, anchor: 'start' as const, limit, ...noteStyle }
      : undefined;

  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title !== undefined ? { title } : {}),
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    autosize: { type: 'fit' as const, contains: 'padding' as const },
    padding: 8,
    background: 'white',
    layer: layers,
    config: {
      font: FONT,
      view: { stroke: '#888' },
      axis: { grid: true, gridColor: '#e6e6e6', titleFontSize: 13, labelFontSize: 11, titleFontWeight: 'normal' as const },
      legend: { labelFontSize: 11, symbolSize: 60, labelLimit: 220 },
      title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#666' },
    },
  };
  return spec as TopLevelSpec;
}

// ---------------------------------------------------------------------------
// Rendering

/**
 * vega numbers clip paths and gradients from a process-global counter; renumber
 * them in order of appearance so the same plot always yields the same string.
 */
function normalizeIds(svg: string): string {
  const map = new Map<string, string>();
  return svg.replace(/\b(clip|gradient_)(\d+)\b/g, (whole, prefix: string) => {
    let id = map.get(whole);
    if (id === undefined) {
      id = `${prefix}${map.size + 1}`;
      map.set(whole, id);
    }
    return id;
  });
}

/** Render the plot to an SVG string (PLOT_WIDTH x PLOT_HEIGHT, white background). */
export async function renderSvg(plot: LinePlot): Promise<string> {
  const vgSpec = compile(toVegaLite(plot)).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logLevel: vega.Error });
  try {
    return normalizeIds(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/** Render the plot to PNG bytes at 2x the SVG size, using system fonts (DejaVu Sans fallback). */
export async function renderPng(plot: LinePlot): Promise<Uint8Array> {
  const svg = await renderSvg(plot);
  const image = await renderAsync(svg, {
    fitTo: { mode: 'zoom', value: PNG_SCALE },
    background: 'white',
    font: {
      loadSystemFonts: true,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
    logLevel: 'off',
  });
  const png = image.asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
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
