/**
 * Brent's method for a sign change of f on [a, b] (Brent 1973, ch. 4): bisection's guarantee with the speed of
 * inverse quadratic interpolation. Hand-written: no maintained npm package offers it (checked the registry list).
 */
export interface Root {
  readonly root: number;
  /** The final bracket, of width <= 2 xtol when converged; else the last one known to hold a sign change. */
  readonly bracket: readonly [number, number];
  readonly evaluations: number;
  readonly converged: boolean;
  /**
   * - converged: the bracket is below the tolerance.
   * - max-iterations: the evaluation budget ran out first (`bracket` still holds the sign change).
   * - non-finite: f was not a number at `at` (an end, or a point inside the bracket): nothing is known of the sign
   *   there, so the search stops rather than guess which side holds the root; `bracket` is the last known one.
   * - not-found: f has the same sign at both ends.
   */
  readonly status: 'converged' | 'max-iterations' | 'non-finite' | 'not-found';
  /** non-finite: where f was not a number (or a predicate undecided). */
  readonly at?: number;
}

export function brent(f: (x: number) => number, a: number, b: number, xtol = 1e-10, maxEvaluations = 200): Root {
  let fa = f(a);
  if (Number.isNaN(fa)) return { root: NaN, bracket: [a, b], evaluations: 1, converged: false, status: 'non-finite', at: a };
  let fb = f(b);
  let evaluations = 2;
  if (Number.isNaN(fb)) return { root: NaN, bracket: [a, b], evaluations, converged: false, status: 'non-finite', at: b };
  if (fa === 0) return { root: a, bracket: [a, a], evaluations, converged: true, status: 'converged' };
  if (fb === 0) return { root: b, bracket: [b, b], evaluations, converged: true, status: 'converged' };
  if (Math.sign(fa) === Math.sign(fb)) return { root: NaN, bracket: [a, b], evaluations, converged: false, status: 'not-found' };
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  while (evaluations < maxEvaluations) {
    if (Math.sign(fb) === Math.sign(fc)) {
      c = a; fc = fa; d = b - a; e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b; b = c; c = a;
      fa = fb; fb = fc; fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + xtol / 2;
    const m = (c - b) / 2;
    if (fb === 0) return { root: b, bracket: [b, b], evaluations, converged: true, status: 'converged' };
    if (Math.abs(m) <= tol) {
      return { root: b, bracket: [Math.min(b, c), Math.max(b, c)], evaluations, converged: true, status: 'converged' };
    }
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      // Interpolate: secant when two points are known, inverse quadratic when three are.
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m; e = m;
      }
    } else {
      d = m; e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
    evaluations++;
    // A value that is not a number inside the bracket (a solve that did not converge) says nothing of the sign
    // there: stop, with the last bracket known to hold the sign change ([a, c], a the previous best point).
    if (Number.isNaN(fb)) {
      return { root: a, bracket: [Math.min(a, c), Math.max(a, c)], evaluations, converged: false, status: 'non-finite', at: b };
    }
  }
  return { root: b, bracket: [Math.min(b, c), Math.max(b, c)], evaluations, converged: false, status: 'max-iterations' };
}

/**
 * Bisection on a predicate that is true at `lo` and false at `hi` (e.g. "the low branch still exists").
 * Returns the bracket [last true, first false] of width <= xtol. A predicate that cannot decide at a point
 * (`undefined`: a solve that did not converge) stops the bisection there: status non-finite, `at` that point,
 * the bracket the last one decided.
 */
export function bisectPredicate(holds: (x: number) => boolean | undefined, lo: number, hi: number, xtol: number, maxEvaluations = 100): Root {
  let evaluations = 0;
  const done = (status: Root['status'], at?: number): Root => ({
    root: (lo + hi) / 2, bracket: [Math.min(lo, hi), Math.max(lo, hi)], evaluations, converged: status === 'converged', status,
    ...(at !== undefined && { at }),
  });
  while (Math.abs(hi - lo) > xtol) {
    if (evaluations >= maxEvaluations) return done('max-iterations');
    const mid = (lo + hi) / 2;
    evaluations++;
    const h = holds(mid);
    if (h === undefined) return done('non-finite', mid);
    if (h) lo = mid;
    else hi = mid;
  }
  return done('converged');
}

/** Iteration budget and stopping rule of `safeguardedNewton`; generated code uses the same (compile/generate.ts). */
export const NEWTON_MAX_ITERATIONS = 200;
export const NEWTON_XTOL = 1e-15;

/**
 * The root of g in [lo, hi] by Newton's method kept inside a shrinking bracket: the inner solver of root(...),
 * argmin(...) and prox(...) in model files. NaN when g does not change sign on [lo, hi]. A step bisects when
 * Newton's would leave the bracket or would not be less than half the step before last (rtsafe's rule, Numerical
 * Recipes 9.4): Newton alone can ping-pong across an inflection, e.g. the logistic prox at V = 30, omega = -2.9,
 * shrinking the bracket by 0.1% a step. Stops when the Newton step (tested before the bracket, whose sign tests are noise at the root)
 * or the bracket is below NEWTON_XTOL (1 + |z|): ~1e-15
 * relative, far inside the 1e-13 that proximal operators need. The generated code inlines exactly this sequence
 * of operations, so compiled and interpreted results agree bit for bit.
 */
export function safeguardedNewton(g: (z: number) => number, dg: (z: number) => number, lo: number, hi: number,
  increasing = false): number {
  let a = lo;
  let b = hi;
  let aNegative = true;
  if (!increasing) {
    // `increasing` (a prox of a convex loss: g(lo) < 0 < g(hi) by construction) saves these two evaluations.
    const ga = g(a);
    const gb = g(b);
    if (ga === 0) return a;
    if (gb === 0) return b;
    if (!(ga * gb < 0)) return NaN;
    aNegative = ga < 0;
  }
  let z = 0.5 * (a + b);
  let step = Math.abs(b - a);
  let stepOld = step;
  for (let k = 0; k < NEWTON_MAX_ITERATIONS; k++) {
    const gz = g(z);
    if (gz === 0) return z;
    if (gz < 0 === aNegative) a = z;
    else b = z;
    const slope = dg(z);
    let next = z - gz / slope;
    // Converged before the bracket test: at the root g is rounding noise, its sign unreliable.
    if (Math.abs(next - z) <= NEWTON_XTOL * (1 + Math.abs(z))) return next;
    if (!(next > Math.min(a, b) && next < Math.max(a, b)) || Math.abs(2 * gz) > Math.abs(stepOld * slope)) next = 0.5 * (a + b);
    stepOld = step;
    step = Math.abs(next - z);
    if (Math.abs(b - a) <= NEWTON_XTOL * (1 + Math.abs(z))) return next;
    z = next;
  }
  return z;
}

/** Points of the scan of an inner minimisation (`innerMinimum`): the interval is cut into this many pieces. */
export const INNER_SCAN = 8;
/** How far above the lowest scanned value the minimum found may lie (relative, plus as much absolute). */
export const INNER_FTOL = 1e-12;

/** An inner problem's result: the point, and whether it failed the checks (then the point is not to be trusted). */
export interface InnerOutcome {
  readonly z: number;
  readonly failed: boolean;
}

/**
 * Safeguarded Newton on a verified bracket: g(neg) < 0 < g(pos) (either may be the larger end). Converges to a
 * sign change of g: a root, or a jump of g across 0 (the subgradient condition at a kink of a convex objective).
 * Not converged when g is not a number at an iterate or the budget runs out.
 */
export function newtonInBracket(g: (z: number) => number, dg: (z: number) => number, neg: number, pos: number): InnerOutcome {
  let a = neg;
  let b = pos;
  let z = 0.5 * (a + b);
  let step = Math.abs(b - a);
  let stepOld = step;
  for (let k = 0; k < NEWTON_MAX_ITERATIONS; k++) {
    const gz = g(z);
    if (gz !== gz) return { z: NaN, failed: true };
    if (gz === 0) return { z, failed: false };
    if (gz < 0) a = z;
    else b = z;
    const slope = dg(z);
    let next = z - gz / slope;
    if (Math.abs(next - z) <= NEWTON_XTOL * (1 + Math.abs(z))) return { z: next, failed: false };
    if (!(next > Math.min(a, b) && next < Math.max(a, b)) || Math.abs(2 * gz) > Math.abs(stepOld * slope)) next = 0.5 * (a + b);
    stepOld = step;
    step = Math.abs(next - z);
    if (Math.abs(b - a) <= NEWTON_XTOL * (1 + Math.abs(z))) return { z: next, failed: false };
    z = next;
  }
  return { z, failed: true };
}

/**
 * root(z, g, lo, hi) of a model file: a sign change of g on [lo, hi] by `newtonInBracket` after both ends are
 * evaluated. Failed (NaN) when g has the same sign at both ends; failed when Newton does not converge.
 */
export function innerRoot(g: (z: number) => number, dg: (z: number) => number, lo: number, hi: number): InnerOutcome {
  const ga = g(lo);
  if (ga === 0) return { z: lo, failed: false };
  const gb = g(hi);
  if (gb === 0) return { z: hi, failed: false };
  if (!(ga * gb < 0)) return { z: NaN, failed: true };
  return ga < 0 ? newtonInBracket(g, dg, lo, hi) : newtonInBracket(g, dg, hi, lo);
}

/** A scan that finds a point lower than every minimum it found is repeated once with this many times more pieces. */
export const INNER_REFINE = 8;

/**
 * argmin(...) and prox(...) of a model file: the lowest local minimum of f over [lo, hi], for a problem that need
 * not be convex (a Tukey loss's prox at large V has two local minima, and the global one jumps from one to the
 * other as omega moves: the Maxwell construction). f is evaluated at INNER_SCAN + 1 equally spaced points; each
 * piece where g = f' goes from - to + holds a local minimum, found by `newtonInBracket` (a stationary point at a
 * sign change, checked: see there) and compared with the others by its value; the lowest is returned. A scanned
 * point lower than every minimum found (a minimum missed inside a piece, between a maximum and the piece's end)
 * repeats the scan with INNER_REFINE times more pieces. Failed when no piece holds a minimum, when a Newton search
 * failed, or when the finer scan still finds a lower point (or the minimum is at an end of the interval, which is
 * no stationary point). Two minima closer than a piece can still be missed: the scan is a check, not a proof.
 * Generated code (compile/emit-root.ts) performs the same operations in the same order.
 */
export function innerMinimum(g: (z: number) => number, dg: (z: number) => number, f: (z: number) => number, lo: number, hi: number): InnerOutcome {
  const first = scanMinimum(g, dg, f, lo, hi, INNER_SCAN);
  if (!first.missed) return { z: first.z, failed: first.failed };
  const second = scanMinimum(g, dg, f, lo, hi, INNER_SCAN * INNER_REFINE);
  return { z: second.z, failed: second.failed || second.missed };
}

function scanMinimum(g: (z: number) => number, dg: (z: number) => number, f: (z: number) => number, lo: number, hi: number,
  pieces: number): { z: number; failed: boolean; missed: boolean } {
  let best = NaN;
  let fBest = Infinity;
  let fMin = Infinity;
  let failed = false;
  let zPrev = NaN;
  let gPrev = NaN;
  for (let i = 0; i <= pieces; i++) {
    const zi = i === pieces ? hi : lo + (hi - lo) * (i / pieces);
    const gi = g(zi);
    const fi = f(zi);
    if (fi < fMin) fMin = fi;
    if (gi === 0) {
      if (fi < fBest) { fBest = fi; best = zi; }
    } else if (gPrev < 0 && gi > 0) {
      const local = newtonInBracket(g, dg, zPrev, zi);
      if (local.failed) failed = true;
      const fr = f(local.z);
      if (fr < fBest) { fBest = fr; best = local.z; }
    }
    zPrev = zi;
    gPrev = gi;
  }
  return { z: best, failed, missed: !(fBest <= fMin + INNER_FTOL * (1 + Math.abs(fMin))) };
}
