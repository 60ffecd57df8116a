import type { Issue } from '../base/issues.ts';
import type { Model } from '../model/types.ts';
import type { Program, UserFunction } from './nodes.ts';
import { createContext } from './build/context.ts';
import { top } from './build/convert.ts';
import { checkSizes } from './build/guards.ts';
import { checkCallCycles, claimNames } from './build/names.ts';
import { assemble } from './build/program.ts';
import { carriedState, readUpdates } from './build/sequence.ts';

export { MAX_DEPTH, MAX_EVALUATIONS, MAX_SIZE, MAX_TOTAL } from './build/limits.ts';

export interface BuildResult {
  readonly program?: Program;
  readonly issues: readonly Issue[];
}

/**
 * Resolves every symbol of a Model into the IR, reporting every mistake with its place and a hint. The steps
 * (build/): names claimed once across sections (names.ts); each expression read into IR (convert.ts: symbols,
 * calls, E(...) over its variable's law, D(...), inner problems), user functions first, then definitions on
 * their own, updates, observables; the sequence of updates (sequence.ts: which values carry over); size
 * guards on what code generation will walk (guards.ts); the Program (program.ts).
 */
export function build(model: Model): BuildResult {
  const cx = createContext(model);
  claimNames(cx);

  // User functions: their bodies see the arguments and the parameters only.
  const functions: UserFunction[] = model.functions.map((f) => {
    const fn = { name: f.name, args: f.args, body: top(cx, f.body, { bound: new Set(f.args), args: new Set(f.args), inFunction: f.name }) };
    cx.converted.set(f.name, fn);
    return fn;
  });
  checkCallCycles(functions, model, cx.add);

  // Definitions are inlined where used; check each once on its own too, so unused ones are checked.
  const definitions = model.definitions.map((d) => ({ name: d.name, expr: top(cx, d.expr, { defStack: [d.name], freeVariablesOk: true }) }));

  const updates = readUpdates(cx);
  const carried = carriedState(cx, updates);

  const observables = model.observables.map((o) => ({ name: o.name, expr: top(cx, o.expr), loc: o.expr.loc }));
  if (model.freeEnergy) observables.push({ name: 'free_energy', expr: top(cx, model.freeEnergy), loc: model.freeEnergy.loc });

  if (cx.issues.length === 0) {
    checkSizes(cx, [...model.updates.map((u, k) => [u.expr, updates[k]?.expr] as const),
      ...[...model.observables.map((o) => o.expr), ...(model.freeEnergy ? [model.freeEnergy] : [])].map((e, k) => [e, observables[k].expr] as const),
      ...model.functions.map((f, k) => [f.body, functions[k].body] as const)], functions);
  }

  if (cx.issues.length > 0) return { issues: cx.issues };
  return { program: assemble(cx, { functions, definitions, updates, carried, observables }), issues: cx.issues };
}
