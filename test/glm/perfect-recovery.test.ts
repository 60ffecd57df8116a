import { describe, expect, it } from 'vitest';
import { solve } from '../../src/solve/iterate.ts';
import { glmText, load } from './helpers.ts';

/**
 * Perfect recovery of a discrete teacher through the sign channel is the fixed point q = rho_w exactly (V = 0,
 * qhat = infinity), and its free entropy has a closed form: the prior's term psi = Psi_w - qhat/2 tends to minus
 * the entropy of the prior (the posterior is a point mass on w*), the term (rho_w - q) qhat/2 vanishes, and the
 * channel's Psi_out tends to F_inf = sum_y P(y | z) log P(y | z) = (1 - eps) log(1 - eps) + eps log eps, so
 *   free_energy = -Phi = H(prior) - alpha F_inf,
 *   H(sparse-rademacher(rho)) = -rho log(rho/2) - (1 - rho) log(1 - rho)   (rho = 1: log 2, the rademacher prior).
 * A floor of 1 - q at 2^-53 stopped the solve at q = 1 - 2^-53 with qhat ~ 7e7 alpha, its free energy off by
 * qhat (1 - q)/2 ~ 4e-9 alpha (issue 13): the comparison is to rounding.
 */
const entropy = (rho: number) => -rho * Math.log(rho / 2) - (rho < 1 ? (1 - rho) * Math.log1p(-rho) : 0);
const fInf = (eps: number) => (eps > 0 ? (1 - eps) * Math.log1p(-eps) + eps * Math.log(eps) : 0);
const EXTRA = 'order_params:\n  q: { init: { uninformed: 0.001, informed: 0.999999 }, max: 1 }\nsolver:\n  tol: 1e-12\n  max_iterations: 10000';

describe('sparse-rademacher(rho) with the sign channel: perfect recovery', () => {
  const c = load(glmText('sparse-rademacher(rho)', 'sign(eps)', { rho: 0.3, eps: 0 }, EXTRA));
  it.each([0.01, 0.05, 0.3, 0.7, 1])('rho = %s: q = 1 and free_energy = H(prior) - alpha F_inf to rounding', (rho) => {
    for (const eps of [0, 0.1]) {
      for (const alpha of [1.5, 3]) {
        const s = solve(c.problem({ rho, eps, alpha }), { init: 'informed' });
        const at = `rho = ${rho}, eps = ${eps}, alpha = ${alpha}`;
        expect(s.status, at).toBe('converged');
        expect(s.state.q, at).toBe(1);
        const exact = entropy(rho) - alpha * fInf(eps);
        expect(Math.abs(s.observables.free_energy - exact), at).toBeLessThan(4e-16 * Math.max(1, Math.abs(exact)));
      }
    }
  });
});
