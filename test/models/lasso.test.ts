import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { erf, H, npdf } from '../../src/numerics/special.ts';
import { solve } from '../../src/solve/iterate.ts';
import { findThreshold } from '../../src/transitions/threshold.ts';
import { newton } from '../util/newton.ts';

const compiled = loadModel('equations/lasso.yaml');
type Params = { alpha: number; lambda: number; rho: number; Delta: number };
const at = (p: Params) => {
  const s = solve(compiled.problem(p), { maxIterations: 1_000_000 });
  expect(s.status).toBe('converged');
  return { ...s.state, ...s.observables };
};

/** Minimiser of a unimodal f on [a, b] by golden section. */
function golden(f: (x: number) => number, a: number, b: number): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > 1e-11) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = f(c); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = f(d); }
  }
  return (a + b) / 2;
}
function bisect(f: (x: number) => number, lo: number, hi: number): number {
  const slo = Math.sign(f(lo));
  for (let k = 0; k < 100; k++) {
    const mid = (lo + hi) / 2;
    if (Math.sign(f(mid)) === slo) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The Donoho-Tanner phase transition of noiseless ell-1 reconstruction (basis pursuit), for a fraction eps = rho of
 * nonzeros among d unknowns and alpha = n/d measurements, in two independent forms:
 * (1) Donoho, Maleki, Montanari, PNAS 106, 18914 (2009), the minimax soft-thresholding MSE: with
 *     psi(t) = E[(|Z| - t)_+^2]/2 = (1 + t^2) H(t) - t N(t),
 *     alpha_DT(eps) = M(eps) = min_t [eps (1 + t^2) + (1 - eps) 2 psi(t)]
 *     (the equivalent ratio form rho_DT(delta) = max_t [1 - (2/delta) psi(t)]/[1 + t^2 - 2 psi(t)] is their
 *     rho_SE, shown there to coincide with the Donoho-Tanner polytope curve rho_CG);
 * (2) Stojnic, "Various thresholds for ell-1 optimization in compressed sensing", arXiv:0907.3666 (2009), the weak
 *     threshold: with x = erfinv((1 - alpha)/(1 - eps)),
 *     (1 - eps) sqrt(2/pi) exp(-x^2)/alpha - sqrt(2) x = 0.
 * The transition does not depend on the law of the nonzero entries, so it holds for the Gauss-Bernoulli teacher.
 */
const psi = (t: number) => (1 + t * t) * H(t) - t * npdf(t);
const alphaDMM = (eps: number) => {
  const M = (t: number) => eps * (1 + t * t) + (1 - eps) * 2 * psi(t);
  return M(golden(M, 0, 10));
};
const erfinv = (y: number) => bisect((x) => erf(x) - y, -10, 10);
const alphaStojnic = (eps: number) =>
  bisect((a) => {
    const x = erfinv((1 - a) / (1 - eps));
    return ((1 - eps) * Math.sqrt(2 / Math.PI) * Math.exp(-x * x)) / a - Math.sqrt(2) * x;
  }, eps + 1e-9, 1 - 1e-9);

/**
 * Reference (b), at finite lambda: the replica fixed point of the LASSO (Bayati and Montanari 2012) written from
 * its definitions and integrated by brute force. Channel side (square loss, prox (omega + V y)/(1 + V)):
 * f_out = (y - omega)/(1 + V), so Vhat = -alpha E f_out' = alpha/(1 + V), mhat = Vhat and qhat = alpha E f_out^2
 * = alpha E(y - omega)^2/(1 + V)^2 with E(y - omega)^2 = rho + Delta - 2 m + q. Prior side: the scalar estimate
 * w^ = eta(B) = argmin_w [Vhat w^2/2 - B w + lambda |w|] = soft(B, lambda)/Vhat, found here by comparing the three
 * candidate stationary points of the piecewise quadratic (no formula for soft thresholding used), with
 * B = mhat w* + sqrt(qhat) xi; m = E[w* eta], q = E[eta^2], V = E[eta'] (eta' = 1/Vhat off the dead zone).
 * The expectations over w* ~ (1 - rho) delta_0 + rho N(0, 1) and xi ~ N(0, 1) are a composite Simpson rule in xi
 * on [-10, 10] split at the kinks of eta (B = +-lambda), one-sided values at the kinks, and a plain Simpson rule
 * in w* on [-10, 10]. The fixed point is found by Newton's method with a finite-difference Jacobian.
 */
function simpsonAdd(f: (x: number) => number[], a: number, b: number, n: number, out: number[]) {
  const h = (b - a) / n;
  for (let i = 0; i <= n; i++) {
    const w = ((i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * h) / 3;
    const v = f(a + i * h);
    for (let k = 0; k < out.length; k++) out[k] += w * v[k];
  }
}
function piecewise(f: (x: number) => number[], lo: number, hi: number, breaks: number[], n: number, dim: number) {
  const pts = [lo, ...breaks.filter((b) => b > lo && b < hi).sort((a, b) => a - b), hi];
  const out = new Array<number>(dim).fill(0);
  for (let i = 0; i + 1 < pts.length; i++) {
    const [a, b] = [pts[i], pts[i + 1]];
    if (b - a < 1e-14) continue;
    const e = 1e-11 * Math.max(1, Math.abs(a), Math.abs(b)); // one-sided values at the ends
    simpsonAdd((x) => f(Math.min(Math.max(x, a + e), b - e)), a, b, n, out);
  }
  return out;
}
function eta(B: number, Vhat: number, lambda: number): number {
  // stationary points of Vhat w^2/2 - B w + lambda |w| on w > 0, w < 0, and w = 0; keep the best admissible one
  const obj = (w: number) => (Vhat * w * w) / 2 - B * w + lambda * Math.abs(w);
  let best = 0;
  const plus = (B - lambda) / Vhat; // stationary on w > 0 if positive
  const minus = (B + lambda) / Vhat; // stationary on w < 0 if negative
  if (plus > 0 && obj(plus) < obj(best)) best = plus;
  if (minus < 0 && obj(minus) < obj(best)) best = minus;
  return best;
}
function referenceMap(p: Params, [V, m, q]: number[]): number[] {
  const Vhat = p.alpha / (1 + V);
  const mhat = Vhat;
  const qhat = (p.alpha * (p.rho + p.Delta - 2 * m + q)) / (1 + V) ** 2;
  const sq = Math.sqrt(qhat);
  const inner = (w: number) =>
    piecewise((xi) => {
      const B = mhat * w + sq * xi;
      const e = eta(B, Vhat, p.lambda);
      const de = e !== 0 ? 1 / Vhat : 0;
      return [npdf(xi) * w * e, npdf(xi) * e * e, npdf(xi) * de];
    }, -10, 10, [(p.lambda - mhat * w) / sq, (-p.lambda - mhat * w) / sq], 400, 3);
  const zero = inner(0);
  const one = piecewise((w) => inner(w).map((v) => v * npdf(w)), -10, 10, [], 400, 3);
  const [mm, qq, vv] = zero.map((v, k) => (1 - p.rho) * v + p.rho * one[k]);
  return [vv, mm, qq];
}
function referenceSolve(p: Params) {
  let x = [1, 0, 0.01];
  for (let k = 0; k < 5; k++) x = referenceMap(p, x);
  const G = (v: number[]) => referenceMap(p, v).map((w, i) => w - v[i]);
  x = newton(G, x, { admissible: (xn) => xn[0] > 0 && xn[2] >= 0 });
  const [V, m, q] = x;
  const Vhat = p.alpha / (1 + V);
  return { V, m, q, mse: p.rho - 2 * m + q, sparsity: V * Vhat, residual: Math.max(...G(x).map(Math.abs)) };
}

describe('lasso.yaml: ell-1 penalised least squares on a Gauss-Bernoulli teacher', () => {
  it('the two forms of the Donoho-Tanner curve agree (DMM minimax formula, Stojnic weak threshold)', () => {
    for (const eps of [0.05, 0.1, 0.2, 0.4, 0.7]) {
      expect(Math.abs(alphaDMM(eps) - alphaStojnic(eps))).toBeLessThan(1e-9);
    }
  });

  it('noiseless, lambda -> 0: exact recovery above alpha_DT(rho), a finite error below it', () => {
    for (const rho of [0.1, 0.2, 0.4]) {
      const aDT = alphaDMM(rho);
      const mse = (alpha: number) => [1e-4, 1e-5, 1e-6].map((lambda) => at({ alpha, lambda, rho, Delta: 0 }).mse);
      const above = mse(aDT + 0.02);
      const below = mse(aDT - 0.02);
      // above: the error vanishes like lambda^2 (a factor 100 per decade of lambda) ...
      expect(above[2]).toBeLessThan(1e-8);
      expect(above[1] / above[2]).toBeGreaterThan(90);
      expect(above[0] / above[1]).toBeGreaterThan(50);
      // ... below: it does not depend on lambda any more, and is far from 0
      expect(below[2]).toBeGreaterThan(1e-4);
      expect(Math.abs(below[1] / below[2] - 1)).toBeLessThan(1e-3);
      // Sparsity. Below the transition basis pursuit ends on a vertex of {w : Xw = y}, which has n = alpha d
      // nonzeros: the fraction of nonzeros tends to alpha (and V = sparsity/(alpha - sparsity) grows like
      // 1/lambda). Above it the support contains the teacher's and, at lambda > 0, small spurious entries, and
      // stays below alpha (a LASSO solution has at most n nonzeros).
      const lo = at({ alpha: aDT - 0.02, lambda: 1e-6, rho, Delta: 0 });
      expect(Math.abs(lo.sparsity / (aDT - 0.02) - 1)).toBeLessThan(1e-4);
      const hi = at({ alpha: aDT + 0.02, lambda: 1e-6, rho, Delta: 0 });
      expect(hi.sparsity).toBeGreaterThan(rho);
      expect(hi.sparsity).toBeLessThan(aDT);
    }
  }, 30_000);

  it('the level crossing mse = 1e-7 at lambda = 1e-6 (saddle threshold --kind level) sits at alpha_DT', () => {
    // As lambda -> 0 the error vanishes continuously at alpha_DT from below (roughly like (alpha_DT - alpha)^2)
    // and is O(lambda^2) above: a small level is crossed close to alpha_DT.
    for (const rho of [0.1, 0.2, 0.4]) {
      const t = findThreshold(compiled, {
        kind: 'level', param: 'alpha', lo: rho + 0.05, hi: 0.95, fixed: { lambda: 1e-6, rho, Delta: 0 },
        observable: 'mse', level: 1e-7, tol: 1e-6, solver: { maxIterations: 1_000_000 },
      });
      expect(t.found).toBe(true);
      expect(Math.abs(t.threshold - alphaDMM(rho))).toBeLessThan(3e-4);
    }
  }, 30_000);

  it('agrees at finite lambda with a brute-force implementation of the soft-thresholding integrals', () => {
    const points: Params[] = [
      { alpha: 0.5, lambda: 0.1, rho: 0.2, Delta: 0.01 },
      { alpha: 0.3, lambda: 0.05, rho: 0.1, Delta: 0 },
      { alpha: 2, lambda: 1, rho: 1, Delta: 0.5 },
    ];
    for (const p of points) {
      const s = at(p);
      // the estimation error is an order parameter of its own (written without cancellation): it is rho - 2m + q
      expect(Math.abs(s.err - (p.rho - 2 * s.m + s.q))).toBeLessThan(1e-14);
      const ref = referenceSolve(p);
      expect(ref.residual).toBeLessThan(1e-13);
      for (const k of ['V', 'm', 'q', 'mse', 'sparsity'] as const) {
        expect(Math.abs(s[k] - ref[k]) / Math.abs(ref[k])).toBeLessThan(1e-7);
      }
    }
  }, 60_000);

  it('noiseless, file defaults: lambda = 1e-9 and 1e-12 converge up to the l1 transition and past it', () => {
    // issue 13: from the old start (err = 1) every solve diverged for lambda <= 1e-9. The transition rho_DT(alpha)
    // is the inverse of the DMM curve above.
    for (const alpha of [0.25, 0.5, 0.75]) {
      const rhoDT = bisect((r) => alphaDMM(r) - alpha, 1e-3, alpha - 1e-3);
      for (const lambda of [1e-9, 1e-12]) {
        for (const f of [0.3, 0.8, 0.97, 1.03, 1.3]) {
          const rho = f * rhoDT;
          const s = solve(compiled.problem({ alpha, lambda, rho, Delta: 0 }));
          expect(s.status, `alpha ${alpha}, rho ${rho}, lambda ${lambda}: ${s.message}`).toBe('converged');
          // below the transition the error is O(lambda^2) (recovery); above it finite
          if (f < 1) expect(s.observables.mse).toBeLessThan(1e6 * lambda * lambda);
          else expect(s.observables.mse).toBeGreaterThan(1e-6);
        }
      }
    }
  }, 120_000);
});
