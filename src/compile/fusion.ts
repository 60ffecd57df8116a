import { inlineCalls } from '../ir/inline.ts';
import { children, walk, type Node } from '../ir/nodes.ts';
import type { Emitter, Expect, Frames, Levels } from './emitter.ts';
import { levelOf } from './emitter.ts';
import { emitLoops, measureKey } from './loops.ts';

/**
 * Fusion: the outermost expectations of `exprs` that are evaluated in the current frame (they depend on its
 * loop variable, or it is the outermost frame) are grouped by measure, and every group of two or more is
 * computed by one loop nest now; `Emitter.expr` then finds their accumulators. `take` filters the candidates.
 */
export function prefetch(em: Emitter, exprs: readonly Node[], frames: Frames, levels: Levels,
  take: (n: Expect) => boolean = () => true): void {
  const cur = frames.length - 1;
  const found: Expect[] = [];
  const twins = new Map<string, Expect>(); // structurally equal expectations share one accumulator
  const alias = new Map<Expect, Expect>();
  const visit = (n: Node): void => {
    switch (n.kind) {
      case 'expect': {
        if (levelOf(n, levels) !== cur || !take(n) || found.includes(n) || alias.has(n)) return;
        if (cur === 0 && em.hoistable(n)) return; // computed once per Problem (Emitter.expr)
        const sig = JSON.stringify(n);
        const twin = twins.get(sig);
        if (twin) alias.set(n, twin);
        else { twins.set(sig, n); found.push(n); }
        return;
      }
      case 'root': return; // its inner variable changes inside the Newton loop
      case 'apply': visit(inlineCalls(n, em.functions)); return;
      default: children(n).forEach(visit);
    }
  };
  exprs.forEach(visit);
  const groups = new Map<string, Expect[]>();
  for (const n of found) {
    const key = measureKey(em, n, frames, levels);
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  const pre = em.fusedOf(frames[cur]);
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    emitLoops(em, group, frames, levels).forEach((acc, k) => pre.set(group[k], acc));
  }
  for (const [n, twin] of alias) { const acc = pre.get(twin); if (acc) pre.set(n, acc); }
}

/** A statement of a kernel: an expression, what to do with its value, and the order parameter it assigns. */
export interface Statement {
  readonly expr: Node;
  readonly assign: (v: string) => string;
  readonly writes?: number;
}

/** Lines indented one level. */
export const indent = (lines: readonly string[], pad = '  ') => lines.map((s) => pad + s);

/** The expectations of `n` outside any other expectation or inner problem. */
function outermost(n: Node): Expect[] {
  const found: Expect[] = [];
  const visit = (x: Node): void => {
    if (x.kind === 'expect') { found.push(x); return; }
    if (x.kind === 'root') return;
    children(x).forEach(visit);
  };
  visit(n);
  return found;
}

/** The order parameters a node reads. */
function reads(n: Node): Set<number> {
  const s = new Set<number>();
  walk(n, (x) => { if (x.kind === 'state') s.add(x.index); });
  return s;
}

/**
 * A sequence of assignments, with fusion across them: an expectation of statement j is computed before
 * statement p, the earliest point after which nothing it reads is reassigned, together with the other
 * expectations over the same measure that can be computed there. Returns the lines of the function body.
 */
export function statements(em: Emitter, list: readonly Statement[]): string[] {
  const earliest = new Map<Expect, number>();
  list.forEach((stmt, j) => {
    for (const x of outermost(stmt.expr)) {
      const r = reads(x);
      let p = 0;
      for (let k = 0; k < j; k++) if (list[k].writes !== undefined && r.has(list[k].writes!)) p = k + 1;
      if (!earliest.has(x)) earliest.set(x, p);
    }
  });
  const lines: string[] = [];
  const owner = list.map(() => new Map<Expect, string>());
  list.forEach((stmt, p) => {
    const frame: string[] = [];
    const here = (x: Expect) => earliest.get(x) === p;
    const later = list.slice(p).map((s) => s.expr);
    prefetch(em, later, [frame], new Map(), here);
    const pre = em.fused.get(frame);
    if (pre) {
      // Accumulators live at function level; each later statement looks its own expectations up.
      lines.push(...frame);
      list.forEach((s, j) => {
        if (j < p) return;
        for (const x of outermost(s.expr)) { const acc = pre.get(x); if (acc) owner[j].set(x, acc); }
      });
    }
    const own: string[] = [];
    em.fused.set(own, owner[p]);
    const v = em.expr(stmt.expr, [own], new Map());
    lines.push(...(own.length === 0 ? [stmt.assign(v)] : ['{', ...indent(own), `  ${stmt.assign(v)}`, '}']));
  });
  return lines;
}

