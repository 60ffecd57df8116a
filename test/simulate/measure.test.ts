import { describe, expect, it } from 'vitest';
import { makeInstance, type LabelLaw, priorOf, channelOf } from '../../src/simulate/data.ts';
import { logistic, logisticLoss } from '../../src/simulate/estimators/logistic.ts';
import { ridge } from '../../src/simulate/estimators/ridge.ts';
import { exactTestError, measure, type Task } from '../../src/simulate/measure.ts';

const make = (channel: LabelLaw, d = 60, alpha = 3) =>
  makeInstance({ d, alpha, prior: priorOf('gaussian'), channel, seed: { master: 31, trial: 0 } });

describe('measurements', () => {
  it('overlaps and errors by their definitions', () => {
    const inst = make(channelOf('linear', 0.2), 40, 2);
    const w = ridge(inst, 0.3).w;
    const loss = (y: number, z: number) => 0.5 * (y - z) ** 2;
    const m = measure(inst, w, { task: 'regression', loss });
    const d = 40;
    let mm = 0, qq = 0, qs = 0;
    for (let j = 0; j < d; j++) { mm += w[j] * inst.teacher[j]; qq += w[j] ** 2; qs += inst.teacher[j] ** 2; }
    expect(m.m).toBeCloseTo(mm / d, 14);
    expect(m.q).toBeCloseTo(qq / d, 14);
    expect(m.qStar).toBeCloseTo(qs / d, 14);
    expect(m.estimationError).toBeCloseTo(m.qStar - 2 * m.m + m.q, 12);
    expect(m.trainLoss).toBeCloseTo(m.trainError / 2, 14);
    expect(m.testErrorExact).toBeCloseTo(m.estimationError + 0.2, 12);
    expect(Number.isNaN(m.testErrorSample)).toBe(true);
  });

  // The exact formula is for the population; fresh samples estimate it: agreement within 4 standard errors.
  it.each([
    ['regression', 'linear(0.3)', channelOf('linear', 0.3)],
    ['regression', 'outliers(0.25, 0.1, 4)', channelOf('outliers', 0.25, 0.1, 4)],
    ['regression', 'abs(0.05)', channelOf('abs', 0.05)],
    ['regression', 'relu', channelOf('relu')],
    ['classification', 'sign', channelOf('sign')],
    ['classification', 'sign(0.15)', channelOf('sign', 0.15)],
  ] as [Task, string, LabelLaw][])('%s, %s: exact test error vs 100000 fresh samples', (task, _name, channel) => {
    const inst = make(channel);
    const w = task === 'classification' ? logistic(inst, 0.5).w : ridge(inst, 0.5).w;
    const m = measure(inst, w, { task, nTest: 100_000, ...(task === 'classification' ? { loss: logisticLoss.value } : {}) });
    expect(Number.isFinite(m.testErrorExact)).toBe(true);
    expect(Math.abs(m.testErrorSample - m.testErrorExact)).toBeLessThan(4 * m.testErrorSampleSE);
    expect(m.nTest).toBe(100_000);
  });

  it('classification: training error counts sign(w.x) != y with sign(0) = +1', () => {
    const inst = make(channelOf('sign'), 20, 2);
    const zero = measure(inst, new Float64Array(20), { task: 'classification' });
    const negatives = inst.y.filter((v) => v < 0).length;
    expect(zero.trainError).toBe(negatives / inst.n);
    // the teacher itself makes no training error and has test error 0
    const teacher = measure(inst, inst.teacher, { task: 'classification' });
    expect(teacher.trainError).toBe(0);
    expect(teacher.testErrorExact).toBeCloseTo(0, 7);
  });

  it('exactTestError: limits of the classification formula and no closed form where there is none', () => {
    expect(exactTestError('classification', channelOf('sign'), 0, 1, 1)).toBe(0.5);
    expect(exactTestError('classification', channelOf('sign'), -1, 1, 1)).toBe(1);
    expect(exactTestError('classification', channelOf('sign', 0.1), 1, 1, 1)).toBeCloseTo(0.1, 14);
    expect(Number.isNaN(exactTestError('classification', channelOf('linear', 1), 0.5, 1, 1))).toBe(true);
    expect(Number.isNaN(exactTestError('regression', channelOf('sign'), 0.5, 1, 1))).toBe(true);
  });

  it('misuse: an estimate of the wrong dimension', () => {
    expect(() => measure(make(channelOf('sign'), 10, 2), new Float64Array(9), { task: 'classification' })).toThrow(/d = 10/);
  });
});
