import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../util/cli.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const KINK = join(ROOT, 'test/fixtures/quadrature-kink.yaml');

/** Runs the CLI in-process, capturing what it prints (as in cli.test.ts). */

describe('saddle check: the quadrature report', () => {
  it('warns, located at the E, about a kink integrated by plain Gauss-Hermite; the split one is fine', async () => {
    const r = await run('check', KINK);
    expect(r.code).toBe(0); // warnings do not change the exit code
    expect(r.err).toBe('');
    expect(r.out).toMatch(/quadrature, n vs 2n nodes, at a=0\.3\d* \(init uninformed: converged after \d+ iterations\):/);
    expect(r.out).toMatch(/^ {2}update x +17:6 +64->128 .* WARN$/m);
    expect(r.out).toMatch(/^ {2}observable split +19:10 +64->128 .* ok$/m);
    expect(r.out).toMatch(/^ {2}observable smooth +20:11 +64->128 .* ok$/m);
    expect(r.out).toContain('quadrature: 1 of 3 expectations above an effect of 1.0e-10');
    const warnings = r.out.split('\n').filter((l) => l.includes('warning[quadrature]'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^${KINK.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:17:6: warning\\[quadrature\\]: an expectation in the update of \`x\` changes by [0-9.]+e-4 .*; \`x\` moves from 0\\.535\\d+ to 0\\.535\\d+, an effect of [0-9.]+e-4`));
    expect(r.out).toMatch(/hint: .*split it at the kink/);
  });

  it('--quad-tol sets the tolerance; --set the parameters of the solve', async () => {
    const loose = await run('check', KINK, '--quad-tol', '0.1');
    expect(loose.code).toBe(0);
    expect(loose.out).not.toContain('warning[quadrature]');
    expect(loose.out).toContain('quadrature: all 3 expectations are within an effect of 1.0e-1');
    const moved = await run('check', KINK, '--set', 'a=0.1');
    expect(moved.out).toMatch(/at a=0\.1\d* /);
    expect(moved.out).toContain('warning[quadrature]');
  });

  it('a solve that does not converge is said so, and the report uses its final state', async () => {
    const r = await run('check', KINK, '--max-iterations', '2');
    expect(r.code).toBe(0);
    expect(r.out).toContain('(init uninformed: NOT converged (max-iterations');
    expect(r.out).toContain('evaluated at the final state');
    expect(r.out).toContain('warning[quadrature]');
  });

  it('ridge has no expectations, hence no warning', async () => {
    const r = await run('check', 'ridge');
    expect(r.code).toBe(0);
    expect(r.out).toContain('quadrature: no expectations');
    expect(r.out).not.toContain('warning[quadrature]');
  });

  it('perceptron-bayes: one line per expectation, none above the tolerance', async () => {
    const r = await run('check', 'perceptron-bayes');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}update qhat +\d+:\d+ +64->128 .* ok$/m);
    expect(r.out).toMatch(/^ {2}free_energy +\d+:\d+ +64->128 .* ok$/m);
    expect(r.out).toContain('quadrature: all 2 expectations are within an effect of 1.0e-11');
    expect(r.out).not.toContain('warning[quadrature]');
  });

  it('bad options are input errors, before anything is printed', async () => {
    for (const argv of [['--quad-tol', '0'], ['--quad-tol', 'x'], ['--set', 'nope=1'], ['--init', 'nowhere']]) {
      const r = await run('check', KINK, ...argv);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^saddle check: /);
    }
  });
});
