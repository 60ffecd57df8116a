import type { Problem } from '../compile/compile.ts';

/**
 * The natural start of each kind of threshold search, chosen among the model's named initialisations:
 * - weak recovery: the exact uninformative fixed point, the named start at which the update map is a fixed point
 *   to rounding at both ends and the middle of the range; of several, the one nearest 0 (largest |value| of its
 *   carried order parameters smallest), then the first declared.
 * - spinodal and level: the start that moves. `uninformed` (or `informed` for a branch followed down, backward),
 *   unless the update map leaves it in place exactly (phase retrieval's q = 0): then the named start nearest it that
 *   is not a fixed point (phase retrieval's `small`), else `uninformed` pushed 1e-6 into the domain.
 * - first-order: `uninformed` (the low branch) and `informed` (the high one).
 */
export interface Start {
  /** The name shown in the output: a named initialisation, or `uninformed+1e-6` for a perturbed one. */
  readonly name: string;
  /** What the solver is given: the name, or explicit values for a perturbed start. */
  readonly init: string | Float64Array;
}

/** Relative size of a residual that is rounding: a start at which F(x) = x to this is an exact fixed point. */
const ROUNDING = 64 * Number.EPSILON;

/** The carried values of a named start are finite (a start that is only partly given cannot be a fixed point). */
const usable = (problem: Problem, name: string) => problem.carried.every((i) => Number.isFinite(problem.inits[name][i]));

/** The update map leaves the named start in place to rounding (one sweep, no derivative). */
export function exactFixedPoint(problem: Problem, name: string): boolean {
  if (!usable(problem, name)) return false;
  const x = Float64Array.from(problem.inits[name]);
  const fx = new Float64Array(x.length);
  problem.kernels.update(x, fx);
  return problem.carried.every((i) => Math.abs(fx[i] - x[i]) <= ROUNDING * (1 + Math.abs(x[i])));
}

const size = (problem: Problem, name: string) => Math.max(0, ...problem.carried.map((i) => Math.abs(problem.inits[name][i])));

/**
 * The named start nearest 0 among those at which the update map is a fixed point to rounding at every problem
 * given, or undefined. Exactly, not in a limit: a start that the map moves by 1e-10 (phase retrieval's q = 1,
 * where V = max(1 - q, 1e-10)) is not the uninformative fixed point; `--init` may still name it.
 */
export function uninformativeStart(problems: readonly Problem[]): string | undefined {
  const base = problems[0];
  const names = Object.keys(base.inits).filter((n) => usable(base, n));
  const fixed = names.filter((n) => problems.every((p) => exactFixedPoint(p, n)));
  fixed.sort((a, b) => size(base, a) - size(base, b));
  return fixed[0];
}

/** The start of a branch followed by continuation (spinodal, level): one that moves at `problem`. */
export function movingStart(problem: Problem, backward: boolean): Start {
  const preferred = backward && 'informed' in problem.inits ? 'informed' : 'uninformed';
  if (!exactFixedPoint(problem, preferred)) return { name: preferred, init: preferred };
  const others = Object.keys(problem.inits).filter((n) => n !== preferred && usable(problem, n) && !exactFixedPoint(problem, n));
  const ref = problem.inits[preferred];
  const distance = (n: string) => Math.max(0, ...problem.carried.map((i) => Math.abs(problem.inits[n][i] - ref[i])));
  others.sort((a, b) => distance(a) - distance(b));
  if (others.length > 0) return { name: others[0], init: others[0] };
  // no other start: push the fixed one 1e-6 into the domain
  const x = Float64Array.from(ref);
  for (const i of problem.carried) x[i] += x[i] + 1e-6 <= problem.upper[i] ? 1e-6 : -1e-6;
  return { name: `${preferred}+1e-6`, init: x };
}
