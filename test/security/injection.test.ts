import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { runCli } from '../util/cli.ts';

/**
 * A model file is data (docs/security.md): nothing written in it, nor its path, becomes code. Each channel that
 * once ran code is tried here with a payload that would leave a canary (a global, or a file on disk, which a
 * worker thread would write too); every one must end in a located error or a normal solve, and run nothing.
 */

const dir = mkdtempSync(join(tmpdir(), 'saddle-injection-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const canary = join(dir, 'CANARY');
const g = globalThis as { __pwned?: unknown };
/** JavaScript that leaves the canary if it ever runs, in the main thread or a worker. */
const payload = `globalThis.__pwned = 1, process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(canary)}, 'ran')`;

const BASE = `name: toy
description: a model whose names each test replaces by an attempt to run code
params:
  alpha: { default: 2, min: 0 }
variables:
  xi: normal
order_params:
  qhat: { min: 0 }
  q: { init: 0.5 }
updates:
  qhat: alpha * E(xi, q / (1 + q + xi^2))
  q: qhat / (1 + qhat)
observables:
  err: 1 - q
`;

function nothingRan(): void {
  expect(g.__pwned).toBeUndefined();
  expect(existsSync(canary)).toBe(false);
}

/** check() on `text`: the issues, with every one located in the file; and nothing ran. */
function located(text: string, file = 'hostile.yaml') {
  const { compiled, issues } = check(file, text);
  for (const i of issues) {
    expect(i.file).toBe(file);
    expect(i.line).toBeGreaterThanOrEqual(1);
    expect(i.col).toBeGreaterThanOrEqual(1);
  }
  if (compiled) {
    const s = solve(compiled.problem(), { maxIterations: 20 });
    expect(s.status).toBeTypeOf('string');
  }
  nothingRan();
  return { compiled, issues };
}

describe('names never become code', () => {
  const channels: [string, string, string][] = [
    ['a parameter name', '  alpha: { default: 2, min: 0 }', `  "alpha = 0, _ = ${payload.replace(/"/g, '\\"')}, lambda": 1\n  alpha: { default: 2, min: 0 }`],
    ['an order parameter name', '  q: { init: 0.5 }', `  q: { init: 0.5 }\n  "w = (${payload.replace(/"/g, '\\"')})": { init: 0.5 }`],
    ['an observable name with a newline', '  err: 1 - q', `  "err\\n${payload.replace(/"/g, '\\"')}": 1 - q`],
    ['an observable name with U+2028', '  err: 1 - q', `  "err\\u2028${payload.replace(/"/g, '\\"')}": 1 - q`],
    ['an observable name that closes a comment', '  err: 1 - q', `  "*/ ${payload.replace(/"/g, '\\"')} /*": 1 - q`],
    ['the model name with a newline', 'name: toy', `name: "toy\\n${payload.replace(/"/g, '\\"')}"`],
    ['a variable name', '  xi: normal', `  xi: normal\n  "z]; ${payload.replace(/"/g, '\\"')}; [": normal`],
    ['a function name', 'order_params:', `functions:\n  "f(x) { ${payload.replace(/"/g, '\\"')} } function g(x)": x\norder_params:`],
    ['an initialisation name', '  q: { init: 0.5 }', `  q: { init: { uninformed: 0.5, informed: 0.9, "x\\n${payload.replace(/"/g, '\\"')}": 0.1 } }`],
  ];
  it.each(channels)('%s: a located error, nothing runs', (_what, from, to) => {
    expect(BASE.includes(from)).toBe(true);
    const { compiled, issues } = located(BASE.replace(from, to));
    expect(compiled).toBeUndefined();
    // a declaration that does not read as name(args) is a bad value; every other hostile name a bad name
    expect(issues.some((i) => i.code === (to.startsWith('functions') ? 'bad-value' : 'bad-name'))).toBe(true);
  });

  it('a valid model compiles to source that holds none of its names, its description or its path', () => {
    const file = `/tmp/x"\n${payload}\n//\u2028${payload}/model.yaml`;
    const text = BASE.replace('name: toy', 'name: toy-model_1.0').replace(/alpha/g, 'zeta_secret').replace(/err/g, 'obs_secret');
    const { compiled } = located(text, file);
    expect(compiled).toBeDefined();
    for (const word of ['zeta_secret', 'obs_secret', 'toy-model', 'qhat', 'xi', 'pwned', 'writeFileSync', 'tmp', 'description']) {
      expect(compiled!.source).not.toContain(word);
    }
    nothingRan();
  });
});

describe('names are looked up prototype-safely', () => {
  it.each(['constructor', 'valueOf', 'toString', '__proto__', 'hasOwnProperty'])('`%s` as a symbol in an expression is an unknown symbol', (word) => {
    const { issues } = located(BASE.replace('  q: qhat / (1 + qhat)', `  q: qhat / (1 + qhat) + ${word}`));
    expect(issues.map((i) => [i.code, i.symbol])).toEqual([['unknown-symbol', word]]);
  });

  it.each(['constructor', 'valueOf', 'toString', 'hasOwnProperty'])('`%s(q)` as a call is an unknown function', (word) => {
    const { issues } = located(BASE.replace('  q: qhat / (1 + qhat)', `  q: qhat / (1 + qhat) + ${word}(q)`));
    expect(issues.map((i) => [i.code, i.symbol])).toEqual([['unknown-function', word]]);
  });

  it.each(['constructor', '__proto__', 'toString'])('`%s` declared as a name is refused as reserved', (word) => {
    const { issues } = located(BASE.replace('  alpha: { default: 2, min: 0 }', `  alpha: { default: 2, min: 0 }\n  ${word}: 1`));
    expect(issues.map((i) => [i.code, i.symbol])).toEqual([['bad-name', word]]);
  });

  it('--init constructor, --set __proto__=1 and --set constructor=1 are usage errors (exit 2), not built-ins', async () => {
    for (const args of [['--init', 'constructor'], ['--init', 'toString'], ['--set', '__proto__=1'], ['--set', 'constructor=1']]) {
      const r = await runCli('solve', 'ridge', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).not.toMatch(/internal error|at .*\.ts:\d+/);
    }
  });

  it.each(['constructor', 'toString', '__proto__'])('`saddle %s` is an unknown command', async (word) => {
    const r = await runCli(word);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command');
  });
});

describe('worker threads run nothing from the model either', () => {
  // The path is the one text a worker thread could still see: it is not in the code the worker compiles.
  const hostile = join(dir, `w"\n${payload}\n//`);
  mkdirSync(hostile, { recursive: true });

  it('simulate on 2 worker threads from a model at a hostile path', async () => {
    const file = join(hostile, 'ridge.yaml');
    copyFileSync(join(import.meta.dirname, '../../equations/ridge.yaml'), file);
    const r = await runCli('simulate', file, '--set', 'alpha=2,lambda=0.1', '--d', '40', '--trials', '2', '--workers', '2');
    expect(r.code, r.err).toBe(0);
    nothingRan();
  }, 120_000);

  it('a phase diagram on 2 worker threads from a model at a hostile path', async () => {
    const file = join(hostile, 'magnet.yaml');
    copyFileSync(join(import.meta.dirname, '../fixtures/magnet-phase.yaml'), file);
    const out = join(dir, 'phase.jsonl');
    const text = readFileSync(file, 'utf8');
    const x = /params:\s*\n\s*(\w+)/.exec(text)![1];
    writeFileSync(join(dir, 'unused'), '');
    const r = await runCli('phase', file, '--x', `${x}=0.1:0.5:2`, '--y', `${x === 'beta' ? 'h' : 'beta'}=0.5:1.5:2`, '--out', out, '--workers', '2');
    expect([0, 3], r.err).toContain(r.code);
    nothingRan();
  }, 120_000);
});
