import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Problem } from '../compile/compile.ts';

/**
 * Jacobian of one sequential sweep restricted to the carried order parameters (intermediates are recomputed
 * inside the sweep, so they are not independent variables). Central differences, one-sided at a domain bound
 * (an uninformative fixed point often sits on one, e.g. q = 0).
 */
export function jacobian(problem: Problem, x: Float64Array): number[][] {
  const { carried, lower, upper, kernels } = problem;
  const n = x.length;
  const fp = new Float64Array(n);
  const fm = new Float64Array(n);
  const J = carried.map(() => new Array<number>(carried.length).fill(0));
  for (let k = 0; k < carried.length; k++) {
    const j = carried[k];
    const h = 1e-6 * Math.max(1, Math.abs(x[j]));
    const up = x[j] + h <= upper[j];
    const down = x[j] - h >= lower[j];
    const xp = Float64Array.from(x);
    const xm = Float64Array.from(x);
    xp[j] = up ? x[j] + h : x[j];
    xm[j] = down ? x[j] - h : x[j];
    kernels.update(xp, fp);
    kernels.update(xm, fm);
    const width = xp[j] - xm[j];
    for (let r = 0; r < carried.length; r++) J[r][k] = (fp[carried[r]] - fm[carried[r]]) / width;
  }
  return J;
}

/** The largest modulus among the eigenvalues of a small square matrix. */
export function spectralRadius(J: number[][]): number {
  if (J.length === 0) return 0;
  if (J.length === 1) return Math.abs(J[0][0]);
  const e = new EigenvalueDecomposition(new Matrix(J));
  return Math.max(...e.realEigenvalues.map((re, i) => Math.hypot(re, e.imaginaryEigenvalues[i])));
}
