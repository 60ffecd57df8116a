import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { H, npdf } from '../../src/numerics/special.ts';
import { solve } from '../../src/solve/iterate.ts';
import { newton } from '../util/newton.ts';
import { proxHinge } from './hinge-reference.ts';

const compiled = loadModel('equations/hinge.yaml');
// atol 0: every order parameter judged relative to its size (q ~ 1e-6 at lambda = 1000, the hats ~ lambda at small
// lambda), so that comparisons at 1e-12 test the equations, not where in the tolerance the iteration stopped
const at = (alpha: number, lambda: number) => {
  const s = solve(compiled.problem({ alpha, lambda }), { maxIterations: 200_000, atol: 0 });
  expect(s.status).toBe('converged');
  return { ...s.state, ...s.observables };
};

/** Composite Simpson rule on [a, b] with an even number n of intervals, for a vector-valued integrand. */
function simpson(f: (x: number) => number[], a: number, b: number, n: number): number[] {
  const h = (b - a) / n;
  const fb = f(b);
  const s = f(a).map((v, k) => v + fb[k]);
  for (let i = 1; i < n; i++) f(a + i * h).forEach((v, k) => (s[k] += (i % 2 ? 4 : 2) * v));
  return s.map((v) => (v * h) / 3);
}
const simpson1 = (f: (x: number) => number, a: number, b: number, n: number) => simpson((x) => [f(x)], a, b, n)[0];
/**
 * Simpson on [lo, hi] split at the given break points (kinks), n intervals on every piece (a fixed count, so that
 * the result is a smooth function of the break points, as Newton's method needs). The integrand may jump at a
 * break point: each piece sees its own one-sided values (its ends are moved inward by 1e-10).
 */
function piecewise(f: (x: number) => number[], lo: number, hi: number, breaks: number[], n: number): number[] {
  const pts = [lo, ...breaks.filter((b) => b > lo && b < hi).sort((a, b) => a - b), hi];
  let s: number[] | undefined;
  for (let i = 0; i + 1 < pts.length; i++) {
    const [a, b] = [pts[i], pts[i + 1]];
    if (b - a < 1e-12) continue;
    const eps = 1e-10 * Math.max(1, Math.abs(a), Math.abs(b));
    const piece = simpson((x) => f(Math.min(Math.max(x, a + eps), b - eps)), a, b, n);
    s = s ? s.map((v, k) => v + piece[k]) : piece;
  }
  return s!;
}
/** Illinois (modified regula falsi) root of f on a bracket [a, b] where f changes sign. */
function root(f: (x: number) => number, a: number, b: number, xtol = 1e-14): number {
  let fa = f(a);
  let fb = f(b);
  if (Math.sign(fa) === Math.sign(fb)) throw new Error(`no sign change on [${a}, ${b}]`);
  let side = 0;
  for (let k = 0; k < 200 && Math.abs(b - a) > xtol * Math.max(1, Math.abs(a)); k++) {
    const c = (a * fb - b * fa) / (fb - fa);
    const fc = f(c);
    if (fc === 0) return c;
    if (Math.sign(fc) === Math.sign(fb)) {
      b = c; fb = fc;
      if (side === -1) fa /= 2;
      side = -1;
    } else {
      a = c; fa = fc;
      if (side === 1) fb /= 2;
      side = 1;
    }
  }
  return (a + b) / 2;
}

/**
 * Reference (b): the ERM equations of Aubin, Krzakala, Lu, Zdeborova (NeurIPS 2020) in their textbook form (PRIMER):
 * an integral over the student field omega = sqrt(q) xi, xi ~ N(0, 1), a sum over the labels y = +-1 weighted by
 * the label marginal Z0 = H(-y omega0/sqrt V0), omega0 = m xi/sqrt q, V0 = 1 - m^2/q, and
 *   mhat = alpha E_xi sum_y dZ0/domega0 f_out,  qhat = alpha E_xi sum_y Z0 f_out^2,  Vhat = -alpha E_xi sum_y Z0 f_out',
 * f_out = (prox - omega)/V. The prox of V max(0, 1 - y x) at omega is found by bisection on the right derivative of
 * x -> max(0, 1 - y x) + (x - omega)^2/(2V) (no closed form used); f_out' = (dprox/domega - 1)/V with dprox/domega
 * = 1/(1 + V loss''(prox)): 0 when the prox sits on the kink y x = 1, 1 elsewhere. Quadrature: Simpson on
 * xi in [-11, 11] split at the kinks of f_out (omega = +-1, +-(1 - V)) and around the
 * sigmoid Z0 (at 0, +-w0, +-4 w0, w0 its width), 1000 intervals on each piece (no Gauss-Hermite).
 * The fixed point is found by Newton's method on map(x) - x with a finite-difference Jacobian, started from a few
 * plain iterations at lambda = 1 and continued down to the requested lambda (factors of sqrt(10), linear
 * extrapolation of the path as predictor).
 */
function referenceMap(alpha: number, lambda: number, [V, m, q]: number[]): number[] {
  const sq = Math.sqrt(q);
  const sV0 = Math.sqrt(1 - (m * m) / q);
  const kinks = [1, -1, 1 - V, V - 1].map((w) => w / sq);
  // the label marginal is a sigmoid in xi of width w0 = sqrt(V0 q)/m around 0: more break points there
  const w0 = (sV0 * sq) / m;
  kinks.push(0, w0, -w0, 4 * w0, -4 * w0);
  let Vhat = 0;
  let mhat = 0;
  let qhat = 0;
  for (const y of [1, -1]) {
    const [v, mm, qq] = piecewise((xi) => {
      const omega = sq * xi;
      const x = proxHinge(y, omega, V);
      const f = (x - omega) / V;
      const onKink = Math.abs(y * x - 1) < 1e-12 ? 1 : 0; // bisection brackets the kink to ~1e-15
      const u = (m / sq) * xi / sV0;
      const Z0 = H(-y * u);
      const dZ0 = (y * npdf(u)) / sV0;
      return [npdf(xi) * Z0 * onKink / V, npdf(xi) * dZ0 * f, npdf(xi) * Z0 * f * f];
    }, -11, 11, kinks, 1000);
    Vhat += v;
    mhat += mm;
    qhat += qq;
  }
  Vhat *= alpha;
  mhat *= alpha;
  qhat *= alpha;
  const d = lambda + Vhat;
  return [1 / d, mhat / d, (mhat * mhat + qhat) / (d * d)];
}
/** Solves the 3x3 system G(x) = map(x) - x by Newton's method (finite-difference Jacobian, backtracking). */
function referenceSolve(alpha: number, lambda: number) {
  let x = [1, 0.3, 0.5];
  for (let k = 0; k < 30; k++) x = referenceMap(alpha, Math.max(lambda, 1), x);
  const lambdas = [lambda];
  while (lambdas[0] < 0.5) lambdas.unshift(lambdas[0] * Math.sqrt(10));
  let residual = NaN;
  // Newton in (log V, m, q): V changes by orders of magnitude along the continuation, whose steps are equal in
  // log lambda; each starts from the linear extrapolation of the last two solutions.
  const path: number[][] = [];
  for (const l of lambdas) {
    const G = (v: number[]) => {
      const y = referenceMap(alpha, l, [Math.exp(v[0]), v[1], v[2]]);
      return [Math.log(y[0]) - v[0], y[1] - v[1], y[2] - v[2]];
    };
    const k = path.length;
    const start = k >= 2 ? path[k - 1].map((v, i) => 2 * v - path[k - 2][i]) : [Math.log(x[0]), x[1], x[2]];
    const y = newton(G, start[2] > start[1] ** 2 ? start : path[k - 1], { admissible: (xn) => xn[2] > xn[1] * xn[1], tol: (x) => 1e-13 * Math.max(1, ...x.map(Math.abs)), maxIterations: 40 });
    path.push(y);
    x = [Math.exp(y[0]), y[1], y[2]];
    residual = Math.max(...referenceMap(alpha, l, x).map((g, i) => Math.abs(g / x[i] - 1)));
  }
  const [V, m, q] = x;
  return { V, m, q, gen_error: Math.acos(m / Math.sqrt(q)) / Math.PI, residual };
}

/**
 * Reference (c): the max-margin classifier, from Gardner's volume of the teacher-student perceptron with margin
 * kappa (spherical weights |w|^2 = d, Gardner 1988; Aubin et al. 2020, max-margin section). With R = w.w_star/d the
 * teacher overlap, the replica-symmetric entropy is (1/2) log(1 - Q) + (Q - R^2)/(2(1 - Q)) + alpha G_E, G_E =
 * 2 int_{u > 0} Du E_t log H((kappa - R u - sqrt(Q - R^2) t)/sqrt(1 - Q)), Q the overlap of two solutions. As
 * Q -> 1 (the volume shrinks to the max-margin point) the 1/(1 - Q) terms dominate:
 *   F(R, kappa) = 1 - R^2 - 2 alpha int_0^inf Du E_t (kappa - R u - sqrt(1 - R^2) t)_+^2,
 * and the max-margin point is F = 0, dF/dR = 0. The inner Gaussian integral is closed form:
 * E_t (A - B t)_+^2 = (A^2 + B^2) Phi(A/B) + A B N(A/B), and its R-derivative is -2 [u (A Phi + B N) + R Phi].
 * The hinge ERM at lambda -> 0 is the hard-margin SVM, whose weights (margin 1) have norm 1/kappa: q -> 1/kappa^2,
 * m/sqrt(q) -> R.
 */
function maxMargin(alpha: number) {
  const Phi = (x: number) => H(-x);
  const F = (R: number, kappa: number) => {
    const B = Math.sqrt(1 - R * R);
    const g = (u: number) => {
      const A = kappa - R * u;
      return npdf(u) * ((A * A + B * B) * Phi(A / B) + A * B * npdf(A / B));
    };
    return 1 - R * R - 2 * alpha * simpson1(g, 0, 14, 8000);
  };
  const dF = (R: number, kappa: number) => {
    const B = Math.sqrt(1 - R * R);
    const g = (u: number) => {
      const A = kappa - R * u;
      return npdf(u) * (u * (A * Phi(A / B) + B * npdf(A / B)) + R * Phi(A / B));
    };
    return -2 * R + 4 * alpha * simpson1(g, 0, 14, 8000);
  };
  // F is maximal in R where dF = 0; for a margin far above the max-margin one the maximum sits at R = 1, where F < 0
  const Rof = (kappa: number) => (dF(1 - 1e-9, kappa) > 0 ? 1 - 1e-9 : root((R) => dF(R, kappa), 1e-6, 1 - 1e-9));
  const kappa = root((k) => F(Rof(k), k), 1e-3, 5);
  return { kappa, R: Rof(kappa) };
}

describe('hinge.yaml: soft-margin SVM on a sign teacher', () => {
  it('large lambda: the Hebbian estimator, m/sqrt(q) = sqrt(2 alpha/pi)/sqrt(1 + 2 alpha/pi)', () => {
    // For lambda >> 1 every margin is below 1, the hinge gradient is -y x/sqrt(d) for every sample and
    // w = sum_mu y_mu x_mu/(lambda sqrt d): m = alpha E|z|/lambda = alpha sqrt(2/pi)/lambda and
    // q = (alpha + alpha^2 2/pi)/lambda^2 (the component along w* plus the isotropic rest).
    for (const alpha of [0.3, 1, 3, 10]) {
      const hebb = Math.sqrt((2 * alpha) / Math.PI) / Math.sqrt(1 + (2 * alpha) / Math.PI);
      const distance = [1, 10, 1000].map((lambda) => {
        const s = at(alpha, lambda);
        return Math.abs(s.m / Math.sqrt(s.q) - hebb);
      });
      // the estimator approaches the Hebbian one as lambda grows, and is it (to rounding) at lambda = 1000
      expect(distance[1]).toBeLessThan(distance[0]);
      expect(distance[2]).toBeLessThan(1e-12);
      const s = at(alpha, 1000);
      expect(Math.abs(s.m * 1000 / (alpha * Math.sqrt(2 / Math.PI)) - 1)).toBeLessThan(1e-12);
      expect(Math.abs((s.q * 1e6) / (alpha + (2 * alpha * alpha) / Math.PI) - 1)).toBeLessThan(1e-12);
      expect(s.V * 1000).toBeCloseTo(1, 12);
      // no sample reaches the margin: train_loss = 1 - E[y omega] - V = 1 - m sqrt(2/pi) - V
      expect(Math.abs(s.train_loss - (1 - s.m * Math.sqrt(2 / Math.PI) - s.V))).toBeLessThan(1e-12);
    }
  });

  it('agrees with an independent implementation of the textbook equations (bisection prox, Simpson quadrature)', () => {
    // Points on both sides of the switch m = s of the model's quadrature (m < s at alpha <= 1), from the
    // Hebbian-like regime (lambda = 1) to the max-margin one (alpha = 2, lambda = 0.01). The agreement is limited
    // by the reference's quadrature of the narrow label marginal (~1e-8 at alpha = 8).
    const points: [number, number, boolean][] = [
      [0.3, 0.1, false],
      [1, 1, false],
      [2, 0.01, true],
      [5, 0.05, true],
      [8, 0.02, true],
    ];
    for (const [alpha, lambda, mAboveS] of points) {
      const s = at(alpha, lambda);
      expect(s.m > Math.sqrt(s.q - s.m * s.m)).toBe(mAboveS);
      const ref = referenceSolve(alpha, lambda);
      expect(ref.residual).toBeLessThan(1e-12);
      for (const k of ['V', 'm', 'q', 'gen_error'] as const) {
        expect(Math.abs(s[k] - ref[k]) / Math.abs(ref[k])).toBeLessThan(1e-7);
      }
    }
  }, 120_000);

  it('lambda -> 0+: the max-margin (hard-margin SVM) solution of Gardner-type equations', () => {
    for (const alpha of [0.5, 2, 8]) {
      const mm = maxMargin(alpha);
      const genMM = Math.acos(mm.R) / Math.PI;
      const gaps = [0.3, 0.03, 1e-3, 1e-4].map((lambda) => {
        const s = at(alpha, lambda);
        return { gen: Math.abs(s.gen_error - genMM), q: Math.abs(s.q * mm.kappa ** 2 - 1), loss: s.train_loss };
      });
      // the gap closes as lambda decreases ...
      expect(gaps[1].gen).toBeLessThan(gaps[0].gen);
      // ... and vanishes once no sample violates the margin (train loss 0): the SVM solution is reached at a
      // finite lambda, after which m and q no longer depend on lambda
      expect(gaps[3].loss).toBeLessThan(1e-12);
      expect(gaps[3].gen).toBeLessThan(1e-10);
      expect(gaps[3].q).toBeLessThan(1e-9);
    }
  }, 30_000);

  it('file defaults (safeguarded Anderson, memory 5): alpha = 5 and 10 at lambda = 1e-3 converge in a few hundred sweeps, on the max-margin solution', () => {
    // issue 13: the file's defaults stopped at max-iterations at alpha = 5 (gen_error 0.103; the max-margin value,
    // which lambda = 1e-3 already reaches, is 0.0938270) and needed 4,379 sweeps at alpha = 10
    for (const alpha of [5, 10]) {
      const s = solve(compiled.problem({ alpha, lambda: 1e-3 }));
      expect(s.status).toBe('converged');
      expect(s.iterations).toBeLessThan(400);
      const mm = maxMargin(alpha);
      expect(Math.abs(s.observables.gen_error - Math.acos(mm.R) / Math.PI)).toBeLessThan(1e-8);
      expect(Math.abs(s.state.q * mm.kappa ** 2 - 1)).toBeLessThan(1e-8);
    }
    const five = solve(compiled.problem({ alpha: 5, lambda: 1e-3 }));
    expect(five.observables.gen_error).toBeCloseTo(0.0938270, 6);
  }, 60_000);

  it('file defaults converge for lambda down to 1e-6 over alpha = 0.5..10 (the max-margin solution below lambda = 1e-4)', () => {
    for (const alpha of [0.5, 1, 2, 5, 10]) {
      const mm = maxMargin(alpha);
      for (const lambda of [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6]) {
        const s = solve(compiled.problem({ alpha, lambda }));
        expect(s.status, `alpha ${alpha}, lambda ${lambda}: ${s.message}`).toBe('converged');
        expect(s.iterations).toBeLessThan(2000);
        if (lambda <= 1e-4) {
          expect(Math.abs(s.observables.gen_error - Math.acos(mm.R) / Math.PI)).toBeLessThan(1e-8);
          expect(Math.abs(s.state.q * mm.kappa ** 2 - 1)).toBeLessThan(1e-7);
        }
      }
    }
  }, 180_000);
});
