/**
 * Scalar special functions for Gaussian integrals, accurate in the tails.
 *
 * The recurring trap is exp(-x²/2) for large |x|: x*x is rounded, and an error of one ulp in
 * x²/2 ≈ 800 is a relative error of ~1e-13 in the exponential. We split x² exactly
 * (Dekker's two-product) so H, npdf and friends keep ~1e-16 relative accuracy out to the
 * underflow threshold; log-space versions (logH, logNpdf) never underflow at all.
 */
import stdlibErf from '@stdlib/math-base-special-erf';
import stdlibErfc from '@stdlib/math-base-special-erfc';
import stdlibErfcx from '@stdlib/math-base-special-erfcx';
import stdlibLog1pexp from '@stdlib/math-base-special-log1pexp';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π), correctly rounded
const LN_SQRT_2PI = 0.9189385332046728; // log √(2π), correctly rounded
const SQRT_2_OVER_PI = 0.7978845608028654; // √(2/π), correctly rounded
const SPLITTER = 134217729; // 2^27 + 1, Veltkamp splitting constant
const SPLIT_LIMIT = 2 ** 996; // beyond this x*SPLITTER overflows

/** Error function (stdlib). */
export const erf: (x: number) => number = stdlibErf;
/** Complementary error function 1 − erf(x), accurate for large x (stdlib). */
export const erfc: (x: number) => number = stdlibErfc;
/** Scaled complementary error function exp(x²)·erfc(x) (stdlib, Faddeeva-package algorithm). */
export const erfcx: (x: number) => number = stdlibErfcx;

/**
 * exp(−x²/2) with x² split exactly into hi + lo, so the only rounding is exp's own.
 * Accurate to a few ulp down to the underflow threshold (|x| ≈ 38.6).
 */
function expNegHalfSq(x: number): number {
  const a = Math.abs(x);
  if (!(a < SPLIT_LIMIT)) return Number.isNaN(a) ? a : 0;
  const hi = a * a;
  if (hi > 1500) return 0; // exp(−750) underflows already
  const lo = sqLowPart(a, hi);
  // exp(−hi/2 − lo/2) = exp(−hi/2)·(1 − lo/2): |lo/2| ≤ ulp(hi)/4 ≲ 6e-14, so the dropped
  // second-order term (~1e-27) is far below rounding.
  return Math.exp(-0.5 * hi) * (1 - 0.5 * lo);
}

/** Exact rounding error of hi = fl(a*a): a*a = hi + lo exactly (Dekker/Veltkamp). */
function sqLowPart(a: number, hi: number): number {
  const t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  return ah * ah - hi + 2 * ah * al + al * al;
}

/** Standard normal density φ(x) = exp(−x²/2)/√(2π). */
export function npdf(x: number): number {
  return INV_SQRT_2PI * expNegHalfSq(x);
}

/** log φ(x) = −x²/2 − log √(2π); exact to rounding for all finite x, −Infinity at ±Infinity. */
export function logNpdf(x: number): number {
  return -0.5 * x * x - LN_SQRT_2PI;
}

/** Gaussian tail H(x) = P(z > x) = erfc(x/√2)/2, full relative accuracy for large x (until underflow, x ≈ 38.5). */
export function H(x: number): number {
  // For x > 1 write erfc(y) = erfcx(y)·exp(−y²), with exp(−x²/2) computed from the exact split of x².
  // Plain erfc(x·√½) would inherit the rounding of x·√½, a relative error ~x²·ε in the tail.
  if (x > 1) return 0.5 * erfcx(x * SQRT1_2) * expNegHalfSq(x);
  // x ≤ 1: H ≥ 0.16 and erfc is well conditioned here (also covers −Infinity → 1, NaN → NaN).
  return 0.5 * erfc(x * SQRT1_2);
}

/** Standard normal CDF Φ(x) = H(−x). */
export function ncdf(x: number): number {
  return H(-x);
}

/**
 * log H(x), accurate for all x: no underflow for large positive x (logH(40) ≈ −804.6,
 * logH(1e6) ≈ −5e11), and log1p(−H(−x)) for x ≤ 0 so tiny log values near 0 keep full precision.
 */
export function logH(x: number): number {
  if (x > 0) {
    if (x === Infinity) return -Infinity;
    if (!(x < SPLIT_LIMIT)) return -Infinity; // −x²/2 overflows anyway
    // log H = log(erfcx(x/√2)/2) − x²/2, with x² = hi + lo split exactly.
    const hi = x * x;
    if (hi === Infinity) return -Infinity;
    const lo = sqLowPart(x, hi);
    return Math.log(0.5 * erfcx(x * SQRT1_2)) - 0.5 * lo - 0.5 * hi;
  }
  // x ≤ 0 (or NaN): H(x) = 1 − H(−x) ∈ [1/2, 1]; H(−x) is a well-computed tail value.
  return Math.log1p(-H(-x));
}

/**
 * Inverse Mills ratio φ(x)/H(x) (the hazard of the standard normal), stable for all x:
 * ≈ x + 1/x for large positive x, → 0 (underflowing like φ) for large negative x.
 */
export function mills(x: number): number {
  // For x > 0 the exp(−x²/2) factors cancel analytically: φ/H = √(2/π)/erfcx(x/√2).
  if (x > 0) return SQRT_2_OVER_PI / erfcx(x * SQRT1_2);
  // x ≤ 0: H ∈ [1/2, 1], a plain ratio of accurate quantities.
  return npdf(x) / H(x);
}

/** Softplus log(1 + eˣ), no overflow (stdlib). */
export const log1pexp: (x: number) => number = stdlibLog1pexp;

/** Logistic function 1/(1 + e^−x), without overflow for either sign. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  // x < 0: exp(x) ≤ 1 cannot overflow, and e/(1+e) keeps relative accuracy in the left tail.
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log σ(x) = −log(1 + e^−x), accurate in both tails. */
export function logSigmoid(x: number): number {
  return -log1pexp(-x);
}

/** Sign of x: 1, −1, 0 for ±0 (always +0), NaN for NaN. */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : Number.NaN;
}

export interface SpecialFunctionEntry {
  readonly fn: (...a: number[]) => number;
  readonly arity: number;
  readonly doc: string;
}

/** The special functions a model file may call by name. */
export const SPECIAL_FUNCTIONS: Readonly<Record<string, SpecialFunctionEntry>> = Object.freeze({
  erf: { fn: erf, arity: 1, doc: 'error function erf(x)' },
  erfc: { fn: erfc, arity: 1, doc: 'complementary error function 1 - erf(x)' },
  erfcx: { fn: erfcx, arity: 1, doc: 'scaled complementary error function exp(x^2) erfc(x)' },
  H: { fn: H, arity: 1, doc: 'Gaussian tail P(z > x) = erfc(x/sqrt(2))/2' },
  logH: { fn: logH, arity: 1, doc: 'log H(x), accurate deep in the tail (no underflow)' },
  npdf: { fn: npdf, arity: 1, doc: 'standard normal density exp(-x^2/2)/sqrt(2 pi)' },
  ncdf: { fn: ncdf, arity: 1, doc: 'standard normal CDF Phi(x) = H(-x)' },
  logNpdf: { fn: logNpdf, arity: 1, doc: 'log of the standard normal density' },
  mills: { fn: mills, arity: 1, doc: 'inverse Mills ratio npdf(x)/H(x), ~x for large x' },
  log1pexp: { fn: log1pexp, arity: 1, doc: 'softplus log(1 + exp(x))' },
  sigmoid: { fn: sigmoid, arity: 1, doc: 'logistic function 1/(1 + exp(-x))' },
  logSigmoid: { fn: logSigmoid, arity: 1, doc: 'log sigmoid(x) = -log(1 + exp(-x))' },
});
