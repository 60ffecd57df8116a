import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { compare } from '../../src/verify/compare.ts';
import { closeWorkers, simulateParallel } from '../../src/simulate/run.ts';

afterAll(() => closeWorkers());

/**
 * Every zoo model with a simulation section agrees with its simulation at d = 1000 (6 seeded trials on worker
 * threads, the documented tolerance |z| <= 4), at the file's default parameters. The simulation shares no code
 * with the replica solver: instances, estimators solved to their certificates, measurements.
 */
describe.each(['ridge', 'logistic', 'hinge', 'lasso', 'huber'])('theory = simulation at d = 1000: %s', (name) => {
  it('every measured quantity within 4 standard errors', async () => {
    const compiled = loadModel(`equations/${name}.yaml`);
    const run = await simulateParallel(compiled, {}, 1000, 6, 2026, 2);
    expect(run.trials.every((t) => t.converged && t.certificate <= 1e-8)).toBe(true);
    const { solution, rows } = compare(compiled, run, 4);
    expect(solution.status).toBe('converged');
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const r of rows) expect(Math.abs(r.z), `${r.quantity}: theory ${r.theory}, simulation ${r.mean} +- ${r.se}`).toBeLessThanOrEqual(4);
  }, 120_000);
});
