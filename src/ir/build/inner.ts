import { derive, substitute, type Wrt } from '../derive.ts';
import { curvature } from '../convexity.ts';
import { inlineCalls } from '../inline.ts';
import { locateToken } from '../locate.ts';
import { treeSize, type Node } from '../nodes.ts';
import { NAN, type BuildContext, type Scope } from './context.ts';
import { conv } from './convert.ts';
import { MAX_SIZE } from './limits.ts';
import type { Ast } from './parse.ts';

/** The inner problems of the model language, with what each computes (for hints). */
export const INNER_FORMS: Readonly<Record<string, string>> = {
  root: 'root(z, g, lo, hi): the z in [lo, hi] where g vanishes',
  argmin: 'argmin(z, f, lo, hi): the lowest interior local minimum of f over [lo, hi]',
  prox: 'prox(z, loss, omega, V): argmin_z loss + (z - omega)^2 / (2 V), the global minimiser for a loss >= 0',
  moreau: 'moreau(z, loss, omega, V): min_z loss + (z - omega)^2 / (2 V), the Moreau envelope',
};

/** root / argmin / prox / moreau: a 1-D inner problem solved by safeguarded Newton, derivatives by implicit differentiation. */
export function inner(cx: BuildContext, form: string, ast: Ast, scope: Scope): Node {
  const args = ast.args ?? [];
  const here = locateToken(scope.expr, form);
  if (args.length !== 4 || args[0].type !== 'SymbolNode') {
    cx.add('wrong-arity', here, `${form} takes 4 arguments, the first a new variable name`, form, INNER_FORMS[form]);
    return NAN;
  }
  const z = args[0].name!;
  if (scope.bound.has(z) || cx.stateIx.has(z) || cx.paramIx.has(z) || cx.defs.has(z) || cx.variables.has(z)) {
    cx.add('duplicate-name', locateToken(scope.expr, z), `\`${z}\` is already a name here; the variable of ${form} must be new`, z, 'e.g. use `z` or `u`');
    return NAN;
  }
  const wrt: Wrt = { kind: 'bound', name: z };
  const withZ: Scope = { ...scope, bound: new Set([...scope.bound, z]) };
  const zNode: Node = { kind: 'bound', name: z };
  const body = conv(cx, args[1], withZ);
  const a = conv(cx, args[2], scope);
  const b = conv(cx, args[3], scope);
  /** An inner problem inside another's body is differentiated with it: stop at the first one too large. */
  const bounded = (node: Node): Node => {
    if (treeSize(node, [...cx.converted.values()], MAX_SIZE) !== Infinity) return node;
    cx.aborted = true;
    cx.add('too-complex', here, `${form}(...) grows beyond ${MAX_SIZE} nodes with the derivatives it needs`, form,
      'nest fewer inner problems (root, argmin, prox, moreau) inside each other, or simplify their bodies');
    return NAN;
  };
  // Where the file wrote it: a failed solve of this inner problem is reported there.
  const known = cx.innerSites.findIndex((x) => x.form === form && x.loc.file === here.file && x.loc.line === here.line && x.loc.col === here.col);
  const site = known >= 0 ? known : cx.innerSites.push({ form, loc: here }) - 1;
  const convex = (objective: Node) => {
    const c = curvature(inlineCalls(objective, [...cx.converted.values()]), z);
    return c === 'convex' || c === 'affine' || c === 'constant';
  };
  const solveFor = (): Node => {
    if (form === 'root') return { kind: 'root', variable: z, expr: body, slope: derive(body, wrt, cx.converted), lower: a, upper: b, site };
    if (form === 'argmin') {
      const g = derive(body, wrt, cx.converted);
      const root: Node = { kind: 'root', variable: z, expr: g, slope: derive(g, wrt, cx.converted), lower: a, upper: b, site };
      // a provably convex objective has one minimum: the sign change of its derivative (ends evaluated)
      return convex(body) ? root : { ...root, objective: body };
    }
    // prox (and moreau, its value): the minimiser of f = loss(z) + (z - omega)^2 / (2 V). For a convex loss it lies
    // between omega and omega - V loss'(omega); whatever the loss, if loss >= 0, f(z) <= f(omega) = loss(omega)
    // puts the global minimiser within sqrt(2 V loss(omega)) of omega. The search interval takes the larger of
    // twice the first and the second, plus a sliver so that a minimiser at an end is still inside.
    const [omega, V] = [a, b];
    const op = (o: '+' | '-' | '*' | '/' | '^', x: Node, y: Node): Node => ({ kind: 'op', op: o, args: [x, y] });
    const n = (v: number): Node => ({ kind: 'num', value: v });
    const call = (fn: string, ...args: Node[]): Node => ({ kind: 'call', fn, args });
    const f = op('+', body, op('/', op('^', op('-', zNode, omega), n(2)), op('*', n(2), V)));
    const g = derive(f, wrt, cx.converted);
    const atOmega = new Map([[z, omega]]);
    const near = op('*', op('*', n(2), V), call('abs', substitute(derive(body, wrt, cx.converted), atOmega)));
    const sliver = op('*', n(1e-12), op('+', n(1), call('abs', omega)));
    const around = (reach: Node) => ({ lower: op('-', omega, reach), upper: op('+', omega, reach) });
    // A loss proved convex (ir/convexity.ts): g is increasing with a sign change on the near bracket, so one
    // Newton search there, its ends not evaluated. Any other: the global search over the wider interval.
    const prox: Node = convex(body)
      ? { kind: 'root', variable: z, expr: g, slope: derive(g, wrt, cx.converted), ...around(op('+', near, sliver)), increasing: true, site }
      : { kind: 'root', variable: z, expr: g, slope: derive(g, wrt, cx.converted), objective: f, site,
        ...around(op('+', call('max', near, call('sqrt', op('*', op('*', n(2), V), call('max', substitute(body, atOmega), n(0))))), sliver)) };
    // The envelope is the objective at the prox; its omega-derivative (omega - prox)/V comes out of D by
    // implicit differentiation (the loss'-terms vanish at the root), so it needs no rule of its own.
    return form === 'moreau' ? substitute(f, new Map([[z, prox]])) : prox;
  };
  if (cx.aborted) return NAN;
  try {
    return bounded(solveFor());
  } catch (e) {
    cx.add('unknown-function', here, `${form}(...) cannot differentiate its body: ${(e as Error).message.replace(/^derive: /, '')}`, form,
      'a function used inside it must be declared before the function that uses it');
    return NAN;
  }
}
