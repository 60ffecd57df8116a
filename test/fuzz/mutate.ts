/**
 * Mutations of model files for the fuzzer (test/fuzz/model-fuzz.test.ts, `npm run fuzz`). A model file is
 * untrusted data (DESIGN.md): whatever a mutant holds (a hostile name, an expression of 3000 terms, a section of
 * the wrong YAML type, a truncated file), saddle must answer with a located error or a documented outcome.
 *
 * A mutant is a seed model (the zoo, the docs' examples and the YAML blocks of docs/model-files.md, the test
 * fixtures, the fuzzer's own regressions) and a short list of operations. The operations are plain data, drawn
 * by fast-check, and applied deterministically: a target or a payload is an index taken modulo the number of
 * candidates, so that every list of operations applies to every seed and fast-check can shrink it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isMap, isScalar, isSeq, parseDocument, visit, type Document, type Node as YNode, type Pair, type Scalar } from 'yaml';

export const ROOT = new URL('../../', import.meta.url).pathname;

export interface Seed {
  readonly name: string;
  readonly text: string;
}

/** The seed models: every YAML model of the repository, and each `yaml` block of docs/model-files.md. */
export function loadSeeds(root = ROOT): Seed[] {
  const seeds: Seed[] = [];
  for (const dir of ['equations', 'docs/examples', 'test/fixtures', 'test/fuzz/regressions']) {
    let files: string[] = [];
    try {
      files = readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml')).sort();
    } catch {
      continue;
    }
    for (const f of files) seeds.push({ name: `${dir}/${f}`, text: readFileSync(join(root, dir, f), 'utf8') });
  }
  const doc = readFileSync(join(root, 'docs/model-files.md'), 'utf8');
  let k = 0;
  for (const m of doc.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)) seeds.push({ name: `docs/model-files.md#yaml-${++k}`, text: m[1] });
  return seeds;
}

// ---------------------------------------------------------------------------------------------------------
// Payloads. Earlier entries are simpler: fast-check shrinks an index toward 0.

/** The canary: any payload that runs sets this global (and some try to end the process). */
export const CANARY = '__pwned';

/** Names that would be code, or a JavaScript built-in, or a column of the outputs, if a name ever reached them. */
export const HOSTILE_NAMES: readonly string[] = [
  '', 'constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', 'NaN', 'Infinity', 'undefined',
  'null', 'true', 'status', 'branch', 'selected', 'iterations', 'residual', 'free_energy', 'E', 'D', 'pi', 'e', 'sqrt',
  'a = 0, _ = globalThis.__pwned = 1, b', 'x\nglobalThis.__pwned=1', 'x\u2028globalThis.__pwned=1',
  '*/globalThis.__pwned=1/*', 'x; globalThis.__pwned = 1; //', '"); globalThis.__pwned = 1; ("', '${globalThis.__pwned = 1}',
  'process.exit(7)', '=cmd|\' /C calc\'!A0', '=1+1', 'a,b', '"q"', "'q'", 'a b', 'a-b', 'a.b', '1a', '_', '__x', 'sim_x',
  'p0', 's0', 'v0', 'f0', 't0', 'P', 'S', 'T', 'x', 'out', 'Math', 'GH64x', 'update', 'observables', 'function', 'return',
  'let', 'this', 'arguments', 'eval', 'globalThis', 'import', 'require', 'é', 'σ', 'Δ', '𝑥', 'a\u200bb', '\u202eq', 'a\u0000b',
  '\u001b[31mred', 'q ', ' q', '\tq', 'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(10_000), '<<', '~', '-', '?', ':', '#', '&a',
  '*a', '!tag', '[a]', '{a}', 'f(x)', 'f()',
];

/** Expressions: hostile, degenerate or huge. `n` scales the generated ones (terms, depth). */
export function hostileExpressions(n: number, sym: string): string[] {
  const s = sym;
  const deep = (open: string, close: string) => `${open.repeat(n)}${s}${close.repeat(n)}`;
  return [
    '', ' ', '\n', '#', 'undefined', 'null', 'true', 'false', '"text"', "'text'", 'NaN', 'Infinity', '-Infinity', 'Inf', '.inf',
    '1e400', '-1e400', '1e-400', '123456789012345678901234567890', '0x1F', '0b101', '1.7976931348623157e308 * 10', '0/0',
    '1/0', '0^0', '(-8)^(1/3)', 'sqrt(-1)', '2i', 'i', '1 + 2i', '5 cm', `${s} to cm`, `${s} in m`,
    `f(${s}, ${s})`, `${s}(${s})`, 'E(', `E(${s})`, `E(${s}, ${s})`, `E(${s}, ${s}, ${s}, ${s})`, 'E(z, z)', 'E(z, E(z, z))',
    'E([z, z], 1)', 'E([], 1)', 'E(1 < z < 2 < 3, z)', 'E(z > z, z)', 'E(z, 1, 0)', 'E(z, 1, 1e9)', `E(z, 1, ${s})`, 'E(E, 1)',
    `D(${s}, ${s})`, `D(${s})`, `D(${s}, 1)`, `D(D(D(D(${s} ^ ${s}, ${s}), ${s}), ${s}), ${s})`, `D(E(z, ${s} * z), ${s})`,
    `root(z, z - ${s}, 0, 1)`, `root(u, u - ${s}, 0, 1)`, `root(u, u, ${s})`, `argmin(u, u^2, -1, 1)`, `argmin(u, u^2)`,
    `prox(u, abs(u), ${s}, 0)`, `prox(${s}, ${s}, ${s}, ${s})`, `moreau(u, log1pexp(-u), ${s}, 1)`, `D(prox(u, u^4, ${s}, 1), ${s})`,
    `((${s}`, `${s}))`, `[1, 2`, '{', '}', ')', `${s} +`, `+ * ${s}`, `${s}!`, `${s}'`, `${s} xor ${s}`, `${s} & ${s}`,
    `${s} | ${s}`, `~${s}`, `${s} << 1`, `${s} >>> 1`, `${s} % 2`, `${s} mod 2`, '1:3', `${s} == ${s} == ${s}`, `0 < ${s} < 1`,
    `${s}++`, `${s} ** 2`, `${s} && ${s}`, `${s} || ${s}`, '[1, 2]', '[1, 2][1]', `${s}[1]`, `${s}.b`, `${s}.valueOf`,
    `${s}.constructor`, '{a: 1}', `${s} = 1`, 'f(x) = x^2', `${s}; ${s}`, `${s}\n${s}`, `${s}\u2028${s}`, `${s} ? 1`,
    `${s} ? 1 : 0`, `${s} ? : 0`, 'valueOf', 'constructor', '__proto__', 'toString()', 'toString(1)', 'hasOwnProperty(1)',
    'constructor.constructor("globalThis.__pwned = 1")()', 'evaluate("globalThis.__pwned = 1")', 'import({}, {})',
    'createUnit("foo")', 'simplify("x")', 'parse("1")', 'compile("1")', 'typed()', 'chain(1)', 'cos', `cos ${s}`, `2 ${s}`,
    '@', '$', '`', '\\', 'a = 0, _ = globalThis.__pwned = 1, b', 'x\nglobalThis.__pwned=1', 'x\u2028globalThis.__pwned=1',
    '*/globalThis.__pwned=1/*', 'process.exit(7)', 'globalThis.__pwned', '"); globalThis.__pwned = 1; ("',
    `selected.${s}`, 'selected.constructor', 'informed.__proto__ > 0', 'uninformed.toString',
    // huge and deep
    Array.from({ length: n }, () => s).join(' + '),
    Array.from({ length: n }, (_, k) => (k % 3 === 0 ? s : `${s} * ${k}`)).join(' - '),
    Array.from({ length: n }, () => s).join(' / '),
    deep('(', ')'), deep('exp(', ')'), deep('sqrt(abs(', '))'), deep('-', ''), deep('not ', ''), deep('+', ''),
    `${`${s} > 0 ? `.repeat(n)}1${' : 0'.repeat(n)}`, `${`(${s} > 0 ? `.repeat(n)}1${' : 0)'.repeat(n)}`,
    Array.from({ length: n }, () => s).join(' ^ '), `${'max('.repeat(n)}${s}${`, ${s})`.repeat(n)}`,
    `${'E(z, '.repeat(Math.min(n, 60))}z${')'.repeat(Math.min(n, 60))}`, `${'D('.repeat(Math.min(n, 30))}${s}${`, ${s})`.repeat(Math.min(n, 30))}`,
    `E([${Array.from({ length: Math.min(n, 50) }, () => 'z').join(', ')}], 1)`, `min(${Array.from({ length: n }, () => s).join(', ')})`,
    s.repeat(n), `${'a'.repeat(n)}`, '9'.repeat(n), `1${'0'.repeat(n)}`,
  ];
}
/** Sizes of the generated expressions. */
const SIZES = [1, 3, 40, 300, 1000, 3000];

/** Numbers (as YAML text) in place of a number of the file. */
export const HOSTILE_NUMBERS: readonly string[] = [
  '.inf', '-.inf', '.nan', '1e400', '-1e400', '0', '-0', '-1', '1e-320', '-1e-320', '5e-324', '1.7976931348623157e308',
  '9007199254740993', '123456789012345678901234567890', '1e12', '1e21', '0x10', '0o17', '2.5', '401', '1e9', '"1"', '"abc"',
  '""', 'null', 'true', '[1]', '{}', '1_000', '+1', '.5', '1.', '1e-7', '65536', '-2147483649', '4294967296',
];

/** Ordinary numbers, in place of a number of the file: mutants that still compile, solved at other values. */
const ORDINARY_NUMBERS = ['0.5', '2', '1e-3', '10', '100', '-0.5', '1e-8', '0.999', '1', '3', '0.1', '-2', '1e3', '0.25', '7'];

/** Values of another YAML type (a flow or tagged scalar), spliced in place of a value. */
export const HOSTILE_VALUES: readonly string[] = [
  '{}', '[]', 'null', '~', '""', "''", '[1, 2]', '{a: 1}', '[[[]]]', '{default: {default: 1}}', 'true', '0', '-1', '"text"',
  '!!binary aGVsbG8=', '!!set {a, b}', '!!omap [{a: 1}]', '!!timestamp 2001-12-14', '!!int 0x10', '!!float 1', '!!str 1',
  '!!null ""', '!!map {}', '!!seq []', '*nope', '&anchor 1', '!unknown x', '!!js/function "function () {}"', '{? [a, b]: 1}',
  '[{values: [1]}]', 'normal', 'discrete', '{law: normal}', '{law: discrete}', '{values: []}', '{init: {}}', '{init: []}',
  '{default: 1, min: 2, max: 1}', '{default: .nan}', '{default: 1, min: .nan}', '{init: .inf}', '{init: {uninformed: .nan, informed: 1}}',
  '{values: [.nan]}', '{values: [1], probs: [constructor]}', '{values: [1, 2], probs: ["1e400", "-1"]}', '{law: constructor}',
  '{nodes: 0}', '{nodes: 401}', '{nodes: 1e400}', '{nodes: .nan}', '{nodes: 2.5}', '{__proto__: 1}', '{constructor: 1}',
  '{toString: 1}', '{init: {constructor: 1}}', '{init: {__proto__: 1, uninformed: 0, informed: 1}}', '{default: "1"}',
  '{doc: [1]}', '{doc: {a: b}}', '{min: "0", default: 1}', '{values: {a: 1}}', '{values: [[1]]}', '{values: [1], probs: 1}',
];

/** Whole sections (YAML flow text), set in place of the section or added. */
export const SECTIONS: readonly (readonly [string, string])[] = [
  ['order_params', '{}'], ['order_params', '[]'], ['order_params', 'null'], ['order_params', '"q"'], ['order_params', '{q: {}}'],
  ['order_params', '{constructor: 1}'], ['params', '{}'], ['params', 'null'], ['params', '[alpha]'], ['updates', '{}'],
  ['updates', '[]'], ['updates', '{q: q}'], ['definitions', '{}'], ['observables', '{}'], ['observables', '{status: 1}'],
  ['solver', '{tol: .inf}'], ['solver', '{tol: 0}'], ['solver', '{tol: -1}'], ['solver', '{tol: .nan}'], ['solver', '{tol: 1e-400}'],
  ['solver', '{tol: 1e-320}'], ['solver', '{max_iterations: 1e12}'], ['solver', '{max_iterations: 0}'], ['solver', '{max_iterations: 2.5}'],
  ['solver', '{max_iterations: .inf}'], ['solver', '{damping: 0}'], ['solver', '{damping: 1e-300}'], ['solver', '{damping: .nan}'],
  ['solver', '{damping: 2}'], ['solver', '{anderson: 20}'], ['solver', '{anderson: 21}'], ['solver', '{anderson: -1}'],
  ['solver', '{anderson: 1e12}'], ['solver', '{damping: 5e-324, anderson: 20}'], ['solver', '{anderson: 20, damping: 0.5, tol: 1e-300}'],
  ['solver', '[]'], ['solver', '"fast"'], ['quadrature', '{nodes: 400}'], ['quadrature', '{nodes: 401}'], ['quadrature', '{nodes: 0}'],
  ['quadrature', '{nodes: 1e400}'], ['quadrature', '{nodes: .nan}'], ['quadrature', '{nodes: 1.5}'], ['quadrature', '{nodes: "64"}'],
  ['quadrature', '{nodes: 1}'], ['quadrature', '{nodes: 400, extra: 1}'],
  ['regions', '{a: "selected.constructor > 0"}'], ['regions', '{x: "informed.__proto__"}'], ['regions', '{b: toString}'],
  ['regions', '{c: "globalThis.__pwned = 1"}'], ['regions', '{d: "selected.q ? 1 : 0"}'], ['regions', '{e: selected.selected.q}'],
  ['regions', '{f: "uninformed.q +"}'], ['regions', '{g: true}'], ['regions', '{h: ""}'], ['regions', '{i: null}'], ['regions', '{j: 1e400}'],
  ['regions', '{k: "constructor(1)"}'], ['regions', '{l: "toString(1) > 0"}'], ['regions', '{m: "(abs)(1)"}'], ['regions', '{n: "selected[1]"}'],
  ['regions', '{o: "f(x) = 1"}'], ['regions', '{p: "[1, 2]"}'], ['regions', '{"AMP optimal": "selected.q > uninformed.q"}'],
  ['regions', '{"constructor": true}'], ['regions', '{"__proto__": true}'], ['regions', '{"a\u2028b": true}'], ['regions', '{q: "selected.q.r > 0"}'],
  ['regions', '{r: "\'str\' > 0"}'], ['regions', '{s: "selected.\'q\'"}'], ['regions', '{t: "abs()"}'], ['regions', '{u: "min(1, 2, 3) < max()"}'],
  ['regions', '{v: "a ? b"}'], ['regions', '{w: "1 < selected.q < 2"}'], ['regions', '[1, 2]'],
  ['glm', '{prior: constructor, channel: linear}'], ['glm', '{prior: "gaussian(constructor)", channel: "linear(__proto__)"}'],
  ['glm', '{prior: {density: "globalThis.__pwned = 1"}, channel: sign}'], ['glm', '{prior: {values: [.nan]}, channel: sign}'],
  ['glm', '{prior: {values: [1e400]}, channel: sign}'], ['glm', '{prior: {values: [], probs: []}, channel: sign}'],
  ['glm', '{prior: {density: "exp(-w^2)", kinks: [.nan, .inf]}, channel: {likelihood: "y", y: real, y_scale: 0}}'],
  ['glm', '{prior: gaussian, channel: {likelihood: "1", y: [.inf]}}'], ['glm', '{prior: gaussian, channel: linear, state_evolution: generic}'],
  ['glm', '{prior: "gaussian(1e400)", channel: "sign(.nan)"}'], ['glm', '{prior: "gaussian(1, 2, 3)", channel: "sign()"}'],
  ['glm', '{prior: "gaussian(", channel: "sign)"}'], ['glm', '{prior: "gaussian(alpha + 1)", channel: "linear(toString)"}'],
  ['glm', '{prior: {density: "w", scale: 0, nodes: 400}, channel: {likelihood: "z", y: real, y_scale: -1, nodes: 0}}'],
  ['glm', '{prior: {values: [1, 2], probs: ["constructor", "__proto__"]}, channel: {likelihood: "y * z > 0", y: [-1, 1], kinks: [0, 0, 0]}}'],
  ['glm', '{prior: {density: "exp(-abs(w))", scale: 1e400, kinks: [1e400]}, channel: abs}'], ['glm', '{prior: [gaussian], channel: [sign]}'],
  ['glm', '{prior: gaussian, channel: {likelihood: "1", y: []}}'], ['glm', '{prior: gaussian, channel: {likelihood: "1", y: {a: 1}}}'],
  ['glm', '{prior: gaussian, channel: {likelihood: "npdf(y - z)", y: real, y_scale: "sqrt(constructor)"}}'],
  ['glm', '{prior: "sparse-rademacher(0)", channel: "sign(1)"}'], ['glm', '{prior: "gauss-bernoulli(-1)", channel: "linear(-1)"}'],
  ['lowrank', '{prior: rademacher, snr: constructor}'], ['lowrank', '{prior: [rademacher, rademacher], snr: 1}'], ['lowrank', '{prior: [], snr: 1}'],
  ['lowrank', '{prior: rademacher, snr: .inf}'], ['lowrank', '{prior: rademacher, snr: "1e400"}'], ['lowrank', '{prior: "sparse-rademacher(0)", snr: 1}'],
  ['lowrank', '{prior: {values: [0], probs: [1]}, snr: 1}'], ['lowrank', '{prior: gaussian, snr: 0}'], ['lowrank', '{prior: gaussian, snr: -1}'],
  ['lowrank', '{prior: {density: "1"}, snr: 1, state_evolution: generic}'], ['lowrank', '{prior: [gaussian, {values: [1]}, {density: "1"}], snr: "q"}'],
  ['simulation', '{teacher: constructor, channel: sign, estimator: ridge(lambda), measure: {__proto__: q}}'],
  ['simulation', '{model: constructor}'], ['simulation', '{teacher: gaussian, channel: sign, estimator: "gamp(.nan)", measure: {q: q}}'],
  ['simulation', '{teacher: gaussian, channel: sign, estimator: gamp, measure: {toString: q}}'],
  ['simulation', '{model: spiked-wigner, estimator: "amp(1, 1e400)", measure: {m: m}}'], ['simulation', '{model: spiked-wigner, estimator: amp, measure: {constructor: m}}'],
  ['simulation', '{teacher: "gaussian(", channel: "sign)", estimator: "ridge(1, 2, 3, 4)", measure: []}'],
  ['simulation', '{teacher: gaussian, channel: linear(alpha), estimator: ridge(alpha), measure: {q: constructor}}'],
  ['simulation', '{teacher: gaussian, channel: sign, estimator: "logistic(-1)", measure: {q: q, m: m, gen_error: test_error}}'],
  ['simulation', '{teacher: "gauss-bernoulli(1e400, .nan)", channel: "outliers(1, 2, 3)", estimator: "huber(0, 0)", measure: {q: q}}'],
  ['free_energy', '""'], ['free_energy', '[1]'], ['free_energy', '"constructor"'], ['free_energy', '{a: 1}'],
  ['functions', '{"f(x, x)": x}'], ['functions', '{"f()": 1}'], ['functions', '{"f(x)": "f(x)"}'], ['functions', '{"constructor(x)": x}'],
  ['functions', '{"f(constructor)": 1}'], ['functions', '{"f(x)": "D(D(D(D(D(D(x^x, x), x), x), x), x), x)"}'], ['functions', '{"toString(x)": x}'],
  ['functions', '{"f(x)": "E(x, x)"}'], ['functions', '{"f(x": x}'], ['functions', '{"(x)": x}'], ['functions', '{"f(x,)": x}'],
  ['functions', '{"f(__proto__)": 1}'], ['functions', '{"H(x)": "x", "mills(x)": "H(x)"}'], ['functions', '{"g(x)": "D(g(x), x)"}'],
  ['variables', '{z: {law: normal, nodes: 400}, t: {law: normal, nodes: 400}, u: {law: normal, nodes: 400}}'],
  ['variables', '{y: {values: [1, 2], probs: ["E(y, 1)", 1]}}'], ['variables', '{y: {values: [1], probs: ["y"]}}'],
  ['variables', '{constructor: normal}'], ['variables', '{__proto__: normal}'], ['variables', '{z: discrete}'], ['variables', '{z: [1, 2]}'],
  ['name', '"a\u2028b"'], ['name', '"\u001b[2J"'], ['name', '"../../etc/passwd"'], ['name', '[1]'], ['name', '""'], ['name', '"constructor"'],
  ['description', 'null'], ['description', '[]'], ['description', '{a: 1}'], ['description', '"\u001b[31m"'], ['conventions', '[1]'], ['source', '{}'],
  ['extra', '1'], ['__proto__', '{}'], ['constructor', '1'],
];

/** Nests of normal expectations: [depth, nodes]. All but the last are affordable (at most 10^6 evaluations of the
 * body per sweep); 400^4 is refused (too-complex). */
const NESTS: readonly (readonly [number, number])[] = [[2, 64], [3, 64], [2, 400], [6, 10], [4, 400]];

/** Characters a byte flip writes. */
const FLIP_CHARS = [' ', '\n', '\t', '\r', ':', '{', '}', '[', ']', ',', '(', ')', '"', "'", '#', '&', '*', '!', '|', '>', '%', '@',
  '`', '-', '?', '\u0000', '\u2028', '\uFEFF', '\u00e9', '\uD800', 'x', '0', '9', '.', 'e', '^', '=', '\\', ';', '$'];

// ---------------------------------------------------------------------------------------------------------
// Operations

export type Op =
  | { readonly kind: 'rename'; readonly target: number; readonly name: number; readonly everywhere: boolean; readonly declared: boolean }
  | { readonly kind: 'expr'; readonly target: number; readonly expr: number; readonly size: number; readonly how: number; readonly token: number }
  | { readonly kind: 'number'; readonly target: number; readonly value: number }
  | { readonly kind: 'retype'; readonly target: number; readonly value: number; readonly wrap: number }
  | { readonly kind: 'delete'; readonly target: number; readonly top: boolean }
  | { readonly kind: 'duplicate'; readonly target: number; readonly top: boolean }
  | { readonly kind: 'swap'; readonly a: number; readonly b: number; readonly values: boolean; readonly siblings: boolean }
  | { readonly kind: 'tweak'; readonly target: number; readonly value: number }
  | { readonly kind: 'section'; readonly section: number }
  | { readonly kind: 'discrete'; readonly count: number; readonly nest: number; readonly target: number }
  | { readonly kind: 'normals'; readonly shape: number; readonly target: number }
  | { readonly kind: 'bomb'; readonly depth: number; readonly functions: boolean; readonly target: number }
  | { readonly kind: 'flip'; readonly offset: number; readonly char: number; readonly mode: number }
  | { readonly kind: 'truncate'; readonly offset: number };

const nat = fc.nat({ max: 1_000_000 });
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('rename' as const), target: nat, name: nat, everywhere: fc.boolean(), declared: fc.boolean() }) },
  { weight: 7, arbitrary: fc.record({ kind: fc.constant('expr' as const), target: nat, expr: nat, size: fc.nat({ max: SIZES.length - 1 }), how: fc.nat({ max: 3 }), token: nat }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('number' as const), target: nat, value: nat }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('retype' as const), target: nat, value: nat, wrap: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), target: nat, top: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), target: nat, top: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('swap' as const), a: nat, b: nat, values: fc.boolean(), siblings: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tweak' as const), target: nat, value: nat }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('section' as const), section: nat }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('discrete' as const), count: fc.nat({ max: 9 }), nest: fc.integer({ min: 1, max: 4 }), target: nat }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('normals' as const), shape: fc.nat({ max: NESTS.length - 1 }), target: nat }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bomb' as const), depth: fc.integer({ min: 1, max: 60 }), functions: fc.boolean(), target: nat }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('flip' as const), offset: nat, char: nat, mode: fc.nat({ max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), offset: nat }) },
);

export interface Mutant {
  readonly seed: string;
  readonly ops: readonly Op[];
  /** What each operation did, in words (for a finding's header). */
  readonly log: readonly string[];
  readonly text: string;
}

/** Mutants of `seeds`: a seed and one to four operations. */
export function mutantArb(seeds: readonly Seed[], maxOps = 4): fc.Arbitrary<Mutant> {
  return fc.record({ seed: fc.nat({ max: seeds.length - 1 }), ops: fc.array(opArb, { minLength: 1, maxLength: maxOps }) })
    .map(({ seed, ops }) => {
      const { text, log } = applyOps(seeds[seed].text, ops);
      return { seed: seeds[seed].name, ops, log, text };
    });
}

/** The operations applied in turn; one that does not apply to the text (no candidate) leaves it as it is. */
export function applyOps(text: string, ops: readonly Op[]): { text: string; log: string[] } {
  const log: string[] = [];
  let t = text;
  for (const op of ops) {
    const r = applyOp(t, op);
    log.push(r.what);
    t = r.text;
  }
  return { text: t, log };
}

const short = (s: string, n = 60) => JSON.stringify(s.length > n ? `${s.slice(0, n)}...(${s.length} chars)` : s);
const pick = <T>(xs: readonly T[], k: number): T => xs[k % xs.length];
/** YAML text of a string: plain when that reads back as the same string, else JSON (a valid YAML double-quoted scalar). */
export function yamlString(s: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !/^(true|false|null|True|False|Null|TRUE|FALSE|NULL)$/.test(s) ? s : JSON.stringify(s);
}

/** The YAML document of `text`; its errors without stack traces (a mutant of garbage has one per token). */
function parse(text: string): Document.Parsed {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

interface Splice { readonly start: number; readonly end: number; readonly text: string }
/** Applies non-overlapping splices (from one parse of `text`), last first. */
function splice(text: string, edits: readonly Splice[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) {
    let rep = e.text;
    // a block scalar's range ends with its line break: keep the next key on a line of its own
    if (out.slice(e.start, e.end).endsWith('\n') && !rep.endsWith('\n')) rep += '\n';
    out = out.slice(0, e.start) + rep + out.slice(e.end);
  }
  return out;
}

const SECTION_NAMES = new Set(['params', 'order_params', 'variables', 'definitions', 'updates', 'observables', 'functions', 'regions']);
const TEXT_SECTIONS = new Set(['name', 'description', 'conventions', 'source']);

interface Entry {
  readonly pair: Pair<unknown, unknown>;
  readonly parent: { items: unknown[] };
  /** The top-level section it belongs to ('' for a top-level pair itself). */
  readonly section: string;
  readonly depth: number;
}

/** The parts of a document the operations aim at. */
interface Targets {
  readonly doc: Document;
  readonly pairs: Entry[];
  /** Keys declaring a name: the entries of params, order_params, ..., and initialisations. */
  readonly declared: Entry[];
  /** Scalars that are expressions (or any non-text value scalar when the file has none). */
  readonly exprs: Scalar[];
  readonly numbers: Scalar[];
  readonly values: YNode[];
  readonly identifiers: string[];
}

function targets(text: string): Targets | undefined {
  const doc = parse(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  const pairs: Entry[] = [];
  const declared: Entry[] = [];
  const exprs: Scalar[] = [];
  const anyValue: Scalar[] = [];
  const numbers: Scalar[] = [];
  const values: YNode[] = [];
  const walk = (node: unknown, section: string, depth: number, inExpr: boolean) => {
    if (isMap(node)) {
      for (const p of node.items as Pair<unknown, unknown>[]) {
        if (!isScalar(p.key) || !p.key.range) continue;
        const key = String(p.key.value);
        const sec = depth === 0 ? key : section;
        const e = { pair: p, parent: node as unknown as { items: unknown[] }, section: depth === 0 ? '' : section, depth };
        pairs.push(e);
        if (depth === 1 && SECTION_NAMES.has(section)) declared.push(e);
        if (key === 'init' && isMap(p.value)) for (const ip of p.value.items as Pair<unknown, unknown>[]) if (isScalar(ip.key) && ip.key.range) declared.push({ pair: ip, parent: p.value as unknown as { items: unknown[] }, section, depth: depth + 1 });
        if (p.value && (p.value as YNode).range) values.push(p.value as YNode);
        const exprHere = (depth === 1 && ['definitions', 'updates', 'observables', 'functions', 'regions'].includes(sec)) || (depth === 0 && key === 'free_energy')
          || ['probs', 'density', 'likelihood', 'snr', 'prior', 'channel', 'teacher', 'estimator', 'y_scale'].includes(key);
        if (!(depth === 0 && TEXT_SECTIONS.has(key))) walk(p.value, sec, depth + 1, exprHere);
      }
    } else if (isSeq(node)) {
      for (const it of node.items) {
        if (it && (it as YNode).range) values.push(it as YNode);
        walk(it, section, depth + 1, inExpr);
      }
    } else if (isScalar(node) && node.range) {
      if (typeof node.value === 'number') numbers.push(node);
      if (typeof node.value === 'string' || typeof node.value === 'number') {
        anyValue.push(node);
        if (inExpr) exprs.push(node);
      }
    }
  };
  walk(doc.contents, '', 0, false);
  const identifiers = [...new Set(declared.map((e) => String((e.pair.key as Scalar).value).replace(/\(.*$/, '')))].filter((s) => /^[A-Za-z_]\w*$/.test(s));
  return { doc, pairs, declared, exprs: exprs.length ? exprs : anyValue, numbers, values, identifiers };
}

/** Whether `inner` sits inside the value of `outer` (swapping their values would make a cycle). */
function contains(outer: Pair<unknown, unknown>, inner: Pair<unknown, unknown>): boolean {
  let found = false;
  if (outer.value && typeof outer.value === 'object') visit(outer.value as YNode, { Pair(_k, p) { if (p === inner) { found = true; return visit.BREAK; } return undefined; } });
  return found;
}

const wordRe = (w: string) => new RegExp(`(?<![A-Za-z0-9_])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`, 'g');

function applyOp(text: string, op: Op): { text: string; what: string } {
  try {
    switch (op.kind) {
      case 'flip': {
        if (text.length === 0) return { text: pick(FLIP_CHARS, op.char), what: 'flip: empty text' };
        const at = op.offset % text.length;
        const c = pick(FLIP_CHARS, op.char);
        const mode = ['replace', 'insert', 'delete'][op.mode];
        const out = mode === 'replace' ? text.slice(0, at) + c + text.slice(at + 1) : mode === 'insert' ? text.slice(0, at) + c + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
        return { text: out, what: `flip: ${mode} ${mode === 'delete' ? '' : `${JSON.stringify(c)} `}at offset ${at}` };
      }
      case 'truncate': {
        const at = text.length ? op.offset % text.length : 0;
        return { text: text.slice(0, at), what: `truncate at offset ${at} of ${text.length}` };
      }
      case 'section': return setSection(text, ...pick(SECTIONS, op.section));
      default:
    }
    const tg = targets(text);
    if (!tg) return { text, what: `${op.kind}: not a YAML mapping, unchanged` };
    switch (op.kind) {
      case 'rename': {
        const pool = op.declared && tg.declared.length ? tg.declared : tg.pairs;
        if (!pool.length) return { text, what: 'rename: no key' };
        const e = pick(pool, op.target);
        const key = e.pair.key as Scalar;
        const old = String(key.value);
        const name = pick(HOSTILE_NAMES, op.name);
        const fn = /^\s*([A-Za-z_]\w*)\s*\((.*)\)\s*$/.exec(old);
        const id = fn ? fn[1] : old;
        const edits: Splice[] = [{ start: key.range![0], end: key.range![1], text: yamlString(fn ? old.replace(id, name) : name) }];
        if (op.everywhere && /^[A-Za-z_]\w*$/.test(id)) {
          visit(tg.doc, {
            Scalar(_k, s) {
              if (s === key || !s.range || typeof s.value !== 'string' || !wordRe(id).test(s.value)) return;
              edits.push({ start: s.range[0], end: s.range[1], text: yamlString(s.value.replace(wordRe(id), () => name)) });
            },
          });
        }
        return { text: splice(text, edits), what: `rename \`${old}\` to ${short(name)}${op.everywhere ? ' everywhere' : ''}` };
      }
      case 'expr': {
        if (!tg.exprs.length) return { text, what: 'expr: no expression' };
        const s = pick(tg.exprs, op.target);
        const old = String(s.value);
        const sym = tg.identifiers.length ? pick(tg.identifiers, op.token) : 'q';
        const e = pick(hostileExpressions(SIZES[op.size], sym), op.expr);
        const words = [...old.matchAll(/[A-Za-z_]\w*/g)];
        let next: string;
        let how: string;
        if (op.how === 0 || (op.how === 1 && !words.length)) { next = e; how = 'replace'; }
        else if (op.how === 1) {
          const w = pick(words, op.token);
          next = old.slice(0, w.index) + e + old.slice(w.index! + w[0].length);
          how = `splice in for \`${w[0]}\``;
        } else if (op.how === 2) { next = `${old} + (${e})`; how = 'append'; }
        else { next = `${e}(${old})`; how = 'wrap'; }
        return { text: splice(text, [{ start: s.range![0], end: s.range![1], text: JSON.stringify(next) }]), what: `expr: ${how} ${short(old, 30)} -> ${short(e)}` };
      }
      case 'number': {
        if (!tg.numbers.length) return { text, what: 'number: none' };
        const s = pick(tg.numbers, op.target);
        const v = pick(HOSTILE_NUMBERS, op.value);
        return { text: splice(text, [{ start: s.range![0], end: s.range![1], text: v }]), what: `number: ${s.value} -> ${v}` };
      }
      case 'retype': {
        if (!tg.values.length) return { text, what: 'retype: no value' };
        const n = pick(tg.values, op.target);
        const old = text.slice(n.range![0], n.range![1]);
        const oneLine = !old.includes('\n') && !old.trimStart().startsWith('>') && !old.trimStart().startsWith('|');
        const v = op.wrap === 1 && oneLine ? `[${old}]` : op.wrap === 2 && oneLine ? `{x: ${old}}` : pick(HOSTILE_VALUES, op.value);
        return { text: splice(text, [{ start: n.range![0], end: n.range![1], text: v }]), what: `retype: ${short(old, 30)} -> ${short(v)}` };
      }
      case 'delete': {
        const pool = op.top ? tg.pairs.filter((e) => e.depth === 0) : tg.pairs;
        if (!pool.length) return { text, what: 'delete: no key' };
        const e = pick(pool, op.target);
        e.parent.items.splice(e.parent.items.indexOf(e.pair), 1);
        return { text: String(tg.doc), what: `delete \`${(e.pair.key as Scalar).value}\`` };
      }
      case 'duplicate': {
        const pool = op.top ? tg.pairs.filter((e) => e.depth === 0) : tg.pairs;
        if (!pool.length) return { text, what: 'duplicate: no key' };
        const e = pick(pool, op.target);
        e.parent.items.splice(e.parent.items.indexOf(e.pair) + 1, 0, e.pair.clone());
        return { text: String(tg.doc), what: `duplicate \`${(e.pair.key as Scalar).value}\`` };
      }
      case 'tweak': {
        if (!tg.numbers.length) return { text, what: 'tweak: no number' };
        const s = pick(tg.numbers, op.target);
        const v = pick(ORDINARY_NUMBERS, op.value);
        return { text: splice(text, [{ start: s.range![0], end: s.range![1], text: v }]), what: `tweak: ${s.value} -> ${v}` };
      }
      case 'swap': {
        const top = tg.pairs.filter((e) => e.depth === 0);
        const pool = op.values ? tg.pairs : top;
        if (pool.length < 2) return { text, what: 'swap: fewer than two keys' };
        const a = pick(pool, op.a);
        // siblings: two entries of one mapping (the order of updates, of sections); else any two
        const others = pool.filter((e) => e !== a && (!op.siblings || e.parent === a.parent) && !contains(a.pair, e.pair) && !contains(e.pair, a.pair));
        if (!others.length) return { text, what: 'swap: no second key' };
        const b = pick(others, op.b);
        if (op.values) {
          const v = a.pair.value;
          a.pair.value = b.pair.value;
          b.pair.value = v;
        } else {
          // the two entries trade places (in different mappings, each moves to the other's)
          const ia = a.parent.items.indexOf(a.pair);
          const ib = b.parent.items.indexOf(b.pair);
          a.parent.items[ia] = b.pair;
          b.parent.items[ib] = a.pair;
        }
        return { text: String(tg.doc), what: `swap ${op.values ? 'the values of ' : ''}\`${(a.pair.key as Scalar).value}\` and \`${(b.pair.key as Scalar).value}\`` };
      }
      case 'discrete': {
        // 10^5 values (one variable: reading it is slow enough) is the rarest
        const count = [2, 256, 257, 1000, 40, 3, 16, 300, 64, 100_000][op.count];
        const names = Array.from({ length: count > 1000 ? 1 : op.nest }, (_, k) => `zz${k}`);
        const values = `[${Array.from({ length: count }, (_, k) => k).join(', ')}]`;
        const out = addEntries(text, 'variables', names.map((n) => [n, `{values: ${values}}`]));
        const t2 = targets(out);
        if (!t2?.exprs.length) return { text: out, what: `discrete: ${op.nest} variables of ${count} values, unused` };
        const s = pick(t2.exprs, op.target);
        const e = `E([${names.join(', ')}], ${names.join(' * ')})`;
        return { text: splice(out, [{ start: s.range![0], end: s.range![1], text: JSON.stringify(e) }]), what: `discrete: ${op.nest} variables of ${count} values in ${e}` };
      }
      case 'normals': {
        const [depth, nodes] = NESTS[op.shape];
        const names = Array.from({ length: depth }, (_, k) => `nn${k}`);
        const out = addEntries(text, 'variables', names.map((n) => [n, `{law: normal, nodes: ${nodes}}`]));
        const t2 = targets(out);
        if (!t2?.exprs.length) return { text: out, what: `normals: ${depth} of ${nodes} nodes, unused` };
        const s = pick(t2.exprs, op.target);
        const e = `${s.value} + 0 * E([${names.join(', ')}], tanh(${names.join(' * ')}))`;
        return { text: splice(out, [{ start: s.range![0], end: s.range![1], text: JSON.stringify(e) }]), what: `normals: a nest of ${depth} of ${nodes} nodes` };
      }
      case 'bomb': {
        // each level uses the previous one twice: inlined, the last is 2^depth copies
        const section = op.functions ? 'functions' : 'definitions';
        const out = addEntries(text, section, Array.from({ length: op.depth }, (_, k) => (op.functions
          ? [`bb${k}(x)`, JSON.stringify(k === 0 ? 'x + 1' : `bb${k - 1}(x) * bb${k - 1}(x + 1)`)]
          : [`bb${k}`, JSON.stringify(k === 0 ? '1' : `bb${k - 1} + bb${k - 1}`)]) as [string, string]));
        const t2 = targets(out);
        const use = op.functions ? `bb${op.depth - 1}(1)` : `bb${op.depth - 1}`;
        const exprs = t2?.exprs.filter((s) => !String(s.value).includes('bb')) ?? [];
        if (!exprs.length) return { text: out, what: `bomb: ${op.depth} doubling ${section}, unused` };
        const s = pick(exprs, op.target);
        return { text: splice(out, [{ start: s.range![0], end: s.range![1], text: JSON.stringify(`${s.value} + ${use}`) }]), what: `bomb: ${op.depth} doubling ${section}, used` };
      }
    }
  } catch (e) {
    return { text, what: `${op.kind}: mutator failed (${(e as Error).message}), unchanged` };
  }
}

/** `text` with its top-level `key` set to `value` (YAML flow text): replaced in place, or added at the end. */
function setSection(text: string, key: string, value: string): { text: string; what: string } {
  const what = `section ${key}: ${short(value)}`;
  const doc = parse(text);
  if (doc.errors.length === 0 && isMap(doc.contents)) {
    const p = (doc.contents.items as Pair<unknown, unknown>[]).find((q) => isScalar(q.key) && q.key.value === key);
    const v = p?.value as YNode | null | undefined;
    // an empty value (`regions:`) sits right after the colon
    if (v?.range) return { text: splice(text, [{ start: v.range[0], end: v.range[1], text: text[v.range[0] - 1] === ':' ? ` ${value}` : value }]), what };
    if (p && isScalar(p.key) && p.key.range) {
      return { text: splice(text, [{ start: p.key.range[0], end: p.key.range[1], text: `${yamlString(key)}: ${value}\n#` }]), what };
    }
  }
  return { text: `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${yamlString(key)}: ${value}\n`, what };
}

/** `text` with `name: value` entries added to the top-level mapping `section` (created when missing). */
function addEntries(text: string, section: string, entries: readonly (readonly [string, string])[]): string {
  const lines = entries.map(([name, value]) => `${yamlString(name)}: ${value}`);
  const doc = parse(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return text;
  const p = (doc.contents.items as Pair<unknown, unknown>[]).find((q) => isScalar(q.key) && q.key.value === section);
  if (!p) return `${text}${text.endsWith('\n') ? '' : '\n'}${section}:\n${lines.map((l) => `  ${l}\n`).join('')}`;
  if (!isMap(p.value) || !p.value.range) return text;
  if (!p.value.flow) {
    // a block mapping: new lines at the indentation of its first key, after its last entry
    const first = p.value.items[0]?.key as YNode | undefined;
    const start = first?.range?.[0] ?? p.value.range[0];
    const indent = start - (text.lastIndexOf('\n', start - 1) + 1);
    const at = p.value.range[1];
    const before = text.slice(0, at);
    return `${before}${before.endsWith('\n') ? '' : '\n'}${lines.map((l) => `${' '.repeat(indent)}${l}\n`).join('')}${text.slice(at)}`;
  }
  const added = parseDocument(lines.join('\n')).contents;
  if (!isMap(added)) return text;
  p.value.items.push(...added.items);
  return String(doc);
}
