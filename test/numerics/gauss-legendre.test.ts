import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { all, create, type BigNumber } from 'mathjs';
import { buildGaussLegendre, gaussLegendre, GAUSS_LEGENDRE_MAX_N } from '../../src/numerics/gauss-legendre.ts';

const EPS = Number.EPSILON;

/** The test's own Legendre recurrence at x (plain Bonnet form, independent of the module's). */
function legendre(x: number, m: number): Float64Array {
  const p = new Float64Array(m + 1);
  p[0] = 1;
  if (m >= 1) p[1] = x;
  for (let k = 1; k < m; k++) p[k + 1] = ((2 * k + 1) * x * p[k] - k * p[k - 1]) / (k + 1);
  return p;
}

describe('gaussLegendre: against 50-digit arithmetic', () => {
  const math = create(all, { number: 'BigNumber', precision: 50 });
  const big = (x: number | string): BigNumber => math.bignumber(typeof x === 'number' ? x.toPrecision(60) : x);

  /** Refines a node by Newton in 50 digits, returns the exact root and its weight 2/((1−x²)P_n'²). */
  function reference(x0: number, n: number): { x: BigNumber; w: BigNumber } {
    const one = big(1);
    let x = big(x0);
    let w = one;
    for (let it = 0; it < 3; it++) {
      let p0 = one;
      let p1 = x;
      for (let k = 1; k < n; k++) {
        const p2 = x.mul(p1).mul(2 * k + 1).sub(p0.mul(k)).div(k + 1);
        p0 = p1;
        p1 = p2;
      }
      const oneMinusX2 = one.sub(x.mul(x));
      const dp = p0.sub(x.mul(p1)).mul(n).div(oneMinusX2);
      x = x.sub(p1.div(dp));
      w = big(2).div(oneMinusX2.mul(dp).mul(dp));
    }
    return { x, w };
  }

  // Nodes are correctly placed to within ~2 ulp of 1 (measured ≤ 2.1e-16); weights to relative
  // ≤ 2e-15 at n ≤ 64 and ≤ 6.3e-15 at n = 400 (measured), including the outermost ones, whose
  // 1 − x² the difference-form recurrence in θ keeps accurate (the plain recurrence at the rounded
  // node gives 3e-14 at n = 64 and 8e-13 at n = 400 there).
  test.each([2, 5, 16, 33, 64, 101])('n = %i: nodes to 2.5e-16 absolute, weights to 4e-15 relative', (n) => {
    const { nodes, weights } = gaussLegendre(n);
    let worstX = 0;
    let worstW = 0;
    for (let i = n >> 1; i < n; i++) {
      // Upper half (the lower one is its exact mirror, checked below).
      const ref = reference(nodes[i], n);
      worstX = Math.max(worstX, Math.abs(ref.x.sub(big(nodes[i])).toNumber()));
      worstW = Math.max(worstW, Math.abs(ref.w.sub(big(weights[i])).div(ref.w).toNumber()));
    }
    expect(worstX).toBeLessThanOrEqual(2.5e-16);
    expect(worstW).toBeLessThanOrEqual(4e-15);
  });
});

describe('gaussLegendre: exactness for polynomials of degree ≤ 2n−1', () => {
  test.prop([
    fc.integer({ min: 1, max: GAUSS_LEGENDRE_MAX_N }).chain((n) =>
      fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }).map((h) => 2 * h))),
  ])('even moments ∫x^k = 2/(k+1) to relative 1e-13', ([n, k]) => {
    const { nodes, weights } = gaussLegendre(n);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += weights[i] * nodes[i] ** k;
    expect(Math.abs(sum - 2 / (k + 1)) * (k + 1) / 2).toBeLessThanOrEqual(1e-13);
  });

  // Σ w P_j P_l = 2δ_jl/(2j+1) for j, l ≤ n−1: weighs all nodes comparably (|P| ≤ 1).
  test.prop([
    fc.integer({ min: 1, max: 200 }).chain((n) =>
      fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }))),
  ])('Legendre polynomials are orthogonal under the rule', ([n, j, l]) => {
    const { nodes, weights } = gaussLegendre(n);
    const m = Math.max(j, l);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const p = legendre(nodes[i], m);
      sum += weights[i] * p[j] * p[l];
    }
    expect(Math.abs(sum - (j === l ? 2 / (2 * j + 1) : 0))).toBeLessThanOrEqual(1e-14);
  });

  test.prop([fc.double({ min: 0, max: 20, noNaN: true })])('∫ cos(ωx) dx = 2 sin(ω)/ω at n = 40', (omega) => {
    const { nodes, weights } = gaussLegendre(40);
    let sum = 0;
    for (let i = 0; i < nodes.length; i++) sum += weights[i] * Math.cos(omega * nodes[i]);
    const exact = omega === 0 ? 2 : (2 * Math.sin(omega)) / omega;
    expect(Math.abs(sum - exact)).toBeLessThanOrEqual(2e-15);
  });
});

describe('gaussLegendre: structure', () => {
  test('all n in 1..400: ascending, exactly symmetric, inside (−1, 1), weights > 0 summing to 2', () => {
    const problems: string[] = [];
    for (let n = 1; n <= GAUSS_LEGENDRE_MAX_N; n++) {
      const { nodes, weights } = gaussLegendre(n);
      if (nodes.length !== n || weights.length !== n) problems.push(`n=${n}: length`);
      let sum = 0;
      let comp = 0; // Neumaier compensation: measure the weights, not the summation's rounding
      for (let i = 0; i < n; i++) {
        const j = n - 1 - i;
        if (!(weights[i] > 0) || !Number.isFinite(weights[i])) problems.push(`n=${n} i=${i}: weight ${weights[i]}`);
        if (!(Math.abs(nodes[i]) < 1)) problems.push(`n=${n} i=${i}: node ${nodes[i]}`);
        if (i > 0 && !(nodes[i] > nodes[i - 1])) problems.push(`n=${n} i=${i}: not ascending`);
        if (nodes[i] !== -nodes[j] || weights[i] !== weights[j]) problems.push(`n=${n} i=${i}: not symmetric`);
        const u = sum + weights[i];
        comp += Math.abs(sum) >= weights[i] ? sum - u + weights[i] : weights[i] - u + sum;
        sum = u;
      }
      if (n % 2 === 1 && !Object.is(nodes[n >> 1], 0)) problems.push(`n=${n}: middle node is not +0`);
      // Not renormalised, so the sum checks the weights: measured within 1.4e-15 (6 ulp) of 2.
      const total = sum + comp;
      if (!(Math.abs(total - 2) <= 3e-15)) problems.push(`n=${n}: weights sum to 2 + ${total - 2}`);
    }
    expect(problems).toEqual([]);
  });

  test('closed forms for n ≤ 3', () => {
    expect(Array.from(gaussLegendre(1).nodes)).toEqual([0]);
    expect(Array.from(gaussLegendre(1).weights)).toEqual([2]);
    const r2 = gaussLegendre(2);
    expect(Math.abs(r2.nodes[1] - 1 / Math.sqrt(3))).toBeLessThanOrEqual(EPS);
    expect(Math.abs(r2.weights[0] - 1)).toBeLessThanOrEqual(2 * EPS);
    const r3 = gaussLegendre(3);
    expect(Math.abs(r3.nodes[2] - Math.sqrt(0.6))).toBeLessThanOrEqual(EPS);
    expect(Math.abs(r3.weights[0] - 5 / 9)).toBeLessThanOrEqual(2 * EPS);
    expect(Math.abs(r3.weights[1] - 8 / 9)).toBeLessThanOrEqual(2 * EPS);
  });
});

describe('gaussLegendre: API contract', () => {
  test('rules are cached and frozen; the uncached builder gives identical tables', () => {
    const a = gaussLegendre(37);
    expect(gaussLegendre(37)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    const b = buildGaussLegendre(37);
    expect(b).not.toBe(a);
    expect(Array.from(b.nodes)).toEqual(Array.from(a.nodes));
    expect(Array.from(b.weights)).toEqual(Array.from(a.weights));
  });

  test.each([0, -1, 401, 2.5, Number.NaN, Infinity])('n = %s is rejected with a RangeError', (n) => {
    expect(() => gaussLegendre(n)).toThrow(RangeError);
  });
});
