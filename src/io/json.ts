/** JSON.stringify replacer: NaN and Infinity as the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers). */
export function jsonNumbers(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}
