import { fc, test } from '@fast-check/vitest';
import { Matrix, CholeskyDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { RowGramCache } from '../../src/simulate/gram-cache.ts';
import {
  axpy, cholesky, choleskySolve, crossRows, dot, gramCols, gramRows, matTVec, matVec, norm2, transpose, weightedGramVec,
} from '../../src/simulate/linalg.ts';
import { trialStream } from '../../src/simulate/rng.ts';

/** Reference implementations: the textbook triple loops. */
const naive = {
  matVec(A: Float64Array, n: number, d: number, v: Float64Array): number[] {
    return Array.from({ length: n }, (_, i) => { let s = 0; for (let j = 0; j < d; j++) s += A[i * d + j] * v[j]; return s; });
  },
  matTVec(A: Float64Array, n: number, d: number, u: Float64Array): number[] {
    return Array.from({ length: d }, (_, j) => { let s = 0; for (let i = 0; i < n; i++) s += A[i * d + j] * u[i]; return s; });
  },
  /** (A B^T)_{jk} for A (p x c), B (q x c). */
  cross(A: Float64Array, p: number, B: Float64Array, q: number, c: number): number[] {
    const out: number[] = [];
    for (let j = 0; j < p; j++) for (let k = 0; k < q; k++) { let s = 0; for (let t = 0; t < c; t++) s += A[j * c + t] * B[k * c + t]; out.push(s); }
    return out;
  },
};

function gaussian(len: number, seed: number): Float64Array {
  const a = new Float64Array(len);
  trialStream({ master: seed, trial: 0 }, 0).fillNormal(a);
  return a;
}

/** max |a - b| / (scale of the entries' sums): kernels sum in another order than the naive loops. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  expect(worst).toBeLessThan(tol);
}

// Sizes around the tile widths (4) and the panel width (128), so every remainder branch runs.
const size = fc.integer({ min: 1, max: 11 });
const cols = fc.constantFrom(1, 3, 4, 7, 127, 128, 129, 300);

describe('kernels against naive loops', () => {
  test.prop([size, cols, fc.integer({ min: 0, max: 1000 })], { numRuns: 40 })('matVec, matTVec, weightedGramVec', (n, d, seed) => {
    const A = gaussian(n * d, seed);
    const v = gaussian(d, seed + 1);
    const u = gaussian(n, seed + 2);
    const out = new Float64Array(n);
    matVec(A, n, d, v, out, 0.5);
    expectClose(out, naive.matVec(A, n, d, v).map((x) => 0.5 * x), 1e-12 * d);
    const outT = new Float64Array(d);
    matTVec(A, n, d, u, outT, 2);
    expectClose(outT, naive.matTVec(A, n, d, u).map((x) => 2 * x), 1e-12 * n);
    // A^T diag(w) A v with w >= 0 and some zeros
    const w = u.map((x) => (x > 0.5 ? 0 : x * x));
    const Av = naive.matVec(A, n, d, v);
    const want = naive.matTVec(A, n, d, Float64Array.from(Av, (x, i) => w[i] * x)).map((x) => 0.25 * x);
    weightedGramVec(A, n, d, w, v, outT, 0.5);
    expectClose(outT, want, 1e-11 * n * d);
  });

  test.prop([size, size, cols, fc.integer({ min: 0, max: 1000 })], { numRuns: 40 })('gramRows, crossRows, gramCols, transpose', (p, q, c, seed) => {
    const A = gaussian(p * c, seed);
    const B = gaussian(q * c, seed + 7);
    expectClose(gramRows(A, p, c), naive.cross(A, p, A, p, c), 1e-12 * c);
    expectClose(crossRows(A, p, B, q, c, new Float64Array(p * q)), naive.cross(A, p, B, q, c), 1e-12 * c);
    const At = transpose(A, p, c);
    for (let i = 0; i < p; i++) for (let j = 0; j < c; j++) expect(At[j * p + i]).toBe(A[i * c + j]);
    expectClose(gramCols(A, p, c), naive.cross(At, c, At, c, p), 1e-12 * p);
  });

  it('crossRows writes into a strided output and leaves the rest alone', () => {
    const A = gaussian(5 * 9, 1);
    const B = gaussian(6 * 9, 2);
    const out = new Float64Array(5 * 10).fill(42);
    crossRows(A, 5, B, 6, 9, out, 10);
    const ref = naive.cross(A, 5, B, 6, 9);
    for (let j = 0; j < 5; j++) {
      for (let k = 0; k < 6; k++) expect(out[j * 10 + k]).toBeCloseTo(ref[j * 6 + k], 12);
      for (let k = 6; k < 10; k++) expect(out[j * 10 + k]).toBe(42);
    }
  });

  it('gramRows is exactly symmetric', () => {
    const G = gramRows(gaussian(13 * 200, 3), 13, 200);
    for (let j = 0; j < 13; j++) for (let k = 0; k < 13; k++) expect(G[j * 13 + k]).toBe(G[k * 13 + j]);
  });

  it('dot, axpy, norm2 (including overflow-prone and zero vectors)', () => {
    const a = gaussian(11, 4);
    const b = gaussian(11, 5);
    let ref = 0;
    for (let i = 0; i < 11; i++) ref += a[i] * b[i];
    expect(dot(a, b, 11)).toBeCloseTo(ref, 13);
    expect(dot(a, b, 5, 3, 6)).toBeCloseTo(a.slice(3, 8).reduce((s, x, i) => s + x * b[6 + i], 0), 13);
    const y = Float64Array.from(b);
    axpy(2, a, y, 11);
    for (let i = 0; i < 11; i++) expect(y[i]).toBe(b[i] + 2 * a[i]);
    expect(norm2(Float64Array.of(3e200, 4e200))).toBeCloseTo(5e200, -186);
    expect(norm2(Float64Array.of(3e-200, 4e-200))).toBeCloseTo(5e-200, 213);
    expect(norm2(new Float64Array(3))).toBe(0);
  });
});

describe('Cholesky', () => {
  test.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1000 })], { numRuns: 30 })('factor and solve vs ml-matrix', (k, seed) => {
    // SPD: B B^T / c + I with B (k x c)
    const c = k + 3;
    const G = gramRows(gaussian(k * c, seed), k, c);
    for (let t = 0; t < k * k; t++) G[t] /= c;
    for (let t = 0; t < k; t++) G[t * k + t] += 1;
    const b = gaussian(k, seed + 1);
    const M = new Matrix(Array.from({ length: k }, (_, i) => Array.from(G.subarray(i * k, (i + 1) * k))));
    const ref = new CholeskyDecomposition(M);
    const Lref = ref.lowerTriangularMatrix;
    const xref = ref.solve(Matrix.columnVector(Array.from(b))).getColumn(0);
    const L = Float64Array.from(G);
    expect(cholesky(L, k)).toBe(true);
    for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) expect(L[i * k + j]).toBeCloseTo(Lref.get(i, j), 12);
    expectClose(choleskySolve(L, k, b), xref, 1e-11);
    // solve in place
    const bb = Float64Array.from(b);
    choleskySolve(L, k, bb, bb);
    expectClose(bb, xref, 1e-11);
  });

  it('reports a matrix that is not positive definite', () => {
    expect(cholesky(Float64Array.of(1, 2, 2, 1), 2)).toBe(false);
    expect(cholesky(Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, -1e-300), 3)).toBe(false);
    expect(cholesky(Float64Array.of(NaN), 1)).toBe(false);
  });
});

describe('RowGramCache', () => {
  it('gathers the Gram of any subset, computing each row once, restarting when full', () => {
    const r = 30;
    const c = 50;
    const M = gaussian(r * c, 8);
    const cache = new RowGramCache(M, r, c, 12, 0.5);
    const full = naive.cross(M, r, M, r, c).map((x) => 0.25 * x);
    const check = (F: number[]) => {
      const G = cache.gather(F);
      for (let a = 0; a < F.length; a++) for (let b = 0; b < F.length; b++) expect(G[a * F.length + b]).toBeCloseTo(full[F[a] * r + F[b]], 12);
    };
    check([3, 1, 4]);
    expect(cache.cached).toBe(3);
    check([4, 1, 5, 9, 2, 6]);
    expect(cache.cached).toBe(7);
    check([2, 7, 18, 28, 1, 8, 20, 0]); // 6 new: exceeds 12, restarts with these 8
    expect(cache.cached).toBe(8);
    check([0, 1]);
    expect(() => cache.gather(Array.from({ length: 13 }, (_, i) => i))).toThrow(/capacity/);
  });
});
