import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { H, logH, logNpdf, npdf } from '../../src/numerics/special.ts';
import { solve } from '../../src/solve/iterate.ts';
import { findThreshold } from '../../src/transitions/threshold.ts';

const compiled = loadModel('equations/perceptron-binary-bayes.yaml');

/**
 * An independent implementation of the same state evolution, written from PRIMER's formulas in their original
 * form (no change of variables) and integrated with a trapezoidal rule instead of Gauss-Hermite:
 *   qhat = alpha/(1 - q) E_xi sum_y N(x)^2 / H(-y x),  x = sqrt(q/(1 - q)) xi,
 *   q    = E_xi tanh(qhat + sqrt(qhat) xi),
 *   Phi  = E log cosh(qhat + sqrt(qhat) xi) - qhat/2 + alpha E_xi sum_y H(-y x) log H(-y x) - q qhat/2.
 */
const grid = Array.from({ length: 601 }, (_, i) => -12 + i * 0.04);
const E = (f: (xi: number) => number) => grid.reduce((s, xi) => s + 0.04 * npdf(xi) * f(xi), 0);
const logcosh = (x: number) => Math.abs(x) + Math.log1p(Math.exp(-2 * Math.abs(x))) - Math.LN2;
const qhatOf = (alpha: number, q: number) => {
  const c = Math.sqrt(q / (1 - q));
  // N(x)^2 / H(x) in the log domain: H underflows for x > 38 while the ratio is still finite.
  const r = (x: number) => Math.exp(2 * logNpdf(x) - logH(x));
  return (alpha / (1 - q)) * E((xi) => r(-c * xi) + r(c * xi));
};
const qOf = (qhat: number) => E((xi) => Math.tanh(qhat + Math.sqrt(qhat) * xi));
function lowBranch(alpha: number, maxIterations = 20_000): { q: number; qhat: number; jumped: boolean } {
  let q = 0.001;
  let qhat = 0;
  for (let k = 0; k < maxIterations; k++) {
    qhat = qhatOf(alpha, q);
    const next = qOf(qhat);
    if (next > 0.97) return { q: next, qhat, jumped: true };
    if (!Number.isFinite(next)) throw new Error(`reference iteration failed at alpha = ${alpha}`);
    if (Math.abs(next - q) < 1e-13) return { q: next, qhat, jumped: false };
    q = next;
  }
  return { q, qhat, jumped: false };
}
const phi = (alpha: number, q: number, qhat: number) => {
  const c = Math.sqrt(q / (1 - q));
  const psiOut = E((xi) => H(c * xi) * logH(c * xi) + H(-c * xi) * logH(-c * xi));
  return E((xi) => logcosh(qhat + Math.sqrt(qhat) * xi)) - qhat / 2 + alpha * psiOut - (q * qhat) / 2;
};
function bisect(holds: (a: number) => boolean, lo: number, hi: number, tol: number) {
  while (hi - lo > tol) {
    const mid = (lo + hi) / 2;
    if (holds(mid)) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

describe('perceptron-binary-bayes.yaml: Rademacher teacher, sign channel', () => {
  it('perfect recovery q = 1 is a fixed point with free entropy -log 2', () => {
    for (const alpha of [0.5, 1.3, 2]) {
      const s = solve(compiled.problem({ alpha }), { init: 'informed' });
      expect(s.status).toBe('converged');
      expect(s.state.q).toBeCloseTo(1, 12);
      expect(s.observables.free_energy).toBeCloseTo(Math.LN2, 7);
    }
  });

  it('the low branch agrees with the independent implementation', () => {
    for (const alpha of [0.5, 1, 1.4]) {
      const s = solve(compiled.problem({ alpha }));
      const ref = lowBranch(alpha);
      expect(s.status).toBe('converged');
      expect(ref.jumped).toBe(false);
      expect(Math.abs(s.state.q - ref.q)).toBeLessThan(1e-9);
      expect(Math.abs(s.observables.free_energy + phi(alpha, ref.q, ref.qhat))).toBeLessThan(1e-9);
    }
  });

  it('alpha_IT ~ 1.245 (Gyorgyi 1990; 1.249 in Barbier et al. 2019) and alpha_alg ~ 1.493 (Barbier et al. 2019)', () => {
    const it_ = findThreshold(compiled, { kind: 'first-order', param: 'alpha', lo: 1, hi: 2 });
    const alg = findThreshold(compiled, { kind: 'spinodal', param: 'alpha', lo: 1, hi: 2 });
    expect(it_.found && alg.found).toBe(true);
    // Independent: where the low branch's free entropy reaches that of perfect recovery, -log 2 ...
    const ref = bisect((a) => { const b = lowBranch(a); return phi(a, b.q, b.qhat) > -Math.LN2; }, 1.2, 1.3, 2e-6);
    expect(Math.abs(it_.threshold - ref)).toBeLessThan(1e-4);
    // ... and where iterating from q ~ 0 stops converging to the low branch.
    const refAlg = bisect((a) => !lowBranch(a).jumped, 1.45, 1.55, 2e-6);
    expect(Math.abs(alg.threshold - refAlg)).toBeLessThan(1e-4);
    expect(it_.threshold).toBeGreaterThan(1.240);
    expect(it_.threshold).toBeLessThan(1.250);
    expect(alg.threshold).toBeCloseTo(1.493, 3);
  }, 180_000);
});
