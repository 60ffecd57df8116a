import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { DASHES, FONT_SIZE, vegaConfig } from './figure.ts';
import { prettySymbol, renderSpecPng, renderSpecSvg } from './plot.ts';
import { regionLabels, selectedValue, type Diagram } from '../phase/diagram.ts';
import type { Regions } from '../phase/regions.ts';

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
  const config = vegaConfig();
  const xe = edges(map.x.values, map.x.log);
  const ye = edges(map.y.values, map.y.log);
  // Each cell reaches half-way into its upper neighbours, which are drawn after it: two anti-aliased edges in one
  // pixel would let the white background through, as hairline seams.
  const over = (e: number[], k: number, log: boolean) => {
    if (k + 2 >= e.length) return e[k + 1];
    return log ? Math.sqrt(e[k + 1] * e[k + 2]) : (e[k + 1] + e[k + 2]) / 2;
  };
  const cells = map.x.values.flatMap((_x, i) => map.y.values.map((_y, j) => {
    const v = map.values[i][j];
    return { x0: xe[i], x1: over(xe, i, map.x.log), y0: ye[j], y1: over(ye, j, map.y.log), v: Number.isFinite(v) ? v : null };
  }));
  const linePoints = map.lines.flatMap((l, n) => {
    let segment = 0;
    return l.points.flatMap((p) => {
      if (!Number.isFinite(p.y)) { segment++; return []; }
      return [{ x: p.x, y: p.y, line: l.name, segment: `${n}-${segment}`, order: p.x }];
    });
  });
  const labels = map.regions ? regionLabelPlaces(map.regions).map((p) => ({ x: map.x.values[p.i], y: map.y.values[p.j], label: p.label })) : [];
  const scale = (log: boolean, lo: number, hi: number) => ({ type: log ? 'log' : 'linear', domain: [lo, hi], nice: false, zero: false }) as const;
  const xScale = scale(map.x.log, xe[0], xe[xe.length - 1]);
  const yScale = scale(map.y.log, ye[0], ye[ye.length - 1]);
  const xTitle = prettySymbol(map.x.name);
  const yTitle = prettySymbol(map.y.name);
  // only the lines drawn somewhere get a legend entry (the command's summary says where each was not found)
  const lineNames = map.lines.filter((l) => l.points.some((p) => Number.isFinite(p.y))).map((l) => l.name);
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
    title: { text: map.title, fontSize: FONT_SIZE.title, fontWeight: 'normal' },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    // the figures' style, without grid lines (they would cross the cells)
    config: { ...config, axis: { ...(config.axis as object), grid: false } },
    layer: layers,
  } as TopLevelSpec;
}

/**
 * Where to write each region's label: in every connected part of the region holding at least 3% of the cells,
 * at its cell farthest (in grid steps) from any other region and from the frame, so that a label sits inside its region even
 * when the region is not convex.
 */
export function regionLabelPlaces(regions: readonly (readonly (string | null)[])[]): { label: string; i: number; j: number }[] {
  const nx = regions.length;
  const ny = regions[0]?.length ?? 0;
  const at = (i: number, j: number) => (i >= 0 && j >= 0 && i < nx && j < ny ? regions[i][j] : undefined);
  const near = (i: number, j: number): [number, number][] => [[i + 1, j], [i - 1, j], [i, j + 1], [i, j - 1]];
  // distance to the nearest cell of another region: breadth-first from the cells on a region boundary
  const dist = regions.map((col) => col.map(() => Infinity));
  let front: [number, number][] = [];
  for (let i = 0; i < nx; i++) for (let j = 0; j < ny; j++) {
    if (near(i, j).some(([a, b]) => at(a, b) !== regions[i][j])) { dist[i][j] = 0; front.push([i, j]); } // another region, or the frame
  }
  while (front.length > 0) {
    const next: [number, number][] = [];
    for (const [i, j] of front) for (const [a, b] of near(i, j)) {
      if (at(a, b) !== undefined && dist[a][b] === Infinity) { dist[a][b] = dist[i][j] + 1; next.push([a, b]); }
    }
    front = next;
  }
  const seen = regions.map((col) => col.map(() => false));
  const places: { label: string; i: number; j: number }[] = [];
  for (let i = 0; i < nx; i++) for (let j = 0; j < ny; j++) {
    const label = regions[i][j];
    if (label === null || seen[i][j]) continue;
    let best = { i, j };
    let size = 0;
    const stack: [number, number][] = [[i, j]];
    seen[i][j] = true;
    while (stack.length > 0) {
      const [a, b] = stack.pop()!;
      size++;
      if (dist[a][b] > dist[best.i][best.j]) best = { i: a, j: b };
      for (const [c, d] of near(a, b)) if (at(c, d) === label && !seen[c][d]) { seen[c][d] = true; stack.push([c, d]); }
    }
    if (size >= Math.max(1, 0.03 * nx * ny)) places.push({ label, ...best });
  }
  return places;
}

export async function renderHeatMapSvg(map: HeatMap): Promise<string> {
  return renderSpecSvg(heatMapSpec(map));
}

/** PNG at 2x the SVG's size (paper figures). */
export async function renderHeatMapPng(map: HeatMap): Promise<Uint8Array> {
  return renderSpecPng(heatMapSpec(map));
}

export async function writeHeatMap(map: HeatMap, file: string): Promise<void> {
  const ext = extname(file).toLowerCase();
  if (ext === '.svg') await writeFile(file, await renderHeatMapSvg(map));
  else if (ext === '.png') await writeFile(file, await renderHeatMapPng(map));
  else throw new Error(`writeHeatMap: ${file}: the extension must be .svg or .png`);
}

/** The heat map of a phase diagram: the equilibrium branch's `quantity` at each cell, the lines, the regions. */
export function heatMapOf(d: Diagram, model: string, quantity: string, regions?: Regions): HeatMap {
  return {
    title: `${model}: ${quantity} of the equilibrium branch`,
    x: d.spec.x, y: d.spec.y, quantity,
    values: d.cells.map((col) => col.map((c) => selectedValue(c, quantity))),
    lines: [...d.lines].map(([name, points]) => ({ name, points: points.map((p, k) => ({ x: d.spec.x.values[k], y: p?.found ? p.threshold : NaN })) })),
    ...(regions && { regions: regionLabels(d, regions) }),
  };
}
