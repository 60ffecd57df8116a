/**
 * Any vega-lite spec to SVG (vega, headless: renderer 'none') and to PNG (resvg), deterministic: the same spec
 * always gives the same bytes. Shared by the line plots (plot.ts) and the heat maps.
 */
import { renderAsync } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { PNG_SCALE } from './figure.ts';

/**
 * Advance widths of DejaVu Sans (the font the PNGs are rendered with), in thousandths of an em, read from
 * DejaVuSans.ttf (hmtx through cmap): printable ASCII from the space, then the other characters our labels
 * use (Greek, sub- and superscripts, ±, ≤, …, the combining circumflex).
 */
const ASCII_WIDTHS = [318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838];
const OTHER_CHARS = 'ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρςστυφχψω±≤≥…·×−–—⁰¹²³⁴⁵⁶⁷⁸⁹⁻₀₁₂₃₄₅₆₇₈₉₊₋ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ\u0302°';
const OTHER_WIDTHS = [684, 686, 557, 684, 632, 685, 752, 787, 295, 656, 684, 863, 748, 632, 787, 752, 603, 632, 611, 611, 787, 685, 787, 764, 659, 638, 592, 612, 541, 544, 634, 612, 338, 589, 592, 636, 559, 558, 612, 602, 635, 587, 634, 602, 579, 660, 578, 660, 837, 838, 838, 838, 1000, 318, 838, 838, 500, 1000, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 528, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 528, 528, 392, 417, 404, 179, 175, 426, 166, 623, 398, 414, 428, 259, 373, 295, 405, 417, 444, 0, 500];
const WIDTH = new Map<string, number>([
  ...ASCII_WIDTHS.map((w, i) => [String.fromCharCode(32 + i), w] as [string, number]),
  ...[...OTHER_CHARS].map((c, i) => [c, OTHER_WIDTHS[i]] as [string, number]),
]);

/**
 * The width of a text in px as vega lays it out. Without a canvas, vega estimates 0.8 em per character, about
 * a third more than DejaVu Sans takes: titles and notes got truncated early, and axes and legends took room
 * that stayed empty. Bold text is taken 10% wider. Installed on vega's `textMetrics` (the hook vl-convert uses)
 * before each render: the same function every time, so renders stay deterministic.
 */
function textWidth(item: { fontSize?: number; fontWeight?: string | number }, text: string): number {
  const size = item.fontSize != null ? +item.fontSize || 0 : 11;
  let em = 0;
  for (const c of String(text ?? '')) em += WIDTH.get(c) ?? 620;
  const bold = item.fontWeight === 'bold' || +(item.fontWeight ?? 400) >= 600;
  return (em / 1000) * size * (bold ? 1.1 : 1);
}

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
  (vega as unknown as { textMetrics: { width: typeof textWidth } }).textMetrics.width = textWidth;
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
