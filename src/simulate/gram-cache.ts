/**
 * The Gram matrix of a changing subset of the rows of a matrix, computed once per row: active-set solvers (the
 * hinge dual's free set, the lasso's support) need the Gram of a set that changes by a few rows per step, and
 * recomputing it costs k^2 c/2 multiply-adds each time.
 */
import { crossRows, gramRows } from './linalg.ts';

export class RowGramCache {
  private readonly slotOf: Int32Array;
  private readonly rowOfSlot: Int32Array;
  /** Cached rows, packed (capacity x cols). */
  private readonly packed: Float64Array;
  /** Gram of the cached rows (capacity x capacity, slot order). */
  private readonly gram: Float64Array;
  private size = 0;

  /**
   * @param M rows x cols, row-major
   * @param scale each row is multiplied by it (the Gram by scale^2)
   * @param capacity most rows kept; when a request does not fit, the cache restarts from that request
   */
  constructor(
    private readonly M: Float64Array, private readonly rows: number, private readonly cols: number,
    private readonly capacity: number, private readonly scale = 1,
  ) {
    this.slotOf = new Int32Array(rows).fill(-1);
    this.rowOfSlot = new Int32Array(capacity);
    this.packed = new Float64Array(capacity * cols);
    this.gram = new Float64Array(capacity * capacity);
  }

  /** Rows computed so far (for tests and reports). */
  get cached(): number {
    return this.size;
  }

  private add(newRows: number[]): void {
    const { cols, capacity, scale, M } = this;
    const p = newRows.length;
    if (p === 0) return;
    const base = this.size;
    const block = new Float64Array(p * cols);
    for (let a = 0; a < p; a++) {
      const r = newRows[a] * cols;
      for (let t = 0; t < cols; t++) block[a * cols + t] = scale * M[r + t];
    }
    // new rows against the old ones, written into rows base.. of the Gram, then mirrored
    if (base > 0) {
      crossRows(block, p, this.packed, base, cols, this.gram.subarray(base * capacity), capacity);
      for (let a = 0; a < p; a++) {
        for (let b = 0; b < base; b++) this.gram[b * capacity + base + a] = this.gram[(base + a) * capacity + b];
      }
    }
    const own = gramRows(block, p, cols);
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) this.gram[(base + a) * capacity + base + b] = own[a * p + b];
    }
    this.packed.set(block, base * cols);
    for (let a = 0; a < p; a++) {
      this.slotOf[newRows[a]] = base + a;
      this.rowOfSlot[base + a] = newRows[a];
    }
    this.size += p;
  }

  /**
   * out (k x k) = the Gram of rows F[0..k) (scaled), in that order; with `weights`, entry (a, b) is also
   * multiplied by weights[a] weights[b].
   */
  gather(F: ArrayLike<number>, weights?: ArrayLike<number>, out: Float64Array = new Float64Array(F.length * F.length)): Float64Array {
    const k = F.length;
    if (k > this.capacity) throw new RangeError(`RowGramCache: ${k} rows requested, capacity ${this.capacity}`);
    let missing: number[] = [];
    for (let a = 0; a < k; a++) if (this.slotOf[F[a]] < 0) missing.push(F[a]);
    if (this.size + missing.length > this.capacity) {
      for (let s = 0; s < this.size; s++) this.slotOf[this.rowOfSlot[s]] = -1;
      this.size = 0;
      missing = Array.from(F);
    }
    this.add(missing);
    const cap = this.capacity;
    const gram = this.gram;
    const slots = new Int32Array(k);
    for (let a = 0; a < k; a++) slots[a] = this.slotOf[F[a]];
    for (let a = 0; a < k; a++) {
      const sa = slots[a] * cap;
      const o = a * k;
      if (weights) {
        const wa = weights[a];
        for (let b = 0; b < k; b++) out[o + b] = wa * weights[b] * gram[sa + slots[b]];
      } else {
        for (let b = 0; b < k; b++) out[o + b] = gram[sa + slots[b]];
      }
    }
    return out;
  }
}
