import { BUILTINS } from '../ir/builtins.ts';
import { inlineCalls } from '../ir/inline.ts';
import { measureRuntime } from '../ir/measures/index.ts';
import type { Node, Program } from '../ir/nodes.ts';
import { Emitter } from './emitter.ts';
import { fold } from './fold.ts';
import { indent, statements } from './fusion.ts';
import { boundedGeneration } from './size-guard.ts';

/** JavaScript source of a model's kernels, plus the Gauss-Hermite node counts its loops read from `T`. */
export interface Generated {
  readonly source: string; // body of `function (P, S, T)` returning Kernels
  readonly tables: readonly number[]; // T[k] is the Gauss-Hermite rule with tables[k] nodes
  readonly constants: readonly unknown[]; // C[k] of the closure: data tables of measures (an empirical spectrum)
}

/**
 * Emits straight-line JS, doing what a careful hand-written implementation does:
 * - expectations become loops over quadrature rules chosen by their measure (loops.ts, ir/measures/), over
 *   tables that are constants of the closure;
 * - a subexpression that does not depend on a loop's variable is computed once, before that loop
 *   (loop-invariant hoisting), and identical subexpressions in one scope are computed once (CSE) (emitter.ts);
 * - user functions are inlined, so one inner problem (a prox, emit-root.ts) serves every expression that needs it;
 * - expectations over the same measure that can be evaluated at the same point of a sweep (in different
 *   updates, or side by side in one body) share one loop nest (fusion.ts): the prox at a node is solved once
 *   for f_out, f_out^2 and its derivative. Each accumulator still sums the same terms in the same order,
 *   so the values are those of the reference interpreter.
 * The steps: fold each expression (fold.ts), emit the kernels' statements, then assemble the source.
 */
export function generate(program: Program, limit?: number): Generated {
  return boundedGeneration(program, () => generateAll(program), limit);
}

function generateAll(program: Program): Generated {
  const em = new Emitter(program.functions);
  const prepared = (n: Node) => fold(inlineCalls(n, program.functions));
  const updates = program.updates.map((u) => ({ target: u.target, expr: prepared(u.expr) }));
  const observables = program.observables.map((o) => ({ name: o.name, expr: prepared(o.expr) }));

  const update = updateKernel(em, program, updates);
  const observableLines = observablesKernel(em, program, observables);
  // User functions, for callers outside the update map (GAMP): each compiled like an update, arguments bound.
  const functionLines = program.functions.flatMap((f, k) => {
    const frame: string[] = [];
    const v = em.expr(prepared(f.body), [frame], new Map());
    return [`function f${k}(${f.args.map((a) => em.bv(a)).join(', ')}) {`, ...indent(frame), `  return ${v};`, '}'];
  });
  const exported = program.functions.map((_, k) => `f${k}`).join(', ');
  const source = [...header(em, program), ...functionLines, ...update, ...observableLines,
    // The first inner problem that failed since the last call: its site and the point it returned.
    'function innerFailure() { if (IF < 0) return undefined; const f = { site: IF, z: IFz }; IF = -1; IFz = NaN; return f; }',
    `return { update, observables, innerFailure, functions: [${exported}] };`, ''].join('\n');
  return { source, tables: em.tables, constants: em.constants };
}

/** `update(x, out)`: one sequential sweep. */
function updateKernel(em: Emitter, program: Program, updates: readonly { target: number; expr: Node }[]): string[] {
  const st = program.state;
  return [
    'function update(x, out) {',
    ...(st.length ? [`  let ${st.map((_, i) => `s${i} = x[${i}]`).join(', ')};`] : []), // regions may read no branch
    ...indent(statements(em, updates.map((u) => ({ expr: u.expr, writes: u.target, assign: (v: string) => `s${u.target} = ${v};` })))),
    ...st.map((_, i) => `  out[${i}] = s${i};`),
    '}',
  ];
}

/** `observables(x, out)`. */
function observablesKernel(em: Emitter, program: Program, observables: readonly { expr: Node }[]): string[] {
  const st = program.state;
  return [
    'function observables(x, out) {',
    ...(st.length ? [`  const ${st.map((_, i) => `s${i} = x[${i}]`).join(', ')};`] : []),
    ...indent(statements(em, observables.map((o, i) => ({ expr: o.expr, assign: (v: string) => `out[${i}] = ${v};` })))),
    '}',
  ];
}

/** The closure's constants: special functions, parameters, quadrature tables, the measures' run-time helpers,
 * the rules built once per Problem and the scratch arrays. */
function header(em: Emitter, program: Program): string[] {
  const specials = Object.keys(BUILTINS).filter((n) => BUILTINS[n].js(['x']).startsWith('S_')).map((n) => `S_${n} = S.S_${n}`);
  const helpers = Object.keys(measureRuntime()).map((n) => `${n} = S.${n}`);
  return [
    // No model text here, not even in comments: p<k> is parameter k, s<k> order parameter k, v<k> a bound variable,
    // f<k> user function k, in the order of Program (saddle check --debug lists them).
    '// saddle: generated kernels',
    '"use strict";',
    `const ${specials.join(', ')};`,
    ...(program.params.length ? [`const ${program.params.map((_, i) => `p${i} = P[${i}]`).join(', ')};`] : []),
    ...em.tables.map((n, k) => `const GH${n}x = T[${k}].nodes, GH${n}w = T[${k}].weights;`),
    ...(helpers.length ? [`const ${helpers.join(', ')};`] : []),
    // scratch arrays and the inner problems' failure record first: a static expression computed here may
    // integrate over a rule rebuilt in one
    ...em.buffers,
    'let IF = -1, IFz = NaN;',
    ...em.statics,
  ];
}
