/**
 * Any vega-lite spec to SVG (vega, headless: renderer 'none') and to PNG (resvg), deterministic: the same spec
 * always gives the same bytes. Shared by the line plots (plot.ts) and the heat maps.
 */
import { renderAsync } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { PNG_SCALE } from './figure.ts';

/**
 * vega numbers clip paths and gradients from a process-global counter; renumber them in order of appearance
 * so the same spec always yields the same string.
 */
function normalizeIds(svg: string): string {
  const map = new Map<string, string>();
  return svg.replace(/\b(clip|gradient_|pattern_)(\d+)\b/g, (whole, prefix: string) => {
    let id = map.get(whole);
    if (id === undefined) {
      id = `${prefix}${map.size + 1}`;
      map.set(whole, id);
    }
    return id;
  });
}

/** A vega-lite spec rendered to an SVG string. */
export async function renderSpecSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return normalizeIds(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * An SVG string rendered to PNG bytes at `scale` times its size (resvg `fitTo: zoom`), on white, with the
 * system fonts (DejaVu Sans when the SVG's font is missing: it has the Greek letters, the combining circumflex
 * and the subscripts that the labels use).
 */
export async function svgToPng(svg: string, scale: number = PNG_SCALE): Promise<Uint8Array> {
  if (!(scale > 0 && Number.isFinite(scale))) throw new Error(`svgToPng: scale must be a positive number, got ${scale}`);
  const image = await renderAsync(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    logLevel: 'off',
  });
  const png = image.asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** A vega-lite spec rendered to PNG bytes at `scale` (default PNG_SCALE = 2) times the SVG size. */
export async function renderSpecPng(spec: TopLevelSpec, scale: number = PNG_SCALE): Promise<Uint8Array> {
  return svgToPng(await renderSpecSvg(spec), scale);
}

/** Width and height in px of a PNG (from its IHDR chunk). */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
