import { substitute } from '../ir/derive.ts';
import type { Node } from '../ir/nodes.ts';
import { INNER_FTOL, INNER_REFINE, INNER_SCAN, NEWTON_MAX_ITERATIONS, NEWTON_XTOL } from '../numerics/roots.ts';
import type { Emitter, Frames, Levels } from './emitter.ts';

type Root = Extract<Node, { kind: 'root' }>;

/**
 * An inner problem (`root`: root, argmin, prox) as code: numerics/roots.ts `innerRoot` or, with an objective,
 * `innerMinimum`, inlined as the same operations in the same order, so that compiled and interpreted results
 * agree bit for bit. The body (the expression, its slope, the objective) is emitted once, inside one loop that a
 * small state machine drives (scan, Newton, value), so the code does not grow with the number of phases.
 * A result that fails its checks records the problem's site in `IF` (read by `innerFailure`, compile.ts).
 * Returns the name holding the result.
 */
export function emitRoot(em: Emitter, node: Root, frames: Frames, levels: Levels): string {
  const cur = frames.length - 1;
  const out = frames[cur];
  const lo = em.expr(node.lower, frames, levels);
  const hi = em.expr(node.upper, frames, levels);
  // The same inner problem twice in one scope (a prox and its implicit derivative) is solved once.
  // Alpha-equivalent problems match: prox(p, loss(p), ...) and moreau(u, loss(u), ...) share one solve.
  const canonical = new Map([[node.variable, { kind: 'bound', name: '$root' } as Node]]);
  const sid = (n: Node | undefined) => (n ? em.sid(substitute(n, canonical)) : '');
  const key = `R:${lo}:${hi}:${sid(node.expr)}:${sid(node.slope)}:${sid(node.objective)}`;
  const known = em.cseOf(out).get(key);
  if (known !== undefined) return known;
  const r = em.fresh('r');
  em.cseOf(out).set(key, r);
  const inner = new Map(levels).set(node.variable, cur + 1);
  /** A block of the loop body that sees what the body computed before it (like a branch of a conditional). */
  const block = (parent: string[]): string[] => {
    const frame: string[] = [];
    const seen = em.cse.get(parent);
    if (seen) em.cse.set(frame, new Map(seen));
    return frame;
  };
  const body: string[] = [];
  const g = em.expr(node.expr, [...frames, body], inner);
  const slopeBlock = block(body);
  const dg = em.expr(node.slope, [...frames, slopeBlock], inner);
  const failed = `if (IF < 0) { IF = ${node.site ?? -1}; IFz = ${r}; }`;
  if (node.objective) {
    const valueBlock = block(body);
    const f = em.expr(node.objective, [...frames, valueBlock], inner);
    out.push(...minimum(em, { lo, hi, r, z: em.bv(node.variable), body, g, slopeBlock, dg, valueBlock, f, failed }));
  } else {
    out.push(...root(em, { lo, hi, r, z: em.bv(node.variable), body, g, slopeBlock, dg, failed }, node.increasing === true));
  }
  return r;
}

interface Parts {
  readonly lo: string;
  readonly hi: string;
  /** The name of the result, and the bound variable's. */
  readonly r: string;
  readonly z: string;
  readonly body: readonly string[];
  readonly g: string;
  readonly slopeBlock: readonly string[];
  readonly dg: string;
  readonly failed: string;
}

const indented = (lines: readonly string[], depth: number) => lines.map((x) => `${'  '.repeat(depth)}${x}`);
const tol = (x: string) => `${NEWTON_XTOL} * (1 + Math.abs(${x}))`;

/**
 * One Newton step of `newtonInBracket` at `z` (a: the side where g < 0, b: where g > 0), g(z) = `gz` known:
 * `done(x)` when it converges at x, `fail` when g is not a number, else the next iterate in `z`.
 */
function newtonStep(n: { a: string; b: string; z: string; k: string; st: string; so: string; nx: string }, p: Parts,
  done: (x: string) => string[], fail: string[]): string[] {
  const { a, b, z, k, st, so, nx } = n;
  return [
    `if (gz !== gz) { ${fail.join(' ')} }`,
    `else if (gz === 0) { ${done(z).join(' ')} }`,
    'else {',
    `  if (gz < 0) ${a} = ${z}; else ${b} = ${z};`,
    ...indented(p.slopeBlock, 1),
    `  const dgz = ${p.dg};`,
    `  ${nx} = ${z} - gz / dgz;`,
    `  if (Math.abs(${nx} - ${z}) <= ${tol(z)}) { ${done(nx).join(' ')} }`,
    '  else {',
    `    if (!(${nx} > Math.min(${a}, ${b}) && ${nx} < Math.max(${a}, ${b})) || Math.abs(2 * gz) > Math.abs(${so} * dgz)) ${nx} = 0.5 * (${a} + ${b});`,
    `    ${so} = ${st}; ${st} = Math.abs(${nx} - ${z});`,
    `    if (Math.abs(${b} - ${a}) <= ${tol(z)}) { ${done(nx).join(' ')} }`,
    `    else if (++${k} >= ${NEWTON_MAX_ITERATIONS}) { ${fail.slice(0, -1).join(' ')} ${done(nx).join(' ')} }`,
    `    else ${z} = ${nx};`,
    '  }',
    '}',
  ];
}

/** `innerRoot`: the ends evaluated (phases 0 and 1), then Newton (phase 2) on the bracket they make; `increasing`:
 * `newtonInBracket` on [lo, hi] at once (phase 2). */
function root(em: Emitter, p: Parts, increasing: boolean): string[] {
  const [a, b, ga, k, st, so, nx, ph, z] = ['a', 'b', 'ga', 'k', 'st', 'so', 'nx', 'ph', 'z'].map((x) => em.fresh(x));
  const { r } = p;
  const start = (neg: string, pos: string) => `${a} = ${neg}; ${b} = ${pos}; ${z} = 0.5 * (${a} + ${b}); ${st} = Math.abs(${b} - ${a}); ${so} = ${st}; ${ph} = 2;`;
  return [
    increasing
      ? `let ${r} = NaN, ${a} = ${p.lo}, ${b} = ${p.hi}, ${ga} = 0, ${k} = 0, ${st} = Math.abs(${b} - ${a}), ${so} = ${st}, ${nx} = 0, ${ph} = 2, ${z} = 0.5 * (${a} + ${b}), bad${r} = false;`
      : `let ${r} = NaN, ${a} = 0, ${b} = 0, ${ga} = 0, ${k} = 0, ${st} = 0, ${so} = 0, ${nx} = 0, ${ph} = 0, ${z} = ${p.lo}, bad${r} = false;`,
    'for (;;) {',
    `  const ${p.z} = ${z};`,
    ...indented(p.body, 1),
    `  const gz = ${p.g};`,
    `  if (${ph} === 0) { if (gz === 0) { ${r} = ${z}; break; } ${ga} = gz; ${z} = ${p.hi}; ${ph} = 1; continue; }`,
    `  if (${ph} === 1) {`,
    `    if (gz === 0) { ${r} = ${z}; break; }`,
    `    if (!(${ga} * gz < 0)) { bad${r} = true; break; }`,
    `    if (${ga} < 0) { ${start(p.lo, p.hi)} } else { ${start(p.hi, p.lo)} }`,
    '    continue;',
    '  }',
    ...indented(newtonStep({ a, b, z, k, st, so, nx }, p, (x) => [`${r} = ${x};`, 'break;'], [`bad${r} = true;`, `${r} = NaN;`, 'break;']), 1),
    '}',
    `if (bad${r}) ${p.failed}`,
  ];
}

/**
 * `innerMinimum`: phase 0 scans n + 1 points (g and the objective f); a piece where g goes from - to + starts
 * Newton on it (phase 1); its result's value (phase 2) is compared with the best so far; then the scan resumes
 * after the piece. A first scan that missed a minimum is repeated with finer pieces.
 */
function minimum(em: Emitter, p: Parts & { readonly valueBlock: readonly string[]; readonly f: string }): string[] {
  const names = ['a', 'b', 'k', 'st', 'so', 'nx', 'ph', 'z', 'i', 'zp', 'gp', 'zs', 'gs', 'fmin', 'fb', 'n'].map((x) => em.fresh(x));
  const [a, b, k, st, so, nx, ph, z, i, zp, gp, zs, gs, fmin, fb, n] = names;
  const { r, lo, hi } = p;
  const missed = `!(${fb} <= ${fmin} + ${INNER_FTOL} * (1 + Math.abs(${fmin})))`;
  return [
    `let ${r} = NaN, ${a} = 0, ${b} = 0, ${k} = 0, ${st} = 0, ${so} = 0, ${nx} = 0, ${ph} = 0, ${z} = ${lo}, ${i} = 0, ${zp} = NaN, ${gp} = NaN, ${zs} = 0, ${gs} = 0, ${fmin} = Infinity, ${fb} = Infinity, ${n} = ${INNER_SCAN}, bad${r} = false;`,
    'for (;;) {',
    `  const ${p.z} = ${z};`,
    ...indented(p.body, 1),
    `  const gz = ${p.g};`,
    `  if (${ph} === 1) {`,
    ...indented(newtonStep({ a, b, z, k, st, so, nx }, p, (x) => [`${z} = ${x};`, `${ph} = 2;`], [`bad${r} = true;`, `${z} = NaN;`, `${ph} = 2;`]), 2),
    '    continue;',
    '  }',
    ...indented(p.valueBlock, 1),
    `  const fz = ${p.f};`,
    `  if (${ph} === 2) { if (fz < ${fb}) { ${fb} = fz; ${r} = ${z}; } ${zp} = ${zs}; ${gp} = ${gs}; }`,
    '  else {',
    `    if (fz < ${fmin}) ${fmin} = fz;`,
    `    if (gz === 0) { if (fz < ${fb}) { ${fb} = fz; ${r} = ${z}; } }`,
    `    else if (${gp} < 0 && gz > 0) { ${a} = ${zp}; ${b} = ${z}; ${zs} = ${z}; ${gs} = gz; ${ph} = 1; ${k} = 0; ${z} = 0.5 * (${a} + ${b}); ${st} = Math.abs(${b} - ${a}); ${so} = ${st}; continue; }`,
    `    ${zp} = ${z}; ${gp} = gz;`,
    '  }',
    `  ${ph} = 0;`,
    `  if (++${i} > ${n}) {`,
    // a scanned point lower than every minimum found: once, the scan again with finer pieces
    `    if (${missed}) { if (${n} === ${INNER_SCAN}) { ${n} = ${INNER_SCAN * INNER_REFINE}; ${i} = 0; ${r} = NaN; ${fb} = Infinity; ${fmin} = Infinity; ${zp} = NaN; ${gp} = NaN; bad${r} = false; ${z} = ${lo}; continue; } bad${r} = true; }`,
    '    break;',
    '  }',
    `  ${z} = ${i} === ${n} ? ${hi} : ${lo} + (${hi} - ${lo}) * (${i} / ${n});`,
    '}',
    `if (bad${r}) ${p.failed}`,
  ];
}
