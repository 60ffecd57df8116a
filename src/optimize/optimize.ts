import type { Compiled, Problem } from '../compile/compile.ts';
import { UsageError } from '../base/errors.ts';
import type { Retcode } from '../base/retcode.ts';
import { brentMinimize, nelderMead } from '../numerics/minimize.ts';
import { originOf, solve } from '../solve/iterate.ts';
import type { Origin, Solution, SolveOptions } from '../solve/solution.ts';
import { grid } from '../sweep/axis.ts';
import { attracting } from '../sweep/continuation.ts';

/**
 * `saddle optimize`: the parameter values (one or two) that minimise (or maximise) an order parameter or observable,
 * optionally subject to conditions on the solution (`replicon < 1`): optimal regularisation, optimal hyper-parameters,
 * optimal rates. A scan of the range (geometric for a positive range: penalties and sizes span decades) brackets the
 * optimum, then Brent's method (one variable) or Nelder-Mead (two) refines it, each solve warm-started from the
 * nearest converged one. The optimum is reported found only if every solve that decided it converged.
 */
export interface OptimizeVariable {
  readonly name: string;
  readonly lo: number;
  readonly hi: number;
  /** Search in log(value) (default: when lo > 0). */
  readonly log?: boolean;
}

/** A condition on the solution at a candidate point: `quantity op value` (an order parameter or observable). */
export interface Condition {
  readonly quantity: string;
  readonly op: '<' | '<=' | '>' | '>=';
  readonly value: number;
}

export interface OptimizeSpec {
  /** The order parameter or observable to minimise (or to maximise with `maximize`). */
  readonly objective: string;
  readonly maximize?: boolean;
  readonly over: readonly OptimizeVariable[];
  readonly fixed?: Readonly<Record<string, number>>;
  /** Every condition must hold at the optimum (conditions on other quantities, e.g. replicon stability). */
  readonly where?: readonly Condition[];
  /** Scan points per variable (default 24 for one variable, 12 per variable for two). */
  readonly scan?: number;
  /** Tolerance on each variable: relative for a log variable, absolute otherwise. Default 1e-6. */
  readonly tol?: number;
  readonly init?: string;
  readonly solver?: Omit<SolveOptions, 'init'>;
  /** The most solves the search may spend (default 2000). */
  readonly budget?: number;
  /** Called after each solve (progress). */
  readonly onSolve?: (evaluations: number) => void;
}

/** One solve of the search, as reported. */
export interface OptimizeSolve {
  readonly at: Readonly<Record<string, number>>;
  readonly status: Solution['status'];
  readonly value: number;
  /** Every condition holds (and the solve converged). */
  readonly feasible: boolean;
}

export interface Optimum {
  /** converged: refined to the tolerance; not-found: no converged point satisfies the conditions; non-finite: a
   * solve inside the bracket did not converge (the best point seen is reported, unrefined); max-iterations: the
   * budget ran out. */
  readonly status: Retcode;
  readonly objective: string;
  readonly maximize: boolean;
  /** The optimised variables at the optimum. */
  readonly at: Readonly<Record<string, number>>;
  /** Every parameter's value at the optimum (the fixed ones too). */
  readonly params: Readonly<Record<string, number>>;
  readonly value: number;
  readonly solution?: Solution;
  /** The interval known to hold each optimised variable's optimum. */
  readonly bracket: Readonly<Record<string, readonly [number, number]>>;
  /** The optimum lies at an end of the range searched (in that variable): a constrained optimum. */
  readonly atEdge: readonly string[];
  readonly evaluations: number;
  readonly solves: readonly OptimizeSolve[];
  readonly origin: Origin;
  readonly message?: string;
}

const OPS: Readonly<Record<Condition['op'], (a: number, b: number) => boolean>> = {
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
};

/** `replicon < 1 and q <= 2` into conditions (each `NAME OP NUMBER`), checked against the model's quantities. */
export function parseConditions(text: string, quantities: readonly string[]): Condition[] {
  return text.split(/\band\b|,/).map((part) => part.trim()).filter(Boolean).map((part) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)$/i.exec(part);
    if (!m) throw new UsageError(`cannot read the condition \`${part}\``, 'write NAME < NUMBER (or <=, >, >=), several joined by `and`: e.g. "replicon < 1"');
    if (!quantities.includes(m[1])) throw new UsageError(`the condition \`${part}\` names \`${m[1]}\`, not an order parameter or observable of the model`, `choose from: ${quantities.join(', ')}`);
    return { quantity: m[1], op: m[2] as Condition['op'], value: Number(m[3]) };
  });
}

/** Searches the optimum of `spec.objective` over one or two parameters. */
export function optimize(compiled: Compiled, spec: OptimizeSpec): Optimum {
  const fixed = spec.fixed ?? {};
  const base = compiled.problem(fixed);
  check(spec, base);
  const vars = spec.over.map((v) => ({ ...v, log: v.log ?? v.lo > 0 }));
  const to = (k: number, u: number) => (vars[k].log ? Math.exp(u) : u); // search coordinate -> parameter value
  const from = (k: number, x: number) => (vars[k].log ? Math.log(x) : x);
  const sign = spec.maximize ? -1 : 1;
  const tol = spec.tol ?? 1e-6;
  const budget = spec.budget ?? 2000;
  const init = spec.init ?? 'uninformed';
  const solver: SolveOptions = { ...spec.solver, ...(spec.solver?.maxIterations === undefined && base.defaults.maxIterations === undefined && { maxIterations: 100_000 }) };
  const solves: OptimizeSolve[] = [];
  const converged: { u: readonly number[]; x: Float64Array; problem: Problem }[] = [];
  const best: { u?: readonly number[]; f: number; solution?: Solution } = { f: Infinity };
  let exhausted = false;

  /** The objective (times sign) at search coordinates u: NaN when the solve did not converge, +Infinity where a
   * condition fails, so that a minimiser stays inside the feasible region. */
  const f = (u: readonly number[]): number => {
    if (solves.length >= budget) { exhausted = true; return Number.NaN; }
    const at = Object.fromEntries(vars.map((v, k) => [v.name, to(k, u[k])]));
    const problem = compiled.problem({ ...fixed, ...at });
    const near = nearest(converged, u, vars.map((v) => (from(vars.indexOf(v), v.hi) - from(vars.indexOf(v), v.lo)) || 1));
    const s0 = solve(problem, { ...solver, init: near ? near.x : init });
    const s = near ? attracting(problem, s0, solver, init) : s0;
    const value = s.state[spec.objective] ?? s.observables[spec.objective];
    const ok = s.status === 'converged' && Number.isFinite(value);
    const feasible = ok && (spec.where ?? []).every((c) => OPS[c.op](s.state[c.quantity] ?? s.observables[c.quantity], c.value));
    solves.push({ at, status: s.status, value, feasible });
    spec.onSolve?.(solves.length);
    if (!ok) return Number.NaN;
    converged.push({ u, x: Float64Array.from(problem.stateNames, (k) => s.state[k]), problem });
    if (!feasible) return Infinity;
    const y = sign * value;
    if (y < best.f) { best.f = y; best.u = u; best.solution = s; }
    return y;
  };

  const lo = vars.map((v, k) => from(k, v.lo));
  const hi = vars.map((v, k) => from(k, v.hi));
  const n = spec.scan ?? (vars.length === 1 ? 24 : 12);
  const axes = vars.map((v, k) => grid(lo[k], hi[k], n));
  const scan = vars.length === 1 ? axes[0].map((u) => [u]) : axes[0].flatMap((u0, i) => (i % 2 ? [...axes[1]].reverse() : axes[1]).map((u1) => [u0, u1]));
  const values = scan.map((u) => f(u));
  const result = (status: Retcode, bracket: Record<string, readonly [number, number]>, message?: string): Optimum => {
    const u = best.u;
    const at = u ? Object.fromEntries(vars.map((v, k) => [v.name, to(k, u[k])])) : Object.fromEntries(vars.map((v) => [v.name, Number.NaN]));
    const atEdge = u ? vars.filter((v, k) => Math.abs(u[k] - lo[k]) <= tol * (1 + Math.abs(lo[k])) || Math.abs(u[k] - hi[k]) <= tol * (1 + Math.abs(hi[k]))).map((v) => v.name) : [];
    return {
      status, objective: spec.objective, maximize: spec.maximize === true, at, params: { ...Object.fromEntries(base.paramNames.map((p, i) => [p, base.params[i]])), ...at },
      value: best.solution ? (best.solution.state[spec.objective] ?? best.solution.observables[spec.objective]) : Number.NaN,
      ...(best.solution && { solution: best.solution }), bracket, atEdge, evaluations: solves.length, solves, origin: originOf(base),
      ...(message !== undefined && { message }),
    };
  };
  const whole = Object.fromEntries(vars.map((v) => [v.name, [v.lo, v.hi] as const]));
  if (!best.u) {
    const failed = solves.filter((s) => s.status !== 'converged').length;
    return result(exhausted ? 'max-iterations' : 'not-found', whole, `no converged solve ${spec.where?.length ? 'satisfies the conditions ' : ''}on the scan of ${scan.length} points (${failed} did not converge)`);
  }
  const k0 = scan.findIndex((u) => u === best.u);
  if (vars.length === 1) {
    const a = scan[Math.max(0, k0 - 1)][0];
    const b = scan[Math.min(scan.length - 1, k0 + 1)][0];
    // a neighbour that did not converge leaves the bracket undecided on that side
    if (![k0 - 1, k0 + 1].every((k) => k < 0 || k >= scan.length || !Number.isNaN(values[k]))) {
      return result('non-finite', { [vars[0].name]: [to(0, a), to(0, b)] }, 'a solve next to the best scan point did not converge: the optimum is not bracketed (see the solves)');
    }
    const xtol = vars[0].log ? tol : tol * Math.max(1, Math.abs(best.u[0]));
    const m = brentMinimize((u) => f([u]), a, b, xtol, Math.max(10, budget - solves.length), best.u[0]);
    const bracket = { [vars[0].name]: [to(0, m.bracket[0][0]), to(0, m.bracket[0][1])] as const };
    if (exhausted) return result('max-iterations', bracket, `the budget of ${budget} solves ran out`);
    if (m.status === 'non-finite') return result('non-finite', bracket, `the solve at ${vars[0].name} = ${to(0, m.at![0])} did not converge: the optimum is not refined beyond the bracket`);
    return result(m.status, bracket);
  }
  const step = axes.map((ax) => (ax.length > 1 ? ax[1] - ax[0] : 1));
  const xtol = vars.map((v, k) => (v.log ? tol : tol * Math.max(1, Math.abs(best.u![k]))));
  const m = nelderMead((u) => f(u), best.u, step, lo, hi, xtol, Math.max(20, budget - solves.length));
  const bracket = Object.fromEntries(vars.map((v, k) => [v.name, [to(k, m.bracket[k][0]), to(k, m.bracket[k][1])] as const]));
  if (exhausted) return result('max-iterations', bracket, `the budget of ${budget} solves ran out`);
  if (m.status === 'non-finite') return result('non-finite', bracket, 'a solve inside the simplex did not converge: the optimum is not refined (see the solves)');
  return result(m.status, bracket);
}

function check(spec: OptimizeSpec, base: Problem): void {
  const quantities = [...base.stateNames, ...base.observableNames];
  if (!quantities.includes(spec.objective)) {
    throw new UsageError(`\`${spec.objective}\` is not an order parameter or observable of "${base.model}"`, `choose from: ${quantities.join(', ')}`);
  }
  if (spec.over.length < 1 || spec.over.length > 2) throw new UsageError('optimize over one or two parameters', 'e.g. --over lambda or --over a,lambda');
  for (const v of spec.over) {
    if (!base.paramNames.includes(v.name)) throw new UsageError(`model "${base.model}" has no parameter \`${v.name}\``, `its parameters: ${base.paramNames.join(', ')}`);
    if (!(v.lo < v.hi) || !Number.isFinite(v.lo) || !Number.isFinite(v.hi)) throw new UsageError(`the range of ${v.name} must be two numbers lo < hi, got [${v.lo}, ${v.hi}]`);
    if (v.log && !(v.lo > 0)) throw new UsageError(`a log search of ${v.name} needs a positive range, got [${v.lo}, ${v.hi}]`);
  }
  if (spec.over.length === 2 && spec.over[0].name === spec.over[1].name) throw new UsageError(`${spec.over[0].name} is given twice`);
  for (const c of spec.where ?? []) {
    if (!quantities.includes(c.quantity)) throw new UsageError(`the condition on \`${c.quantity}\`: not an order parameter or observable of "${base.model}"`, `choose from: ${quantities.join(', ')}`);
  }
}

/** The converged point nearest to u (in coordinates scaled by each variable's range). */
function nearest<T extends { u: readonly number[] }>(points: readonly T[], u: readonly number[], scale: readonly number[]): T | undefined {
  let out: T | undefined;
  let d = Infinity;
  for (const p of points) {
    const e = p.u.reduce((s, v, k) => s + ((v - u[k]) / scale[k]) ** 2, 0);
    if (e < d) { d = e; out = p; }
  }
  return out;
}

/**
 * The optimum at every point of an axis (`sweep --optimize lambda`): optimal rates and optimal curves. Each point is
 * searched on its own (its scan brackets its optimum wherever it moved); every point is a result with its status.
 */
export function optimizeAlong(compiled: Compiled, fixed: Readonly<Record<string, number>>, axis: { readonly name: string; readonly values: readonly number[] },
  spec: Omit<OptimizeSpec, 'fixed'>, onPoint?: (o: Optimum) => void): Optimum[] {
  if (spec.over.some((v) => v.name === axis.name)) throw new UsageError(`\`${axis.name}\` is both swept and optimised over`);
  return axis.values.map((v) => {
    const o = optimize(compiled, { ...spec, fixed: { ...fixed, [axis.name]: v } });
    onPoint?.(o);
    return o;
  });
}
