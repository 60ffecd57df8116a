import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, relative, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The stages of src/ flow one way (docs/architecture.md, "Stage order"): a file may import (at run time or for its
 * types) from its own stage or from a stage written before it, never from one after it. The order is read from
 * the documentation itself, so the page and the code cannot disagree.
 */

const ROOT = join(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

function documentedOrder(): string[] {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const line = /^Stage order \(ground first\): (.+)$/m.exec(doc);
  if (!line) throw new Error('docs/architecture.md has no line "Stage order (ground first): a -> b -> ..."');
  return line[1].split('->').map((s) => s.trim().replace(/`/g, '').replace(/\/$/, ''));
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js)$/.test(f) ? [p] : [];
  });
}

const IMPORT = /(?:^\s*(?:import|export)\s+(?:type\s+)?[^;]*?from\s+['"]([^'"]+)['"])|(?:import\(\s*['"]([^'"]+)['"])/gms;
/** A top folder of src/ is a stage; a file directly in src/ (the library entry) stands above them all. */
const stageOf = (file: string) => {
  const rel = relative(SRC, file).split(/[\\/]/);
  return rel.length > 1 ? rel[0] : `(top) ${rel[0]}`;
};

describe('stages flow one way', () => {
  const order = documentedOrder();
  const rank = new Map(order.map((s, i) => [s, i]));

  it('every folder of src/ is a stage of the documented order', () => {
    const folders = readdirSync(SRC).filter((f) => statSync(join(SRC, f)).isDirectory());
    expect(folders.filter((f) => !rank.has(f)), 'folders missing from the stage order in docs/architecture.md').toEqual([]);
    expect(order.filter((s) => !folders.includes(s)), 'stages in the order with no folder').toEqual([]);
  });

  it('no import reaches from a stage to a later one (runtime or type-only)', () => {
    const wrong: string[] = [];
    for (const file of files(SRC)) {
      const from = stageOf(file);
      if (!rank.has(from)) continue; // src/index.ts and the like: the top
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const spec = m[1] ?? m[2];
        if (!spec?.startsWith('.')) continue;
        const to = stageOf(normalize(join(dirname(file), spec)));
        if (to === from) continue;
        if (!rank.has(to) || rank.get(to)! > rank.get(from)!) wrong.push(`${relative(ROOT, file)} imports ${spec} (${from} -> ${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
