import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/io/csv.ts';
import { csvLine } from '../../src/report/table.ts';
import { runCli as run } from '../util/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'saddle-fit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Ridge's estimation error |w^ - w*|^2/d in closed form (rho = 1), written here from the PRIMER's equations and
 * independent of saddle's solver: V solves lambda V^2 + (lambda + alpha - 1) V = 1, m = alpha V/(1 + V), and
 * q = V^2 (mhat^2 + qhat) with qhat = alpha (1 + Delta - 2m + q)/(1 + V)^2 is linear in q. At large alpha the error
 * is ~ Delta/alpha: slope -1.
 */
function ridgeError(alpha: number, lambda: number, Delta: number): number {
  const b = lambda + alpha - 1;
  const V = (-b + Math.sqrt(b * b + 4 * lambda)) / (2 * lambda);
  const mhat = alpha / (1 + V);
  const m = mhat * V;
  const c = alpha * V * V / (1 + V) ** 2;
  const q = (V * V * mhat * mhat + c * (1 + Delta - 2 * m)) / (1 - c);
  return 1 - 2 * m + q;
}

/** Least squares of log y on log x, and central-difference local slopes, written out for the test. */
function lsq(xs: readonly number[], ys: readonly number[]): number {
  const u = xs.map(Math.log);
  const v = ys.map(Math.log);
  const mu = u.reduce((a, b) => a + b) / u.length;
  const mv = v.reduce((a, b) => a + b) / v.length;
  let num = 0;
  let den = 0;
  u.forEach((ui, i) => { num += (ui - mu) * (v[i] - mv); den += (ui - mu) ** 2; });
  return num / den;
}

const geometric = (lo: number, hi: number, n: number) => Array.from({ length: n }, (_, i) => Number((lo * (hi / lo) ** (i / (n - 1))).toPrecision(12)));

describe('saddle fit', () => {
  it('fits ridge\'s estimation error at large alpha: the closed form\'s slope, -1 asymptotically', { timeout: 120_000 }, async () => {
    const r = await run('fit', 'ridge', '--param', 'alpha=100:1e5:25:log', '--set', 'lambda=0.01,Delta=0.5', '--y', 'estimation_error',
      '--window', 'alpha=1e3:1e5', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.model).toBe('ridge');
    expect(o.model_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(o.params).toEqual({ lambda: 0.01, Delta: 0.5 });
    const xs = geometric(100, 1e5, 25).filter((x) => x >= 1e3 * (1 - 1e-12));
    expect(o.points).toBe(xs.length);
    const ys = xs.map((a) => ridgeError(a, 0.01, 0.5));
    // saddle's error 1 - 2m + q loses digits to cancellation at large alpha (m -> 1, tolerance 1e-12 on m and q)
    expect(o.slope).toBeCloseTo(lsq(xs, ys), 5);
    expect(Math.abs(o.slope + 1)).toBeLessThan(2e-3);
    expect(o.stderr).toBeGreaterThan(0);
    expect(o.stderr).toBeLessThan(1e-3);
    // the local slope at an interior point: the central difference of the closed form
    const k = 3;
    expect(o.local_slopes[k].x).toBeCloseTo(xs[k], 6);
    expect(o.local_slopes[k].slope).toBeCloseTo(Math.log(ys[k + 1] / ys[k - 1]) / Math.log(xs[k + 1] / xs[k - 1]), 5);
    // the local slopes approach -1 along the window
    expect(Math.abs(o.local_slopes.at(-1).slope + 1)).toBeLessThan(Math.abs(o.local_slopes[0].slope + 1));
  });

  it('reads the rates of kernel ridge on a power law off krr-powerlaw: -2a min(r, 1) (Cui et al. 2021)', { timeout: 120_000 }, async () => {
    // noiseless, lambda = n^-4 (faster than n^-a): the excess risk decays like n^(-2a min(r, 1)); saturation at r = 1
    for (const [r, rate] of [[0.3, -1.2], [1.5, -4]]) {
      const out = await run('fit', 'krr-powerlaw', '--param', 'n=1e3:1e6:25:log', '--set', `a=2,r=${r}`, '--y', 'excess_risk', '--json');
      expect(out.code, out.err).toBe(0);
      const o = JSON.parse(out.out);
      expect(o.points).toBe(25);
      expect(Math.abs(o.slope - rate)).toBeLessThan(1e-3);
      expect(Math.abs(o.local_slopes.at(-1).slope - rate)).toBeLessThan(1e-4);
    }
  });

  it('fits a synthetic sweep table: exact power law in the window, bad rows left out and counted', async () => {
    const cols = ['n', 'a', 'excess_risk', 'status', 'iterations', 'residual', 'branch', 'selected', 'warning', 'model', 'model_sha256', 'saddle_version'];
    const rows: (string | number)[][] = [];
    for (const n of geometric(10, 1e7, 19)) {
      // y = 2 n^-0.75 inside n in [1e3, 1e6]; another law outside, which the window must exclude
      const y = n >= 1e3 && n <= 1e6 ? 2 * n ** -0.75 : 5 * n ** -0.2;
      rows.push([n, 2, y, 'converged', 10, 1e-13, 'forward', '', 'a warning, with a comma', 'toy', 'ab'.repeat(32), '0.1.0']);
    }
    rows.push([3e4, 2, 1, 'max-iterations', 100, 1e-3, 'forward', '', '', 'toy', 'ab'.repeat(32), '0.1.0']); // not converged
    rows.push([5e4, 2, -1, 'converged', 10, 1e-13, 'forward', '', '=formula', 'toy', 'ab'.repeat(32), '0.1.0']); // y <= 0
    const file = join(dir, 'toy.csv');
    writeFileSync(file, `${[cols, ...rows].map(csvLine).join('\n')}\n`);
    expect(parseCsv(readFileSync(file, 'utf8'))[1][8]).toBe('a warning, with a comma');
    expect(parseCsv(readFileSync(file, 'utf8')).at(-1)![8]).toBe('=formula');
    const out = join(dir, 'toy-fit.json');
    const r = await run('fit', file, '--y', 'excess_risk', '--window', 'n=1e3:1e6', '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(3); // a row did not converge
    expect(r.out).toContain('slope -0.75');
    const o = JSON.parse(readFileSync(out, 'utf8'));
    expect(o.slope).toBeCloseTo(-0.75, 12);
    expect(o.stderr).toBeLessThan(1e-12);
    expect(o.prefactor).toBeCloseTo(2, 10);
    expect(o.points).toBe(10);
    expect(o.left_out).toBe(1);
    expect(o.not_converged).toBe(1);
    expect(o.model).toBe('toy');
    expect(o.local_slopes).toHaveLength(10);
    for (const s of o.local_slopes) expect(s.slope).toBeCloseTo(-0.75, 12);
  });

  it('reads a JSON sweep with two branches: the equilibrium by default, another with --branch', async () => {
    const columns = ['alpha', 'err', 'status', 'branch', 'selected'];
    const xs = geometric(1, 100, 9);
    const rows = [
      ...xs.map((a) => ({ alpha: a, err: a ** -2, status: 'converged', branch: 'uninformed', selected: a > 10 ? 'true' : 'false' })),
      ...xs.map((a) => ({ alpha: a, err: a ** -1, status: 'converged', branch: 'informed', selected: a > 10 ? 'false' : 'true' })),
    ];
    const file = join(dir, 'two.json');
    writeFileSync(file, JSON.stringify({ model: 'two', model_sha256: 'cd'.repeat(32), saddle_version: '0.1.0', params: { lambda: 0.1 }, axes: [{ name: 'alpha', values: xs }], columns, rows }));
    const sel = JSON.parse((await run('fit', file, '--y', 'err', '--window', 'alpha=20:100', '--json')).out);
    expect(sel.branch).toBe('selected');
    expect(sel.slope).toBeCloseTo(-2, 12);
    expect(sel.params).toEqual({ lambda: 0.1 });
    const inf = JSON.parse((await run('fit', file, '--y', 'err', '--branch', 'informed', '--json')).out);
    expect(inf.slope).toBeCloseTo(-1, 12);
    expect(inf.points).toBe(9);
  });

  it('draws the curve and the fitted line on a log-log plot', { timeout: 120_000 }, async () => {
    const file = join(dir, 'line.csv');
    writeFileSync(file, `x,y\n${geometric(1, 1e4, 12).map((x) => `${x},${3 * x ** 0.5}`).join('\n')}\n`);
    const svg = join(dir, 'line.svg');
    const r = await run('fit', file, '--y', 'y', '--plot', svg);
    expect(r.code).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text).toContain('<svg');
    expect(text).toContain('fit: slope 0.5');
  });

  it('refuses misuse with a message and a hint', async () => {
    const file = join(dir, 'line2.csv');
    writeFileSync(file, `x,y\n1,1\n2,0.5\n4,0.25\n`);
    const cases: string[][] = [
      ['fit', file, '--y', 'y', '--window', 'z=1:4'], // not the swept parameter
      ['fit', file, '--y', 'y', '--window', 'x=4:1'], // LO above HI
      ['fit', file, '--y', 'nope'], // no such column
      ['fit', file, '--y', 'y', '--window', 'x=3:4'], // one point
      ['fit', file, '--y', 'y', '--set', 'a=1'], // a sweep option with a file
      ['fit', 'ridge', '--y', 'gen_error'], // no --param
      ['fit', 'ridge', '--param', 'alpha=1:2:3', '--param', 'lambda=1:2:3'], // a grid
      ['fit', file, '--y', 'y', '--out', join(dir, 'x.csv')], // not JSON
    ];
    for (const argv of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).not.toContain('    at ');
      expect(r.out).toBe('');
    }
    const grid = join(dir, 'grid.csv');
    writeFileSync(grid, `x,z,y,status\n1,1,1,converged\n2,1,0.5,converged\n1,2,2,converged\n2,2,1,converged\n`);
    const g = await run('fit', grid, '--y', 'y');
    expect(g.code).toBe(2);
    expect(g.err).toContain('a fit takes a line');
  });
});
