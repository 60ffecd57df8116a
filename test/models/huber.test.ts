import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { newton } from '../util/newton.ts';

const compiled = loadModel('equations/huber.yaml');
type Params = { alpha: number; lambda: number; a: number; Delta: number; Delta_out: number; eps: number };
const at = (p: Params) => {
  const s = solve(compiled.problem(p), { maxIterations: 1_000_000 });
  expect(s.status).toBe('converged');
  return { ...s.state, ...s.observables };
};
const npdf = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);

/**
 * Reference (a): ridge regression in closed form (random-matrix theory), as in test/models/ridge.test.ts, with the
 * noise variance of the mixture: V is the Marchenko-Pastur Stieltjes transform at -lambda, the root of
 * lambda V^2 + (lambda + alpha - 1) V = 1, and |w^ - w*|^2/d = lambda^2 tr(A + lambda)^-2/d + Delta tr A(A + lambda)^-2/d.
 * For a -> infinity the Huber loss is the square loss on every sample.
 */
function ridge(alpha: number, lambda: number, Delta: number) {
  const b = lambda + alpha - 1;
  const V = b > 0 ? 2 / (b + Math.sqrt(b * b + 4 * lambda)) : (-b + Math.sqrt(b * b + 4 * lambda)) / (2 * lambda);
  const T2 = (V * (1 + V)) / (2 * lambda * V + b);
  const mse = lambda * lambda * T2 + Delta * (V - lambda * T2);
  const m = 1 - lambda * V;
  return { V, m, q: mse - 1 + 2 * m, mse };
}

/**
 * Reference (b): the replica equations of ERM (Loureiro et al. 2021; Vilucchio et al. 2023) in their textbook form
 * (PRIMER), with no use of the model's reductions (Gaussian residual, mhat = Vhat, closed-form moments):
 * the student field omega = sqrt(q) xi, the teacher field given omega has mean omega0 = m xi/sqrt(q) and variance
 * V0 = 1 - m^2/q, the label marginal is the mixture Z0(y) = (1 - eps) N(y; omega0, V0 + Delta) + eps N(y; omega0,
 * V0 + Delta_out), and
 *   Vhat = -alpha E_xi int dy Z0 f_out',  mhat = alpha E_xi int dy dZ0/domega0 f_out,  qhat = alpha E_xi int dy Z0 f_out^2,
 * f_out = (prox - omega)/V, the prox of V huber_a(y - .) at omega found by bisection on the derivative of
 * huber_a(y - x) + (x - omega)^2/(2V) (huber_a' = clip(., -a, a); no closed form used), and
 * f_out' = (dprox/domega - 1)/V with dprox/domega = 1/(1 + V huber_a''(y - prox)). As f_out depends on y - omega
 * only, the prox is tabulated once per map on a grid of r = y - omega, split at its kinks |r| = a (1 + V) (located
 * with the numerical prox: where |y - prox| crosses a) and at the scale of the inlier residuals; Simpson's rule
 * in r (one-sided values at the kinks) and in xi on [-10, 10]. Prior side: V = 1/(lambda + Vhat), m = mhat/(lambda + Vhat), q = (mhat^2 + qhat)/(lambda + Vhat)^2.
 * The fixed point is found by Newton's method with a finite-difference Jacobian from a few plain iterations.
 */
function simpsonWeights(n: number, h: number): Float64Array {
  const w = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) w[i] = ((i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * h) / 3;
  return w;
}
function proxHuber(r0: number, V: number, a: number): number {
  // minimise huber_a(r0 - u) + u^2/(2V) over the move u = x - omega; derivative -clip(r0 - u) + u/V, increasing
  const clip = (r: number) => Math.max(-a, Math.min(a, r));
  let lo = Math.min(0, r0) - 1;
  let hi = Math.max(0, r0) + 1;
  for (let k = 0; k < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo)); k++) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (-clip(r0 - mid) + mid / V >= 0) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}
function referenceMap(p: Params, [V, m, q]: number[]): number[] {
  const { alpha, lambda, a, Delta, Delta_out, eps } = p;
  const sq = Math.sqrt(q);
  const V0 = 1 - (m * m) / q;
  const classes = [[1 - eps, V0 + Delta], [eps, V0 + Delta_out]].filter(([w]) => w > 0);
  // kinks of f_out in r = y - omega, located by bisection on |r - u(r)| = a with the numerical prox
  const moveOf = (r: number) => proxHuber(r, V, a);
  let klo = 0;
  let khi = 100 * (a + 1) * (1 + V);
  for (let k = 0; k < 200; k++) {
    const mid = (klo + khi) / 2;
    if (Math.abs(mid - moveOf(mid)) < a) klo = mid;
    else khi = mid;
  }
  const T = (klo + khi) / 2;
  // r-grid: the kinks at +-T, the scale L of the inlier residuals and the range R of the outlier ones;
  // 300 intervals on each of five pieces; f_out and f_out' tabulated once
  const L = T + 10 * Math.sqrt(1 - 2 * m + q + Delta);
  const R = Math.max(L, T + 14 * Math.sqrt(1 - 2 * m + q + Math.max(Delta, eps > 0 ? Delta_out : 0)));
  const rs: number[] = [];
  const wr: number[] = [];
  const fs: number[] = [];
  const dfs: number[] = [];
  const pieces = [[-R, -L, 0], [-L, -T, 0], [-T, T, 1], [T, L, 0], [L, R, 0]].filter(([lo, hi]) => hi > lo);
  for (const [lo, hi, inside] of pieces) {
    const n = 300;
    const h = (hi - lo) / n;
    const w = simpsonWeights(n, h);
    const e = 1e-11 * Math.max(1, Math.abs(lo), Math.abs(hi));
    for (let i = 0; i <= n; i++) {
      const r = Math.min(Math.max(lo + i * h, lo + e), hi - e);
      const u = moveOf(r);
      rs.push(r);
      wr.push(w[i]);
      fs.push(u / V);
      // huber'' = 1 inside the quadratic region (|residual| < a), 0 outside
      dfs.push((1 / (1 + V * inside) - 1) / V);
    }
  }
  const nx = 400;
  const hx = 20 / nx;
  const wx = simpsonWeights(nx, hx);
  let Vhat = 0;
  let mhat = 0;
  let qhat = 0;
  for (let i = 0; i <= nx; i++) {
    const xi = -10 + i * hx;
    const omega = sq * xi;
    const omega0 = (m / sq) * xi;
    const gx = wx[i] * npdf(xi);
    for (let j = 0; j < rs.length; j++) {
      const y = omega + rs[j];
      let Z0 = 0;
      let dZ0 = 0;
      for (const [w, v] of classes) {
        const g = (w * npdf((y - omega0) / Math.sqrt(v))) / Math.sqrt(v);
        Z0 += g;
        dZ0 += (g * (y - omega0)) / v;
      }
      const c = gx * wr[j];
      Vhat -= c * Z0 * dfs[j];
      mhat += c * dZ0 * fs[j];
      qhat += c * Z0 * fs[j] * fs[j];
    }
  }
  Vhat *= alpha;
  mhat *= alpha;
  qhat *= alpha;
  const d = lambda + Vhat;
  return [1 / d, mhat / d, (mhat * mhat + qhat) / (d * d)];
}
function referenceSolve(p: Params) {
  let x = [1, 0.5, 0.5];
  for (let k = 0; k < 8; k++) x = referenceMap(p, x);
  const G = (v: number[]) => referenceMap(p, v).map((w, i) => w - v[i]);
  x = newton(G, x, { admissible: (xn) => xn[0] > 0 && xn[2] > xn[1] * xn[1] });
  const [V, m, q] = x;
  return { V, m, q, mse: 1 - 2 * m + q, residual: Math.max(...G(x).map(Math.abs)) };
}

describe('huber.yaml: robust regression with outliers', () => {
  it('a -> infinity: ridge regression with the mixture noise variance (random-matrix closed form)', () => {
    const points: Params[] = [
      { alpha: 0.5, lambda: 0.1, a: 1e3, Delta: 0.1, Delta_out: 10, eps: 0.1 },
      { alpha: 1, lambda: 0.01, a: 1e3, Delta: 0.5, Delta_out: 5, eps: 0.3 },
      { alpha: 3, lambda: 1e-3, a: 1e3, Delta: 0.2, Delta_out: 50, eps: 0.05 },
      { alpha: 10, lambda: 1, a: 1e3, Delta: 1, Delta_out: 1, eps: 0.5 },
    ];
    for (const p of points) {
      const s = at(p);
      const ref = ridge(p.alpha, p.lambda, (1 - p.eps) * p.Delta + p.eps * p.Delta_out);
      for (const k of ['V', 'm', 'q', 'mse'] as const) expect(Math.abs(s[k] - ref[k]) / Math.abs(ref[k])).toBeLessThan(1e-9);
      expect(s.outlier_fraction).toBe(0);
    }
    // and the Huber estimator approaches it as the threshold grows
    const p = { alpha: 2, lambda: 0.05, Delta: 0.3, Delta_out: 10, eps: 0.2 };
    const ref = ridge(p.alpha, p.lambda, 0.8 * 0.3 + 0.2 * 10);
    const gaps = [1, 3, 10, 30].map((a) => Math.abs(at({ ...p, a }).mse - ref.mse));
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeLessThan(gaps[i - 1]);
    expect(gaps[3]).toBeLessThan(1e-10);
  });

  it('agrees with an independent implementation of the textbook equations (bisection prox, Simpson quadrature)', () => {
    const points: Params[] = [
      { alpha: 2, lambda: 0.1, a: 1, Delta: 0.1, Delta_out: 10, eps: 0.1 },
      { alpha: 0.7, lambda: 0.01, a: 0.5, Delta: 0.5, Delta_out: 4, eps: 0.3 },
      { alpha: 5, lambda: 1e-3, a: 2, Delta: 0.2, Delta_out: 25, eps: 0.05 },
    ];
    for (const p of points) {
      const s = at(p);
      // the estimation error is an order parameter of its own (written without cancellation): it is 1 - 2m + q
      expect(Math.abs(s.err - (1 - 2 * s.m + s.q))).toBeLessThan(1e-13);
      const ref = referenceSolve(p);
      expect(ref.residual).toBeLessThan(1e-12);
      for (const k of ['V', 'm', 'q', 'mse'] as const) expect(Math.abs(s[k] - ref[k]) / Math.abs(ref[k])).toBeLessThan(1e-7);
    }
  }, 120_000);

  it('with outliers, Huber beats the square loss (both at their best lambda)', () => {
    // 10% of the labels with noise variance 100: the square loss pays for their variance, Huber caps their
    // influence. Best over a lambda grid for each; the square loss is the random-matrix closed form.
    const base = { Delta: 0.1, Delta_out: 100, eps: 0.1 };
    const lambdas = Array.from({ length: 25 }, (_, i) => 10 ** (-3 + (i * 5) / 24));
    for (const alpha of [2, 5]) {
      const square = Math.min(...lambdas.map((lambda) => ridge(alpha, lambda, 0.9 * 0.1 + 0.1 * 100).mse));
      const huber = Math.min(...lambdas.map((lambda) => at({ alpha, lambda, a: 1, ...base }).mse));
      expect(huber).toBeLessThan(square / 2);
    }
    // Without outliers (eps = 0, Gaussian noise) nothing is gained: with lambda = Delta the square loss is the
    // posterior mean of the Gaussian prior N(0, 1) (the Bayes-optimal estimator), and no Huber estimator beats it.
    for (const alpha of [2, 5]) {
      const bayes = ridge(alpha, 0.1, 0.1).mse;
      const huber = Math.min(...lambdas.map((lambda) => at({ alpha, lambda, a: 0.3, Delta: 0.1, Delta_out: 0, eps: 0 }).mse));
      expect(huber).toBeGreaterThan(bayes);
    }
  });
});
