/**
 * Theory against simulation at one parameter point: the replica fixed point (solve) and the mean +- standard
 * error of the same quantities over seeded finite-size trials (a run of simulate/run.ts), with a z-score per
 * quantity.
 */
import type { Compiled } from '../compile/compile.ts';
import { solve } from '../solve/iterate.ts';
import type { Solution, SolveOptions } from '../solve/solution.ts';
import type { Summary } from '../simulate/experiment.ts';
import type { SimulationRun } from '../simulate/run.ts';

/** What the comparison reads (report/overlay.ts reads it from here too). */

export interface Comparison {
  readonly quantity: string;
  readonly theory: number;
  readonly mean: number;
  readonly se: number;
  /** (mean - theory) / se. */
  readonly z: number;
  /** (mean - theory) / |theory|. */
  readonly relative: number;
  readonly pass: boolean;
}

/** The theory value of each measured quantity at the run's parameters, and its z-score. */
export function compare(compiled: Compiled, run: SimulationRun, tolerance: number, options: SolveOptions = {}): { solution: Solution; rows: Comparison[] } {
  const solution = solve(compiled.problem(run.params), options);
  const rows = Object.entries(run.summary).map(([quantity, s]) => {
    const theory = Object.hasOwn(solution.state, quantity) ? solution.state[quantity] : solution.observables[quantity];
    return comparison(quantity, theory, s, tolerance);
  });
  return { solution, rows };
}

/**
 * Deviations below this (relative to max(1, |theory|)) agree whatever the z-score: a simulation that reaches a
 * floored fixed point exactly (GAMP at perfect recovery: mse = 0 in every trial, se = 0, against a theory
 * 1 - q = 1e-12 set by the floor of V) is not a disagreement. 1e-8 is above the rounding of the theory's own
 * values there: acos(sqrt(q)) / pi at q = 1 - 2^-52 is sqrt(2^-51) / pi = 5e-9.
 */
export const RESOLUTION = 1e-8;

/** One quantity: theory against the mean +- se of the trials, its z-score and whether |z| <= tolerance. */
export function comparison(quantity: string, theory: number, s: Summary, tolerance: number): Comparison {
  const gap = s.mean - theory;
  const z = s.se > 0 ? gap / s.se : gap === 0 ? 0 : Math.sign(gap) * Infinity;
  const resolved = Math.abs(gap) <= RESOLUTION * Math.max(1, Math.abs(theory));
  return { quantity, theory, mean: s.mean, se: s.se, z, relative: gap / Math.abs(theory), pass: Math.abs(z) <= tolerance || resolved };
}
