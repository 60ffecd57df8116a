import type { Loc } from '../../base/issues.ts';
import type { Model } from '../../model/types.ts';
import { BUILTINS, CONSTANTS } from '../builtins.ts';
import { walk, type UserFunction } from '../nodes.ts';
import type { AddIssue, BuildContext } from './context.ts';

/** One name, one meaning: a clash between sections is a mistake, not a silent shadowing. */
export function claimNames(cx: BuildContext): void {
  const { model, add, stateIx, paramIx } = cx;
  const owner = new Map<string, string>();
  const claim = (name: string, section: string, loc: Loc) => {
    const prev = owner.get(name);
    // reserved names and the identifier rule are checked where the names are read (model/read.ts)
    if (section !== 'functions' && (Object.hasOwn(CONSTANTS, name) || Object.hasOwn(BUILTINS, name))) {
      add('duplicate-name', loc, `\`${name}\` would hide the built-in ${Object.hasOwn(CONSTANTS, name) ? 'constant' : 'function'} of the same name`, name, 'choose another name');
    } else if (prev !== undefined) add('duplicate-name', loc, `\`${name}\` is declared both in ${prev} and in ${section}`, name, 'rename one of them');
    else owner.set(name, section);
  };
  model.params.forEach((p) => claim(p.name, 'params', p.loc));
  model.orderParams.forEach((p) => claim(p.name, 'order_params', p.loc));
  model.variables.forEach((v) => claim(v.name, 'variables', v.loc));
  model.definitions.forEach((d) => claim(d.name, 'definitions', d.loc));
  model.functions.forEach((f) => claim(f.name, 'functions', f.loc));
  for (const o of model.observables) {
    if (o.name === 'free_energy' && model.freeEnergy) {
      add('duplicate-name', o.loc, 'an observable named `free_energy` and a `free_energy:` section', o.name, 'keep one of them (the section is the usual place)');
    }
    if (stateIx.has(o.name) || paramIx.has(o.name)) {
      add('duplicate-name', o.loc, `observable \`${o.name}\` would share a column with a ${stateIx.has(o.name) ? 'state variable' : 'parameter'}`, o.name,
        'order parameters are reported already; give the observable another name');
    }
  }
}

/** Functions that call each other in a cycle (recursion is not supported). */
export function checkCallCycles(
  functions: readonly UserFunction[],
  model: Model,
  add: AddIssue,
): void {
  const calls = new Map(functions.map((f) => {
    const out = new Set<string>();
    walk(f.body, (n) => { if (n.kind === 'apply') out.add(n.fn); });
    return [f.name, out];
  }));
  const state = new Map<string, 'active' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'active') {
      const decl = model.functions.find((f) => f.name === name)!;
      add('cyclic-definition', decl.loc, `functions call each other in a cycle: ${[...path.slice(path.indexOf(name)), name].join(' -> ')}`,
        name, 'recursion is not supported: write the function without calling itself');
      return;
    }
    state.set(name, 'active');
    for (const c of calls.get(name) ?? []) visit(c, [...path, name]);
    state.set(name, 'done');
  };
  for (const f of functions) visit(f.name, []);
}
