import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { mills, npdf } from '../../src/numerics/special.ts';
import { solve } from '../../src/solve/iterate.ts';

const compiled = loadModel('equations/perceptron-bayes.yaml');
const at = (alpha: number) => solve(compiled.problem({ alpha }));

/**
 * Large-alpha constant, derived independently of the model file: as q -> 1 the channel update gives
 * qhat ~ 2 alpha J / sqrt(2 pi (1 - q)) with J = int dt N(t)^2 / H(t), and q = qhat/(1 + qhat) gives
 * 1 - q ~ 2 pi / (2 alpha J)^2, so gen_error = acos(sqrt q)/pi ~ sqrt(1 - q)/pi = 1 / (sqrt(2 pi) J alpha).
 * J is computed here by a fine trapezoidal rule on [-40, 40] (the integrand decays like t N(t)).
 */
function largeAlphaConstant(): number {
  const h = 1e-3;
  let J = 0;
  for (let t = -40; t <= 40; t += h) J += h * npdf(t) * mills(t);
  return 1 / (Math.sqrt(2 * Math.PI) * J);
}

describe('perceptron-bayes.yaml: Bayes-optimal sign teacher with Gaussian prior', () => {
  it('starts at chance: gen_error -> 1/2 and q ~ (2/pi) alpha as alpha -> 0', () => {
    // At q = 0 the channel term is 2/pi (sum over y of N(0)^2 / H(0)), so q ~ qhat ~ 2 alpha / pi.
    const s = at(1e-4);
    expect(s.status).toBe('converged');
    expect(s.state.q / 1e-4).toBeCloseTo(2 / Math.PI, 3);
    expect(s.observables.gen_error).toBeCloseTo(0.5, 2);
    expect(at(1e-8).observables.gen_error).toBeCloseTo(0.5, 4);
  });

  it('decays like C / alpha with the published Bayes constant C = 0.442 (Opper and Haussler 1991)', () => {
    const C = largeAlphaConstant();
    expect(C).toBeCloseTo(0.442, 3); // the published value, to its 3 digits
    for (const alpha of [300, 3000]) {
      const s = at(alpha);
      expect(s.status).toBe('converged');
      // Corrections are O(1/alpha) relative.
      expect(Math.abs((alpha * s.observables.gen_error) / C - 1)).toBeLessThan(3 / alpha);
    }
  });

  it('Gibbs learning (a posterior sample, error acos(q)/pi) is worse by a factor -> sqrt 2 (Opper and Haussler 1991), with alpha eps_Gibbs -> 0.625 (Gyorgyi and Tishby 1990)', () => {
    const alpha = 3000;
    const s = at(alpha);
    const gibbs = Math.acos(s.state.q) / Math.PI;
    expect(gibbs / s.observables.gen_error).toBeCloseTo(Math.SQRT2, 3);
    expect(alpha * gibbs).toBeCloseTo(0.625, 2);
  });

  it('learning curve decreases monotonically and alpha * gen_error increases towards C', () => {
    let prev = 0.5;
    let prevScaled = 0;
    for (const alpha of [0.25, 0.5, 1, 2, 4, 8, 16, 64]) {
      const e = at(alpha).observables.gen_error;
      expect(e).toBeLessThan(prev);
      expect(alpha * e).toBeGreaterThan(prevScaled);
      expect(alpha * e).toBeLessThan(0.4417);
      prev = e;
      prevScaled = alpha * e;
    }
  });

  it('the fixed point is a stationary point of the replica free entropy (two different formulas agree)', () => {
    // free_energy uses Psi_out written with H log H; the update uses the Mills-ratio form of its derivative.
    for (const alpha of [0.5, 1, 2, 20, 200]) {
      const s = at(alpha);
      const problem = compiled.problem({ alpha });
      const names = problem.stateNames;
      const f = (dq: number, dqhat: number) => {
        const x = Float64Array.from(names, (k) => s.state[k] + (k === 'q' ? dq : dqhat));
        const out = new Float64Array(problem.observableNames.length);
        problem.kernels.observables(x, out);
        return out[problem.observableNames.indexOf('free_energy')];
      };
      // Steps on the scale of each variable: near q = 1 the free energy varies on the scale 1 - q.
      const hq = 1e-3 * Math.min(s.state.q, 1 - s.state.q);
      const hqhat = 1e-5 * Math.max(1, s.state.qhat);
      const dfdq = (f(hq, 0) - f(-hq, 0)) / (2 * hq);
      const dfdqhat = (f(0, hqhat) - f(0, -hqhat)) / (2 * hqhat);
      expect(Math.abs(dfdq)).toBeLessThan(1e-6 * s.state.qhat);
      expect(Math.abs(dfdqhat)).toBeLessThan(1e-8);
    }
  });
});
