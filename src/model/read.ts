import { createHash } from 'node:crypto';
import { IoError } from '../base/errors.ts';
import { MAX_MODEL_BYTES, readTextBounded } from '../io/files.ts';
import { isMap, isScalar, isSeq, parseDocument, type Node as YNode, type Pair, type YAMLMap } from 'yaml';
import type { Issue, IssueCode, Loc } from '../base/issues.ts';
import { didYouMean } from '../base/suggest.ts';
import { dict, modelNameProblem, nameProblem, regionLabelProblem } from '../base/names.ts';
import type {
  Expr, FunctionDecl, Law, Model, NamedExpr, OrderParamDecl, ParamDecl, SolverDefaults, VariableDecl,
} from './types.ts';
import type { SectionGrammar } from './section.ts';

export const REQUIRED_INITS = ['uninformed', 'informed'] as const;
/** The sections this reader reads itself; the others are registered grammars (model/section.ts). */
const CORE_KEYS = [
  'name', 'description', 'conventions', 'source', 'quadrature', 'solver', 'params', 'order_params',
  'variables', 'functions', 'definitions', 'updates', 'observables', 'free_energy', 'regions',
];
const MAX_NODES = 400;
/** YAML syntax errors listed: after the first few, the parser has usually lost its way (a file of garbage
 * would otherwise list one error per token, hundreds of thousands of them). */
const MAX_YAML_ERRORS = 20;
/** The largest iteration budget a model file may ask for (the lasso's critical slowing down needs 1e6). */
export const MAX_ITERATIONS = 10_000_000;
/** The largest discrete law: each value is a block of generated code. */
export const MAX_DISCRETE_VALUES = 256;

export interface ReadResult {
  readonly model?: Model;
  readonly issues: readonly Issue[];
}

/**
 * Reads a model file from disk; a missing file is an issue like any other. Only a regular file of at most
 * MAX_MODEL_BYTES is read (a directory, /dev/zero or a FIFO is refused unread: io/files.ts).
 */
export function readModelFile(file: string, sections: readonly SectionGrammar[] = []): ReadResult {
  let text: string;
  try {
    text = readTextBounded(file, MAX_MODEL_BYTES);
  } catch (e) {
    const io = e instanceof IoError ? e : undefined;
    const why = io?.code === 'ENOENT' ? 'no such file' : io ? io.reason : String((e as Error).message);
    return { issues: [{ code: 'bad-value', file, line: 1, col: 1, message: `cannot read the model file: ${why}`,
      hint: io?.code === 'ENOENT' || !io?.hint ? 'run `saddle list` to see the built-in models' : io.hint }] };
  }
  return readModel(text, file, sections);
}

/** Parses YAML text into a Model, collecting every shape mistake (expressions are checked later, in ir/build). */
export function readModel(text: string, file: string, sections: readonly SectionGrammar[] = []): ReadResult {
  const TOP_KEYS = [...CORE_KEYS, ...sections.map((s) => s.key)];
  // The parser makes an Error for each mistake, with a stack trace that no one reads: in a file of garbage tokens
  // (one mistake each, hundreds of thousands) capturing them took two thirds of the time.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  const issues: Issue[] = [];
  // Line starts counted in the text itself: the parser's LineCounter misses the line breaks inside tokens it
  // could not read (after a stray `]`, a block scalar's lines), and its positions then run past their line.
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const at = (offset: number): Loc => {
    let lo = 0;
    for (let hi = starts.length - 1; lo < hi;) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { file, line: lo + 1, col: offset - starts[lo] + 1 };
  };
  const locOf = (n: YNode | null | undefined): Loc => at(n?.range?.[0] ?? 0);
  const add = (code: IssueCode, where: Loc, message: string, symbol?: string, hint?: string) =>
    issues.push({ code, ...where, message, ...(symbol !== undefined && { symbol }), ...(hint && { hint }) });

  const lines = text.split('\n');
  for (const e of doc.errors.slice(0, MAX_YAML_ERRORS)) {
    const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    // Point at the offending token, not at the indentation before it.
    let pos = e.pos[0];
    while (text[pos] === ' ' || text[pos] === '\t') pos++;
    if (e.code === 'DUPLICATE_KEY') {
      const word = /[^\s:,{}[\]]+/y;
      word.lastIndex = pos;
      const key = word.exec(text)?.[0];
      add('duplicate-name', at(pos), key ? `\`${key}\` appears twice in the same mapping` : msg, key,
        'each key may appear once in a mapping: remove or rename one of them');
    } else {
      const line = lines[at(pos).line - 1] ?? '';
      // `a ? b : c` unquoted reads as a nested YAML mapping: the commonest way to break a model file.
      const hint = /:\s.*\?.*:\s/.test(line)
        ? 'an expression that contains `: ` (as in a ? b : c) must be quoted: x: "a > 0 ? a : 0"'
        : 'check indentation, colons and matching brackets/quotes';
      add('yaml-syntax', at(pos), msg, undefined, hint);
    }
  }
  if (doc.errors.length > MAX_YAML_ERRORS) {
    add('yaml-syntax', at(doc.errors[MAX_YAML_ERRORS].pos[0]), `and ${doc.errors.length - MAX_YAML_ERRORS} more YAML syntax errors from here on (not listed)`,
      undefined, 'fix the first ones: the parser has often lost its way after them');
  }
  if (doc.errors.length > 0) return { issues };
  const root = doc.contents;
  if (!isMap(root)) {
    add('yaml-syntax', locOf(root), 'a model file is a YAML mapping of sections (name, params, order_params, updates, ...)');
    return { issues };
  }

  const exprOf = (n: unknown, what: string): Expr | undefined => {
    // booleans too: `true` is the catch-all condition of a region
    if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number' || typeof n.value === 'boolean')) {
      const r = n.range ?? [0, 0, 0];
      return { text: String(n.value), loc: at(r[0]), raw: text.slice(r[0], r[1]) };
    }
    add('bad-value', locOf(n as YNode), `${what} must be an expression (a string or a number)`);
    return undefined;
  };
  const numOf = (n: unknown, what: string): number | undefined => {
    if (isScalar(n) && typeof n.value === 'number') return n.value;
    add('bad-value', locOf(n as YNode), `${what} must be a number`, undefined,
      isScalar(n) && typeof n.value === 'string' ? `got "${n.value}"; write a plain number such as 0.5 or 1e-3` : undefined);
    return undefined;
  };
  /** A number that must be finite (a default, a start value, a value of a discrete law). */
  const finiteOf = (n: unknown, what: string): number | undefined => {
    const v = numOf(n, what);
    if (v !== undefined && !Number.isFinite(v)) {
      add('bad-value', locOf(n as YNode), `${what} must be a finite number, got ${v}`);
      return undefined;
    }
    return v;
  };
  const strOf = (n: unknown, what: string): string | undefined => {
    if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number')) return String(n.value);
    add('bad-value', locOf(n as YNode), `${what} must be text`);
    return undefined;
  };
  const pairs = (n: unknown, what: string): Pair<unknown, unknown>[] => {
    if (n === null || n === undefined || (isScalar(n) && n.value === null)) return [];
    if (isMap(n)) return n.items as Pair<unknown, unknown>[];
    add('bad-value', locOf(n as YNode), `${what} must be a mapping of names to entries`);
    return [];
  };
  const keyOf = (p: Pair<unknown, unknown>): { name: string; loc: Loc } => {
    const k = p.key as YNode;
    return { name: isScalar(k) ? String(k.value) : '?', loc: locOf(k) };
  };
  /** A declared name must be an identifier and not reserved (names never become code; they become columns). */
  const declared = (name: string, loc: Loc, what: string): void => {
    const p = nameProblem(name, what);
    if (p) add('bad-name', loc, p.message, name, p.hint);
  };
  /** Reads a mapping of options, reporting keys outside `allowed`. */
  const options = (n: unknown, allowed: readonly string[], what: string): Map<string, unknown> => {
    const out = new Map<string, unknown>();
    for (const p of pairs(n, what)) {
      const { name, loc } = keyOf(p);
      if (!allowed.includes(name)) {
        add('unknown-key', loc, `unknown key in ${what}`, name, didYouMean(name, allowed) ?? `allowed keys: ${allowed.join(', ')}`);
      } else out.set(name, p.value);
    }
    return out;
  };
  const top = new Map<string, { value: unknown; loc: Loc }>();
  for (const p of (root as YAMLMap).items) {
    const { name, loc } = keyOf(p);
    if (!TOP_KEYS.includes(name)) {
      add('unknown-key', loc, 'unknown section', name, didYouMean(name, TOP_KEYS) ?? `sections: ${TOP_KEYS.join(', ')}`);
    } else top.set(name, { value: p.value, loc });
  }
  const docLoc: Loc = { file, line: 1, col: 1 };
  const required = (key: string, hint: string): unknown => {
    const t = top.get(key);
    if (t === undefined) add('missing-key', docLoc, `the model file has no \`${key}\` section`, key, hint);
    return t?.value;
  };

  const nameNode = required('name', 'add `name: my-model` at the top');
  const descNode = required('description', 'add a one-paragraph `description:` of the model');
  const name = nameNode === undefined ? '' : (strOf(nameNode, 'name') ?? '');
  if (nameNode !== undefined && name !== '') {
    const p = modelNameProblem(name);
    if (p) add('bad-name', locOf(nameNode as YNode), p.message, undefined, p.hint);
  }
  const description = descNode === undefined ? '' : (strOf(descNode, 'description') ?? '');
  const conventions = top.has('conventions') ? strOf(top.get('conventions')!.value, 'conventions') : undefined;
  const source = top.has('source') ? strOf(top.get('source')!.value, 'source') : undefined;

  const nodesOf = (n: unknown, what: string): number | undefined => {
    const v = numOf(n, what);
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || v < 1 || v > MAX_NODES) {
      add('bad-nodes', locOf(n as YNode), `${what} must be an integer between 1 and ${MAX_NODES}, got ${v}`);
      return undefined;
    }
    return v;
  };
  let nodes = 64;
  if (top.has('quadrature')) {
    const q = options(top.get('quadrature')!.value, ['nodes'], 'quadrature');
    if (q.has('nodes')) nodes = nodesOf(q.get('nodes'), 'quadrature.nodes') ?? nodes;
  }
  const solver: { damping?: number; tol?: number; maxIterations?: number; anderson?: number } = {};
  if (top.has('solver')) {
    const s = options(top.get('solver')!.value, ['damping', 'tol', 'max_iterations', 'anderson'], 'solver');
    const d = s.has('damping') ? numOf(s.get('damping'), 'solver.damping') : undefined;
    if (d !== undefined && !(d > 0 && d <= 1)) add('bad-value', locOf(s.get('damping') as YNode), 'solver.damping must be in (0, 1]');
    else if (d !== undefined) solver.damping = d;
    const t = s.has('tol') ? numOf(s.get('tol'), 'solver.tol') : undefined;
    // A tolerance of .inf (or 1e400) would make every solve "converged" after one sweep.
    if (t !== undefined && !(t > 0 && Number.isFinite(t))) add('bad-value', locOf(s.get('tol') as YNode), `solver.tol must be a finite positive number, got ${t}`, undefined, 'e.g. `tol: 1e-10`');
    else if (t !== undefined) solver.tol = t;
    const m = s.has('max_iterations') ? numOf(s.get('max_iterations'), 'solver.max_iterations') : undefined;
    // bounded: `saddle check` of a file from a stranger solves it, and must end
    if (m !== undefined && !(Number.isInteger(m) && m > 0 && m <= MAX_ITERATIONS)) {
      add('bad-value', locOf(s.get('max_iterations') as YNode), `solver.max_iterations must be an integer from 1 to ${MAX_ITERATIONS.toExponential()}, got ${m}`, undefined,
        'a fixed point that needs more sweeps wants damping, Anderson acceleration (solver.anderson) or a better start');
    }
    else if (m !== undefined) solver.maxIterations = m;
    const a = s.has('anderson') ? numOf(s.get('anderson'), 'solver.anderson') : undefined;
    if (a !== undefined && !(Number.isInteger(a) && a >= 0 && a <= 20)) add('bad-value', locOf(s.get('anderson') as YNode), 'solver.anderson must be an integer from 0 (off) to 20');
    else if (a !== undefined) solver.anderson = a;
  }

  /** Shared by params and order parameters: optional bounds that must be ordered. */
  const bounds = (o: Map<string, unknown>, what: string) => {
    const min = o.has('min') ? numOf(o.get('min'), `${what}.min`) : undefined;
    const max = o.has('max') ? numOf(o.get('max'), `${what}.max`) : undefined;
    if (min !== undefined && max !== undefined && min > max) {
      add('bad-value', locOf(o.get('min') as YNode), `${what}: min (${min}) is above max (${max})`);
    }
    const doc = o.has('doc') ? strOf(o.get('doc'), `${what}.doc`) : undefined;
    return { ...(min !== undefined && { min }), ...(max !== undefined && { max }), ...(doc !== undefined && { doc }) };
  };

  // The registered sections (glm, lowrank, simulation), each read by its owner's grammar. A section that
  // generates the order parameters and their updates (glm/expand.ts) makes both optional.
  const reader = { add, options, exprOf, numOf, strOf, nodesOf, locOf: (n: unknown) => locOf(n as YNode) };
  const extra: Record<string, unknown> = dict();
  let generated = false;
  const sectionInits: string[] = [];
  for (const g of sections) {
    const t = top.get(g.key);
    if (!t) continue;
    const clash = (g.excludes ?? []).find((k) => top.has(k) && sections.findIndex((h) => h.key === k) < sections.indexOf(g));
    if (clash !== undefined) {
      add('bad-value', t.loc, `a model has a ${clash} section or a ${g.key} section, not both`, g.key, 'write the two models in two files');
    }
    const value = g.read(t.value, t.loc, reader);
    if (value === undefined) continue;
    extra[g.key] = value;
    generated ||= g.generates === true;
    sectionInits.push(...(g.inits ?? []));
  }

  const params: ParamDecl[] = [];
  for (const p of pairs(required('params', 'declare the model parameters, e.g. `params: {alpha: 2}`'), 'params')) {
    const { name: pn, loc } = keyOf(p);
    declared(pn, loc, 'parameter');
    let decl: ParamDecl;
    if (isMap(p.value)) {
      const o = options(p.value, ['default', 'min', 'max', 'doc'], `parameter ${pn}`);
      if (!o.has('default')) add('missing-key', loc, `parameter \`${pn}\` has no default`, pn, 'add `default: <number>`');
      const def = o.has('default') ? finiteOf(o.get('default'), `default of ${pn}`) : undefined;
      const b = bounds(o, `parameter ${pn}`);
      if (def !== undefined && !(b.min !== undefined && b.max !== undefined && b.min > b.max)) {
        if ((b.min !== undefined && def < b.min) || (b.max !== undefined && def > b.max)) {
          add('bad-value', locOf(o.get('default') as YNode), `the default of \`${pn}\` (${def}) is outside its bounds`, pn);
        }
      }
      decl = { name: pn, default: def ?? NaN, ...b, loc };
    } else {
      // A bad default is reported; the name still resolves, so later mistakes are not spurious.
      decl = { name: pn, default: finiteOf(p.value, `parameter ${pn}`) ?? NaN, loc };
    }
    params.push(decl);
  }

  const orderParams: OrderParamDecl[] = [];
  const initNames = new Set<string>([...REQUIRED_INITS, ...sectionInits]);
  const opSection = generated ? top.get('order_params')?.value
    : required('order_params', 'declare the order parameters, e.g. `order_params: {q: {init: 0.5}}`');
  const opPairs = pairs(opSection, 'order_params');
  if (!generated && opSection !== undefined && opPairs.length === 0) {
    add('missing-key', top.get('order_params')!.loc, 'the model declares no order parameter', 'order_params',
      'a model solves for at least one order parameter, e.g. `order_params: {q: {init: 0.5}}`');
  }
  for (const p of opPairs) {
    const { name: on, loc } = keyOf(p);
    declared(on, loc, 'order parameter');
    let init: Record<string, number> | undefined;
    let rest = {};
    const initFrom = (n: unknown) => {
      if (isMap(n)) {
        init = dict();
        for (const ip of n.items as Pair<unknown, unknown>[]) {
          const { name: iname, loc: iloc } = keyOf(ip);
          const bad = nameProblem(iname, 'initialisation');
          if (bad) { add('bad-name', iloc, bad.message, iname, bad.hint); continue; }
          init[iname] = finiteOf(ip.value, `init ${iname} of ${on}`) ?? NaN;
          initNames.add(iname);
        }
      } else {
        // a bad start is reported once: NaN stands in for it, so the model does not also miss an init
        init = dict([['*', finiteOf(n, `init of ${on}`) ?? NaN]]);
      }
    };
    if (isMap(p.value)) {
      const o = options(p.value, ['init', 'min', 'max', 'doc'], `order parameter ${on}`);
      if (o.has('init')) initFrom(o.get('init'));
      rest = bounds(o, `order parameter ${on}`);
    } else if (!(p.value === null || (isScalar(p.value) && p.value.value === null))) {
      initFrom(p.value);
    }
    const { min, max } = rest as { min?: number; max?: number };
    for (const [k, v] of Object.entries(init ?? {})) {
      if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
        add('bad-value', loc, `the start \`${k === '*' ? 'init' : k}\` = ${v} of \`${on}\` is outside its bounds [${min ?? '-inf'}, ${max ?? 'inf'}]`, on);
      }
    }
    orderParams.push({ name: on, ...(init && { init }), ...rest, loc });
  }
  // Expand a single init value to every named initialisation; a named one must be complete.
  const names = [...initNames];
  const completed: OrderParamDecl[] = orderParams.map((o) => {
    if (o.init === undefined) return o;
    if (Object.hasOwn(o.init, '*')) return { ...o, init: dict(names.map((n) => [n, o.init!['*']])) };
    for (const n of names) {
      if (!Object.hasOwn(o.init, n)) {
        add('missing-init', o.loc, `order parameter \`${o.name}\` has no value for the initialisation \`${n}\``, o.name,
          `every named initialisation (${names.join(', ')}) needs a value for each order parameter that has an init`);
      }
    }
    return o;
  });

  const variables: VariableDecl[] = [];
  for (const p of pairs(top.get('variables')?.value, 'variables')) {
    const { name: vn, loc } = keyOf(p);
    declared(vn, loc, 'variable');
    let law: Law | undefined;
    let doc: string | undefined;
    if (isScalar(p.value) && p.value.value === 'normal') law = { kind: 'normal' };
    else if (isMap(p.value)) {
      const o = options(p.value, ['law', 'nodes', 'values', 'probs', 'doc'], `variable ${vn}`);
      doc = o.has('doc') ? strOf(o.get('doc'), `${vn}.doc`) : undefined;
      const lawName = o.has('law') ? strOf(o.get('law'), `law of ${vn}`) : o.has('values') ? 'discrete' : 'normal';
      if (lawName === 'normal') {
        const n = o.has('nodes') ? nodesOf(o.get('nodes'), `nodes of ${vn}`) : undefined;
        law = { kind: 'normal', ...(n !== undefined && { nodes: n }) };
      } else if (lawName === 'discrete') {
        const vs = o.get('values');
        if (!isSeq(vs) || vs.items.length === 0) {
          add('bad-value', o.has('values') ? locOf(vs as YNode) : loc, `variable \`${vn}\`: a discrete law needs a non-empty list \`values: [...]\``, vn);
        } else {
          if (vs.items.length > MAX_DISCRETE_VALUES) {
            add('bad-value', locOf(vs as YNode), `variable \`${vn}\`: a discrete law has at most ${MAX_DISCRETE_VALUES} values, got ${vs.items.length}`, vn,
              'a law with that many values is better written as a normal variable (E(t, ...)) or as a sum of fewer points');
          }
          const values = vs.items.slice(0, MAX_DISCRETE_VALUES).map((it) => finiteOf(it, `a value of ${vn}`)).filter((v): v is number => v !== undefined);
          let probs: Expr[] | null = null;
          const ps = o.get('probs');
          if (ps !== undefined) {
            if (vs.items.length > MAX_DISCRETE_VALUES) { /* reported above */ } else if (!isSeq(ps) || ps.items.length !== vs.items.length) {
              add('bad-value', locOf(ps as YNode), `variable \`${vn}\`: \`probs\` must be a list as long as \`values\``, vn);
            } else probs = ps.items.map((it) => exprOf(it, `a probability of ${vn}`)).filter((e): e is Expr => e !== undefined);
          }
          law = { kind: 'discrete', values, probs };
        }
      } else if (lawName !== undefined) {
        add('bad-value', locOf(o.get('law') as YNode), `unknown law \`${lawName}\``, lawName, 'laws: normal, discrete (give `values:` and optional `probs:`)');
      }
    } else {
      add('bad-value', locOf(p.value as YNode), `variable \`${vn}\` must be \`normal\` or a mapping with \`values\``, vn);
    }
    if (law) variables.push({ name: vn, law, ...(doc !== undefined && { doc }), loc });
  }

  const functions: FunctionDecl[] = [];
  for (const p of pairs(top.get('functions')?.value, 'functions')) {
    const { name: head, loc } = keyOf(p);
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*)?\s*\)\s*$/.exec(head);
    if (!m) {
      add('bad-value', loc, `a function is declared as \`name(arg1, arg2): expression\``, head, 'e.g. `Zout(w, V): H(-w/sqrt(V))`');
      continue;
    }
    const body = exprOf(p.value, `the body of ${m[1]}`);
    const args = m[2] ? m[2].split(',').map((s) => s.trim()) : [];
    declared(m[1], loc, 'function');
    args.forEach((a, k) => {
      const bad = nameProblem(a, 'argument');
      if (bad) add('bad-name', loc, bad.message, a, bad.hint);
      else if (args.indexOf(a) < k) add('duplicate-name', loc, `function \`${m[1]}\` has two arguments named \`${a}\``, a, 'give each argument its own name');
    });
    if (body) functions.push({ name: m[1], args, body, loc });
  }

  const named = (key: string, what: string, hint?: string): NamedExpr[] => {
    const value = hint ? required(key, hint) : top.get(key)?.value;
    const out: NamedExpr[] = [];
    for (const p of pairs(value, key)) {
      const { name: n, loc } = keyOf(p);
      if (key !== 'regions') declared(n, loc, what);
      else {
        const bad = regionLabelProblem(n);
        if (bad) add('bad-name', loc, bad.message, n, bad.hint);
      }
      const expr = exprOf(p.value, `${key}.${n}`);
      if (expr) out.push({ name: n, expr, loc });
    }
    return out;
  };
  const definitions = named('definitions', 'definition');
  const updates = named('updates', 'order parameter', generated ? undefined : 'give an update equation for each order parameter, in the order they are applied');
  const observables = named('observables', 'observable');
  const regions = named('regions', 'region');
  const fe = top.get('free_energy');
  const freeEnergy = fe ? exprOf(fe.value, 'free_energy') : undefined;

  const model: Model = {
    file, sha256: createHash('sha256').update(text).digest('hex'), name, description, ...(conventions !== undefined && { conventions }), ...(source !== undefined && { source }),
    nodes, solver: solver as SolverDefaults, params, orderParams: completed, initNames: names, variables, functions,
    definitions, updates, observables, ...(freeEnergy && { freeEnergy }), ...(regions.length > 0 && { regions }),
    ...extra, // the registered sections' fields, which their owners declare on Model
  };
  return { model, issues };
}
