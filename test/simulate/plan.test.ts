import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/base/errors.ts';
import { check, loadModel } from '../../src/pipeline/load.ts';
import { drawTeacher, priorOf } from '../../src/simulate/data.ts';
import { experimentAt, instanceOf, type GlmExperiment } from '../../src/simulate/experiment.ts';
import { closeWorkers, simulate, simulationOf } from '../../src/simulate/run.ts';

afterAll(() => closeWorkers());

/**
 * The simulation section is resolved at load into a plan (src/simulate/plan.ts) whose pieces come from the one
 * library: no second table of teachers or channels, no canonical names reconciling two conventions. A piece means
 * the same law in the glm section and in the simulation section.
 */

const model = (prior: string, teacher: string, estimator = 'gamp', channel = 'linear(Delta)') => `name: probe
description: a glm model with its simulation, built by a test
params:
  alpha: { default: 0.5, min: 0 }
  rho: { default: 0.2, min: 0, max: 1 }
  Delta: { default: 0.01, min: 0 }
  eps: { default: 0.1, min: 0 }
  lambda: { default: 0.1, min: 0 }
glm:
  prior: ${prior}
  channel: ${channel}
observables:
  m: q
  q_star: rho_w
simulation:
  teacher: ${teacher}
  channel: ${channel}
  estimator: ${estimator}
  measure: { m: m, q: q, q_star: q_star }
`;
const issues = (text: string) => check('probe.yaml', text).issues.map((i) => ({ code: i.code, line: i.line, col: i.col, message: i.message, hint: i.hint }));

describe('the resolved simulation plan', () => {
  it('pieces by their library key, arguments as parameter indices or numbers (defaults filled in), measured quantities', () => {
    const c = loadModel('probe.yaml', model('gauss-bernoulli(rho)', 'gauss-bernoulli(rho)'));
    const plan = simulationOf(c);
    const params = c.program.params.map((p) => p.name);
    expect(plan).toEqual({
      model: 'glm',
      teacher: { key: 'gauss-bernoulli', args: [{ kind: 'param', name: 'rho', index: params.indexOf('rho') }, { kind: 'number', value: 1, text: '1' }] },
      channel: { key: 'linear', args: [{ kind: 'param', name: 'Delta', index: params.indexOf('Delta') }] },
      estimator: { key: 'gamp', args: [{ kind: 'number', value: 1, text: '1' }, { kind: 'number', value: 0, text: '0' }] },
      measure: [{ theory: 'm', measured: 'm' }, { theory: 'q', measured: 'q' }, { theory: 'q_star', measured: 'q_star' }],
      alpha: params.indexOf('alpha'),
    });
    // plain data: what a worker thread receives is the plan itself (a function would not clone)
    expect(structuredClone(plan)).toEqual(plan);
  });

  it('one convention: `gauss-bernoulli(rho)` in both sections is the same law, second moment 1 (no canonicalisation)', () => {
    expect(issues(model('gauss-bernoulli(rho)', 'gauss-bernoulli(rho)'))).toEqual([]);
    expect(issues(model('gauss-bernoulli(rho)', 'gauss-bernoulli(rho, 1)'))).toEqual([]);
    const a = loadModel('probe.yaml', model('gauss-bernoulli(rho)', 'gauss-bernoulli(rho)'));
    const b = loadModel('probe.yaml', model('gauss-bernoulli(rho)', 'gauss-bernoulli(rho, 1)'));
    expect(simulationOf(a)).toEqual(simulationOf(b));
    // the simulated teacher has the theory's rho_w = 1 (the other convention, N(0, 1) entries, would give rho = 0.2)
    const run = simulate(a, { rho: 0.2 }, 2000, 4, 3);
    const s = run.summary.q_star;
    expect(Math.abs(s.mean - 1)).toBeLessThan(5 * Math.max(s.se, Math.sqrt(14 / 8000)));
    expect(Math.abs(s.mean - 0.2)).toBeGreaterThan(0.5);
    // and it is the library's sampler, stream for stream
    const x = experimentAt(simulationOf(a), a.problem({ rho: 0.2 })) as GlmExperiment;
    const seed = { master: 3, trial: 0 };
    expect(instanceOf(x, 500, seed).teacher).toEqual(drawTeacher(priorOf('gauss-bernoulli', 0.2), 500, seed));
  }, 60_000);

  it('another law is refused for the Bayes-optimal GAMP, located at the teacher, naming the fix', () => {
    const [i, ...rest] = issues(model('gauss-bernoulli(rho)', 'gauss-bernoulli(rho, rho)'));
    expect(rest).toEqual([]);
    expect(i).toMatchObject({ code: 'bad-value', line: 16, col: 12 });
    expect(i.message).toBe('the teacher `gauss-bernoulli(rho, rho)` is not the glm prior `gauss-bernoulli(rho)`: GAMP is Bayes-optimal only for data drawn from its own model');
    expect(i.hint).toMatch(/^write `teacher: gauss-bernoulli\(rho\)`/);
    // an ERM estimator may learn from any teacher
    expect(issues(model('gauss-bernoulli(rho)', 'gauss-bernoulli(rho, rho)', 'lasso(lambda)'))).toEqual([]);
    // the sign channel's flip probability is `eps` in both sections
    expect(issues(model('gaussian', 'gaussian', 'gamp', 'sign(eps)'))).toEqual([]);
  });

  it('mistakes are located issues: unknown pieces (prototype-safe), arity, arguments, numbers the piece refuses', () => {
    const one = (text: string) => { const is = issues(text); expect(is).toHaveLength(1); return is[0]; };
    expect(one(model('gaussian', 'gausian'))).toMatchObject({ code: 'unknown-piece', line: 16, message: 'unknown teacher `gausian`', hint: 'did you mean `gaussian`?' });
    expect(one(model('gaussian', 'constructor'))).toMatchObject({ code: 'unknown-piece', message: 'unknown teacher `constructor`' });
    expect(one(model('gaussian', 'gaussian', 'toString'))).toMatchObject({ code: 'unknown-piece', message: 'unknown estimator `toString`' });
    expect(one(model('gaussian', 'gaussian', 'ridge(lambda, 2)'))).toMatchObject({ code: 'wrong-arity', message: 'the estimator `ridge` takes 1 argument, got 2' });
    expect(one(model('gaussian', 'gaussian(lamda)', 'ridge(lambda)'))).toMatchObject({ code: 'unknown-symbol', message: '`lamda` (the v of `gaussian`) is not a parameter of the model', hint: 'did you mean `lambda`?' });
    const flip = one(model('gaussian', 'gaussian', 'logistic(lambda)', 'sign(1.5)').replace('  channel: sign(1.5)\nobservables', '  channel: sign\nobservables'));
    expect(flip).toMatchObject({ code: 'bad-value', line: 17 });
    expect(flip.message).toMatch(/^channel `sign\(1\.5\)`: the flip probability eps of sign\(eps\) must be a probability in \[0, 1\], got 1\.5$/);
    expect(one(model('gaussian', 'gaussian', 'gamp(2)')).message).toMatch(/the damping must be in \(0, 1\], got 2/);
    // a simulation-only channel is fine in a simulation section
    const huber = model('gaussian', 'gaussian', 'huber(1, lambda)', 'outliers(eps, Delta, 10)').replace('  channel: outliers(eps, Delta, 10)\nobservables', '  channel: linear(Delta)\nobservables');
    expect(issues(huber)).toEqual([]);
  });

  it('values refused by a piece at the parameters of a run are a usage error naming the piece and its values', () => {
    const c = loadModel('probe.yaml', model('gaussian', 'gaussian', 'logistic(lambda)', 'sign(eps)').replace('  channel: sign(eps)\nobservables', '  channel: sign\nobservables'));
    let e: unknown;
    try { simulate(c, { eps: 2 }, 50, 2, 1); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).message).toBe('channel `sign(eps = 2)`: the flip probability eps of sign(eps) must be a probability in [0, 1], got 2');
  });

  it('kernel-powerlaw: the estimator\'s task must be the data\'s, and each measurement one the data piece makes', () => {
    const spectral = (data: string, estimator: string, measure: string) => `name: probe
description: a kernel-powerlaw simulation, built by a test
params:
  n: 100
  lambda: 0.01
order_params:
  x: { init: 0 }
updates:
  x: x / 2
observables:
  m: x
simulation:
  model: kernel-powerlaw
  data: ${data}
  estimator: ${estimator}
  measure: { ${measure} }
`;
    expect(issues(spectral('powerlaw-sign(n, 2, 0.3, 0)', 'kernel-ridge(lambda)', 'm: m'))).toEqual([expect.objectContaining({
      code: 'bad-value', message: 'the estimator kernel-ridge is for regression, the data powerlaw-sign for classification', hint: 'data for regression: powerlaw',
    })]);
    expect(issues(spectral('powerlaw(n, 2, 0.3, 0)', 'spectral-logistic(lambda)', 'm: m'))).toEqual([
      expect.objectContaining({ code: 'bad-value', message: 'the estimator spectral-logistic is for classification, the data powerlaw for regression' }),
      expect.objectContaining({ code: 'bad-value', message: '`m` is not measured in a kernel-powerlaw experiment with the data powerlaw', hint: 'it measures: excess_risk, train_error' }),
    ]);
    expect(issues(spectral('powerlaw-sign(n, 2, 0.3, 0)', 'spectral-logistic(lambda)', 'm: excess_risk'))).toEqual([expect.objectContaining({
      code: 'bad-value', message: '`excess_risk` is not measured with the estimator spectral-logistic',
    })]);
    expect(issues(spectral('powerlaw-sign(n, 2, 0.3, 0.1)', 'spectral-logistic(lambda)', 'm: m'))).toEqual([]);
  });
});

