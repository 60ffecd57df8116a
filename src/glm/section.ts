import { isMap, isScalar, isSeq, type Node as YNode } from 'yaml';
import { locateIndex } from '../ir/locate.ts';
import type { IssueCode, Loc } from '../base/issues.ts';
import type { Expr } from '../model/types.ts';
import type { SectionGrammar, SectionReader } from '../model/section.ts';
import type { BuiltinRef, ChannelSpec, GlmSpec, LowrankSpec, PieceArg, PriorSpec } from './types.ts';


const PRIOR_HINT = 'e.g. `prior: gaussian`; priors: gaussian, gaussian(v), rademacher, gauss-bernoulli(rho), sparse-rademacher(rho), { density: "..." }, { values: [...], probs: [...] }';
const CHANNEL_HINT = 'e.g. `channel: sign`; channels: linear(Delta), sign, sign(eps), abs, relu, { likelihood: "...", y: [...] or real }';

/**
 * Reads `glm: { prior: ..., channel: ..., state_evolution: accurate | generic }` for its shape only; the names
 * are resolved against the piece library in expand.ts.
 */
export function readGlmSection(node: unknown, loc: Loc, r: SectionReader): GlmSpec {
  const o = r.options(node, ['prior', 'channel', 'state_evolution'], 'glm');
  let prior: PriorSpec | undefined;
  let channel: ChannelSpec | undefined;
  if (!o.has('prior')) r.add('missing-key', loc, 'the glm section has no `prior`', 'prior', PRIOR_HINT);
  else prior = readPrior(o.get('prior'), r, 'glm.prior');
  if (!o.has('channel')) r.add('missing-key', loc, 'the glm section has no `channel`', 'channel', CHANNEL_HINT);
  else channel = readChannel(o.get('channel'), r);
  const stateEvolution = readStateEvolution(o, 'glm', r);
  return { ...(prior && { prior }), ...(channel && { channel }), stateEvolution, loc };
}

function readStateEvolution(o: Map<string, unknown>, section: string, r: SectionReader): GlmSpec['stateEvolution'] {
  if (!o.has('state_evolution')) return 'accurate';
  const s = r.strOf(o.get('state_evolution'), `${section}.state_evolution`);
  if (s === 'accurate' || s === 'generic') return s;
  if (s !== undefined) {
    r.add('bad-value', r.locOf(o.get('state_evolution')), `${section}.state_evolution must be \`accurate\` or \`generic\`, got \`${s}\``, s,
      'accurate: the pieces\' hand-derived forms (default); generic: quadrature of log Zw (and log Zout)');
  }
  return 'accurate';
}

const LOWRANK_HINT = 'e.g. `lowrank: { prior: [sparse-rademacher(rho), rademacher, gaussian], snr: lambda }`';

/**
 * Reads `lowrank: { prior: P | [P1, P2, ...], snr: name-or-number, state_evolution: accurate | generic }` for
 * its shape; the pieces are resolved and one prior selected in lowrank.ts.
 */
export function readLowrankSection(node: unknown, loc: Loc, r: SectionReader): LowrankSpec {
  const o = r.options(node, ['prior', 'snr', 'state_evolution'], 'lowrank');
  const priors: PriorSpec[] = [];
  const p = o.get('prior');
  if (!o.has('prior')) r.add('missing-key', loc, 'the lowrank section has no `prior`', 'prior', `${LOWRANK_HINT}; ${PRIOR_HINT.replace(/^e\.g\. [^;]*; /, '')}`);
  else if (isSeq(p)) {
    if (p.items.length === 0) r.add('bad-value', r.locOf(p), '`lowrank.prior` is an empty list', undefined, LOWRANK_HINT);
    for (const item of p.items) {
      const spec = readPrior(item, r, 'lowrank.prior');
      if (spec) priors.push(spec);
    }
  } else {
    const spec = readPrior(p, r, 'lowrank.prior');
    if (spec) priors.push(spec);
  }
  let snr: PieceArg | undefined;
  if (!o.has('snr')) {
    r.add('missing-key', loc, 'the lowrank section has no `snr` (the signal-to-noise ratio lambda of Y = sqrt(lambda/N) x x^T + W)', 'snr',
      'give a parameter name, e.g. `snr: lambda` with `lambda: { default: 2, min: 0 }` under params');
  } else {
    const e = r.exprOf(o.get('snr'), 'lowrank.snr');
    if (e) {
      const text = e.text.trim();
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text) || /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) snr = { text, loc: e.loc };
      else r.add('bad-value', e.loc, `\`lowrank.snr\` is a parameter name or a number, got \`${text}\``, undefined, 'declare a parameter for it under params and pass its name');
    }
  }
  const stateEvolution = readStateEvolution(o, 'lowrank', r);
  return { priors, ...(snr && { snr }), stateEvolution, loc };
}

function readPrior(n: unknown, r: SectionReader, key: string): PriorSpec | undefined {
  if (isScalar(n)) return readPieceRef(n, key, 'prior', PRIOR_HINT, r);
  if (!isMap(n)) {
    r.add('bad-value', r.locOf(n), `${key} must be a prior name or a mapping`, undefined, PRIOR_HINT);
    return undefined;
  }
  const loc = r.locOf(n);
  const keys = (n.items as { key: unknown }[]).map((p) => (isScalar(p.key) ? String(p.key.value) : ''));
  if (keys.includes('values')) {
    const o = r.options(n, ['values', 'probs'], `${key} (discrete)`);
    const vs = o.get('values');
    if (!isSeq(vs) || vs.items.length === 0) {
      r.add('bad-value', r.locOf(vs), 'a discrete prior needs a non-empty list `values: [...]`');
      return undefined;
    }
    const values = vs.items.map((it) => r.numOf(it, 'a value of the prior'));
    let probs: Expr[] | null = null;
    const ps = o.get('probs');
    if (ps !== undefined) {
      if (!isSeq(ps) || ps.items.length !== vs.items.length) {
        r.add('bad-value', r.locOf(ps), '`probs` must be a list as long as `values`');
        return undefined;
      }
      const es = ps.items.map((it) => r.exprOf(it, 'a probability of the prior'));
      if (es.some((e) => e === undefined)) return undefined;
      probs = es as Expr[];
    }
    if (values.some((v) => v === undefined)) return undefined;
    return { kind: 'discrete', values: values as number[], probs, loc };
  }
  const o = r.options(n, ['density', 'scale', 'nodes', 'kinks'], key);
  if (!o.has('density')) {
    r.add('missing-key', loc, 'a prior given as a mapping needs `density` (a function of w) or `values`', 'density', PRIOR_HINT);
    return undefined;
  }
  const density = r.exprOf(o.get('density'), `${key}.density`);
  const scale = o.has('scale') ? r.exprOf(o.get('scale'), `${key}.scale`) : undefined;
  const nodes = o.has('nodes') ? r.nodesOf(o.get('nodes'), `${key}.nodes`) : undefined;
  const kinks = o.has('kinks') ? readKinks(o.get('kinks'), r) : undefined;
  if (!density) return undefined;
  return { kind: 'density', density, ...(scale && { scale }), ...(nodes !== undefined && { nodes }), ...(kinks && { kinks }), loc };
}

function readChannel(n: unknown, r: SectionReader): ChannelSpec | undefined {
  if (isScalar(n)) return readRef(n, 'channel', r);
  if (!isMap(n)) {
    r.add('bad-value', r.locOf(n), 'glm.channel must be a channel name or a mapping', undefined, CHANNEL_HINT);
    return undefined;
  }
  const loc = r.locOf(n);
  const o = r.options(n, ['likelihood', 'y', 'y_scale', 'nodes', 'kinks'], 'glm.channel');
  if (!o.has('likelihood')) {
    r.add('missing-key', loc, 'a channel given as a mapping needs `likelihood` (P(y | z), a function of y and z)', 'likelihood', CHANNEL_HINT);
    return undefined;
  }
  const likelihood = r.exprOf(o.get('likelihood'), 'glm.channel.likelihood');
  const nodes = o.has('nodes') ? r.nodesOf(o.get('nodes'), 'glm.channel.nodes') : undefined;
  const kinks = o.has('kinks') ? readKinks(o.get('kinks'), r) : undefined;
  const y = o.get('y');
  let labels: { kind: 'discrete'; values: number[] } | { kind: 'real'; scale?: Expr } | undefined;
  if (isSeq(y) && y.items.length > 0) {
    const values = y.items.map((it) => r.numOf(it, 'a label value'));
    if (values.every((v) => v !== undefined)) labels = { kind: 'discrete', values: values as number[] };
    if (o.has('y_scale')) r.add('bad-value', r.locOf(o.get('y_scale')), '`y_scale` applies to a real label (`y: real`) only');
  } else if (isScalar(y) && y.value === 'real') {
    const scale = o.has('y_scale') ? r.exprOf(o.get('y_scale'), 'glm.channel.y_scale') : undefined;
    labels = { kind: 'real', ...(scale && { scale }) };
  } else {
    r.add(y === undefined ? 'missing-key' : 'bad-value', y === undefined ? loc : r.locOf(y),
      'the label of a likelihood channel is `y: [v1, v2, ...]` (its values) or `y: real`', 'y',
      'e.g. `y: [-1, 1]` for a binary label, `y: real` with `y_scale: sqrt(Delta)` for additive noise');
  }
  if (!likelihood || !labels) return undefined;
  return { kind: 'likelihood', likelihood, labels, ...(nodes !== undefined && { nodes }), ...(kinks && { kinks }), loc };
}

/** `kinks: [0, 1.5]`: numbers, returned in increasing order. */
function readKinks(n: unknown, r: SectionReader): number[] | undefined {
  if (!isSeq(n)) {
    r.add('bad-value', r.locOf(n), '`kinks` is a list of numbers, e.g. `kinks: [0]`');
    return undefined;
  }
  const ks = n.items.map((it) => r.numOf(it, 'a kink'));
  return ks.every((k) => k !== undefined) ? [...new Set(ks as number[])].sort((a, b) => a - b) : undefined;
}

/** `name` or `name(arg, ...)`, each part located in the file. */
function readRef(n: YNode, what: 'channel', r: SectionReader): BuiltinRef | undefined {
  return readPieceRef(n, `glm.${what}`, what, CHANNEL_HINT, r);
}

/**
 * `name` or `name(arg, ...)` at YAML node n (the key `key`, e.g. `glm.prior`), the name and each argument located
 * in the file; a malformed one is a bad-value issue with `hint`. Shared by the glm and simulation sections.
 */
export function readPieceRef(n: unknown, key: string, what: string, hint: string, r: SectionReader): BuiltinRef | undefined {
  const expr = r.exprOf(n, key);
  if (!expr) return undefined;
  const text = expr.text;
  const m = /^(\s*)([A-Za-z][A-Za-z0-9_-]*)\s*(?:\((.*)\))?\s*$/s.exec(text);
  if (!m) {
    r.add('bad-value', expr.loc, `a ${what} is written \`name\` or \`name(arg, ...)\`, got \`${text.trim()}\``, undefined, hint);
    return undefined;
  }
  const name = m[2];
  const args: PieceArg[] = [];
  if (m[3] !== undefined && m[3].trim() !== '') {
    let offset = text.indexOf('(', m[1].length + name.length) + 1;
    for (const part of m[3].split(',')) {
      const lead = part.length - part.trimStart().length;
      args.push({ text: part.trim(), loc: locateIndex(expr, offset + lead) });
      offset += part.length + 1;
    }
  }
  return { kind: 'builtin', name, args, loc: locateIndex(expr, m[1].length) };
}

/** The `glm:` and `lowrank:` sections, registered with the reader (pipeline/load.ts). */
export const GLM_SECTION: SectionGrammar = { key: 'glm', read: readGlmSection, generates: true, excludes: ['lowrank'] };
/** The initialisation a lowrank section adds: m = 0 exactly, the uninformative fixed point (weak recovery). */
export const LOWRANK_SECTION: SectionGrammar = { key: 'lowrank', read: readLowrankSection, generates: true, inits: ['zero'], excludes: ['glm'] };
