import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/base/errors.ts';
import { PRIORS } from '../../src/pieces/library.ts';
import { ModelError } from '../../src/base/issues.ts';
import { check, loadModel } from '../../src/pipeline/load.ts';
import { Rng } from '../../src/simulate/rng.ts';
import { solve } from '../../src/solve/iterate.ts';
import { npdf, observe, rel, sweepOnce } from './helpers.ts';

/**
 * The `lowrank:` section (src/glm/lowrank.ts): the spiked Wigner state evolution m = E[x0 fa(lambda m x0 +
 * sqrt(lambda m) xi, lambda m)] and free entropy phi(m) = Psi_w(lambda m) - lambda m^2/4 from the glm prior pieces.
 * The identities tested do not use saddle's own numbers as references: they relate the free entropy (the pieces'
 * psi) to the update (the pieces' q), which are separate formulas, and the sparse prior's accurate forms are checked
 * against a trapezoid rule written here.
 */

/** A model with a lowrank section; `prior` as written in the file (a name, a list, a mapping). */
export function lowrankText(prior: string, params: Record<string, number> = {}, extra = '', generic = false): string {
  const ps = { lambda: 1.5, ...params };
  return [
    'name: probe',
    'description: a lowrank model built by a test',
    'params:',
    ...Object.entries(ps).map(([k, v]) => `  ${k}: ${v}`),
    'lowrank:',
    `  prior: ${prior}`,
    '  snr: lambda',
    ...(generic ? ['  state_evolution: generic'] : []),
    extra,
  ].join('\n');
}
const load = (text: string, prior?: string) => loadModel('probe.yaml', text, prior === undefined ? {} : { prior });

interface Case {
  readonly prior: string;
  readonly params: Record<string, number>;
  readonly rhoW: number;
  readonly generic?: boolean;
  /** Quadrature of the generic path resolves the tilted prior only at moderate qhat (docs/model-files.md, glm):
   * the largest lambda and m/rho_w probed. */
  readonly reach?: { readonly lambda: number; readonly fraction: number };
}
const CASES: readonly Case[] = [
  { prior: 'gaussian', params: {}, rhoW: 1 },
  { prior: 'gaussian(v)', params: { v: 2 }, rhoW: 2 },
  { prior: 'rademacher', params: {}, rhoW: 1 },
  { prior: 'gauss-bernoulli(rho)', params: { rho: 0.2 }, rhoW: 1 },
  { prior: 'sparse-rademacher(rho)', params: { rho: 0.01 }, rhoW: 1 },
  { prior: 'sparse-rademacher(rho)', params: { rho: 0.05 }, rhoW: 1 },
  { prior: 'sparse-rademacher(rho)', params: { rho: 0.3 }, rhoW: 1 },
  { prior: 'sparse-rademacher(rho)', params: { rho: 1 }, rhoW: 1 },
  { prior: 'sparse-rademacher(rho)', params: { rho: 0.1 }, rhoW: 1, generic: true, reach: { lambda: 1.5, fraction: 0.3 } },
  { prior: '{ values: [-1, 0, 2], probs: [0.2, 0.5, 0.3] }', params: {}, rhoW: 1.4, reach: { lambda: 1.5, fraction: 0.7 } },
  { prior: '{ density: "exp(-w^4/4)", scale: 0.8, nodes: 128 }', params: {}, rhoW: 0.6759782400672848, reach: { lambda: 1.5, fraction: 0.7 } },
];

describe('lowrank: the free entropy is stationary exactly at the fixed points of the state evolution', () => {
  // d phi / d m = lambda (m_update(m) - m) / 2 at EVERY m (I-MMSE: dPsi_w/dqhat = E[x0 fa]/2), by central
  // differences of free_energy = -phi: the free entropy and the update are independent formulas of each piece.
  it.each(CASES)('$prior $params', ({ prior, params, rhoW, generic, reach }) => {
    const c = load(lowrankText(prior, params, '', generic));
    for (const lambda of [0.7, 1.5, 4].filter((l) => l <= (reach?.lambda ?? Infinity))) {
      const ps = { ...params, lambda };
      const fe = (m: number) => observe(c, ps, { m }).free_energy;
      for (const f of [0.05, 0.3, 0.7, 0.95].filter((x) => x <= (reach?.fraction ?? 1))) {
        const m = f * rhoW;
        const h = 1e-5 * rhoW;
        const dPhi = -(fe(m + h) - fe(m - h)) / (2 * h);
        const next = sweepOnce(c, ps, { m }).m;
        expect(Math.abs(dPhi - (lambda * (next - m)) / 2), `lambda = ${lambda}, m = ${m}`).toBeLessThan(2e-8 * Math.max(1, lambda));
      }
    }
  }, 60_000);
});

describe('lowrank: I-MMSE in the signal-to-noise ratio', () => {
  // At a fixed point m*(lambda), d phi / d lambda = m*^2 / 4 (the envelope theorem: phi is stationary in m), and
  // the mutual information I = lambda rho_w^2 / 4 - phi has d I / d lambda = (rho_w^2 - m*^2) / 4 = mse / 4.
  // Finite differences of the solved free energy over lambda, each side solved to its own fixed point.
  it.each(CASES.filter((c) => !c.reach))('$prior $params', ({ prior, params }) => {
    const c = load(lowrankText(prior, params));
    for (const lambda of [0.6, 1.7, 3]) {
      const at = (l: number, init = 'informed') => solve(c.problem({ ...params, lambda: l }), { init, rtol: 1e-13, maxIterations: 100_000 });
      const s = at(lambda);
      expect(s.status).toBe('converged');
      const h = 1e-4;
      const lo = at(lambda - h);
      const hi = at(lambda + h);
      const dPhi = -(hi.observables.free_energy - lo.observables.free_energy) / (2 * h);
      expect(Math.abs(dPhi - s.state.m ** 2 / 4), `lambda = ${lambda}`).toBeLessThan(2e-7);
      const dI = (hi.observables.mutual_information - lo.observables.mutual_information) / (2 * h);
      expect(Math.abs(dI - s.observables.mse / 4), `lambda = ${lambda}`).toBeLessThan(2e-7);
    }
  }, 30_000);
});

describe('sparse-rademacher(rho): the accurate forms against a trapezoid rule written here', () => {
  // With u = qhat/rho, y = u + sqrt(u) xi (a nonzero component), y0 = sqrt(u) xi (a zero one) and the log odds
  // g = log(rho/(1 - rho)) - u/2 + log cosh(.), the definitions m = E[x0 fa] and Psi_w = E log Zw written directly:
  //   m = E_xi[sigmoid(g(y)) tanh(y)],
  //   Psi_w = rho E log[(1 - rho) + rho e^(-u/2) cosh(y)] + (1 - rho) E log[(1 - rho) + rho e^(-u/2) cosh(y0)]
  // (Zw(B, qhat) at B = sqrt(rho) y), integrated by the trapezoid rule on [-40, 40] with a step fine on the scale
  // 1/sqrt(u) of the odds' switch; log((1 - rho) + rho e^(-u/2) cosh y) in its overflow-free form.
  const lcosh = (x: number) => Math.abs(x) + Math.log1p(Math.exp(-2 * Math.abs(x))) - Math.LN2;
  const logAdd = (a: number, b: number) => Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
  function reference(rho: number, qhat: number): { m: number; psiW: number } {
    const u = qhat / rho;
    const su = Math.sqrt(u);
    const h = Math.min(2e-3, 0.05 / Math.max(su, 1e-300));
    let m = 0;
    let psi = 0;
    for (let xi = -40; xi <= 40; xi += h) {
      const w = npdf(xi) * h;
      const y = u + su * xi;
      const y0 = su * xi;
      const odds = (t: number) => Math.log(rho) - Math.log1p(-rho) - u / 2 + lcosh(t);
      m += w / (1 + Math.exp(-odds(y))) * Math.tanh(y);
      const logZ = (t: number) => (rho < 1 ? logAdd(Math.log1p(-rho), Math.log(rho) - u / 2 + lcosh(t)) : -u / 2 + lcosh(t));
      psi += w * (rho * logZ(y) + (1 - rho) * (rho < 1 ? logZ(y0) : 0));
    }
    return { m, psiW: psi };
  }

  it.each([0.01, 0.02, 0.05, 0.2, 0.6, 1])('rho = %s, qhat from 1e-4 to 30', (rho) => {
    const c = load(lowrankText('sparse-rademacher(rho)', { rho }));
    for (const qhat of [1e-4, 0.03, 0.2, 0.6, 1.5, 4, 12, 30]) {
      const m = 0.5;
      const lambda = qhat / m; // qhat = lambda m
      const next = sweepOnce(c, { rho, lambda }, { m }).m;
      const ref = reference(rho, qhat);
      expect(rel(next, ref.m, 1e-12), `m at qhat = ${qhat}`).toBeLessThan(1e-10);
      // free_energy = -(Psi_w - lambda m^2 / 4)
      const fe = observe(c, { rho, lambda }, { m }).free_energy;
      expect(Math.abs(-fe - (ref.psiW - (lambda * m * m) / 4)), `phi at qhat = ${qhat}`).toBeLessThan(1e-11 * Math.max(1, qhat));
    }
  }, 30_000);

  it('fa, fv are the B-derivatives of log Zw; log Zw has its closed form; no overflow at large fields', () => {
    const rho = 0.03;
    const c = load(lowrankText('sparse-rademacher(rho)', { rho, B0: 0, A0: 1 }, 'observables:\n  lz: logZw(B0, A0)\n  mean: fa(B0, A0)\n  var: fv(B0, A0)\nfree_energy: 0'));
    const at = (B0: number, A0: number) => observe(c, { rho, B0, A0 }, { m: 0.5 });
    const closed = (B: number, A: number) => Math.log(1 - rho + rho * Math.exp(-A / (2 * rho)) * Math.cosh(B / Math.sqrt(rho)));
    const d = (f: (x: number) => number, x: number, h = 1e-5) => (f(x + h) - f(x - h)) / (2 * h);
    for (const [B, A] of [[0.7, 0.5], [-1.3, 2], [3, 10], [0.2, 0.05], [0, 0]]) {
      const x = at(B, A);
      expect(Math.abs(x.lz - closed(B, A))).toBeLessThan(1e-13);
      expect(Math.abs(x.mean - d((b) => at(b, A).lz, B))).toBeLessThan(1e-8);
      expect(Math.abs(x.var - d((b) => at(b, A).mean, B))).toBeLessThan(1e-7);
    }
    expect(at(0, 0).var).toBeCloseTo(1, 14); // the prior's variance
    // far fields: log Zw ~ B/sqrt(rho) - A/(2 rho) + log(rho/2), the posterior sure of the sign (fv -> 0, not < 0)
    const far = at(300, 50);
    expect(Number.isFinite(far.lz) && Math.abs(far.lz - (300 / Math.sqrt(rho) - 50 / (2 * rho) + Math.log(rho / 2))) < 1e-9).toBe(true);
    expect(far.mean).toBeCloseTo(1 / Math.sqrt(rho), 12);
    expect(far.var).toBeGreaterThanOrEqual(0);
    expect(far.var).toBeLessThan(1e-12);
  });
});

describe('prior samplers: the simulation draws its teacher from the same piece', () => {
  // E x, E x^2 = rho_w and E x^4 of 2e5 draws against the prior's moments (5 standard errors).
  const cases: [string, number[], number, number][] = [
    ['gaussian', [2], 2, 12], ['rademacher', [], 1, 1], ['gauss-bernoulli', [0.2, 1], 1, 3 / 0.2], ['sparse-rademacher', [0.05], 1, 1 / 0.05],
  ];
  it.each(cases)('%s %j', (name, args, second, fourth) => {
    const piece = PRIORS.get(name)!;
    const rng = new Rng([1, 2, 3, 4]);
    const n = 200_000;
    let s1 = 0, s2 = 0, s4 = 0, s8 = 0;
    for (let i = 0; i < n; i++) {
      const x = piece.draw!(args, rng);
      s1 += x; s2 += x * x; s4 += x ** 4; s8 += x ** 8;
    }
    const se = (m2: number) => Math.sqrt(m2 / n);
    expect(Math.abs(s1 / n)).toBeLessThan(5 * se(second));
    expect(Math.abs(s2 / n - second)).toBeLessThan(5 * se(fourth));
    expect(Math.abs(s4 / n - fourth)).toBeLessThan(5 * se(s8 / n));
    expect(piece.checkArgs?.(args)).toBeUndefined();
  });
  it('bad parameters are refused', () => {
    expect(PRIORS.get('sparse-rademacher')!.checkArgs!([0])).toMatch(/in \(0, 1\]/);
    expect(PRIORS.get('gauss-bernoulli')!.checkArgs!([1.5])).toMatch(/in \(0, 1\]/);
  });
});

describe('lowrank: the section, the choice of prior and its mistakes', () => {
  const three = '[sparse-rademacher(rho), rademacher, gaussian]';
  it('generates m with the starts uninformed 1e-6, zero 0, informed rho_w; a list names the prior in use', () => {
    const c = load(lowrankText(three, { rho: 0.1 }));
    const p = c.problem();
    expect(p.stateNames).toEqual(['m']);
    expect(Object.fromEntries(Object.entries(p.inits).map(([k, v]) => [k, Array.from(v)]))).toEqual({ uninformed: [1e-6], zero: [0], informed: [1] });
    expect(p.observableNames).toEqual(['mse', 'mse_x', 'mutual_information', 'free_energy']);
    expect(p.model).toBe('probe (prior sparse-rademacher(rho))');
    expect(load(lowrankText(three, { rho: 0.1 }), 'gaussian').problem().model).toBe('probe (prior gaussian)');
    expect(load(lowrankText('rademacher')).problem().model).toBe('probe');
    // a user's declaration of m sets its starts field by field; a new start name is added to the model
    const u = load(lowrankText('rademacher', {}, 'order_params:\n  m: { init: { uninformed: 0.5, informed: 1, zero: 0, half: 0.5 } }'));
    expect(Array.from(u.problem().inits.half)).toEqual([0.5]);
    expect(Array.from(u.problem().inits.uninformed)).toEqual([0.5]);
  });

  it('--prior selects by name or as written; the selection changes the equations', () => {
    const text = lowrankText(three, { rho: 0.1, lambda: 2 });
    const m = (prior?: string) => solve(load(text, prior).problem(), {}).state.m;
    expect(m('gaussian')).toBeCloseTo(0.5, 9); // 1 - 1/lambda
    expect(m('sparse-rademacher(rho)')).toBe(m());
    expect(m('rademacher')).not.toBeCloseTo(m('gaussian'), 3);
  });

  it('a prior that is not offered, or a model without a choice, is a usage error listing the choices', () => {
    const text = lowrankText(three, { rho: 0.1 });
    const err = (f: () => unknown) => { try { f(); } catch (e) { return e as UsageError; } throw new Error('no error'); };
    const e1 = err(() => load(text, 'radmacher'));
    expect(e1).toBeInstanceOf(UsageError);
    expect(e1.message).toMatch(/has no prior `radmacher`/);
    expect(e1.hint).toMatch(/did you mean `rademacher`\?.*its priors: sparse-rademacher\(rho\), rademacher, gaussian/);
    const e2 = err(() => load(lowrankText('rademacher'), 'gaussian'));
    expect(e2.message).toMatch(/offers no choice of prior: its only prior is rademacher/);
    const glm = 'name: g\ndescription: d\nparams:\n  alpha: 1\nglm:\n  prior: gaussian\n  channel: sign\n';
    const e3 = err(() => loadModel('g.yaml', glm, { prior: 'rademacher' }));
    expect(e3.message).toMatch(/offers no choice of prior/);
    expect(e3.hint).toMatch(/lowrank/);
  });

  it('mistakes are located issues: an unknown prior in the list, an snr that is not a parameter, glm and lowrank together', () => {
    const issues = (text: string) => check('probe.yaml', text).issues.filter((i) => !i.code.startsWith('warn'));
    const a = issues(lowrankText('[rademacher, sparse-radmacher(rho)]', { rho: 0.1 }));
    expect(a.map((i) => [i.code, i.line, i.message])).toEqual([['unknown-piece', 7, 'unknown prior `sparse-radmacher`']]);
    expect(a[0].hint).toMatch(/sparse-rademacher/);
    const b = issues(lowrankText('rademacher').replace('snr: lambda', 'snr: lamda'));
    expect(b[0]).toMatchObject({ code: 'unknown-symbol', line: 7 });
    expect(b[0].hint).toMatch(/did you mean `lambda`/);
    const c = issues(`${lowrankText('rademacher', { alpha: 1 })}\nglm:\n  prior: gaussian\n  channel: sign`);
    expect(c.some((i) => i.message.includes('glm section or a lowrank section, not both'))).toBe(true);
    const d = issues(lowrankText('rademacher', {}, 'definitions:\n  qhat: 1'));
    expect(d[0]).toMatchObject({ code: 'duplicate-name', symbol: 'qhat' });
    expect(() => load(lowrankText('rademacher', {}, 'updates:\n  m: 0.5'))).toThrow(ModelError);
  });

  it('a spiked-wigner simulation section: no teacher or channel, its own measurements, a lowrank section required', () => {
    const issues = (text: string) => check('probe.yaml', text).issues.map((i) => `${i.code}: ${i.message}`);
    const sim = (body: string) => `simulation:\n  model: spiked-wigner\n${body}`;
    const ok = sim('  estimator: amp\n  measure: { m: m, mse: matrix_error }');
    expect(issues(lowrankText('rademacher', {}, ok))).toEqual([]);
    expect(issues(lowrankText('rademacher', {}, sim('  teacher: rademacher\n  estimator: amp\n  measure: { m: m }'))).join('\n'))
      .toMatch(/bad-value: a spiked-wigner simulation takes no `teacher`/);
    expect(issues(lowrankText('rademacher', {}, sim('  estimator: amp\n  measure: { m: test_error }'))).join('\n'))
      .toMatch(/`test_error` is not measured in a spiked-wigner experiment/);
    expect(issues(lowrankText('rademacher', {}, sim('  estimator: gamp\n  measure: { m: m }'))).join('\n'))
      .toMatch(/unknown-piece: unknown estimator `gamp`/);
    const noLowrank = `name: p\ndescription: d\nparams:\n  a: 1\norder_params:\n  m: 0.5\nupdates:\n  m: a / 2\n${ok}`;
    expect(issues(noLowrank).join('\n')).toMatch(/draws x from the prior of the model's lowrank section, and the model has none/);
  });
});
