/**
 * Newton's method for G(x) = 0 in a few dimensions, for the independent reference implementations in the model
 * tests (they solve the textbook equations their own way, not with saddle's fixed-point solver): forward-difference
 * Jacobian, Gaussian elimination with partial pivoting, step halving until the residual (max norm) falls and the
 * point is admissible. Stops when the residual is below tol(x), or when no step makes progress (the caller checks
 * the residual).
 */
export function newton(G: (x: number[]) => number[], x0: number[], options: {
  admissible?: (x: number[]) => boolean;
  tol?: (x: number[]) => number;
  maxIterations?: number;
} = {}): number[] {
  const { admissible = () => true, tol = () => 1e-14, maxIterations = 30 } = options;
  const n = x0.length;
  const norm = (v: number[]) => Math.max(...v.map(Math.abs));
  let x = x0.slice();
  let g = G(x);
  for (let it = 0; it < maxIterations && norm(g) > tol(x); it++) {
    const J = x.map((_, j) => {
      const e = 1e-6 * Math.max(Math.abs(x[j]), 1e-3);
      const xp = x.slice();
      xp[j] += e;
      return G(xp).map((v, i) => (v - g[i]) / e);
    }); // J[j][i] = dG_i/dx_j
    const A = g.map((gi, i) => [...J.map((col) => col[i]), -gi]);
    for (let c = 0; c < n; c++) {
      let p = c;
      for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
      [A[c], A[p]] = [A[p], A[c]];
      for (let r = c + 1; r < n; r++) {
        const f = A[r][c] / A[c][c];
        for (let k = c; k <= n; k++) A[r][k] -= f * A[c][k];
      }
    }
    const dx = new Array<number>(n).fill(0);
    for (let r = n - 1; r >= 0; r--) {
      let v = A[r][n];
      for (let k = r + 1; k < n; k++) v -= A[r][k] * dx[k];
      dx[r] = v / A[r][r];
    }
    let accepted = false;
    for (let t = 1; t > 1e-6 && !accepted; t /= 2) {
      const xn = x.map((v, i) => v + t * dx[i]);
      if (!admissible(xn)) continue;
      const gn = G(xn);
      if (norm(gn) < norm(g)) { x = xn; g = gn; accepted = true; }
    }
    if (!accepted) break;
  }
  return x;
}
