/**
 * Counts on the command line are bounded, and refused with a clear message before any work (issue 11, item 7):
 * before, `--param alpha=0:1:1e15` and the like were an "internal error" or ran out of memory.
 */
import { describe, expect, it } from 'vitest';
import { MAX_AXIS_POINTS, MAX_GRID_POINTS, parseAxis } from '../../src/sweep/axis.ts';
import { runCli as run, type CliRun } from '../util/cli.ts';

function expectRefused(r: CliRun, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err).toMatch(message);
  expect(r.err).not.toContain('    at ');
}

describe('--param NAME=START:STOP:COUNT', () => {
  it('COUNT is at most 1,000,000 per axis', async () => {
    expect(MAX_AXIS_POINTS).toBe(1_000_000);
    expect(parseAxis(`a=0:1:${MAX_AXIS_POINTS}`).values).toHaveLength(MAX_AXIS_POINTS);
    expect(() => parseAxis(`a=0:1:${MAX_AXIS_POINTS + 1}`)).toThrow(/COUNT 1000001 is more than the 1,000,000 points an axis may have/);
    expectRefused(await run('sweep', 'ridge', '--param', 'alpha=0.5:1:1e15'), /^saddle sweep: `alpha=0\.5:1:1e15`: COUNT 1e15 is more than the 1,000,000 points/);
    expectRefused(await run('verify', 'ridge', '--d', '100', '--param', 'alpha=0.5:1:1e9'), /COUNT 1e9 is more than/);
    expectRefused(await run('report', 'ridge', '--out', 'r.html', '--param', 'alpha=0.5:1:1e9'), /COUNT 1e9 is more than/);
  });

  it('a grid has at most 1,000,000 points, counting branches', async () => {
    expect(MAX_GRID_POINTS).toBe(1_000_000);
    expectRefused(await run('sweep', 'ridge', '--param', 'alpha=0.5:1:1000', '--param', 'lambda=0.1:1:10000'),
      /^saddle sweep: --param: a grid of 1000 alpha x 10000 lambda = 10,000,000 points is more than the 1,000,000 allowed/);
    expectRefused(await run('sweep', 'ridge', '--param', 'alpha=0.5:1:1000', '--param', 'lambda=0.1:1:1000', '--direction', 'both'),
      /the sweep would make 2,000,000 rows \(points x branches\), more than the 1,000,000 allowed/);
  });

  it('sweep refuses the same --param twice, and a --param also given in --set', async () => {
    expectRefused(await run('sweep', 'ridge', '--param', 'alpha=0.5:1:3', '--param', 'alpha=1:2:3'), /^saddle sweep: --param alpha is given twice\n    hint: /);
    expectRefused(await run('sweep', 'ridge', '--param', 'alpha=0.5:1:3', '--set', 'lambda=0.1,alpha=2'),
      /^saddle sweep: `alpha` is both swept \(--param\) and fixed \(--set\)\n    hint: drop alpha from --set/);
    expectRefused(await run('sweep', 'ridge', '--param', 'lambda=0.1:1:3', '--param', 'alpha=0.5:1:3', '--set', 'alpha=2'), /`alpha` is both swept/);
    expectRefused(await run('verify', 'ridge', '--d', '100', '--param', 'alpha=0.5:1:3', '--set', 'alpha=2'), /`alpha` is both swept/);
    expectRefused(await run('report', 'ridge', '--out', 'r.html', '--param', 'alpha=0.5:1:3', '--set', 'alpha=2'), /`alpha` is both swept/);
  });

  it('a report phase grid is bounded too', async () => {
    expectRefused(await run('report', 'ridge', '--out', 'r.html', '--phase-x', 'alpha=0.5:1:10000', '--phase-y', 'lambda=0.1:1:10000'),
      /^saddle report: --phase-x, --phase-y: a grid of 10000 alpha x 10000 lambda = 100,000,000 points is more than the 1,000,000 allowed/);
  });
});

describe('threshold --scan', () => {
  it('is an integer from 3 to 100000', async () => {
    const base = ['threshold', 'ridge', '--param', 'alpha=0.5:2', '--kind', 'level', '--observable', 'gen_error', '--level', '1'];
    expectRefused(await run(...base, '--scan', '1e9'), /^saddle threshold: --scan 1e9 is not a valid value\n    hint: expected an integer from 3 to 100000/);
    expectRefused(await run(...base, '--scan', '2'), /--scan 2 is not a valid value/);
    expectRefused(await run('report', 'ridge', '--out', 'r.html', '--threshold', 'level:alpha=0.5:2,observable=gen_error,level=1,scan=1000000'), /scan=1000000 is not a valid value/);
  });
});

describe('simulation sizes', () => {
  it('--d is an integer from 2 to 1,000,000', async () => {
    expectRefused(await run('simulate', 'ridge', '--d', '1e7'), /^saddle simulate: --d 1e7 is more than the largest dimension, 1,000,000\n    hint: /);
    expectRefused(await run('simulate', 'ridge', '--d', '2.5'), /^saddle simulate: --d 2\.5 is not a valid value\n    hint: expected an integer from 2 to 1000000/);
    // one reader of a simulation plan: the same bounds written as --simulate
    expectRefused(await run('simulate', 'ridge', '--simulate', 'd=1e7'), /^saddle simulate: --simulate: d=1e7 is more than the largest dimension, 1,000,000/);
    expectRefused(await run('verify', 'ridge', '--d', '1'), /--d 1 is not a valid value/);
    expectRefused(await run('verify', 'ridge', '--d', '100', '--sizes', '50,2000000'), /--sizes: `2000000` is not an integer from 2 to 1000000/);
    expectRefused(await run('sweep', 'ridge', '--param', 'alpha=0.5:1:3', '--simulate', 'd=99999999,trials=2'), /--simulate: d=99999999 is more than the largest dimension, 1,000,000/);
  });

  it('--trials is an integer from 2 to 100,000', async () => {
    expectRefused(await run('simulate', 'ridge', '--d', '100', '--trials', '1e9'), /^saddle simulate: --trials 1e9 is more than the 100,000 allowed/);
    expectRefused(await run('verify', 'ridge', '--d', '100', '--trials', '1'), /^saddle verify: --trials 1 is not a valid value\n    hint: expected an integer from 2 \(a standard error needs two\) to 100000/);
    expectRefused(await run('sweep', 'ridge', '--param', 'alpha=0.5:1:3', '--simulate', 'd=100,trials=1000000'), /--simulate: trials=1000000 is more than the 100,000 allowed/);
  });
});
