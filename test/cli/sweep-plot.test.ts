import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pngSize } from '../../src/report/render.ts';
import { runCli as run } from '../util/cli.ts';


const dir = mkdtempSync(join(tmpdir(), 'saddle-sweep-plot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const svgSize = (svg: string) => /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg)!.slice(1).map(Number);

describe('saddle sweep: plots', () => {
  it('--init all on a model with a free energy: metastable stretches dashed, the equilibrium solid; the PNG at 2x the SVG', async () => {
    const svg = join(dir, 'branches.svg');
    const png = join(dir, 'branches.png');
    const r = await run('sweep', 'perceptron-binary-bayes', '--param', 'alpha=1:1.8:17', '--init', 'all', '--y', 'mse', '--plot', svg, '--plot', png);
    expect(r.code).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/aria-roledescription="line mark"[^>]*stroke-dasharray="6,4"/);
    for (const label of ['>equilibrium<', '>metastable<', '>uninformed<', '>informed<', '>α<', '>MSE<']) expect(text).toContain(label);
    const [w, h] = svgSize(text);
    expect(w).toBe(480);
    expect(pngSize(readFileSync(png))).toEqual({ width: 2 * w, height: 2 * h });
  }, 60_000);

  it('--log-x and --log-y (and the old --logx, --logy) give log scales; the powers of ten are labelled', async () => {
    const a = join(dir, 'log-a.svg');
    const b = join(dir, 'log-b.svg');
    expect((await run('sweep', 'ridge', '--param', 'alpha=0.01:10:13:log', '--set', 'lambda=0.01', '--y', 'gen_error', '--log-x', '--log-y', '--plot', a)).code).toBe(0);
    expect((await run('sweep', 'ridge', '--param', 'alpha=0.01:10:13:log', '--set', 'lambda=0.01', '--y', 'gen_error', '--logx', '--logy', '--plot', b)).code).toBe(0);
    const text = readFileSync(a, 'utf8');
    expect(readFileSync(b, 'utf8')).toBe(text);
    for (const label of ['>10⁻²<', '>10⁻¹<', '>1<', '>10<']) expect(text).toContain(label);
  }, 60_000);

  it('--log-x refuses a swept range that reaches 0; --log-y leaves non-positive values out of the plot, says so, and keeps the rows', async () => {
    const refused = await run('sweep', 'ridge', '--param', 'lambda=0:1:3', '--log-x', '--plot', join(dir, 'no.svg'));
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--log-x: lambda takes 1 value <= 0 \(0\), which a log axis cannot place/);
    expect(refused.err).toMatch(/hint: sweep a positive range/);
    // Curie-Weiss: the magnetisation is negative for h < 0
    const csv = join(dir, 'negative.csv');
    const svg = join(dir, 'negative.svg');
    const r = await run('sweep', 'test/fixtures/curie-weiss.yaml', '--param', 'h=-1:1:9', '--set', 'beta=0.5', '--y', 'm', '--log-y', '--out', csv, '--plot', svg);
    expect(r.code).toBe(0);
    expect(readFileSync(csv, 'utf8').trim().split('\n').slice(1)).toHaveLength(9); // every row is in the CSV
    expect(r.out).toMatch(/plot: 5 non-positive values omitted \(log y axis\); the rows keep every point/);
    expect(readFileSync(svg, 'utf8')).toContain('omitted (log y axis)');
  }, 60_000);
});
