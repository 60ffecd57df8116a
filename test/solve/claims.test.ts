import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/base/errors.ts';
import { check, loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { runCli } from '../util/cli.ts';

/** "converged" is a claim: a finite state, a finite residual within a finite tolerance (docs/cli.md, Statuses). */

const MODEL = `name: toy
description: q = (q + a) / 2 converges to a from anywhere; an observable 1/0 there
params:
  a: 0.5
order_params:
  q: { init: 0.1 }
updates:
  q: (q + a) / 2
observables:
  gap: 1 / (q - q)
  half: q / 2
`;

describe('converged means converged', () => {
  it.each([['tol: .inf', 'solver.tol must be a finite positive number'], ['tol: 1e400', 'solver.tol must be a finite positive number'],
    ['tol: .nan', 'solver.tol must be a finite positive number'], ['tol: 0', 'solver.tol must be a finite positive number']])(
    'a model file with `solver: { %s }` is refused where it is written', (setting, message) => {
      const text = `${MODEL}solver: { ${setting} }\n`;
      const { issues } = check('toy.yaml', text);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ code: 'bad-value', line: text.split('\n').length - 1 });
      expect(issues[0].message).toContain(message);
    });

  it.each(['.inf', '-.inf', '.nan', '1e400'])('a start value %s is refused where it is written', (v) => {
    const { issues } = check('toy.yaml', MODEL.replace('init: 0.1', `init: ${v}`));
    expect(issues.map((i) => [i.code, i.line])).toEqual([['bad-value', 6]]);
  });

  it.each(['.inf', '.nan'])('a default %s is refused where it is written', (v) => {
    const { issues } = check('toy.yaml', MODEL.replace('a: 0.5', `a: ${v}`));
    expect(issues.map((i) => [i.code, i.line])).toEqual([['bad-value', 4]]);
  });

  it('solve refuses a tolerance or a start that is not finite (a library caller gets a UsageError)', () => {
    const problem = loadModel('toy.yaml', MODEL).problem();
    expect(() => solve(problem, { rtol: Infinity })).toThrow(UsageError);
    expect(() => solve(problem, { rtol: Number.NaN })).toThrow(UsageError);
    expect(() => solve(problem, { atol: Infinity })).toThrow(UsageError);
    expect(() => solve(problem, { init: Float64Array.of(Infinity) })).toThrow(UsageError);
    expect(() => solve(problem, { init: Float64Array.of(Number.NaN) })).toThrow(UsageError);
  });

  it('the command line refuses --tol inf and --tol 1e400 (exit 2)', async () => {
    for (const t of ['inf', 'Infinity', '1e400', 'NaN']) {
      const r = await runCli('solve', 'ridge', '--tol', t);
      expect(r.code, t).toBe(2);
    }
  });

  it('a converged state whose observable is not finite carries a warning (JSON field, and a line in the table)', async () => {
    const problem = loadModel('toy.yaml', MODEL).problem();
    const s = solve(problem);
    expect(s.status).toBe('converged');
    expect(s.observables.gap).toBe(Infinity);
    expect(s.warnings).toEqual(['observable `gap` is Infinity at the converged state']);
    expect(s.observables.half).toBeCloseTo(0.25, 9);
  });

  it('saddle solve shows the warning in its table and its JSON', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'saddle-claims-')), 'toy.yaml');
    writeFileSync(file, MODEL);
    const table = await runCli('solve', file);
    expect(table.code).toBe(0);
    expect(table.out).toContain('warning: observable `gap` is Infinity at the converged state');
    const json = await runCli('solve', file, '--json');
    expect(JSON.parse(json.out).warnings).toEqual(['observable `gap` is Infinity at the converged state']);
  });
});
