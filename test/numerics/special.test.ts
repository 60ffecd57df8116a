import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  erf, erfc, erfcx, H, log1pexp, logH, logNpdf, logSigmoid, mills, ncdf, npdf, sigmoid, sign, SPECIAL_FUNCTIONS,
} from '../../src/numerics/special.ts';

const EPS = Number.EPSILON;
const MIN_NORMAL = 2 ** -1022;
const SQRT_PI = Math.sqrt(Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);

// ---------------------------------------------------------------------------------------------
// Independent references. None of them calls the module under test or @stdlib.
// ---------------------------------------------------------------------------------------------

/**
 * exp(−c·x²) for c ∈ {1/2, 1} to a few ulp: split x = a + d with a on a 1/64 grid, so c·a² is
 * exact in double (≤ 24 significant bits) and the rest, c·(2ad + d²) with |2ad| ≲ 1, is small
 * enough that its rounding is harmless. Plain Math.exp(−c·x·x) would carry an error of
 * ~c·x²·ε relative (1e-13 at x = 38) from rounding x².
 */
function expNegSq(x: number, c: number): number {
  if (Number.isNaN(x)) return x;
  if (Math.abs(x) > 64) return 0; // exp(−1024) is far below the double range
  const a = Math.round(64 * x) / 64;
  const d = x - a; // exact (Sterbenz)
  return Math.exp(-c * a * a) * Math.exp(-c * d * (2 * a + d));
}

/**
 * Continued fraction x + c·1/(x + c·2/(x + c·3/(x + …))), evaluated backwards (all terms
 * positive, so the backward recurrence is stable). With c = 1 this is the Mills ratio φ(x)/H(x)
 * (Laplace's continued fraction); with c = 1/2 it is g(y) with erfc(y) = exp(−y²)/(√π·g(y)).
 * The depth max(200, (40/x')²), x' = x/√c, is plenty for x' ≥ 0.5 (checked by doubling it: no change).
 */
function laplaceCF(x: number, c: number): number {
  const depth = Math.max(200, Math.ceil((40 / (x / Math.sqrt(c))) ** 2));
  let t = x;
  for (let k = depth; k >= 1; k--) t = x + (c * k) / t;
  return t;
}

const npdfRef = (x: number): number => expNegSq(x, 0.5) / SQRT_2PI;

/** Marsaglia's series Φ(x) − 1/2 = φ(x)·Σ x^(2n+1)/(2n+1)!!, all terms of one sign. */
function halfMinusH(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 0; Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
    term *= (x * x) / (2 * n + 3);
    sum += term;
  }
  return npdfRef(x) * sum;
}

/** H(x) = P(z > x). */
function HRef(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x === Infinity) return 0;
  if (x === -Infinity) return 1;
  if (x >= 0.5) return npdfRef(x) / laplaceCF(x, 1);
  if (x >= -3) return 0.5 - halfMinusH(x); // H ≥ 0.3 here: no damaging cancellation
  return 1 - npdfRef(-x) / laplaceCF(-x, 1);
}

function logHRef(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x === Infinity) return -Infinity;
  if (x >= 0.5) return -0.5 * x * x - Math.log(SQRT_2PI) - Math.log(laplaceCF(x, 1));
  if (x >= 0) return Math.log(HRef(x));
  return Math.log1p(-HRef(-x)); // log(1 − h) for h = H(−x) ≤ 1/2 is well conditioned in h
}

function millsRef(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x === Infinity) return Infinity;
  if (x >= 0.5) return laplaceCF(x, 1);
  return npdfRef(x) / HRef(x);
}

function erfcRef(y: number): number {
  if (Number.isNaN(y)) return y;
  if (y === Infinity) return 0;
  if (y === -Infinity) return 2;
  if (y >= 0.5) return expNegSq(y, 1) / (SQRT_PI * laplaceCF(y, 0.5));
  if (y <= -0.5) return 2 - erfcRef(-y);
  return 1 - erfSeries(y);
}

/** Maclaurin series of erf: fine for |y| ≤ 1/2, where the first term dominates. */
function erfSeries(y: number): number {
  let term = y; // y^(2n+1)·(−1)^n / n!
  let sum = y;
  for (let n = 1; n < 40; n++) {
    term *= (-y * y) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / SQRT_PI) * sum;
}

function erfRef(y: number): number {
  if (Number.isNaN(y)) return y;
  if (Math.abs(y) <= 0.5) return erfSeries(y);
  return y > 0 ? 1 - erfcRef(y) : erfcRef(-y) - 1;
}

function erfcxRef(y: number): number {
  if (Number.isNaN(y)) return y;
  if (y === Infinity) return 0;
  if (y >= 0.5) return 1 / (SQRT_PI * laplaceCF(y, 0.5)); // exp(y²)·erfc(y) with exp cancelled
  // y < 1/2: exp(y²) only loses ~y²·ε here; the regimes below stop at |y| = 7.
  return Math.exp(y * y) * erfcRef(y);
}

/** log(1 + eˣ) by the textbook split; no stdlib. */
const log1pexpRef = (x: number): number =>
  Number.isNaN(x) ? x : x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));

/**
 * σ(x) by formulas other than the module's: (1 + tanh(x/2))/2 for x ≥ 0 (no cancellation there),
 * 1/(1 + e^−x) for x < 0 while e^−x is finite, and eˣ beyond (1 + eˣ rounds to 1 there).
 */
function sigmoidRef(x: number): number {
  if (Number.isNaN(x) || x >= 0) return 0.5 * (1 + Math.tanh(0.5 * x));
  if (x > -709) return 1 / (1 + Math.exp(-x));
  return Math.exp(x);
}

/**
 * Relative closeness, except: NaN matches NaN; ±Infinity must match exactly; a reference below
 * the normal range (where doubles have fewer bits) is compared absolutely at the same scale.
 */
function close(actual: number, ref: number, rel: number): boolean {
  if (Number.isNaN(ref)) return Number.isNaN(actual);
  if (!Number.isFinite(ref)) return actual === ref;
  const scale = Math.max(Math.abs(ref), MIN_NORMAL);
  return Math.abs(actual - ref) <= rel * scale + 4 * Number.MIN_VALUE;
}

function expectClose(actual: number, ref: number, rel: number, what: string): void {
  if (!close(actual, ref, rel)) {
    const err = Math.abs(actual - ref) / Math.abs(ref);
    expect.fail(`${what}: got ${actual}, reference ${ref} (relative error ${err.toExponential(2)} > ${rel})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Regime sweep: every function against its reference, at both signs of each magnitude.
// ---------------------------------------------------------------------------------------------

const REGIMES: Record<string, number[]> = {
  tiny: [5e-324, 1e-300, 1e-20],
  small: [1e-8, 1e-3, 0.1],
  moderate: [0.5, 1, 2.5, 7],
  large: [20, 38, 40],
  huge: [1e6, 1e150, 1e300],
  zero: [0],
  infinite: [Infinity],
};
const REGIME_CASES = Object.entries(REGIMES).flatMap(([regime, xs]) =>
  xs.flatMap((x) => [{ regime, x }, { regime, x: -x }]));

interface Checked {
  readonly fn: (x: number) => number;
  readonly ref: (x: number) => number;
  readonly rel: number;
  /** Restrict to the x where the reference is trustworthy. */
  readonly domain?: (x: number) => boolean;
}

// Tolerances are relative, in units of ε = 2^-52, about twice the worst error measured over 1e5–4e5
// random points per function (H, logH, mills: ≤ 5.5ε; npdf, erf*, sigmoid: ≤ 3ε; softplus: ≤ 1.1ε),
// which includes the references' own 2–3ε. For scale: the naive 0.5·erfc(x/√2) is off by ~850ε at
// x = 37 and exp(−x·x/2) by ~260ε at x = 35 — the errors these functions exist to avoid.
const TAIL_TOL = 12 * EPS;
const CHECKED: Record<string, Checked> = {
  H: { fn: H, ref: HRef, rel: TAIL_TOL },
  ncdf: { fn: ncdf, ref: (x) => HRef(-x), rel: TAIL_TOL },
  logH: { fn: logH, ref: logHRef, rel: TAIL_TOL },
  mills: { fn: mills, ref: millsRef, rel: TAIL_TOL },
  npdf: { fn: npdf, ref: npdfRef, rel: 6 * EPS },
  logNpdf: { fn: logNpdf, ref: (x) => (Math.abs(x) < 30 ? Math.log(npdfRef(x)) : -0.5 * x * x - Math.log(SQRT_2PI)), rel: 4 * EPS },
  erf: { fn: erf, ref: erfRef, rel: 6 * EPS },
  erfc: { fn: erfc, ref: erfcRef, rel: 6 * EPS },
  // Negative y beyond 7: the reference's exp(y²) carries y²·ε of its own error, and the true
  // value overflows at y ≈ −26.6 anyway (checked separately below).
  erfcx: { fn: erfcx, ref: erfcxRef, rel: 8 * EPS, domain: (x) => x >= -7 || Number.isNaN(x) },
  log1pexp: { fn: log1pexp, ref: log1pexpRef, rel: 4 * EPS },
  sigmoid: { fn: sigmoid, ref: sigmoidRef, rel: 6 * EPS },
  logSigmoid: { fn: logSigmoid, ref: (x) => -log1pexpRef(-x), rel: 4 * EPS },
};

describe.each(Object.entries(CHECKED))('%s across regimes', (name, c) => {
  test.each(REGIME_CASES)('$regime: x = $x', ({ x }) => {
    if (c.domain && !c.domain(x)) return;
    expectClose(c.fn(x), c.ref(x), c.rel, `${name}(${x})`);
  });

  test('NaN propagates', () => {
    expect(c.fn(Number.NaN)).toBeNaN();
  });
});

// ---------------------------------------------------------------------------------------------
// Properties and targeted checks.
// ---------------------------------------------------------------------------------------------

describe('Gaussian tail H and its relatives', () => {
  test.prop([fc.double({ min: -60, max: 60, noNaN: true })])('H(x) + H(−x) = 1', (x) => {
    expect(Math.abs(H(x) + H(-x) - 1)).toBeLessThanOrEqual(2 * EPS);
  });

  test.prop([fc.double({ min: 0.5, max: 38, noNaN: true })])('H in the tail keeps full relative accuracy', (x) => {
    expectClose(H(x), HRef(x), TAIL_TOL, `H(${x})`);
  });

  test.prop([fc.double({ min: -40, max: 1e4, noNaN: true })])('logH matches its reference', (x) => {
    expectClose(logH(x), logHRef(x), TAIL_TOL, `logH(${x})`);
  });

  test.prop([fc.double({ min: -40, max: 40, noNaN: true }), fc.double({ min: -40, max: 40, noNaN: true })])(
    'H and logH are non-increasing, mills non-decreasing',
    (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      expect(H(lo)).toBeGreaterThanOrEqual(H(hi));
      expect(logH(lo)).toBeGreaterThanOrEqual(logH(hi));
      expect(mills(lo)).toBeLessThanOrEqual(mills(hi));
    },
  );

  // The classical asymptotic series H(x) = φ(x)/x·(1 − 1/x² + 3/x⁴ − 15/x⁶ + 105/x⁸ − …). It is
  // alternating with a remainder bounded by the first omitted term, 945/x¹⁰, so that bound is the
  // honest tolerance on log(…): 1e-7 at x = 10, 9e-11 at x = 20 (4.5e-13 relative to logH),
  // and below ulp at 38 and 40.
  test.each([10, 20, 38, 40])('logH(%s) agrees with the asymptotic series', (x) => {
    const u = 1 / (x * x);
    const series = -0.5 * x * x - Math.log(x * SQRT_2PI) + Math.log1p(u * (-1 + u * (3 + u * (-15 + u * 105))));
    const truncation = 945 * u ** 5;
    const got = logH(x);
    expect(Math.abs(got - series)).toBeLessThanOrEqual(1.01 * truncation + 4 * EPS * Math.abs(series));
    if (x >= 20) expect(Math.abs(got - series) / Math.abs(series)).toBeLessThanOrEqual(1e-12);
  });

  test('logH far out: no underflow, exact limits', () => {
    // logH(1e6) = −5e11 − log(1e6·√(2π)) + O(1e-12): the correction is below ulp(5e11).
    const x = 1e6;
    expectClose(logH(x), -0.5 * x * x - Math.log(x * SQRT_2PI), 2 * EPS, 'logH(1e6)');
    expect(logH(1e200)).toBe(-Infinity); // true value −5e399 is beyond the double range
    expect(logH(Infinity)).toBe(-Infinity);
    expect(Math.abs(logH(-Infinity))).toBe(0);
    expect(logH(0)).toBe(-Math.LN2);
    expect(logH(-0)).toBe(-Math.LN2);
    // The branch switch at 0 is continuous to the last bit.
    expect(logH(Number.MIN_VALUE)).toBe(logH(-Number.MIN_VALUE));
    // Left tail: log(1 − H(10)) ≈ −H(10) ≈ −7.6e-24 keeps full relative precision.
    expectClose(logH(-10), -HRef(10), 4 * EPS, 'logH(-10)');
  });

  test('exact values at 0 and the infinities', () => {
    expect(H(0)).toBe(0.5);
    expect(H(-0)).toBe(0.5);
    expect(H(Infinity)).toBe(0);
    expect(H(-Infinity)).toBe(1);
    expect(ncdf(Infinity)).toBe(1);
    expect(npdf(0)).toBe(1 / SQRT_2PI);
    expect(npdf(Infinity)).toBe(0);
    expect(npdf(-Infinity)).toBe(0);
    expect(logNpdf(Infinity)).toBe(-Infinity);
    expect(mills(0)).toBeCloseTo(Math.sqrt(2 / Math.PI), 15);
    expect(mills(Infinity)).toBe(Infinity);
    expect(mills(-Infinity)).toBe(0);
  });

  test.prop([fc.double({ min: -30, max: 30, noNaN: true })])('npdf is even and matches exp(logNpdf)', (x) => {
    expect(npdf(-x)).toBe(npdf(x));
    expectClose(Math.log(npdf(x)), logNpdf(x), 8 * EPS, `log npdf(${x})`);
  });
});

describe('inverse Mills ratio', () => {
  test.prop([fc.double({ min: 0.5, max: 1e6, noNaN: true })])('mills matches Laplace\'s continued fraction', (x) => {
    expectClose(mills(x), laplaceCF(x, 1), TAIL_TOL, `mills(${x})`);
  });

  // m(x) = x + 1/x − 2/x³ + 10/x⁵ − 74/x⁷ + …, from inverting H/φ = 1/x − 1/x³ + 3/x⁵ − 15/x⁷ + …;
  // the next term is O(1e3/x⁹), below ε relative for x ≥ 100.
  test.prop([fc.double({ min: 100, max: 1e150, noNaN: true })])('mills follows its asymptotic series', (x) => {
    const u = 1 / (x * x);
    const series = x + (1 / x) * (1 + u * (-2 + u * (10 - 74 * u)));
    expectClose(mills(x), series, 6 * EPS, `mills(${x})`);
  });

  test.prop([fc.double({ min: -8, max: 8, noNaN: true })])('mills = npdf/H at moderate x', (x) => {
    expectClose(mills(x), npdf(x) / H(x), TAIL_TOL, `mills(${x})`);
  });

  test.prop([fc.double({ min: 1e-3, max: 1e6, noNaN: true })])('x < mills(x) < x + 1/x for x > 0', (x) => {
    const m = mills(x);
    expect(m).toBeGreaterThan(x);
    // (x + 1/x) − m ≈ 2/x³ drops below one ulp of m for large x, so allow m's own rounding error.
    expect(m - x).toBeLessThanOrEqual(1 / x + TAIL_TOL * m);
  });

  test('left tail underflows gracefully like φ', () => {
    expectClose(mills(-10), npdfRef(10) / (1 - HRef(10)), 4 * EPS, 'mills(-10)');
    expect(mills(-40)).toBe(0); // φ(40) ≈ 1.5e-348
  });
});

describe('error functions (stdlib)', () => {
  test.prop([fc.double({ min: -30, max: 30, noNaN: true })])('erf is odd; erf + erfc = 1', (y) => {
    expect(erf(-y)).toBe(-erf(y));
    expect(Math.abs(erf(y) + erfc(y) - 1)).toBeLessThanOrEqual(2 * EPS);
  });

  test.prop([fc.double({ min: 0.5, max: 1e6, noNaN: true })])('erfcx matches its continued fraction', (y) => {
    expectClose(erfcx(y), erfcxRef(y), 8 * EPS, `erfcx(${y})`);
  });

  test('limits', () => {
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfcx(0)).toBe(1);
    expect(erfcx(Infinity)).toBe(0);
    expect(erfcx(-50)).toBe(Infinity); // 2·exp(2500)
    expect(Number.isFinite(erfcx(-26))).toBe(true); // 2·exp(676) ≈ 2.4e293
  });
});

describe('logistic family', () => {
  test.prop([fc.double({ min: -1000, max: 1000, noNaN: true })])('sigmoid(x) + sigmoid(−x) = 1', (x) => {
    expect(Math.abs(sigmoid(x) + sigmoid(-x) - 1)).toBeLessThanOrEqual(2 * EPS);
  });

  test.prop([fc.double({ min: -700, max: 700, noNaN: true })])('softplus identity log1pexp(x) − log1pexp(−x) = x', (x) => {
    expect(Math.abs(log1pexp(x) - log1pexp(-x) - x)).toBeLessThanOrEqual(4 * EPS * Math.max(1, Math.abs(x)));
  });

  // Only x ≤ 0: for x > 0, log(σ) of a value near 1 is ill-conditioned, so it is no reference there
  // (the regime sweep covers x > 0 against −log1pexp(−x) instead).
  test.prop([fc.double({ min: -700, max: 0, noNaN: true })])('logSigmoid = log(sigmoid) for x ≤ 0', (x) => {
    expectClose(logSigmoid(x), Math.log(sigmoid(x)), 8 * EPS, `logSigmoid(${x})`);
  });

  test('no overflow at ±800', () => {
    expect(log1pexp(800)).toBe(800);
    expect(log1pexp(-800)).toBe(0); // e^−800 ≈ 3.7e-348 underflows
    expect(logSigmoid(-800)).toBe(-800);
    expect(Math.abs(logSigmoid(800))).toBe(0);
    expect(sigmoid(800)).toBe(1);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(Infinity)).toBe(1);
    expect(sigmoid(-Infinity)).toBe(0);
    expect(sigmoid(0)).toBe(0.5);
    expect(log1pexp(0)).toBe(Math.LN2);
    // Left tail keeps relative accuracy: σ(−700) = e^−700·(1 − e^−700) = e^−700 in double.
    expectClose(sigmoid(-700), Math.exp(-700), 2 * EPS, 'sigmoid(-700)');
    expectClose(logSigmoid(40), -Math.exp(-40), 2 * EPS, 'logSigmoid(40)');
  });
});

describe('sign', () => {
  test('values', () => {
    expect(sign(3.5)).toBe(1);
    expect(sign(-1e-300)).toBe(-1);
    expect(sign(Infinity)).toBe(1);
    expect(sign(-Infinity)).toBe(-1);
    expect(Object.is(sign(0), 0)).toBe(true);
    expect(Object.is(sign(-0), 0)).toBe(true); // +0, unlike Math.sign(−0)
    expect(sign(Number.NaN)).toBeNaN();
  });
});

describe('SPECIAL_FUNCTIONS table', () => {
  test('lists exactly the documented unary functions', () => {
    expect(Object.keys(SPECIAL_FUNCTIONS).sort()).toEqual(
      ['H', 'erf', 'erfc', 'erfcx', 'log1pexp', 'logH', 'logNpdf', 'logSigmoid', 'mills', 'ncdf', 'npdf', 'sigmoid'].sort(),
    );
    const exported: Record<string, (x: number) => number> = {
      erf, erfc, erfcx, H, logH, npdf, ncdf, logNpdf, mills, log1pexp, sigmoid, logSigmoid,
    };
    for (const [name, entry] of Object.entries(SPECIAL_FUNCTIONS)) {
      expect(entry.fn).toBe(exported[name]);
      expect(entry.arity).toBe(1);
      expect(entry.doc.length).toBeGreaterThan(0);
    }
    expect(Object.isFrozen(SPECIAL_FUNCTIONS)).toBe(true);
  });
});
