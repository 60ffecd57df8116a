import { ModelError, type Issue } from '../base/issues.ts';
import { inlineCalls } from '../ir/inline.ts';
import type { Program } from '../ir/nodes.ts';
import { Emitter } from './emitter.ts';
import { fold } from './fold.ts';

/** Characters of generated source a model may take (the zoo's largest is about 2e5): beyond, a located error. */
export const MAX_SOURCE = 20_000_000;

/**
 * Code generation of `program` (`emit`), bounded: source longer than `limit`, or a string too long for the engine
 * (RangeError, e.g. an expression that grows in generation), is refused with a too-complex issue at the update,
 * observable or function whose code alone is the longest, instead of an internal error. The attribution runs
 * only on that path.
 */
export function boundedGeneration<G extends { readonly source: string }>(program: Program, emit: () => G, limit = MAX_SOURCE): G {
  let size = Infinity;
  try {
    const g = emit();
    if (g.source.length <= limit) return g;
    size = g.source.length;
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  throw new ModelError([culprit(program, size, limit)]);
}

function culprit(program: Program, size: number, limit: number): Issue {
  const parts = [
    ...program.updates.map((u) => ({ what: `the update of \`${program.state[u.target].name}\``, expr: u.expr, loc: u.loc })),
    ...program.observables.map((o) => ({ what: `the observable \`${o.name}\``, expr: o.expr, loc: o.loc })),
    ...program.functions.map((f) => ({ what: `the function \`${f.name}\``, expr: f.body, loc: undefined })),
  ];
  let worst = parts[0];
  let most = -1;
  for (const p of parts) {
    let n: number;
    try {
      const em = new Emitter(program.functions);
      const frame: string[] = [];
      em.expr(fold(inlineCalls(p.expr, program.functions)), [frame], new Map());
      n = [...frame, ...em.statics, ...em.buffers].reduce((a, l) => a + l.length + 1, 0);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      n = Infinity;
    }
    if (n > most) { most = n; worst = p; }
  }
  const loc = worst?.loc ?? { file: program.info.file, line: 1, col: 1 };
  const grown = Number.isFinite(size) ? `${size} characters of code, beyond ${limit}` : 'a string longer than the engine allows';
  return {
    code: 'too-complex', ...loc,
    message: `code generation grows beyond its bound (${grown}); the largest part is ${worst?.what ?? 'unknown'}`,
    hint: 'inner problems (root, argmin, prox) over expressions with moving ends, and derivatives of them, multiply in size: nest fewer, or write a derivative out',
  };
}
