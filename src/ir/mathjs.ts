import { createRequire } from 'node:module';
import type { parse as ParseFn } from 'mathjs';

/**
 * mathjs's expression parser, the only part of mathjs saddle uses (the reader of model files and of `regions:`),
 * from mathjs's pre-built single-file bundle: the same parser, loaded in ~0.09 s instead of ~0.6-1.5 s for its
 * module graph. (A parser made from mathjs's parse factory alone, `create({ parseDependencies })`, bundled by
 * esbuild, was tried for the command line: mathjs's modules do not tree-shake below ~0.8 MB, and it saved ~0.01 s.)
 */
export const { parse } = createRequire(import.meta.url)('mathjs/lib/browser/math.js') as { parse: typeof ParseFn };
