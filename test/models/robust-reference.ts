/**
 * An independent implementation of the replica equations of ell-2 penalised ERM with a loss of the residual, under
 * the contamination model of the robust-*.yaml files (Vilucchio, Troiani, Erba, Krzakala 2023): inliers
 * y = t + sqrt(Delta_in) xi with probability 1 - eps, outliers y = beta t + sqrt(Delta_out) xi with probability eps.
 * Textbook form (PRIMER), none of the models' reductions (Gaussian residual, Stein's lemma, closed-form moments, a
 * change of variables): the student field omega = sqrt(q) xi, the teacher field given omega has mean
 * omega0 = m xi/sqrt(q) and variance V0 = 1 - m^2/q, the label marginal is the mixture
 * Z0(y) = sum_c p_c N(y; beta_c omega0, beta_c^2 V0 + Delta_c), and
 *   Vhat = -alpha E_xi int dy Z0 d f_out/d omega,  mhat = alpha E_xi int dy dZ0/domega0 f_out,  qhat = alpha E_xi int dy Z0 f_out^2,
 * f_out = (prox - omega)/V, the prox of V loss(y - .) at omega found by bisection on the derivative of
 * loss(y - x) + (x - omega)^2/(2V) (only the loss's first derivative is used); for a loss marked non-convex, every
 * local minimum (sign changes of the derivative on a grid of 200 points between 0 and r, where a loss with
 * r loss'(r) >= 0 keeps them, each refined by bisection) and the lowest
 * objective taken: the global prox, which jumps where two minima are equally low. d f_out/d omega by a central
 * difference of the numerical prox; a jump of f_out at r = y - omega = r* adds the delta Z0(omega + r*) times the
 * jump to Vhat (the distributional derivative: the replica free energy is a function of the continuous Moreau
 * envelope, whose second derivative it is), and makes the replicon infinite. f_out depends on r = y - omega only: it
 * is tabulated once per map on a grid of r split at the kinks and jumps the caller names, Simpson's rule in r and in
 * xi on [-10, 10]. Prior side: V = 1/(lambda + Vhat), m = mhat/(lambda + Vhat), q = (mhat^2 + qhat)/(lambda + Vhat)^2.
 * The fixed point by Newton's method with a finite-difference Jacobian from a few plain iterations.
 */
import { newton } from '../util/newton.ts';

export type Contamination = {
  alpha: number; lambda: number; Delta_in: number; Delta_out: number; eps: number; beta: number;
};
export interface Loss {
  value: (r: number) => number;
  /** A (sub)derivative: the prox's bisection needs only its sign changes. */
  slope: (r: number) => number;
  /** Where f_out, as a function of r = y - omega, has kinks (or a kinked derivative), at a response V. */
  kinks: (V: number) => number[];
  /** The prox objective may have several local minima: take the global one (and look for jumps). */
  nonConvex?: boolean;
  /** Where the global prox jumps, r* > 0 (and -r*), at a response V (undefined: no jump). */
  jump?: (V: number) => number | undefined;
}

const npdf = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
function simpsonWeights(n: number, h: number): Float64Array {
  const w = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) w[i] = ((i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * h) / 3;
  return w;
}

/** The move u = x - omega of the prox: the minimiser of loss(r - u) + u^2/(2V), by bisection on its derivative. */
export function proxMove(loss: Loss, r: number, V: number): number {
  const lo = -Math.abs(r) - 10 * V - 10;
  const hi = Math.abs(r) + 10 * V + 10;
  const h = (u: number) => -loss.slope(r - u) + u / V;
  if (!loss.nonConvex) return bisect(h, lo, hi);
  const f = (u: number) => loss.value(r - u) + (u * u) / (2 * V);
  // a loss with r loss'(r) >= 0 moves toward the label: every minimum lies between 0 and r
  const a0 = Math.min(0, r) - 1e-9;
  const b0 = Math.max(0, r) + 1e-9;
  const n = 200;
  let best = Number.NaN;
  for (let i = 0; i < n; i++) {
    const a = a0 + ((b0 - a0) * i) / n;
    const b = a0 + ((b0 - a0) * (i + 1)) / n;
    if (h(a) < 0 && h(b) >= 0) {
      const u = bisect(h, a, b);
      if (Number.isNaN(best) || f(u) < f(best)) best = u;
    }
  }
  return best;
}

function bisect(h: (u: number) => number, lo: number, hi: number): number {
  for (let k = 0; k < 300 && hi - lo > 1e-16 * Math.max(1, Math.abs(lo)); k++) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (h(mid) >= 0) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

interface Tables { rs: number[]; wr: number[]; g: number[]; dg: number[]; ell: number[] }

function tabulate(loss: Loss, V: number, scale: number, range: number): Tables {
  const jump = loss.jump?.(V);
  // next to a jump the prox's slope is steep (R' is small at the ends of the gap): pieces that shrink toward it
  const near = jump === undefined ? [] : [1e-4, 1e-3, 1e-2, 1e-1].flatMap((e) => [jump * (1 - e), jump * (1 + e)]);
  const kinks = [...new Set([...loss.kinks(V), ...(jump === undefined ? [] : [jump]), ...near].map(Math.abs).filter((k) => k > 0))].sort((x, y) => x - y);
  const ends = [...new Set([0, ...kinks, scale, range].filter((x) => x <= range))].sort((x, y) => x - y);
  const half = ends.slice(1).map((b, i) => [ends[i], b]);
  const pieces = [...half.map(([lo, hi]) => [-hi, -lo]), ...half];
  const t: Tables = { rs: [], wr: [], g: [], dg: [], ell: [] };
  for (const [lo, hi] of pieces) {
    const n = 300;
    const h = (hi - lo) / n;
    const w = simpsonWeights(n, h);
    const e = 1e-4 * h; // one-sided values at the ends of a piece: the central difference stays inside
    for (let i = 0; i <= n; i++) {
      const r = Math.min(Math.max(lo + i * h, lo + e), hi - e);
      const u = proxMove(loss, r, V);
      const d = Math.min(1e-5, e / 2);
      t.rs.push(r);
      t.wr.push(w[i]);
      t.g.push(u / V);
      t.dg.push((proxMove(loss, r + d, V) - proxMove(loss, r - d, V)) / (2 * d * V));
      t.ell.push(loss.value(r - u));
    }
  }
  return t;
}

interface Point { Vhat: number; mhat: number; qhat: number; trainLoss: number; replicon: number }

function channel(p: Contamination, loss: Loss, [V, m, q]: number[]): Point {
  const { alpha, eps, beta } = p;
  const sq = Math.sqrt(q);
  const V0 = 1 - (m * m) / q;
  const classes = [[1 - eps, 1, p.Delta_in], [eps, beta, p.Delta_out]].filter(([w]) => w > 0)
    .map(([w, b, D]) => ({ w, b, s: b * b * V0 + D }));
  const vmax = Math.max(...classes.map((c) => c.b * c.b - 2 * c.b * m + q + (c.s - c.b * c.b * V0)));
  const kmax = Math.max(0, ...loss.kinks(V).map(Math.abs));
  const t = tabulate(loss, V, kmax + 10 * Math.sqrt(1 - 2 * m + q + p.Delta_in), kmax + 14 * Math.sqrt(Math.max(vmax, 1e-12)) + 1e-9);
  const nx = 400;
  const wx = simpsonWeights(nx, 20 / nx);
  let Vhat = 0; let mhat = 0; let qhat = 0; let trainLoss = 0; let rep = 0;
  const jump = loss.jump?.(V);
  // the jumps of f_out at r = +-r*: g(r*+) - g(r*-), from the prox on either side
  const jumps = jump === undefined ? [] : [jump, -jump].map((r) => ({ r, dg: (proxMove(loss, r + 1e-9, V) - proxMove(loss, r - 1e-9, V)) / V }));
  for (let i = 0; i <= nx; i++) {
    const xi = -10 + (i * 20) / nx;
    const omega = sq * xi;
    const omega0 = (m / sq) * xi;
    const gx = wx[i] * npdf(xi);
    for (let j = 0; j < t.rs.length; j++) {
      const y = omega + t.rs[j];
      let Z0 = 0;
      let dZ0 = 0;
      for (const { w, b, s } of classes) {
        const gauss = (w * npdf((y - b * omega0) / Math.sqrt(s))) / Math.sqrt(s);
        Z0 += gauss;
        dZ0 += (gauss * b * (y - b * omega0)) / s;
      }
      const c = gx * t.wr[j];
      // d f_out/d omega = -g'(r): f_out is g(y - omega)
      Vhat += c * Z0 * t.dg[j];
      mhat += c * dZ0 * t.g[j];
      qhat += c * Z0 * t.g[j] ** 2;
      trainLoss += c * Z0 * t.ell[j];
      rep += c * Z0 * t.dg[j] ** 2;
    }
    for (const { r, dg } of jumps) {
      const y = omega + r;
      let Z0 = 0;
      for (const { w, b, s } of classes) Z0 += (w * npdf((y - b * omega0) / Math.sqrt(s))) / Math.sqrt(s);
      Vhat += gx * Z0 * dg;
    }
  }
  return { Vhat: alpha * Vhat, mhat: alpha * mhat, qhat: alpha * qhat, trainLoss, replicon: jumps.length ? Infinity : alpha * V * V * rep };
}

function map(p: Contamination, loss: Loss, x: number[]): number[] {
  const { Vhat, mhat, qhat } = channel(p, loss, x);
  const d = p.lambda + Vhat;
  return [1 / d, mhat / d, (mhat * mhat + qhat) / (d * d)];
}

/** The fixed point (V, m, q), the estimation error, the training loss, the replicon, and the residual of the map. */
export function referenceSolve(p: Contamination, loss: Loss, start = [1, 0.5, 0.5]) {
  let x = start;
  for (let k = 0; k < 8; k++) x = map(p, loss, x);
  const G = (v: number[]) => map(p, loss, v).map((w, i) => w - v[i]);
  x = newton(G, x, { admissible: (xn) => xn[0] > 0 && xn[2] > xn[1] * xn[1] });
  const [V, m, q] = x;
  const { trainLoss, replicon } = channel(p, loss, x);
  return { V, m, q, estimation_error: 1 - 2 * m + q, train_loss: trainLoss, replicon, residual: Math.max(...G(x).map(Math.abs)) };
}

/**
 * Ridge regression in closed form (random-matrix theory) for the square loss under the same contamination: the
 * square loss sees only second moments, so it is ridge on the teacher bw* (b = E beta_c) with the noise variance
 * E beta_c^2 - b^2 + E Delta_c. V is the Marchenko-Pastur Stieltjes transform at -lambda; with T2 = tr (A + lambda)^-2/d,
 * m = b (1 - lambda V), q = b^2 (1 - 2 lambda V + lambda^2 T2) + noise (V - lambda T2).
 */
export function ridgeContaminated(p: Contamination) {
  const { alpha, lambda, eps, beta } = p;
  const b = 1 - eps + eps * beta;
  const noise = 1 - eps + eps * beta * beta - b * b + (1 - eps) * p.Delta_in + eps * p.Delta_out;
  const c = lambda + alpha - 1;
  const V = c > 0 ? 2 / (c + Math.sqrt(c * c + 4 * lambda)) : (-c + Math.sqrt(c * c + 4 * lambda)) / (2 * lambda);
  const T2 = (V * (1 + V)) / (2 * lambda * V + c);
  const m = b * (1 - lambda * V);
  const q = b * b * (1 - 2 * lambda * V + lambda * lambda * T2) + noise * (V - lambda * T2);
  return { V, m, q, estimation_error: 1 - 2 * m + q };
}
