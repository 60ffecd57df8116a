import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { UsageError } from '../base/errors.ts';
import { didYouMean } from '../base/suggest.ts';

/** The built-in models shipped in equations/. */
export const EQUATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../equations');

export function builtinNames(): string[] {
  return readdirSync(EQUATIONS_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
}

/**
 * A model file as the terminal shows it: a built-in one as `equations/NAME.yaml` (wherever saddle is installed),
 * another relative to the working folder when it is inside it, else as it is.
 */
export function displayPath(file: string): string {
  const abs = resolve(file);
  if (dirname(abs) === EQUATIONS_DIR) return `equations/${basename(abs)}`;
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/**
 * The name a model file goes by in results (the `file` of an origin): a built-in one as `equations/NAME.yaml`, the
 * same on every machine, wherever saddle is installed; another as it was given.
 */
export function originPath(file: string): string {
  const abs = resolve(file);
  return dirname(abs) === EQUATIONS_DIR ? `equations/${basename(abs)}` : file;
}

/** A model argument is a path to a YAML file or the name of a built-in model. */
export function resolveModel(arg: string): string {
  if (existsSync(arg)) return arg;
  const builtin = join(EQUATIONS_DIR, `${arg.replace(/\.ya?ml$/, '')}.yaml`);
  if (existsSync(builtin)) return builtin;
  const names = builtinNames();
  throw new UsageError(`no model file \`${arg}\``, didYouMean(arg.replace(/^.*\/|\.ya?ml$/g, ''), names) ?? `built-in models: ${names.join(', ')}`);
}

/** Name and first sentence of each built-in model's description, for `saddle list`. */
export function listModels(): { name: string; summary: string }[] {
  return builtinNames().map((name) => {
    let summary = '';
    try {
      const doc = parse(readFileSync(join(EQUATIONS_DIR, `${name}.yaml`), 'utf8')) as { description?: string };
      const first = String(doc.description ?? '').replace(/\s+/g, ' ').trim().split(/(?<=\.)\s/)[0];
      summary = first.length > 100 ? `${first.slice(0, 99).replace(/[\s,;:]+\S*$/, '')}...` : first;
    } catch {
      summary = '(cannot be read: run `saddle check` on it)';
    }
    return { name, summary };
  });
}
