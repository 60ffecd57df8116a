import { afterAll, describe, expect, it } from 'vitest';
import { closeWorkers, compare, load, loadText, simulate, solve, type SimulationRun } from '../../src/index.ts';
import { channelOf, makeInstance, priorOf } from '../../src/simulate/data.ts';
import { checkSeparating, gordanResidual, separability } from '../../src/simulate/estimators/separability.ts';
import type { Design } from '../../src/simulate/estimators/types.ts';

/**
 * The simulation of rules-facts-capacity.yaml: the separability estimator's verdicts and their certificates, checked
 * here by hand (margins and Gordan sums recomputed from the raw data); the fraction of separable trials against
 * Cover's exact finite-size count at eps = 1 (random labels), and against the model's alpha_sep at eps = 0.5.
 */

const CAPACITY = load('rules-facts-capacity');
afterAll(() => closeWorkers());

const design = (rows: number[][], y: number[]): Design =>
  ({ X: Float64Array.from(rows.flat()), y: Float64Array.from(y), n: rows.length, d: rows[0].length });

/** y_mu x_mu.w for every sample, by hand. */
const margins = (data: Design, w: ArrayLike<number>) => Array.from({ length: data.n }, (_, i) => {
  let s = 0;
  for (let j = 0; j < data.d; j++) s += data.X[i * data.d + j] * w[j];
  return data.y[i] * s;
});
/** |sum_mu c_mu y_mu x_mu| / sqrt(d), by hand. */
const gordan = (data: Design, c: ArrayLike<number>) => {
  let s2 = 0;
  for (let j = 0; j < data.d; j++) {
    let s = 0;
    for (let i = 0; i < data.n; i++) s += c[i] * data.y[i] * data.X[i * data.d + j];
    s2 += s * s;
  }
  return Math.sqrt(s2 / data.d);
};

/** A verdict with its certificate, each checked independently of the estimator's own checks. */
function decided(data: Design, expected: 'separable' | 'not-separable') {
  const r = separability(data);
  expect(r.verdict, r.message).toBe(expected);
  if (expected === 'separable') {
    expect(Math.min(...margins(data, r.w!))).toBeGreaterThan(0);
  } else {
    const c = r.c!;
    expect(Math.min(...c)).toBeGreaterThanOrEqual(0);
    expect(c.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(gordan(data, c)).toBeLessThanOrEqual(1e-9);
  }
  return r;
}

describe('separability: certificates on hand-made data', () => {
  it('points in an open half-plane are separable, with a direction whose margins are all positive', () => {
    decided(design([[1, 0], [0, 1], [1, 1], [2, -1]], [1, 1, 1, 1]), 'separable');
    // the same after flipping a sample and its label (y x unchanged)
    decided(design([[1, 0], [0, -1], [1, 1], [2, -1]], [1, -1, 1, 1]), 'separable');
  });

  it('0 in the hull of the y x: not separable, with Gordan weights that sum them to 0', () => {
    // a sample and its mirror image with the same label: c = (1/2, 1/2, 0)
    const r = decided(design([[1, 0], [-1, 0], [0, 1]], [1, 1, 1]), 'not-separable');
    expect(Array.from(r.c!)).toEqual([0.5, 0.5, 0].map((v) => expect.closeTo(v, 12)));
    // three directions around the origin: 0 = (1/2)(1, 0) + (1/4)(-1, 1) + (1/4)(-1, -1), the unique weights
    const t = decided(design([[1, 0], [-1, 1], [1, 1]], [1, 1, -1]), 'not-separable');
    expect(Array.from(t.c!)).toEqual([0.5, 0.25, 0.25].map((v) => expect.closeTo(v, 12)));
  });

  it('the checks refuse what does not certify', () => {
    const data = design([[1, 0], [0, 1], [-1, 0.5]], [1, 1, 1]);
    expect(checkSeparating(data, Float64Array.from([1, 0])).separates).toBe(false); // margin -1 on the third
    expect(checkSeparating(data, Float64Array.from([0.2, 1])).separates).toBe(true);
    expect(gordanResidual(data, Float64Array.from([1, -0.5, 0.5]))).toBe(Infinity); // a negative weight
    expect(gordanResidual(data, Float64Array.from([0.5, 0, 0.5]))).toBeCloseTo(Math.hypot(0, 0.25) / Math.sqrt(2), 14);
  });

  it('random data: rules only (eps = 0) are separable at alpha = 5; coin labels at alpha = 4 are not', () => {
    const inst = (eps: number, alpha: number) =>
      makeInstance({ d: 30, alpha, prior: priorOf('gaussian'), channel: channelOf('rules-facts', eps), seed: { master: 11, trial: 0 } });
    decided(inst(0, 5), 'separable');
    // Cover: P(separable) = 2^(1-n) sum_{k<d} C(n-1, k) = 3e-6 at n = 120, d = 30
    decided(inst(1, 4), 'not-separable');
  });
});

/** Cover (1965): n points in general position in R^d with independent fair labels are separable through the
 * origin with probability 2^(1-n) sum_{k=0}^{d-1} C(n-1, k). */
function cover(n: number, d: number): number {
  let term = 2 ** -(n - 1);
  let sum = 0;
  for (let k = 0; k < d; k++) {
    sum += term;
    term *= (n - 1 - k) / (k + 1);
  }
  return Math.min(1, sum);
}

/** The fraction of separable trials, every trial decided. */
function fraction(params: Record<string, number>, d: number, trials: number, seed: number, runs: SimulationRun[] = []): number {
  const run = simulate(CAPACITY, params, d, trials, seed);
  runs.push(run);
  expect(run.trials.filter((t) => !t.converged).map((t) => t.message)).toEqual([]);
  const s = run.summary.separable;
  expect(s.trials).toBe(trials);
  return s.mean;
}

describe('separability: an undecided trial', () => {
  it('is reported as such, with neither certificate, and does not count', () => {
    const inst = makeInstance({ d: 30, alpha: 2, prior: priorOf('gaussian'), channel: channelOf('rules-facts', 1), seed: { master: 11, trial: 1 } });
    const r = separability(inst, { maxIterations: 2 });
    expect(r.verdict).toBe('undecided');
    expect(r.message).toMatch(/stopped after 2 iterations/);
    expect(r.w).toBeUndefined();
    expect(r.c).toBeUndefined();
    expect(r.margin).toBeLessThanOrEqual(0);
    expect(r.residual).toBeGreaterThan(1e-9);
    // the full run decides it
    expect(separability(inst).verdict).not.toBe('undecided');
  });
});

describe('rules-facts-capacity simulation', () => {
  it('eps = 1 at d = 40: the separable fraction over 100 trials matches Cover\'s exact count within 4 binomial sigmas', () => {
    for (const alpha of [1.5, 2, 2.5]) {
      const n = Math.round(alpha * 40);
      const p = cover(n, 40);
      const f = fraction({ eps: 1, alpha }, 40, 100, 3);
      expect(Math.abs(f - p), `alpha ${alpha}: fraction ${f}, Cover ${p}`).toBeLessThanOrEqual(4 * Math.sqrt(p * (1 - p) / 100) + 0.01);
    }
  }, 120_000);

  it('eps = 1 at d = 200 (Cover\'s 2): separable at alpha = 1.6, not at alpha = 2.4', () => {
    // Cover's probabilities there: 1 - 3e-6 and 1.5e-4; 20 trials
    expect(cover(320, 200)).toBeGreaterThan(0.999);
    expect(cover(480, 200)).toBeLessThan(1e-3);
    expect(fraction({ eps: 1, alpha: 1.6 }, 200, 20, 5)).toBeGreaterThan(0.8);
    expect(fraction({ eps: 1, alpha: 2.4 }, 200, 20, 5)).toBeLessThan(0.2);
  }, 120_000);

  it('eps = 0.5 at d = 200: separable at 0.85 alpha_sep, not at 1.15 alpha_sep, where verify compares with the step', () => {
    const s = solve(CAPACITY.problem({ eps: 0.5 }));
    expect(s.status).toBe('converged');
    const alphaSep = s.state.alpha_sep;
    expect(alphaSep).toBeGreaterThan(2); // facts and rules together are easier to fit than facts alone
    const runs: SimulationRun[] = [];
    const below = fraction({ eps: 0.5, alpha: 0.85 * alphaSep }, 200, 20, 7, runs);
    const above = fraction({ eps: 0.5, alpha: 1.15 * alphaSep }, 200, 20, 7, runs);
    expect(below).toBeGreaterThan(0.8);
    expect(above).toBeLessThan(0.2);
    // verify's comparison: the model's step observable, 1 then 0, against the fractions
    const rows = runs.map((run) => compare(CAPACITY, run, 4).rows);
    expect(rows.map((r) => r.map((c) => [c.quantity, c.theory]))).toEqual([[['separable', 1]], [['separable', 0]]]);
    expect(rows.flat().every((c) => c.pass)).toBe(true);
  }, 120_000);

  it('refuses `separable` with another estimator, and other measurements with separability', () => {
    const model = (estimator: string, measured: string) => `name: sep-check
description: the plumbing of the separable measurement
params:
  alpha: { default: 2, min: 0 }
order_params:
  a: { init: { uninformed: 0, informed: 0 } }
updates:
  a: 0
observables:
  s: a
simulation:
  teacher: gaussian
  channel: sign
  estimator: ${estimator}
  measure: { s: ${measured} }
`;
    expect(() => loadText(model('separability', 'separable'))).not.toThrow();
    expect(() => loadText(model('hinge(0.1)', 'separable'))).toThrow(/measured by the estimator separability/);
    expect(() => loadText(model('separability', 'm'))).toThrow(/not measured with the estimator separability/);
  });
});
