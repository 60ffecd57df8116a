/**
 * Minimisation in one and two variables for `saddle optimize`: Brent's method (golden section with parabolic steps,
 * Brent 1973, ch. 5) on a bracket, and Nelder-Mead (Lagarias et al. 1998's standard coefficients) in two. Both are
 * honest: a function value that is not a number (a solve that did not converge) stops the search with status
 * `non-finite` and where it happened, never a guess. Hand-written: no maintained npm package offers them with
 * that contract.
 */
export interface Minimum {
  /** The minimiser found (the best point seen when not converged). */
  readonly x: readonly number[];
  readonly value: number;
  /** converged: the bracket (1-D) or the simplex (2-D) is below the tolerance. */
  readonly status: 'converged' | 'max-iterations' | 'non-finite';
  readonly evaluations: number;
  /** 1-D: the final bracket [lo, hi] of the minimiser; 2-D: the simplex's extent in each variable. */
  readonly bracket: readonly (readonly [number, number])[];
  /** non-finite: where the function was not a number. */
  readonly at?: readonly number[];
}

const GOLDEN = 0.3819660112501051; // (3 - sqrt 5) / 2

/** The minimiser of f on [a, b] to xtol (absolute), f unimodal there; `x0` an interior start (default: golden point). */
export function brentMinimize(f: (x: number) => number, a: number, b: number, xtol: number, maxEvaluations = 200, x0?: number): Minimum {
  let x = x0 !== undefined && x0 > a && x0 < b ? x0 : a + GOLDEN * (b - a);
  let w = x;
  let v = x;
  let fx = f(x);
  let evaluations = 1;
  if (Number.isNaN(fx)) return { x: [x], value: NaN, status: 'non-finite', evaluations, bracket: [[a, b]], at: [x] };
  let fw = fx;
  let fv = fx;
  let d = 0;
  let e = 0;
  while (evaluations < maxEvaluations) {
    const m = (a + b) / 2;
    const tol = xtol / 2 + 2 * Number.EPSILON * Math.abs(x);
    if (Math.abs(x - m) <= 2 * tol - (b - a) / 2) return { x: [x], value: fx, status: 'converged', evaluations, bracket: [[a, b]] };
    let parabolic = false;
    if (Math.abs(e) > tol) {
      // a parabola through x, w, v
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p; else q = -q;
      if (Math.abs(p) < Math.abs(0.5 * q * e) && p > q * (a - x) && p < q * (b - x)) {
        e = d;
        d = p / q;
        const u = x + d;
        if (u - a < 2 * tol || b - u < 2 * tol) d = x < m ? tol : -tol;
        parabolic = true;
      }
    }
    if (!parabolic) {
      e = (x < m ? b : a) - x;
      d = GOLDEN * e;
    }
    const u = Math.abs(d) >= tol ? x + d : x + (d > 0 ? tol : -tol);
    const fu = f(u);
    evaluations++;
    if (Number.isNaN(fu)) return { x: [x], value: fx, status: 'non-finite', evaluations, bracket: [[a, b]], at: [u] };
    if (fu <= fx) {
      if (u < x) b = x; else a = x;
      v = w; fv = fw; w = x; fw = fx; x = u; fx = fu;
    } else {
      if (u < x) a = u; else b = u;
      if (fu <= fw || w === x) { v = w; fv = fw; w = u; fw = fu; } else if (fu <= fv || v === x || v === w) { v = u; fv = fu; }
    }
  }
  return { x: [x], value: fx, status: 'max-iterations', evaluations, bracket: [[a, b]] };
}

/**
 * Nelder-Mead from `start` with initial steps `step`, inside the box [lo, hi] (points outside are clamped), until
 * the simplex is smaller than `xtol` in every coordinate.
 */
export function nelderMead(f: (x: readonly number[]) => number, start: readonly number[], step: readonly number[],
  lo: readonly number[], hi: readonly number[], xtol: readonly number[], maxEvaluations = 400): Minimum {
  const n = start.length;
  const clamp = (x: number[]) => x.map((v, i) => Math.min(hi[i], Math.max(lo[i], v)));
  let evaluations = 0;
  let bad: number[] | undefined;
  const value = (x: number[]) => {
    evaluations++;
    const y = f(x);
    if (Number.isNaN(y)) bad ??= x;
    return y;
  };
  let simplex = [clamp([...start]), ...start.map((_, i) => clamp(start.map((v, j) => (j === i ? v + step[i] : v))))];
  let fs = simplex.map(value);
  const extent = () => start.map((_, i) => {
    const xs = simplex.map((p) => p[i]);
    return [Math.min(...xs), Math.max(...xs)] as const;
  });
  const done = (status: Minimum['status']): Minimum => {
    const best = fs.indexOf(Math.min(...fs.filter((y) => !Number.isNaN(y))));
    const k = best < 0 ? 0 : best;
    return { x: simplex[k], value: fs[k], status, evaluations, bracket: extent(), ...(bad && { at: bad }) };
  };
  while (evaluations < maxEvaluations) {
    if (bad) return done('non-finite');
    const order = fs.map((_, i) => i).sort((a, b) => fs[a] - fs[b]);
    simplex = order.map((i) => simplex[i]);
    fs = order.map((i) => fs[i]);
    if (extent().every(([a, b], i) => b - a <= xtol[i])) return done('converged');
    const centroid = start.map((_, i) => simplex.slice(0, n).reduce((s, p) => s + p[i], 0) / n);
    const along = (t: number) => clamp(centroid.map((c, i) => c + t * (simplex[n][i] - c)));
    const xr = along(-1);
    const fr = value(xr);
    if (fr < fs[0]) {
      const xe = along(-2);
      const fe = value(xe);
      [simplex[n], fs[n]] = fe < fr ? [xe, fe] : [xr, fr];
    } else if (fr < fs[n - 1]) {
      [simplex[n], fs[n]] = [xr, fr];
    } else {
      const inside = fr >= fs[n];
      const xc = along(inside ? 0.5 : -0.5);
      const fc = value(xc);
      if (fc < (inside ? fs[n] : fr)) {
        [simplex[n], fs[n]] = [xc, fc];
      } else {
        // shrink toward the best point
        for (let k = 1; k <= n; k++) {
          simplex[k] = clamp(simplex[k].map((v, i) => simplex[0][i] + 0.5 * (v - simplex[0][i])));
          fs[k] = value(simplex[k]);
        }
      }
    }
  }
  return done(bad ? 'non-finite' : 'max-iterations');
}
