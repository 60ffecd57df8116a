import { compile, type Compiled, type Problem } from '../compile/compile.ts';
import { mapChildren, walk, type Measure, type Node, type Program } from '../ir/nodes.ts';
import { measureKind } from '../ir/measures/index.ts';

/**
 * The quadrature error of a solution, estimated cheaply: the update map and the observables evaluated once more at
 * the converged state with every quadrature rule doubled (n -> 2n nodes, at most MAX_QUADRATURE_NODES). For a
 * smooth integrand Gauss-Hermite converges geometrically, so F_2n(x*) - F_n(x*) is close to the error of F_n at
 * the fixed point; for a kink it is of its size. `saddle check` reports the same refinement expectation by
 * expectation (verify/quadrature.ts); a solve does it for the whole map, at the cost of one sweep and one
 * evaluation of the observables with the refined rules (4x the nodes of a 2-D expectation).
 */

/** The largest node count a model may ask for (build.ts): the refined rule is capped there. */
export const MAX_QUADRATURE_NODES = 400;

/** Every node count doubled, up to MAX_QUADRATURE_NODES; the measure itself when none can grow (a count at the
 * cap, or a measure without one: a discrete sum is exact). */
export const refineMeasure = (m: Measure): Measure =>
  measureKind(m).resize(m, (n) => (n >= MAX_QUADRATURE_NODES ? n : Math.min(MAX_QUADRATURE_NODES, 2 * n)));

/** A copy of a tree with every measure refined, and the calls of the functions in `renamed` redirected to their
 * refined copies (memoised: the IR may share subtrees). */
export function refiner(renamed: ReadonlyMap<string, string> = new Map()): (n: Node) => Node {
  const memo = new Map<Node, Node>();
  const refine = (node: Node): Node => {
    const hit = memo.get(node);
    if (hit) return hit;
    let r = mapChildren(node, refine);
    if (r.kind === 'expect') r = { ...r, measure: refineMeasure(r.measure) };
    if (r.kind === 'apply') r = { ...r, fn: renamed.get(r.fn) ?? r.fn };
    memo.set(node, r);
    return r;
  };
  return refine;
}

/** The program with every quadrature rule refined (functions, updates, observables); undefined when no rule can
 * grow (no expectation, only discrete sums, or every rule already at the cap). */
export function refineProgram(program: Program): Program | undefined {
  const refine = refiner();
  const refined: Program = {
    ...program,
    functions: program.functions.map((f) => ({ ...f, body: refine(f.body) })),
    updates: program.updates.map((u) => ({ ...u, expr: refine(u.expr) })),
    observables: program.observables.map((o) => ({ ...o, expr: refine(o.expr) })),
  };
  const a = nodeCounts(program);
  const b = nodeCounts(refined);
  return a.some((n, i) => b[i] !== n) ? refined : undefined;
}

/** The node counts of every expectation of a program, in a fixed order. */
function nodeCounts(p: Program): number[] {
  const out: number[] = [];
  const visit = (root: Node) => walk(root, (n) => { if (n.kind === 'expect') out.push(...measureKind(n.measure).nodeCounts(n.measure)); });
  for (const f of p.functions) visit(f.body);
  for (const u of p.updates) visit(u.expr);
  for (const o of p.observables) visit(o.expr);
  return out;
}

// The refined model of each program, compiled once: a sweep makes a Problem per point from the same Program.
// A WeakMap holds it only as long as the program lives.
const refinedModels = new WeakMap<Program, Compiled | null>();

/** The problem at the same parameters with every quadrature rule doubled; undefined when nothing can be refined. */
export function refinedProblem(problem: Problem): Problem | undefined {
  const program = problem.program;
  if (!program) return undefined;
  let compiled = refinedModels.get(program);
  if (compiled === undefined) {
    const refined = refineProgram(program);
    compiled = refined ? compile(refined) : null;
    refinedModels.set(program, compiled);
  }
  if (!compiled) return undefined;
  return compiled.problem(Object.fromEntries(problem.paramNames.map((p, i) => [p, problem.params[i]])));
}

/** What the refined rules change at a state: the largest change of an order parameter's update, in units of the
 * solver's tolerance, and of an observable. */
export interface QuadratureCheck {
  /** max_i |F_2n(x)_i - F_n(x)_i| / (atol + rtol |x_i|) over the order parameters. */
  readonly ratio: number;
  /** The order parameter where that maximum is reached, its change and its value. */
  readonly worst: string;
  readonly change: number;
  readonly value: number;
  /** Observables whose value moves by more than QUADRATURE_FACTOR (atol + rtol |value|): name, value with n and
   * with 2n nodes. */
  readonly observables: readonly { readonly name: string; readonly value: number; readonly refined: number }[];
}

/**
 * The quadrature check at state x (normally a converged fixed point, where `fx` = F_n(x) and `obs` the observables
 * with the rules as written). Undefined when the model has no rule to refine.
 */
export function quadratureCheck(
  problem: Problem, x: Float64Array, fx: Float64Array, obs: Float64Array, rtol: number, atol: number,
): QuadratureCheck | undefined {
  const refined = refinedProblem(problem);
  if (!refined) return undefined;
  const f2 = new Float64Array(x.length);
  refined.kernels.update(x, f2);
  refined.kernels.innerFailure?.(); // the refined model's own inner checks are not this solve's
  let ratio = 0;
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(f2[i] - fx[i]);
    // a value that is finite with n nodes and not with 2n is as doubtful as a large change
    const r = Number.isFinite(f2[i]) ? d / (atol + rtol * Math.abs(x[i])) : Infinity;
    if (r > ratio || (i === 0 && r === ratio)) { ratio = r; worst = i; }
  }
  const o2 = new Float64Array(obs.length);
  refined.kernels.observables(x, o2);
  refined.kernels.innerFailure?.();
  const observables = problem.observableNames.flatMap((name, i) => {
    if (!Number.isFinite(obs[i])) return []; // already a warning of its own
    return Math.abs(o2[i] - obs[i]) <= QUADRATURE_FACTOR * (atol + rtol * Math.abs(obs[i])) ? [] : [{ name, value: obs[i], refined: o2[i] }];
  });
  return { ratio, worst: problem.stateNames[worst], change: Math.abs(f2[worst] - fx[worst]), value: x[worst], observables };
}

/** How many times the tolerance an estimated quadrature error may be before a solution is flagged: an error of the
 * size of the tolerance is what converging to it means (the iteration's own error is tol/(1 - rate)); one ten
 * times larger is not (binary-cs at its defaults: 1.1 tol, not flagged; logistic at lambda = 1e-4: 1e4 tol). */
export const QUADRATURE_FACTOR = 10;

/** The warning a solution carries when its quadrature error exceeds what its tolerance claims; undefined if not. */
export function quadratureWarning(check: QuadratureCheck | undefined, rtol: number): string | undefined {
  if (!check || (check.ratio <= QUADRATURE_FACTOR && check.observables.length === 0)) return undefined;
  const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(1) : String(v));
  const rel = (a: number, b: number) => sci(Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE));
  const parts: string[] = [];
  if (check.ratio > QUADRATURE_FACTOR) {
    parts.push(`the update of \`${check.worst}\` moves by ${sci(check.change)} (relative ${sci(check.change / Math.max(Math.abs(check.value), Number.MIN_VALUE))})`);
  }
  for (const o of check.observables.slice(0, 3)) {
    // enough digits to show the change
    const p = Math.min(17, Math.max(6, 2 + Math.ceil(-Math.log10(Math.abs(o.refined - o.value) / Math.max(Math.abs(o.value), Number.MIN_VALUE)))));
    parts.push(`\`${o.name}\` moves from ${o.value.toPrecision(p)} to ${o.refined.toPrecision(p)} (relative ${rel(o.refined, o.value)})`);
  }
  if (check.observables.length > 3) parts.push(`and ${check.observables.length - 3} more observables`);
  return `quadrature: with every rule doubled (n -> 2n nodes) ${parts.join('; ')}: more than ${QUADRATURE_FACTOR} times the tolerance `
    + `${sci(rtol)}, so the result is less accurate than it converged to (\`saddle check\` lists the expectations; more nodes, `
    + 'or a split at a kink, in the model file)';
}
