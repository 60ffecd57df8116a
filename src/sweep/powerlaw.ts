/**
 * Scaling laws read off a curve: the exponent of y ~ C x^slope over a window of x, by least squares on
 * (log x, log y), with its standard error, and the local slope along the curve (a central difference of log y in
 * log x), which shows where the asymptotic regime begins. Points where y is not a positive finite number, or
 * outside the window, are left out and counted.
 */
export interface PowerLawFit {
  readonly slope: number;
  /** Standard error of the slope (ordinary least squares: residual variance over the spread of log x); NaN with
   * fewer than 3 points. It measures how straight the curve is on the window, not a distance to the asymptote. */
  readonly stderr: number;
  /** log C of y = C x^slope. */
  readonly intercept: number;
  /** Coefficient of determination of the fit in log-log. */
  readonly r2: number;
  /** Points used, and points of the window left out (y not positive and finite). */
  readonly points: number;
  readonly leftOut: number;
  readonly window: readonly [number, number];
  /** d log y / d log x at each interior point of the window (central differences; one-sided at the ends). */
  readonly localSlopes: readonly { readonly x: number; readonly slope: number }[];
}

export function fitPowerLaw(xs: readonly number[], ys: readonly number[], window: readonly [number, number] = [-Infinity, Infinity]): PowerLawFit {
  const lo = Math.min(window[0], window[1]);
  const hi = Math.max(window[0], window[1]);
  const inWindow = xs.map((x, i) => ({ x, y: ys[i] })).filter((p) => p.x > 0 && p.x >= lo && p.x <= hi).sort((a, b) => a.x - b.x);
  const pts = inWindow.filter((p) => p.y > 0 && Number.isFinite(p.y));
  const u = pts.map((p) => Math.log(p.x));
  const v = pts.map((p) => Math.log(p.y));
  const n = u.length;
  const mu = u.reduce((s, a) => s + a, 0) / n;
  const mv = v.reduce((s, a) => s + a, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (u[i] - mu) ** 2;
    sxy += (u[i] - mu) * (v[i] - mv);
    syy += (v[i] - mv) ** 2;
  }
  const slope = n >= 2 && sxx > 0 ? sxy / sxx : Number.NaN;
  const intercept = mv - slope * mu;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (v[i] - intercept - slope * u[i]) ** 2;
  const stderr = n >= 3 && sxx > 0 ? Math.sqrt(sse / (n - 2) / sxx) : Number.NaN;
  const localSlopes = u.map((_, i) => {
    const a = Math.max(0, i - 1);
    const b = Math.min(n - 1, i + 1);
    return { x: pts[i].x, slope: b > a ? (v[b] - v[a]) / (u[b] - u[a]) : Number.NaN };
  });
  return {
    slope, stderr, intercept, r2: syy > 0 ? 1 - sse / syy : Number.NaN, points: n, leftOut: inWindow.length - n,
    window: [pts[0]?.x ?? Number.NaN, pts[n - 1]?.x ?? Number.NaN], localSlopes,
  };
}
