import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { findThreshold } from '../../src/transitions/threshold.ts';

const compiled = loadModel('equations/cs-bayes.yaml');
const at = (params: Record<string, number>, init = 'uninformed', maxIterations?: number) =>
  solve(compiled.problem(params), { init, ...(maxIterations && { maxIterations }) });
const npdf = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);

/**
 * The random-matrix closed form of ridge regression, as in test/models/ridge.test.ts (teacher N(0, 1), penalty
 * lambda on (1/2)|w|^2 against the total square loss): V is the Marchenko-Pastur Stieltjes transform at -lambda and
 * |w^ - w*|^2/d = lambda^2 tr(A + lambda)^-2/d + Delta tr A(A + lambda)^-2/d. With a N(0, 1) prior and Gaussian
 * noise of variance Delta the posterior is Gaussian, its mean is the ridge estimator with lambda = Delta, and the
 * MMSE is that estimation error.
 */
function ridgeError(alpha: number, lambda: number, Delta: number): number {
  const b = lambda + alpha - 1;
  const V = b > 0 ? 2 / (b + Math.sqrt(b * b + 4 * lambda)) : (-b + Math.sqrt(b * b + 4 * lambda)) / (2 * lambda);
  const T2 = (V * (1 + V)) / (2 * lambda * V + b);
  return lambda * lambda * T2 + Delta * (V - lambda * T2);
}

/**
 * Independent reference for the prior side, from the textbook definitions: teacher w* = s x / sqrt(rho) (s ~ Bernoulli(rho),
 * x ~ N(0, 1)), field B = qhat w* + sqrt(qhat) xi, fa(B) = posterior mean of w* given B, computed from
 * Zw(B, A) = (1 - rho) + rho (1 + A/rho)^(-1/2) exp(B^2/(2(rho + A))) by its definition as a ratio
 * E_w[w e^(Bw - Aw^2/2)] / E_w[e^(Bw - Aw^2/2)] of Gaussian integrals. Plain trapezoidal rule on the (x, xi) plane.
 * Returns E[w* fa], E[fa^2] and E[(w* - fa)^2].
 */
function priorMoments(qhat: number, rho: number, h = 0.01, L = 9) {
  const fa = (B: number) => {
    const A = qhat;
    const z1 = rho * Math.exp(B * B / (2 * (rho + A))) / Math.sqrt(1 + A / rho); // rho E_{N(0,1/rho)} e^(Bw - Aw^2/2)
    // fa = z1 B/(rho + A) / (1 - rho + z1): the Gaussian part has mean B/(rho + A) under the tilted law
    return B / (rho + A) / (1 + (1 - rho) / z1);
  };
  let wfa = 0;
  let fa2 = 0;
  let err = 0;
  const n = Math.round(L / h);
  for (let j = -n; j <= n; j++) {
    const xi = j * h;
    const B0 = Math.sqrt(qhat) * xi; // s = 0: w* = 0
    const f0 = fa(B0);
    const p0 = (1 - rho) * npdf(xi) * h;
    fa2 += p0 * f0 * f0;
    err += p0 * f0 * f0;
    for (let i = -n; i <= n; i++) {
      const w = (i * h) / Math.sqrt(rho);
      const f = fa(qhat * w + Math.sqrt(qhat) * xi);
      const p = rho * npdf(i * h) * npdf(xi) * h * h;
      wfa += p * w * f;
      fa2 += p * f * f;
      err += p * (w - f) ** 2;
    }
  }
  return { wfa, fa2, err };
}

describe('cs-bayes.yaml: Bayes-optimal compressed sensing with a Gauss-Bernoulli prior', () => {
  it('rho = 1 (Gaussian prior): the MMSE is the error of ridge regression with lambda = Delta (random-matrix closed form)', () => {
    const points: [number, number][] = [[0.3, 0.5], [0.9, 0.01], [1, 0.1], [1.1, 1e-3], [2, 0.2], [4, 1], [0.5, 1e-4], [1.5, 1e-5]];
    for (const [alpha, Delta] of points) {
      const s = at({ alpha, rho: 1, Delta });
      expect(s.status).toBe('converged');
      const ref = ridgeError(alpha, Delta, Delta);
      expect(Math.abs(s.observables.mse / ref - 1)).toBeLessThan(1e-8);
    }
  });

  it('the prior side equals the textbook denoiser, and the Nishimori identity E[w* fa] = E[fa^2] = q, mse = 1 - q holds', () => {
    // at a fixed point with a sparse (rho = 0.1, low branch) and a dense (rho = 0.5) signal
    for (const [rho, alpha, Delta] of [[0.1, 0.18, 1e-3], [0.5, 0.8, 1e-2]]) {
      const s = at({ alpha, rho, Delta });
      expect(s.status).toBe('converged');
      const { qhat, q } = s.state;
      const m = priorMoments(qhat, rho);
      expect(Math.abs(m.fa2 - q)).toBeLessThan(1e-9);
      expect(Math.abs(m.wfa - q)).toBeLessThan(1e-9);
      expect(Math.abs(m.err - s.observables.mse) / s.observables.mse).toBeLessThan(1e-7);
    }
  });

  it('the mse is accurate when the support posterior is sharp (qhat / rho up to 1e7)', () => {
    // Reference: by Bayes, E_p[pi1 g(B)] = rho E[g(B) | s = 1], so mse = (rho + qhat J)/(rho + qhat) with
    // J = E_t[t^2 (1 - pi1)], t ~ N(0, 1) the standardised field given s = 1, where 1 - pi1 = sigmoid(b - a t^2),
    // a = qhat/(2 rho), b = log(1 + qhat/rho)/2 + log((1 - rho)/rho): a trapezoidal rule that resolves the transition.
    const ref = (qhat: number, rho: number) => {
      const a = qhat / (2 * rho);
      const b = Math.log1p(qhat / rho) / 2 + Math.log((1 - rho) / rho);
      const h = Math.min(1e-3, Math.sqrt(Math.max(b, 1) / a) / 4000);
      let J = 0;
      const top = Math.min(13, Math.sqrt((Math.max(b, 0) + 50) / a)); // beyond, 1 - pi1 < e^-50
      for (let t = h / 2; t <= top; t += h) J += 2 * h * npdf(t) * t * t / (1 + Math.exp(a * t * t - b));
      return (rho + qhat * J) / (rho + qhat);
    };
    for (const qhat of [0.5, 10, 1e3, 1e5, 1e7]) {
      for (const rho of [0.01, 0.2, 0.6]) {
        // with Delta = 0 and q = 0 the channel gives qhat = alpha: one sweep of the map evaluates the prior side at qhat
        const out = new Float64Array(2);
        compiled.problem({ alpha: qhat, rho, Delta: 0 }).kernels.update(Float64Array.of(NaN, 0), out);
        const tol = qhat >= 1e7 ? 1e-6 : 1e-8; // 1 - q loses digits as q -> 1
        expect(Math.abs((1 - out[1]) / ref(qhat, rho) - 1)).toBeLessThan(tol);
      }
    }
  });

  it('noiseless limit: the informed branch reaches perfect recovery for alpha > rho, mse ~ rho Delta / (alpha - rho)', () => {
    // Knowing the support, the problem is ridgeless regression of rho d unknowns from alpha d measurements:
    // mse = rho Delta / (alpha - rho) + o(Delta). In the state evolution, 1 - q ~ rho/qhat (oracle) and
    // qhat = alpha/(Delta + 1 - q) give the same; the support uncertainty adds O(sqrt(Delta log(1/Delta))) relative.
    const rho = 0.2;
    const ratio = (Delta: number, alpha: number) => {
      const s = at({ alpha, rho, Delta }, 'informed');
      expect(s.status).toBe('converged');
      return (s.observables.mse * (alpha - rho)) / (rho * Delta);
    };
    let prev = Infinity;
    // (the model floors V at 1e-10: keep the mse above it)
    for (const Delta of [1e-4, 1e-6, 1e-8]) {
      const r = ratio(Delta, 0.5);
      expect(Math.abs(r - 1)).toBeLessThan(prev);
      prev = Math.abs(r - 1);
    }
    expect(prev).toBeLessThan(5e-3);
    expect(Math.abs(ratio(1e-8, 0.25) - 1)).toBeLessThan(3e-2);
    // At Delta = 0 exactly, q = 1 is a fixed point iff alpha > rho (near it, 1 - q_new ~ rho (1 - q)/alpha).
    expect(at({ alpha: rho + 0.02, rho, Delta: 0 }, 'informed').observables.mse).toBeLessThan(1e-10);
    expect(at({ alpha: rho - 0.02, rho, Delta: 0 }, 'informed').observables.mse).toBeGreaterThan(0.1);
  });

  it('hard phase at rho = 0.2, Delta = 1e-4: two fixed points coexist, first-order threshold below the spinodal', () => {
    const rho = 0.2;
    const Delta = 1e-4;
    const fixed = { rho, Delta };
    // spinodal of the branch reached from the uninformed start (where AMP stops reaching the good fixed point)
    const sp = findThreshold(compiled, { kind: 'spinodal', param: 'alpha', lo: 0.25, hi: 0.45, fixed, scan: 12, tol: 1e-5 });
    expect(sp.found).toBe(true);
    // checked by direct solves on either side (critical slowing down: allow many iterations)
    const below = at({ alpha: sp.threshold - 3e-5, ...fixed }, 'uninformed', 1e6);
    const above = at({ alpha: sp.threshold + 3e-5, ...fixed }, 'uninformed', 1e6);
    expect(below.status).toBe('converged');
    expect(above.status).toBe('converged');
    expect(below.state.q).toBeLessThan(0.9);
    expect(above.observables.mse).toBeLessThan(1e-3);
    expect(sp.threshold).toBeCloseTo(0.35569, 4);
    // information-theoretic threshold: the free energies of the two branches cross
    const fo = findThreshold(compiled, { kind: 'first-order', param: 'alpha', lo: 0.25, hi: 0.35, fixed, scan: 12, tol: 1e-6 });
    expect(fo.found).toBe(true);
    expect(fo.threshold).toBeGreaterThan(rho);
    expect(fo.threshold).toBeLessThan(sp.threshold);
    // in between: two distinct fixed points, the informed one has the lower free energy and a far lower mse
    const alpha = (fo.threshold + sp.threshold) / 2;
    const lo = at({ alpha, ...fixed });
    const hi = at({ alpha, ...fixed }, 'informed');
    expect(lo.observables.mse).toBeGreaterThan(100 * hi.observables.mse);
    expect(hi.observables.free_energy).toBeLessThan(lo.observables.free_energy);
    // and below the first-order threshold the uninformed branch is the equilibrium
    const a2 = fo.threshold - 0.01;
    expect(at({ alpha: a2, ...fixed }).observables.free_energy).toBeLessThan(at({ alpha: a2, ...fixed }, 'informed').observables.free_energy);
  }, 60_000);

  it('as Delta -> 0 the free energy of perfect recovery falls like (alpha - rho)/2 log Delta: alpha_IT -> rho', () => {
    // Phi ~ Psi_w + alpha Psi_out with Psi_w ~ -(rho/2) log qhat (a fraction rho of continuous components) and
    // Psi_out ~ -(1/2) log(Delta + V), V ~ rho Delta/(alpha - rho): -Phi ~ (alpha - rho)/2 log Delta + const,
    // -> -infinity for every alpha > rho, while the other branch stays finite.
    for (const alpha of [0.25, 0.3]) {
      const f = (Delta: number) => at({ alpha, rho: 0.2, Delta }, 'informed').observables.free_energy;
      const slope = (f(1e-6) - f(1e-8)) / Math.log(1e-6 / 1e-8);
      expect(Math.abs(slope - (alpha - 0.2) / 2)).toBeLessThan(2e-3);
    }
    // and the first-order threshold moves down towards rho = 0.2 as the noise decreases
    const fo = (Delta: number) => findThreshold(compiled, { kind: 'first-order', param: 'alpha', lo: 0.21, hi: 0.35, fixed: { rho: 0.2, Delta }, scan: 12, tol: 1e-5 }).threshold;
    const t4 = fo(1e-4);
    const t6 = fo(1e-6);
    expect(t6).toBeLessThan(t4);
    expect(t6).toBeGreaterThan(0.2);
  }, 60_000);

  it('the fixed point is a stationary point of the free entropy', () => {
    for (const [alpha, rho, Delta] of [[0.3, 0.1, 1e-3], [0.6, 0.3, 1e-2], [1.5, 0.5, 0.1]]) {
      for (const init of ['uninformed', 'informed']) {
        const s = at({ alpha, rho, Delta }, init);
        expect(s.status).toBe('converged');
        const p = compiled.problem({ alpha, rho, Delta });
        const fe = (dqhat: number, dq: number) => {
          const out = new Float64Array(p.observableNames.length);
          p.kernels.observables(Float64Array.of(s.state.qhat + dqhat, s.state.q + dq), out);
          return out[p.observableNames.indexOf('free_energy')];
        };
        const h = 1e-6 * Math.max(1, s.state.qhat);
        expect(Math.abs((fe(h, 0) - fe(-h, 0)) / (2 * h))).toBeLessThan(1e-7);
        const hq = 1e-7;
        expect(Math.abs((fe(0, hq) - fe(0, -hq)) / (2 * hq))).toBeLessThan(1e-6 * (1 + s.state.qhat));
      }
    }
  });

  it('the mse decreases with alpha on both branches', () => {
    for (const init of ['uninformed', 'informed']) {
      let prev = 1;
      for (let alpha = 0.1; alpha <= 3; alpha += 0.1) {
        const s = at({ alpha, rho: 0.2, Delta: 1e-4 }, init);
        expect(s.status).toBe('converged');
        expect(s.observables.mse).toBeLessThan(prev);
        prev = s.observables.mse;
      }
    }
  });
});
