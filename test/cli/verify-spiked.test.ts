import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { compare, type Comparison } from '../../src/verify/compare.ts';
import { closeWorkers, simulate, type SimulationRun } from '../../src/simulate/run.ts';
import { runCli as run } from '../util/cli.ts';

/**
 * AMP on the spiked Wigner matrix against the state evolution of equations/spiked-wigner.yaml, on both sides of
 * the transitions, at N >= 1000 and the documented tolerance |z| <= 4. The trials run in-process (the CLI test at
 * the end covers the worker threads and the exit codes). Away from lambda = 1, where finite-size effects are
 * largest; the sparse prior at N = 2000 (its |x|^2/N has relative spread 1/sqrt(rho N) = 10%).
 */
const FILE = 'equations/spiked-wigner.yaml';
const TOLERANCE = 4;
const model = (prior?: string) => loadModel(FILE, undefined, prior === undefined ? {} : { prior });

function verifies(run: SimulationRun, c = model(), init = 'uninformed'): Record<string, Comparison> {
  const { solution, rows } = compare(c, run, TOLERANCE, { init });
  expect(solution.status).toBe('converged');
  expect(run.trials.every((t) => t.converged), JSON.stringify(run.trials.map((t) => t.message))).toBe(true);
  return Object.fromEntries(rows.map((r) => [r.quantity, r]));
}
const passes = (rows: Record<string, Comparison>) => Object.values(rows).every((r) => r.pass);

afterAll(closeWorkers);

describe('saddle verify: spiked Wigner, AMP against its state evolution', () => {
  it('rademacher: lambda = 2 (m = 0.618) and 0.6 (m = 0), N = 1000', () => {
    const c = model('rademacher');
    const high = verifies(simulate(c, { lambda: 2 }, 1000, 6, 1), c);
    expect(passes(high), JSON.stringify(high)).toBe(true);
    expect(high.m.theory).toBeGreaterThan(0.6);
    const low = verifies(simulate(c, { lambda: 0.6 }, 1000, 6, 1), c);
    expect(passes(low), JSON.stringify(low)).toBe(true);
    expect(low.m.mean).toBeLessThan(1e-8);
  }, 60_000);

  it('gaussian: lambda = 2.5 (m = 0.6) and 0.5 (m = 0), N = 1000', () => {
    const c = model('gaussian');
    const high = verifies(simulate(c, { lambda: 2.5 }, 1000, 6, 1), c);
    expect(passes(high), JSON.stringify(high)).toBe(true);
    expect(high.m.theory).toBeCloseTo(0.6, 9);
    const low = verifies(simulate(c, { lambda: 0.5 }, 1000, 6, 1), c);
    expect(passes(low), JSON.stringify(low)).toBe(true);
  }, 60_000);

  it('sparse rho = 0.05, N = 2000: easy phase lambda = 2; hard phase lambda = 0.8, where AMP stays on the uninformed branch and not on the equilibrium', () => {
    const c = model();
    const easy = verifies(simulate(c, { lambda: 2, rho: 0.05 }, 2000, 5, 1), c);
    expect(passes(easy), JSON.stringify(easy)).toBe(true);
    expect(easy.m.theory).toBeGreaterThan(0.98);
    // 0.747 < lambda < 1.005: the uninformed branch (m = 0) is what AMP reaches ...
    const run = simulate(c, { lambda: 0.8, rho: 0.05 }, 2000, 5, 1);
    const hard = verifies(run, c);
    expect(passes(hard), JSON.stringify(hard)).toBe(true);
    // ... while the equilibrium, the informed branch (lower free energy), is not: the comparison discriminates
    const informed = verifies(run, c, 'informed');
    expect(informed.m.theory).toBeGreaterThan(0.6);
    expect(informed.m.pass).toBe(false);
  }, 60_000);

  it('a perturbed theory (snr 1.5 in the equations, 2 in the data) disagrees', () => {
    const c = model('rademacher');
    const run = simulate(c, { lambda: 2 }, 1000, 4, 2);
    const perturbed = loadModel('perturbed.yaml', readFileSync(FILE, 'utf8').replace('snr: lambda', 'snr: 1.5'), { prior: 'rademacher' });
    const rows = verifies(run, perturbed);
    expect(rows.m.pass).toBe(false);
    expect(passes(verifies(run, c))).toBe(true);
  }, 60_000);
});

describe('saddle verify on the command line, with --prior and worker threads', () => {

  it('--prior gaussian at lambda = 2.5 passes (exit 0); the informed start with --init informed too', async () => {
    const r = await run('verify', 'spiked-wigner', '--prior', 'gaussian', '--set', 'lambda=2.5', '--d', '1000', '--trials', '4', '--workers', '2', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.model).toBe('spiked-wigner (prior gaussian)');
    expect(j.points[0].rows.map((x: Comparison) => x.quantity)).toEqual(['m', 'mse', 'mse_x']);
    const informed = await run('verify', 'spiked-wigner', '--prior', 'rademacher', '--set', 'lambda=2,amp_start=1', '--init', 'informed', '--d', '1000', '--trials', '4', '--workers', '1');
    expect(informed.code, informed.out).toBe(0);
    expect(informed.out).toMatch(/every \|z\| <= 4/);
  }, 60_000);
});
