import type { Loc } from '../../base/issues.ts';
import { didYouMean } from '../../base/suggest.ts';
import { locateToken } from '../locate.ts';
import { walk, type Node } from '../nodes.ts';
import type { BuildContext } from './context.ts';
import { top } from './convert.ts';

export interface Update {
  readonly target: number;
  readonly expr: Node;
  readonly loc?: Loc;
}

/** The updates in file order, each of an order parameter; every order parameter must have one. */
export function readUpdates(cx: BuildContext): Update[] {
  const { model, add, stateIx } = cx;
  const updates: Update[] = [];
  for (const u of model.updates) {
    const target = stateIx.get(u.name);
    const expr = top(cx, u.expr);
    if (target === undefined) {
      add('update-of-undeclared', u.loc, `update for \`${u.name}\`, which is not an order parameter`, u.name,
        didYouMean(u.name, stateIx.keys()) ?? `declare it under order_params: \`${u.name}: {init: 0.5}\``);
    } else updates.push({ target, expr, loc: u.expr.loc });
  }
  const updated = new Set(model.updates.map((u) => u.name));
  for (const o of model.orderParams) {
    if (!updated.has(o.name)) {
      add('missing-update', o.loc, `order parameter \`${o.name}\` has no update equation`, o.name, `add \`${o.name}: <expression>\` under updates`);
    }
  }
  return updates;
}

/**
 * Sequential updates: the order parameters read before their own update in a sweep (carried from one sweep to
 * the next); each needs an initial value.
 */
export function carriedState(cx: BuildContext, updates: readonly Update[]): Set<number> {
  const { model, add } = cx;
  const assigned = new Set<number>();
  const carried = new Set<number>();
  for (let k = 0; k < updates.length; k++) {
    walk(updates[k].expr, (n) => {
      if (n.kind !== 'state' || assigned.has(n.index)) return;
      carried.add(n.index);
      if (model.orderParams[n.index].init !== undefined) return;
      add('missing-init', locateToken(model.updates[k].expr, n.name), `\`${n.name}\` is read before its update and has no initial value`, n.name,
        `give it one under order_params (\`${n.name}: {init: ...}\`) or move its update earlier`);
    });
    assigned.add(updates[k].target);
  }
  return carried;
}
