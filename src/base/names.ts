/**
 * Names written in a model file or on the command line are data. They never become code (generated code names
 * its slots itself: p0, s3, b1, f2), and they are looked up prototype-safely (`own`, `Map`, null-prototype
 * records), so `constructor`, `__proto__` or `toString` are names like any other, never built-ins of JavaScript.
 * Here: the identifier rule of docs/model-files.md, the reserved names and why, and the safe lookups.
 */

/** An identifier of the model language: parameters, order parameters, variables, functions and their
 * arguments, definitions, observables, initialisations, regions. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A model's `name:`: it names files and is shown in outputs, so it may also hold `-` and `.`. */
export const MODEL_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
export const MAX_NAME_LENGTH = 64;

const LANGUAGE = ['E', 'D', 'root', 'argmin', 'prox', 'moreau', 'integral'];
/** Columns that every output table has beside the model's own quantities. */
export const OUTPUT_COLUMNS = [
  'status', 'iterations', 'residual', 'branch', 'selected', 'init', 'warning', 'message',
  'model', 'model_sha256', 'data_sha256', 'saddle_version', 'type',
];
/** Words the expression parser reads as constants or operators, so a symbol of that name could never be used. */
const PARSER_WORDS = ['NaN', 'Infinity', 'undefined', 'null', 'true', 'false', 'and', 'or', 'not', 'xor', 'mod', 'to', 'in'];
/** Properties every JavaScript object inherits: refused so that no name ever looks like one. */
const OBJECT_WORDS = Object.getOwnPropertyNames(Object.prototype);

const RESERVED = new Map<string, string>([
  ...LANGUAGE.map((n): [string, string] => [n, 'it is a form of the model language']),
  ...OUTPUT_COLUMNS.map((n): [string, string] => [n, 'it is a column of every output table']),
  ...PARSER_WORDS.map((n): [string, string] => [n, 'the expression parser reads it as a constant or an operator']),
  ...OBJECT_WORDS.map((n): [string, string] => [n, 'it is a built-in property of JavaScript objects']),
]);

/** Why `name` is reserved, or undefined when it is free. Output columns `sim_...` belong to simulations. */
export function reservedWhy(name: string): string | undefined {
  const why = RESERVED.get(name);
  if (why !== undefined) return why;
  if (name.startsWith('sim_')) return 'names starting with `sim_` are the simulation columns of a sweep';
  if (name.startsWith('__')) return 'names starting with `__` are reserved';
  return undefined;
}

export interface NameProblem {
  readonly message: string;
  readonly hint: string;
}

/** What is wrong with `name` as a `what` (e.g. "parameter"), or undefined when it is a valid identifier. */
export function nameProblem(name: string, what: string): NameProblem | undefined {
  const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}...` : name);
  if (name.length > MAX_NAME_LENGTH) {
    return { message: `the ${what} name ${shown} is longer than ${MAX_NAME_LENGTH} characters`, hint: 'choose a shorter name' };
  }
  if (!IDENTIFIER.test(name)) {
    return {
      message: `${shown} is not a valid ${what} name`,
      hint: 'a name is an identifier: a letter or _, then letters, digits or _ (no spaces, -, quotes, commas or other symbols)',
    };
  }
  const why = reservedWhy(name);
  if (why !== undefined) return { message: `\`${name}\` is reserved (${why})`, hint: `give the ${what} another name` };
  return undefined;
}

/** What is wrong with a model's `name:`, or undefined. */
export function modelNameProblem(name: string): NameProblem | undefined {
  const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}...` : name);
  if (name.length > MAX_NAME_LENGTH || !MODEL_NAME.test(name)) {
    return {
      message: `${shown} is not a valid model name`,
      hint: `a model name starts with a letter and holds letters, digits, -, _ and . (at most ${MAX_NAME_LENGTH} characters), e.g. \`name: my-model\``,
    };
  }
  return undefined;
}

/** A region's label is shown on a phase diagram, so it may hold spaces ("AMP optimal"); it is never looked up
 * as a symbol. Letters, digits, spaces and a few marks; it starts with a letter or digit. */
export const REGION_LABEL = /^[\p{L}\p{N}][\p{L}\p{N} _.()+/-]*$/u;

/** What is wrong with a region's label, or undefined. */
export function regionLabelProblem(label: string): NameProblem | undefined {
  if (label.length <= MAX_NAME_LENGTH && REGION_LABEL.test(label) && !label.endsWith(' ')) return undefined;
  const shown = JSON.stringify(label.length > 40 ? `${label.slice(0, 40)}...` : label);
  return {
    message: `${shown} is not a valid region label`,
    hint: `a label starts with a letter or digit and holds letters, digits, spaces and _ . ( ) + / - (at most ${MAX_NAME_LENGTH} characters)`,
  };
}

/** `record[key]` when `key` is the record's own property: never an inherited one (`constructor`, `__proto__`). */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A record with no prototype, filled from `entries`: safe to index with any name. */
export function dict<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}
