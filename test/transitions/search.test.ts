import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { DEFAULT_BUDGET, DEFAULT_MAX_ITERATIONS, Search, type SearchEvent } from '../../src/transitions/search.ts';
import { movingStart, uninformativeStart } from '../../src/transitions/starts.ts';
import { findThreshold } from '../../src/transitions/threshold.ts';
import { runCli as run } from '../util/cli.ts';

const cw = loadModel('test/fixtures/curie-weiss.yaml');
const pr = loadModel('equations/phase-retrieval-bayes.yaml');

describe('the iteration budget of each solve', () => {
  it('is the search\'s, else the model\'s solver.max_iterations, else 100000', () => {
    const lasso = loadModel('equations/lasso.yaml');
    expect(lasso.problem().defaults.maxIterations).toBe(1_000_000);
    expect(new Search(lasso, {}, 'alpha', 0.1, 1, 10, undefined).solver.maxIterations).toBe(1_000_000);
    expect(new Search(lasso, {}, 'alpha', 0.1, 1, 10, { maxIterations: 7 }).solver.maxIterations).toBe(7);
    expect(cw.problem().defaults.maxIterations).toBeUndefined();
    expect(new Search(cw, {}, 'beta', 0.1, 1, 10, undefined).solver.maxIterations).toBe(DEFAULT_MAX_ITERATIONS);
  });
});

describe('natural starts', () => {
  it('weak recovery: the named start that is an exact fixed point, nearest 0', () => {
    expect(uninformativeStart([pr.problem({ alpha: 0.3 }), pr.problem({ alpha: 1 })])).toBe('uninformed');
    const sw = loadModel('equations/spiked-wigner.yaml');
    expect(uninformativeStart([sw.problem({ lambda: 0.5 }), sw.problem({ lambda: 2 })])).toBe('zero');
    expect(uninformativeStart([cw.problem({ h: 0 })])).toBe('uninformed');
    expect(uninformativeStart([cw.problem({ h: 0.1 })])).toBeUndefined(); // a field moves m = 0
  });

  it('spinodal and level: a start that moves (phase retrieval: `small`, since q = 0 stays put); informed backward', () => {
    expect(movingStart(pr.problem({ alpha: 0.8 }), false).name).toBe('small');
    expect(movingStart(cw.problem({ h: -0.5 }), false).name).toBe('uninformed');
    expect(movingStart(cw.problem({ h: 0.5 }), true).name).toBe('informed');
    // no other named start: the fixed one pushed into the domain
    const ridgeLike = { ...cw.problem({ h: 0 }), inits: { uninformed: Float64Array.of(0) } };
    const s = movingStart(ridgeLike, false);
    expect(s.name).toBe('uninformed+1e-6');
    expect(s.init).toEqual(Float64Array.of(1e-6));
  });

  it('each result names its start; --init overrides', () => {
    const sp = findThreshold(pr, { kind: 'spinodal', param: 'alpha', lo: 0.8, hi: 1.5 });
    expect(sp.init).toBe('small');
    expect(Math.abs(sp.threshold - 1.12847)).toBeLessThan(1e-5);
    const fo = findThreshold(cw, { kind: 'first-order', param: 'h', lo: -0.3, hi: 0.45, fixed: { beta: 1.5 }, init: 'negative' });
    expect([fo.init, fo.high]).toEqual(['negative', 'informed']);
    const stuck = findThreshold(pr, { kind: 'spinodal', param: 'alpha', lo: 0.8, hi: 1.5, init: 'uninformed' });
    expect(stuck.status).toBe('not-found');
    expect(stuck.message).toMatch(/does not move/);
  }, 30_000);
});

describe('statuses and the evaluation budget', () => {
  it('found is status converged; not-found says why', () => {
    const t = findThreshold(cw, { kind: 'weak-recovery', param: 'beta', lo: 1.5, hi: 3, fixed: { h: 0 } });
    expect(t.status).toBe('not-found');
    expect(t.found).toBe(false);
    const f = findThreshold(cw, { kind: 'weak-recovery', param: 'beta', lo: 0.5, hi: 3, fixed: { h: 0 } });
    expect([f.status, f.found, f.threshold]).toEqual(['converged', true, 1]);
  });

  it('a spent budget is max-iterations, with where the search stood; the count never exceeds it', () => {
    const cs = loadModel('equations/cs-bayes.yaml');
    const spec = { kind: 'spinodal', param: 'alpha', lo: 0.3, hi: 0.99, fixed: { rho: 0.3, Delta: 0 } } as const;
    const scan = findThreshold(cs, { ...spec, budget: 10 });
    expect(scan.status).toBe('max-iterations');
    expect(scan.evaluations).toBeLessThanOrEqual(10);
    expect(scan.message).toMatch(/the evaluation budget of 10 ran out during the scan, at alpha = /);
    expect(scan.init).toBe('uninformed');
    const full = findThreshold(cs, spec);
    expect(full.found).toBe(true);
    const late = findThreshold(cs, { ...spec, budget: full.evaluations - 1 });
    expect(late.status).toBe('max-iterations');
    expect(late.message).toMatch(/ran out while refining/);
    expect(DEFAULT_BUDGET).toBeGreaterThan(full.evaluations);
  }, 30_000);

  it('reports each evaluation (progress), counted against the budget', () => {
    const events: SearchEvent[] = [];
    const t = findThreshold(cw, { kind: 'spinodal', param: 'h', lo: -0.8, hi: 0.8, fixed: { beta: 2 }, init: 'negative', onEvent: (e) => events.push(e) });
    expect(t.found).toBe(true);
    expect(events.length).toBeGreaterThan(24);
    expect(events.at(-1)!.evaluations).toBeLessThanOrEqual(t.evaluations);
    expect(new Set(events.map((e) => e.stage))).toEqual(new Set(['scan', 'scan-refine', 'refine']));
    expect(events.every((e) => e.budget === DEFAULT_BUDGET && e.param === 'h')).toBe(true);
  });
});

describe('saddle threshold on the command line', () => {
  it('--json carries status and init; text names the start; exit 3 with the status when not found', async () => {
    const r = await run('threshold', 'phase-retrieval-bayes', '--param', 'alpha=0.2:1', '--kind', 'weak-recovery', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ kind: 'weak-recovery', status: 'converged', found: true, init: 'uninformed' });
    expect(Math.abs(j.threshold - 0.5)).toBeLessThanOrEqual(j.tolerance);
    const text = await run('threshold', 'phase-retrieval-bayes', '--param', 'alpha=0.8:1.5', '--kind', 'spinodal');
    expect(text.out).toMatch(/^spinodal threshold: alpha = 1\.1284714\d* \+- \S+ {2}\(bracket \[.*\], \d+ solves, branch from `small`\)$/);
    const none = await run('threshold', 'test/fixtures/curie-weiss.yaml', '--param', 'beta=1.5:3', '--kind', 'weak-recovery');
    expect(none.code).toBe(3);
    expect(none.out).toMatch(/^no weak-recovery threshold found for beta in \[1.5, 3\] \(not-found\): no change of stability of the uninformative fixed point `uninformed`/);
  }, 30_000);

  it('--budget: a bounded positive integer; spent, exit 3 and status max-iterations', async () => {
    const bad = await run('threshold', 'ridge', '--param', 'alpha=0.5:2', '--kind', 'level', '--observable', 'gen_error', '--level', '1', '--budget', '0');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--budget 0 is not a valid value/);
    const spent = await run('threshold', 'cs-bayes', '--set', 'rho=0.3,Delta=0', '--param', 'alpha=0.3:0.99', '--kind', 'spinodal', '--budget', '5', '--json');
    expect(spent.code).toBe(3);
    expect(JSON.parse(spent.out)).toMatchObject({ status: 'max-iterations', found: false, evaluations: 5, threshold: null });
  });
});
