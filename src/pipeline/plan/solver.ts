/** The solver's options from the command line: `--damping`, `--tol`, `--max-iterations`, `--anderson`. */
import type { SolveOptions } from '../../solve/solution.ts';
import { integerOption, numberOption, type OptionValues } from './values.ts';

/** Solver options given; the others are the model's (`solver:`) or the solver's defaults. `--tol` is left out when
 * `tolIsOwn`: thresholds and phase lines read it as their own tolerance. */
export function solverPlan(values: OptionValues, tolIsOwn = false): Omit<SolveOptions, 'init'> {
  const damping = numberOption(values.damping, '--damping', (x) => x > 0 && x <= 1, 'a number in (0, 1]');
  const rtol = tolIsOwn ? undefined : numberOption(values.tol, '--tol', (x) => x > 0, 'a positive number');
  const maxIterations = integerOption(values['max-iterations'], '--max-iterations', 1, Number.MAX_SAFE_INTEGER, 'a positive integer');
  const anderson = integerOption(values.anderson, '--anderson', 0, 20, 'an integer from 0 (off) to 20');
  return {
    ...(damping !== undefined && { damping }), ...(rtol !== undefined && { rtol }),
    ...(maxIterations !== undefined && { maxIterations }), ...(anderson !== undefined && { anderson }),
  };
}
