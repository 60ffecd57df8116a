import type { Compiled, Problem } from '../compile/compile.ts';
import { solve } from '../solve/iterate.ts';
import type { Solution, SolveOptions } from '../solve/solution.ts';
import { attracting } from '../sweep/continuation.ts';

/** Budget of a threshold search when none is given: fixed-point solves (or Jacobian evaluations). */
export const DEFAULT_BUDGET = 2000;
/** Iteration budget of each solve when neither the search nor the model gives one. */
export const DEFAULT_MAX_ITERATIONS = 100_000;

/** What a search reports as it goes (for a progress line): one event per solve or Jacobian evaluation. */
export interface SearchEvent {
  /** starts: choosing the start; scan: the scan of the range; scan-refine: refining it where the branch moves
   * fast; refine: refining a bracket (or a jump) to the tolerance. */
  readonly stage: 'starts' | 'scan' | 'scan-refine' | 'refine';
  /** Evaluations spent so far, and the budget. */
  readonly evaluations: number;
  readonly budget: number;
  readonly param: string;
  readonly value: number;
  /** The solve converged (or the Jacobian was finite). */
  readonly ok: boolean;
}

/** Thrown inside a search when its budget is spent; findThreshold turns it into a result. */
export class BudgetExhausted extends Error {
  constructor(readonly budget: number) { super(`the evaluation budget of ${budget} ran out`); }
}

/**
 * The state every threshold search shares: the problem at a parameter value, the solver options, the evaluation
 * count against the budget, and where the search stands (for the message when the budget runs out).
 */
export class Search {
  evaluations = 0;
  stage: SearchEvent['stage'] = 'starts';
  /** The bracket the search is refining, once it has one. */
  bracket: readonly [number, number] | undefined;
  /** The starts chosen (for the result, also when the budget runs out). */
  init: string | undefined;
  high: string | undefined;
  readonly solver: SolveOptions;

  constructor(
    readonly compiled: Compiled,
    readonly fixed: Readonly<Record<string, number>>,
    readonly param: string,
    readonly lo: number,
    readonly hi: number,
    readonly budget: number,
    solver: Omit<SolveOptions, 'init'> | undefined,
    private readonly onEvent?: (e: SearchEvent) => void,
  ) {
    // the model's own iteration budget unless the search sets one (equations/lasso.yaml asks for 1e6)
    const defaults = compiled.problem(fixed).defaults;
    // A threshold carries no per-solve warnings: the quadrature check of each solve (one refined sweep) is skipped
    // unless asked for.
    this.solver = {
      ...solver,
      maxIterations: solver?.maxIterations ?? defaults.maxIterations ?? DEFAULT_MAX_ITERATIONS,
      quadratureCheck: solver?.quadratureCheck ?? false,
    };
  }

  at(p: number): Problem {
    return this.compiled.problem({ ...this.fixed, [this.param]: p });
  }

  /** Counts one evaluation at p, or throws BudgetExhausted when the budget is spent. */
  spend(p: number): void {
    if (this.evaluations >= this.budget) throw new BudgetExhausted(this.budget);
    this.evaluations++;
    this.last = p;
  }

  /** Where the search was when it last spent an evaluation. */
  last = NaN;

  report(p: number, ok: boolean): void {
    this.onEvent?.({ stage: this.stage, evaluations: this.evaluations, budget: this.budget, param: this.param, value: p, ok });
  }

  /**
   * One solve at p from a named start or from explicit values; a warm start that sat on a repelling fixed point
   * is solved again from the branch's named start `named` (sweep/continuation.ts `attracting`, one more solve).
   */
  solve(p: number, start: string | Float64Array, named: string, problem = this.at(p)): Solution {
    this.spend(p);
    let s = solve(problem, { ...this.solver, init: start });
    if (typeof start !== 'string' && s.status === 'converged' && s.iterations <= 2 && problem.carried.length > 0) {
      // it may solve again: that is one more evaluation, which the budget must allow before it runs
      if (this.evaluations >= this.budget) throw new BudgetExhausted(this.budget);
      const again = attracting(problem, s, this.solver, named);
      if (again !== s) this.evaluations++;
      s = again;
    }
    this.report(p, s.status === 'converged');
    return s;
  }
}

/** The state vector of a solution, in the problem's order. */
export const stateOf = (s: Solution, problem: Problem): Float64Array => Float64Array.from(problem.stateNames, (k) => s.state[k]);

/** An order parameter or an observable of a solution. */
export const valueOf = (s: Solution, quantity: string): number => s.state[quantity] ?? s.observables[quantity];
