import type { Retcode } from '../base/retcode.ts';
import type { DataFile } from '../ir/data-files.ts';

/**
 * How a solve ended. Non-convergence is a result, never an exception.
 * - converged: |F(x) - x| <= atol + rtol |x| for every order parameter (undamped residual).
 * - max-iterations: the budget ran out first. Causes: critical slowing down near a transition, too strong
 *   damping, a limit cycle. Try: more iterations, `--anderson`, a start closer to the solution (a sweep warm-starts).
 * - diverged: the state or the residual grew without bound. Causes: no fixed point at these parameters (e.g.
 *   past a capacity or interpolation threshold), an unstable branch. Try: stronger damping, another init.
 * - non-finite: an update returned NaN or Infinity. Causes: a log or sqrt of a negative number, 0/0 at an extreme
 *   start (q = 0 or q = 1 exactly), overflow in exp. Try: bounds on the order parameters, log-domain functions
 *   (logH, mills, log1pexp), another init.
 * - invalid-domain: an update left the declared [min, max] of an order parameter (e.g. a variance went
 *   negative). Causes: an error in the equations, or an iteration that overshoots. Try: stronger damping.
 * - inner-failed: at the returned state (the last sweep, or the observables there) an inner problem (root, argmin,
 *   prox) returned a point that is not a checked minimum or root; the message names it (file:line:col) and the
 *   parameter values. Causes: a bracket without a sign change, a non-convex objective whose minimum the scan
 *   missed, a loss that is negative where prox assumes loss >= 0. Try: a wider bracket, another parametrisation.
 */
export type Status = Extract<Retcode, 'converged' | 'max-iterations' | 'diverged' | 'non-finite' | 'invalid-domain' | 'inner-failed'>;

export const STATUSES: readonly Status[] = ['converged', 'max-iterations', 'diverged', 'non-finite', 'invalid-domain', 'inner-failed'];

/** Where a number comes from: the model (its name, file and the sha256 of its text, and the data files it reads
 * with theirs) and saddle's version. */
export interface Origin {
  readonly model: string;
  readonly file: string;
  readonly sha256: string;
  /** The data files the model reads (empirical spectra) and their sha256. Empty or absent: none. */
  readonly data?: readonly DataFile[];
  readonly version: string;
}

export interface Solution {
  readonly status: Status;
  /** Every parameter's value (the fixed ones too), by name. */
  readonly params: Readonly<Record<string, number>>;
  readonly origin: Origin;
  readonly iterations: number;
  /** max_i |F(x)_i - x_i| at the returned state: the undamped residual. */
  readonly residual: number;
  readonly state: Readonly<Record<string, number>>;
  readonly observables: Readonly<Record<string, number>>;
  /** Wall time in milliseconds. */
  readonly time: number;
  /** Name of the initialisation the iteration started from ('warm' when a sweep supplied the start). */
  readonly init: string;
  /** Why it stopped, in words, when it did not converge. */
  readonly message?: string;
  /** What is doubtful about a converged solution: an observable that is NaN or infinite there; a quadrature error
   * above the tolerance (solve/quadrature.ts: the map and observables with every rule doubled). */
  readonly warnings?: readonly string[];
  /** The undamped residual after each iteration, when asked for. */
  readonly history?: readonly number[];
}

export interface SolveOptions {
  /** A named initialisation of the model, or explicit start values (in state order). */
  readonly init?: string | Float64Array;
  /** Fraction of the undamped step taken: x <- x + damping (F(x) - x). */
  readonly damping?: number;
  readonly rtol?: number;
  readonly atol?: number;
  readonly maxIterations?: number;
  /** Halve the damping when the residual grows, grow it back when it shrinks. Default true. */
  readonly adaptive?: boolean;
  /** Anderson acceleration with this memory depth (0 or absent: plain damped iteration). */
  readonly anderson?: number;
  readonly history?: boolean;
  /** Estimate the quadrature error at a converged state (the map and observables once more with every rule
   * doubled) and warn when it exceeds the tolerance. Default true; its cost is one refined sweep per solve. */
  readonly quadratureCheck?: boolean;
}
