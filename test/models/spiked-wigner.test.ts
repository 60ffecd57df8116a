import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { findThreshold } from '../../src/transitions/threshold.ts';
import { runCli as run } from '../util/cli.ts';

/**
 * equations/spiked-wigner.yaml against references that do not come from saddle: the Gaussian prior's closed form,
 * the Rademacher state evolution and free entropy iterated here with a trapezoid rule, weak recovery at
 * lambda = 1 (the BBP point, the linearisation m' = lambda m (E x^2)^2 of every zero-mean prior), the I-MMSE
 * relation d phi / d lambda = m^2 / 4, and the fold of the uninformed branch of the sparse prior predicted by the
 * small-snr expansion of the MMSE (Guo, Wu, Shamai, Verdu, IEEE Trans. Inf. Theory 57, 2371 (2011)):
 * m(s) = s - s^2 + c3 s^3 + O(s^4), c3 = (15 - 6 E x^4 + (E x^4)^2) / 6 for a symmetric prior of unit variance,
 * E x^4 = 1/rho; the fixed point m = m(lambda m) then gives lambda(m) = 1 + m - c3 m^2 + ..., whose maximum
 * lambda_alg = 1 + 1/(4 c3) + O(rho^3) is where the branch leaves m ~ 0 by a jump.
 */
const FILE = 'equations/spiked-wigner.yaml';
const model = (prior?: string) => loadModel(FILE, undefined, prior === undefined ? {} : { prior });
const npdf = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
/** E f(xi), xi ~ N(0, 1), by the trapezoid rule on [-12, 12] (spectrally accurate for smooth f). */
const gauss = (f: (xi: number) => number, n = 24_000) => {
  const h = 24 / n;
  let s = 0;
  for (let i = 0; i <= n; i++) s += (i === 0 || i === n ? 0.5 : 1) * npdf(-12 + i * h) * f(-12 + i * h);
  return s * h;
};
const logcosh = (x: number) => Math.abs(x) + Math.log1p(Math.exp(-2 * Math.abs(x))) - Math.LN2;


describe('spiked-wigner: closed forms and direct integrals', () => {
  it('gaussian prior: m = max(0, 1 - 1/lambda) and phi = lambda m/2 - log(1 + lambda m)/2 - lambda m^2/4', () => {
    const c = model('gaussian');
    for (const lambda of [0.3, 0.8, 1.2, 2, 5, 20]) {
      const s = solve(c.problem({ lambda }), { init: 'informed', rtol: 1e-13, maxIterations: 100_000 });
      const m = Math.max(0, 1 - 1 / lambda);
      expect(Math.abs(s.state.m - m), `lambda = ${lambda}`).toBeLessThan(1e-10);
      const phi = (lambda * m) / 2 - Math.log1p(lambda * m) / 2 - (lambda * m * m) / 4;
      expect(Math.abs(-s.observables.free_energy - phi)).toBeLessThan(1e-10);
      expect(s.observables.mse).toBeCloseTo(1 - m * m, 9);
      expect(Math.abs(s.observables.mutual_information - (lambda / 4 - phi))).toBeLessThan(1e-10);
    }
  });

  it('rademacher prior: the fixed point of m = E tanh(lambda m + sqrt(lambda m) xi) iterated with a trapezoid rule', () => {
    const c = model('rademacher');
    for (const lambda of [1.2, 1.5, 2, 4]) {
      let m = 1;
      for (let t = 0; t < 2000; t++) {
        const q = lambda * m;
        const next = gauss((xi) => Math.tanh(q + Math.sqrt(q) * xi));
        if (Math.abs(next - m) < 1e-15) break;
        m = next;
      }
      // saddle's update at the reference fixed point, then its own fixed point
      const p = c.problem({ lambda });
      const out = new Float64Array(1);
      p.kernels.update(Float64Array.of(m), out);
      expect(Math.abs(out[0] - m), `update at lambda = ${lambda}`).toBeLessThan(1e-13);
      const s = solve(p, { rtol: 1e-13, maxIterations: 100_000 });
      expect(Math.abs(s.state.m - m), `lambda = ${lambda}`).toBeLessThan(1e-10);
      // phi = E log cosh(q + sqrt(q) xi) - q/2 - lambda m^2/4 (Zw = cosh(B) e^(-A/2)), q = lambda m
      const q = lambda * m;
      const phi = gauss((xi) => logcosh(q + Math.sqrt(q) * xi)) - q / 2 - (lambda * m * m) / 4;
      expect(Math.abs(-s.observables.free_energy - phi)).toBeLessThan(1e-11);
    }
  });

  it('I-MMSE: d phi / d lambda = m^2 / 4 at the fixed point, for every prior of the file (finite differences)', () => {
    for (const prior of ['sparse-rademacher', 'rademacher', 'gaussian']) {
      const c = model(prior);
      for (const [lambda, rho] of [[1.6, 0.05], [0.9, 0.05], [3, 0.2]]) {
        const at = (l: number) => solve(c.problem({ lambda: l, rho }), { init: 'informed', rtol: 1e-13, maxIterations: 100_000 });
        const h = 1e-4;
        const dPhi = -(at(lambda + h).observables.free_energy - at(lambda - h).observables.free_energy) / (2 * h);
        expect(Math.abs(dPhi - at(lambda).state.m ** 2 / 4), `${prior} lambda = ${lambda}, rho = ${rho}`).toBeLessThan(1e-7);
      }
    }
  });
});

describe('spiked-wigner: transitions', () => {
  it('weak recovery at lambda = 1 for every prior (zero init, findThreshold)', () => {
    for (const [prior, rho] of [['sparse-rademacher', 0.02], ['sparse-rademacher', 0.3], ['rademacher', 0.05], ['gaussian', 0.05]] as const) {
      const t = findThreshold(model(prior), { kind: 'weak-recovery', param: 'lambda', lo: 0.5, hi: 2, init: 'zero', fixed: { rho } });
      expect(t.found).toBe(true);
      // the exact Jacobian at m = 0 (its limit from m > 0): the reported interval holds lambda = 1
      expect(Math.abs(t.threshold - 1), `${prior} rho = ${rho}`).toBeLessThanOrEqual(t.tolerance);
      expect(t.tolerance).toBeLessThanOrEqual(1e-8);
    }
  });

  it('rademacher and gaussian: continuous at lambda = 1, no spinodal and no first-order transition', () => {
    for (const prior of ['rademacher', 'gaussian']) {
      const c = model(prior);
      expect(findThreshold(c, { kind: 'spinodal', param: 'lambda', lo: 0.5, hi: 2 }).found).toBe(false);
      const above = solve(c.problem({ lambda: 1.02 }), {});
      expect(above.state.m).toBeGreaterThan(0.005);
      expect(above.state.m).toBeLessThan(0.05);
    }
  });

  it.each([[0.05, 0.9, 1.15], [0.02, 0.97, 1.03]])('sparse rho = %s: a hard phase lambda_IT < lambda < lambda_alg, and the uninformed branch jumps at lambda_alg = 1 + 1/(4 c3) (between %s and %s of it)', (rho, below, above) => {
    const c = model();
    const c3 = (15 - 6 / rho + 1 / rho ** 2) / 6;
    // the uninformed branch: on the small-m branch just below the predicted fold, on the large one just above
    const small = solve(c.problem({ lambda: 1 + below / (4 * c3), rho }), {});
    const large = solve(c.problem({ lambda: 1 + above / (4 * c3), rho }), {});
    expect(small.status).toBe('converged');
    expect(small.state.m).toBeGreaterThan(0);
    expect(small.state.m).toBeLessThan(10 / c3);
    expect(large.state.m).toBeGreaterThan(0.5);
    // the information-theoretic threshold: the free energies of m = 0 (zero) and of the informed branch cross
    const it = findThreshold(c, { kind: 'first-order', param: 'lambda', lo: 0.2, hi: 0.99, init: 'zero', scan: 60, fixed: { rho } });
    expect(it.found).toBe(true);
    expect(it.threshold).toBeLessThan(0.8);
    // in between: the uninformed branch stays at m ~ 0 while the informed one has lower free energy
    const lambda = (it.threshold + 1) / 2;
    const low = solve(c.problem({ lambda, rho }), {});
    const high = solve(c.problem({ lambda, rho }), { init: 'informed' });
    expect(low.state.m).toBeLessThan(1e-9);
    expect(high.state.m).toBeGreaterThan(0.5);
    expect(high.observables.free_energy).toBeLessThan(low.observables.free_energy);
    // below lambda_IT the informed branch, where it exists, is metastable
    const before = solve(c.problem({ lambda: it.threshold - 0.01, rho }), { init: 'informed' });
    if (before.state.m > 0.01) expect(before.observables.free_energy).toBeGreaterThan(low.observables.free_energy);
  }, 120_000);

  it('findThreshold --kind spinodal across lambda = 1 finds the jump of the uninformed branch (rho = 0.05)', () => {
    // continuation from lambda < 1 arrives at m ~ 1e-12, a fixed point that repels above lambda = 1: it is solved
    // again from the uninformed start (sweep/continuation.ts, attracting), so the scan follows the branch of AMP
    const c3 = (15 - 6 / 0.05 + 1 / 0.05 ** 2) / 6;
    const alg = findThreshold(model(), { kind: 'spinodal', param: 'lambda', lo: 0.5, hi: 2, fixed: { rho: 0.05 }, solver: { rtol: 1e-8 } });
    expect(alg.found).toBe(true);
    expect(Math.abs((alg.threshold - 1) * 4 * c3 - 1), `lambda_alg = ${alg.threshold}`).toBeLessThan(0.1);
  }, 30_000);
});

describe('spiked-wigner on the command line: --prior', () => {
  it('solve --prior gaussian is the closed form; the model name says which prior', async () => {
    const r = await run('solve', 'spiked-wigner', '--prior', 'gaussian', '--set', 'lambda=2', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.state.m).toBeCloseTo(0.5, 9);
    expect(j.model).toBe('spiked-wigner (prior gaussian)');
  });

  it('a prior that is not offered, or --prior for a model without a choice, exits 2 with the choices', async () => {
    const a = await run('solve', 'spiked-wigner', '--prior', 'laplace');
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/has no prior `laplace`/);
    expect(a.err).toMatch(/its priors: sparse-rademacher\(rho\), rademacher, gaussian/);
    const b = await run('threshold', 'ridge', '--prior', 'gaussian', '--param', 'alpha=1:2', '--kind', 'level', '--level', '0.5');
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/offers no choice of prior/);
    for (const cmd of ['solve', 'sweep', 'threshold', 'check', 'simulate', 'verify']) {
      expect((await run(cmd, '--help')).out, cmd).toMatch(/--prior NAME/);
    }
  });

  it('threshold --kind first-order / weak-recovery on the file', async () => {
    const it = await run('threshold', 'spiked-wigner', '--set', 'rho=0.05', '--param', 'lambda=0.6:0.99', '--kind', 'first-order', '--init', 'zero', '--scan', '60', '--json');
    expect(JSON.parse(it.out).found).toBe(true);
    const wr = await run('threshold', 'spiked-wigner', '--prior', 'rademacher', '--param', 'lambda=0.5:2', '--kind', 'weak-recovery', '--init', 'zero', '--json');
    expect(JSON.parse(wr.out).threshold).toBeCloseTo(1, 5);
  }, 30_000);
});
