import { BUILTINS, CONSTANTS } from '../ir/builtins.ts';

/**
 * Text operations on model-language expressions, used to instantiate the pieces of the library: the pieces
 * are written as expression text and parsed by the same pipeline as a model file, so the generated code and
 * the interpreter remain the only evaluators.
 */

/** Names that keep their meaning in piece text: built-ins, constants, forms and operators written as words. */
const GLOBAL = new Set([
  ...Object.keys(BUILTINS), ...Object.keys(CONSTANTS), 'E', 'D', 'root', 'argmin', 'prox', 'Infinity', 'NaN', 'and', 'or', 'not',
]);

/** An identifier, not part of a number (the `e` of `1e-10`) or of a longer name. */
const IDENT = /(?<![A-Za-z0-9_.])[A-Za-z_][A-Za-z0-9_]*/g;

/** Replaces every identifier of `text` by `rename(identifier)`; built-ins and constants are left alone. */
export function renameIdentifiers(text: string, rename: (name: string) => string): string {
  return text.replace(IDENT, (name) => (GLOBAL.has(name) ? name : rename(name)));
}

/** The identifiers of `text` (without built-ins and constants). */
export function identifiers(text: string): Set<string> {
  const out = new Set<string>();
  renameIdentifiers(text, (n) => { out.add(n); return n; });
  return out;
}

/**
 * Replaces each call `F(arg)` of the placeholder function `F` in `template` by `body(arg)`. Templates are
 * how a piece states an average it cannot name a function for (the label law of a channel, the teacher's
 * prior): `E(s, F(omega + sqrt(V) * s))` with F(y) = gout(y, omega, V)^2 averages gout^2 over the labels.
 */
export function applyPlaceholder(template: string, body: (arg: string) => string, name = 'F'): string {
  let out = '';
  let i = 0;
  const re = new RegExp(`(?<![A-Za-z0-9_.])${name}\\s*\\(`, 'g');
  for (let m = re.exec(template); m; m = re.exec(template)) {
    let depth = 1;
    let j = m.index + m[0].length;
    for (; j < template.length && depth > 0; j++) {
      if (template[j] === '(') depth++;
      else if (template[j] === ')') depth--;
    }
    if (depth !== 0) throw new Error(`unbalanced ${name}( in piece template: ${template}`);
    const arg = template.slice(m.index + m[0].length, j - 1);
    out += template.slice(i, m.index) + `(${body(applyPlaceholder(arg, body, name))})`;
    i = j;
    re.lastIndex = j;
  }
  return out + template.slice(i);
}

/** `name(a, b)` split into its name and argument names. */
export function splitSignature(signature: string): { name: string; args: string[] } {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)\s*$/.exec(signature);
  if (!m) throw new Error(`bad piece function signature: ${signature}`);
  return { name: m[1], args: m[2].trim() ? m[2].split(',').map((s) => s.trim()) : [] };
}
