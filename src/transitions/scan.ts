import type { Solution } from '../solve/solution.ts';
import { grid } from '../sweep/axis.ts';
import { stateOf, valueOf, type Search } from './search.ts';
import type { Start } from './starts.ts';

/** One point of a scan: the solution at p on the branch followed (converged or not). */
export interface ScanPoint {
  readonly p: number;
  readonly solution: Solution;
  /** The state, when the solve converged. */
  readonly x?: Float64Array;
}

export const converged = (q: ScanPoint): q is ScanPoint & { x: Float64Array } => q.x !== undefined;

/** The scan's points: `count` evenly spaced values of [lo, hi], in the order followed. */
export function scanValues(lo: number, hi: number, count: number, backward: boolean): number[] {
  const v = grid(lo, hi, count);
  return backward ? v.reverse() : v;
}

/**
 * One solve on the branch: warm from `from` (a neighbour on the branch) when given, and from the start when that
 * fails or there is no neighbour (a cold start lands on whatever branch the start reaches at p).
 */
export function branchPoint(search: Search, p: number, start: Start, from?: Float64Array): ScanPoint {
  const problem = search.at(p);
  let s = from ? search.solve(p, from, namedOf(start), problem) : undefined;
  if (!s || s.status !== 'converged') s = search.solve(p, start.init, namedOf(start), problem);
  return { p, solution: s, ...(s.status === 'converged' && { x: stateOf(s, problem) }) };
}

/** The named start a warm solve that sat on a repelling fixed point falls back to. */
const namedOf = (start: Start) => (typeof start.init === 'string' ? start.init : 'uninformed');

/** Natural-parameter continuation over `values` (in the order followed): each point warm from the last converged. */
export function continuation(search: Search, values: readonly number[], start: Start): ScanPoint[] {
  const points: ScanPoint[] = [];
  let last: Float64Array | undefined;
  for (const p of values) {
    const point = branchPoint(search, p, start, last);
    points.push(point);
    if (point.x) last = point.x;
  }
  return points;
}

/** Fraction of the range of the watched quantity over the scan above which a step between neighbours is refined. */
export const JUMP_FRACTION = 0.05;
/** Width, as a fraction of [lo, hi], below which a step that stays large is a jump candidate. */
export const JUMP_WIDTH = 1e-3;

/**
 * Refines the scan where the branch moves fast, so that no jump hides behind a larger continuous rise: every step
 * between neighbouring converged points whose change of `quantity` exceeds JUMP_FRACTION of its range over the
 * scan is halved (the midpoint solved warm from the point before it, on the branch) until it falls below that or
 * its width below JUMP_WIDTH of the range. A step that stays large at that width is a jump candidate: a continuous
 * branch closes every step as it is refined (a square-root rise to a fold too, like sqrt(width)), a jump does not.
 * Returns the refined points (in the order followed) and the candidates, in that order, each as the index of the
 * point before the jump.
 */
export function refineJumps(search: Search, coarse: readonly ScanPoint[], quantity: string, start: Start): { points: ScanPoint[]; candidates: number[] } {
  const points = [...coarse];
  const ys = points.filter(converged).map((q) => valueOf(q.solution, quantity)).filter(Number.isFinite);
  if (ys.length < 2) return { points, candidates: [] };
  const big = JUMP_FRACTION * (Math.max(...ys) - Math.min(...ys));
  const minWidth = JUMP_WIDTH * Math.abs(search.hi - search.lo);
  if (!(big > 0)) return { points, candidates: [] };
  search.stage = 'scan-refine';
  const y = (q: ScanPoint) => valueOf(q.solution, quantity);
  // walk the points in order; a large step gets a midpoint and is examined again
  for (let k = 0; k + 1 < points.length;) {
    if (!converged(points[k])) { k++; continue; }
    let j = k + 1;
    while (j < points.length && !converged(points[j])) j++;
    if (j >= points.length) break;
    const a = points[k];
    const b = points[j];
    if (Math.abs(y(b) - y(a)) > big && Math.abs(b.p - a.p) > minWidth) {
      const mid = branchPoint(search, (a.p + b.p) / 2, start, a.x);
      points.splice(k + 1, j - k - 1, mid); // unconverged points between a and b give way to the midpoint
      continue;
    }
    k = j;
  }
  const candidates: number[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    if (!converged(points[k])) continue;
    let j = k + 1;
    while (j < points.length && !converged(points[j])) j++;
    if (j < points.length && Math.abs(y(points[j]) - y(points[k])) > big) candidates.push(k);
  }
  return { points, candidates };
}
