import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';
import { trajectory } from '../../src/solve/trajectory.ts';

describe('trajectory(problem, start, steps): the update map iterated, recorded at every step', () => {
  const problem = loadModel('equations/perceptron-bayes.yaml').problem({ alpha: 2 });

  it('x_0 is the start, x_{t+1} = F(x_t), observables at every step; it ends at the fixed point of solve', () => {
    const tr = trajectory(problem, Float64Array.of(NaN, 0), 60);
    expect(tr.steps).toBe(60);
    expect(tr.state.q).toHaveLength(61);
    expect(tr.state.q[0]).toBe(0);
    expect(Number.isNaN(tr.state.qhat[0])).toBe(true); // no sweep has run at t = 0
    // by hand: q_1 = qhat / (1 + qhat) with qhat = alpha * 2/pi at q = 0 (sign channel, V = 1)
    const qhat = 2 * (2 / Math.PI);
    expect(tr.state.qhat[1]).toBeCloseTo(qhat, 10);
    expect(tr.state.q[1]).toBeCloseTo(qhat / (1 + qhat), 10);
    const x = new Float64Array(2);
    const out = new Float64Array(2);
    x.set([NaN, 0]);
    for (let t = 1; t <= 5; t++) {
      problem.kernels.update(x, out);
      x.set(out);
      expect(tr.state.q[t]).toBe(x[1]);
    }
    // Nishimori line: mse = 1 - q at every step; the trajectory increases to the fixed point
    tr.state.q.forEach((q, t) => expect(tr.observables.mse[t]).toBeCloseTo(1 - q, 14));
    for (let t = 1; t <= 60; t++) expect(tr.state.q[t]).toBeGreaterThanOrEqual(tr.state.q[t - 1]);
    const fixed = solve(problem);
    expect(tr.state.q[60]).toBeCloseTo(fixed.state.q, 9);
  });

  it('a named start, zero steps, and misuse', () => {
    const tr = trajectory(problem, 'informed', 0);
    expect(tr.state.q).toEqual([0.999]);
    expect(() => trajectory(problem, 'nope', 3)).toThrow(/no initialisation `nope`/);
    expect(() => trajectory(problem, new Float64Array(3), 3)).toThrow(/needs 2 values/);
    expect(() => trajectory(problem, 'informed', -1)).toThrow(/steps/);
  });
});
