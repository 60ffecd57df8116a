import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { renderAsync } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { prettySymbol } from './plot.ts';

/** A phase diagram: a heat map of one quantity over two parameters, transition lines and labelled regions. */
export interface HeatMap {
  readonly title: string;
  readonly x: { readonly name: string; readonly values: readonly number[]; readonly log: boolean };
  readonly y: { readonly name: string; readonly values: readonly number[]; readonly log: boolean };
  /** The colour's quantity; values[i][j] at (x_i, y_j), NaN where no branch converged. */
  readonly quantity: string;
  readonly values: readonly (readonly number[])[];
  /** Each line's points; NaN where the transition was not found at that x (the line is broken there). */
  readonly lines: readonly { readonly name: string; readonly points: readonly { readonly x: number; readonly y: number }[] }[];
  /** Region label of each cell (null: none), drawn once per region near its middle. */
  readonly regions?: readonly (readonly (string | null)[])[];
}

const WIDTH = 520;
const HEIGHT = 420;
const DASHES: readonly (readonly number[])[] = [[1, 0], [7, 4], [2, 3], [9, 3, 2, 3], [4, 2]];

/** Cell edges: midpoints between neighbouring values (geometric on a log axis), extended half a step at the ends. */
function edges(values: readonly number[], log: boolean): number[] {
  const t = (v: number) => (log ? Math.log(v) : v);
  const u = (v: number) => (log ? Math.exp(v) : v);
  const n = values.length;
  if (n === 1) return [u(t(values[0]) - 0.5), u(t(values[0]) + 0.5)];
  const out = [u(t(values[0]) - (t(values[1]) - t(values[0])) / 2)];
  for (let i = 0; i + 1 < n; i++) out.push(u((t(values[i]) + t(values[i + 1])) / 2));
  out.push(u(t(values[n - 1]) + (t(values[n - 1]) - t(values[n - 2])) / 2));
  return out;
}

/**
 * The vega-lite spec: viridis (luminance rises monotonically, so the map survives greyscale), cells with no
 * converged branch in light grey, lines in black over a white halo with a dash per line, region labels in
 * bold with a white halo at the cell of each region nearest its centroid.
 */
export function heatMapSpec(map: HeatMap): TopLevelSpec {
  const xe = edges(map.x.values, map.x.log);
  const ye = edges(map.y.values, map.y.log);
  const cells = map.x.values.flatMap((x, i) => map.y.values.map((y, j) => {
    const v = map.values[i][j];
    return { x0: xe[i], x1: xe[i + 1], y0: ye[j], y1: ye[j + 1], v: Number.isFinite(v) ? v : null };
  }));
  const linePoints = map.lines.flatMap((l, n) => {
    let segment = 0;
    return l.points.flatMap((p) => {
      if (!Number.isFinite(p.y)) { segment++; return []; }
      return [{ x: p.x, y: p.y, line: l.name, segment: `${n}-${segment}`, order: p.x }];
    });
  });
  const labels: { x: number; y: number; label: string }[] = [];
  if (map.regions) {
    const seen = new Map<string, { i: number; j: number }[]>();
    map.regions.forEach((col, i) => col.forEach((r, j) => { if (r !== null) seen.set(r, [...(seen.get(r) ?? []), { i, j }]); }));
    for (const [label, at] of seen) {
      const ci = at.reduce((s, c) => s + c.i, 0) / at.length;
      const cj = at.reduce((s, c) => s + c.j, 0) / at.length;
      const near = at.reduce((b, c) => ((c.i - ci) ** 2 + (c.j - cj) ** 2 < (b.i - ci) ** 2 + (b.j - cj) ** 2 ? c : b));
      labels.push({ x: map.x.values[near.i], y: map.y.values[near.j], label });
    }
  }
  const scale = (log: boolean, lo: number, hi: number) => ({ type: log ? 'log' : 'linear', domain: [lo, hi], nice: false, zero: false }) as const;
  const xScale = scale(map.x.log, xe[0], xe[xe.length - 1]);
  const yScale = scale(map.y.log, ye[0], ye[ye.length - 1]);
  const xTitle = prettySymbol(map.x.name);
  const yTitle = prettySymbol(map.y.name);
  const lineNames = map.lines.map((l) => l.name);
  const lineEncoding = {
    x: { field: 'x', type: 'quantitative', scale: xScale, title: xTitle },
    y: { field: 'y', type: 'quantitative', scale: yScale, title: yTitle },
    detail: { field: 'segment' },
    order: { field: 'order' },
  } as const;
  const layers: unknown[] = [
    {
      data: { values: cells.filter((c) => c.v === null) },
      mark: { type: 'rect', color: '#d9d9d9' },
      encoding: {
        x: { field: 'x0', type: 'quantitative', scale: xScale, title: xTitle }, x2: { field: 'x1' },
        y: { field: 'y0', type: 'quantitative', scale: yScale, title: yTitle }, y2: { field: 'y1' },
      },
    },
    {
      data: { values: cells.filter((c) => c.v !== null) },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'x0', type: 'quantitative', scale: xScale, title: xTitle }, x2: { field: 'x1' },
        y: { field: 'y0', type: 'quantitative', scale: yScale, title: yTitle }, y2: { field: 'y1' },
        color: { field: 'v', type: 'quantitative', title: prettySymbol(map.quantity), scale: { scheme: 'viridis' }, legend: { gradientLength: HEIGHT - 60 } },
      },
    },
  ];
  if (linePoints.length > 0) {
    layers.push(
      { data: { values: linePoints }, mark: { type: 'line', color: 'white', strokeWidth: 5, strokeCap: 'round' }, encoding: lineEncoding },
      {
        data: { values: linePoints },
        mark: { type: 'line', color: 'black', strokeWidth: 2 },
        encoding: {
          ...lineEncoding,
          strokeDash: { field: 'line', type: 'nominal', title: 'transition', scale: { domain: lineNames, range: lineNames.map((_, n) => DASHES[n % DASHES.length]) }, legend: { symbolStrokeWidth: 2, symbolSize: 400 } },
        },
      },
    );
  }
  if (labels.length > 0) {
    const text = { x: { field: 'x', type: 'quantitative', scale: xScale }, y: { field: 'y', type: 'quantitative', scale: yScale }, text: { field: 'label' } };
    layers.push(
      { data: { values: labels }, mark: { type: 'text', fontSize: 15, fontWeight: 'bold', stroke: 'white', strokeWidth: 4, strokeOpacity: 0.9 }, encoding: text },
      { data: { values: labels }, mark: { type: 'text', fontSize: 15, fontWeight: 'bold', color: 'black' }, encoding: text },
    );
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: map.title, fontSize: 15 },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: { axis: { labelFontSize: 13, titleFontSize: 15, grid: false }, legend: { labelFontSize: 12, titleFontSize: 13 }, view: { stroke: 'black' } },
    layer: layers,
  } as TopLevelSpec;
}

async function svgOf(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function renderHeatMapSvg(map: HeatMap): Promise<string> {
  return svgOf(heatMapSpec(map));
}

/** PNG at 2x the SVG's size (paper figures). */
export async function renderHeatMapPng(map: HeatMap): Promise<Uint8Array> {
  const image = await renderAsync(await renderHeatMapSvg(map), {
    fitTo: { mode: 'zoom', value: 2 }, background: 'white', logLevel: 'off',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  const png = image.asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

export async function writeHeatMap(map: HeatMap, file: string): Promise<void> {
  const ext = extname(file).toLowerCase();
  if (ext === '.svg') await writeFile(file, await renderHeatMapSvg(map));
  else if (ext === '.png') await writeFile(file, await renderHeatMapPng(map));
  else throw new Error(`writeHeatMap: ${file}: the extension must be .svg or .png`);
}
