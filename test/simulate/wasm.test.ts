import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { choleskyJS, gramRowsJS, transpose } from '../../src/simulate/linalg.ts';
import { trialStream } from '../../src/simulate/rng.ts';
import { simdAvailable, simdCholesky, simdGramCols, simdGramRows } from '../../src/simulate/wasm/simd.ts';
import { assembleKernels, kernelsSource, TS_PATH } from './fixtures/assemble-wasm.ts';

function gaussian(len: number, seed: number): Float64Array {
  const a = new Float64Array(len);
  trialStream({ master: seed, trial: 0 }, 0).fillNormal(a);
  return a;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}

describe('WebAssembly SIMD kernels', () => {
  it('the embedded bytes are the assembled kernels.wat (run test/simulate/fixtures/assemble-wasm.ts after editing it)', async () => {
    expect(readFileSync(TS_PATH, 'utf8')).toBe(kernelsSource(await assembleKernels()));
  });

  it('run on Node 20 (WebAssembly with 128-bit SIMD)', () => {
    expect(simdAvailable()).toBe(true);
  });

  // every padding case: rows mod 4, columns mod 2, columns across several panels of 128
  it.each([[1, 1], [2, 3], [3, 128], [4, 129], [5, 7], [7, 300], [8, 2], [13, 257], [64, 1000]])('Gram of %i rows of length %i vs the JavaScript kernel', (r, c) => {
    const M = gaussian(r * c, r * 1000 + c);
    const simd = new Float64Array(r * r).fill(NaN);
    expect(simdGramRows(M, r, c, simd)).toBe(true);
    expect(maxDiff(simd, gramRowsJS(M, r, c))).toBeLessThan(1e-12 * c);
    for (let j = 0; j < r; j++) for (let k = 0; k < r; k++) expect(simd[j * r + k]).toBe(simd[k * r + j]);
    // columns: A^T A for A (c x r) with A^T = M
    const A = transpose(M, r, c);
    const cols = new Float64Array(r * r);
    expect(simdGramCols(A, c, r, cols)).toBe(true);
    expect(maxDiff(cols, simd)).toBe(0); // the same rows in the kernel's memory: the same bits
  });

  it.each([1, 2, 3, 4, 5, 31, 32, 33, 100, 257])('Cholesky of order %i vs the JavaScript kernel', (k) => {
    const c = k + 4;
    const G = gramRowsJS(gaussian(k * c, k), k, c);
    for (let i = 0; i < k; i++) G[i * k + i] += 0.5;
    const simd = Float64Array.from(G);
    const js = Float64Array.from(G);
    expect(simdCholesky(simd, k)).toBe(true);
    expect(choleskyJS(js, k)).toBe(true);
    expect(maxDiff(simd, js)).toBeLessThan(1e-12 * k);
    // the strict upper triangle is left as it was
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) expect(simd[i * k + j]).toBe(G[i * k + j]);
  });

  it('Cholesky reports a matrix that is not positive definite (negative, zero and NaN pivots, odd and even rows)', () => {
    expect(simdCholesky(Float64Array.of(1, 2, 2, 1), 2)).toBe(false);
    expect(simdCholesky(Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, -1), 3)).toBe(false);
    expect(simdCholesky(Float64Array.of(0), 1)).toBe(false);
    expect(simdCholesky(Float64Array.of(NaN, 0, 0, 1), 2)).toBe(false);
  });
});
