import { substitute } from '../ir/derive.ts';
import type { Node } from '../ir/nodes.ts';
import { NEWTON_MAX_ITERATIONS, NEWTON_XTOL } from '../numerics/roots.ts';
import type { Emitter, Frames, Levels } from './emitter.ts';

/**
 * An inner problem (`root`: root, argmin, prox) as code: numerics/roots.ts safeguardedNewton, inlined, the same
 * operations in the same order (two first passes evaluate the ends of the bracket), so that compiled and
 * interpreted roots agree bit for bit. Returns the name holding the root.
 */
export function emitRoot(em: Emitter, node: Extract<Node, { kind: 'root' }>, frames: Frames, levels: Levels): string {
  const cur = frames.length - 1;
  const out = frames[cur];
  const lo = em.expr(node.lower, frames, levels);
  const hi = em.expr(node.upper, frames, levels);
  // The same inner problem twice in one scope (a prox and its implicit derivative) is solved once.
  // Alpha-equivalent problems match: prox(p, loss(p), ...) and moreau(u, loss(u), ...) share one solve.
  const canonical = new Map([[node.variable, { kind: 'bound', name: '$root' } as Node]]);
  const key = `R:${lo}:${hi}:${JSON.stringify([substitute(node.expr, canonical), substitute(node.slope, canonical), node.increasing])}`;
  const known = em.cseOf(out).get(key);
  if (known !== undefined) return known;
  const [a, b, ga, neg, z, r, k, st, so] = ['a', 'b', 'ga', 'neg', 'z', 'r', 'k', 'st', 'so'].map((p) => em.fresh(p));
  em.cseOf(out).set(key, r);
  const inner = new Map(levels).set(node.variable, cur + 1);
  const body: string[] = [];
  const g = em.expr(node.expr, [...frames, body], inner);
  const dg = em.expr(node.slope, [...frames, body], inner);
  const tol = (x: string) => `${NEWTON_XTOL} * (1 + Math.abs(${x}))`;
  out.push(
    // increasing: g(lo) < 0 < g(hi) is known, so the first two passes (the ends of the bracket) are skipped.
    node.increasing
      ? `let ${a} = ${lo}, ${b} = ${hi}, ${ga} = 0, ${neg} = true, ${z} = 0.5 * (${a} + ${b}), ${r} = NaN, ${k} = 2, ${st} = Math.abs(${b} - ${a}), ${so} = ${st};`
      : `let ${a} = ${lo}, ${b} = ${hi}, ${ga} = 0, ${neg} = false, ${z} = ${a}, ${r} = NaN, ${k} = 0, ${st} = 0, ${so} = 0;`,
    `for (; ${k} < ${NEWTON_MAX_ITERATIONS + 2}; ${k}++) {`,
    `  const ${em.bv(node.variable)} = ${z};`,
    ...body.map((x) => `  ${x}`),
    `  const gz = ${g};`,
    `  if (${k} === 0) { if (gz === 0) { ${r} = ${z}; break; } ${ga} = gz; ${z} = ${b}; continue; }`,
    `  if (${k} === 1) { if (gz === 0) { ${r} = ${z}; break; } if (!(${ga} * gz < 0)) break; ${neg} = ${ga} < 0; ${z} = 0.5 * (${a} + ${b}); ${st} = Math.abs(${b} - ${a}); ${so} = ${st}; continue; }`,
    `  if (gz === 0) { ${r} = ${z}; break; }`,
    `  if (gz < 0 === ${neg}) ${a} = ${z}; else ${b} = ${z};`,
    `  const dgz = ${dg};`,
    `  let nx = ${z} - gz / dgz;`,
    `  if (Math.abs(nx - ${z}) <= ${tol(z)}) { ${r} = nx; break; }`,
    `  if (!(nx > Math.min(${a}, ${b}) && nx < Math.max(${a}, ${b})) || Math.abs(2 * gz) > Math.abs(${so} * dgz)) nx = 0.5 * (${a} + ${b});`,
    `  ${so} = ${st}; ${st} = Math.abs(nx - ${z});`,
    `  if (Math.abs(${b} - ${a}) <= ${tol(z)}) { ${r} = nx; break; }`,
    `  ${z} = nx;`,
    '}',
    `if (${k} === ${NEWTON_MAX_ITERATIONS + 2}) ${r} = ${z};`,
  );
  return r;
}
