import type { Problem } from '../compile/compile.ts';
import { refinedProblem } from '../solve/quadrature.ts';
import type { Solution } from '../solve/solution.ts';
import { stateOf } from './search.ts';

/** Relative rounding of a value summed over quadrature nodes (as in weak-recovery.ts). */
const ROUNDING = 64 * Number.EPSILON;

/**
 * An estimate of the absolute error of the free energy of a converged solution of `problem`, the sum of
 *  - quadrature: twice the change of the free energy at the same state with every rule doubled
 *    (solve/quadrature.ts): the error of the n-node rule if doubling at least halves it (geometric convergence at
 *    any rate, or an algebraic one from 1/n), while the change alone misses the 2n-node rule's own error;
 *  - convergence: the free energy one sweep on, at F(x), minus it: the state is about one step from its fixed
 *    point (a variational free energy moves only to second order, one written by hand may move to first);
 *  - rounding: 64 eps max(1, |free energy|).
 * Infinity when the model has no free energy or a refined or swept value is not finite. What it cannot see is an
 * error the equations themselves make (a state held off its fixed point by a floor, say): that is the model's.
 */
export function freeEnergyError(problem: Problem, s: Solution): number {
  const i = problem.observableNames.indexOf('free_energy');
  const phi = s.observables.free_energy;
  if (i < 0 || !Number.isFinite(phi)) return Infinity;
  const x = stateOf(s, problem);
  const at = (p: Problem, state: Float64Array): number => {
    const out = new Float64Array(p.observableNames.length);
    p.kernels.observables(state, out);
    p.kernels.innerFailure?.(); // this estimate's own evaluations are not the solve's
    return out[i];
  };
  const refined = refinedProblem(problem);
  const quadrature = refined ? 2 * Math.abs(at(refined, x) - phi) : 0;
  const fx = new Float64Array(x.length);
  problem.kernels.update(x, fx);
  problem.kernels.innerFailure?.();
  const convergence = Math.abs(at(problem, fx) - phi);
  const error = quadrature + convergence + ROUNDING * Math.max(1, Math.abs(phi));
  return Number.isFinite(error) ? error : Infinity;
}
