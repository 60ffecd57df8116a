import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { H, logH, mills, npdf } from '../../src/numerics/special.ts';
import { solve } from '../../src/solve/iterate.ts';

const compiled = loadModel('equations/relu-bayes.yaml');
const at = (alpha: number, init = 'uninformed', maxIterations?: number) =>
  solve(compiled.problem({ alpha }), { init, ...(maxIterations && { maxIterations }) });

/**
 * Independent reference: the textbook channel integrals over the student field w = sqrt(q) xi (a = w/sqrt(V), V = 1 - q),
 * summing the two kinds of label: y = 0 with Zout = H(a), gout = -mills(a)/sqrt(V); y > 0 with Zout = N(y; w, V),
 * gout = (y - w)/V, whose y-integrals are int_{-a}^inf u^2 Du = H(-a) - a N(a) and int_{-a}^inf Du = H(-a):
 *   E[gout^2] = E_xi[H(a) mills(a)^2 + H(-a) - a N(a)] / V,
 *   Psi_out   = E_xi[H(a) log H(a) - log(2 pi V) H(-a)/2 - (H(-a) - a N(a))/2].
 * Plain trapezoidal rule in xi with a step well below the width sqrt(V/q) of the features.
 */
function textbook(q: number): { gout2: number; psiOut: number } {
  const V = 1 - q;
  const h = 1e-3;
  let g = 0;
  let psi = 0;
  for (let xi = -12; xi <= 12; xi += h) {
    const a = Math.sqrt(q / V) * xi;
    const w = npdf(xi) * h;
    g += (w * (H(a) * mills(a) ** 2 + H(-a) - a * npdf(a))) / V;
    psi += w * (H(a) * logH(a) - (Math.log(2 * Math.PI * V) / 2) * H(-a) - (H(-a) - a * npdf(a)) / 2);
  }
  return { gout2: g, psiOut: psi };
}

function freeEnergy(alpha: number, qhat: number, q: number): number {
  const p = compiled.problem({ alpha });
  const out = new Float64Array(p.observableNames.length);
  p.kernels.observables(Float64Array.of(qhat, q), out);
  return out[p.observableNames.indexOf('free_energy')];
}

/** J = int N(t)^2 / H(t) dt = E_t mills(t), the constant of the y = 0 labels as q -> 1 (as in perceptron-bayes). */
function millsConstant(): number {
  const h = 1e-3;
  let J = 0;
  for (let t = -40; t <= 40; t += h) J += h * npdf(t) * mills(t);
  return J;
}

describe('relu-bayes.yaml: Bayes-optimal noiseless ReLU teacher with Gaussian prior', () => {
  it('the channel update and Psi_out equal the textbook integrals', () => {
    for (const q of [0.01, 0.3, 0.7, 0.95, 0.99]) {
      const out = new Float64Array(2);
      compiled.problem({ alpha: 1 }).kernels.update(Float64Array.of(NaN, q), out);
      const ref = textbook(q);
      expect(Math.abs(out[0] / ref.gout2 - 1)).toBeLessThan(1e-12);
      expect(Math.abs(-freeEnergy(1, 0, q) - ref.psiOut)).toBeLessThan(1e-12); // alpha = 1, qhat = 0: -Psi_out
    }
  });

  it('small alpha: q = g0 alpha + g0 (g1 - g0) alpha^2 + O(alpha^3), g0 = 1/2 + 1/pi, g1 = 1/2 + 2/pi^2', () => {
    // Derivation. qhat = alpha g(q) with g(q) = E[gout^2] = 1/(2(1 - q)) + E_t mills(sqrt(q) t) / sqrt(2 pi (1 - q))
    // (the textbook integral above after E H(-a) = 1/2, E[a N(a)] = 0 and N(xi) N(a) = N(0) N(xi/sqrt(1 - q))).
    // g0 = g(0) = 1/2 + mills(0)/sqrt(2 pi) = 1/2 + 1/pi: half the labels are y > 0 with E[z^2 | z > 0] P = 1/2, and
    // y = 0 has gout = -mills(0) = -sqrt(2/pi) with probability 1/2. With m = mills(0) = sqrt(2/pi),
    // mills' = mills (mills - x), so mills'(0) = m^2 and mills''(0) = 2 m^3 - m, hence
    // E_t mills(sqrt(q) t) = m + (m^3 - m/2) q + O(q^2) and g1 = g'(0) = 1/2 + m^3/sqrt(2 pi) = 1/2 + 2/pi^2.
    // Then q = qhat/(1 + qhat) = qhat - qhat^2 + ... with qhat = alpha (g0 + g1 q) gives the expansion.
    const g0 = 0.5 + 1 / Math.PI;
    const g1 = 0.5 + 2 / Math.PI ** 2;
    expect(textbook(0).gout2).toBeCloseTo(g0, 12);
    expect((textbook(1e-5).gout2 - g0) / 1e-5).toBeCloseTo(g1, 3);
    const alpha = 1e-3;
    const s = at(alpha);
    expect(s.status).toBe('converged');
    expect(s.state.q / alpha).toBeCloseTo(g0, 3);
    // the O(alpha^3) term and the solver's absolute tolerance on q (1e-12 / alpha^2 = 1e-6 here) are far below 1e-3
    expect(Math.abs((s.state.q - g0 * alpha) / alpha ** 2 - g0 * (g1 - g0))).toBeLessThan(1e-3);
  });

  it('perfect recovery from alpha = 2, approached like 1 - q ~ ((2 - alpha) / (2 alpha J / sqrt(2 pi)))^2', () => {
    // Derivation. As V = 1 - q -> 0, E_t mills(sqrt(q) t) -> J = int N^2/H, so V E[gout^2] = 1/2 + sqrt(V) J' + O(V^(3/2)),
    // J' = J/sqrt(2 pi): the y > 0 labels (half of them) are noiseless linear measurements and give 1/2; the y = 0
    // ones add the sqrt(V) term. The fixed point V (1 + qhat) = 1 with qhat = alpha E[gout^2] becomes
    // V + alpha J' sqrt(V) = 1 - alpha/2 (+ O(V^(3/2))): a root sqrt(V) > 0 exists iff alpha < 2, and
    // sqrt(V) ~ (2 - alpha)/(2 alpha J') as alpha -> 2. For alpha > 2, 1 - q_new ~ 2 (1 - q)/alpha: q = 1 is stable.
    const Jp = millsConstant() / Math.sqrt(2 * Math.PI);
    for (const alpha of [1.9, 1.95, 1.99]) {
      const s = at(alpha, 'uninformed', 1e6);
      expect(s.status).toBe('converged');
      const x = (-alpha * Jp + Math.sqrt((alpha * Jp) ** 2 + 4 * (1 - alpha / 2))) / 2;
      const V = s.observables.mse;
      expect(Math.abs(V / (x * x) - 1)).toBeLessThan(V); // relative corrections O(V)
      expect(Math.abs(Math.sqrt(V) * (2 * alpha * Jp) / (2 - alpha) - 1)).toBeLessThan(2 * (2 - alpha));
    }
    for (const alpha of [2.1, 3, 5]) {
      for (const init of ['uninformed', 'informed']) {
        const s = at(alpha, init);
        expect(s.status).toBe('converged');
        expect(s.observables.mse).toBeLessThan(2e-10); // V at its floor 1e-10: perfect recovery
      }
    }
    // just below 2 the perfect state is unstable: the informed start leaves it
    expect(at(1.9, 'informed').observables.mse).toBeGreaterThan(1e-3);
  });

  it('the free entropy of q -> 1 diverges like (2 - alpha)/4 log(1 - q): +infinity iff alpha > 2', () => {
    // With the prior's stationarity qhat = q/(1 - q): Psi_w = qhat/2 - log(1 + qhat)/2 ~ -log(qhat)/2 and
    // Psi_out ~ -log(2 pi V)/4 (half the labels carry a Gaussian of variance V), so -Phi ~ (alpha - 2)/4 log(1 - q).
    for (const alpha of [1.5, 2, 2.5]) {
      const f = (V: number) => freeEnergy(alpha, (1 - V) / V, 1 - V);
      const slope = (f(1e-6) - f(1e-8)) / Math.log(1e-6 / 1e-8);
      expect(Math.abs(slope - (alpha - 2) / 4)).toBeLessThan(1e-3);
    }
  });

  it('the fixed point is a stationary point of the free entropy (finite differences in q and qhat)', () => {
    for (const alpha of [0.3, 1, 1.5, 1.8]) {
      const s = at(alpha);
      expect(s.status).toBe('converged');
      const h = 1e-6;
      const f = (dqhat: number, dq: number) => freeEnergy(alpha, s.state.qhat + dqhat, s.state.q + dq);
      expect(Math.abs((f(h, 0) - f(-h, 0)) / (2 * h))).toBeLessThan(1e-8);
      expect(Math.abs((f(0, h) - f(0, -h)) / (2 * h))).toBeLessThan(1e-7 * (1 + s.state.qhat));
    }
  });

  it('q increases monotonically with alpha, with a unique fixed point below 2, and every point converges', () => {
    let prev = 0;
    for (let alpha = 0.07; alpha < 5; alpha += 0.15) { // (alpha = 2 itself is critical: 1 - q decays only like 1/t^2)
      const u = at(alpha);
      const i = at(alpha, 'informed');
      expect(u.status).toBe('converged');
      expect(i.status).toBe('converged');
      expect(Math.abs(u.state.q - i.state.q)).toBeLessThan(1e-8);
      expect(u.state.q).toBeGreaterThanOrEqual(prev);
      prev = u.state.q;
    }
  });
});
