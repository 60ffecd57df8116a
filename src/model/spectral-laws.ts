import { dirname, resolve } from 'node:path';
import type { Loc } from '../base/issues.ts';
import { readSpectrumFile } from './spectrum-file.ts';
import type { Law } from './types.ts';
import type { YamlReader } from './yaml.ts';

/** The keys a spectral law of the `variables:` section may have besides `law`, `nodes` and `doc`. */
export const SPECTRAL_KEYS = ['ratio', 'capacity', 'source', 'weights', 'modes', 'file'] as const;
/** The spectral laws, for the list of laws in messages. */
export const SPECTRAL_LAWS = ['marchenko-pastur', 'power-law', 'spectrum'] as const;

/**
 * A spectral law of the `variables:` section (docs/model-files.md, "Spectral measures"):
 * `{ law: marchenko-pastur, ratio: EXPR, nodes: N }`,
 * `{ law: power-law, capacity: EXPR, source: EXPR, weights: modes | teacher, modes: EXPR }`.
 * Returns undefined when `lawName` is not a spectral law (the caller reads the others) or when it has a mistake,
 * which is reported; `ok` tells the two apart.
 */
export function readSpectralLaw(r: YamlReader, name: string, loc: Loc, lawName: string, o: Map<string, unknown>): { ok: boolean; law?: Law } {
  const expr = (key: string, what: string) => (o.has(key) ? r.exprOf(o.get(key), `${what} of ${name}`) : undefined);
  const required = (key: string, what: string, example: string) => {
    if (!o.has(key)) r.add('bad-value', loc, `variable \`${name}\`: a ${lawName} law needs \`${key}:\` (${what})`, name, `e.g. { law: ${lawName}, ${example} }`);
    return expr(key, what);
  };
  if (lawName === 'marchenko-pastur') {
    const ratio = required('ratio', 'the ratio p/d of the matrix, an expression', 'ratio: kappa');
    const nodes = o.has('nodes') ? r.nodesOf(o.get('nodes'), `nodes of ${name}`) : undefined;
    return { ok: true, ...(ratio && { law: { kind: 'marchenko-pastur', ratio, ...(nodes !== undefined && { nodes }) } }) };
  }
  if (lawName === 'power-law') {
    const capacity = required('capacity', 'the exponent a of the eigenvalues k^-a, an expression', 'capacity: a');
    const weights = o.has('weights') ? r.strOf(o.get('weights'), `weights of ${name}`) : 'modes';
    if (weights !== 'modes' && weights !== 'teacher') {
      r.add('bad-value', r.locOf(o.get('weights')), `variable \`${name}\`: \`weights\` is \`modes\` (sum_k f(k^-a)) or \`teacher\` (sum_k k^-(1+2ar) f(k^-a))`, name);
      return { ok: true };
    }
    const source = weights === 'teacher' ? required('source', 'the source exponent r of the teacher weights k^-(1+2ar)', 'capacity: a, source: r, weights: teacher') : undefined;
    if (weights === 'modes' && o.has('source')) {
      r.add('bad-value', r.locOf(o.get('source')), `variable \`${name}\`: \`source\` weighs the modes only with \`weights: teacher\``, name, 'add `weights: teacher`, or remove `source`');
    }
    const modes = expr('modes', 'the number of modes kept');
    const nodes = o.has('nodes') ? r.nodesOf(o.get('nodes'), `nodes of ${name}`) : undefined;
    if (!capacity || (weights === 'teacher' && !source)) return { ok: true };
    return { ok: true, law: { kind: 'power-law', capacity, source: source ?? null, modes: modes ?? null, ...(nodes !== undefined && { nodes }) } };
  }
  if (lawName === 'spectrum') {
    if (!o.has('file')) {
      r.add('bad-value', loc, `variable \`${name}\`: a spectrum law needs \`file:\` (the path of its data, relative to the model file)`, name, 'e.g. { law: spectrum, file: spectra/features.txt }');
      return { ok: true };
    }
    const file = r.strOf(o.get('file'), `file of ${name}`);
    const weights = o.has('weights') ? r.strOf(o.get('weights'), `weights of ${name}`) : 'uniform';
    if (weights !== 'uniform' && weights !== 'modes' && weights !== 'teacher') {
      r.add('bad-value', r.locOf(o.get('weights')), `variable \`${name}\`: \`weights\` is \`uniform\` (the mean over the entries), \`modes\` (their sum) or \`teacher\` (the sum weighted by the file's second column)`, name);
      return { ok: true };
    }
    if (file === undefined) return { ok: true };
    // The path is data: resolved against the model file's folder, read by the bounded reader, never evaluated.
    const data = readSpectrumFile(resolve(dirname(r.file), file));
    if ('error' in data) {
      r.add('bad-value', r.locOf(o.get('file')), `variable \`${name}\`, file \`${file}\`: ${data.error}`, name, data.hint);
      return { ok: true };
    }
    if (weights === 'teacher' && !data.teacher) {
      r.add('bad-value', r.locOf(o.get('weights')), `variable \`${name}\`: \`weights: teacher\` needs a second column (the teacher's weights) in the spectrum file`, name);
      return { ok: true };
    }
    return { ok: true, law: { kind: 'spectrum', file, weights, data } };
  }
  return { ok: false };
}
