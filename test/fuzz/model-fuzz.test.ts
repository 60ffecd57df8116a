import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { applyOps, HOSTILE_NAMES, HOSTILE_NUMBERS, HOSTILE_VALUES, hostileExpressions, loadSeeds, mutantArb, ROOT, SECTIONS, type Op } from './mutate.ts';
import { FUZZ_FILE, locationProblem, runCase, runCliCase, sourceProblem, type CaseResult } from './oracle.ts';

/**
 * A model file is untrusted data: every mutant of the seed models (the zoo, the docs' examples, the fixtures,
 * the regressions below) gives a located error or a documented outcome, never a crash, never code execution
 * (test/fuzz/oracle.ts says exactly what is checked). A fixed seed and budget here; `npm run fuzz` runs a long
 * campaign with a random seed (test/fuzz/run.ts), and every crash it finds becomes a file of
 * test/fuzz/regressions/, run by the last block.
 */

const SEED = 20_260_611;
const RUNS = Number(process.env.SADDLE_FUZZ_TEST_RUNS ?? 250);
const seeds = loadSeeds();
const dir = mkdtempSync(join(tmpdir(), 'saddle-fuzz-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Fails with what the oracle found and the model that found it. */
function expectDocumented(r: CaseResult, text: string, what: string): void {
  const model = text.length > 3000 ? `${text.slice(0, 3000)}\n...` : text;
  expect(r.outcome === 'located' || r.outcome === 'solved', `${what}: ${r.outcome}\n${r.detail}\n--- model:\n${model}`).toBe(true);
}

const ridge = readFileSync(join(ROOT, 'equations/ridge.yaml'), 'utf8');
const curie = readFileSync(join(ROOT, 'docs/examples/curie-weiss.yaml'), 'utf8');

describe('the oracle', () => {
  const head = '// saddle: generated kernels\n"use strict";\n';
  it('refuses generated source with a name, a string or a comment of its own', () => {
    expect(sourceProblem(`${head}const p0 = P[0];\nfunction update(x, out) {\n  out[0] = (p0 * 2);\n}\n`)).toBeUndefined();
    expect(sourceProblem(`${head}const alpha = P[0];\n`)).toMatch(/identifier `alpha`/);
    expect(sourceProblem(`${head}globalThis.__pwned = 1;\n`)).toMatch(/__pwned/);
    expect(sourceProblem(`${head}const t0 = "x";\n`)).toMatch(/holds/);
    expect(sourceProblem(`${head}// q\n`)).toMatch(/holds/);
    expect(sourceProblem(`${head}const t0 = 1;\u2028globalThis;\n`)).toMatch(/holds/);
  });

  it('refuses an issue placed outside the text or in another file', () => {
    const issue = { code: 'bad-value' as const, file: FUZZ_FILE, line: 2, col: 3, message: 'm' };
    expect(locationProblem([issue], FUZZ_FILE, 'a: 1\nbb: 2\n')).toBeUndefined();
    expect(locationProblem([{ ...issue, col: 7 }], FUZZ_FILE, 'a: 1\nbb: 2\n')).toMatch(/column 7/);
    expect(locationProblem([{ ...issue, line: 9 }], FUZZ_FILE, 'a: 1\n')).toMatch(/line 9/);
    expect(locationProblem([{ ...issue, file: 'other.yaml' }], FUZZ_FILE, 'a: 1\nbb: 2\n')).toMatch(/names the file/);
  });
});

describe('mutants of the seed models', () => {
  it(`has seeds from the zoo, the docs and the fixtures (${seeds.length})`, () => {
    for (const from of ['equations/', 'docs/examples/', 'test/fixtures/', 'docs/model-files.md#', 'test/fuzz/regressions/']) {
      expect(seeds.some((s) => s.name.startsWith(from)), from).toBe(true);
    }
  });

  it(`${RUNS} mutants (seed ${SEED}): a located error or a documented outcome`, () => {
    fc.assert(fc.property(mutantArb(seeds), (m) => {
      expectDocumented(runCase(m.text), m.text, `${m.seed}: ${m.log.join('; ')}`);
    }), { seed: SEED, numRuns: RUNS });
  }, 240_000);

  it('12 mutants through `saddle check FILE`: exit 0 or 2, located, no stack trace', async () => {
    await fc.assert(fc.asyncProperty(mutantArb(seeds, 2), async (m) => {
      expectDocumented(await runCliCase(m.text, dir), m.text, `${m.seed}: ${m.log.join('; ')}`);
    }), { seed: SEED + 1, numRuns: 12 });
  }, 120_000);
});

describe('every payload at least once', () => {
  const each = (text: string, ops: readonly Op[], what: string) => {
    const m = applyOps(text, ops);
    expectDocumented(runCase(m.text), m.text, `${what}: ${m.log.join('; ')}`);
  };

  it('hostile names, in place of a parameter, an order parameter, a function and its argument, everywhere', () => {
    // declared keys: ridge's first is `alpha` (used in updates), its fourth `Vhat` (an order parameter); withF's
    // second is the function `g`
    const withF = 'name: f\ndescription: a function\nparams: { a: 1 }\nfunctions:\n  g(x): x / (1 + x)\norder_params:\n  q: { init: 0.5 }\nupdates:\n  q: g(a * q)\n';
    HOSTILE_NAMES.forEach((hostile, name) => {
      each(ridge, [{ kind: 'rename', target: 0, name, everywhere: true, declared: true }], 'rename alpha');
      each(ridge, [{ kind: 'rename', target: 3, name, everywhere: true, declared: true }], 'rename Vhat');
      each(curie, [{ kind: 'rename', target: 0, name, everywhere: false, declared: false }], 'rename a section');
      each(withF, [{ kind: 'rename', target: 1, name, everywhere: true, declared: true }], 'rename g');
      each(withF.replace('  g(x): x / (1 + x)', `  ${JSON.stringify(`g(${hostile})`)}: ${JSON.stringify(`${hostile} / (1 + ${hostile})`)}`), [], 'argument');
    });
  }, 120_000);

  it('hostile and degenerate expressions, in place of an update, spliced into one, wrapped around one', () => {
    const count = hostileExpressions(1, 'q').length;
    for (let expr = 0; expr < count; expr++) {
      const how = expr % 4;
      const size = expr % 6;
      each(ridge, [{ kind: 'expr', target: 7 + (expr % 6), expr, size, how, token: expr }], 'expression');
    }
  }, 120_000);

  it('numbers, values of other types and whole sections', () => {
    HOSTILE_NUMBERS.forEach((_, value) => each(ridge, [{ kind: 'number', target: value, value }], 'number'));
    HOSTILE_VALUES.forEach((_, value) => each(curie, [{ kind: 'retype', target: value, value, wrap: 0 }], 'retype'));
    SECTIONS.forEach((_, section) => each(curie, [{ kind: 'section', section }], 'section'));
  }, 120_000);

  it('a discrete law of 10^5 values, nested expectations, definitions and functions used 2^k times', () => {
    for (let count = 0; count < 10; count++) each(curie, [{ kind: 'discrete', count, nest: 1 + (count % 4), target: 0 }], 'discrete');
    // and in a file whose first line is indented: the parser then reports each of its 2 x 10^5 tokens
    each('  channel: 2\n', [{ kind: 'discrete', count: 9, nest: 1, target: 0 }], 'discrete in a broken file');
    for (let shape = 0; shape < 5; shape++) each(ridge, [{ kind: 'normals', shape, target: 7 }], 'nested normal expectations');
    for (const depth of [20, 60]) {
      each(ridge, [{ kind: 'bomb', depth, functions: false, target: 1 }], 'definitions bomb');
      each(ridge, [{ kind: 'bomb', depth, functions: true, target: 1 }], 'functions bomb');
    }
  }, 120_000);
});

describe('regressions: every crash the fuzzer found', () => {
  const folder = join(ROOT, 'test/fuzz/regressions');
  const files = readdirSync(folder).filter((f) => f.endsWith('.yaml')).sort();
  it('has regression files', () => expect(files.length).toBeGreaterThan(0));
  for (const f of files) {
    it(f, async () => {
      const text = readFileSync(join(folder, f), 'utf8');
      // `# expect: located CODE...` or `# expect: solved`, in the header
      const want = /^# expect: (located|solved)((?: [a-z-]+)*)\s*$/m.exec(text);
      expect(want, 'a header line `# expect: located CODE` or `# expect: solved`').not.toBeNull();
      const r = runCase(text, f);
      expectDocumented(r, text, f);
      expect(r.outcome).toBe(want![1]);
      for (const code of want![2].trim().split(/\s+/).filter(Boolean)) expect(r.codes).toContain(code);
      expectDocumented(await runCliCase(text, dir), text, `${f} through saddle check`);
    }, 60_000);
  }
});
