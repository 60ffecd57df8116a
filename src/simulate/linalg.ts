/**
 * Dense linear-algebra kernels on row-major Float64Arrays, written for V8: contiguous inner loops, several
 * independent accumulators (instruction-level parallelism), register tiles for the O(n d^2) products, no
 * allocation inside loops. A matrix is (data, rows, cols); element (i, j) is data[i * cols + j].
 * Every kernel sums in a fixed order, so results are the same bits on every run. The Gram matrices of large
 * problems go to a WebAssembly SIMD kernel (wasm/simd.ts, about 4x faster); which path runs depends only on the
 * sizes, so that too is the same on every run.
 */
import { simdCholesky, simdGramCols, simdGramRows } from './wasm/simd.ts';

/** Multiply-adds above which a Gram matrix is worth the copy into WebAssembly memory. */
const SIMD_MIN_WORK = 2 ** 22;

/** a . b over n entries starting at offsets ao, bo. */
export function dot(a: Float64Array, b: Float64Array, n: number, ao = 0, bo = 0): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < n; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + (s2 + s3);
}

/** y[yo..yo+n) += alpha x[xo..xo+n). */
export function axpy(alpha: number, x: Float64Array, y: Float64Array, n: number, xo = 0, yo = 0): void {
  for (let k = 0; k < n; k++) y[yo + k] += alpha * x[xo + k];
}

/** Euclidean norm, scaled so that it neither overflows nor underflows. */
export function norm2(a: Float64Array, n = a.length): number {
  let scale = 0;
  for (let k = 0; k < n; k++) scale = Math.max(scale, Math.abs(a[k]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let k = 0; k < n; k++) {
    const t = a[k] / scale;
    s += t * t;
  }
  return scale * Math.sqrt(s);
}

/** Sum of squares, sum a_k^2 (no scaling: for O(1) entries). */
export function sumSquares(a: Float64Array, n = a.length): number {
  return dot(a, a, n);
}

/** out = scale * A v for A (n x d). Four rows at a time, so each v[j] is loaded once per four rows. */
export function matVec(A: Float64Array, n: number, d: number, v: Float64Array, out: Float64Array, scale = 1): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const r0 = i * d;
    const r1 = r0 + d;
    const r2 = r1 + d;
    const r3 = r2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < d; j++) {
      const vj = v[j];
      s0 += A[r0 + j] * vj;
      s1 += A[r1 + j] * vj;
      s2 += A[r2 + j] * vj;
      s3 += A[r3 + j] * vj;
    }
    out[i] = scale * s0;
    out[i + 1] = scale * s1;
    out[i + 2] = scale * s2;
    out[i + 3] = scale * s3;
  }
  for (; i < n; i++) out[i] = scale * dot(A, v, d, i * d, 0);
}

/** out = scale * A^T u for A (n x d): rows added four at a time, so out is read and written once per four rows. */
export function matTVec(A: Float64Array, n: number, d: number, u: Float64Array, out: Float64Array, scale = 1): void {
  out.fill(0, 0, d);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const r0 = i * d;
    const r1 = r0 + d;
    const r2 = r1 + d;
    const r3 = r2 + d;
    const u0 = u[i];
    const u1 = u[i + 1];
    const u2 = u[i + 2];
    const u3 = u[i + 3];
    for (let j = 0; j < d; j++) out[j] += u0 * A[r0 + j] + u1 * A[r1 + j] + u2 * A[r2 + j] + u3 * A[r3 + j];
  }
  for (; i < n; i++) {
    const ui = u[i];
    const r = i * d;
    for (let j = 0; j < d; j++) out[j] += ui * A[r + j];
  }
  if (scale !== 1) for (let j = 0; j < d; j++) out[j] *= scale;
}

/**
 * out = scale^2 A^T diag(w) A v in one pass over A (each row is used for its dot product and, while still in
 * cache, for the update): the Hessian-vector product of an ERM with per-sample curvatures w.
 * Rows with w[i] = 0 are skipped.
 */
export function weightedGramVec(
  A: Float64Array, n: number, d: number, w: Float64Array, v: Float64Array, out: Float64Array, scale = 1,
): void {
  out.fill(0, 0, d);
  const s2 = scale * scale;
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    if (wi === 0) continue;
    const r = i * d;
    const c = s2 * wi * dot(A, v, d, r, 0);
    for (let j = 0; j < d; j++) out[j] += c * A[r + j];
  }
}

/** The transpose (d x n) of A (n x d), copied in 32 x 32 blocks so both sides stay in cache. */
export function transpose(A: Float64Array, n: number, d: number, out = new Float64Array(n * d)): Float64Array {
  const B = 32;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(n, i0 + B);
    for (let j0 = 0; j0 < d; j0 += B) {
      const j1 = Math.min(d, j0 + B);
      for (let i = i0; i < i1; i++) {
        const r = i * d;
        for (let j = j0; j < j1; j++) out[j * n + i] = A[r + j];
      }
    }
  }
  return out;
}

/** Width of the column panels in gramRows: 4 rows x 128 entries of a tile stay in L1, a panel of all rows in L2. */
const PANEL = 128;

/**
 * out[o + 4 x 4 block, row stride ldo] += the 16 dot products, over columns c0..c1-1, of the 4 rows of A starting
 * at offset a0 with the 4 rows of B starting at b0 (both row-major with row length c): 8 loads per column feed 16
 * multiply-adds. The inner kernel of gramRows and crossRows.
 */
function addTile4(A: Float64Array, a0: number, B: Float64Array, b0: number, c: number, c0: number, c1: number,
  out: Float64Array, o: number, ldo: number): void {
  const a1 = a0 + c;
  const a2 = a1 + c;
  const a3 = a2 + c;
  const b1 = b0 + c;
  const b2 = b1 + c;
  const b3 = b2 + c;
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
  let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
  let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  for (let t = c0; t < c1; t++) {
    const x0 = A[a0 + t];
    const x1 = A[a1 + t];
    const x2 = A[a2 + t];
    const x3 = A[a3 + t];
    const y0 = B[b0 + t];
    const y1 = B[b1 + t];
    const y2 = B[b2 + t];
    const y3 = B[b3 + t];
    s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
    s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
    s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
    s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
  }
  out[o] += s00; out[o + 1] += s01; out[o + 2] += s02; out[o + 3] += s03;
  o += ldo;
  out[o] += s10; out[o + 1] += s11; out[o + 2] += s12; out[o + 3] += s13;
  o += ldo;
  out[o] += s20; out[o + 1] += s21; out[o + 2] += s22; out[o + 3] += s23;
  o += ldo;
  out[o] += s30; out[o + 1] += s31; out[o + 2] += s32; out[o + 3] += s33;
}

/**
 * out = M M^T (r x r, both triangles filled) for M (r x c) row-major: entry (j, k) is the dot product of rows j
 * and k. The columns are taken in panels; within a panel, 4 x 4 tiles of the upper triangle accumulate 16 dot
 * products from 8 loads per column (twice the multiply-adds of loads, against one for plain dots).
 * The sum over c is split by panel, in a fixed order.
 */
export function gramRows(M: Float64Array, r: number, c: number, out = new Float64Array(r * r)): Float64Array {
  if (r * r * c >= 2 * SIMD_MIN_WORK && simdGramRows(M, r, c, out)) return out;
  return gramRowsJS(M, r, c, out);
}

/** gramRows in JavaScript (the fallback, and the reference the SIMD kernel is tested against). */
export function gramRowsJS(M: Float64Array, r: number, c: number, out = new Float64Array(r * r)): Float64Array {
  out.fill(0, 0, r * r);
  const r4 = r - (r % 4);
  for (let c0 = 0; c0 < c; c0 += PANEL) {
    const c1 = Math.min(c, c0 + PANEL);
    for (let j = 0; j < r4; j += 4) {
      for (let k = j; k < r4; k += 4) addTile4(M, j * c, M, k * c, c, c0, c1, out, j * r + k, r);
    }
  }
  // The last r mod 4 rows against every row: plain dot products.
  for (let j = r4; j < r; j++) {
    for (let k = 0; k <= j; k++) out[k * r + j] = dot(M, M, c, j * c, k * c);
  }
  // Mirror the upper triangle (tiles on the diagonal filled a few lower entries too; overwrite them all).
  for (let j = 0; j < r; j++) for (let k = j + 1; k < r; k++) out[k * r + j] = out[j * r + k];
  return out;
}

/**
 * out = A B^T (p x q, row-major, row stride ldo >= q) for A (p x c) and B (q x c) row-major: dot products of
 * rows, in 4 x 4 register tiles over column panels as in gramRows.
 */
export function crossRows(
  A: Float64Array, p: number, B: Float64Array, q: number, c: number, out: Float64Array, ldo = q,
): Float64Array {
  for (let j = 0; j < p; j++) out.fill(0, j * ldo, j * ldo + q);
  const p4 = p - (p % 4);
  const q4 = q - (q % 4);
  for (let c0 = 0; c0 < c; c0 += PANEL) {
    const c1 = Math.min(c, c0 + PANEL);
    for (let j = 0; j < p4; j += 4) {
      for (let k = 0; k < q4; k += 4) addTile4(A, j * c, B, k * c, c, c0, c1, out, j * ldo + k, ldo);
    }
  }
  // remainders: the last p mod 4 rows of A against all of B, and the first p4 rows against the last q mod 4 of B
  for (let j = p4; j < p; j++) for (let k = 0; k < q; k++) out[j * ldo + k] = dot(A, B, c, j * c, k * c);
  for (let j = 0; j < p4; j++) for (let k = q4; k < q; k++) out[j * ldo + k] = dot(A, B, c, j * c, k * c);
  return out;
}

/** out = A^T A (d x d) for A (n x d): gramRows of the transpose, whose rows are A's columns. */
export function gramCols(A: Float64Array, n: number, d: number, out = new Float64Array(d * d)): Float64Array {
  if (d * d * n >= 2 * SIMD_MIN_WORK && simdGramCols(A, n, d, out)) return out;
  return gramRowsJS(transpose(A, n, d), d, n, out);
}

/**
 * In-place Cholesky factorisation G = L L^T of a symmetric positive-definite k x k matrix (row-major; the lower
 * triangle is read and overwritten by L, the strict upper triangle is left as it was). Row-oriented
 * (Cholesky-Banachiewicz): L[i][j] = (G[i][j] - L[i][0:j] . L[j][0:j]) / L[j][j], contiguous dot products,
 * two rows i at a time so each row j is read once per pair.
 * Returns false (and leaves G partly overwritten) if a pivot is not positive: G is not positive definite to
 * working precision.
 */
export function cholesky(G: Float64Array, k: number): boolean {
  if (k * k * k >= 3 * SIMD_MIN_WORK) {
    const ok = simdCholesky(G, k);
    if (ok !== null) return ok;
  }
  return choleskyJS(G, k);
}

/** cholesky in JavaScript (the fallback, and the reference the SIMD kernel is tested against). */
export function choleskyJS(G: Float64Array, k: number): boolean {
  let i = 0;
  for (; i + 1 < k; i += 2) {
    const ri = i * k;
    const rn = ri + k; // row i + 1
    for (let j = 0; j < i; j++) {
      const rj = j * k;
      let a0 = 0, a1 = 0, b0 = 0, b1 = 0;
      let t = 0;
      for (; t + 1 < j; t += 2) {
        const l0 = G[rj + t];
        const l1 = G[rj + t + 1];
        a0 += G[ri + t] * l0;
        a1 += G[ri + t + 1] * l1;
        b0 += G[rn + t] * l0;
        b1 += G[rn + t + 1] * l1;
      }
      if (t < j) {
        a0 += G[ri + t] * G[rj + t];
        b0 += G[rn + t] * G[rj + t];
      }
      const ljj = G[rj + j];
      G[ri + j] = (G[ri + j] - (a0 + a1)) / ljj;
      G[rn + j] = (G[rn + j] - (b0 + b1)) / ljj;
    }
    // diagonal of row i, then entries (i + 1, i) and (i + 1, i + 1)
    const dii = G[ri + i] - dot(G, G, i, ri, ri);
    if (!(dii > 0)) return false;
    const lii = Math.sqrt(dii);
    G[ri + i] = lii;
    G[rn + i] = (G[rn + i] - dot(G, G, i, rn, ri)) / lii;
    const dnn = G[rn + i + 1] - dot(G, G, i + 1, rn, rn);
    if (!(dnn > 0)) return false;
    G[rn + i + 1] = Math.sqrt(dnn);
  }
  if (i < k) {
    const ri = i * k;
    for (let j = 0; j < i; j++) G[ri + j] = (G[ri + j] - dot(G, G, j, ri, j * k)) / G[j * k + j];
    const dii = G[ri + i] - dot(G, G, i, ri, ri);
    if (!(dii > 0)) return false;
    G[ri + i] = Math.sqrt(dii);
  }
  return true;
}

/** Solves L L^T x = b for the factor from `cholesky` (lower triangle of L, k x k); x may alias b. */
export function choleskySolve(L: Float64Array, k: number, b: Float64Array, x = new Float64Array(k)): Float64Array {
  if (x !== b) x.set(b.subarray(0, k));
  // forward: L y = b (row-oriented, contiguous)
  for (let i = 0; i < k; i++) x[i] = (x[i] - dot(L, x, i, i * k, 0)) / L[i * k + i];
  // backward: L^T x = y, column-oriented on L^T = row-oriented axpys on L
  for (let i = k - 1; i >= 0; i--) {
    const ri = i * k;
    const xi = x[i] / L[ri + i];
    x[i] = xi;
    for (let j = 0; j < i; j++) x[j] -= L[ri + j] * xi;
  }
  return x;
}
