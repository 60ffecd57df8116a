import { compile } from '../compile/compile.ts';
import type { Loc } from '../base/issues.ts';
import { children, walk, withChildren, type Measure, type Node, type Program } from '../ir/nodes.ts';
import { refineMeasure, refiner } from '../solve/quadrature.ts';
import { measureKind } from '../ir/measures/index.ts';

/**
 * Quadrature error estimates: every expectation of a model evaluated twice at one state, with its node counts
 * as written (n) and with every node count inside it doubled (2n, at most 400). The expectations are compiled
 * like any model (generated code; `interpreted: true` uses the reference interpreter instead, which is slower).
 * For a smooth integrand Gauss-Hermite converges geometrically, so |I_2n - I_n| is close to the error of I_n;
 * for a kink or a step it is of the size of the error (docs/model-files.md §4, "Accuracy").
 *
 * What an error costs depends on how the expectation enters its update: `r * E(...)` with r = 1e-5 makes a
 * 1e-10 relative error harmless, `(a - E(...)) / b` with a cancelling E(...) amplifies it. So each estimate also
 * carries its *effect*: the change of the update's value (the new value of the order parameter) or of the
 * observable when this expectation alone takes 2n nodes; the tolerance rule is on the effect, and it is the
 * solver's own convergence test, |change| <= tol * max(|value|, QUADRATURE_SCALE).
 */

// The refinement (n -> 2n nodes, capped) is the solver's (solve/quadrature.ts), which estimates it cheaply for
// every solve; this report refines expectation by expectation.
export { MAX_QUADRATURE_NODES } from '../solve/quadrature.ts';

/** Floor of the tolerance rule: the solver's atol / rtol at the default tolerances (1e-12 / 1e-10), so that
 * a value near 0 is judged on its absolute change, as the solver judges an order parameter near 0. */
export const QUADRATURE_SCALE = 1e-2;

export interface QuadratureEstimate {
  /** The update (named by the order parameter it assigns) or the observable (`free_energy` included). */
  readonly in: 'update' | 'observable';
  readonly name: string;
  /** Its place among the expectations of that expression (0-based, in evaluation order). */
  readonly index: number;
  /** Where its `E` is written; the start of the expression when that is unknown (an expectation made by D(...)). */
  readonly loc: Loc;
  /** The user function called (or `root` for an inner problem) when the expectations sit inside one: the whole
   * call is evaluated as one unit, at its call site. */
  readonly via?: string;
  /** The distinct node counts of the normal measures inside it, as written and as refined. */
  readonly nodes: readonly number[];
  readonly refinedNodes: readonly number[];
  /** False when no node count inside it can grow (all at 400, or only discrete measures): no estimate then. */
  readonly refinable: boolean;
  readonly value: number;
  readonly refined: number;
  /** |refined - value|: the error estimate of `value`. */
  readonly absError: number;
  /** absError / |refined|. */
  readonly relError: number;
  /** The value of the update (the new value of its order parameter) or of the observable it sits in. */
  readonly total: number;
  /** The same with this expectation alone refined to 2n nodes. */
  readonly totalRefined: number;
  /** |totalRefined - total| / max(|total|, QUADRATURE_SCALE): compared with the solver's relative tolerance. */
  readonly effect: number;
}

/**
 * The error estimate of every expectation in the updates, observables and free energy of `program` at
 * parameters `params` and state `state` (normally a fixed point). Each outermost expectation is one unit (the
 * nested ones are refined with it); a call of a user function that takes expectations, and a root/prox whose
 * body does, is one unit too. Updates are evaluated in sweep order, each at the state left by the updates
 * before it (as `Kernels.update` does); observables at `state`. Of a conditional `a ? b : c` outside any
 * expectation, only the branch taken at this state is reported. An expectation that occurs twice as the same
 * IR node is reported once.
 */
export function quadratureErrors(
  program: Program,
  params: Float64Array,
  state: Float64Array,
  options: { interpreted?: boolean } = {},
): QuadratureEstimate[] {
  const values = Object.fromEntries(program.params.map((p, i) => [p.name, params[i]]));
  const evaluateAll = (prog: Program, nodes: readonly Node[], at: Float64Array) => evaluate(prog, values, nodes, at, options);
  const fns = new Map(program.functions.map((f) => [f.name, f]));
  const fnHasE = new Set<string>();
  const hasE = (node: Node): boolean => {
    let found = false;
    walk(node, (n) => { if (n.kind === 'expect' || (n.kind === 'apply' && fnHasE.has(n.fn))) found = true; });
    return found;
  };
  for (const f of program.functions) if (hasE(f.body)) fnHasE.add(f.name); // callees come before callers

  // The refined copies of the functions that take expectations sit beside the originals, under new names,
  // so that one probe program evaluates an expression with one expectation refined and the rest as written.
  const taken = new Set(program.functions.map((f) => f.name));
  const renamed = new Map([...fnHasE].map((f) => {
    let name = `${f}_2n`;
    while (taken.has(name)) name += '_';
    taken.add(name);
    return [f, name];
  }));
  const refine = refiner(renamed);
  const probe: Program = {
    ...program,
    functions: [...program.functions, ...program.functions.filter((f) => fnHasE.has(f.name)).map((f) => ({ ...f, name: renamed.get(f.name)!, body: refine(f.body) }))],
  };
  const locs = program.expectationLocs ?? new Map<Node, Loc>();
  const model = program.info;
  const fallback: Loc = { file: model.file, line: 1, col: 1 };

  const results: QuadratureEstimate[] = [];
  /** The estimates of the expectations of `expr` at state `at`; returns the value of `expr`. */
  const report = (kind: 'update' | 'observable', name: string, expr: Node, at: Float64Array, exprLoc: Loc): number => {
    const sites = sitesOf(expr, hasE, fnHasE, (test) => evaluateAll(program, [test], at)[0] !== 0);
    const k = sites.length;
    const refinedSites = sites.map((x) => refine(x.node));
    const v = evaluateAll(probe, [expr, ...sites.map((x) => x.node), ...refinedSites, ...sites.map((x, i) => replace(expr, x.node, refinedSites[i]))], at);
    const total = v[0];
    sites.forEach((site, index) => {
      const measures = measuresOf(site.node, fns, fnHasE);
      const [value, refined, totalRefined] = [v[1 + index], v[1 + k + index], v[1 + 2 * k + index]];
      const absError = Math.abs(refined - value);
      results.push({
        in: kind, name, index,
        loc: firstLoc(site.node, locs, fns, fnHasE) ?? exprLoc,
        ...(site.via !== undefined && { via: site.via }),
        nodes: distinctCounts(measures),
        refinedNodes: distinctCounts(measures.map(refineMeasure)),
        refinable: measures.some((m) => refineMeasure(m) !== m),
        value,
        refined,
        absError,
        relError: absError === 0 ? 0 : absError / Math.abs(refined),
        total,
        totalRefined,
        effect: Math.abs(totalRefined - total) / Math.max(Math.abs(total), QUADRATURE_SCALE),
      });
    });
    return total;
  };

  const s = Float64Array.from(state);
  for (const u of program.updates) {
    const name = program.state[u.target].name;
    s[u.target] = report('update', name, u.expr, s, u.loc ?? fallback);
  }
  for (const o of program.observables) {
    report('observable', o.name, o.expr, state, o.loc ?? fallback);
  }
  return results;
}

/**
 * Whether an estimate exceeds the tolerance: its effect on the value of its update or observable,
 * |F_2n - F_n| / max(|F_n|, QUADRATURE_SCALE), is above `tol`. A value that is NaN with one rule and not with
 * the other exceeds it too.
 */
export function exceedsTolerance(e: QuadratureEstimate, tol: number): boolean {
  if (Number.isNaN(e.total) && Number.isNaN(e.totalRefined)) return false;
  return !(e.effect <= tol);
}

/** Whether any update, observable or the free energy takes an expectation (directly or in a function it calls). */
export function hasExpectations(program: Program): boolean {
  const called = new Set<string>();
  const direct = (n: Node) => {
    let found = false;
    walk(n, (m) => { if (m.kind === 'expect') found = true; if (m.kind === 'apply') called.add(m.fn); });
    return found;
  };
  const exprs = [...program.updates.map((u) => u.expr), ...program.observables.map((o) => o.expr)];
  if (exprs.some(direct)) return true;
  // Callers come after their callees: scan the functions from the last, collecting what they call.
  return [...program.functions].reverse().some((f) => called.has(f.name) && direct(f.body));
}

interface Site {
  readonly node: Node;
  readonly via?: string;
}

/** The outermost units of `expr` that take expectations, in evaluation order. */
function sitesOf(expr: Node, hasE: (n: Node) => boolean, fnHasE: ReadonlySet<string>, taken: (test: Node) => boolean): Site[] {
  const out: Site[] = [];
  const visit = (n: Node): void => {
    if (!hasE(n) || out.some((s) => s.node === n)) return;
    switch (n.kind) {
      case 'expect': out.push({ node: n }); return;
      // Its expressions read the inner variable, so the expectations in it cannot be evaluated on their own.
      case 'root': out.push({ node: n, via: 'root' }); return;
      case 'apply':
        if (fnHasE.has(n.fn)) out.push({ node: n, via: n.fn });
        else n.args.forEach(visit);
        return;
      case 'cond':
        visit(n.test);
        visit(taken(n.test) ? n.then : n.else);
        return;
      default: children(n).forEach(visit);
    }
  };
  visit(expr);
  return out;
}

/** `expr` with the node `from` (every occurrence of that object) replaced by `to`; untouched subtrees are shared. */
function replace(expr: Node, from: Node, to: Node): Node {
  const memo = new Map<Node, Node>();
  const go = (node: Node): Node => {
    if (node === from) return to;
    const hit = memo.get(node);
    if (hit) return hit;
    // Units are outermost (sitesOf): nothing inside an expectation or a root is replaced.
    let r: Node = node;
    if (node.kind !== 'expect' && node.kind !== 'root') {
      const kids = children(node);
      const ys = kids.map(go);
      if (ys.some((y, i) => y !== kids[i])) r = withChildren(node, ys);
    }
    memo.set(node, r);
    return r;
  };
  return go(expr);
}

/** Evaluates closed nodes (no bound variables) at one state: compiled as the observables of a probe program. */
function evaluate(
  program: Program,
  params: Readonly<Record<string, number>>,
  nodes: readonly Node[],
  state: Float64Array,
  options: { interpreted?: boolean },
): Float64Array {
  const out = new Float64Array(nodes.length);
  const probe: Program = { ...program, updates: [], observables: nodes.map((expr, i) => ({ name: `e${i}`, expr })) };
  compile(probe, options).problem(params).kernels.observables(state, out);
  return out;
}

/** The measures a unit integrates over, through the bodies of the user functions it calls. */
function measuresOf(node: Node, fns: ReadonlyMap<string, { body: Node }>, fnHasE: ReadonlySet<string>): Measure[] {
  const out: Measure[] = [];
  const seen = new Set<string>();
  const visit = (root: Node) => walk(root, (n) => {
    if (n.kind === 'expect') out.push(n.measure);
    if (n.kind === 'apply' && fnHasE.has(n.fn) && !seen.has(n.fn)) {
      seen.add(n.fn);
      visit(fns.get(n.fn)!.body);
    }
  });
  visit(node);
  return out;
}

function distinctCounts(measures: readonly Measure[]): number[] {
  return [...new Set(measures.flatMap((m) => measureKind(m).nodeCounts(m)))];
}

/** Where the first expectation of a unit (the unit itself, else one inside it or in a function it calls) is written. */
function firstLoc(node: Node, locs: ReadonlyMap<Node, Loc>, fns: ReadonlyMap<string, { body: Node }>, fnHasE: ReadonlySet<string>): Loc | undefined {
  let found: Loc | undefined;
  const seen = new Set<string>();
  const visit = (root: Node) => walk(root, (n) => {
    if (found) return;
    if (n.kind === 'expect') found = locs.get(n);
    if (n.kind === 'apply' && fnHasE.has(n.fn) && !seen.has(n.fn)) {
      seen.add(n.fn);
      visit(fns.get(n.fn)!.body);
    }
  });
  visit(node);
  return found;
}
