import { describe, expect, it } from 'vitest';
import { solve } from '../../src/solve/iterate.ts';
import { glmText, load } from './helpers.ts';
import { mismatchedModel } from './mismatched.ts';

/**
 * tramp's identity: the general replica-symmetric equations of a student (overlaps m, q, V and three
 * conjugates; mismatched.ts), with the teacher and the student's posterior built from the same prior and channel,
 * reduce on the Nishimori line to the Bayes-optimal state evolution. Started off the line (m = 0.2, q = 0.5,
 * V = 0.7), the iteration must land on it, m = q, V = rho_w - q, mhat = qhat = Vhat, at the q of the glm
 * section's own (accurate) equations. The two models share only the pieces' GAMP functions and averages; the
 * equations themselves are written independently (mismatched.ts vs glm/expand.ts and the accurate forms).
 *
 * Tolerances: the generic quadratures of the mismatched model against the accurate forms (1e-9 and below where
 * Gauss-Hermite is exact or smooth; 1e-7 for the quartic density, a non-polynomial integrand).
 */
const CASES: readonly { prior: string; channel: string; params: Record<string, number>; nodes?: number; tol: number }[] = [
  { prior: 'gaussian', channel: 'sign', params: { alpha: 1 }, tol: 1e-9 },
  { prior: 'gaussian', channel: 'sign(eps)', params: { alpha: 2, eps: 0.1 }, tol: 1e-9 },
  { prior: 'gaussian(v)', channel: 'sign', params: { alpha: 1, v: 2 }, tol: 1e-9 },
  { prior: 'rademacher', channel: 'linear(Delta)', params: { alpha: 1, Delta: 0.5 }, nodes: 200, tol: 1e-9 },
  { prior: 'gauss-bernoulli(rho)', channel: 'linear(Delta)', params: { alpha: 0.6, rho: 0.5, Delta: 0.1 }, tol: 1e-9 },
  { prior: 'gaussian', channel: 'relu', params: { alpha: 0.5 }, tol: 1e-9 },
  { prior: 'gaussian', channel: 'abs', params: { alpha: 0.8 }, nodes: 128, tol: 1e-8 },
  { prior: '{ values: [-1, 0, 2], probs: [0.2, 0.5, 0.3] }', channel: '{ likelihood: "H(-y * z / sqrt(0.2))", y: [-1, 1] }', params: { alpha: 1 }, tol: 1e-9 },
  { prior: '{ density: "exp(-w^4/4)", scale: 0.8 }', channel: 'sign', params: { alpha: 1 }, nodes: 48, tol: 1e-7 },
];

describe('the mismatched equations reduce to the Bayes-optimal ones on the Nishimori line', () => {
  it.each(CASES)('$prior, $channel', ({ prior, channel, params, nodes = 64, tol }) => {
    const mm = mismatchedModel(prior, channel, params, nodes);
    const s = solve(mm.problem(params), { rtol: 1e-12, maxIterations: 2000 });
    expect(s.status).toBe('converged');
    const { m, q, V, mhat, qhat, Vhat } = s.state;
    const rho = s.observables.second_moment;
    expect(Math.abs(m - q)).toBeLessThan(tol);
    expect(Math.abs(V - (rho - q))).toBeLessThan(tol);
    expect(Math.abs(mhat - qhat) / qhat).toBeLessThan(10 * tol);
    expect(Math.abs(Vhat - qhat) / qhat).toBeLessThan(10 * tol);
    // the Bayes-optimal fixed point, from the same start q = 0.5 (abs: q = 0 is a fixed point too)
    const bayes = load(glmText(prior, channel, params, `order_params:\n  q: { init: 0.5 }\nquadrature:\n  nodes: ${nodes}`));
    const b = solve(bayes.problem(params), { rtol: 1e-12 });
    expect(b.status).toBe('converged');
    expect(Math.abs(q - b.state.q)).toBeLessThan(tol);
    expect(q).toBeGreaterThan(0.1); // a nontrivial fixed point
  }, 60_000);
});
