import type { Compiled } from '../compile/compile.ts';
import { UsageError } from '../base/errors.ts';
import type { Retcode } from '../base/retcode.ts';
import type { SolveOptions } from '../solve/solution.ts';
import { BudgetExhausted, DEFAULT_BUDGET, Search, type SearchEvent } from './search.ts';
import { levelCrossing } from './level.ts';
import { weakRecovery } from './weak-recovery.ts';
import { spinodal } from './spinodal.ts';
import { firstOrder } from './first-order.ts';

/**
 * - weak-recovery: the uninformative fixed point (by default the named start at which the update map is an exact
 *   fixed point) turns linearly unstable: the spectral radius of the exact Jacobian of the update map there
 *   crosses 1 (weak-recovery.ts).
 * - spinodal (algorithmic): the branch followed from a start by continuation ceases to exist and jumps; followed
 *   towards increasing values of the parameter (`direction: 'forward'`, the default) or decreasing ones
 *   (`'backward'`: where a high branch, followed down from `informed`, ends) (spinodal.ts).
 * - first-order (information-theoretic): the free energies of the low branch and the high branch cross (the model
 *   must declare free_energy) (first-order.ts).
 * - level: an observable (or order parameter) along the branch from a start crosses a level (level.ts).
 */
export type ThresholdKind = 'weak-recovery' | 'spinodal' | 'first-order' | 'level';
export const THRESHOLD_KINDS: readonly ThresholdKind[] = ['weak-recovery', 'spinodal', 'first-order', 'level'];
/** The other names of the kinds, as papers call them. */
export const KIND_ALIASES: Readonly<Record<string, ThresholdKind>> = Object.freeze(Object.assign(Object.create(null) as Record<string, ThresholdKind>,
  { algorithmic: 'spinodal', 'information-theoretic': 'first-order' }));
/** A kind by its name or alias; undefined for anything else. */
export function thresholdKind(text: string): ThresholdKind | undefined {
  return KIND_ALIASES[text] ?? (THRESHOLD_KINDS.includes(text as ThresholdKind) ? (text as ThresholdKind) : undefined);
}

export interface ThresholdSpec {
  readonly kind: ThresholdKind;
  readonly param: string;
  readonly lo: number;
  readonly hi: number;
  readonly fixed?: Readonly<Record<string, number>>;
  /** Absolute tolerance on the threshold. Default 1e-6 (weak-recovery: 1e-10, its evaluations need no solve). */
  readonly tol?: number;
  /** Quantity watched by `level` and `spinodal` (default: the first carried order parameter). */
  readonly observable?: string;
  readonly level?: number;
  /** Start of the (low) branch, or the fixed point of weak recovery; default: the kind's natural start (starts.ts). */
  readonly init?: string;
  /** Start of the high branch of `first-order` (default `informed`). */
  readonly high?: string;
  /** Spinodal only: follow the branch from `init` up (forward, the default) or down (backward) in the parameter. */
  readonly direction?: 'forward' | 'backward';
  /** Points of the initial scan of [lo, hi]. Default 24. */
  readonly scan?: number;
  /** Most fixed-point solves (or Jacobian evaluations) the search may spend. Default DEFAULT_BUDGET (2000). */
  readonly budget?: number;
  /** Iteration budget per solve: `maxIterations`, else the model's `solver.max_iterations`, else 100000. */
  readonly solver?: Omit<SolveOptions, 'init'>;
  /** Called after each solve or Jacobian evaluation (progress). */
  readonly onEvent?: (e: SearchEvent) => void;
}

export interface Threshold {
  readonly kind: ThresholdKind;
  readonly param: string;
  /** NaN unless found (then `message` says why not). */
  readonly threshold: number;
  /** Holds the transition when found; otherwise the range searched, or the last bracket known to hold it. */
  readonly bracket: readonly [number, number];
  /** |threshold - true value| <= tolerance when found: half the bracket, plus the error of what decided it. */
  readonly tolerance: number;
  /** Fixed-point solves (or Jacobian evaluations) spent. */
  readonly evaluations: number;
  /**
   * converged: found, every solve that decided it converged; not-found: no transition of this kind in the range;
   * max-iterations: the evaluation budget ran out; non-finite, diverged, invalid-domain, failed: a solve (or the
   * gap function) that decided the search failed there (`message` says where and why).
   */
  readonly status: Retcode;
  /** status === 'converged'. */
  readonly found: boolean;
  /** Why not found; a note when found (e.g. a limit taken at a bound). */
  readonly message?: string;
  /** The start used: of the branch followed (spinodal, level), of the low branch (first-order), the fixed point
   * (weak-recovery). */
  readonly init?: string;
  /** first-order: the start of the high branch. */
  readonly high?: string;
}

/** Default absolute tolerance of the threshold by kind. */
export function defaultTolerance(kind: ThresholdKind): number {
  return kind === 'weak-recovery' ? 1e-10 : 1e-6;
}

/** What a kind's search returns before the common fields are added. */
export interface Outcome {
  readonly status: Retcode;
  readonly threshold?: number;
  readonly bracket?: readonly [number, number];
  readonly tolerance?: number;
  readonly message?: string;
  readonly init?: string;
  readonly high?: string;
}

/** Locates a transition: a scan that brackets it, a root finder that refines it (one module per kind). */
export function findThreshold(compiled: Compiled, spec: ThresholdSpec): Threshold {
  const fixed = spec.fixed ?? {};
  const at = (p: number) => compiled.problem({ ...fixed, [spec.param]: p });
  const base = at(spec.lo);
  at(spec.hi); // both ends must be valid parameter values
  for (const name of [spec.init, spec.kind === 'first-order' ? spec.high : undefined]) {
    if (name !== undefined && !Object.hasOwn(base.inits, name)) {
      throw new UsageError(`model "${base.model}" has no initialisation \`${name}\``, `its initialisations are: ${Object.keys(base.inits).join(', ')}`);
    }
  }
  const quantity = spec.observable ?? base.stateNames[base.carried[0] ?? 0];
  if (!base.stateNames.includes(quantity) && !base.observableNames.includes(quantity)) {
    throw new UsageError(`\`${quantity}\` is not an order parameter or observable of "${base.model}"`, `choose from: ${[...base.stateNames, ...base.observableNames].join(', ')}`);
  }
  if (spec.kind === 'level' && spec.level === undefined) throw new UsageError('--kind level needs --level X (and --observable NAME)');
  if (spec.kind === 'first-order' && !base.observableNames.includes('free_energy')) {
    throw new UsageError(`model "${base.model}" declares no free_energy`, 'first-order transitions are where the free energies of two branches cross: add `free_energy:` to the model');
  }
  const budget = spec.budget ?? DEFAULT_BUDGET;
  if (!(Number.isInteger(budget) && budget > 0)) throw new UsageError(`the evaluation budget must be a positive integer, got ${budget}`);
  const tol = spec.tol ?? defaultTolerance(spec.kind);
  if (!(tol > 0 && Number.isFinite(tol))) throw new UsageError(`the tolerance must be a finite positive number, got ${tol}`);
  const search = new Search(compiled, fixed, spec.param, spec.lo, spec.hi, budget, spec.solver, spec.onEvent);
  let outcome: Outcome;
  try {
    switch (spec.kind) {
      case 'level': outcome = levelCrossing(search, { ...spec, tol }, quantity); break;
      case 'weak-recovery': outcome = weakRecovery(search, { ...spec, tol }); break;
      case 'spinodal': outcome = spinodal(search, { ...spec, tol }, quantity); break;
      case 'first-order': outcome = firstOrder(search, { ...spec, tol }); break;
    }
  } catch (e) {
    if (!(e instanceof BudgetExhausted)) throw e;
    const stages = { starts: 'while choosing the start', scan: 'during the scan', 'scan-refine': 'while refining the scan where the branch moves fast', refine: 'while refining' };
    const where = search.bracket
      ? `${stages.refine} the bracket [${search.bracket[0]}, ${search.bracket[1]}] (last evaluation at ${spec.param} = ${search.last})`
      : `${stages[search.stage]}, at ${spec.param} = ${search.last}`;
    outcome = {
      status: 'max-iterations', ...(search.bracket && { bracket: search.bracket }),
      ...(search.init !== undefined && { init: search.init }), ...(search.high !== undefined && { high: search.high }),
      message: `the evaluation budget of ${budget} ran out ${where}; raise it (--budget) or narrow the range`,
    };
  }
  const found = outcome.status === 'converged';
  return {
    kind: spec.kind, param: spec.param,
    threshold: found ? outcome.threshold! : NaN,
    bracket: outcome.bracket ?? [spec.lo, spec.hi],
    tolerance: found ? outcome.tolerance! : NaN,
    evaluations: search.evaluations,
    status: outcome.status,
    found,
    ...(outcome.message !== undefined && { message: outcome.message }),
    ...(outcome.init !== undefined && { init: outcome.init }),
    ...(outcome.high !== undefined && { high: outcome.high }),
  };
}
