/**
 * The prox of V max(0, 1 - y x) at omega for the hinge tests' independent references (hinge.test.ts,
 * rf-hinge.test.ts): bisection on the right derivative of x -> max(0, 1 - y x) + (x - omega)^2/(2V), which is
 * nondecreasing in x (no closed form used).
 */
export function proxHinge(y: number, omega: number, V: number): number {
  const slope = (x: number) => (x - omega) / V + (y > 0 ? (x < 1 ? -1 : 0) : x >= -1 ? 1 : 0);
  let lo = omega - V - 2;
  let hi = omega + V + 2;
  for (let k = 0; k < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo)); k++) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (slope(mid) >= 0) hi = mid;
    else lo = mid;
  }
  return hi;
}
