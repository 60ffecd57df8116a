/**
 * JavaScript side of the WebAssembly SIMD kernels (kernels.wat): copies the operands into the module's memory
 * (padded with zeros to the tile sizes), calls the kernel, copies the result out. The linalg.ts entry points
 * use these for large problems and fall back on their JavaScript loops when WebAssembly is unavailable.
 *
 * Memory: one workspace is kept between calls while it is at most WORKSPACE_KEEP_BYTES (a fresh memory costs a
 * page fault per 4 KiB page on first touch, ~50 ms for a 1000 x 2000 matrix); larger problems get their own
 * instance, released after the call.
 */
import { KERNELS_WASM_BASE64 } from './kernels.ts';

interface Kernels {
  readonly memory: WebAssembly.Memory;
  syrk(m: number, rp: number, cp: number, out: number, panel: number): void;
  potrf(g: number, k: number, tmp: number): number;
}

const WORKSPACE_KEEP_BYTES = 64 * 2 ** 20;
/** wasm32 addresses: stay well below 4 GiB. */
const MAX_BYTES = 2 ** 31;
const PAGE = 65536;
/** Columns per panel: 4 + 2 rows of 128 doubles stay in L1, a panel of 1000 rows (1 MiB) in L2. */
const PANEL = 128;

let module: WebAssembly.Module | null | undefined;
let workspace: Kernels | undefined;

function compiled(): WebAssembly.Module | null {
  if (module === undefined) {
    try {
      module = new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    } catch {
      module = null; // no WebAssembly, or no SIMD: the JavaScript kernels run instead
    }
  }
  return module;
}

function instantiate(bytes: number): Kernels | null {
  const mod = compiled();
  if (!mod) return null;
  const k = new WebAssembly.Instance(mod).exports as unknown as Kernels;
  const pages = Math.ceil(bytes / PAGE) - k.memory.buffer.byteLength / PAGE;
  if (pages > 0) k.memory.grow(pages);
  return k;
}

/** An instance whose memory holds at least `bytes`. */
function kernels(bytes: number): Kernels | null {
  if (bytes > MAX_BYTES) return null;
  if (bytes > WORKSPACE_KEEP_BYTES) return instantiate(bytes);
  if (!workspace) {
    const k = instantiate(WORKSPACE_KEEP_BYTES);
    if (!k) return null;
    // A few small calls make V8 tier the kernel up from its baseline compiler (about 3x slower) in the
    // background, so the first large call usually runs optimised code. Speed only: both tiers give the same bits.
    for (let i = 0; i < 10; i++) k.syrk(0, 16, 128, 16 * 128 * 8, PANEL);
    workspace = k;
  }
  return workspace;
}

/** True when the SIMD kernels can run here (WebAssembly with 128-bit SIMD). */
export function simdAvailable(): boolean {
  return compiled() !== null;
}

/**
 * The Gram matrix of r rows of length c that `load` writes into the kernel's memory (row j at offset j * cp, cp
 * the padded row length; the padding is zeroed here), into out (r x r, both triangles).
 */
function gram(r: number, c: number, out: Float64Array, load: (mem: Float64Array, cp: number) => void): boolean {
  const rp = (r + 3) & ~3;
  const cp = (c + 1) & ~1;
  const mBytes = rp * cp * 8;
  const k = kernels(mBytes + rp * rp * 8);
  if (!k) return false;
  const mem = new Float64Array(k.memory.buffer);
  load(mem, cp);
  if (cp !== c) for (let j = 0; j < r; j++) mem[j * cp + c] = 0;
  mem.fill(0, r * cp, rp * cp); // padding rows
  const o = rp * cp;
  mem.fill(0, o, o + rp * rp);
  k.syrk(0, rp, cp, mBytes, PANEL);
  for (let j = 0; j < r; j++) {
    for (let q = j; q < r; q++) {
      const v = mem[o + j * rp + q];
      out[j * r + q] = v;
      out[q * r + j] = v;
    }
  }
  return true;
}

/**
 * out = M M^T (r x r, both triangles) for M (r x c) row-major, by the SIMD kernel. Returns false (out untouched)
 * when the kernels cannot run; the caller then uses its own loop.
 */
export function simdGramRows(M: Float64Array, r: number, c: number, out: Float64Array): boolean {
  return gram(r, c, out, (mem, cp) => {
    if (cp === c) mem.set(M.subarray(0, r * c), 0);
    else for (let j = 0; j < r; j++) mem.set(M.subarray(j * c, (j + 1) * c), j * cp);
  });
}

/** out = A^T A (d x d) for A (n x d) row-major: A is transposed straight into the kernel's memory. */
export function simdGramCols(A: Float64Array, n: number, d: number, out: Float64Array): boolean {
  return gram(d, n, out, (mem, cp) => {
    const B = 32;
    for (let i0 = 0; i0 < n; i0 += B) {
      const i1 = Math.min(n, i0 + B);
      for (let j0 = 0; j0 < d; j0 += B) {
        const j1 = Math.min(d, j0 + B);
        for (let i = i0; i < i1; i++) {
          const r = i * d;
          for (let j = j0; j < j1; j++) mem[j * cp + i] = A[r + j];
        }
      }
    }
  });
}

/**
 * In-place Cholesky factor of the k x k matrix G (lower triangle; the strict upper triangle is left as it was),
 * by the SIMD kernel. Returns null when the kernels cannot run, else whether G was positive definite.
 */
export function simdCholesky(G: Float64Array, k: number): boolean | null {
  const bytes = k * k * 8;
  const kern = kernels(bytes + 16);
  if (!kern) return null;
  const mem = new Float64Array(kern.memory.buffer);
  mem.set(G.subarray(0, k * k), 0);
  const ok = kern.potrf(0, k, bytes) === 1;
  for (let i = 0; i < k; i++) G.set(mem.subarray(i * k, i * k + i + 1), i * k);
  return ok;
}
