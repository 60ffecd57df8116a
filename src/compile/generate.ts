import { BUILTINS } from '../ir/builtins.ts';
import { NEWTON_MAX_ITERATIONS, NEWTON_XTOL } from '../numerics/roots.ts';
import { measureNodes, type Node, type Program } from '../ir/nodes.ts';

/** JavaScript source of a model's kernels, plus the Gauss-Hermite node counts its loops read from `T`. */
export interface Generated {
  readonly source: string; // body of `function (P, S, T)` returning Kernels
  readonly tables: readonly number[]; // T[k] is the Gauss-Hermite rule with tables[k] nodes
}

const num = (v: number): string =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '(-Infinity)' : v < 0 || Object.is(v, -0) ? `(${v})` : `${v}`;

const BINARY: Readonly<Record<string, string>> = { '+': '+', '-': '-', '*': '*', '/': '/' };
const COMPARE: Readonly<Record<string, string>> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '==': '===', '!=': '!==' };

/**
 * Emits straight-line JS. Expectations become loops over hoisted quadrature tables; any subexpression that
 * does not depend on a loop's variable is computed once, before that loop (loop-invariant hoisting), which is
 * what a careful hand-written implementation does.
 */
export function generate(program: Program): Generated {
  const tables: number[] = [];
  const table = (n: number) => {
    if (!tables.includes(n)) tables.push(n);
    return `GH${n}`;
  };
  let counter = 0;
  const buffers: string[] = []; // per-expectation scratch arrays, allocated once per Problem
  const hoisted = new WeakMap<string[], Map<string, string>>();
  const roots = new WeakMap<string[], Map<string, string>>();
  const fresh = (p: string) => `${p}${counter++}`;

  /** Deepest loop level among the bound variables a node reads (0: outside every loop). */
  const levelOf = (node: Node, levels: ReadonlyMap<string, number>, own?: string): number => {
    let l = 0;
    const visit = (n: Node, shadow: ReadonlySet<string>): void => {
      switch (n.kind) {
        case 'bound': if (!shadow.has(n.name) && n.name !== own) l = Math.max(l, levels.get(n.name) ?? 0); return;
        case 'call': case 'apply': case 'op': n.args.forEach((a) => visit(a, shadow)); return;
        case 'cond': visit(n.test, shadow); visit(n.then, shadow); visit(n.else, shadow); return;
        case 'expect': {
          measureNodes(n.measure).forEach((p) => visit(p, shadow));
          visit(n.body, new Set([...shadow, n.variable]));
          return;
        }
        case 'root': {
          visit(n.lower, shadow); visit(n.upper, shadow);
          const inner = new Set([...shadow, n.variable]);
          visit(n.expr, inner); visit(n.slope, inner);
          return;
        }
        default:
      }
    };
    visit(node, new Set());
    return l;
  };

  /** JS for `node` evaluated inside frames[frames.length-1]; statements it needs go into the frames. */
  const expr = (node: Node, frames: string[][], levels: ReadonlyMap<string, number>): string => {
    const cur = frames.length - 1;
    switch (node.kind) {
      case 'num': return num(node.value);
      case 'param': return `p_${node.name}`;
      case 'state': return `s_${node.name}`;
      case 'bound': return `b_${node.name}`;
      default:
    }
    const l = levelOf(node, levels);
    if (l < cur) {
      const code = expr(node, frames.slice(0, l + 1), levels);
      // The same invariant hoisted twice into one frame (e.g. once per value of a discrete variable) is computed once.
      const known = hoisted.get(frames[l]) ?? new Map<string, string>();
      hoisted.set(frames[l], known);
      let t = known.get(code);
      if (t === undefined) {
        t = fresh('t');
        known.set(code, t);
        frames[l].push(`const ${t} = ${code};`);
      }
      return t;
    }
    const e = (n: Node) => expr(n, frames, levels);
    switch (node.kind) {
      case 'op': {
        const [a, b] = node.args;
        if (node.op in BINARY) return `(${e(a)} ${BINARY[node.op]} ${e(b)})`;
        if (node.op in COMPARE) return `+(${e(a)} ${COMPARE[node.op]} ${e(b)})`;
        switch (node.op) {
          case '^': return `((${e(a)}) ** (${e(b)}))`;
          case 'neg': return `(-${e(a)})`;
          case 'and': return `+(${e(a)} !== 0 && ${e(b)} !== 0)`;
          case 'or': return `+(${e(a)} !== 0 || ${e(b)} !== 0)`;
          case 'not': return `+(${e(a)} === 0)`;
        }
        throw new Error(`unhandled operator ${node.op}`);
      }
      case 'cond': return `(${e(node.test)} !== 0 ? ${e(node.then)} : ${e(node.else)})`;
      case 'call': return BUILTINS[node.fn].js(node.args.map(e));
      case 'apply': return `f_${node.fn}(${node.args.map(e).join(', ')})`;
      case 'root': {
        // numerics/roots.ts safeguardedNewton, inlined: the same operations in the same order (two first
        // passes evaluate the ends of the bracket), so compiled and interpreted roots agree bit for bit.
        const out = frames[cur];
        const lo = e(node.lower);
        const hi = e(node.upper);
        const [a, b, ga, neg, z, r, k] = ['a', 'b', 'ga', 'neg', 'z', 'r', 'k'].map(fresh);
        const inner = new Map(levels).set(node.variable, cur + 1);
        const body: string[] = [];
        const g = expr(node.expr, [...frames, body], inner);
        const dg = expr(node.slope, [...frames, body], inner);
        // The same inner problem twice in one frame (a prox and its implicit derivative) is solved once.
        const key = [lo, hi, g, dg, ...body].join('\n');
        const solved = roots.get(out) ?? new Map<string, string>();
        roots.set(out, solved);
        const known = solved.get(key);
        if (known !== undefined) return known;
        solved.set(key, r);
        const tol = (x: string) => `${NEWTON_XTOL} * (1 + Math.abs(${x}))`;
        out.push(
          `let ${a} = ${lo}, ${b} = ${hi}, ${ga} = 0, ${neg} = false, ${z} = ${a}, ${r} = NaN, ${k} = 0;`,
          `for (; ${k} < ${NEWTON_MAX_ITERATIONS + 2}; ${k}++) {`,
          `  const b_${node.variable} = ${z};`,
          ...body.map((x) => `  ${x}`),
          `  const gz = ${g};`,
          `  if (${k} === 0) { if (gz === 0) { ${r} = ${z}; break; } ${ga} = gz; ${z} = ${b}; continue; }`,
          `  if (${k} === 1) { if (gz === 0) { ${r} = ${z}; break; } if (!(${ga} * gz < 0)) break; ${neg} = ${ga} < 0; ${z} = 0.5 * (${a} + ${b}); continue; }`,
          `  if (gz === 0) { ${r} = ${z}; break; }`,
          `  if (gz < 0 === ${neg}) ${a} = ${z}; else ${b} = ${z};`,
          `  let nx = ${z} - gz / ${dg};`,
          `  if (!(nx > Math.min(${a}, ${b}) && nx < Math.max(${a}, ${b}))) nx = 0.5 * (${a} + ${b});`,
          `  if (Math.abs(nx - ${z}) <= ${tol(z)} || Math.abs(${b} - ${a}) <= ${tol(z)}) { ${r} = nx; break; }`,
          `  ${z} = nx;`,
          '}',
          `if (${k} === ${NEWTON_MAX_ITERATIONS + 2}) ${r} = ${z};`,
        );
        return r;
      }
      case 'expect': {
        const acc = fresh('e');
        const out = frames[cur];
        const inner = new Map(levels).set(node.variable, cur + 1);
        const m = node.measure;
        out.push(`let ${acc} = 0;`);
        if (m.kind === 'normal') {
          const T = table(m.nodes);
          const i = fresh('i');
          const body: string[] = [];
          const v = expr(node.body, [...frames, body], inner);
          out.push(`for (let ${i} = 0; ${i} < ${m.nodes}; ${i}++) {`, `  const b_${node.variable} = ${T}x[${i}];`,
            ...body.map((s) => `  ${s}`), `  ${acc} += ${T}w[${i}] * ${v};`, '}');
        } else if (m.kind === 'normal-interval') {
          // A Gauss-Legendre rule mapped onto the interval, rebuilt when its ends change, into a buffer of its own.
          const buf = fresh('R');
          buffers.push(`const ${buf} = { nodes: new Float64Array(${m.nodes}), weights: new Float64Array(${m.nodes}) };`);
          const lo = m.lower ? e(m.lower) : '-Infinity';
          const hi = m.upper ? e(m.upper) : 'Infinity';
          const i = fresh('i');
          const body: string[] = [];
          const v = expr(node.body, [...frames, body], inner);
          out.push(`S_truncRule(${lo}, ${hi}, ${m.nodes}, ${buf});`, `for (let ${i} = 0; ${i} < ${m.nodes}; ${i}++) {`,
            `  const b_${node.variable} = ${buf}.nodes[${i}];`, ...body.map((x) => `  ${x}`), `  ${acc} += ${buf}.weights[${i}] * ${v};`, '}');
        } else {
          const probs = m.probs.map(e);
          m.values.forEach((value, k) => {
            const body: string[] = [];
            const v = expr(node.body, [...frames, body], inner);
            out.push('{', `  const b_${node.variable} = ${num(value)};`, ...body.map((s) => `  ${s}`), `  ${acc} += ${probs[k]} * ${v};`, '}');
          });
        }
        return acc;
      }
    }
  };

  const block = (assign: (v: string) => string, node: Node, levels = new Map<string, number>()): string[] => {
    const frame: string[] = [];
    const v = expr(node, [frame], levels);
    return frame.length === 0 ? [assign(v)] : ['{', ...frame.map((s) => `  ${s}`), `  ${assign(v)}`, '}'];
  };
  const indent = (lines: string[], pad = '  ') => lines.map((s) => pad + s);

  const fns = program.functions.flatMap((f) => [
    `function f_${f.name}(${f.args.map((a) => `b_${a}`).join(', ')}) {`,
    ...indent(block((v) => `return ${v};`, f.body)),
    '}',
  ]);
  const st = program.state;
  const update = [
    'function update(x, out) {',
    `  let ${st.map((s, i) => `s_${s.name} = x[${i}]`).join(', ')};`,
    ...program.updates.flatMap((u) => indent(block((v) => `s_${st[u.target].name} = ${v};`, u.expr))),
    ...st.map((s, i) => `  out[${i}] = s_${s.name};`),
    '}',
  ];
  const observables = [
    'function observables(x, out) {',
    ...(st.length ? [`  const ${st.map((s, i) => `s_${s.name} = x[${i}]`).join(', ')};`] : []),
    ...program.observables.flatMap((o, i) => indent(block((v) => `out[${i}] = ${v}; // ${o.name}`, o.expr))),
    '}',
  ];
  const specials = Object.keys(BUILTINS).filter((n) => BUILTINS[n].js(['x']).startsWith('S_')).map((n) => `S_${n} = S.S_${n}`);
  const header = [
    `// saddle: generated kernels for model "${program.model.name}" (${program.model.file})`,
    '"use strict";',
    `const ${specials.join(', ')};`,
    ...(program.params.length ? [`const ${program.params.map((p, i) => `p_${p.name} = P[${i}]`).join(', ')};`] : []),
    ...tables.map((n, k) => `const GH${n}x = T[${k}].nodes, GH${n}w = T[${k}].weights;`),
    'const S_truncRule = S.S_truncRule;',
    ...buffers,
  ];
  const source = [...header, ...fns, ...update, ...observables, 'return { update, observables };', ''].join('\n');
  return { source, tables };
}
