import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LinePlot,
  plotNotes,
  prettyLabel,
  prettySymbol,
  renderPng,
  renderSpecPng,
  renderSpecSvg,
  renderSvg,
  toVegaLite,
  writePlot,
} from '../../src/report/plot.ts';
import { DASHES, FIGURE_WIDTH, FONT_SIZE, PALETTE, PNG_SCALE, SHAPES, STABILITY_DASHES } from '../../src/report/figure.ts';
import { pngSize } from '../../src/report/render.ts';

/** The parts of the generated vega-lite spec that the tests look at. */
interface Channel { field?: string; datum?: string; scale: { domain: string[]; range: unknown[] }; legend: unknown }
interface Encoding {
  x: { title: string; scale: { type?: string }; axis?: { labelExpr?: string; format?: string } };
  y: { title?: string; scale?: { type?: string }; value?: unknown; axis?: { labelExpr?: string; format?: string } };
  color: Channel;
  strokeDash?: Channel;
  shape?: Channel;
  fill?: Channel;
}
interface Layer {
  data: { values: Record<string, unknown>[] };
  mark: { type: string; invalid?: string; shape?: string };
  encoding: Encoding;
}
interface Spec {
  title?: { text: string | string[]; subtitle?: string[] };
  background: string;
  width: number;
  height: number;
  layer: Layer[];
}
const specOf = (plot: LinePlot): Spec => toVegaLite(plot) as unknown as Spec;

const sweep: LinePlot = {
  title: 'Perceptron',
  xLabel: 'alpha',
  yLabel: 'q_hat',
  series: [
    { name: 'q (forward)', x: [0.5, 1, 1.5, 2, 2.5], y: [0.1, 0.2, null, 0.4, 0.5] },
    { name: 'q (backward)', x: [0.5, 1, 1.5, 2, 2.5], y: [0.15, 0.25, 0.35, 0.45, 0.55] },
  ],
  failed: [{ x: 1.5, label: 'max iterations' }],
};

/** The `d` attribute of the vega line-mark path for one series. */
function linePath(svg: string, series: string): string {
  const paths = [...svg.matchAll(/<path [^>]*aria-roledescription="line mark"[^>]*>/g)].map((m) => m[0]);
  const path = paths.find((p) => p.includes(`series: ${series}"`));
  if (path === undefined) throw new Error(`no line path for ${series}`);
  return /\sd="([^"]*)"/.exec(path)![1];
}

describe('prettySymbol', () => {
  it.each([
    ['alpha', 'α'], ['lambda', 'λ'], ['Delta', 'Δ'], ['delta', 'δ'], ['kappa', 'κ'], ['beta', 'β'],
    ['rho', 'ρ'], ['sigma', 'σ'], ['eta', 'η'], ['gamma', 'γ'], ['theta', 'θ'], ['mu', 'μ'],
    ['epsilon', 'ε'], ['eps', 'ε'], ['tau', 'τ'], ['omega', 'ω'], ['nu', 'ν'], ['xi', 'ξ'], ['zeta', 'ζ'],
    ['phi', 'φ'], ['psi', 'ψ'], ['chi', 'χ'], ['pi', 'π'],
    ['alpha_c', 'α_c'], ['Delta0', 'Δ₀'], ['x_1', 'x₁'], ['q_hat', 'q\u0302'], ['qhat', 'q\u0302'],
    ['lambda_hat', 'λ\u0302'], ['m_alpha', 'm_α'], ['Delta_out', 'Δₒᵤₜ'], ['mse_x', 'MSEₓ'],
    ['value', 'value'], ['q', 'q'], ['alphabet', 'alphabet'], ['hat', 'hat'], ['_x', '_x'],
  ])('%s -> %s', (name, pretty) => {
    expect(prettySymbol(name)).toBe(pretty);
  });

  // Every parameter, order parameter and observable of the zoo (equations/*.yaml), as an axis title shows it.
  it.each([
    ['alpha', 'α'], ['alpha_c', 'α_c'], ['kappa', 'κ'], ['lambda', 'λ'], ['rho', 'ρ'], ['Delta', 'Δ'],
    ['Delta_out', 'Δₒᵤₜ'], ['eps', 'ε'], ['a', 'a'],
    ['Vhat', 'V\u0302'], ['mhat', 'm\u0302'], ['qhat', 'q\u0302'], ['V', 'V'], ['m', 'm'], ['q', 'q'],
    ['gen_error', 'generalisation error'], ['train_error', 'training error'], ['train_loss', 'training loss'],
    ['estimation_error', 'estimation error'], ['free_energy', 'free energy'], ['mse', 'MSE'], ['mse_x', 'MSEₓ'],
    ['err', 'err'], ['on_margin', 'on margin'], ['outlier_fraction', 'outlier fraction'], ['sparsity', 'sparsity'],
    ['mutual_information', 'mutual information'],
  ])('zoo: %s -> %s', (name, pretty) => {
    expect(prettySymbol(name)).toBe(pretty);
  });

  it('prettyLabel rewrites the names inside a legend label and leaves numbers alone', () => {
    expect(prettyLabel('gen_error (alpha=0.5, forward)')).toBe('generalisation error (α=0.5, forward)');
    expect(prettyLabel('qhat (uninformed backward)')).toBe('q\u0302 (uninformed backward)');
    expect(prettyLabel('lambda=1e-3')).toBe('λ=1e-3');
  });
});

describe('toVegaLite', () => {
  it('titles the axes with pretty symbols', () => {
    const spec = specOf(sweep);
    const [line] = spec.layer;
    expect(line.encoding.x.title).toBe('α');
    expect(line.encoding.y.title).toBe('q\u0302');
    expect(line.mark.type).toBe('line');
    expect(spec.background).toBe('white');
    expect(spec.title?.text).toBe('Perceptron');
    expect(spec.width).toBe(FIGURE_WIDTH);
  });

  it('gives each series a colour and a dash pattern, in one legend; failed points get their own red triangle entry', () => {
    const spec = specOf(sweep);
    const { color, strokeDash } = spec.layer[0].encoding;
    expect(color.scale.domain).toEqual(['q (forward)', 'q (backward)']);
    expect(color.scale.range).toEqual(PALETTE.slice(0, 2));
    expect(strokeDash?.field).toBe('series');
    expect(strokeDash?.scale.domain).toEqual(color.scale.domain);
    expect(strokeDash?.scale.range).toEqual(DASHES.slice(0, 2));
    expect(color.legend).not.toBeNull();
    expect(strokeDash?.legend).toEqual(color.legend); // same legend: vega-lite merges them
    const failedLayer = spec.layer[spec.layer.length - 1];
    expect(failedLayer.data.values).toEqual([{ x: 1.5, label: 'max iterations' }]);
    expect(failedLayer.encoding.y.value).toBe('height'); // at the bottom of the plot
    expect(failedLayer.mark.shape).toBe('triangle-up');
    expect(failedLayer.encoding.fill?.datum).toBe('not converged');
    expect(failedLayer.encoding.fill?.scale.range).toEqual(['#d62728']);
  });

  it('has no legend for a single series without failures', () => {
    const spec = specOf({ xLabel: 'alpha', yLabel: 'gen_error', series: [sweep.series[1]] });
    expect(spec.layer).toHaveLength(1);
    expect(spec.layer[0].encoding.color.legend).toBeNull();
    expect(spec.layer[0].encoding.color.scale.domain).toEqual(['q (backward)']);
    expect(spec.layer[0].encoding.y.title).toBe('generalisation error');
    expect(spec.title).toBeUndefined();
  });

  it('shows series names through prettyLabel in the legend and the data', () => {
    const spec = specOf({ xLabel: 'alpha', yLabel: 'value', series: [
      { name: 'gen_error (lambda=0.1)', x: [1, 2], y: [1, 2] }, { name: 'qhat', x: [1, 2], y: [3, 4] }] });
    expect(spec.layer[0].encoding.color.scale.domain).toEqual(['generalisation error (λ=0.1)', 'q\u0302']);
    expect(new Set(spec.layer[0].data.values.map((r) => r.series))).toEqual(new Set(['generalisation error (λ=0.1)', 'q\u0302']));
  });

  it('uses log scales when asked, and linear ones otherwise', () => {
    const lin = specOf(sweep).layer[0].encoding;
    expect(lin.x.scale.type).toBeUndefined();
    expect(lin.y.scale?.type).toBeUndefined();
    expect(lin.x.axis).toBeUndefined();
    const log = specOf({ ...sweep, logX: true, logY: true }).layer[0].encoding;
    expect(log.x.scale.type).toBe('log');
    expect(log.y.scale?.type).toBe('log');
    // less than two decades of data: vega's ticks with plain labels
    expect(log.x.axis?.format).toBe('~g');
  });

  it('labels a log axis at the powers of ten (10⁻², 10⁻¹, 1, 10) when the data span two decades or more', () => {
    const spec = specOf({ xLabel: 'alpha', yLabel: 'gen_error', logX: true, logY: true,
      series: [{ name: 's', x: [0.01, 0.1, 1, 10], y: [0.5, 0.4, 0.3, 0.2] }] });
    const { x, y } = spec.layer[0].encoding;
    expect(x.axis?.labelExpr).toMatch(/round\(log\(datum\.value\) \/ LN10\)/);
    expect(y.axis?.format).toBe('~g'); // 0.2..0.5: no power of ten inside
  });

  it('draws the simulation points as open circles with capped error bars in the colour of their series', () => {
    const spec = specOf({ ...sweep, measured: [{ series: 'q (forward)', x: 1, y: 0.21, lo: 0.19, hi: 0.23 }], measuredLabel: 'simulation, 3 trials' });
    const bars = spec.layer.find((l) => l.mark.type === 'errorbar')!;
    expect(bars.encoding.y.title).toBe('q\u0302');
    expect((bars.encoding as unknown as { y2: { field: string } }).y2.field).toBe('hi');
    expect((bars.mark as unknown as { ticks: unknown }).ticks).toBeTruthy();
    expect(bars.encoding.color.scale.domain).toEqual(['q (forward)', 'q (backward)']);
    const points = spec.layer[spec.layer.indexOf(bars) + 1];
    expect(points.mark).toMatchObject({ type: 'point', filled: false, shape: 'circle' });
    expect(spec.title?.subtitle).toEqual(['lines: theory; open circles: simulation, 3 trials']);
  });

  it('marks a point that has no neighbour to join (a line needs two points)', () => {
    const spec = specOf({ xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [1, 2, 3, 4], y: [1, null, 3, null] }] });
    const points = spec.layer.find((l) => l.mark.type === 'point')!;
    expect(points.data.values).toEqual([{ series: 's', x: 1, y: 1 }, { series: 's', x: 3, y: 3 }]);
  });

  it('keeps a null y as a row with y = null and breaks the path there', () => {
    const [line] = specOf(sweep).layer;
    const forward = line.data.values.filter((r) => r.series === 'q (forward)');
    expect(forward).toHaveLength(5);
    expect(forward[2]).toEqual({ series: 'q (forward)', x: 1.5, y: null });
    // 'filter' would connect across the gap; a break-paths mode breaks the line.
    expect(line.mark.invalid).toMatch(/^break-paths/);
  });

  it('removes non-positive values from log axes and says so in the subtitle', () => {
    const spec = specOf({
      title: 't',
      xLabel: 'alpha',
      yLabel: 'value',
      logX: true,
      logY: true,
      series: [{ name: 's', x: [0, 1, 2, 3], y: [1, 2, -0.5, 4] }],
    });
    const rows = spec.layer[0].data.values;
    expect(rows.map((r) => r.x)).toEqual([1, 2, 3]);
    expect(rows.map((r) => r.y)).toEqual([2, null, 4]);
    expect(spec.title?.subtitle).toEqual([
      '1 point with α ≤ 0 omitted (log x axis)',
      '1 non-positive value omitted (log y axis)',
    ]);
  });

  it('puts the notes in the title when there is no title; plotNotes gives them to the CLI', () => {
    const plot: LinePlot = { xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 's', x: [1, 2], y: [0, 1] }] };
    expect(specOf(plot).title?.text).toEqual(['1 non-positive value omitted (log y axis)']);
    expect(plotNotes(plot)).toEqual(['1 non-positive value omitted (log y axis)']);
    expect(plotNotes(sweep)).toEqual([]);
  });

  it('rejects inconsistent input', () => {
    expect(() => toVegaLite({ xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [1, 2], y: [1] }] })).toThrow(
      /2 x values but 1 y values/,
    );
    const s = { name: 's', x: [1], y: [1] };
    expect(() => toVegaLite({ xLabel: 'x', yLabel: 'y', series: [s, s] })).toThrow(/duplicate series name "s"/);
    expect(() => toVegaLite({ xLabel: 'x', yLabel: 'y', series: [{ ...s, stability: [] }] })).toThrow(/1 points but 0 stabilities/);
  });

  it('is pure: the same plot gives the same spec', () => {
    expect(JSON.stringify(toVegaLite(sweep))).toBe(JSON.stringify(toVegaLite(sweep)));
  });
});

/** A first-order transition: branch A is the equilibrium up to x = 3 and metastable after; B the reverse; B fails at x = 1. */
const branches: LinePlot = {
  xLabel: 'alpha',
  yLabel: 'mse',
  series: [
    { name: 'mse (A)', x: [1, 2, 3, 4, 5], y: [0.9, 0.8, 0.7, 0.6, 0.5], stability: ['equilibrium', 'equilibrium', 'equilibrium', 'metastable', 'metastable'] },
    { name: 'mse (B)', x: [1, 2, 3, 4, 5], y: [null, 0.1, 0.08, 0.06, 0.04], stability: [null, 'metastable', 'metastable', 'equilibrium', 'equilibrium'] },
  ],
  failed: [{ x: 1, label: 'max-iterations (B)' }],
};

describe('branches with a free energy: equilibrium solid, metastable dashed', () => {
  const spec = specOf(branches);
  const [line] = spec.layer;
  const rows = (series: string, stability: string) => line.data.values.filter((r) => r.series === series && r.stability === stability).map((r) => r.y);

  it('encodes the dash by stability, solid for the equilibrium and dashed for metastable points', () => {
    expect(line.encoding.strokeDash?.field).toBe('stability');
    expect(line.encoding.strokeDash?.scale.domain).toEqual(['equilibrium', 'metastable']);
    expect(line.encoding.strokeDash?.scale.range).toEqual([[...STABILITY_DASHES.equilibrium], [...STABILITY_DASHES.metastable]]);
    expect(STABILITY_DASHES.equilibrium).toEqual([1, 0]); // solid
    expect(line.encoding.color.field).toBe('series');
  });

  it('splits each branch into its equilibrium and metastable stretches, joined where the stability changes, never across a failure', () => {
    // A: solid on x = 1..3; dashed from its last equilibrium point x = 3 on, so the curve stays continuous
    expect(rows('MSE (A)', 'equilibrium')).toEqual([0.9, 0.8, 0.7, null, null]);
    expect(rows('MSE (A)', 'metastable')).toEqual([null, null, 0.7, 0.6, 0.5]);
    // B: failed at x = 1 (a gap in both), dashed on 2..4, solid on 4..5
    expect(rows('MSE (B)', 'equilibrium')).toEqual([null, null, null, 0.06, 0.04]);
    expect(rows('MSE (B)', 'metastable')).toEqual([null, 0.1, 0.08, 0.06, null]);
    expect(line.mark.invalid).toMatch(/^break-paths/);
  });

  it('draws sparse markers with a shape per series (series stay apart in black and white), in the same legend as the colours', () => {
    const markers = spec.layer.find((l) => l.mark.type === 'point' && l.encoding.shape)!;
    expect(markers.encoding.shape?.scale.range).toEqual(SHAPES.slice(0, 2));
    expect(markers.encoding.shape?.legend).toEqual(markers.encoding.color.legend);
    expect(markers.data.values.length).toBeGreaterThan(0);
    expect(markers.data.values.every((r) => r.y !== null)).toBe(true);
  });

  it('renders two dashed paths (one per metastable stretch) and a legend entry for each stability', async () => {
    const svg = await renderSvg(branches);
    const dashed = [...svg.matchAll(/<path [^>]*aria-roledescription="line mark"[^>]*stroke-dasharray="6,4"[^>]*>/g)];
    expect(dashed).toHaveLength(2);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const t of ['equilibrium', 'metastable', 'MSE (A)', 'MSE (B)', 'not converged']) expect(texts).toContain(t);
  });
});

/** WCAG relative luminance of a #rrggbb colour, and its CIE lightness L* (what greyscale printing keeps). */
function luminance(hex: string): number {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const [r, g, b] = [1, 3, 5].map((i) => lin(parseInt(hex.slice(i, i + 2), 16) / 255));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const lightness = (y: number) => (y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (y * 24389) / 27);

describe('style', () => {
  it('the palette survives greyscale: lightnesses at least 10 L* apart, none too light on white, no failure red', () => {
    const l = PALETTE.map((c) => lightness(luminance(c))).sort((a, b) => a - b);
    for (let i = 1; i < l.length; i++) expect(l[i] - l[i - 1]).toBeGreaterThanOrEqual(9.9);
    expect(Math.max(...PALETTE.map(luminance))).toBeLessThan(0.55); // contrast with white >= 1.9 for 2 px lines
    expect(PALETTE).not.toContain('#d62728');
    expect(new Set(DASHES.map((d) => d.join(','))).size).toBe(DASHES.length);
    expect(new Set(SHAPES).size).toBe(SHAPES.length);
    expect(SHAPES).not.toContain('triangle-up'); // kept for failures
  });

  it('the first two series differ most (a light and a dark colour)', () => {
    expect(Math.abs(lightness(luminance(PALETTE[0])) - lightness(luminance(PALETTE[1])))).toBeGreaterThan(35);
  });

  it('font sizes print at 7 pt or more when the figure fills a 3.4 in column', () => {
    const scale = (3.4 * 72) / FIGURE_WIDTH; // pt per px
    expect(FONT_SIZE.axisLabel * scale).toBeGreaterThanOrEqual(7);
    expect(FONT_SIZE.legend * scale).toBeGreaterThanOrEqual(7);
    expect(FONT_SIZE.axisTitle * scale).toBeGreaterThanOrEqual(8);
  });
});

describe('rendering', () => {
  let svg: string;
  beforeAll(async () => {
    svg = await renderSvg(sweep);
  });

  it('renders an SVG FIGURE_WIDTH wide with the axis titles, series names and a white background', () => {
    expect(svg).toMatch(new RegExp(`^<svg [^>]*width="${FIGURE_WIDTH}" height="\\d+"`));
    expect(svg).toMatch(new RegExp(`<rect width="${FIGURE_WIDTH}" height="\\d+" fill="white"/>`));
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const t of ['α', 'q\u0302', 'q (forward)', 'q (backward)', 'not converged', 'Perceptron']) {
      expect(texts).toContain(t);
    }
    // text sizes of a paper figure
    expect(svg).toContain(`font-size="${FONT_SIZE.axisLabel}px"`);
    expect(svg).toContain(`font-size="${FONT_SIZE.axisTitle}px"`);
  });

  it('writes powers of ten on a log axis with superscripts', async () => {
    const log = await renderSvg({ xLabel: 'alpha', yLabel: 'gen_error', logX: true, series: [{ name: 's', x: [0.01, 0.1, 1, 10, 100], y: [5, 4, 3, 2, 1] }] });
    const texts = [...log.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const t of ['10⁻²', '10⁻¹', '1', '10', '10²', 'generalisation error']) expect(texts).toContain(t);
  });

  it('draws one line path per series, broken at the null point', () => {
    const lines = svg.match(/aria-roledescription="line mark"/g) ?? [];
    expect(lines).toHaveLength(2);
    const moveTos = (d: string) => (d.match(/M/g) ?? []).length;
    expect(moveTos(linePath(svg, 'q (forward)'))).toBe(2); // gap at alpha = 1.5
    expect(moveTos(linePath(svg, 'q (backward)'))).toBe(1);
  });

  it('is deterministic', async () => {
    expect(await renderSvg(sweep)).toBe(svg);
  });

  it('renders a PNG at twice the SVG size', async () => {
    const png = await renderPng(sweep);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
    const [, w, h] = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    expect(PNG_SCALE).toBe(2);
    expect(pngSize(png)).toEqual({ width: 2 * w, height: 2 * h });
  });

  it('renders any vega-lite spec (the heat maps use it), PNG at any scale', async () => {
    const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 100, height: 50, background: 'white',
      data: { values: [{ a: 1, b: 2 }, { a: 2, b: 3 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } } } as const;
    const out = await renderSpecSvg(spec);
    const [, w, h] = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(out)!.map(Number);
    expect(pngSize(await renderSpecPng(spec))).toEqual({ width: 2 * w, height: 2 * h });
    expect(pngSize(await renderSpecPng(spec, 3))).toEqual({ width: 3 * w, height: 3 * h });
    expect(await renderSpecSvg(spec)).toBe(out);
  });
});

describe('writePlot', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'saddle-plot-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes .svg and .png files', async () => {
    const plot: LinePlot = { xLabel: 'kappa', yLabel: 'value', series: [{ name: 'm', x: [1, 2], y: [3, 4] }] };
    await writePlot(plot, join(dir, 'a.svg'));
    await writePlot(plot, join(dir, 'b.PNG'));
    const svg = await readFile(join(dir, 'a.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('>κ</text>');
    const png = await readFile(join(dir, 'b.PNG'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('rejects other extensions, naming the supported ones', async () => {
    const plot: LinePlot = { xLabel: 'x', yLabel: 'y', series: [] };
    await expect(writePlot(plot, join(dir, 'c.pdf'))).rejects.toThrow(/"\.pdf".*\.svg, \.png/);
    await expect(writePlot(plot, join(dir, 'noext'))).rejects.toThrow(/supported: \.svg, \.png/);
  });
});
