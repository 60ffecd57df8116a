import type { IssueCode, Loc } from '../base/issues.ts';
import { didYouMean } from '../base/suggest.ts';
import type { BuiltinRef, PieceInfo, PieceParam } from './types.ts';

/**
 * A piece reference of a model file (`name(arg, ...)`) against the library and the model's parameters: the one
 * resolution that the theory sections (glm, lowrank) and the simulation section share, so that a piece's name,
 * arity and arguments mean the same everywhere.
 */

export type Add = (code: IssueCode, loc: Loc, message: string, symbol?: string, hint?: string) => void;

/** Who uses a piece: a theory section counts only the parameters its forms model; a simulation all of them. */
export type Use = 'theory' | 'simulation';

/** An argument resolved at load: a parameter of the model (its index among the Program's parameters, which is
 * its index in `Problem.params`) or a number (given, or the parameter's default), with its text. */
export type ResolvedArg =
  | { readonly kind: 'param'; readonly name: string; readonly index: number }
  | { readonly kind: 'number'; readonly value: number; readonly text: string };

export const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The parameters a use may give (simulation-only ones come last). */
export const paramsFor = (piece: PieceInfo, use: Use): readonly PieceParam[] =>
  (use === 'theory' ? piece.params.filter((p) => !p.simulationOnly) : piece.params);

/** `name(a, b?)`: optional arguments marked. */
export function signature(piece: PieceInfo, use: Use): string {
  const ps = paramsFor(piece, use);
  return ps.length ? `${piece.name}(${ps.map((x) => (x.default === undefined ? x.name : `${x.name}?`)).join(', ')})` : piece.name;
}

/** A reference as written, e.g. `gauss-bernoulli(rho, 1)`. */
export const refText = (r: { readonly name: string; readonly args: readonly { readonly text: string }[] }) =>
  (r.args.length ? `${r.name}(${r.args.map((a) => a.text).join(', ')})` : r.name);

/**
 * The piece `ref` names among those `offered` (e.g. the pieces with theory forms, for a glm section): an unknown
 * name is an unknown-piece issue with a did-you-mean or the list of choices; a piece of the library that this use
 * cannot take is a bad-value that says why (`refused`).
 */
export function lookupPiece<P extends PieceInfo>(ref: BuiltinRef, library: ReadonlyMap<string, P>, what: string, use: Use, add: Add,
  offered: (p: P) => boolean, refused: (p: P) => string, hint?: string): P | undefined {
  const piece = library.get(ref.name);
  const choices = [...library.values()].filter(offered);
  if (!piece) {
    add('unknown-piece', ref.loc, `unknown ${what} \`${ref.name}\``, ref.name,
      didYouMean(ref.name, choices.map((p) => p.name)) ?? hint ?? `${what}s: ${choices.map((p) => signature(p, use)).join(', ')}`);
    return undefined;
  }
  if (!offered(piece)) {
    add('bad-value', ref.loc, refused(piece), ref.name, `${what}s here: ${choices.map((p) => signature(p, use)).join(', ')}`);
    return undefined;
  }
  return piece;
}

/**
 * The arguments of `ref` for `piece`, one per parameter of the piece (all of them, defaults filled in), each a
 * parameter of the model (`params`, the model's parameter names in order) or a number; undefined after an issue.
 * When every argument is a number, their values are checked (the piece's `checkArgs`) here, at load.
 */
export function resolveArgs(ref: BuiltinRef, piece: PieceInfo, what: string, use: Use, params: readonly string[], add: Add): ResolvedArg[] | undefined {
  const counted = paramsFor(piece, use);
  const required = counted.filter((x) => x.default === undefined).length;
  if (ref.args.length < required || ref.args.length > counted.length) {
    const want = required === counted.length ? `${required}` : required + 1 === counted.length ? `${required} or ${counted.length}` : `${required} to ${counted.length}`;
    add('wrong-arity', ref.loc, `the ${what} \`${piece.name}\` takes ${want} argument${want === '1' ? '' : 's'}, got ${ref.args.length}`, piece.name,
      `${signature(piece, use)}${counted.length ? `: ${counted.map((x) => `${x.name} = ${x.doc}`).join('; ')}` : ''}`);
    return undefined;
  }
  const out: ResolvedArg[] = [];
  let ok = true;
  piece.params.forEach((param, i) => {
    const a = ref.args[i];
    if (a === undefined) out.push({ kind: 'number', value: Number(param.default), text: param.default ?? 'NaN' });
    else if (NUMBER.test(a.text)) out.push({ kind: 'number', value: Number(a.text), text: a.text });
    else if (IDENT.test(a.text)) {
      const index = params.indexOf(a.text);
      if (index >= 0) out.push({ kind: 'param', name: a.text, index });
      else {
        ok = false;
        add('unknown-symbol', a.loc, `\`${a.text}\` (the ${param.name} of \`${piece.name}\`) is not a parameter of the model`, a.text,
          didYouMean(a.text, params) ?? `declare it under params, e.g. \`${a.text}: { default: ..., doc: "${param.doc}" }\``);
      }
    } else {
      ok = false;
      add('bad-value', a.loc, `an argument of \`${piece.name}\` is a parameter name or a number, got \`${a.text}\``, undefined,
        'declare a parameter for it under params and pass its name');
    }
  });
  if (!ok) return undefined;
  if (piece.checkArgs && out.every((a) => a.kind === 'number')) {
    const why = piece.checkArgs(out.map((a) => (a as { value: number }).value));
    if (why) {
      add('bad-value', ref.loc, `${what} \`${refText(ref)}\`: ${why}`, piece.name);
      return undefined;
    }
  }
  return out;
}

/** One argument text: a number, or a parameter of the model (`params`, its parameter names in order); undefined
 * for anything else. */
export function resolveArg(text: string, params: readonly string[]): ResolvedArg | undefined {
  if (NUMBER.test(text)) return { kind: 'number', value: Number(text), text };
  const index = IDENT.test(text) ? params.indexOf(text) : -1;
  return index >= 0 ? { kind: 'param', name: text, index } : undefined;
}

/** The arguments' values at the parameter values `params` (in the model's order, i.e. `Problem.params`). */
export const argValues = (args: readonly ResolvedArg[], params: ArrayLike<number>): number[] =>
  args.map((a) => (a.kind === 'param' ? params[a.index] : a.value));
