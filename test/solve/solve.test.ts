import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve, solveFromEach } from '../../src/solve/iterate.ts';

const toy = loadModel('test/fixtures/toy-statuses.yaml');
const cw = loadModel('test/fixtures/curie-weiss.yaml');

describe('solve: every way a solve can end is a status, never an exception', () => {
  it('converged, judged on the undamped residual even with heavy damping', () => {
    const problem = toy.problem({ mode: 0 });
    const s = solve(problem, { damping: 0.01, adaptive: false, maxIterations: 100_000, rtol: 1e-10, atol: 1e-12 });
    expect(s.status).toBe('converged');
    // The reported residual is |F(x) - x| at the returned state, not the damped step (100x smaller here).
    const x = s.state.x;
    expect(s.residual).toBeGreaterThan(0);
    expect(Math.abs(Math.cos(x) - x)).toBeLessThanOrEqual(1e-12 + 1e-10 * Math.abs(x));
    expect(x).toBeCloseTo(0.7390851332151607, 9); // the Dottie number, root of cos x = x
  });

  it('max-iterations when the budget runs out, with the residual reached', () => {
    const s = solve(toy.problem({ mode: 0 }), { maxIterations: 3 });
    expect(s.status).toBe('max-iterations');
    expect(s.iterations).toBe(3);
    expect(s.residual).toBeGreaterThan(1e-3);
    expect(s.message).toMatch(/after 3 iterations/);
  });

  it('nan when an update is not finite, naming the order parameter', () => {
    const s = solve(toy.problem({ mode: 1 }));
    expect(s.status).toBe('non-finite');
    expect(s.message).toMatch(/`x`/);
  });

  it('invalid-domain when an update leaves [min, max]', () => {
    const s = solve(toy.problem({ mode: 2 }));
    expect(s.status).toBe('invalid-domain');
    expect(s.message).toMatch(/outside \[-10, 10\]/);
  });

  it('diverged when the state grows without bound', () => {
    const s = solve(toy.problem({ mode: 3 }));
    expect(s.status).toBe('diverged');
  });

  it('an unknown initialisation is misuse and says which exist', () => {
    expect(() => solve(cw.problem(), { init: 'informd' })).toThrow(/no initialisation `informd`/);
    try {
      solve(cw.problem(), { init: 'informd' });
    } catch (e) {
      expect((e as { hint?: string }).hint).toMatch(/uninformed, informed, negative/);
    }
  });
});

describe('solve: fixed points', () => {
  it('finds every distinct fixed point of the Curie-Weiss magnet from its named starts', () => {
    const { solutions, distinct } = solveFromEach(cw.problem({ beta: 2 }), ['uninformed', 'informed', 'negative']);
    expect(solutions.map((s) => s.status)).toEqual(['converged', 'converged', 'converged']);
    expect(distinct.map((s) => Math.sign(s.state.m))).toEqual([0, 1, -1]);
    const m = distinct[1].state.m;
    expect(Math.abs(Math.tanh(2 * m) - m)).toBeLessThan(1e-10);
  });

  it('marks the fixed point of lowest free energy as the selected one', () => {
    // With a positive field the positive magnetisation is the equilibrium; the negative one is metastable.
    const { distinct, pointOf, selected } = solveFromEach(cw.problem({ beta: 2, h: 0.1 }), ['negative', 'informed']);
    expect(distinct).toHaveLength(2);
    expect(pointOf).toEqual([0, 1]);
    expect(selected).toBe(1);
    expect(distinct[1].state.m).toBeGreaterThan(0);
  });

  it('matches the critical expansion m^2 ~ 3 (beta - 1) near beta = 1', () => {
    const eps = 1e-3;
    const s = solve(cw.problem({ beta: 1 + eps }), { init: 'informed', maxIterations: 200_000, anderson: 3 });
    expect(s.status).toBe('converged');
    expect(s.state.m ** 2 / (3 * eps)).toBeCloseTo(1, 2);
  });

  it('Anderson acceleration reaches the same fixed point in fewer iterations where iteration slows down', () => {
    const ridge = loadModel('equations/ridge.yaml').problem({ alpha: 1, lambda: 1e-3, Delta: 0.5 });
    const plain = solve(ridge);
    const fast = solve(ridge, { anderson: 4 });
    expect(plain.status).toBe('converged');
    expect(fast.status).toBe('converged');
    expect(fast.iterations).toBeLessThan(plain.iterations / 3);
    expect(fast.observables.gen_error).toBeCloseTo(plain.observables.gen_error, 8);
  });

  it('records the residual history when asked', () => {
    const s = solve(toy.problem({ mode: 0 }), { history: true });
    expect(s.history).toHaveLength(s.iterations);
    expect(s.history![s.history!.length - 1]).toBe(s.residual);
  });
});

describe('solve: Anderson acceleration, safeguarded, positive values mixed in log coordinates', () => {
  // V' = c V^0.99: the fixed point V* = c^100 is approached geometrically in log V (rate 0.99 per sweep), the way V
  // ~ 1/lambda grows at small penalties in hinge.yaml; in log coordinates the map is linear and Anderson exact.
  const text = `name: geometric
description: a positive order parameter that moves geometrically
conventions: none
source: test fixture
params:
  c: { default: 1.2 }
order_params:
  V: { init: 1, min: 0 }
updates:
  V: c * V^0.99
`;
  const model = loadModel('geometric.yaml', text);
  it('reaches V* = c^100 in a few sweeps where plain iteration needs thousands', () => {
    const exact = 1.2 ** 100;
    const plain = solve(model.problem(), { maxIterations: 100_000 });
    const fast = solve(model.problem(), { anderson: 3 });
    expect(plain.status).toBe('converged');
    expect(plain.iterations).toBeGreaterThan(2000);
    expect(fast.status).toBe('converged');
    expect(fast.iterations).toBeLessThan(20);
    expect(Math.abs(fast.state.V / exact - 1)).toBeLessThan(1e-8);
  });
});
