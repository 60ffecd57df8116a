import { describe, expect, it } from 'vitest';
import { solve } from '../../src/solve/iterate.ts';
import { glmText, load, observe, sweepOnce } from './helpers.ts';

/**
 * The free entropy's derivatives give the overlaps. With Phi(q, qhat) = Psi_w(qhat) - q qhat / 2 + alpha Psi_out(q)
 * and free_energy = -Phi, the I-MMSE relations dPsi_w / dqhat = E[w* fa] / 2 (= q of the prior's update) and
 * dPsi_out / dq = E_xi int dy Zout gout^2 / 2 (= qhat / (2 alpha) of the channel's update) say that at ANY state
 *   d free_energy / d qhat = (q - q_update(qhat)) / 2,   d free_energy / d q = (qhat - qhat_update(q)) / 2,
 * so the fixed point is stationary. Each piece writes its free-entropy term and its update separately (the
 * accurate forms by different changes of variables, e.g. H log H against Mills ratios), so these are identities
 * between independent formulas. Checked by central differences at states off the fixed point, for every
 * combination of built-in prior and channel, and for pieces given by the user.
 */
type Piece = readonly [string, Record<string, number>];
interface Case { prior: string; channel: string; params: Record<string, number>; generic: boolean }
const PRIORS: readonly Piece[] = [['gaussian', {}], ['rademacher', {}], ['gauss-bernoulli(rho)', { rho: 0.3 }]];
const CHANNELS: readonly Piece[] = [['linear(Delta)', { Delta: 0.1 }], ['sign', {}], ['sign(eps)', { eps: 0.1 }], ['abs', {}], ['relu', {}]];
const COMBOS: readonly Case[] = PRIORS.flatMap(([p, pp]) => CHANNELS.map(([c, cp]) => ({ prior: p, channel: c, params: { ...pp, ...cp }, generic: false })));
const USER: readonly Case[] = [
  { prior: '{ density: "exp(-w^4/4)", scale: 0.8 }', channel: '{ likelihood: "H(-y * z / sqrt(0.2))", y: [-1, 1] }', params: {}, generic: true },
  { prior: '{ values: [-1, 0, 2], probs: [0.2, 0.5, 0.3] }', channel: '{ likelihood: "npdf((y - z) / 0.7) / 0.7", y: real, y_scale: 0.7 }', params: {}, generic: true },
  { prior: 'gauss-bernoulli(rho)', channel: 'sign', params: { rho: 0.3 }, generic: true },
];

describe('d free_energy / d(q, qhat) = (state - update) / 2 at any state', () => {
  it.each([...COMBOS, ...USER])('$prior, $channel', ({ prior, channel, params, generic }) => {
    const c = load(glmText(prior, channel, params, '', generic));
    const rho = observe(c, params, { q: 0, qhat: 0 }).mse; // mse = rho_w - q
    // the generic path only where Gauss-Hermite resolves it (state-evolution.test.ts): q <= 0.6 rho_w
    const fractions = generic ? [0.2, 0.6] : [0.2, 0.6, 0.9];
    for (const alpha of [0.7, 2]) {
      const ps = { ...params, alpha };
      const fe = (q: number, qhat: number) => observe(c, ps, { q, qhat }).free_energy;
      for (const q of fractions.map((f) => f * rho)) {
        const next = sweepOnce(c, ps, { q }); // qhat_update(q), then q_update(qhat_update(q))
        const qhat = next.qhat;
        const hq = 1e-5;
        const hh = 1e-5 * Math.max(1, qhat);
        const dQhat = (fe(q, qhat + hh) - fe(q, qhat - hh)) / (2 * hh);
        expect(Math.abs(dQhat - (q - next.q) / 2), `d/dqhat at q = ${q}, alpha = ${alpha}`).toBeLessThan(2e-8);
        const off = qhat + 0.3; // any qhat: the q-derivative does not involve the prior
        const dQ = (fe(q + hq, off) - fe(q - hq, off)) / (2 * hq);
        expect(Math.abs(dQ - (off - qhat) / 2) / Math.max(1, qhat), `d/dq at q = ${q}, alpha = ${alpha}`).toBeLessThan(2e-8);
      }
    }
  }, 30_000);
});

describe('the solved fixed point', () => {
  it('is stationary, and the free energy is the equilibrium selector: perfect recovery beats the low branch above alpha_IT', () => {
    // rademacher prior, sign channel (perceptron-binary-bayes): at alpha = 1.4 both fixed points exist (below
    // alpha_alg ~ 1.493) and perfect recovery (free entropy -log 2) is the equilibrium (above alpha_IT ~ 1.245)
    const c = load(glmText('rademacher', 'sign', { alpha: 1.4 }));
    const low = solve(c.problem(), { init: 'uninformed' });
    const high = solve(c.problem(), { init: 'informed' });
    expect(low.status).toBe('converged');
    expect(high.status).toBe('converged');
    expect(low.state.q).toBeLessThan(0.9);
    expect(high.state.q).toBeCloseTo(1, 14);
    expect(high.observables.free_energy).toBeCloseTo(Math.LN2, 7);
    expect(high.observables.free_energy).toBeLessThan(low.observables.free_energy);
    const fe = (q: number, qhat: number) => observe(c, {}, { q, qhat }).free_energy;
    const { q, qhat } = low.state;
    expect(Math.abs((fe(q, qhat + 1e-5) - fe(q, qhat - 1e-5)) / 2e-5)).toBeLessThan(1e-8);
    expect(Math.abs((fe(q + 1e-5, qhat) - fe(q - 1e-5, qhat)) / 2e-5)).toBeLessThan(1e-8);
  });
});
