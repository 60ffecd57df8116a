import { describe, expect, it } from 'vitest';
import { formatIssue, type Issue } from '../../src/base/issues.ts';
import { check } from '../../src/pipeline/load.ts';

/**
 * Mistakes in a `glm:` section are Issues like any other: the right code and symbol, the 1-based line and
 * column of the offending token (a piece name, one argument, a key, a token inside a user's density), a hint,
 * and no spurious follow-up errors from the generated equations. Each test breaks a small valid model in one way.
 */

const FILE = 'toy-glm.yaml';
const BASE = `name: toy-glm
description: a glm model that each test breaks in one way
params:
  alpha: { default: 2, min: 0 }
  rho: { default: 0.2, min: 0, max: 1 }
  Delta: 0.01
glm:
  prior: gauss-bernoulli(rho)
  channel: linear(Delta)
observables:
  err: 1 - q
`;

function broken(from: string, to: string): string {
  expect(BASE.split(from).length - 1, `\`${from}\` occurs once in the model`).toBe(1);
  return BASE.replace(from, to);
}

function pos(text: string, token: string, anchor = ''): { line: number; col: number } {
  const i = text.indexOf(token, text.indexOf(anchor));
  expect(i, `token \`${token}\``).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, i);
  return { line: before.split('\n').length, col: i - before.lastIndexOf('\n') };
}

const issuesOf = (text: string): readonly Issue[] => check(FILE, text).issues;

function only(text: string): Issue {
  const issues = issuesOf(text);
  expect(issues.map(formatIssue), 'exactly one issue').toHaveLength(1);
  return issues[0];
}

describe('the glm section', () => {
  it('the base model is valid, and declares q, qhat, mse and free_energy', () => {
    const r = check(FILE, BASE);
    expect(r.issues).toEqual([]);
    expect(r.compiled!.program.state.map((s) => s.name)).toEqual(['qhat', 'q']);
    expect(r.compiled!.program.observables.map((o) => o.name)).toEqual(['mse', 'err', 'free_energy']);
  });

  it('an unknown prior is an unknown-piece at its name, with a did-you-mean', () => {
    const text = broken('gauss-bernoulli(rho)', 'gauss-bernouli(rho)');
    const i = only(text);
    expect(i).toMatchObject({ code: 'unknown-piece', symbol: 'gauss-bernouli', ...pos(text, 'gauss-bernouli') });
    expect(i.message).toMatch(/unknown prior/);
    expect(i.hint).toBe('did you mean `gauss-bernoulli`?');
  });

  it('an unknown channel with no close match lists the channels', () => {
    const text = broken('linear(Delta)', 'softmax(Delta)');
    const i = only(text);
    expect(i).toMatchObject({ code: 'unknown-piece', symbol: 'softmax', ...pos(text, 'softmax') });
    expect(i.hint).toBe('channels: linear(Delta?), sign(eps?), abs, relu');
  });

  it('a missing argument is wrong-arity at the name, the hint names each argument', () => {
    const text = broken('gauss-bernoulli(rho)', 'gauss-bernoulli');
    const i = only(text);
    expect(i).toMatchObject({ code: 'wrong-arity', symbol: 'gauss-bernoulli', ...pos(text, 'gauss-bernoulli') });
    expect(i.message).toBe('the prior `gauss-bernoulli` takes 1 argument, got 0');
    expect(i.hint).toMatch(/^gauss-bernoulli\(rho\): rho = density of nonzero components/);
  });

  it('too many arguments is wrong-arity, counting optional ones', () => {
    const i = only(broken('linear(Delta)', 'linear(Delta, rho)'));
    expect(i).toMatchObject({ code: 'wrong-arity', symbol: 'linear' });
    expect(i.message).toBe('the channel `linear` takes 0 or 1 arguments, got 2');
  });

  it('an argument that is not a parameter is unknown-symbol at the argument, with a did-you-mean', () => {
    const text = broken('linear(Delta)', 'linear(Delt)');
    const i = only(text);
    expect(i).toMatchObject({ code: 'unknown-symbol', symbol: 'Delt', ...pos(text, 'Delt)') });
    expect(i.hint).toBe('did you mean `Delta`?');
  });

  it('an undeclared argument with no close match says how to declare it', () => {
    const text = broken('linear(Delta)', 'sign(flip)');
    const i = only(text);
    expect(i).toMatchObject({ code: 'unknown-symbol', symbol: 'flip', ...pos(text, 'flip') });
    expect(i.message).toMatch(/the eps of `sign`/);
    expect(i.hint).toMatch(/declare it under params, e\.g\. `flip: \{ default: \.\.\., doc: "label-flip probability/);
  });

  it('an expression as an argument is a bad-value at it; a number is fine', () => {
    const text = broken('linear(Delta)', 'linear(2 * Delta)');
    expect(only(text)).toMatchObject({ code: 'bad-value', ...pos(text, '2 * Delta') });
    expect(issuesOf(broken('linear(Delta)', 'linear(0.5)'))).toEqual([]);
  });

  it('a malformed piece is a bad-value', () => {
    const text = broken('gauss-bernoulli(rho)', 'gauss-bernoulli(rho');
    expect(only(text)).toMatchObject({ code: 'bad-value', ...pos(text, 'gauss-bernoulli(rho') });
  });

  it('a missing channel is a missing-key at the section', () => {
    const text = broken('  channel: linear(Delta)\n', '');
    const i = only(text);
    expect(i).toMatchObject({ code: 'missing-key', symbol: 'channel', ...pos(text, 'glm:') });
    expect(i.hint).toMatch(/channels: linear\(Delta\), sign/);
  });

  it('a misspelt key of the section suggests the right one', () => {
    const text = broken('  prior:', '  priors:');
    const issues = issuesOf(text);
    expect(issues.find((i) => i.code === 'unknown-key')).toMatchObject({ symbol: 'priors', hint: 'did you mean `prior`?', ...pos(text, 'priors') });
  });

  it('without alpha: one missing-key, no follow-up errors from the generated equations', () => {
    const text = broken('  alpha: { default: 2, min: 0 }\n', '');
    const i = only(text);
    expect(i).toMatchObject({ code: 'missing-key', symbol: 'alpha', ...pos(text, 'glm:') });
    expect(i.hint).toMatch(/alpha: \{ default: 1, min: 0/);
  });

  it('an update of q, or a definition named V, clashes with the generated ones, at the user\'s declaration', () => {
    const up = broken('observables:', 'updates:\n  q: 0.5\nobservables:');
    expect(only(up)).toMatchObject({ code: 'duplicate-name', symbol: 'q', ...pos(up, 'q: 0.5') });
    const def = broken('observables:', 'definitions:\n  V: 1\nobservables:');
    const i = only(def);
    expect(i).toMatchObject({ code: 'duplicate-name', symbol: 'V', ...pos(def, 'V: 1') });
    expect(i.hint).toMatch(/declares q, qhat, rho_w, V/);
  });

  it('q may be declared to set its starts and bounds; an observable or free_energy replaces the generated one', () => {
    const text = broken('observables:', 'order_params:\n  q: { init: { uninformed: 0.1, informed: 0.9, small: 0.01 } }\nobservables:\n  mse: 2 * (1 - q)')
      .concat('free_energy: 0\n');
    const r = check(FILE, text);
    expect(r.issues).toEqual([]);
    const q = r.compiled!.program.state.find((s) => s.name === 'q')!;
    expect(q).toMatchObject({ init: { uninformed: 0.1, informed: 0.9, small: 0.01 }, min: 0, max: 1 });
    expect(r.compiled!.program.observables.map((o) => o.name)).toEqual(['mse', 'err', 'free_energy']);
    expect(r.compiled!.problem().observableNames).toEqual(['mse', 'err', 'free_energy']);
  });

  it('state_evolution takes accurate or generic', () => {
    const text = broken('  channel: linear(Delta)\n', '  channel: linear(Delta)\n  state_evolution: fast\n');
    expect(only(text)).toMatchObject({ code: 'bad-value', symbol: 'fast', ...pos(text, 'fast') });
  });

  it('a mistake inside a user density is located at its token; reading an order parameter there is state-in-function', () => {
    const text = broken('gauss-bernoulli(rho)', '{ density: "exp(-w^2 / (2 * sigma))" }');
    expect(only(text)).toMatchObject({ code: 'unknown-symbol', symbol: 'sigma', ...pos(text, 'sigma') });
    const st = broken('gauss-bernoulli(rho)', '{ density: "exp(-w^2 * q)" }');
    const i = only(st);
    expect(i).toMatchObject({ code: 'state-in-function', symbol: 'q', ...pos(st, 'q)"') });
    expect(i.message).toMatch(/prior_density/);
  });

  it('a likelihood channel needs its labels; an unknown key in it suggests the right one', () => {
    const text = broken('linear(Delta)', '{ likelihood: "H(-y * z)" }');
    expect(only(text)).toMatchObject({ code: 'missing-key', symbol: 'y', ...pos(text, '{ likelihood') });
    const typo = broken('linear(Delta)', '{ likelihood: "H(-y * z)", y: [-1, 1], kink: [0] }');
    expect(only(typo)).toMatchObject({ code: 'unknown-key', symbol: 'kink', hint: 'did you mean `kinks`?', ...pos(typo, 'kink') });
  });

  it('several mistakes at once: an unknown prior and an unknown argument of the channel, and nothing else', () => {
    const text = broken('gauss-bernoulli(rho)\n  channel: linear(Delta)', 'gausian(rho)\n  channel: linear(Dleta)');
    const issues = issuesOf(text);
    expect(issues.map((i) => [i.code, i.symbol])).toEqual([['unknown-piece', 'gausian'], ['unknown-symbol', 'Dleta']]);
    expect(issues[0].hint).toMatch(/did you mean `gaussian`\?/);
  });
});
