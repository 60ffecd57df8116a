import * as sf from '../numerics/special.ts';
import { dict } from '../base/names.ts';

/** A built-in function of the model language: its arity, its JS spelling and its value (for the interpreter). */
export interface Builtin {
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly doc: string;
  /** JS source for a call, given the arguments' JS source. */
  readonly js: (args: readonly string[]) => string;
  readonly fn: (...x: number[]) => number;
}

const math = (name: keyof Math & string, doc: string, n = 1): Builtin => ({
  minArgs: n, maxArgs: n, doc,
  js: (a) => `Math.${name}(${a.join(', ')})`,
  fn: Math[name] as (...x: number[]) => number,
});
/** Special functions are passed into generated code as `S` and called as `S.name(...)`. */
const special = (name: keyof typeof sf & string, doc: string, n = 1): Builtin => ({
  minArgs: n, maxArgs: n, doc,
  js: (a) => `S_${name}(${a.join(', ')})`,
  fn: sf[name] as (...x: number[]) => number,
});

/** By name; a record without a prototype, so that no model name (`constructor`, `toString`) finds a built-in of JS. */
export const BUILTINS: Readonly<Record<string, Builtin>> = dict(Object.entries({
  sqrt: math('sqrt', 'square root'),
  exp: math('exp', 'exponential'),
  log: math('log', 'natural logarithm'),
  log1p: math('log1p', 'log(1 + x), accurate for small x'),
  expm1: math('expm1', 'exp(x) - 1, accurate for small x'),
  abs: math('abs', 'absolute value'),
  sin: math('sin', 'sine'), cos: math('cos', 'cosine'), tan: math('tan', 'tangent'),
  asin: math('asin', 'arcsine'), acos: math('acos', 'arccosine'), atan: math('atan', 'arctangent'),
  atan2: math('atan2', 'atan2(y, x)', 2),
  sinh: math('sinh', 'hyperbolic sine'), cosh: math('cosh', 'hyperbolic cosine'), tanh: math('tanh', 'hyperbolic tangent'),
  asinh: math('asinh', 'inverse hyperbolic sine'), acosh: math('acosh', 'inverse hyperbolic cosine'), atanh: math('atanh', 'inverse hyperbolic tangent'),
  floor: math('floor', 'round down'), ceil: math('ceil', 'round up'),
  pow: { minArgs: 2, maxArgs: 2, doc: 'pow(a, b) = a^b', js: (a) => `((${a[0]}) ** (${a[1]}))`, fn: (a, b) => a ** b },
  min: { minArgs: 1, maxArgs: Infinity, doc: 'smallest argument', js: (a) => `Math.min(${a.join(', ')})`, fn: Math.min },
  max: { minArgs: 1, maxArgs: Infinity, doc: 'largest argument', js: (a) => `Math.max(${a.join(', ')})`, fn: Math.max },
  sign: special('sign', 'sign(x), with sign(0) = 0'),
  erf: special('erf', 'error function'),
  erfc: special('erfc', 'complementary error function 1 - erf(x), accurate in the tail'),
  erfcx: special('erfcx', 'scaled complementary error function exp(x^2) erfc(x)'),
  H: special('H', 'Gaussian tail P(z > x) = erfc(x/sqrt(2))/2'),
  logH: special('logH', 'log H(x), accurate for large x'),
  npdf: special('npdf', 'standard normal density N(x)'),
  ncdf: special('ncdf', 'standard normal distribution function Phi(x) = H(-x)'),
  logNpdf: special('logNpdf', 'log N(x)'),
  mills: special('mills', 'inverse Mills ratio N(x)/H(x), stable for all x'),
  log1pexp: special('log1pexp', 'softplus log(1 + exp(x)), no overflow'),
  sigmoid: special('sigmoid', 'logistic function 1/(1 + exp(-x))'),
  logSigmoid: special('logSigmoid', 'log sigmoid(x) = -log1pexp(-x)'),
} satisfies Record<string, Builtin>));

export const CONSTANTS: Readonly<Record<string, number>> = dict(Object.entries({ pi: Math.PI, e: Math.E, Inf: Infinity }));

/** The special functions the generated code calls, keyed by the `S_name` it calls them by (the measures' own
 * run-time helpers, quadrature rules built at run time, come from measures/index.ts `measureRuntime`). */
export function specialScope(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, b] of Object.entries(BUILTINS)) if (b.js(['x']).startsWith('S_')) out[`S_${name}`] = b.fn;
  return out;
}
