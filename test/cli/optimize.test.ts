/**
 * `saddle optimize` and `sweep --optimize` through the command line (issue 13, item 5). References: ridge's optimal
 * penalty is lambda = Delta in closed form (with a N(0, 1) prior and Gaussian noise of variance Delta, ridge at
 * lambda = Delta is the posterior mean, the Bayes-optimal estimator); a known function of two parameters.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../util/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'saddle-optimize-'));

describe('saddle optimize', () => {
  it('ridge: the optimal lambda is Delta; text and JSON with the origin and every solve', async () => {
    const r = await run('optimize', 'ridge', '--minimize', 'estimation_error', '--over', 'lambda', '--range', 'lambda=1e-4:10', '--set', 'alpha=2,Delta=0.5');
    expect(r.code).toBe(0);
    const m = /minimum of estimation_error = (\S+) at lambda = (\S+)/.exec(r.out);
    expect(m).not.toBeNull();
    expect(Math.abs(Number(m![2]) - 0.5) / 0.5).toBeLessThan(1e-5);
    const out = join(dir, 'o.json');
    const j = await run('optimize', 'ridge', '--minimize', 'estimation_error', '--over', 'lambda', '--set', 'alpha=0.7,Delta=0.1', '--json', '--out', out);
    expect(j.code).toBe(0);
    const o = JSON.parse(j.out);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(o);
    expect(o).toMatchObject({ model: 'ridge', status: 'converged', found: true, objective: 'estimation_error', maximize: false });
    expect(o.model_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof o.saddle_version).toBe('string');
    expect(Math.abs(o.at.lambda - 0.1) / 0.1).toBeLessThan(1e-5);
    expect(o.bracket.lambda[0]).toBeLessThanOrEqual(0.1 * (1 + 1e-9));
    expect(o.bracket.lambda[1]).toBeGreaterThanOrEqual(0.1 * (1 - 1e-9));
    expect(o.params).toMatchObject({ alpha: 0.7, Delta: 0.1 });
    expect(o.solves.length).toBe(o.evaluations);
    expect(o.solves.every((s: { status: string }) => s.status === 'converged')).toBe(true);
    expect(o.observables.estimation_error).toBe(o.value);
  }, 60_000);

  it('two parameters: the minimum of a known function', async () => {
    const file = join(dir, 'toy.yaml');
    writeFileSync(file, `name: toy
description: a known function of two parameters, minimal (0.5) at a = 1, b = 2
params:
  a: { default: 0.5, min: 0.01 }
  b: { default: 1, min: -5 }
order_params:
  q: { init: 0 }
updates:
  q: (a - 1)^2 + 3 * (b - 2 * a)^2 + 0.5
observables:
  f: q
`);
    const r = await run('optimize', file, '--minimize', 'f', '--over', 'a,b', '--range', 'a=0.1:10', '--range', 'b=-3:5', '--tol', '1e-8', '--json');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.at.a).toBeCloseTo(1, 4);
    expect(o.at.b).toBeCloseTo(2, 4);
    expect(o.value).toBeCloseTo(0.5, 9);
    // a on a linear scale too (b is searched on one anyway: its range is not positive): the same point
    const neg = await run('optimize', file, '--minimize', 'f', '--over', 'a,b', '--range', 'a=0.1:10', '--range', 'b=-3:5', '--linear', 'a', '--json');
    expect(JSON.parse(neg.out).at.a).toBeCloseTo(1, 4);
  }, 60_000);

  it('a condition that cannot hold: not found, exit 3; misuse: exit 2 with a message', async () => {
    const r = await run('optimize', 'ridge', '--minimize', 'estimation_error', '--over', 'lambda', '--where', 'V > 1e9');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/not found \(not-found\): no converged solve satisfies the conditions/);
    for (const argv of [
      ['--over', 'lambda'],
      ['--minimize', 'nope', '--over', 'lambda'],
      ['--minimize', 'gen_error', '--over', 'nope'],
      ['--minimize', 'gen_error', '--maximize', 'gen_error', '--over', 'lambda'],
      ['--minimize', 'gen_error', '--over', 'lambda', '--range', 'alpha=1:2'],
      ['--minimize', 'gen_error', '--over', 'lambda', '--range', 'lambda=2:1'],
      ['--minimize', 'gen_error', '--over', 'lambda', '--where', 'nope < 1'],
      ['--minimize', 'gen_error', '--over', 'lambda', '--set', 'lambda=1'],
      ['--minimize', 'gen_error', '--over', 'lambda', '--out', join(dir, 'x.csv')],
    ]) {
      const e = await run('optimize', 'ridge', ...argv);
      expect(e.code, argv.join(' ')).toBe(2);
      expect(e.err).not.toContain('    at ');
    }
  }, 60_000);
});

describe('saddle sweep --optimize', () => {
  it('along alpha, ridge\'s optimal lambda stays Delta: rows with lambda_opt, its bracket and the status', async () => {
    const out = join(dir, 'rows.csv');
    const r = await run('sweep', 'ridge', '--param', 'alpha=0.5:4:4', '--optimize', 'lambda', '--minimize', 'estimation_error', '--set', 'Delta=0.25', '--out', out);
    expect(r.code).toBe(0);
    const [head, ...rows] = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(','));
    for (const c of ['alpha', 'lambda_opt', 'lambda_opt_lo', 'lambda_opt_hi', 'estimation_error', 'status', 'model_sha256']) expect(head).toContain(c);
    expect(rows).toHaveLength(4);
    const col = (c: string) => rows.map((row) => row[head.indexOf(c)]);
    expect(col('status')).toEqual(['converged', 'converged', 'converged', 'converged']);
    for (const l of col('lambda_opt').map(Number)) expect(Math.abs(l - 0.25) / 0.25).toBeLessThan(1e-5);
    const errors = col('estimation_error').map(Number);
    expect([...errors].sort((a, b) => b - a)).toEqual(errors);
    const j = join(dir, 'rows.json');
    expect((await run('sweep', 'ridge', '--param', 'alpha=1:2:2', '--optimize', 'lambda', '--minimize', 'estimation_error', '--out', j)).code).toBe(0);
    expect(JSON.parse(readFileSync(j, 'utf8'))).toMatchObject({ model: 'ridge', axis: 'alpha', optimize: ['lambda'], objective: 'estimation_error' });
    expect((await run('sweep', 'ridge', '--param', 'alpha=1:2:2', '--optimize', 'alpha', '--minimize', 'estimation_error')).code).toBe(2);
  }, 60_000);
});
