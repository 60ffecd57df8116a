import type { Retcode } from '../base/retcode.ts';
import type { Root } from '../numerics/roots.ts';
import type { Outcome } from './threshold.ts';

/** Why a gap function had no value at a point: the solve (or evaluation) that failed there. */
export interface Failure {
  readonly p: number;
  readonly status: Retcode;
  readonly message: string;
}

/** Records the last failure of a gap function, so that a root finder stopped by it can say why. */
export class Failures {
  last: Failure | undefined;
  note(p: number, status: Retcode, message: string): number {
    this.last = { p, status, message };
    return NaN;
  }
}

const fmt = (x: number) => String(+x.toPrecision(10));

/**
 * The outcome of a root finder on a gap function: found when it converged (the midpoint of its final bracket,
 * which holds the sign change, and half its width plus `extra`, the error of the gap function's zero, by which
 * the bracket is widened too: threshold +- tolerance is the bracket); else the
 * status of what stopped it, the last bracket known to hold the transition, and why.
 */
export function rootOutcome(root: Root, param: string, failures: Failures, extra = 0): Outcome {
  const [a, b] = root.bracket;
  if (root.status === 'converged') {
    return { status: 'converged', threshold: (a + b) / 2, bracket: [a - extra, b + extra], tolerance: (b - a) / 2 + extra };
  }
  const held = `the threshold lies in [${fmt(a)}, ${fmt(b)}]`;
  if (root.status === 'non-finite') {
    const f = failures.last;
    const why = f && f.p === root.at ? `at ${param} = ${fmt(f.p)} ${f.message}` : `the gap function is not a number at ${param} = ${fmt(root.at ?? NaN)}`;
    return { status: f && f.p === root.at ? f.status : 'non-finite', bracket: [a, b], message: `${why}; ${held}` };
  }
  if (root.status === 'max-iterations') return { status: 'max-iterations', bracket: [a, b], message: `the root finder ran out of evaluations; ${held}` };
  return { status: 'not-found', bracket: [a, b], message: 'the gap function has the same sign at both ends of the bracket' };
}
