import { BUILTINS } from '../ir/builtins.ts';
import { inlineCalls } from '../ir/inline.ts';
import { substitute } from '../ir/derive.ts';
import { NEWTON_MAX_ITERATIONS, NEWTON_XTOL } from '../numerics/roots.ts';
import { isStatic, mapMeasure, measureNodes, walk, type Node, type Program } from '../ir/nodes.ts';
import { applyOp } from '../ir/simplify.ts';

/** JavaScript source of a model's kernels, plus the Gauss-Hermite node counts its loops read from `T`. */
export interface Generated {
  readonly source: string; // body of `function (P, S, T)` returning Kernels
  readonly tables: readonly number[]; // T[k] is the Gauss-Hermite rule with tables[k] nodes
}

type Expect = Extract<Node, { kind: 'expect' }>;

const num = (v: number): string =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '(-Infinity)' : v < 0 || Object.is(v, -0) ? `(${v})` : `${v}`;

const BINARY: Readonly<Record<string, string>> = { '+': '+', '-': '-', '*': '*', '/': '/' };
const COMPARE: Readonly<Record<string, string>> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '==': '===', '!=': '!==' };

/**
 * Constant folding, exact: an operation or built-in on numbers becomes its value (the same JS operation the
 * generated code would run), a conditional with a constant test becomes its branch, x * 1 and x / 1 become x.
 * Model files written generically (a label-flip probability of 0, a glm piece with default arguments) then
 * cost nothing for the generality they do not use.
 */
function fold(node: Node): Node {
  const memo = new WeakMap<Node, Node>();
  const one = (n: Node) => n.kind === 'num' && n.value === 1;
  const go = (n: Node): Node => {
    const known = memo.get(n);
    if (known) return known;
    let out: Node = n;
    switch (n.kind) {
      case 'op': {
        const args = n.args.map(go);
        if (args.every((a) => a.kind === 'num')) {
          const [a, b] = args as { value: number }[];
          out = { kind: 'num', value: applyOp(n.op, a.value, b?.value ?? NaN) };
        } else if (n.op === '*' && one(args[0])) out = args[1];
        else if ((n.op === '*' || n.op === '/') && one(args[1])) out = args[0];
        else out = { ...n, args };
        break;
      }
      case 'call': {
        const args = n.args.map(go);
        out = args.every((a) => a.kind === 'num')
          ? { kind: 'num', value: BUILTINS[n.fn].fn(...args.map((a) => (a as { value: number }).value)) }
          : { ...n, args };
        break;
      }
      case 'apply': out = { ...n, args: n.args.map(go) }; break;
      case 'cond': {
        const test = go(n.test);
        // NaN counts as true, as in the interpreter and the generated code.
        out = test.kind === 'num' ? go(test.value !== 0 ? n.then : n.else) : { kind: 'cond', test, then: go(n.then), else: go(n.else) };
        break;
      }
      case 'expect': out = { ...n, measure: mapMeasure(n.measure, go), body: go(n.body) }; break;
      case 'root': out = { ...n, expr: go(n.expr), slope: go(n.slope), lower: go(n.lower), upper: go(n.upper) }; break;
      default:
    }
    memo.set(n, out);
    return out;
  };
  return go(node);
}

/**
 * Emits straight-line JS, doing what a careful hand-written implementation does:
 * - expectations become loops over quadrature tables that are constants of the closure;
 * - a subexpression that does not depend on a loop's variable is computed once, before that loop
 *   (loop-invariant hoisting), and identical subexpressions in one scope are computed once (CSE);
 * - user functions are inlined, so one inner problem (a prox) serves every expression that needs it;
 * - expectations over the same measure that can be evaluated at the same point of a sweep (in different
 *   updates, or side by side in one body) share one loop nest (fusion): the prox at a node is solved once
 *   for f_out, f_out^2 and its derivative. Each accumulator still sums the same terms in the same order,
 *   so the values are those of the reference interpreter.
 */
export function generate(program: Program): Generated {
  const tables: number[] = [];
  const table = (n: number) => {
    if (!tables.includes(n)) tables.push(n);
    return `GH${n}`;
  };
  let counter = 0;
  // Names in the generated source are saddle's own (p0, s3, v1, f2): nothing written in the model file (a name,
  // its path) ever becomes code. Bound variables keep their scoping by name, through this table.
  const boundIds = new Map<string, string>();
  const bv = (name: string) => {
    let id = boundIds.get(name);
    if (id === undefined) boundIds.set(name, (id = `v${boundIds.size}`));
    return id;
  };
  const statics: string[] = []; // rules whose ends are fixed for a whole solve, built once per Problem
  const buffers: string[] = []; // per-expectation scratch arrays, allocated once per Problem
  const cse = new WeakMap<string[], Map<string, string>>(); // per scope: code -> const holding it
  const fused = new WeakMap<string[], Map<Expect, string>>(); // per scope: pre-emitted expectation -> accumulator
  const fresh = (p: string) => `${p}${counter++}`;
  const scope = <V>(m: WeakMap<string[], Map<string, V>> | WeakMap<string[], Map<Expect, V>>, frame: string[]) => {
    const map = m as WeakMap<string[], Map<unknown, V>>;
    let s = map.get(frame);
    if (!s) map.set(frame, (s = new Map()));
    return s;
  };

  /** Deepest loop level among the bound variables a node reads (0: outside every loop). */
  const levelOf = (node: Node, levels: ReadonlyMap<string, number>): number => {
    let l = 0;
    const visit = (n: Node, shadow: ReadonlySet<string>): void => {
      switch (n.kind) {
        case 'bound': if (!shadow.has(n.name)) l = Math.max(l, levels.get(n.name) ?? 0); return;
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

  /** `code` as a const of the frame (reused when the same code was already computed there). */
  const bind = (code: string, frame: string[], prefix = 't'): string => {
    const known = scope(cse, frame);
    let t = known.get(code);
    if (t === undefined) {
      t = fresh(prefix);
      known.set(code, t);
      frame.push(`const ${t} = ${code};`);
    }
    return t;
  };

  /** JS for `node` evaluated inside frames[frames.length-1]; statements it needs go into the frames. */
  const expr = (node: Node, frames: string[][], levels: ReadonlyMap<string, number>): string => {
    const cur = frames.length - 1;
    switch (node.kind) {
      case 'num': return num(node.value);
      case 'param': return `p${node.index}`;
      case 'state': return `s${node.index}`;
      case 'bound': return bv(node.name);
      default:
    }
    const l = levelOf(node, levels);
    if (l < cur) return expr(node, frames.slice(0, l + 1), levels); // loop-invariant: computed before the loop
    const e = (n: Node) => expr(n, frames, levels);
    switch (node.kind) {
      case 'op': {
        const [a, b] = node.args;
        if (node.op in BINARY) return bind(`(${e(a)} ${BINARY[node.op]} ${e(b)})`, frames[cur]);
        if (node.op in COMPARE) return bind(`+(${e(a)} ${COMPARE[node.op]} ${e(b)})`, frames[cur]);
        switch (node.op) {
          case '^': return bind(`((${e(a)}) ** (${e(b)}))`, frames[cur]);
          case 'neg': return bind(`(-${e(a)})`, frames[cur]);
          case 'and': return bind(`+(${e(a)} !== 0 && ${e(b)} !== 0)`, frames[cur]);
          case 'or': return bind(`+(${e(a)} !== 0 || ${e(b)} !== 0)`, frames[cur]);
          case 'not': return bind(`+(${e(a)} === 0)`, frames[cur]);
        }
        throw new Error(`unhandled operator ${node.op}`);
      }
      case 'cond': {
        // Only the branch taken runs (a piecewise prox, a guarded formula); each branch is a block of its own
        // that sees the temporaries computed before it. Invariant parts still hoist out of loops.
        const test = e(node.test);
        const parent = frames[cur];
        const branch = (n: Node): [string[], string] => {
          const frame: string[] = [];
          const seen = cse.get(parent);
          if (seen) cse.set(frame, new Map(seen));
          const pre = fused.get(parent);
          if (pre) fused.set(frame, pre);
          return [frame, expr(n, [...frames.slice(0, cur), frame], levels)];
        };
        const [thenFrame, a] = branch(node.then);
        const [elseFrame, b] = branch(node.else);
        const t = fresh('c');
        parent.push(`let ${t};`, `if (${test} !== 0) {`, ...thenFrame.map((x) => `  ${x}`), `  ${t} = ${a};`,
          '} else {', ...elseFrame.map((x) => `  ${x}`), `  ${t} = ${b};`, '}');
        return t;
      }
      case 'call': return bind(BUILTINS[node.fn].js(node.args.map(e)), frames[cur]);
      case 'apply': return expr(inlineCalls(node, program.functions), frames, levels);
      case 'root': return root(node, frames, levels);
      case 'expect': {
        const pre = fused.get(frames[cur])?.get(node);
        if (pre !== undefined) return pre;
        const key = `E:${JSON.stringify(node)}`; // the same expectation twice in one scope: once
        const known = scope(cse, frames[cur]).get(key);
        if (known !== undefined) return known;
        const [acc] = loops([node], frames, levels);
        scope(cse, frames[cur]).set(key, acc);
        return acc;
      }
    }
  };

  // numerics/roots.ts safeguardedNewton, inlined: the same operations in the same order (two first
  // passes evaluate the ends of the bracket), so compiled and interpreted roots agree bit for bit.
  const root = (node: Extract<Node, { kind: 'root' }>, frames: string[][], levels: ReadonlyMap<string, number>): string => {
    const cur = frames.length - 1;
    const out = frames[cur];
    const lo = expr(node.lower, frames, levels);
    const hi = expr(node.upper, frames, levels);
    // The same inner problem twice in one scope (a prox and its implicit derivative) is solved once.
    // Alpha-equivalent problems match: prox(p, loss(p), ...) and moreau(u, loss(u), ...) share one solve.
    const canonical = new Map([[node.variable, { kind: 'bound', name: '$root' } as Node]]);
    const key = `R:${lo}:${hi}:${JSON.stringify([substitute(node.expr, canonical), substitute(node.slope, canonical), node.increasing])}`;
    const known = scope(cse, out).get(key);
    if (known !== undefined) return known;
    const [a, b, ga, neg, z, r, k, st, so] = ['a', 'b', 'ga', 'neg', 'z', 'r', 'k', 'st', 'so'].map(fresh);
    scope(cse, out).set(key, r);
    const inner = new Map(levels).set(node.variable, cur + 1);
    const body: string[] = [];
    const g = expr(node.expr, [...frames, body], inner);
    const dg = expr(node.slope, [...frames, body], inner);
    const tol = (x: string) => `${NEWTON_XTOL} * (1 + Math.abs(${x}))`;
    out.push(
      // increasing: g(lo) < 0 < g(hi) is known, so the first two passes (the ends of the bracket) are skipped.
      node.increasing
        ? `let ${a} = ${lo}, ${b} = ${hi}, ${ga} = 0, ${neg} = true, ${z} = 0.5 * (${a} + ${b}), ${r} = NaN, ${k} = 2, ${st} = Math.abs(${b} - ${a}), ${so} = ${st};`
        : `let ${a} = ${lo}, ${b} = ${hi}, ${ga} = 0, ${neg} = false, ${z} = ${a}, ${r} = NaN, ${k} = 0, ${st} = 0, ${so} = 0;`,
      `for (; ${k} < ${NEWTON_MAX_ITERATIONS + 2}; ${k}++) {`,
      `  const ${bv(node.variable)} = ${z};`,
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
  };

  /** What decides whether two expectations can share a loop: variable, rule, and the rule's parameters. */
  const measureKey = (node: Expect, frames: string[][], levels: ReadonlyMap<string, number>): string => {
    const m = node.measure;
    const parts = measureNodes(m).map((p) => expr(p, frames, levels));
    const shape = m.kind === 'discrete' ? m.values.map(num).join(',') : `${m.nodes}`;
    const ends = m.kind === 'normal-interval' ? `${m.lower ? 'L' : ''}${m.upper ? 'U' : ''}` : '';
    return [node.variable, m.kind, shape, ends, ...parts].join('|');
  };

  /** One loop nest computing the expectations `nodes` (same measure key) into the current frame. */
  const loops = (nodes: readonly Expect[], frames: string[][], levels: ReadonlyMap<string, number>): string[] => {
    const cur = frames.length - 1;
    const out = frames[cur];
    const e = (n: Node) => expr(n, frames, levels);
    const { variable, measure: m } = nodes[0];
    const accs = nodes.map(() => fresh('e'));
    out.push(`let ${accs.map((a) => `${a} = 0`).join(', ')};`);
    const inner = new Map(levels).set(variable, cur + 1);
    const bodies = (body: string[]) => {
      const fr = [...frames, body];
      prefetch(nodes.map((n) => n.body), fr, inner);
      return nodes.map((n) => expr(n.body, fr, inner));
    };
    const loop = (count: number, x: string, w: string) => {
      const i = fresh('i');
      const body: string[] = [];
      const vs = bodies(body);
      out.push(`for (let ${i} = 0; ${i} < ${count}; ${i}++) {`, `  const ${bv(variable)} = ${x}[${i}];`,
        ...body.map((s) => `  ${s}`), ...accs.map((a, k) => `  ${a} += ${w}[${i}] * ${vs[k]};`), '}');
    };
    if (m.kind === 'normal') {
      const T = table(m.nodes);
      loop(m.nodes, `${T}x`, `${T}w`);
    } else if (m.kind === 'normal-interval') {
      const buf = fresh('R');
      const ends = [m.lower, m.upper];
      if (ends.every((n) => n === null || isStatic(n))) {
        // Ends fixed for the whole solve: the Gauss rule of the truncated normal, built once per Problem.
        const header: string[] = [];
        const [lo, hi] = ends.map((n, k) => (n ? expr(n, [header], new Map()) : k === 0 ? '-Infinity' : 'Infinity'));
        statics.push(...header, `const ${buf} = S_truncGauss(${lo}, ${hi}, ${m.nodes});`);
      } else {
        // Ends that move with the state: a Gauss-Legendre window rule, rebuilt into a buffer of its own.
        buffers.push(`const ${buf} = { nodes: new Float64Array(${m.nodes}), weights: new Float64Array(${m.nodes}) };`);
        const [lo, hi] = ends.map((n, k) => (n ? e(n) : k === 0 ? '-Infinity' : 'Infinity'));
        out.push(`S_truncRule(${lo}, ${hi}, ${m.nodes}, ${buf});`);
      }
      loop(m.nodes, `${buf}.nodes`, `${buf}.weights`);
    } else {
      const probs = m.probs.map(e);
      m.values.forEach((value, k) => {
        const body: string[] = [];
        const vs = bodies(body);
        out.push('{', `  const ${bv(variable)} = ${num(value)};`, ...body.map((s) => `  ${s}`),
          ...accs.map((a, j) => `  ${a} += ${probs[k]} * ${vs[j]};`), '}');
      });
    }
    return accs;
  };

  /**
   * Fusion: the outermost expectations of `exprs` that are evaluated in the current frame (they depend on
   * its loop variable, or it is the outermost frame) are grouped by measure, and every group of two or more
   * is computed by one loop nest now; `expr` then finds their accumulators. `take` filters the candidates.
   */
  const prefetch = (exprs: readonly Node[], frames: string[][], levels: ReadonlyMap<string, number>,
    take: (n: Expect) => boolean = () => true): void => {
    const cur = frames.length - 1;
    const found: Expect[] = [];
    const twins = new Map<string, Expect>(); // structurally equal expectations share one accumulator
    const alias = new Map<Expect, Expect>();
    const visit = (n: Node): void => {
      switch (n.kind) {
        case 'expect': {
          if (levelOf(n, levels) !== cur || !take(n) || found.includes(n) || alias.has(n)) return;
          const sig = JSON.stringify(n);
          const twin = twins.get(sig);
          if (twin) alias.set(n, twin);
          else { twins.set(sig, n); found.push(n); }
          return;
        }
        case 'root': return; // its inner variable changes inside the Newton loop
        case 'call': case 'op': n.args.forEach(visit); return;
        case 'apply': visit(inlineCalls(n, program.functions)); return;
        case 'cond': visit(n.test); visit(n.then); visit(n.else); return;
        default:
      }
    };
    exprs.forEach(visit);
    const groups = new Map<string, Expect[]>();
    for (const n of found) {
      const key = measureKey(n, frames, levels);
      groups.set(key, [...(groups.get(key) ?? []), n]);
    }
    const pre = scope(fused, frames[cur]);
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      loops(group, frames, levels).forEach((acc, k) => pre.set(group[k], acc));
    }
    for (const [n, twin] of alias) { const acc = pre.get(twin); if (acc) pre.set(n, acc); }
  };

  const indent = (lines: string[], pad = '  ') => lines.map((s) => pad + s);
  const st = program.state;
  const updates = program.updates.map((u) => ({ target: u.target, expr: fold(inlineCalls(u.expr, program.functions)) }));
  const observables = program.observables.map((o) => ({ name: o.name, expr: fold(inlineCalls(o.expr, program.functions)) }));

  /**
   * A sequence of assignments, with fusion across them: an expectation of statement j is computed before
   * statement p, the earliest point after which nothing it reads is reassigned, together with the other
   * expectations over the same measure that can be computed there.
   */
  const statements = (list: readonly { expr: Node; assign: (v: string) => string; writes?: number }[]): string[] => {
    const outermost = (n: Node): Expect[] => {
      const found: Expect[] = [];
      const visit = (x: Node): void => {
        if (x.kind === 'expect') { found.push(x); return; }
        if (x.kind === 'root') return;
        if (x.kind === 'call' || x.kind === 'op' || x.kind === 'apply') x.args.forEach(visit);
        if (x.kind === 'cond') { visit(x.test); visit(x.then); visit(x.else); }
      };
      visit(n);
      return found;
    };
    const reads = (n: Node) => {
      const s = new Set<number>();
      walk(n, (x) => { if (x.kind === 'state') s.add(x.index); });
      return s;
    };
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
      prefetch(later, [frame], new Map(), here);
      const pre = fused.get(frame);
      if (pre) {
        // Accumulators live at function level; each later statement looks its own expectations up.
        lines.push(...frame);
        list.forEach((s, j) => {
          if (j < p) return;
          for (const x of outermost(s.expr)) { const acc = pre.get(x); if (acc) owner[j].set(x, acc); }
        });
      }
      const own: string[] = [];
      fused.set(own, owner[p]);
      const v = expr(stmt.expr, [own], new Map());
      lines.push(...(own.length === 0 ? [stmt.assign(v)] : ['{', ...indent(own), `  ${stmt.assign(v)}`, '}']));
    });
    return lines;
  };

  const update = [
    'function update(x, out) {',
    `  let ${st.map((_, i) => `s${i} = x[${i}]`).join(', ')};`,
    ...indent(statements(updates.map((u) => ({ expr: u.expr, writes: u.target, assign: (v: string) => `s${u.target} = ${v};` })))),
    ...st.map((_, i) => `  out[${i}] = s${i};`),
    '}',
  ];
  const observableLines = [
    'function observables(x, out) {',
    ...(st.length ? [`  const ${st.map((_, i) => `s${i} = x[${i}]`).join(', ')};`] : []),
    ...indent(statements(observables.map((o, i) => ({ expr: o.expr, assign: (v: string) => `out[${i}] = ${v};` })))),
    '}',
  ];
  // User functions, for callers outside the update map (GAMP): each compiled like an update, arguments bound.
  const functionLines = program.functions.flatMap((f, k) => {
    const frame: string[] = [];
    const v = expr(fold(inlineCalls(f.body, program.functions)), [frame], new Map());
    return [`function f${k}(${f.args.map(bv).join(', ')}) {`, ...indent(frame), `  return ${v};`, '}'];
  });
  const specials = Object.keys(BUILTINS).filter((n) => BUILTINS[n].js(['x']).startsWith('S_')).map((n) => `S_${n} = S.S_${n}`);
  const header = [
    // No model text here, not even in comments: p<k> is parameter k, s<k> order parameter k, v<k> a bound variable,
    // f<k> user function k, in the order of Program (saddle check --debug lists them).
    '// saddle: generated kernels',
    '"use strict";',
    `const ${specials.join(', ')};`,
    ...(program.params.length ? [`const ${program.params.map((_, i) => `p${i} = P[${i}]`).join(', ')};`] : []),
    ...tables.map((n, k) => `const GH${n}x = T[${k}].nodes, GH${n}w = T[${k}].weights;`),
    'const S_truncRule = S.S_truncRule, S_truncGauss = S.S_truncGauss;',
    ...statics,
    ...buffers,
  ];
  const exported = program.functions.map((_, k) => `f${k}`).join(', ');
  const source = [...header, ...functionLines, ...update, ...observableLines,
    `return { update, observables, functions: [${exported}] };`, ''].join('\n');
  return { source, tables };
}
