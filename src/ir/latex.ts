import { BUILTINS } from './builtins.ts';
import { walk, type Measure, type Node, type Op, type Program } from './nodes.ts';
import { declaredLaw, measureKind } from './measures/index.ts';
import { sameNode } from './simplify.ts';

/**
 * The LaTeX printer of the IR: what `saddle report` shows is printed from the same `Program` the solver is
 * compiled from, not from the text of the model file.
 *
 * - Names: Greek names become letters (alpha -> \alpha, Delta -> \Delta), a `hat` suffix a hat (qhat -> \hat q,
 *   Vhat -> \hat V), trailing digits and `_tail` a subscript (Delta0 -> \Delta_{0}, alpha_c -> \alpha_{c}); the
 *   glm pieces' prefixes `prior_` and `channel_` become the subscripts w and out (prior_xi -> \xi_{w}); other
 *   multi-letter names stay upright (gen_error -> \mathrm{gen\_error}).
 * - Uses of a definition print as the definition's name (Program.definitionUses), not as its inlined body.
 * - E over a normal or discrete variable is \mathbb{E}_{z}[\, f \,]; nested expectations merge
 *   (\mathbb{E}_{z,\eta}); a restricted one, E(z > a, f) = \int_a^\infty Dz f (not renormalised), is written
 *   \mathbb{E}_{z}[\, f \,;\, z > a \,], the probabilists' E[X; A] = E[X 1_A].
 * - Parentheses only where precedence needs them; a / b is a fraction; conditionals are cases.
 */

/** Precedence levels: an operand is wrapped in parentheses when its level is below what its place needs. */
const P = { cond: 0, or: 1, and: 2, cmp: 3, add: 4, mul: 5, neg: 6, pow: 7, atom: 8 } as const;

interface Tex {
  readonly tex: string;
  readonly prec: number;
  /** A radical or a fraction: an atom for products, but wrapped when raised to a power. */
  readonly tall?: boolean;
}

const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta', 'iota', 'kappa',
  'lambda', 'mu', 'nu', 'xi', 'pi', 'rho', 'varrho', 'sigma', 'tau', 'upsilon', 'phi', 'varphi', 'chi', 'psi', 'omega',
  'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Upsilon', 'Phi', 'Psi', 'Omega',
]);
/** Whole names with a conventional symbol of their own. */
const SPECIAL_NAMES: Readonly<Record<string, string>> = { eps: '\\varepsilon', Inf: '\\infty' };
/** Suffixes read as a subscript after a one-letter head: fout -> f_{out}, Zw -> Z_{w}, ka -> k_{a}. */
const SUFFIXES = new Set(['out', 'in', 'w', 'a', 'b', 'v']);
/** Prefixes of the glm pieces (src/glm): the prior side carries the subscript w, the channel side out. */
const PREFIXES: Readonly<Record<string, string>> = { prior: 'w', channel: '\\mathrm{out}' };

const escapeWord = (w: string) => w.replace(/_/g, '\\_');
const subscriptWord = (w: string) => (w.length === 1 || /^\d+$/.test(w) ? w : GREEK.has(w) ? `\\${w}` : `\\mathrm{${escapeWord(w)}}`);

/**
 * A name as a symbol: `{tex}` when it reads as a mathematical symbol (a letter, a Greek letter, with hat and
 * subscripts), else undefined (a word, to be set upright by the caller).
 */
function symbolOf(name: string): string | undefined {
  if (Object.hasOwn(SPECIAL_NAMES, name)) return SPECIAL_NAMES[name];
  for (const [prefix, sub] of Object.entries(PREFIXES)) {
    if (name.startsWith(`${prefix}_`) && name.length > prefix.length + 1) {
      const inner = symbolOf(name.slice(prefix.length + 1));
      if (inner === undefined) return `\\mathrm{${escapeWord(name.slice(prefix.length + 1))}}_{${sub}}`;
      return addSubscript(inner, sub);
    }
  }
  const parts = name.split('_');
  if (parts.length > 1 && parts.every(Boolean)) {
    let head = symbolOf(parts[0]);
    if (head === undefined) return undefined;
    const rest = parts.slice(1);
    if (rest[0] === 'hat' && !head.includes('_') && !head.startsWith('\\hat')) { head = `\\hat{${head}}`; rest.shift(); }
    return rest.length ? addSubscript(head, rest.map(subscriptWord).join(',')) : head;
  }
  if (name.startsWith('log') && name.length > 3) {
    const rest = symbolOf(name.slice(3));
    if (rest !== undefined && /^[A-Z]/.test(name.slice(3))) return `\\log ${rest}`;
  }
  const digits = /^(.*?)(\d+)$/.exec(name);
  if (digits && digits[1]) {
    const head = symbolOf(digits[1]) ?? `\\mathrm{${digits[1]}}`;
    return addSubscript(head, digits[2]);
  }
  const hat = /^(.+)hat$/.exec(name);
  if (hat) {
    const base = symbolOf(hat[1]);
    if (base !== undefined && !base.includes('_') && !base.startsWith('\\hat')) return `\\hat{${base}}`;
  }
  if (GREEK.has(name)) return `\\${name}`;
  if (/^[A-Za-z]$/.test(name)) return name;
  const suffixed = /^([A-Za-z])([A-Z]|[a-z]+)$/.exec(name);
  if (suffixed && (SUFFIXES.has(suffixed[2]) || /^[A-Z]$/.test(suffixed[2]))) return `${suffixed[1]}_{${subscriptWord(suffixed[2])}}`;
  return undefined;
}

/** Adds a subscript, merging with one the symbol already has (\xi_{w} + 1 -> \xi_{w,1}). */
function addSubscript(tex: string, sub: string): string {
  const m = /^(.*)_\{(.*)\}$/.exec(tex);
  return m && !m[2].includes('}') ? `${m[1]}_{${m[2]},${sub}}` : `${tex}_{${sub}}`;
}

/** A value's name in LaTeX: alpha -> \alpha, qhat -> \hat{q}, Delta_out -> \Delta_{\mathrm{out}}, gen_error -> \mathrm{gen\_error}. */
export function latexSymbol(name: string): string {
  return symbolOf(name) ?? `\\mathrm{${escapeWord(name)}}`;
}

/** A user function's name in LaTeX: f, f_{\mathrm{out}}, \log Z_{w}, or \operatorname{name}. */
export function latexFunctionName(name: string): string {
  return symbolOf(name) ?? `\\operatorname{${escapeWord(name)}}`;
}

/** Constants that folding leaves as numbers, shown by their names. */
const NAMED_NUMBERS: readonly (readonly [number, Tex])[] = [
  [Math.PI, { tex: '\\pi', prec: P.atom }],
  [Math.E, { tex: 'e', prec: P.atom }],
  [2 * Math.PI, { tex: '2\\pi', prec: P.mul }],
  [Math.SQRT2, { tex: '\\sqrt{2}', prec: P.atom, tall: true }],
  [Math.sqrt(Math.PI), { tex: '\\sqrt{\\pi}', prec: P.atom, tall: true }],
  [Math.sqrt(2 * Math.PI), { tex: '\\sqrt{2\\pi}', prec: P.atom, tall: true }],
  [1 / Math.sqrt(2 * Math.PI), { tex: '\\frac{1}{\\sqrt{2\\pi}}', prec: P.mul, tall: true }],
  [1 / Math.sqrt(Math.PI), { tex: '\\frac{1}{\\sqrt{\\pi}}', prec: P.mul, tall: true }],
  [Math.SQRT1_2, { tex: '\\frac{1}{\\sqrt{2}}', prec: P.mul, tall: true }],
];

/** A number: shortest round-trip digits, exponents as powers of ten, named constants by name. */
export function latexNumber(v: number): Tex {
  if (Number.isNaN(v)) return { tex: '\\mathrm{NaN}', prec: P.atom };
  if (v === Infinity) return { tex: '\\infty', prec: P.atom };
  if (v === -Infinity) return { tex: '-\\infty', prec: P.neg };
  const named = NAMED_NUMBERS.find(([x]) => x === Math.abs(v));
  if (named) return v < 0 ? { tex: `-${named[1].tex}`, prec: P.neg } : named[1];
  const s = String(Math.abs(v));
  let tex = s;
  let prec: number = P.atom;
  const e = /^(\d+(?:\.\d+)?)e([+-]\d+)$/.exec(s);
  if (e) {
    const power = `10^{${Number(e[2])}}`;
    tex = e[1] === '1' ? power : `${e[1]} \\cdot ${power}`;
    prec = e[1] === '1' ? P.pow : P.mul;
  }
  return v < 0 || Object.is(v, -0) ? { tex: `-${tex}`, prec: P.neg } : { tex, prec };
}

const paren = (t: Tex, min: number): string => (t.prec < min ? `\\left(${t.tex}\\right)` : t.tex);
const args = (xs: readonly Tex[]) => `\\left(${xs.map((x) => x.tex).join(', ')}\\right)`;

/** Built-ins with a conventional mathematical form; every other built-in is \operatorname{name}(...). */
const MATH_CALLS: Readonly<Record<string, string>> = {
  log: '\\log', sin: '\\sin', cos: '\\cos', tan: '\\tan', asin: '\\arcsin', acos: '\\arccos', atan: '\\arctan',
  sinh: '\\sinh', cosh: '\\cosh', tanh: '\\tanh', min: '\\min', max: '\\max',
};

const CMP: Readonly<Record<string, string>> = { '<': '<', '<=': '\\le', '>': '>', '>=': '\\ge', '==': '=', '!=': '\\neq' };

export interface LatexOptions {
  /** Nodes to print as a definition's name, and the definitions (default: none; `programLatex` passes the
   * program's `definitionUses` and `definitions`). */
  readonly definitionUses?: ReadonlyMap<Node, string>;
  readonly definitions?: readonly { readonly name: string; readonly expr: Node }[];
}

/** A node as LaTeX (math mode). */
export function toLatex(node: Node, options: LatexOptions = {}): string {
  return new Printer(options.definitionUses, options.definitions).print(node).tex;
}

const LEAVES = new Set<Node['kind']>(['num', 'param', 'state', 'bound']);

class Printer {
  /** Definitions whose body is more than a leaf: a copy of one (made by D, prox or moreau, which rebuild the
   * trees they pass through) is recognised by its structure. A leaf (rho: 1) is recognised only by identity. */
  private readonly compound: readonly { readonly name: string; readonly expr: Node }[];

  constructor(private readonly uses: ReadonlyMap<Node, string> = new Map(), definitions: readonly { readonly name: string; readonly expr: Node }[] = []) {
    this.compound = definitions.filter((d) => !LEAVES.has(d.expr.kind));
  }

  /** The definition a node is a use of, if any. */
  private definitionOf(n: Node): string | undefined {
    const name = this.uses.get(n);
    if (name !== undefined || LEAVES.has(n.kind)) return name;
    return this.compound.find((d) => d.expr !== n && sameNode(d.expr, n))?.name;
  }

  print(n: Node): Tex {
    const def = this.definitionOf(n);
    if (def !== undefined) return { tex: latexSymbol(def), prec: P.atom };
    switch (n.kind) {
      case 'num': return latexNumber(n.value);
      case 'param': case 'state': case 'bound': return { tex: latexSymbol(n.name), prec: P.atom };
      case 'call': return this.call(n.fn, n.args.map((a) => this.print(a)));
      case 'apply': return { tex: `${latexFunctionName(n.fn)}${args(n.args.map((a) => this.print(a)))}`, prec: P.atom };
      case 'op': return this.op(n.op, n.args.map((a) => this.print(a)));
      case 'cond': return this.cond(n);
      case 'expect': return this.expect(n);
      case 'root': {
        const z = latexSymbol(n.variable);
        // A minimisation (argmin, prox) prints its objective; its search interval is a numerical device, left out.
        if (n.objective) return { tex: `\\operatorname*{argmin}_{${z}}\\left[\\, ${this.print(n.objective).tex} \\,\\right]`, prec: P.atom };
        // The bracket of a convex prox (`increasing`) only guarantees a sign change: the root is unique, so it is left out.
        const where = n.increasing ? z : `${z} \\in \\left[${this.print(n.lower).tex},\\, ${this.print(n.upper).tex}\\right]`;
        return { tex: `\\operatorname*{root}_{${where}}\\left[\\, ${this.print(n.expr).tex} \\,\\right]`, prec: P.atom };
      }
    }
  }

  private call(fn: string, xs: Tex[]): Tex {
    switch (fn) {
      case 'sqrt': return { tex: `\\sqrt{${xs[0].tex}}`, prec: P.atom, tall: true };
      case 'exp':
        return /\\frac|\\mathbb|\\begin/.test(xs[0].tex) || xs[0].tex.length > 40
          ? { tex: `\\exp${args(xs)}`, prec: P.atom } : { tex: `e^{${xs[0].tex}}`, prec: P.pow };
      case 'abs': return { tex: `\\left|${xs[0].tex}\\right|`, prec: P.atom };
      case 'floor': return { tex: `\\left\\lfloor ${xs[0].tex} \\right\\rfloor`, prec: P.atom };
      case 'ceil': return { tex: `\\left\\lceil ${xs[0].tex} \\right\\rceil`, prec: P.atom };
      case 'pow': return this.op('^', xs);
      default: {
        const name = MATH_CALLS[fn] ?? `\\operatorname{${fn}}`;
        return { tex: `${name}${args(xs)}`, prec: P.atom };
      }
    }
  }

  private op(op: string, xs: Tex[]): Tex {
    const [a, b] = xs;
    const startsNegative = (t: Tex) => t.tex.startsWith('-');
    switch (op) {
      case '+': return { tex: `${paren(a, P.add)} + ${startsNegative(b) ? `\\left(${b.tex}\\right)` : paren(b, P.add)}`, prec: P.add };
      case '-': return { tex: `${paren(a, P.add)} - ${startsNegative(b) ? `\\left(${b.tex}\\right)` : paren(b, P.mul)}`, prec: P.add };
      case '*': {
        const left = paren(a, P.mul);
        const right = startsNegative(b) ? `\\left(${b.tex}\\right)` : paren(b, P.mul);
        // A factor that starts with digits needs a visible product (2 \cdot 3); a number before a symbol is
        // juxtaposed (2 \alpha), other factors get a thin space (\alpha \, \hat{V}).
        const sep = /^[\d.]/.test(right) ? ' \\cdot ' : /^[\d.]+$/.test(left) && !/^\\(mathrm|operatorname)/.test(right) ? ' ' : ' \\, ';
        return { tex: `${left}${sep}${right}`, prec: P.mul };
      }
      case '/': return { tex: `\\frac{${a.tex}}{${b.tex}}`, prec: P.mul, tall: true };
      case '^': {
        const base = a.prec < P.atom || a.tall ? `\\left(${a.tex}\\right)` : a.tex;
        return { tex: `${base}^{${b.tex}}`, prec: P.pow };
      }
      case 'neg': return { tex: `-${startsNegative(a) ? `\\left(${a.tex}\\right)` : paren(a, P.mul)}`, prec: P.neg };
      case 'and': return { tex: `${paren(a, P.and)} \\land ${paren(b, P.and + 1)}`, prec: P.and };
      case 'or': return { tex: `${paren(a, P.or)} \\lor ${paren(b, P.or + 1)}`, prec: P.or };
      case 'not': return { tex: `\\lnot ${paren(a, P.atom)}`, prec: P.neg };
      default: return { tex: `${paren(a, P.cmp + 1)} ${CMP[op]} ${paren(b, P.cmp + 1)}`, prec: P.cmp };
    }
  }

  /**
   * Nested conditionals as one cases block, a line per branch with every test on its path (the negation of a
   * test whose else-branch it is): a > 0 ? x : (b < 0 ? y : z) is x if a > 0; y if a <= 0, b < 0; z otherwise.
   */
  private cond(n: Extract<Node, { kind: 'cond' }>): Tex {
    const lines: string[] = [];
    const visit = (at: Node, path: readonly Node[], last: boolean) => {
      if (at.kind === 'cond' && (at === n || this.definitionOf(at) === undefined)) {
        visit(at.then, [...path, at.test], false);
        visit(at.else, [...path, negation(at.test)], last);
        return;
      }
      const when = last ? '\\text{otherwise}' : `\\text{if } ${path.map((t) => this.print(t).tex).join(',\\ ')}`;
      lines.push(`${this.print(at).tex} & ${when}`);
    };
    visit(n, [], true);
    return { tex: `\\begin{dcases} ${lines.join(' \\\\ ')} \\end{dcases}`, prec: P.cond };
  }

  /** E_x[E_y[f]] as E_{x,y}[f]; restrictions of normal variables after a semicolon. */
  private expect(n: Extract<Node, { kind: 'expect' }>): Tex {
    const integral = measureKind(n.measure).latexIntegral;
    if (integral) return { tex: integral(latexSymbol(n.variable), n.measure, this.print(n.body).tex, (x) => this.print(x).tex), prec: P.atom };
    const vars: string[] = [];
    const restrictions: string[] = [];
    let at: Node = n;
    while (at.kind === 'expect' && (at === n || this.definitionOf(at) === undefined) && !measureKind(at.measure).latexIntegral) {
      const v = latexSymbol(at.variable);
      vars.push(v);
      const r = measureKind(at.measure).restriction?.(v, at.measure, (x) => this.print(x).tex);
      if (r) restrictions.push(r);
      at = at.body;
    }
    const body = this.print(at).tex;
    const where = restrictions.length ? ` \\;;\\; ${restrictions.join(',\\ ')}` : '';
    return { tex: `\\mathbb{E}_{${vars.join(',')}}\\left[\\, ${body}${where} \\,\\right]`, prec: P.atom };
  }
}

const FLIPPED: Readonly<Partial<Record<Op, Op>>> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<', '==': '!=', '!=': '==' };

/** The test of an else-branch: a comparison flipped (for display: NaN is not considered), else `not`. */
function negation(test: Node): Node {
  if (test.kind === 'op') {
    const flipped = FLIPPED[test.op];
    if (flipped) return { ...test, op: flipped };
    if (test.op === 'not') return test.args[0];
  }
  return { kind: 'op', op: 'not', args: [test] };
}

/** One displayed equation: `lhs relation rhs`, and the whole as `tex`. */
export interface LatexEquation {
  /** The name in the model file (order parameter, definition, function, observable, variable). */
  readonly name: string;
  readonly tex: string;
  readonly doc?: string;
}

/** A built-in special function used by the model, for the legend under the equations. */
export interface LatexBuiltin {
  readonly name: string;
  readonly tex: string;
  readonly doc: string;
}

/** Every part of a program as LaTeX, in the order a reader needs it. */
export interface ProgramLatex {
  readonly variables: readonly LatexEquation[];
  readonly functions: readonly LatexEquation[];
  readonly definitions: readonly LatexEquation[];
  /** In the order the solver applies them (each reads the values assigned before it in the same sweep). */
  readonly updates: readonly LatexEquation[];
  readonly observables: readonly LatexEquation[];
  readonly freeEnergy?: LatexEquation;
  readonly builtins: readonly LatexBuiltin[];
}

export interface ProgramLatexOptions {
  /** How an update is written: `m \leftarrow ...` (default: the solver's sequential assignment) or `m = ...`. */
  readonly updateRelation?: '\\leftarrow' | '=';
}

/** The whole program (updates, definitions, functions, observables, free energy, random variables) as LaTeX. */
export function programLatex(program: Program, options: ProgramLatexOptions = {}): ProgramLatex {
  const printer = new Printer(program.definitionUses, program.definitions);
  const tex = (n: Node) => printer.print(n).tex;
  const rel = options.updateRelation ?? '\\leftarrow';
  const model = program.info;
  const docOf = (name: string) => program.state.find((o) => o.name === name)?.doc;

  const roots: Node[] = [
    ...program.updates.map((u) => u.expr), ...program.observables.map((o) => o.expr),
    ...program.functions.map((f) => f.body), ...(program.definitions ?? []).map((d) => d.expr),
  ];
  const measures = new Map<string, Measure>();
  const used = new Set<string>();
  for (const r of roots) {
    walk(r, (n) => {
      if (n.kind === 'expect' && !measures.has(n.variable)) measures.set(n.variable, n.measure);
      if (n.kind === 'call') used.add(n.fn);
    });
  }

  const variables = model.variables.map((v): LatexEquation => {
    // The law's own printer (measures/), with an expectation's measure over v for probabilities written as expressions.
    const print = { expr: tex, number: (x: number) => latexNumber(x).tex };
    const { tex: law, note } = declaredLaw(v.law).latex(v, latexSymbol(v.name), model.nodes, measures.get(v.name), print);
    const doc = [v.doc, note].filter(Boolean).join('; ');
    return { name: v.name, tex: law, ...(doc && { doc }) };
  });

  const functions = program.functions.map((f): LatexEquation => ({
    name: f.name,
    tex: `${latexFunctionName(f.name)}\\left(${f.args.map(latexSymbol).join(', ')}\\right) = ${tex(f.body)}`,
  }));
  const definitions = (program.definitions ?? []).map((d): LatexEquation => ({ name: d.name, tex: `${latexSymbol(d.name)} = ${tex(d.expr)}` }));
  const updates = program.updates.map((u): LatexEquation => {
    const s = program.state[u.target];
    const doc = docOf(s.name);
    return { name: s.name, tex: `${latexSymbol(s.name)} ${rel} ${tex(u.expr)}`, ...(doc && { doc }) };
  });
  const observables = program.observables.filter((o) => o.name !== 'free_energy' || !model.freeEnergy)
    .map((o): LatexEquation => ({ name: o.name, tex: `${latexSymbol(o.name)} = ${tex(o.expr)}` }));
  const fe = model.freeEnergy ? program.observables.find((o) => o.name === 'free_energy') : undefined;
  const builtins = [...used].filter((fn) => !(fn in MATH_CALLS) && !['sqrt', 'exp', 'abs', 'floor', 'ceil', 'pow'].includes(fn))
    .sort().map((fn): LatexBuiltin => ({ name: fn, tex: `\\operatorname{${fn}}`, doc: BUILTINS[fn]?.doc ?? '' }));
  return {
    variables, functions, definitions, updates, observables, builtins,
    ...(fe && { freeEnergy: { name: 'free_energy', tex: `${latexSymbol('free_energy')} = ${tex(fe.expr)}` } }),
  };
}
