import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/base/errors.ts';
import { loadModel } from '../../src/pipeline/load.ts';
import { drawSamples, drawTeacher, makeInstance, priorOf, channelOf } from '../../src/simulate/data.ts';
import { gamp, glmFunctions } from '../../src/simulate/gamp.ts';
import { matVec } from '../../src/simulate/linalg.ts';
import { compareTrajectory } from '../../src/verify/trajectory.ts';

/**
 * GAMP (src/simulate/gamp.ts) built from a glm model's own fa, fv, gout, dgout, against the state evolution of
 * the same model file iterated step by step (src/solve/trajectory.ts): GAMP iterate t against SE step t from
 * q_0 = 0, at every t, within 4 standard errors over seeded trials.
 */
describe('GAMP follows its state evolution at every iteration', () => {
  it('cs-bayes (Gauss-Bernoulli prior rho = 0.2, linear channel Delta = 1e-4), alpha = 0.5, d = 2000, t = 0..20', async () => {
    const compiled = loadModel('equations/cs-bayes.yaml');
    const c = await compareTrajectory(compiled, { alpha: 0.5, rho: 0.2, Delta: 1e-4 }, { d: 2000, trials: 6, seed: 11, iterations: 20, tolerance: 4 });
    expect(c.run.trials.every((t) => t.converged)).toBe(true);
    expect(c.steps).toHaveLength(21);
    expect(c.steps[0].rows.map((r) => r.quantity)).toEqual(['m', 'q', 'mse']);
    // the theory: q_0 = 0, then the update map; it reaches the easy-phase fixed point (mse ~ 8e-5)
    expect(c.theory.state.q[0]).toBe(0);
    expect(c.theory.observables.mse[20]).toBeLessThan(1e-3);
    for (const s of c.steps) {
      for (const r of s.rows) expect(Math.abs(r.z), `t = ${s.t} ${r.quantity}: theory ${r.theory}, GAMP ${r.mean} +- ${r.se}`).toBeLessThanOrEqual(4);
    }
    // the mse falls by more than two decades along the way, and GAMP tracks it (relative to its error bar)
    const mse = c.steps.map((s) => s.rows[2]);
    expect(mse[20].mean).toBeLessThan(mse[1].mean / 100);
  }, 60_000);

  it('perceptron-bayes (Gaussian prior, sign channel), alpha = 2, d = 1000, t = 0..15; m_t = q_t as on the Nishimori line', async () => {
    const compiled = loadModel('equations/perceptron-bayes.yaml');
    const c = await compareTrajectory(compiled, { alpha: 2 }, { d: 1000, trials: 8, seed: 5, iterations: 15, tolerance: 4 });
    expect(c.steps[0].rows.map((r) => r.quantity)).toEqual(['m', 'q', 'mse', 'gen_error']);
    for (const s of c.steps) {
      for (const r of s.rows) expect(Math.abs(r.z), `t = ${s.t} ${r.quantity}: theory ${r.theory}, GAMP ${r.mean} +- ${r.se}`).toBeLessThanOrEqual(4);
    }
    // the first step is the one furthest from the fixed point: q_1 = 0.5601 (SE), GAMP within 2%
    expect(c.theory.state.q[1]).toBeCloseTo(0.5601, 3);
    expect(Math.abs(c.steps[1].rows[0].mean / c.theory.state.q[1] - 1)).toBeLessThan(0.02);
    expect(Math.abs(c.steps[15].rows[1].mean / c.theory.state.q[15] - 1)).toBeLessThan(0.02);
  }, 60_000);
});

describe('gamp()', () => {
  const perceptron = loadModel('equations/perceptron-binary-bayes.yaml');

  it('starts from the prior (a = fa(0, 0) = 0, v = fv(0, 0) = rho_w) and records t = 0 .. iterations', () => {
    const fns = glmFunctions(perceptron.problem({ alpha: 1 }).kernels.functions);
    const inst = makeInstance({ d: 200, alpha: 1, prior: priorOf('rademacher'), channel: channelOf('sign'), seed: { master: 1, trial: 0 } });
    const r = gamp(inst, fns, { teacher: inst.teacher, maxIterations: 3, tol: 0 });
    expect(r.status).toBe('max-iterations');
    expect(r.iterations).toBe(3);
    expect(r.history.map((h) => h.t)).toEqual([0, 1, 2, 3]);
    expect(r.history[0]).toMatchObject({ m: 0, q: 0, mse: 1, v: 1 });
    expect(Number.isNaN(r.history[0].residual)).toBe(true);
    expect(r.history[3].residual).toBe(r.residual);
  });

  it('perfect recovery at finite n: when the labels no longer resolve V (binary perceptron, alpha = 1.7, trial 6)', () => {
    const fns = glmFunctions(perceptron.problem({ alpha: 1.7 }).kernels.functions);
    const inst = makeInstance({ d: 1000, alpha: 1.7, prior: priorOf('rademacher'), channel: channelOf('sign'), seed: { master: 1, trial: 6 } });
    const r = gamp(inst, fns, { teacher: inst.teacher, adaptive: false });
    expect(r.status).toBe('converged');
    expect(r.message).toMatch(/perfect recovery to what n labels resolve/);
    expect(r.history.at(-1)!.mse).toBeLessThan(1e-12);
  });

  it('stops at perfect recovery when the posterior collapses (binary perceptron, alpha = 1.7 > alpha_alg)', () => {
    const fns = glmFunctions(perceptron.problem({ alpha: 1.7 }).kernels.functions);
    const inst = makeInstance({ d: 1000, alpha: 1.7, prior: priorOf('rademacher'), channel: channelOf('sign'), seed: { master: 1, trial: 1 } });
    const r = gamp(inst, fns, { teacher: inst.teacher });
    expect(r.status).toBe('converged');
    expect(r.message).toMatch(/posterior collapsed/);
    expect(r.history.at(-1)!.mse).toBeLessThan(1e-20);
    // without the rule, the next step would underflow gout to 0 and restart from the prior (a = 0)
    expect(r.iterations).toBeLessThan(30);
  });

  it('damping: where plain GAMP oscillates (binary perceptron between its thresholds, alpha = 1.45, d = 500), gamp(0.5) converges', () => {
    const fns = glmFunctions(perceptron.problem({ alpha: 1.45 }).kernels.functions);
    const inst = makeInstance({ d: 500, alpha: 1.45, prior: priorOf('rademacher'), channel: channelOf('sign'), seed: { master: 1, trial: 0 } });
    const plain = gamp(inst, fns, { teacher: inst.teacher, maxIterations: 600, adaptive: false });
    expect(plain.status).toBe('max-iterations');
    expect(plain.residual).toBeGreaterThan(0.05);
    expect(plain.message).toMatch(/oscillate: try damping/);
    const damped = gamp(inst, fns, { teacher: inst.teacher, damping: 0.5, maxIterations: 600, adaptive: false });
    expect(damped.status).toBe('converged');
    // a fixed point of the damped iteration is one of plain GAMP (the Nishimori identity m = q holds there)
    const last = damped.history.at(-1)!;
    expect(Math.abs(last.m - last.q)).toBeLessThan(0.05);
    // the default, adaptive damping, starts undamped and halves the damping when the iterates turn back
    const adaptive = gamp(inst, fns, { teacher: inst.teacher, maxIterations: 600 });
    expect(adaptive.status).toBe('converged');
    expect(adaptive.damping.smallest).toBeLessThan(1);
    expect(Math.abs(adaptive.history.at(-1)!.m - last.m)).toBeLessThan(1e-6);
  }, 60_000);

  it('damping: a design whose entries have a mean 2/sqrt(d) makes plain GAMP diverge; gamp(0.5) reaches the same error as without the mean', () => {
    const cs = loadModel('equations/cs-bayes.yaml').problem({ alpha: 0.6, rho: 0.2, Delta: 1e-4 });
    const fns = glmFunctions(cs.kernels.functions);
    const d = 500;
    const n = 300;
    const seed = { master: 3, trial: 0 };
    const teacher = drawTeacher(priorOf('gauss-bernoulli', 0.2, 0.2), d, seed).map((w) => w / Math.sqrt(0.2));
    const s = drawSamples(channelOf('linear', 1e-4), teacher, n, seed);
    const clean = gamp(s, fns, { teacher });
    expect(clean.status).toBe('converged');
    const X = s.X.map((x) => x + 2 / Math.sqrt(d));
    const z = new Float64Array(n);
    matVec(X, n, d, teacher, z, 1 / Math.sqrt(d));
    const y = z.map((v, mu) => v + (s.y[mu] - s.z[mu])); // the same noise
    const shifted = { X, y, n, d };
    expect(gamp(shifted, fns, { teacher, adaptive: false }).status).toBe('diverged');
    const damped = gamp(shifted, fns, { teacher, damping: 0.5, adaptive: false });
    expect(damped.status).toBe('converged');
    expect(gamp(shifted, fns, { teacher }).status).toBe('converged'); // adaptive
    const mse = (r: ReturnType<typeof gamp>) => r.history.at(-1)!.mse;
    expect(mse(damped)).toBeLessThan(2 * mse(clean));
  });

  it('damping changes the path, not the fixed point: gamp(1) and gamp(0.3) agree to 1e-6 (cs-bayes, d = 500)', () => {
    const cs = loadModel('equations/cs-bayes.yaml').problem({ alpha: 0.6, rho: 0.2, Delta: 1e-4 });
    const fns = glmFunctions(cs.kernels.functions);
    const seed = { master: 4, trial: 0 };
    const teacher = drawTeacher(priorOf('gauss-bernoulli', 0.2, 0.2), 500, seed).map((w) => w / Math.sqrt(0.2));
    const s = drawSamples(channelOf('linear', 1e-4), teacher, 300, seed);
    const a = gamp(s, fns, { tol: 1e-12, adaptive: false });
    const b = gamp(s, fns, { tol: 1e-12, damping: 0.3, adaptive: false });
    expect(a.status).toBe('converged');
    expect(b.status).toBe('converged');
    expect(b.iterations).toBeGreaterThan(a.iterations);
    let diff = 0;
    for (let i = 0; i < 500; i++) diff = Math.max(diff, Math.abs(a.w[i] - b.w[i]));
    expect(diff).toBeLessThan(1e-6);
  });

  it('misuse names the fix: no glm functions, a damping outside (0, 1]', () => {
    expect(() => glmFunctions(loadModel('equations/ridge.yaml').problem().kernels.functions, 'model "ridge"')).toThrow(UsageError);
    try {
      glmFunctions(undefined);
      expect.unreachable();
    } catch (e) {
      expect((e as UsageError).message).toMatch(/needs the functions fa, fv, gout and dgout/);
      expect((e as UsageError).hint).toMatch(/glm: \{ prior, channel \}/);
    }
    const fns = glmFunctions(perceptron.problem().kernels.functions);
    const inst = makeInstance({ d: 20, alpha: 1, prior: priorOf('rademacher'), channel: channelOf('sign'), seed: { master: 1, trial: 0 } });
    expect(() => gamp(inst, fns, { damping: 0 })).toThrow(/damping/);
    expect(() => gamp(inst, fns, { damping: 1.5 })).toThrow(/damping/);
  });
});
