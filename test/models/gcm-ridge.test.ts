import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { directSum, finiteSpectrum } from './spectral-reference.ts';

/**
 * gcm-ridge.yaml is the replica fixed point (an iteration over V, m, q and their conjugates) with the spectrum a
 * declared law. Independent references: the deterministic equivalent of ridge (effective regularisation by
 * bisection, the excess risk in closed form) summed directly over the spectrum, on the default power law (4e6
 * modes and their tail expansion) and on empirical spectra written to a file here. lambda against the total loss
 * is n times the per-sample lambda of the references.
 */
describe('gcm-ridge.yaml', () => {
  const compiled = loadModel('equations/gcm-ridge.yaml');

  it.each([[1000, 1e-3, 0, 2, 0.3], [5000, 0.5, 0.2, 2.5, 0.8], [300, 1e-4, 1, 1.5, 1.5]])(
    'power law: n=%d lambda=%d Delta=%d a=%d r=%d against the direct sum', (n, lambda, Delta, a, r) => {
      const s = solve(compiled.problem({ n, lambda, Delta, a, r }));
      expect(s.status).toBe('converged');
      const ref = directSum(n, a, r, Delta, lambda / n);
      expect(Math.abs(s.observables.excess_risk / ref.excess - 1)).toBeLessThan(1e-8);
      expect(s.observables.test_error - s.observables.excess_risk).toBeCloseTo(Delta, 12);
    }, 120_000);

  it('an empirical spectrum from a file, on either side of the interpolation threshold n = p', () => {
    const dir = mkdtempSync(join(tmpdir(), 'saddle-gcm-'));
    const p = 400;
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const omega = new Float64Array(p);
    const t = new Float64Array(p);
    for (let i = 0; i < p; i++) { omega[i] = (i + 1) ** -1.3 * (0.5 + rand()); t[i] = omega[i] * rand() * 2 / p; }
    writeFileSync(join(dir, 'spectrum.txt'), ['# omega, teacher power', ...Array.from(omega, (w, i) => `${w} ${t[i]}`)].join('\n'));
    const text = readFileSync('equations/gcm-ridge.yaml', 'utf8')
      .replace(/^ {2}s: \{ law: power-law.*$/m, '  s: { law: spectrum, file: spectrum.txt, weights: modes }')
      .replace(/^ {2}st: \{ law: power-law.*$/m, '  st: { law: spectrum, file: spectrum.txt, weights: teacher }');
    const { compiled: gcm, issues } = check(join(dir, 'gcm.yaml'), text);
    expect(issues).toEqual([]);
    for (const [n, lambda, Delta] of [[100, 1e-3, 0.1], [350, 1e-2, 0.5], [800, 1e-4, 0.2], [2000, 1, 0]]) {
      const s = solve(gcm!.problem({ n, lambda, Delta }));
      expect(s.status).toBe('converged');
      const ref = finiteSpectrum(omega, t, n, Delta, lambda / n);
      expect(Math.abs(s.observables.excess_risk / ref.excess - 1)).toBeLessThan(1e-8);
    }
  }, 120_000);
});
