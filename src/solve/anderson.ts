/**
 * Anderson acceleration (type II, Walker & Ni 2011): the next iterate mixes the last `depth` iterates with
 * the weights that minimise the linearised residual. State dimensions are small (a handful of order
 * parameters), so the least-squares problem is solved through regularised normal equations.
 */
export class AndersonMixer {
  private readonly dx: Float64Array[] = [];
  private readonly df: Float64Array[] = [];
  private prevX?: Float64Array;
  private prevF?: Float64Array;

  constructor(private readonly depth: number) {}

  /** How many past steps the next extrapolation mixes (0: the next iterate is the plain damped step). */
  get size(): number {
    return this.prevX ? Math.min(this.dx.length + 1, this.depth) : 0;
  }

  reset(): void {
    this.dx.length = 0;
    this.df.length = 0;
    this.prevX = undefined;
    this.prevF = undefined;
  }

  /** The next iterate from x and its residual f = F(x) - x, with mixing (damping) beta. */
  next(x: Float64Array, f: Float64Array, beta: number): Float64Array {
    const n = x.length;
    if (this.prevX && this.prevF) {
      this.dx.push(x.map((v, i) => v - this.prevX![i]));
      this.df.push(f.map((v, i) => v - this.prevF![i]));
      if (this.dx.length > this.depth) {
        this.dx.shift();
        this.df.shift();
      }
    }
    this.prevX = Float64Array.from(x);
    this.prevF = Float64Array.from(f);
    const m = this.df.length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = x[i] + beta * f[i];
    if (m === 0) return out;
    const gamma = leastSquares(this.df, f);
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < n; i++) out[i] -= gamma[j] * (this.dx[j][i] + beta * this.df[j][i]);
    }
    return out;
  }
}

/** argmin_g |f - sum_j g_j cols_j|, with a tiny ridge so collinear history does not blow up. */
function leastSquares(cols: readonly Float64Array[], f: Float64Array): Float64Array {
  const m = cols.length;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m);
  let scale = 0;
  for (let j = 0; j < m; j++) {
    for (let k = 0; k <= j; k++) {
      let s = 0;
      for (let i = 0; i < f.length; i++) s += cols[j][i] * cols[k][i];
      a[j * m + k] = s;
      a[k * m + j] = s;
    }
    scale = Math.max(scale, a[j * m + j]);
    let s = 0;
    for (let i = 0; i < f.length; i++) s += cols[j][i] * f[i];
    b[j] = s;
  }
  for (let j = 0; j < m; j++) a[j * m + j] += 1e-12 * scale + 1e-300;
  return choleskySolve(a, b, m);
}

function choleskySolve(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const l = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    let d = a[j * m + j];
    for (let k = 0; k < j; k++) d -= l[j * m + k] ** 2;
    const ljj = Math.sqrt(Math.max(d, 1e-300));
    l[j * m + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      let s = a[i * m + j];
      for (let k = 0; k < j; k++) s -= l[i * m + k] * l[j * m + k];
      l[i * m + j] = s / ljj;
    }
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * m + k] * y[k];
    y[i] = s / l[i * m + i];
  }
  const x = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < m; k++) s -= l[k * m + i] * x[k];
    x[i] = s / l[i * m + i];
  }
  return x;
}
