import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  TRUNCATED_NORMAL_DEFAULT_N,
  truncatedMoment,
  truncatedNormalRule,
} from '../../src/numerics/truncated-normal.ts';
import { gaussHermite } from '../../src/numerics/gauss-hermite.ts';
import { H, npdf } from '../../src/numerics/special.ts';

const N = TRUNCATED_NORMAL_DEFAULT_N; // 64

/** Σ w f(x) over a rule. */
function integrate(a: number, b: number, n: number, f: (t: number) => number): number {
  const { nodes, weights } = truncatedNormalRule(a, b, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += weights[i] * f(nodes[i]);
  return s;
}

/**
 * ∫_a^b |t|^k N(t) dt: the scale for "relative" error. It equals |M_k| unless a < 0 < b and k is
 * odd, where M_k is a genuine difference and can be ~0 (e.g. symmetric intervals).
 */
function absMoment(k: number, a: number, b: number): number {
  if (a < 0 && b > 0) return truncatedMoment(k, 0, -a) + truncatedMoment(k, 0, b);
  return Math.abs(truncatedMoment(k, a, b));
}

/** Worst relative error of the rule's moments k = 0..kMax against truncatedMoment. */
function worstMomentError(a: number, b: number, n: number, kMax: number): { err: number; k: number } {
  const { nodes, weights } = truncatedNormalRule(a, b, n);
  let err = 0;
  let kWorst = -1;
  for (let k = 0; k <= kMax; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += weights[i] * nodes[i] ** k;
    const e = Math.abs(s - truncatedMoment(k, a, b)) / absMoment(k, a, b);
    if (!(e <= err)) {
      err = e;
      kWorst = k;
    }
  }
  return { err, k: kWorst };
}

/** Ends −∞, +∞, far tails, both sides of 0, near the ±12 cut, and t = 2 (truncatedMoment's branch point). */
const ENDS = [
  -Infinity, -35, -30, -25, -12, -9, -6, -4, -3, -2, -1.3, -0.5, -0.1, 0, 0.2, 0.7, 1.5, 2, 2.5, 4, 6, 8, 9, 10,
  12, 15, 20, 25, 30, 35, Infinity,
];
const GRID: [number, number][] = [];
for (const a of ENDS) for (const b of ENDS) if (a < b) GRID.push([a, b]);

/** Finite limits in the range where N is a normal double (|t| ≲ 37.5), widths from 1e-8 to 60. */
const finiteEnd = fc.double({ min: -36, max: 36, noNaN: true });
const interval = fc.oneof(
  fc.tuple(finiteEnd, fc.double({ min: -8, max: Math.log10(60), noNaN: true })).map(([a, lw]): [number, number] => [a, a + 10 ** lw]),
  finiteEnd.map((a): [number, number] => [a, Infinity]),
  finiteEnd.map((b): [number, number] => [-Infinity, b]),
  fc.constantFrom<[number, number]>([-Infinity, Infinity], [8, 9], [30, Infinity], [-Infinity, -25], [-3, 3], [-0.5, 12]),
);

describe('truncatedNormalRule: moments against the exact truncatedMoment', () => {
  test.prop([interval, fc.integer({ min: 0, max: 8 })])(
    'random a < b (infinite ends, straddling 0, deep tails), k ≤ 8: relative 1e-12 at n = 64',
    ([a, b], k) => {
      fc.pre(a < b);
      const { nodes, weights } = truncatedNormalRule(a, b, N);
      let s = 0;
      for (let i = 0; i < N; i++) s += weights[i] * nodes[i] ** k;
      expect(Math.abs(s - truncatedMoment(k, a, b))).toBeLessThanOrEqual(1e-12 * absMoment(k, a, b));
    },
  );

  test('the whole grid of 465 windows, k ≤ 8: ≤ 1e-14 at n = 64 (measured 1.3e-15)', () => {
    let worst = 0;
    let where = '';
    for (const [a, b] of GRID) {
      const { err, k } = worstMomentError(a, b, N, 8);
      if (!(err <= worst)) {
        worst = err;
        where = `[${a}, ${b}] k=${k}`;
      }
    }
    expect(worst, where).toBeLessThanOrEqual(1e-14);
  });

  // The smallest n meeting 1e-12 on the grid: 58 (2.9e-13; the hardest window is the full
  // [−12, 12] at k = 8, where n = 56 gives 2.8e-12 and n = 60 gives 2.7e-14). The default 64
  // keeps a margin for non-polynomial integrands and higher degree (k ≤ 12: 8e-15).
  test('n = 58 still meets 1e-12 on the grid; k ≤ 12 at n = 64 meets 1e-13', () => {
    let worst58 = 0;
    let worst64k12 = 0;
    for (const [a, b] of GRID) {
      worst58 = Math.max(worst58, worstMomentError(a, b, 58, 8).err);
      worst64k12 = Math.max(worst64k12, worstMomentError(a, b, N, 12).err);
    }
    expect(worst58).toBeLessThanOrEqual(1e-12);
    expect(worst64k12).toBeLessThanOrEqual(1e-13);
  });

  test('(−∞, ∞) reproduces the normal moments (k−1)!! like Gauss-Hermite', () => {
    const gh = gaussHermite(N);
    let dfact = 1;
    for (let k = 0; k <= 12; k += 2) {
      if (k > 0) dfact *= k - 1;
      const s = integrate(-Infinity, Infinity, N, (t) => t ** k);
      let g = 0;
      for (let i = 0; i < N; i++) g += gh.weights[i] * gh.nodes[i] ** k;
      expect(Math.abs(s - dfact) / dfact).toBeLessThanOrEqual(1e-14);
      expect(Math.abs(g - dfact) / dfact).toBeLessThanOrEqual(1e-14);
    }
  });
});

describe('truncatedNormalRule: tails keep relative accuracy', () => {
  test.prop([fc.double({ min: 0, max: 37, noNaN: true })])('∫_a^∞ N = H(a) and ∫_{−∞}^{−a} N = H(a) to 1e-13', (a) => {
    const h = H(a);
    expect(Math.abs(integrate(a, Infinity, N, () => 1) - h) / h).toBeLessThanOrEqual(1e-13);
    expect(Math.abs(integrate(-Infinity, -a, N, () => 1) - h) / h).toBeLessThanOrEqual(1e-13);
    // ∫_a^∞ t N = N(a), ∫_a^∞ t² N = H(a) + a N(a).
    const na = npdf(a);
    expect(Math.abs(integrate(a, Infinity, N, (t) => t) - na) / na).toBeLessThanOrEqual(1e-13);
    const m2 = h + a * na;
    expect(Math.abs(integrate(a, Infinity, N, (t) => t * t) - m2) / m2).toBeLessThanOrEqual(1e-13);
  });

  test('∫_30^∞ N = H(30) ≈ 4.9e-198 and ∫_8^9 N = H(8) − H(9) (brief: relative 1e-10)', () => {
    expect(Math.abs(integrate(30, Infinity, N, () => 1) / H(30) - 1)).toBeLessThanOrEqual(1e-14);
    expect(Math.abs(integrate(-Infinity, -25, N, () => 1) / H(25) - 1)).toBeLessThanOrEqual(1e-14);
    const m89 = H(8) - H(9); // no cancellation worth the name: H(9)/H(8) ≈ 1.8e-4
    expect(Math.abs(integrate(8, 9, N, () => 1) / m89 - 1)).toBeLessThanOrEqual(1e-14);
  });
});

describe('truncatedNormalRule: non-polynomial integrands', () => {
  // Gardner's capacity integral: ∫_{−κ}^∞ N(t)(t+κ)² dt = (1+κ²) H(−κ) + κ N(κ).
  test.prop([fc.double({ min: -4, max: 10, noNaN: true })])('Gardner ∫_{−κ}^∞ Dt (t+κ)²', (kappa) => {
    const got = integrate(-kappa, Infinity, N, (t) => (t + kappa) ** 2);
    const t1 = (1 + kappa * kappa) * H(-kappa);
    const t2 = kappa * npdf(kappa);
    // For κ < 0 the closed form is a difference (e.g. κ = −4: 5.4e-4 − 5.35e-4): measure the
    // error on the scale of its terms, which is also the closed form's own rounding scale.
    expect(Math.abs(got - (t1 + t2))).toBeLessThanOrEqual(1e-13 * (Math.abs(t1) + Math.abs(t2)));
  });

  test('Gardner at κ = 0 is exactly 1/2', () => {
    expect(Math.abs(integrate(0, Infinity, N, (t) => t * t) - 0.5)).toBeLessThanOrEqual(2e-16);
  });

  test.prop([fc.double({ min: 0, max: 3, noNaN: true })])('∫_0^∞ N(t) cos(ωt) dt = exp(−ω²/2)/2', (omega) => {
    const got = integrate(0, Infinity, N, (t) => Math.cos(omega * t));
    expect(Math.abs(got - 0.5 * Math.exp(-0.5 * omega * omega))).toBeLessThanOrEqual(1e-15);
  });

  test('∫_0^∞ N(t) cos t dt = exp(−1/2)/2', () => {
    expect(Math.abs(integrate(0, Infinity, N, Math.cos) - 0.5 * Math.exp(-0.5))).toBeLessThanOrEqual(2e-16);
  });

  // E|t − c| = c(1 − 2H(c)) + 2N(c). Split at the kink, each piece is a polynomial times N.
  const absDev = (c: number) => c * (1 - 2 * H(c)) + 2 * npdf(c);
  test.prop([fc.double({ min: -5, max: 5, noNaN: true })])('E|t − c| split at the kink is exact to 1e-13', (c) => {
    const got = integrate(-Infinity, c, N, (t) => c - t) + integrate(c, Infinity, N, (t) => t - c);
    expect(Math.abs(got - absDev(c))).toBeLessThanOrEqual(1e-13); // E|t − c| ≥ 0.79: absolute ≈ relative
  });

  // The motivation: the same integrand unsplit under 64-point Gauss-Hermite converges only
  // algebraically across the kink. Measured errors: 5.2e-3 (c = 0), 1.5e-3 (0.3), 4.5e-3 (1),
  // 5.2e-5 (2.5) — ten orders of magnitude worse than the split rule with the same 64 nodes.
  test.each([0, 0.3, 1, 2.5])('plain Gauss-Hermite(64) on unsplit |t − %s| is off by > 1e-8', (c) => {
    const { nodes, weights } = gaussHermite(64);
    let s = 0;
    for (let i = 0; i < 64; i++) s += weights[i] * Math.abs(nodes[i] - c);
    expect(Math.abs(s - absDev(c))).toBeGreaterThan(1e-8);
  });
});

describe('truncatedNormalRule: structure and edge cases', () => {
  test.prop([interval])('nodes ascending inside [a, b], weights finite and ≥ 0', ([a, b]) => {
    fc.pre(a < b);
    const { nodes, weights } = truncatedNormalRule(a, b, N);
    expect(nodes.length).toBe(N);
    for (let i = 0; i < N; i++) {
      expect(nodes[i]).toBeGreaterThanOrEqual(a);
      expect(nodes[i]).toBeLessThanOrEqual(b);
      if (i > 0) expect(nodes[i]).toBeGreaterThanOrEqual(nodes[i - 1]);
      expect(Number.isFinite(weights[i]) && weights[i] >= 0).toBe(true);
    }
  });

  test('out buffer is filled in place and returned (no allocation); wrong lengths are rejected', () => {
    const out = { nodes: new Float64Array(N), weights: new Float64Array(N) };
    const { nodes, weights } = out;
    const r = truncatedNormalRule(-1, 2, N, out);
    expect(r).toBe(out);
    expect(r.nodes).toBe(nodes);
    expect(r.weights).toBe(weights);
    const fresh = truncatedNormalRule(-1, 2, N);
    expect(Array.from(nodes)).toEqual(Array.from(fresh.nodes));
    expect(Array.from(weights)).toEqual(Array.from(fresh.weights));
    expect(() => truncatedNormalRule(-1, 2, 32, out)).toThrow(RangeError);
  });

  test.each([0, 401, 2.5, Number.NaN])('n = %s is rejected with a RangeError', (n) => {
    expect(() => truncatedNormalRule(0, 1, n)).toThrow(RangeError);
  });

  test('empty sets (a ≥ b) give zero weights at finite nodes', () => {
    for (const [a, b] of [[1, 1], [2, 1], [Infinity, Infinity], [-Infinity, -Infinity], [Infinity, -Infinity], [Infinity, 3]]) {
      const { nodes, weights } = truncatedNormalRule(a, b, 8);
      expect(weights.every((w) => w === 0)).toBe(true);
      expect(nodes.every(Number.isFinite)).toBe(true);
    }
    expect(truncatedMoment(2, 3, 3)).toBe(0);
    expect(truncatedMoment(2, Infinity, -Infinity)).toBe(0);
  });

  test('NaN limits give NaN weights (visible, not silently 0)', () => {
    expect(truncatedNormalRule(Number.NaN, 1, 4).weights.every(Number.isNaN)).toBe(true);
    expect(truncatedNormalRule(0, Number.NaN, 4).weights.every(Number.isNaN)).toBe(true);
    expect(truncatedMoment(1, Number.NaN, 1)).toBeNaN();
  });

  test('beyond the underflow of N weights are 0 (never NaN) and nodes stay finite', () => {
    for (const [a, b] of [[40, Infinity], [1e6, Infinity], [1e300, Infinity], [-Infinity, -1e308], [-Number.MAX_VALUE, -39]]) {
      const { nodes, weights } = truncatedNormalRule(a, b, N);
      expect(weights.every((w) => w === 0)).toBe(true);
      expect(nodes.every((t) => Number.isFinite(t) && t >= a && t <= b)).toBe(true);
    }
    // Just before underflow the weights are tiny but still right: H(37) ≈ 5.7e-300.
    expect(Math.abs(integrate(37, Infinity, N, () => 1) / H(37) - 1)).toBeLessThanOrEqual(1e-13);
  });

  test('huge finite limits behave like infinite ones (the window is cut at ±12)', () => {
    const inf = truncatedNormalRule(-Infinity, Infinity, N);
    const big = truncatedNormalRule(-1e308, 1e308, N);
    expect(Array.from(big.nodes)).toEqual(Array.from(inf.nodes));
    expect(Array.from(big.weights)).toEqual(Array.from(inf.weights));
    expect(inf.nodes[0]).toBeGreaterThanOrEqual(-12);
    expect(inf.nodes[N - 1]).toBeLessThanOrEqual(12);
  });

  test('tiny intervals: ∫_c^{c+δ} N ≈ δ N(c + δ/2)', () => {
    for (const c of [-20, -1, 0, 0.5, 3, 25]) {
      const d = 1e-9;
      const got = integrate(c, c + d, N, () => 1);
      const ref = (c + d - c) * npdf(c + d / 2); // midpoint rule; its error ~δ³ is far below rounding
      expect(Math.abs(got / ref - 1)).toBeLessThanOrEqual(1e-13);
    }
  });
});

describe('truncatedMoment (the reference itself)', () => {
  test('closed forms: M_0 on (−∞, ∞), [0, ∞), (−∞, −a]; M_1 = N(a); M_2 = H(a) + aN(a); full-line (k−1)!!', () => {
    expect(truncatedMoment(0, -Infinity, Infinity)).toBe(1);
    expect(truncatedMoment(0, 0, Infinity)).toBe(0.5);
    expect(truncatedMoment(2, 0, Infinity)).toBe(0.5);
    expect(truncatedMoment(1, -Infinity, Infinity)).toBe(0);
    expect(Math.abs(truncatedMoment(0, -Infinity, -30) / H(30) - 1)).toBeLessThanOrEqual(4e-16);
    expect(Math.abs(truncatedMoment(1, 30, Infinity) / npdf(30) - 1)).toBeLessThanOrEqual(4e-16);
    let dfact = 1;
    for (let k = 2; k <= 12; k += 2) {
      dfact *= k - 1;
      expect(Math.abs(truncatedMoment(k, -Infinity, Infinity) / dfact - 1)).toBeLessThanOrEqual(1e-15);
    }
  });

  test.prop([finiteEnd, fc.double({ min: 0, max: 12, noNaN: true }), fc.integer({ min: 0, max: 12 })])(
    'satisfies the defining recursion M_k = (k−1) M_{k−2} + a^{k−1}N(a) − b^{k−1}N(b)',
    (a, w, k) => {
      fc.pre(k >= 2);
      const b = a + w;
      fc.pre(a < b);
      // M_k − (k−1) M_{k−2} = a^{k−1}N(a) − b^{k−1}N(b), on the scale of the terms involved.
      const lhs = truncatedMoment(k, a, b) - (k - 1) * truncatedMoment(k - 2, a, b);
      const ta = a ** (k - 1) * npdf(a);
      const tb = b ** (k - 1) * npdf(b);
      const scale = Math.abs(truncatedMoment(k, a, b)) + (k - 1) * absMoment(k - 2, a, b) + Math.abs(ta) + Math.abs(tb);
      // (+1e-300: everything underflows for intervals like [0, 1e-46] at k = 8.)
      expect(Math.abs(lhs - (ta - tb))).toBeLessThanOrEqual(1e-14 * scale + 1e-300);
    },
  );

  // Its branches (Taylor series for q ≤ 2, short-interval series, upward recursion) must agree
  // where they meet: additivity over a split point checks every pairing.
  test.prop([interval, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 12 })])(
    'additive: M_k(a, c) + M_k(c, b) = M_k(a, b)',
    ([a, b], u, k) => {
      fc.pre(a < b);
      const lo = Math.max(a, -40);
      const hi = Math.min(b, 40);
      const c = lo + u * (hi - lo);
      fc.pre(a < c && c < b);
      const sum = truncatedMoment(k, a, c) + truncatedMoment(k, c, b);
      expect(Math.abs(sum - truncatedMoment(k, a, b))).toBeLessThanOrEqual(3e-14 * absMoment(k, a, b));
    },
  );

  test('mirror symmetry M_k(a, b) = (−1)^k M_k(−b, −a)', () => {
    for (const [a, b] of GRID) {
      for (let k = 0; k <= 12; k++) {
        const m = truncatedMoment(k, a, b);
        const r = truncatedMoment(k, -b, -a);
        expect(m === (k % 2 === 0 ? r : -r), `[${a}, ${b}] k=${k}`).toBe(true); // === so that 0 matches −0
      }
    }
  });

  test.each([-1, 13, 1.5])('k = %s is rejected', (k) => {
    expect(() => truncatedMoment(k, 0, 1)).toThrow(RangeError);
  });
});
