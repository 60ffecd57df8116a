/** Quantities asked for by name (`--y`, `--observable`, a threshold's observable): order parameters or observables. */
import { UsageError } from '../../base/errors.ts';
import { didYouMean } from '../../base/suggest.ts';
import type { Compiled } from '../../compile/compile.ts';

/** The order parameters, then the observables (free_energy last when the model has one). */
export function quantityNames(model: Compiled): string[] {
  return [...model.program.state.map((s) => s.name), ...model.program.observables.map((o) => o.name)];
}

/** Refuses a name that is neither an order parameter nor an observable; `where` says where it was given. */
export function checkQuantity(model: Compiled, name: string, where: string): void {
  const names = quantityNames(model);
  if (names.includes(name)) return;
  throw new UsageError(`${where}: \`${name}\` is not an order parameter or observable of "${model.program.info.name}"`, didYouMean(name, names) ?? `choose from: ${names.join(', ')}`);
}

/** Names given as `flag` (undefined when absent), each checked. */
export function quantityList(model: Compiled, names: readonly string[] | undefined, flag: string): string[] | undefined {
  if (names === undefined) return undefined;
  for (const n of names) checkQuantity(model, n, flag);
  return [...names];
}

/** What a plot shows by default: the observables (without free_energy when `withoutFreeEnergy`), else the order parameters. */
export function defaultQuantities(model: Compiled, withoutFreeEnergy = false): string[] {
  const observables = model.program.observables.map((o) => o.name).filter((o) => !withoutFreeEnergy || o !== 'free_energy');
  return observables.length ? observables : model.program.state.map((s) => s.name);
}

/** The quantity of a phase diagram's heat map by default: the first carried order parameter. */
export function firstCarried(model: Compiled): string {
  const state = model.program.state;
  return (state.find((s) => s.carried) ?? state[0]).name;
}
