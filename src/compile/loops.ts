import { measureKind, type LoopEmitter } from '../ir/measures/index.ts';
import { jsNumber, type Emitter, type Expect, type Frames, type Levels } from './emitter.ts';
import { prefetch } from './fusion.ts';

/**
 * What decides whether two expectations can share a loop nest: their variable, the measure's kind and key (its
 * rule's parameters), and the code of its expressions at this point.
 */
export function measureKey(em: Emitter, node: Expect, frames: Frames, levels: Levels): string {
  const m = node.measure;
  const kind = measureKind(m);
  const parts = kind.nodes(m).map((p) => em.expr(p, frames, levels));
  return [node.variable, m.kind, kind.key(m), ...parts].join('|');
}

/**
 * One loop nest computing the expectations `nodes` (same measure key) into the current frame; returns their
 * accumulators. The measure's kind emits the rule (measures/); the points' bodies are emitted here, with the
 * expectations inside them fused in turn. Each accumulator sums `weight * body` in the order of the rule, as
 * the interpreter does.
 */
export function emitLoops(em: Emitter, nodes: readonly Expect[], frames: Frames, levels: Levels): string[] {
  const cur = frames.length - 1;
  const out = frames[cur];
  const { variable, measure } = nodes[0];
  const accs = nodes.map(() => em.fresh('e'));
  out.push(`let ${accs.map((a) => `${a} = 0`).join(', ')};`);
  const inner = new Map(levels).set(variable, cur + 1);
  /** The bodies at one point of the rule, emitted into `body`. */
  const bodies = (body: string[]) => {
    const fr = [...frames, body];
    prefetch(em, nodes.map((n) => n.body), fr, inner);
    return nodes.map((n) => em.expr(n.body, fr, inner));
  };
  const emit: LoopEmitter = {
    expr: (n) => em.expr(n, frames, levels),
    literal: jsNumber,
    fresh: (prefix) => em.fresh(prefix),
    gaussHermite: (n) => {
      const T = em.table(n);
      return { nodes: `${T}x`, weights: `${T}w` };
    },
    perProblem: (define) => {
      const header: string[] = [];
      const line = define((n) => em.expr(n, [header], new Map()));
      em.statics.push(...header, line);
    },
    scratch: (line) => { em.buffers.push(line); },
    constant: (value) => {
      let k = em.constants.indexOf(value);
      if (k < 0) k = em.constants.push(value) - 1;
      return `C[${k}]`;
    },
    before: (line) => { out.push(line); },
    loop: (count, x, w) => {
      const i = em.fresh('i');
      const body: string[] = [];
      const vs = bodies(body);
      out.push(`for (let ${i} = 0; ${i} < ${count}; ${i}++) {`, `  const ${em.bv(variable)} = ${x}[${i}];`,
        ...body.map((s) => `  ${s}`), ...accs.map((a, k) => `  ${a} += ${w}[${i}] * ${vs[k]};`), '}');
    },
    point: (value, weight) => {
      const body: string[] = [];
      const vs = bodies(body);
      out.push('{', `  const ${em.bv(variable)} = ${value};`, ...body.map((s) => `  ${s}`),
        ...accs.map((a, j) => `  ${a} += ${weight} * ${vs[j]};`), '}');
    },
  };
  measureKind(measure).emit(measure, emit);
  return accs;
}
