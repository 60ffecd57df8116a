/**
 * JSON.stringify replacer of saddle's JSON outputs (solve, sweep, threshold, simulate, verify): a non-finite
 * number (NaN, Infinity: JSON has none) is written as `null`, which every reader takes for a missing value.
 */
export function jsonNumbers(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

/**
 * The replacer of phase files, a store that is read back: there a non-finite number keeps its value as the
 * string "NaN", "Infinity" or "-Infinity" (`null` stands for "no branch" in a record), and is revived on reading.
 */
export function nonFiniteAsText(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}
