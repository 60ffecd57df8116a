import { describe, expect, it } from 'vitest';
import { check, loadModel } from '../../src/pipeline/load.ts';
import type { CellRecord } from '../../src/phase/compute.ts';

// A model of one order parameter with three starts; the regions below are evaluated by hand in each test.
const MODEL = `name: regions-test
description: a model to exercise region conditions
params:
  a: {default: 0.5}
  b: {default: 2}
order_params:
  m: {init: {uninformed: 0, informed: 1, other: -1}}
updates:
  m: a * m
observables:
  twice: 2 * m
regions:
  both: informed.m > 0.5 and other.m < -0.5
  failed: not (other.m > 0)
  param: m > a * b and abs(min(informed.twice, 3)) == 3
  power: -selected.m ^ 2 < -0.25 or sqrt(log(b)) > 10
  rest: true
`;

const cell = (m: Record<string, number>, selected: string, failed: readonly string[] = []): CellRecord => ({
  type: 'cell', i: 0, j: 0, x: 0, y: 0, selected,
  branches: Object.entries(m).map(([init, v]) => ({
    init, status: failed.includes(init) ? 'max-iterations' : 'converged', iterations: 1, residual: 0, state: { m: v }, observables: { twice: 2 * v },
  })),
}) as CellRecord;

describe('regions compiled through the IR', () => {
  const { regions } = loadModel('regions-test.yaml', MODEL);
  const label = (c: CellRecord, params: Record<string, number> = {}) => regions!.label(c, params);

  it('takes the first region whose condition holds', () => {
    expect(regions!.labels).toEqual(['both', 'failed', 'param', 'power', 'rest']);
    expect(label(cell({ uninformed: 0, informed: 0.9, other: -0.9 }, 'informed'))).toBe('both');
    // other.m = 0.2: not (0.2 > 0) is false; m = 0.2 > a b = 1 is false; -(0.2^2) < -0.25 is false
    expect(label(cell({ uninformed: 0.2, informed: 0.2, other: 0.2 }, 'uninformed'))).toBe('rest');
    // -selected.m ^ 2 is -(m^2) (mathjs precedence): m = 0.6 gives -0.36 < -0.25
    expect(label(cell({ uninformed: 0.6, informed: 0.2, other: 0.2 }, 'uninformed'))).toBe('power');
  });

  it('reads a branch that did not converge as NaN: every comparison with it false, and NaN itself false', () => {
    // other failed: informed.m > 0.5 and NaN < -0.5 is false; not (NaN > 0) = not false is true
    expect(label(cell({ uninformed: 0, informed: 0.9, other: -0.9 }, 'informed', ['other']))).toBe('failed');
  });

  it('reads parameters: the values given, else the model defaults', () => {
    const c = cell({ uninformed: 1.5, informed: 1.6, other: 0.1 }, 'uninformed');
    // m = 1.5 > a b: 0.5 * 2 = 1 by default; min(3.2, 3) = 3
    expect(label(c)).toBe('param');
    expect(label(c, { a: 1 })).toBe('power'); // 1.5 > a b = 2 is false; -(1.5^2) < -0.25 is true
  });
});

describe('regions: mistakes', () => {
  it('reports an operator, a function, an arity and a branch, each located', () => {
    const text = MODEL.replace('rest: true', 'rest: foo(m) > 1\n  arity: abs(m, m) > 1\n  branch: nobody.m > 1');
    const { issues } = check('regions-test.yaml', text);
    expect(issues.map((i) => [i.symbol, i.line])).toEqual([['foo', 17], [undefined, 18], ['nobody', 19]]);
    expect(issues[1].message).toMatch(/abs.*takes 1 argument, got 2/);
  });

  it('refuses a condition nested too deeply, without overflowing the stack', () => {
    const text = MODEL.replace('rest: true', `rest: ${'('.repeat(300)}m${')'.repeat(300)} > 1`);
    const { issues } = check('regions-test.yaml', text);
    expect(issues.map((i) => i.code)).toEqual(['too-complex']);
  });
});
