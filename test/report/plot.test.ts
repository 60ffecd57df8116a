import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LinePlot,
  prettySymbol,
  renderPng,
  renderSvg,
  toVegaLite,
  writePlot,
} from '../../src/report/plot.ts';

/** The parts of the generated vega-lite spec that the tests look at. */
interface Encoding {
  x: { title: string; scale: { type?: string } };
  y: { title?: string; scale?: { type?: string }; value?: unknown };
  color: { scale: { domain: string[]; range: string[] }; legend: unknown };
}
interface Layer {
  data: { values: Record<string, unknown>[] };
  mark: { type: string; invalid?: string; point?: unknown };
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
    ['epsilon', 'ε'], ['tau', 'τ'], ['omega', 'ω'], ['nu', 'ν'], ['xi', 'ξ'], ['zeta', 'ζ'],
    ['phi', 'φ'], ['psi', 'ψ'], ['chi', 'χ'], ['pi', 'π'],
    ['alpha_c', 'α_c'], ['Delta0', 'Δ0'], ['q_hat', 'q\u0302'], ['qhat', 'q\u0302'],
    ['lambda_hat', 'λ\u0302'], ['m_alpha', 'm_α'],
    ['gen_error', 'gen_error'], ['value', 'value'], ['q', 'q'], ['alphabet', 'alphabet'], ['hat', 'hat'],
  ])('%s -> %s', (name, pretty) => {
    expect(prettySymbol(name)).toBe(pretty);
  });
});

describe('toVegaLite', () => {
  it('titles the axes with pretty symbols and draws points on the lines', () => {
    const spec = specOf(sweep);
    const [line] = spec.layer;
    expect(line.encoding.x.title).toBe('α');
    expect(line.encoding.y.title).toBe('q\u0302');
    expect(line.mark.type).toBe('line');
    expect(line.mark.point).toBeTruthy();
    expect(spec.background).toBe('white');
    expect(spec.title?.text).toBe('Perceptron');
  });

  it('has one legend entry per series, plus "not converged" for failed points', () => {
    const spec = specOf(sweep);
    const color = spec.layer[0].encoding.color;
    expect(color.scale.domain).toEqual(['q (forward)', 'q (backward)', 'not converged']);
    expect(color.legend).not.toBeNull();
    expect(color.scale.range[2]).toBe('#d62728');
    const failedLayer = spec.layer[1];
    expect(failedLayer.data.values).toEqual([{ x: 1.5, label: 'max iterations' }]);
    expect(failedLayer.encoding.y.value).toBe('height'); // at the bottom of the plot
  });

  it('has no legend for a single series without failures', () => {
    const spec = specOf({ xLabel: 'alpha', yLabel: 'gen_error', series: [sweep.series[1]] });
    expect(spec.layer).toHaveLength(1);
    expect(spec.layer[0].encoding.color.legend).toBeNull();
    expect(spec.layer[0].encoding.color.scale.domain).toEqual(['q (backward)']);
    expect(spec.title).toBeUndefined();
  });

  it('uses log scales when asked, and linear ones otherwise', () => {
    const lin = specOf(sweep).layer[0].encoding;
    expect(lin.x.scale.type).toBeUndefined();
    expect(lin.y.scale?.type).toBeUndefined();
    const log = specOf({ ...sweep, logX: true, logY: true }).layer[0].encoding;
    expect(log.x.scale.type).toBe('log');
    expect(log.y.scale?.type).toBe('log');
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

  it('puts the notes in the title when there is no title', () => {
    const spec = specOf({ xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 's', x: [1, 2], y: [0, 1] }] });
    expect(spec.title?.text).toEqual(['1 non-positive value omitted (log y axis)']);
  });

  it('rejects inconsistent input', () => {
    expect(() => toVegaLite({ xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [1, 2], y: [1] }] })).toThrow(
      /2 x values but 1 y values/,
    );
    const s = { name: 's', x: [1], y: [1] };
    expect(() => toVegaLite({ xLabel: 'x', yLabel: 'y', series: [s, s] })).toThrow(/duplicate series name "s"/);
  });

  it('is pure: the same plot gives the same spec', () => {
    expect(JSON.stringify(toVegaLite(sweep))).toBe(JSON.stringify(toVegaLite(sweep)));
  });
});

describe('rendering', () => {
  let svg: string;
  beforeAll(async () => {
    svg = await renderSvg(sweep);
  });

  it('renders a 640x400 SVG with the axis titles, series names and a white background', () => {
    expect(svg).toMatch(/^<svg [^>]*width="640" height="400"/);
    expect(svg).toContain('<rect width="640" height="400" fill="white"/>');
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const t of ['α', 'q\u0302', 'q (forward)', 'q (backward)', 'not converged', 'Perceptron']) {
      expect(texts).toContain(t);
    }
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
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
    expect(view.getUint32(16)).toBe(2 * 640);
    expect(view.getUint32(20)).toBe(2 * 400);
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
