import { describe, expect, it } from 'vitest';
import { CHANNELS, PRIORS } from '../../src/pieces/library.ts';
import type { PieceInfo } from '../../src/pieces/types.ts';
import { check } from '../../src/pipeline/load.ts';
import { ESTIMATORS } from '../../src/simulate/estimators/library.ts';
import { glmText } from '../glm/helpers.ts';

/** The shape of the one library: every piece is complete, and a glm section takes only pieces with theory forms. */

const pieces: [string, PieceInfo & { theory?: unknown }][] = [...PRIORS, ...CHANNELS].map(([k, p]) => [k, p]);

describe('the piece library', () => {
  it.each(pieces)('%s: keyed by its name, documented, with LaTeX, theory forms or a sampler, defaults it accepts', (key, piece) => {
    expect(piece.name).toBe(key);
    expect(piece.doc.length).toBeGreaterThan(10);
    expect(piece.tex.length).toBeGreaterThan(3);
    const p = piece as { theory?: unknown; draw?: unknown; sampler?: unknown };
    expect(p.theory !== undefined || p.draw !== undefined || p.sampler !== undefined).toBe(true);
    // simulation-only parameters come last, and have defaults (the theory holds there)
    const first = piece.params.findIndex((x) => x.simulationOnly);
    if (first >= 0) expect(piece.params.slice(first).every((x) => x.simulationOnly && x.default !== undefined)).toBe(true);
    // the theory's pieces have samplers: a simulation can draw from every built-in prior and channel
    expect(p.draw !== undefined || p.sampler !== undefined).toBe(true);
  });

  it('the estimators are pieces too: named, documented, with LaTeX, for one experiment', () => {
    for (const [key, e] of ESTIMATORS) {
      expect(e.name).toBe(key);
      expect(e.tex.length).toBeGreaterThan(3);
      expect(['glm', 'spiked-wigner', 'kernel-powerlaw']).toContain(e.experiment);
    }
  });

  it('lookups are prototype-safe (Maps)', () => {
    for (const word of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(PRIORS.get(word)).toBeUndefined();
      expect(CHANNELS.get(word)).toBeUndefined();
      expect(ESTIMATORS.get(word)).toBeUndefined();
    }
  });
});

describe('a glm section takes the pieces with theory forms, and only their theory arguments', () => {
  const issues = (prior: string, channel: string, params: Record<string, number> = {}) =>
    check('probe.yaml', glmText(prior, channel, params)).issues.map((i) => ({ code: i.code, line: i.line, col: i.col, message: i.message, hint: i.hint }));

  it('a simulation-only channel is a located error that says why', () => {
    const [i, ...rest] = issues('gaussian', 'outliers(eps, Delta, Delta_out)', { eps: 0.1, Delta: 0.1, Delta_out: 10 });
    expect(rest).toEqual([]);
    expect(i).toMatchObject({ code: 'bad-value', line: 10, col: 12 }); // at the name, in `  channel: outliers(...)`
    expect(i.message).toMatch(/the channel `outliers` has no theory forms: it exists for simulations only/);
    expect(i.hint).toBe('channels here: linear(Delta?), sign(eps?), abs, relu');
  });

  it('a simulation-only argument is not counted by a glm section (the theory is noiseless abs)', () => {
    const [i] = issues('gaussian', 'abs(0.1)');
    expect(i).toMatchObject({ code: 'wrong-arity', message: 'the channel `abs` takes 0 arguments, got 1' });
    const [g] = issues('gauss-bernoulli(rho, 1)', 'linear', { rho: 0.2 });
    expect(g.message).toBe('the prior `gauss-bernoulli` takes 1 argument, got 2');
  });

  it('numbers are checked by the piece at load', () => {
    const [i] = issues('gauss-bernoulli(1.5)', 'sign');
    expect(i).toMatchObject({ code: 'bad-value', line: 6, col: 10 }); // `  prior: gauss-bernoulli(1.5)`
    expect(i.message).toMatch(/prior `gauss-bernoulli\(1\.5\)`: the density rho .* must be in \(0, 1\], got 1\.5/);
  });
});

describe('no second table', () => {
  it('outside src/pieces, the theory and simulation stages never name a prior or channel piece in code (no table, no canonical names, no switch on a piece)', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
    });
    const names = [...PRIORS.keys(), ...CHANNELS.keys()];
    const literal = new RegExp(`(['"\`])(${names.join('|')})\\1`);
    const found = ['src/glm', 'src/simulate', 'src/verify', 'src/pipeline'].flatMap((d) => files(join(import.meta.dirname, '../..', d)))
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').map((line, i) => ({ f, i, line })))
      .filter(({ line }) => !/^\s*(\*|\/\/|\/\*)/.test(line) && literal.test(line.replace(/\/\/.*$/, '')))
      .map(({ f, i, line }) => `${f}:${i + 1}: ${line.trim()}`);
    expect(found).toEqual([]);
  });
});
