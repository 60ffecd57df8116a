import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, type Pair, type YAMLMap } from 'yaml';
import { IoError } from '../base/errors.ts';
import type { Issue, Loc } from '../base/issues.ts';
import { dict, modelNameProblem, nameProblem, regionLabelProblem } from '../base/names.ts';
import { didYouMean } from '../base/suggest.ts';
import { MAX_MODEL_BYTES, readTextBounded } from '../io/files.ts';
import type { SectionGrammar } from './section.ts';
import { readSpectralLaw, SPECTRAL_KEYS, SPECTRAL_LAWS } from './spectral-laws.ts';
import type {
  Expr, FunctionDecl, Law, Model, NamedExpr, OrderParamDecl, ParamDecl, SolverDefaults, VariableDecl,
} from './types.ts';
import { YamlReader } from './yaml.ts';

export const REQUIRED_INITS = ['uninformed', 'informed'] as const;
/** The sections this reader reads itself; the others are registered grammars (model/section.ts). */
const CORE_KEYS = [
  'name', 'description', 'conventions', 'source', 'quadrature', 'solver', 'params', 'order_params',
  'variables', 'functions', 'definitions', 'updates', 'observables', 'free_energy', 'regions',
];
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

/** The top-level sections of a file, by key, with where each key is. */
type Top = ReadonlyMap<string, { readonly value: unknown; readonly loc: Loc }>;

/**
 * Parses YAML text into a Model, collecting every shape mistake (expressions are checked later, in ir/build). Each
 * section is read by a step of its own below, in the order a file is usually written.
 */
export function readModel(text: string, file: string, sections: readonly SectionGrammar[] = []): ReadResult {
  const r = new YamlReader(text, file);
  const root = r.root();
  if (!root) return { issues: r.issues };
  const top = topSections(r, root, [...CORE_KEYS, ...sections.map((s) => s.key)]);
  const required = (key: string, hint: string): unknown => {
    const t = top.get(key);
    if (t === undefined) r.add('missing-key', { file, line: 1, col: 1 }, `the model file has no \`${key}\` section`, key, hint);
    return t?.value;
  };
  // in the order of the file's usual layout, so that mistakes are found (and listed) in that order
  const head = readHead(r, top, required);
  const nodes = readQuadrature(r, top);
  const solver = readSolver(r, top);
  const registered = readRegistered(r, top, sections);
  const params = readParams(r, required('params', 'declare the model parameters, e.g. `params: {alpha: 2}`'));
  const { orderParams, initNames } = readOrderParams(r, top, registered, required);
  const variables = readVariables(r, top.get('variables')?.value);
  const functions = readFunctions(r, top.get('functions')?.value);
  const named = (key: string, what: string, value: unknown) => readNamed(r, key, what, value);
  const definitions = named('definitions', 'definition', top.get('definitions')?.value);
  const updates = named('updates', 'order parameter', registered.generated ? top.get('updates')?.value
    : required('updates', 'give an update equation for each order parameter, in the order they are applied'));
  const observables = named('observables', 'observable', top.get('observables')?.value);
  const regions = named('regions', 'region', top.get('regions')?.value);
  const fe = top.get('free_energy');
  const freeEnergy = fe ? r.exprOf(fe.value, 'free_energy') : undefined;
  const model: Model = {
    file, sha256: createHash('sha256').update(text).digest('hex'), ...head, nodes, solver, params, orderParams, initNames,
    variables, functions, definitions, updates, observables, ...(freeEnergy && { freeEnergy }), ...(regions.length > 0 && { regions }),
    ...registered.fields, // the registered sections' fields, which their owners declare on Model
  };
  return { model, issues: r.issues };
}

/** The sections of the root mapping; an unknown one is a mistake with a did-you-mean. */
function topSections(r: YamlReader, root: YAMLMap, keys: readonly string[]): Top {
  const top = new Map<string, { value: unknown; loc: Loc }>();
  for (const p of root.items as Pair<unknown, unknown>[]) {
    const { name, loc } = r.keyOf(p);
    if (!keys.includes(name)) {
      r.add('unknown-key', loc, 'unknown section', name, didYouMean(name, keys) ?? `sections: ${keys.join(', ')}`);
    } else top.set(name, { value: p.value, loc });
  }
  return top;
}

/** `name`, `description`, `conventions`, `source`. */
function readHead(r: YamlReader, top: Top, required: (key: string, hint: string) => unknown) {
  const nameNode = required('name', 'add `name: my-model` at the top');
  const descNode = required('description', 'add a one-paragraph `description:` of the model');
  const name = nameNode === undefined ? '' : (r.strOf(nameNode, 'name') ?? '');
  if (nameNode !== undefined && name !== '') {
    const p = modelNameProblem(name);
    if (p) r.add('bad-name', r.locOf(nameNode), p.message, undefined, p.hint);
  }
  const description = descNode === undefined ? '' : (r.strOf(descNode, 'description') ?? '');
  const conventions = top.has('conventions') ? r.strOf(top.get('conventions')!.value, 'conventions') : undefined;
  const source = top.has('source') ? r.strOf(top.get('source')!.value, 'source') : undefined;
  return { name, description, ...(conventions !== undefined && { conventions }), ...(source !== undefined && { source }) };
}

/** `quadrature: { nodes }`: the default Gauss-Hermite node count (64). */
function readQuadrature(r: YamlReader, top: Top): number {
  if (!top.has('quadrature')) return 64;
  const q = r.options(top.get('quadrature')!.value, ['nodes'], 'quadrature');
  return (q.has('nodes') ? r.nodesOf(q.get('nodes'), 'quadrature.nodes') : undefined) ?? 64;
}

/** `solver: { damping, tol, max_iterations, anderson }`: the model's solver defaults, each checked. */
function readSolver(r: YamlReader, top: Top): SolverDefaults {
  const solver: { damping?: number; tol?: number; maxIterations?: number; anderson?: number } = {};
  if (!top.has('solver')) return solver;
  const s = r.options(top.get('solver')!.value, ['damping', 'tol', 'max_iterations', 'anderson'], 'solver');
  const setting = (key: string, ok: (v: number) => boolean, message: (v: number) => string, hint?: string): number | undefined => {
    const v = s.has(key) ? r.numOf(s.get(key), `solver.${key}`) : undefined;
    if (v === undefined) return undefined;
    if (ok(v)) return v;
    r.add('bad-value', r.locOf(s.get(key)), message(v), undefined, hint);
    return undefined;
  };
  const damping = setting('damping', (d) => d > 0 && d <= 1, () => 'solver.damping must be in (0, 1]');
  // A tolerance of .inf (or 1e400) would make every solve "converged" after one sweep.
  const tol = setting('tol', (t) => t > 0 && Number.isFinite(t), (t) => `solver.tol must be a finite positive number, got ${t}`, 'e.g. `tol: 1e-10`');
  // bounded: `saddle check` of a file from a stranger solves it, and must end
  const maxIterations = setting('max_iterations', (m) => Number.isInteger(m) && m > 0 && m <= MAX_ITERATIONS,
    (m) => `solver.max_iterations must be an integer from 1 to ${MAX_ITERATIONS.toExponential()}, got ${m}`,
    'a fixed point that needs more sweeps wants damping, Anderson acceleration (solver.anderson) or a better start');
  const anderson = setting('anderson', (a) => Number.isInteger(a) && a >= 0 && a <= 20, () => 'solver.anderson must be an integer from 0 (off) to 20');
  if (damping !== undefined) solver.damping = damping;
  if (tol !== undefined) solver.tol = tol;
  if (maxIterations !== undefined) solver.maxIterations = maxIterations;
  if (anderson !== undefined) solver.anderson = anderson;
  return solver;
}

/** The registered sections (glm, lowrank, simulation), each read by its owner's grammar. A section that
 * generates the order parameters and their updates (glm/expand.ts) makes both optional. */
function readRegistered(r: YamlReader, top: Top, sections: readonly SectionGrammar[]) {
  const fields: Record<string, unknown> = dict();
  let generated = false;
  const inits: string[] = [];
  for (const g of sections) {
    const t = top.get(g.key);
    if (!t) continue;
    const clash = (g.excludes ?? []).find((k) => top.has(k) && sections.findIndex((h) => h.key === k) < sections.indexOf(g));
    if (clash !== undefined) {
      r.add('bad-value', t.loc, `a model has a ${clash} section or a ${g.key} section, not both`, g.key, 'write the two models in two files');
    }
    const value = g.read(t.value, t.loc, r);
    if (value === undefined) continue;
    fields[g.key] = value;
    generated ||= g.generates === true;
    inits.push(...(g.inits ?? []));
  }
  return { fields, generated, inits };
}

/** `params`: each a default (finite), optional bounds and a doc. */
function readParams(r: YamlReader, section: unknown): ParamDecl[] {
  return r.pairs(section, 'params').map((p) => {
    const { name, loc } = r.keyOf(p);
    r.declared(name, loc, 'parameter');
    if (!isMap(p.value)) {
      // A bad default is reported; the name still resolves, so later mistakes are not spurious.
      return { name, default: r.finiteOf(p.value, `parameter ${name}`) ?? NaN, loc };
    }
    const o = r.options(p.value, ['default', 'min', 'max', 'doc'], `parameter ${name}`);
    if (!o.has('default')) r.add('missing-key', loc, `parameter \`${name}\` has no default`, name, 'add `default: <number>`');
    const def = o.has('default') ? r.finiteOf(o.get('default'), `default of ${name}`) : undefined;
    const b = r.bounds(o, `parameter ${name}`);
    if (def !== undefined && !(b.min !== undefined && b.max !== undefined && b.min > b.max)
      && ((b.min !== undefined && def < b.min) || (b.max !== undefined && def > b.max))) {
      r.add('bad-value', r.locOf(o.get('default')), `the default of \`${name}\` (${def}) is outside its bounds`, name);
    }
    return { name, default: def ?? NaN, ...b, loc };
  });
}

/** `order_params`: starts (one value, or one per named initialisation), bounds, doc; every named start complete. */
function readOrderParams(r: YamlReader, top: Top, registered: { generated: boolean; inits: readonly string[] },
  required: (key: string, hint: string) => unknown): { orderParams: OrderParamDecl[]; initNames: string[] } {
  const initNames = new Set<string>([...REQUIRED_INITS, ...registered.inits]);
  const section = registered.generated ? top.get('order_params')?.value
    : required('order_params', 'declare the order parameters, e.g. `order_params: {q: {init: 0.5}}`');
  const pairs = r.pairs(section, 'order_params');
  if (!registered.generated && section !== undefined && pairs.length === 0) {
    r.add('missing-key', top.get('order_params')!.loc, 'the model declares no order parameter', 'order_params',
      'a model solves for at least one order parameter, e.g. `order_params: {q: {init: 0.5}}`');
  }
  const declared = pairs.map((p) => readOrderParam(r, p, initNames));
  // Expand a single init value to every named initialisation; a named one must be complete.
  const names = [...initNames];
  const orderParams = declared.map((o): OrderParamDecl => {
    if (o.init === undefined) return o;
    if (Object.hasOwn(o.init, '*')) return { ...o, init: dict(names.map((n) => [n, o.init!['*']])) };
    for (const n of names) {
      if (!Object.hasOwn(o.init, n)) {
        r.add('missing-init', o.loc, `order parameter \`${o.name}\` has no value for the initialisation \`${n}\``, o.name,
          `every named initialisation (${names.join(', ')}) needs a value for each order parameter that has an init`);
      }
    }
    return o;
  });
  return { orderParams, initNames: names };
}

function readOrderParam(r: YamlReader, p: Pair<unknown, unknown>, initNames: Set<string>): OrderParamDecl {
  const { name, loc } = r.keyOf(p);
  r.declared(name, loc, 'order parameter');
  let init: Record<string, number> | undefined;
  let rest: { min?: number; max?: number; doc?: string } = {};
  const initFrom = (n: unknown) => {
    if (!isMap(n)) {
      // a bad start is reported once: NaN stands in for it, so the model does not also miss an init
      init = dict([['*', r.finiteOf(n, `init of ${name}`) ?? NaN]]);
      return;
    }
    init = dict();
    for (const ip of n.items as Pair<unknown, unknown>[]) {
      const { name: start, loc: at } = r.keyOf(ip);
      const bad = nameProblem(start, 'initialisation');
      if (bad) { r.add('bad-name', at, bad.message, start, bad.hint); continue; }
      init[start] = r.finiteOf(ip.value, `init ${start} of ${name}`) ?? NaN;
      initNames.add(start);
    }
  };
  if (isMap(p.value)) {
    const o = r.options(p.value, ['init', 'min', 'max', 'doc'], `order parameter ${name}`);
    if (o.has('init')) initFrom(o.get('init'));
    rest = r.bounds(o, `order parameter ${name}`);
  } else if (!(p.value === null || (isScalar(p.value) && p.value.value === null))) {
    initFrom(p.value);
  }
  const { min, max } = rest;
  for (const [k, v] of Object.entries(init ?? {})) {
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
      r.add('bad-value', loc, `the start \`${k === '*' ? 'init' : k}\` = ${v} of \`${name}\` is outside its bounds [${min ?? '-inf'}, ${max ?? 'inf'}]`, name);
    }
  }
  return { name, ...(init && { init }), ...rest, loc };
}

/** `variables`: `normal` (with its own node count) or discrete (`values`, optional `probs` expressions). */
function readVariables(r: YamlReader, section: unknown): VariableDecl[] {
  const out: VariableDecl[] = [];
  for (const p of r.pairs(section, 'variables')) {
    const { name, loc } = r.keyOf(p);
    r.declared(name, loc, 'variable');
    let law: Law | undefined;
    let doc: string | undefined;
    if (isScalar(p.value) && p.value.value === 'normal') law = { kind: 'normal' };
    else if (isMap(p.value)) {
      const o = r.options(p.value, ['law', 'nodes', 'values', 'probs', 'doc', ...SPECTRAL_KEYS], `variable ${name}`);
      doc = o.has('doc') ? r.strOf(o.get('doc'), `${name}.doc`) : undefined;
      // A spectral law (model/spectral-laws.ts): true when `lawName` is one, its mistakes reported.
      const readSpectral = (lawName: string): boolean => {
        const s = readSpectralLaw(r, name, loc, lawName, o);
        if (s.law) law = s.law;
        return s.ok;
      };
      const lawName = o.has('law') ? r.strOf(o.get('law'), `law of ${name}`) : o.has('values') ? 'discrete' : 'normal';
      if (lawName === 'normal') {
        const n = o.has('nodes') ? r.nodesOf(o.get('nodes'), `nodes of ${name}`) : undefined;
        law = { kind: 'normal', ...(n !== undefined && { nodes: n }) };
      } else if (lawName === 'discrete') {
        law = readDiscrete(r, name, loc, o);
      } else if (lawName !== undefined && !readSpectral(lawName)) {
        r.add('bad-value', r.locOf(o.get('law')), `unknown law \`${lawName}\``, lawName, `laws: normal, discrete (give \`values:\` and optional \`probs:\`), ${SPECTRAL_LAWS.join(', ')}`);
      }
    } else {
      r.add('bad-value', r.locOf(p.value), `variable \`${name}\` must be \`normal\` or a mapping with \`values\``, name);
    }
    if (law) out.push({ name, law, ...(doc !== undefined && { doc }), loc });
  }
  return out;
}

function readDiscrete(r: YamlReader, name: string, loc: Loc, o: Map<string, unknown>): Law | undefined {
  const vs = o.get('values');
  if (!isSeq(vs) || vs.items.length === 0) {
    r.add('bad-value', o.has('values') ? r.locOf(vs) : loc, `variable \`${name}\`: a discrete law needs a non-empty list \`values: [...]\``, name);
    return undefined;
  }
  const tooMany = vs.items.length > MAX_DISCRETE_VALUES;
  if (tooMany) {
    r.add('bad-value', r.locOf(vs), `variable \`${name}\`: a discrete law has at most ${MAX_DISCRETE_VALUES} values, got ${vs.items.length}`, name,
      'a law with that many values is better written as a normal variable (E(t, ...)) or as a sum of fewer points');
  }
  const values = vs.items.slice(0, MAX_DISCRETE_VALUES).map((it) => r.finiteOf(it, `a value of ${name}`)).filter((v): v is number => v !== undefined);
  let probs: Expr[] | null = null;
  const ps = o.get('probs');
  if (ps !== undefined && !tooMany) {
    if (!isSeq(ps) || ps.items.length !== vs.items.length) {
      r.add('bad-value', r.locOf(ps), `variable \`${name}\`: \`probs\` must be a list as long as \`values\``, name);
    } else probs = ps.items.map((it) => r.exprOf(it, `a probability of ${name}`)).filter((e): e is Expr => e !== undefined);
  }
  return { kind: 'discrete', values, probs };
}

/** `functions`: `name(arg1, arg2): body`, every name an identifier, no argument twice. */
function readFunctions(r: YamlReader, section: unknown): FunctionDecl[] {
  const out: FunctionDecl[] = [];
  for (const p of r.pairs(section, 'functions')) {
    const { name: head, loc } = r.keyOf(p);
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*)?\s*\)\s*$/.exec(head);
    if (!m) {
      r.add('bad-value', loc, 'a function is declared as `name(arg1, arg2): expression`', head, 'e.g. `Zout(w, V): H(-w/sqrt(V))`');
      continue;
    }
    const body = r.exprOf(p.value, `the body of ${m[1]}`);
    const args = m[2] ? m[2].split(',').map((s) => s.trim()) : [];
    r.declared(m[1], loc, 'function');
    args.forEach((a, k) => {
      const bad = nameProblem(a, 'argument');
      if (bad) r.add('bad-name', loc, bad.message, a, bad.hint);
      else if (args.indexOf(a) < k) r.add('duplicate-name', loc, `function \`${m[1]}\` has two arguments named \`${a}\``, a, 'give each argument its own name');
    });
    if (body) out.push({ name: m[1], args, body, loc });
  }
  return out;
}

/** A mapping of names to expressions (definitions, updates, observables, regions); a region's name is a label. */
function readNamed(r: YamlReader, key: string, what: string, section: unknown): NamedExpr[] {
  const out: NamedExpr[] = [];
  for (const p of r.pairs(section, key)) {
    const { name, loc } = r.keyOf(p);
    if (key !== 'regions') r.declared(name, loc, what);
    else {
      const bad = regionLabelProblem(name);
      if (bad) r.add('bad-name', loc, bad.message, name, bad.hint);
    }
    const expr = r.exprOf(p.value, `${key}.${name}`);
    if (expr) out.push({ name, expr, loc });
  }
  return out;
}
