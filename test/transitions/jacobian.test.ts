import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { loadModel } from '../../src/pipeline/load.ts';
import type { Compiled } from '../../src/compile/compile.ts';
import { jacobian } from '../../src/solve/jacobian.ts';
import { jacobianAt, sweepJacobian, type SweepJacobian } from '../../src/solve/symbolic-jacobian.ts';

const built = (c: Compiled): SweepJacobian => {
  const j = sweepJacobian(c.program);
  if (typeof j === 'string') throw new Error(j);
  return j;
};

/** A point off every bound: a few sweeps from the informed start (or 0.4 where a model has none). */
function interiorPoint(c: Compiled, params: Record<string, number>): Float64Array {
  const p = c.problem(params);
  const x = Float64Array.from(p.stateNames, (_, i) => p.inits.informed?.[i] ?? 0.4);
  for (const i of p.carried) if (!Number.isFinite(x[i])) x[i] = 0.4;
  const fx = new Float64Array(x.length);
  for (let k = 0; k < 2; k++) { p.kernels.update(x, fx); x.set(fx); }
  for (const i of p.carried) x[i] = Math.min(p.upper[i] - 0.05, Math.max(p.lower[i] + 0.05, 0.9 * x[i] + 0.01));
  return x;
}

describe('the exact Jacobian of the sequential sweep (solve/symbolic-jacobian.ts)', () => {
  it('two sublattices updated in turn: b reads the new a (Gauss-Seidel), closed form to rounding', () => {
    const c = loadModel('test/fixtures/two-sublattice.yaml');
    const [beta, h, a, b] = [1.7, 0.1, 0.3, -0.2];
    const { J, fx } = built(c).at({ beta, h }).evaluate(Float64Array.of(a, b));
    const ta = Math.tanh(beta * b + h);
    const a1 = (a + ta) / 2;
    const b1 = Math.tanh(beta * a1 + h);
    expect(fx[0]).toBe(a1);
    const exact = [[0.5, beta * (1 - ta ** 2) / 2], [beta * (1 - b1 ** 2) / 2, beta * (1 - b1 ** 2) * beta * (1 - ta ** 2) / 2]];
    for (let r = 0; r < 2; r++) for (let k = 0; k < 2; k++) expect(Math.abs(J[r][k] - exact[r][k])).toBeLessThan(1e-15);
  });

  it('Curie-Weiss: beta (1 - m^2) at the new m, exactly', () => {
    const c = loadModel('test/fixtures/curie-weiss.yaml');
    const { J } = built(c).at({ beta: 1.7, h: 0.1 }).evaluate(Float64Array.of(0.3));
    expect(Math.abs(J[0][0] - 1.7 * (1 - Math.tanh(1.7 * 0.3 + 0.1) ** 2))).toBeLessThan(1e-15);
  });

  // every model of the zoo (intermediates chained, expectations, inner problems by implicit differentiation)
  // against central differences at an interior point
  const models: [string, Record<string, number>][] = [
    ...readdirSync('equations').filter((f) => f.endsWith('.yaml')).map((f): [string, Record<string, number>] => [`equations/${f}`, {}]),
    ['equations/spiked-wigner.yaml', { lambda: 1.3, rho: 0.3 }],
    ['equations/lasso.yaml', { alpha: 0.6, lambda: 0.05 }],
  ];
  it.each(models)('%s %o: agrees with central differences', (file, params) => {
    const c = loadModel(file);
    const p = c.problem(params);
    if (p.carried.length === 0) return;
    const x = interiorPoint(c, params);
    const { J } = built(c).at(params).evaluate(x);
    const F = jacobian(p, x);
    const scale = Math.max(1, ...F.flat().map(Math.abs));
    for (let r = 0; r < J.length; r++) for (let k = 0; k < J.length; k++) {
      expect(Math.abs(J[r][k] - F[r][k]), `${file} J[${r}][${k}] = ${J[r][k]}, finite differences ${F[r][k]}`).toBeLessThan(2e-5 * scale);
    }
  }, 240_000); // a few seconds alone; robust-tukey's nested roots take a minute on a loaded machine

  it('at an exact uninformative fixed point on a bound: the limit from inside (0 * Inf there)', () => {
    // phase retrieval: q' = 2 alpha q + O(q^2) near q = 0 (weak recovery at alpha = 1/2)
    const pr = loadModel('equations/phase-retrieval-bayes.yaml');
    const prJ = built(pr);
    for (const alpha of [0.3, 0.5, 0.9]) {
      const p = pr.problem({ alpha });
      const x = Float64Array.from(p.inits.uninformed);
      const raw = prJ.at({ alpha }).evaluate(x).J[0][0];
      expect(raw).toBeNaN(); // d/dq of sqrt(q) at q = 0, times 0
      const e = jacobianAt(prJ.at({ alpha }), p.lower, p.upper, p.carried, x);
      expect(e.limit).toBe(true);
      expect(Math.abs(e.J[0][0] - 2 * alpha)).toBeLessThan(1e-12);
      expect(Math.abs(e.J[0][0] - 2 * alpha)).toBeLessThanOrEqual(e.error);
      expect(e.error).toBeLessThan(1e-10);
      expect(Math.abs(e.residual[0])).toBeLessThan(1e-15);
    }
    // spiked Wigner, every prior of unit variance: m' = lambda m + O(m^2) near m = 0 (BBP at lambda = 1)
    for (const prior of ['sparse-rademacher', 'rademacher', 'gaussian']) {
      const sw = loadModel('equations/spiked-wigner.yaml', undefined, { prior });
      const swJ = built(sw);
      for (const [lambda, rho] of [[0.8, 0.05], [1.3, 0.3]]) {
        const p = sw.problem({ lambda, rho });
        const e = jacobianAt(swJ.at({ lambda, rho }), p.lower, p.upper, p.carried, Float64Array.from(p.inits.zero));
        expect(Math.abs(e.J[0][0] - lambda), `${prior} lambda ${lambda} rho ${rho}`).toBeLessThan(1e-10);
        expect(Math.abs(e.J[0][0] - lambda)).toBeLessThanOrEqual(e.error);
      }
    }
  }, 60_000);

  it('at perfect recovery q = 1 (top of the domain, V floored at 1e-10): the limit 1/alpha (phase retrieval), 2/alpha (ReLU)', () => {
    // 1 - q' ~ (1 - q)/alpha (phase retrieval), 2 (1 - q)/alpha (ReLU): perfect recovery turns stable at alpha = 1, 2
    for (const [file, c] of [['equations/phase-retrieval-bayes.yaml', 1], ['equations/relu-bayes.yaml', 2]] as const) {
      const m = loadModel(file);
      const mJ = built(m);
      for (const alpha of [0.8, 1.5, 2.5]) {
        const p = m.problem({ alpha });
        const x = Float64Array.from(p.inits.informed);
        // inside the floor the map is flat: the exact Jacobian there is 0
        expect(Math.abs(mJ.at({ alpha }).evaluate(x).J[0][0])).toBeLessThan(1e-9);
        const e = jacobianAt(mJ.at({ alpha }), p.lower, p.upper, p.carried, x);
        expect(Math.abs(e.J[0][0] - c / alpha), `${file} alpha ${alpha}: ${e.J[0][0]} +- ${e.error}`).toBeLessThan(1e-8);
        expect(Math.abs(e.J[0][0] - c / alpha)).toBeLessThanOrEqual(e.error);
        expect(Math.abs(e.residual[0])).toBeLessThan(1e-9);
      }
    }
  }, 60_000);
});
