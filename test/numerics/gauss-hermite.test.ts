import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { buildGaussHermite, gaussHermite, GAUSS_HERMITE_MAX_N } from '../../src/numerics/gauss-hermite.ts';

const EPS = Number.EPSILON;

/** Power-of-two scale 2^s ≈ √k: keeps (x/2^s)^k and (k−1)!!/2^(sk) inside double range for k ≤ 800. */
function scaleExponent(k: number): number {
  return Math.round(Math.log2(Math.sqrt(Math.max(k, 1))));
}

/**
 * Exact even moment E z^k = (k−1)!! divided by 2^(s·k), from a BigInt product (independent of any
 * floating point): the top 64 bits are converted, then the binary exponent is applied in exact
 * power-of-two steps. Relative error ≤ 2^-53.
 */
function scaledEvenMoment(k: number, s: number): number {
  let d = 1n;
  for (let j = k - 1; j > 1; j -= 2) d *= BigInt(j);
  const shift = Math.max(0, d.toString(2).length - 64);
  let v = Number(d >> BigInt(shift));
  let e = shift - s * k;
  while (e !== 0) {
    const step = Math.max(-500, Math.min(500, e));
    v *= 2 ** step;
    e -= step;
  }
  return v;
}

/** Rule estimate of E (z/2^s)^k, plus Σ w|x/2^s|^k (the size of the terms being summed). */
function ruleMoment(n: number, k: number, s: number): { value: number; absValue: number } {
  const { nodes, weights } = gaussHermite(n);
  const c = 2 ** -s;
  let value = 0;
  let absValue = 0;
  // Plain left-to-right sum (not mirror-paired), so odd moments really test cancellation.
  for (let i = 0; i < n; i++) {
    const t = weights[i] * Math.pow(nodes[i] * c, k);
    value += t;
    absValue += Math.abs(t);
  }
  return { value, absValue };
}

/** The test's own orthonormal He recurrence: p_0..p_m at x (independent of the module's). */
function orthonormalHe(x: number, m: number): Float64Array {
  const p = new Float64Array(m + 1);
  p[0] = 1;
  if (m >= 1) p[1] = x;
  for (let k = 1; k < m; k++) p[k + 1] = (x * p[k] - Math.sqrt(k) * p[k - 1]) / Math.sqrt(k + 1);
  return p;
}

/** (n, k) with n in 1..200 and k ≤ 2n−1 of the requested parity. */
const nAndDegree = (parity: 0 | 1) =>
  fc.integer({ min: 1, max: 200 }).chain((n) =>
    fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }).map((h) => 2 * h + parity)));

describe('gaussHermite: exactness for polynomials of degree ≤ 2n−1', () => {
  test.prop([nAndDegree(0)])('even moments E z^k = (k−1)!! to relative 1e-12', ([n, k]) => {
    const s = scaleExponent(k);
    const exact = scaledEvenMoment(k, s);
    const { value } = ruleMoment(n, k, s);
    expect(Math.abs(value - exact) / exact).toBeLessThanOrEqual(1e-12);
  });

  // The exact odd moment is 0, so there is no relative scale. A floating-point sum of ±terms can
  // only be asked to cancel to within ~(few ulp) × Σ|terms|, i.e. the rule's absolute moment
  // Σ w|x|^k ≈ E|z|^k (≤ √((2k−1)!!) by Cauchy–Schwarz, the scale suggested in the brief, but
  // tighter and exactly what governs the rounding error). 1e-12 of it is a generous bound.
  test.prop([nAndDegree(1)])('odd moments vanish relative to the absolute moment', ([n, k]) => {
    const s = scaleExponent(k);
    const { value, absValue } = ruleMoment(n, k, s);
    expect(Math.abs(value)).toBeLessThanOrEqual(1e-12 * absValue);
  });

  test('every even moment at n = 200 (k = 0..398) is within 1e-13, i.e. a few hundred ulp', () => {
    let worst = 0;
    for (let k = 0; k <= 398; k += 2) {
      const s = scaleExponent(k);
      const exact = scaledEvenMoment(k, s);
      worst = Math.max(worst, Math.abs(ruleMoment(200, k, s).value - exact) / exact);
    }
    // Measured ≈ 4e-15; the bound leaves room for platform libm differences in Math.pow.
    expect(worst).toBeLessThan(1e-13);
  });

  // Σ w p_j p_l = δ_jl for j, l ≤ n−1 (degree ≤ 2n−2): a check on nodes and weights together
  // that, unlike monomials, weighs all nodes comparably. |p_j p_l| is bounded by the Christoffel
  // sum, so Σ w|p_j p_l| ≤ 1 and the error scale is simply ~n·ε.
  test.prop([
    fc.integer({ min: 1, max: 200 }).chain((n) =>
      fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }))),
  ])('orthonormal polynomials are orthonormal under the rule', ([n, j, l]) => {
    const { nodes, weights } = gaussHermite(n);
    const m = Math.max(j, l);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const p = orthonormalHe(nodes[i], m);
      sum += weights[i] * p[j] * p[l];
    }
    expect(Math.abs(sum - (j === l ? 1 : 0))).toBeLessThanOrEqual(1e-13); // measured ≤ 8e-15 at n = 200
  });

  test.prop([fc.double({ min: 0, max: 6, noNaN: true })])(
    'E cos(tz) = exp(−t²/2) at n = 60 (smooth non-polynomial integrand)',
    (t) => {
      const { nodes, weights } = gaussHermite(60);
      let sum = 0;
      for (let i = 0; i < nodes.length; i++) sum += weights[i] * Math.cos(t * nodes[i]);
      // Quadrature error ≤ n!/(2n)!·t^(2n) ≈ 1e-23 at t = 6, n = 60; what remains is rounding
      // (Σ w|cos| ≤ 1), so an absolute tolerance is the honest one: exp(−18) ≈ 1.5e-8 has no
      // relative accuracy to offer after cancellation.
      expect(Math.abs(sum - Math.exp(-0.5 * t * t))).toBeLessThanOrEqual(2e-15);
    },
  );
});

describe('gaussHermite: structure', () => {
  test('all n in 1..400: finite, ascending, exactly symmetric, weights ≥ 0 summing to 1', () => {
    // Plain checks collected into one list (160k expect() calls would dominate the run time).
    const problems: string[] = [];
    for (let n = 1; n <= GAUSS_HERMITE_MAX_N; n++) {
      const { nodes, weights } = gaussHermite(n);
      if (nodes.length !== n || weights.length !== n) problems.push(`n=${n}: length`);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const j = n - 1 - i;
        if (!Number.isFinite(nodes[i]) || !Number.isFinite(weights[i])) problems.push(`n=${n} i=${i}: not finite`);
        if (!(weights[i] >= 0)) problems.push(`n=${n} i=${i}: negative weight`);
        if (i > 0 && !(nodes[i] > nodes[i - 1])) problems.push(`n=${n} i=${i}: not ascending`);
        if (nodes[i] !== -nodes[j] || weights[i] !== weights[j]) problems.push(`n=${n} i=${i}: not symmetric`);
        sum += weights[i];
      }
      if (n % 2 === 1 && !Object.is(nodes[n >> 1], 0)) problems.push(`n=${n}: middle node is not +0`);
      if (!(Math.abs(sum - 1) <= 1e-14)) problems.push(`n=${n}: weights sum to 1 + ${sum - 1}`);
      // The largest zero of He_n lies below √(4n+2) (Szegő): a cheap sanity bound on the QL output.
      if (!(nodes[n - 1] < Math.sqrt(4 * n + 2))) problems.push(`n=${n}: largest node too large`);
    }
    expect(problems).toEqual([]);
  }, 60_000);

  test('weights are strictly positive up to n = 200 (outer weights go subnormal only from n = 370)', () => {
    for (let n = 1; n <= 200; n++) {
      expect(Math.min(...gaussHermite(n).weights)).toBeGreaterThan(0);
    }
  });

  test('n = 400 builds without NaN; only the outermost weights underflow', () => {
    const { nodes, weights } = gaussHermite(400);
    expect(nodes.some(Number.isNaN) || weights.some(Number.isNaN)).toBe(false);
    // Outer weight ≈ exp(−x²/2) with x ≈ 39.2 is below the double range (~1e-324).
    const zeros = weights.filter((w) => w === 0).length;
    expect(zeros).toBeLessThanOrEqual(4);
    expect(weights[200]).toBeGreaterThan(0.01);
  });

  test('closed forms for small n', () => {
    // n = 1: z ≈ 0. n = 2: zeros of He_2 = x² − 1. n = 3: He_3 = x³ − 3x, weights 1/6, 2/3, 1/6.
    expect(Array.from(gaussHermite(1).nodes)).toEqual([0]);
    expect(Array.from(gaussHermite(1).weights)).toEqual([1]);
    const r2 = gaussHermite(2);
    expect(r2.nodes[1]).toBeCloseTo(1, 15);
    expect(r2.weights[0]).toBeCloseTo(0.5, 15);
    const r3 = gaussHermite(3);
    expect(Math.abs(r3.nodes[2] - Math.sqrt(3))).toBeLessThanOrEqual(2 * EPS);
    expect(Math.abs(r3.weights[0] - 1 / 6)).toBeLessThanOrEqual(EPS);
    expect(Math.abs(r3.weights[1] - 2 / 3)).toBeLessThanOrEqual(2 * EPS);
    // n = 4: He_4 = x⁴ − 6x² + 3, so x² = 3 ± √6.
    const r4 = gaussHermite(4);
    expect(Math.abs(r4.nodes[3] - Math.sqrt(3 + Math.sqrt(6))) / r4.nodes[3]).toBeLessThanOrEqual(4 * EPS);
    expect(Math.abs(r4.nodes[2] - Math.sqrt(3 - Math.sqrt(6))) / r4.nodes[2]).toBeLessThanOrEqual(8 * EPS);
  });

  test('weights agree with the classical formula w_i = n!/(n·He_{n−1}(x_i))² for n ≤ 30', () => {
    for (let n = 2; n <= 30; n++) {
      const { nodes, weights } = gaussHermite(n);
      let fact = 1;
      for (let k = 2; k <= n; k++) fact *= k;
      for (let i = 0; i < n; i++) {
        // Monic He recurrence, evaluated directly (different route from the module's Christoffel sum).
        let a = 1;
        let b = nodes[i];
        for (let k = 1; k < n - 1; k++) [a, b] = [b, nodes[i] * b - k * a];
        const ref = fact / (n * b) ** 2;
        expect(Math.abs(weights[i] - ref) / ref).toBeLessThanOrEqual(1e-13); // measured 1.4e-14
      }
    }
  });
});

describe('gaussHermite: API contract', () => {
  test('rules are cached and frozen; the uncached builder gives identical tables', () => {
    const a = gaussHermite(37);
    expect(gaussHermite(37)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    const b = buildGaussHermite(37);
    expect(b).not.toBe(a);
    expect(Array.from(b.nodes)).toEqual(Array.from(a.nodes));
    expect(Array.from(b.weights)).toEqual(Array.from(a.weights));
  });

  test.each([0, -1, 401, 2.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects n = %s with a RangeError', (n) => {
    expect(() => gaussHermite(n)).toThrow(RangeError);
    expect(() => buildGaussHermite(n)).toThrow(/integer in 1\.\.400/);
  });
});
