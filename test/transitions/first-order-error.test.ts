import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { findThreshold } from '../../src/transitions/threshold.ts';

/**
 * The tolerance of a first-order threshold counts the error of the free energies it compares, not only the root
 * finding. A Curie-Weiss magnet in a field h - c, with c = E cos(3 z) = exp(-9/2) (z ~ N(0, 1)) integrated by
 * Gauss-Hermite with n nodes: its magnetised branches (m < 0 and m > 0) have equal free energy where the effective
 * field vanishes, so the crossing is at h = c_n, the model's quadrature value, while the true one is exp(-9/2).
 */
const magnet = (nodes: number) => loadModel('probe.yaml', `name: magnet-quadrature
description: a magnet in a field shifted by a Gauss-Hermite integral with few nodes
params:
  beta: { default: 1.5, min: 0 }
  h: 0
variables:
  z: { law: normal, nodes: ${nodes} }
order_params:
  m: { init: { uninformed: 0, negative: -1, informed: 1 }, min: -1, max: 1 }
updates:
  m: tanh(beta * m + h - E(z, cos(3 * z)))
free_energy: m^2 / 2 - log(2 * cosh(beta * m + h - E(z, cos(3 * z)))) / beta
`);
const exact = Math.exp(-4.5);
const spec = { kind: 'first-order', param: 'h', lo: -0.3, hi: 0.45, init: 'negative', high: 'informed' } as const;

describe('first-order: the tolerance holds the error of the free-energy gap', () => {
  it('with too few nodes the reported tolerance still contains the exact crossing, and says what set it', () => {
    for (const nodes of [10, 12]) {
      const t = findThreshold(magnet(nodes), spec);
      const said = `${nodes} nodes: ${t.threshold} +- ${t.tolerance}, exact ${exact}`;
      expect(t.found, `${said}: ${t.message}`).toBe(true);
      // the quadrature error moves the crossing far beyond the root finding's 5e-7 ...
      expect(Math.abs(t.threshold - exact), said).toBeGreaterThan(1e-5);
      // ... and the tolerance counts it (within a factor 3 of the true error: an estimate, not a blanket)
      expect(Math.abs(t.threshold - exact), said).toBeLessThanOrEqual(t.tolerance);
      expect(t.tolerance, said).toBeLessThan(3 * Math.abs(t.threshold - exact));
      expect(t.bracket[0]).toBeLessThanOrEqual(exact);
      expect(t.bracket[1]).toBeGreaterThanOrEqual(exact);
      expect(t.message).toMatch(/the tolerance counts the error of the free energies at the crossing/);
    }
  }, 60_000);

  it('with enough nodes the tolerance is the root finding\'s; with far too few the crossing is not found, with the reason', () => {
    const t = findThreshold(magnet(32), spec);
    expect(t.found).toBe(true);
    expect(Math.abs(t.threshold - exact)).toBeLessThanOrEqual(t.tolerance);
    expect(t.tolerance).toBeLessThan(2.6e-7);
    expect(t.message).toBeUndefined();
    const bad = findThreshold(magnet(6), spec);
    expect(bad.found).toBe(false);
    expect(bad.status).toBe('failed');
    expect(bad.message).toMatch(/leaves the crossing undetermined \(more quadrature nodes/);
  }, 60_000);
});
