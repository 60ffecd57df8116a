import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { jacobian, spectralRadius } from '../../src/solve/jacobian.ts';
import { findThreshold } from '../../src/transitions/threshold.ts';

const cw = loadModel('test/fixtures/curie-weiss.yaml');

describe('thresholds of the Curie-Weiss magnet against closed forms', () => {
  it('the Jacobian of m -> tanh(beta m + h) is beta (1 - m^2)', () => {
    const p = cw.problem({ beta: 1.7, h: 0.1 });
    const m = 0.3;
    const J = jacobian(p, Float64Array.of(m));
    expect(J[0][0]).toBeCloseTo(1.7 * (1 - Math.tanh(1.7 * m + 0.1) ** 2), 8);
    expect(spectralRadius([[0, 2], [-2, 0]])).toBeCloseTo(2, 12);
  });

  it('weak recovery: m = 0 loses stability at beta = 1', () => {
    const t = findThreshold(cw, { kind: 'weak-recovery', param: 'beta', lo: 0.3, hi: 2.5, fixed: { h: 0 } });
    expect(t.found).toBe(true);
    expect(Math.abs(t.threshold - 1)).toBeLessThan(1e-6);
    expect(t.bracket[0]).toBeLessThanOrEqual(t.threshold);
  });

  it('spinodal: the negative branch ends at h_s = beta sqrt(1 - 1/beta) - atanh(sqrt(1 - 1/beta))', () => {
    const beta = 2;
    const ms = Math.sqrt(1 - 1 / beta);
    const hs = beta * ms - Math.atanh(ms);
    const t = findThreshold(cw, { kind: 'spinodal', param: 'h', lo: -0.8, hi: 0.8, fixed: { beta }, init: 'negative', observable: 'm' });
    expect(t.found).toBe(true);
    expect(Math.abs(t.threshold - hs)).toBeLessThan(2e-6);
    expect(t.tolerance).toBeLessThanOrEqual(1e-6);
  });

  it('spinodal: a branch that rises past the midpoint of the grid jump before its fold is followed to the fold', () => {
    // late-fold.yaml: low branch x = 0.7 - sqrt(500 (0 - h)), fold at h = 0, jump to x = 1. On the scan the last grid
    // point before the jump (h = -0.0004) has x ~ 0.25, so the fold (x = 0.7) is nearer the far branch than that grid value.
    const fold = loadModel('test/fixtures/late-fold.yaml');
    const t = findThreshold(fold, { kind: 'spinodal', param: 'h', lo: -0.0104, hi: 0.0011, fixed: {}, init: 'uninformed', observable: 'x' });
    expect(t.found).toBe(true);
    expect(Math.abs(t.threshold - 0)).toBeLessThan(2e-6);
  });

  it('first-order: the two magnetised branches have equal free energy at h = 0 (symmetry)', () => {
    const t = findThreshold(cw, { kind: 'first-order', param: 'h', lo: -0.3, hi: 0.45, fixed: { beta: 1.5 }, init: 'negative', high: 'informed' });
    expect(t.found).toBe(true);
    expect(Math.abs(t.threshold)).toBeLessThan(1e-6);
  });

  it('level: the informed branch has m = 1/2 at beta = 2 atanh(1/2)', () => {
    const t = findThreshold(cw, { kind: 'level', param: 'beta', lo: 1.02, hi: 3, fixed: { h: 0 }, init: 'informed', observable: 'm', level: 0.5 });
    expect(t.found).toBe(true);
    expect(Math.abs(t.threshold - 2 * Math.atanh(0.5))).toBeLessThan(1e-6);
  });

  it('says so when no transition lies in the range', () => {
    const t = findThreshold(cw, { kind: 'weak-recovery', param: 'beta', lo: 1.5, hi: 3, fixed: { h: 0 } });
    expect(t.found).toBe(false);
    expect(t.threshold).toBeNaN();
    expect(t.message).toMatch(/no change of stability/);
    const s = findThreshold(cw, { kind: 'spinodal', param: 'h', lo: -0.8, hi: 0.3, fixed: { beta: 2 }, init: 'negative' });
    expect(s.found).toBe(false);
    expect(s.message).toMatch(/continuous/);
  });

  it('spinodal of a model with two carried order parameters (bisection): the magnet\'s h_s', () => {
    const beta = 2;
    const ms = Math.sqrt(1 - 1 / beta);
    const hs = beta * ms - Math.atanh(ms);
    const two = loadModel('test/fixtures/two-sublattice.yaml');
    expect(two.problem().carried).toHaveLength(2);
    const t = findThreshold(two, { kind: 'spinodal', param: 'h', lo: -0.8, hi: 0.8, fixed: { beta }, init: 'negative', observable: 'a' });
    expect(t.found).toBe(true);
    expect(Math.abs(t.threshold - hs)).toBeLessThan(2e-6);
    expect(t.tolerance).toBeLessThanOrEqual(1e-6);
  });

  it('spinodal backward: the positive branch followed down in h ends at -h_s (the mirror of the negative one)', () => {
    const beta = 2;
    const ms = Math.sqrt(1 - 1 / beta);
    const hs = beta * ms - Math.atanh(ms);
    const t = findThreshold(cw, { kind: 'spinodal', param: 'h', lo: -0.8, hi: 0.8, fixed: { beta }, init: 'informed', direction: 'backward', observable: 'm' });
    expect(t.found).toBe(true);
    expect(Math.abs(t.threshold + hs)).toBeLessThan(2e-6);
  });

  it('spinodal: a steep but continuous rise is not a jump (beta < 1: m = tanh(beta m + h) is smooth in h)', () => {
    const t = findThreshold(cw, { kind: 'spinodal', param: 'h', lo: -0.5, hi: 0.5, fixed: { beta: 0.99 }, init: 'negative', observable: 'm' });
    expect(t.found).toBe(false);
    expect(t.message).toMatch(/continuous/);
  });

  it('first-order: branches that coexist on a window narrower than the scan step are still found (edge refinement)', () => {
    // sparse spiked Wigner at rho = 0.015: the informed branch ends just below lambda_IT, inside one step of the
    // default 24-point scan of [0.2, 2]; a 400-point scan brackets the same crossing by a plain sign change.
    const sw = loadModel('equations/spiked-wigner.yaml');
    const spec = { kind: 'first-order', param: 'lambda', lo: 0.2, hi: 2, fixed: { rho: 0.015 } } as const;
    const coarse = findThreshold(sw, spec);
    const fine = findThreshold(sw, { ...spec, scan: 400 });
    expect(coarse.found).toBe(true);
    expect(fine.found).toBe(true);
    expect(Math.abs(coarse.threshold - fine.threshold)).toBeLessThan(1e-6);
  }, 60_000);
});
