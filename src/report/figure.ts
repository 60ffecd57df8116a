/**
 * The look shared by every figure of saddle (line plots, heat maps): size, fonts, palette, line and marker
 * styles, and the labels that turn model names into symbols (alpha -> α, qhat -> q̂, gen_error ->
 * generalisation error). Pure constants and functions; rendering is in render.ts.
 *
 * Sizes are for a one-column figure of a paper: FIGURE_WIDTH px scaled to a column of ~3.4 in (245 pt) shrinks
 * text by ~0.5, so FONT_SIZE.axisLabel = 15 px prints at ~7.5 pt and axis titles at ~8.5 pt (journals ask for
 * 7 to 9 pt in figures). The PNG is rendered at PNG_SCALE = 2 (960 px wide): sharp at that size on paper.
 */

/** Overall figure width in px (SVG); the height follows from the plot area, the legend and the notes. */
export const FIGURE_WIDTH = 480;
/** Height of the plot area (the data rectangle) in px. */
export const PLOT_AREA_HEIGHT = 260;
/** The PNG is rendered at this multiple of the SVG size. */
export const PNG_SCALE = 2;

export const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';
/** Font sizes in px (see the file comment for the printed sizes). */
export const FONT_SIZE = { title: 17, subtitle: 13, axisTitle: 17, axisLabel: 15, legend: 15, note: 13 } as const;
/** Line width of theory curves in px (~1 pt printed). */
export const STROKE_WIDTH = 2;

/**
 * Series colours, ordered so that the first ones differ most. Each has a distinct lightness, CIE L* = 23, 66,
 * 45, 35, 76, 56, 11 (at least 10 apart, relative luminance 0.04 to 0.50), so the series stay apart in
 * greyscale; no pure red, which marks failures. Designed in CIE LCh (a blue, an orange, a green, a purple, a
 * sky blue, a rose, near-black); also distinguishable with the common colour-vision deficiencies, helped by
 * the dash patterns and markers that go with each colour.
 */
export const PALETTE: readonly string[] = ['#00376c', '#f4822f', '#217a38', '#7f3285', '#4acbe9', '#cf628f', '#1d1d1d'];
/** Dash patterns per series (vega strokeDash: on, off, ...), in the palette's order: solid first. */
export const DASHES: readonly (readonly number[])[] = [[1, 0], [7, 3], [2, 2.5], [9, 3, 2, 3], [4, 4], [12, 3, 2, 3, 2, 3], [1, 4]];
/** Marker shapes per series (vega symbol shapes). `triangle-up` is kept for failures. */
export const SHAPES: readonly string[] = ['circle', 'square', 'diamond', 'triangle-down', 'cross', 'triangle-left', 'triangle-right'];
/** Failed points: red triangles at the bottom of the plot. */
export const FAILED_COLOR = '#d62728';
export const FAILED_SHAPE = 'triangle-up';
/** Stability of a branch point: the equilibrium (lowest free energy) solid, a metastable branch dashed. */
export const STABILITY_DASHES = { equilibrium: [1, 0], metastable: [6, 4] } as const;
/** Notes (omitted values, what the markers are) and other secondary text. */
export const NOTE_COLOR = '#555';

/** The i-th series style (colours, dashes and shapes cycle independently, so 7 x 7 combinations differ). */
export function seriesStyle(i: number): { color: string; dash: readonly number[]; shape: string } {
  return { color: PALETTE[i % PALETTE.length], dash: DASHES[i % DASHES.length], shape: SHAPES[i % SHAPES.length] };
}

/** The vega-lite `config` block of saddle's figures: fonts and sizes, light grid, no bold axis titles. */
export function vegaConfig(): Record<string, unknown> {
  return {
    font: FONT_FAMILY,
    view: { stroke: '#444', strokeWidth: 1 },
    axis: {
      grid: true, gridColor: '#e4e4e4', domainColor: '#444', tickColor: '#444', labelColor: '#222', titleColor: '#111',
      titleFontSize: FONT_SIZE.axisTitle, labelFontSize: FONT_SIZE.axisLabel, titleFontWeight: 'normal', labelFlush: true,
      labelOverlap: true, titlePadding: 6,
    },
    // about one tick per 80 px of x axis (vega's default, one per 40 px, crowds a column-wide figure)
    axisX: { tickCount: Math.round(FIGURE_WIDTH / 80) },
    legend: {
      labelFontSize: FONT_SIZE.legend, titleFontSize: FONT_SIZE.legend, titleFontWeight: 'normal', symbolSize: 80,
      symbolStrokeWidth: STROKE_WIDTH, symbolOpacity: 1, symbolType: 'stroke', labelLimit: FIGURE_WIDTH - 60, columnPadding: 16, rowPadding: 4,
      // several legends under the plot are stacked, left-aligned, rather than set side by side
      layout: { bottom: { anchor: 'start', direction: 'vertical', margin: 6 } },
    },
    title: { fontSize: FONT_SIZE.title, fontWeight: 'normal', subtitleFontSize: FONT_SIZE.subtitle, subtitleColor: NOTE_COLOR },
  };
}

// ---------------------------------------------------------------------------------------------- labels

const GREEK: Readonly<Record<string, string>> = {
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', eps: 'ε', zeta: 'ζ', eta: 'η',
  theta: 'θ', iota: 'ι', kappa: 'κ', lambda: 'λ', mu: 'μ', nu: 'ν', xi: 'ξ', pi: 'π', rho: 'ρ',
  sigma: 'σ', tau: 'τ', upsilon: 'υ', phi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω',
  // Capitals that differ from Latin letters.
  Gamma: 'Γ', Delta: 'Δ', Theta: 'Θ', Lambda: 'Λ', Xi: 'Ξ', Pi: 'Π', Sigma: 'Σ', Upsilon: 'Υ',
  Phi: 'Φ', Psi: 'Ψ', Omega: 'Ω',
};
/** Abbreviations of the zoo's observable names spelt out on axes and legends. */
const WORDS: Readonly<Record<string, string>> = { gen: 'generalisation', train: 'training', mse: 'MSE' };
const HAT = '\u0302'; // combining circumflex
/** Unicode subscripts (the letters that have one, and the digits): in DejaVu Sans, which renders the PNGs. */
const SUBSCRIPT: Readonly<Record<string, string>> = Object.fromEntries([
  ...'0123456789'.split('').map((c, i) => [c, String.fromCodePoint(0x2080 + i)]),
  ['a', 'ₐ'], ['e', 'ₑ'], ['h', 'ₕ'], ['i', 'ᵢ'], ['j', 'ⱼ'], ['k', 'ₖ'], ['l', 'ₗ'], ['m', 'ₘ'], ['n', 'ₙ'],
  ['o', 'ₒ'], ['p', 'ₚ'], ['r', 'ᵣ'], ['s', 'ₛ'], ['t', 'ₜ'], ['u', 'ᵤ'], ['v', 'ᵥ'], ['x', 'ₓ'],
  ['+', '₊'], ['-', '₋'],
]);

/** `text` in subscript characters when each has one, else `_text` (α_c: there is no subscript c). */
function subscript(text: string): string {
  const chars = [...text];
  return chars.every((c) => Object.hasOwn(SUBSCRIPT, c)) ? chars.map((c) => SUBSCRIPT[c]).join('') : `_${text}`;
}

interface Part { text: string; kind: 'symbol' | 'word' | 'number' }

/** One `_`-separated token: a symbol (a letter or a Greek name, maybe hatted, maybe with digits), a number or a word. */
function part(token: string): Part {
  if (/^\d+$/.test(token)) return { text: token, kind: 'number' };
  const m = /^([A-Za-z]+?)(hat)?(\d*)$/.exec(token);
  if (m) {
    const base = Object.hasOwn(GREEK, m[1]) ? GREEK[m[1]] : /^[A-Za-z]$/.test(m[1]) ? m[1] : undefined;
    if (base !== undefined) return { text: base + (m[2] ? HAT : '') + (m[3] ? subscript(m[3]) : ''), kind: 'symbol' };
  }
  return { text: Object.hasOwn(WORDS, token) ? WORDS[token] : token, kind: 'word' };
}

/**
 * A parameter or quantity name as it appears on an axis or a legend, token by token (tokens separated by `_`):
 * Greek names become letters (alpha -> α, Delta -> Δ, eps -> ε), a `hat` (suffix or token) a circumflex
 * (qhat, q_hat -> q̂; lambda_hat -> λ̂), digits after a symbol and a token after a symbol are subscripts when
 * Unicode has them (Delta0 -> Δ₀, Delta_out -> Δₒᵤₜ, alpha_c -> α_c), words are joined by spaces with the zoo's
 * abbreviations spelt out (gen_error -> generalisation error, mse_x -> MSEₓ). Other names come back unchanged.
 */
export function prettySymbol(name: string): string {
  const tokens = name.split('_');
  if (tokens.some((t) => t === '')) return name;
  const parts: Part[] = [];
  for (const token of tokens) {
    const prev = parts[parts.length - 1];
    if (token === 'hat' && prev?.kind === 'symbol' && !prev.text.endsWith(HAT)) { prev.text += HAT; continue; }
    parts.push(part(token));
  }
  let out = parts[0].text;
  for (let i = 1; i < parts.length; i++) {
    const [prev, p] = [parts[i - 1], parts[i]];
    out += prev.kind === 'word' && p.kind === 'word' ? ` ${p.text}` : subscript(p.text);
  }
  return out;
}

/** prettySymbol on every name inside a free text: "gen_error (alpha=0.5, forward)" -> "generalisation error (α=0.5, forward)". */
export function prettyLabel(text: string): string {
  return text.replace(/\b[A-Za-z][A-Za-z0-9_]*\b/g, (name) => prettySymbol(name));
}
