import { compile, type Compiled } from '../compile/compile.ts';
import { derive } from '../ir/derive.ts';
import { walk, type Node, type Program, type StateVar } from '../ir/nodes.ts';

/**
 * The exact Jacobian of one sequential (Gauss-Seidel) sweep F of the update equations, restricted to the carried
 * order parameters, from the symbolic derivatives of the updates (ir/derive.ts: expectations by differentiation
 * under the integral, inner problems by implicit differentiation).
 *
 * The sweep assigns s_t(k) = f_k(s) in order, each update reading the latest values. Forward-mode chain rule
 * through it: with T_i = d s_i / d x_j (the tangent of every value with respect to the carried input x_j, T = e_j
 * before the sweep), update k sets T_t(k) = sum_i (d f_k / d s_i) T_i before it assigns s_t(k). An intermediate
 * (a value assigned before it is read) thus enters through its own update, never as an independent variable:
 * dF_k/dx_j = df_k/dx_j + sum_{i assigned before k} df_k/ds_i dF_i/dx_j.
 *
 * All of it is one derived Program (the original state, then the partial derivatives of each update as
 * intermediates, then the tangents), compiled once by compile/compile.ts: one call of its update kernel gives
 * F(x) and the whole Jacobian, the partials sharing their quadrature loops with the update they belong to.
 */
export interface SweepJacobian {
  /** The compiled derived program: its `problem(values)` takes the model's parameter values. */
  readonly compiled: Compiled;
  /** Evaluator at fixed parameters. */
  at(values: Readonly<Record<string, number>>): JacobianAt;
}

/** The Jacobian at fixed parameters: `evaluate(x)` at a state x (model state order; intermediates need no value). */
export interface JacobianAt {
  evaluate(x: Float64Array): { readonly J: number[][]; readonly fx: Float64Array };
}

/**
 * Builds the derived program, or returns a reason why not (an order parameter updated twice in a sweep, whose
 * first value the chain rule would have to keep apart).
 */
export function sweepJacobian(program: Program): SweepJacobian | string {
  const n = program.state.length;
  const carried = program.state.flatMap((s, i) => (s.carried ? [i] : []));
  const c = carried.length;
  const targets = new Set<number>();
  for (const u of program.updates) {
    if (targets.has(u.target)) return `\`${program.state[u.target].name}\` is updated twice in a sweep`;
    targets.add(u.target);
  }
  const functions = new Map(program.functions.map((f) => [f.name, f]));
  const state: StateVar[] = program.state.map((s) => ({ name: s.name, carried: s.carried, ...(s.min !== undefined && { min: s.min }), ...(s.max !== undefined && { max: s.max }) }));
  const stateNode = (index: number): Node => ({ kind: 'state', name: state[index].name, index });
  const add = (name: string): number => {
    state.push({ name, carried: false });
    return state.length - 1;
  };
  // tangents T[i][j]: of value i with respect to carried input j; slots fixed before the partials are added
  const tangent: number[][] = [];
  for (let i = 0; i < n; i++) tangent.push(carried.map((_, j) => n + i * c + j));
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) state.push({ name: `\u0000T${i}_${j}`, carried: false });
  const updates: Program['updates'][number][] = [];
  program.updates.forEach((u, k) => {
    const reads = new Set<number>();
    walk(u.expr, (node) => { if (node.kind === 'state') reads.add(node.index); });
    const partials: { i: number; slot: number }[] = [];
    for (const i of [...reads].sort((a, b) => a - b)) {
      const d = derive(u.expr, { kind: 'state', name: program.state[i].name }, functions);
      if (d.kind === 'num' && d.value === 0) continue;
      const slot = add(`\u0000P${k}_${i}`);
      updates.push({ target: slot, expr: d });
      partials.push({ i, slot });
    }
    for (let j = 0; j < c; j++) {
      const terms = partials.map(({ i, slot }): Node => ({ kind: 'op', op: '*', args: [stateNode(slot), stateNode(tangent[i][j])] }));
      const sum = terms.length === 0 ? ({ kind: 'num', value: 0 } as Node) : terms.reduce((a, b) => ({ kind: 'op', op: '+', args: [a, b] }));
      updates.push({ target: tangent[u.target][j], expr: sum });
    }
    updates.push(u);
  });
  const derived: Program = {
    info: { ...program.info, freeEnergy: false },
    params: program.params,
    state,
    functions: program.functions,
    updates,
    observables: [],
  };
  const compiled = compile(derived);
  const size = state.length;
  return {
    compiled,
    at(values: Readonly<Record<string, number>>): JacobianAt {
      const problem = compiled.problem(values);
      const xs = new Float64Array(size);
      const out = new Float64Array(size);
      return {
        evaluate(x: Float64Array) {
          xs.fill(NaN);
          xs.set(x.subarray(0, n));
          for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) xs[tangent[i][j]] = carried[j] === i ? 1 : 0;
          problem.kernels.update(xs, out);
          const J = carried.map((r) => carried.map((_, j) => out[tangent[r][j]]));
          return { J, fx: out.slice(0, n) };
        },
      };
    },
  };
}

/** The Jacobian and the residual F(x) - x (carried order parameters) at a state, with what they are worth. */
export interface JacobianEstimate {
  readonly J: number[][];
  /** F(x)_i - x_i for each carried order parameter. */
  readonly residual: number[];
  /** Estimated absolute error of the entries of J (0 when evaluated exactly at x), and of the residual. */
  readonly error: number;
  readonly residualError: number;
  /** Evaluated as the limit from inside the domain (a start on a bound of its domain, or 0·∞ at x). */
  readonly limit: boolean;
}

/** Levels of the extrapolation to the bound: h = H0 4^-k, k < LEVELS (down to ~2e-9 of the scale). */
const H0 = 1e-2;
const LEVELS = 12;
/** Relative floor of the error of an extrapolated limit (rounding amplified by the smallest steps). */
const NOISE = 1e-11;

/**
 * J and F(x) - x at x (carried values of x read, intermediates recomputed). Exact at an interior point where the
 * derivatives are finite. At a start on a bound of its domain (q = 0 or q = 1), and wherever an entry is not
 * finite, both are their one-sided limits from inside the domain: an uninformative fixed point often sits where
 * the derivative is 0·∞ (d/dq of sqrt(q) xi at q = 0; the limit is finite), and a start at the top of a domain may
 * sit in a floor (V = max(1 - q, 1e-10)) where the map is flat. The limit is extrapolated (Neville, in powers of
 * sqrt(h), which covers expansions in h and in sqrt(h)) from the exact values at x + h d, h = 1e-2 4^-k times the
 * scale of the domain, keeping the estimate whose successive differences are smallest (Ridders' rule).
 */
export function jacobianAt(jac: JacobianAt, lower: Float64Array, upper: Float64Array, carried: readonly number[], x: Float64Array): JacobianEstimate {
  const onBound = carried.some((i) => x[i] <= lower[i] || x[i] >= upper[i]);
  const exact = jac.evaluate(x);
  const residualOf = (fx: Float64Array, at: Float64Array) => carried.map((i) => fx[i] - at[i]);
  if (!onBound && exact.J.every((r) => r.every(Number.isFinite))) {
    return { J: exact.J, residual: residualOf(exact.fx, x), error: 0, residualError: 0, limit: false };
  }
  const direction = carried.map((i) => (x[i] >= upper[i] ? -1 : 1));
  const scale = carried.map((i) => {
    const width = upper[i] - lower[i];
    return Number.isFinite(width) ? Math.min(1, width) : Math.max(1, Math.abs(x[i]));
  });
  const c = carried.length;
  const y = Float64Array.from(x);
  const sample = (h: number): number[] => {
    carried.forEach((i, k) => { y[i] = x[i] + direction[k] * h * scale[k]; });
    const { J, fx } = jac.evaluate(y);
    // F(y) - x, not F(y) - y: its limit is the residual at x
    return [...J.flat(), ...carried.map((i) => fx[i] - x[i])];
  };
  const { value, error } = extrapolate(sample, H0, LEVELS);
  // Ridders' estimate sees truncation, not all of the rounding that the smallest steps amplify (at h ~ 1e-9 a
  // derivative through sqrt(h) loses ~5 digits to cancellation): ten times it, and a floor of NOISE relative.
  const honest = (k: number) => 10 * error[k] + NOISE * Math.max(1, Math.abs(value[k]));
  const J = Array.from({ length: c }, (_, r) => value.slice(r * c, (r + 1) * c));
  const jErrors = J.flat().map((_, k) => honest(k));
  const rErrors = carried.map((_, k) => 10 * error[c * c + k]);
  return { J, residual: value.slice(c * c), error: Math.max(0, ...jErrors), residualError: Math.max(0, ...rErrors), limit: true };
}

/**
 * The limit of g(h) as h -> 0+, g known at h = h0 4^-k: Neville's table in t = sqrt(h) (t halves at each level),
 * keeping per entry the estimate whose differences with its two neighbours in the table are smallest, and that
 * difference as its error. Non-finite samples end the table (the previous levels stand).
 */
export function extrapolate(g: (h: number) => number[], h0: number, levels: number): { value: number[]; error: number[] } {
  let prev: number[][] = [];
  let value: number[] = [];
  let error: number[] = [];
  for (let k = 0; k < levels; k++) {
    const row: number[][] = [g(h0 / 4 ** k)];
    if (!row[0].every(Number.isFinite)) break;
    if (k === 0) { value = [...row[0]]; error = row[0].map(() => Infinity); }
    for (let m = 1; m <= k; m++) {
      const f = 2 ** m - 1;
      row[m] = row[m - 1].map((v, i) => v + (v - prev[m - 1][i]) / f);
      row[m].forEach((v, i) => {
        const e = Math.max(Math.abs(v - row[m - 1][i]), Math.abs(v - prev[m - 1][i]));
        if (e <= error[i]) { error[i] = e; value[i] = v; }
      });
    }
    prev = row;
  }
  return { value, error };
}
