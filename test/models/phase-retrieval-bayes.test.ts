import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { gaussHermite } from '../../src/numerics/gauss-hermite.ts';
import { solve } from '../../src/solve/iterate.ts';
import { findThreshold } from '../../src/transitions/threshold.ts';

const compiled = loadModel('equations/phase-retrieval-bayes.yaml');
const npdf = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);

/**
 * Independent reference: the textbook channel integrals, by a plain trapezoidal rule on the (xi, u) plane
 * (student field w = sqrt(q) xi, teacher field z = w + sqrt(1 - q) u), with Zout(y, w, V) = N(y; w, V) + N(-y; w, V)
 * at y = |z|:  gout = (z tanh(z w / V) - w) / V,  log Zout = -(z - w)^2/(2V) - log(2 pi V)/2 + log(1 + exp(-2 z w / V)).
 * The integrands are analytic and Gaussian-decaying, so the trapezoidal rule converges geometrically
 * (h = 0.04 agrees with h = 0.01 to 1e-12 for q <= 0.9). None of the model's rewritings (conventions (1)-(3)) is used.
 */
function textbook(q: number, h = 0.04, L = 9): { gout2: number; psiOut: number } {
  const V = 1 - q;
  const n = Math.round(L / h);
  let g2 = 0;
  let psi = 0;
  for (let i = -n; i <= n; i++) {
    const w = Math.sqrt(q) * i * h;
    for (let j = -n; j <= n; j++) {
      const u = j * h;
      const z = w + Math.sqrt(V) * u;
      const weight = npdf(i * h) * npdf(u) * h * h;
      const g = (z * Math.tanh((z * w) / V) - w) / V;
      const x = (-2 * z * w) / V;
      g2 += weight * g * g;
      psi += weight * (-(u * u) / 2 - Math.log(2 * Math.PI * V) / 2 + (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))));
    }
  }
  return { gout2: g2, psiOut: psi };
}

/** One sweep of the model's update map at (alpha, q): returns [qhat, q_new]. */
function update(alpha: number, q: number): [number, number] {
  const out = new Float64Array(2);
  compiled.problem({ alpha }).kernels.update(Float64Array.of(NaN, q), out);
  return [out[0], out[1]];
}

function freeEnergy(alpha: number, qhat: number, q: number): number {
  const p = compiled.problem({ alpha });
  const out = new Float64Array(p.observableNames.length);
  p.kernels.observables(Float64Array.of(qhat, q), out);
  return out[p.observableNames.indexOf('free_energy')];
}

describe('phase-retrieval-bayes.yaml: Bayes-optimal noiseless phase retrieval y = |z|, Gaussian prior', () => {
  it('the channel update and Psi_out equal the textbook integrals over teacher and student fields', () => {
    for (const q of [0.05, 0.3, 0.6, 0.85]) {
      const ref = textbook(q);
      const [qhat] = update(1, q);
      expect(Math.abs(qhat / ref.gout2 - 1)).toBeLessThan(1e-9);
      // at qhat = 0 and alpha = 1, free_energy = -Psi_out(q)
      expect(Math.abs(-freeEnergy(1, 0, q) - ref.psiOut)).toBeLessThan(1e-9);
    }
  });

  it('q = 0 is an exact fixed point whose linearisation is q_new = 2 alpha q (derived by hand)', () => {
    // Linearisation by hand. At q = 0 the student field w = sqrt(q) xi vanishes, V = 1, and Zout(y, w, V) is even
    // in w, so gout = d/dw log Zout is odd in w and gout = w d^2/dw^2 log Zout |_{w=0} + O(w^3) = w Z''/Z (Z' = 0).
    // With Z = N(y; w, 1) + N(-y; w, 1), d^2/dw^2 N(+-y; w, 1) = N(+-y; w, 1) ((+-y - w)^2 - 1), so at w = 0
    // Z''/Z = y^2 - 1 and gout = w (y^2 - 1) + O(w^3), y = |z|, z ~ N(0, 1) to leading order. Then
    // qhat = alpha E[gout^2] = alpha q E[xi^2] E[(z^2 - 1)^2] + O(q^2) = alpha q Var(z^2) = 2 alpha q, and the
    // Gaussian prior gives q_new = qhat / (1 + qhat) = 2 alpha q + O(q^2): q = 0 turns unstable at alpha = 1/2.
    const rule = gaussHermite(8);
    let varZ2 = 0;
    rule.nodes.forEach((z, i) => { varZ2 += rule.weights[i] * (z * z - 1) ** 2; });
    expect(varZ2).toBeCloseTo(2, 14);
    // the textbook integral itself, at small q, has slope Var(z^2) = 2 (the O(q) correction is -8q) ...
    expect(textbook(1e-6).gout2 / 1e-6).toBeCloseTo(2, 4);
    for (const alpha of [0.3, 0.5, 1.7]) {
      // ... q = 0 is mapped exactly onto itself ...
      expect(update(alpha, 0)).toEqual([0, 0]);
      // ... and the model's map has slope 2 alpha there (corrections are O(q)).
      const q = 1e-7;
      expect(update(alpha, q)[1] / q / (2 * alpha)).toBeCloseTo(1, 5);
    }
  });

  it('weak recovery at alpha = 1/2 (Barbier et al. PNAS 2019), located by findThreshold inside its tolerance', () => {
    const t = findThreshold(compiled, { kind: 'weak-recovery', param: 'alpha', lo: 0.2, hi: 1, tol: 1e-9 });
    expect(t.found).toBe(true);
    expect(t.init).toBe('uninformed'); // q = 0, the exact fixed point
    // The Jacobian is exact (symbolic), its value at q = 0 (0 * Inf there) the limit from inside: the bracket holds 1/2.
    expect(Math.abs(t.threshold - 0.5)).toBeLessThanOrEqual(t.tolerance);
    expect(t.tolerance).toBeLessThanOrEqual(1e-8);
    // and the transition is continuous: just above it the branch from `small` has q = O(alpha - 1/2)
    const s = solve(compiled.problem({ alpha: 0.51 }), { init: 'small' });
    expect(s.status).toBe('converged');
    expect(s.state.q).toBeGreaterThan(0);
    expect(s.state.q).toBeLessThan(0.01);
  });

  it('algorithmic (spinodal) threshold alpha_alg = 1.12847, the published ~1.13 (Barbier et al. PNAS 2019)', () => {
    // Independent location: on the Nishimori line with a Gaussian prior the fixed points satisfy
    // qhat = q/(1 - q), i.e. alpha = A(q) = q / ((1 - q) E[gout^2](q)); A(0+) = 1/2 (weak recovery), and the
    // branch that GAMP follows from q ~ 0 ends where A has its local maximum (a saddle-node): alpha_alg = max A.
    // Golden-section search on A computed from the textbook integral above.
    const A = (q: number) => q / ((1 - q) * textbook(q).gout2);
    let a = 0.5;
    let b = 0.95;
    const g = (Math.sqrt(5) - 1) / 2;
    let c = b - g * (b - a);
    let d = a + g * (b - a);
    let fc = A(c);
    let fd = A(d);
    while (b - a > 1e-5) {
      if (fc > fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = A(c); }
      else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = A(d); }
    }
    const alphaAlg = A((a + b) / 2);
    expect(alphaAlg).toBeCloseTo(1.12847, 5);
    expect((a + b) / 2).toBeCloseTo(0.8466, 3); // the overlap at which the low branch ends
    expect(A(1e-5)).toBeCloseTo(0.5, 3);

    // Near a saddle-node every solve slows down critically (~1/sqrt|alpha - alpha_alg| iterations): tol 1e-6.
    const t = findThreshold(compiled, { kind: 'spinodal', param: 'alpha', lo: 0.8, hi: 1.5, init: 'small', tol: 1e-6 });
    expect(t.found).toBe(true);
    expect(Math.abs(t.threshold - alphaAlg)).toBeLessThan(2e-6);
    expect(Math.abs(t.threshold - 1.13)).toBeLessThan(0.005); // the published value, to its 2 decimals
  }, 60_000);

  it('information-theoretic threshold alpha_IT = 1: perfect recovery turns stable, and its free entropy infinite', () => {
    // (a) As q -> 1, V E[gout^2] -> 1 (gout -> u/sqrt(V) where teacher and student fields share a sign), so
    // 1 - q_new = 1/(1 + qhat) ~ (1 - q)/alpha: q = 1 attracts iff alpha > 1. A(q) -> 1 as q -> 1.
    for (const V of [1e-4, 1e-6]) expect(update(1, 1 - V)[1]).toBeGreaterThan(0);
    const ratio = (alpha: number, V: number) => (1 - update(alpha, 1 - V)[1]) / V;
    expect(ratio(1, 1e-8) * 1).toBeCloseTo(1, 3);
    expect(ratio(2, 1e-8) * 2).toBeCloseTo(1, 3);
    const below = solve(compiled.problem({ alpha: 0.99 }), { init: 'informed' });
    const above = solve(compiled.problem({ alpha: 1.01 }), { init: 'informed' });
    expect(below.status).toBe('converged');
    expect(above.status).toBe('converged');
    expect(below.state.q).toBeLessThan(0.5); // falls to the low branch
    expect(above.state.q).toBeGreaterThan(1 - 1e-9); // stays at perfect recovery (V at its floor 1e-10)
    // (b) With the prior's stationarity qhat = q/(1 - q), -Phi(q) ~ (alpha - 1)/2 log(1 - q) + const as q -> 1
    // (Psi_w ~ -log(qhat)/2, Psi_out ~ -log(2 pi e (1 - q))/2): the free entropy of perfect recovery is +infinity
    // exactly when alpha > 1, so it beats any finite fixed point: alpha_IT = 1 (Maillard et al. NeurIPS 2020).
    for (const alpha of [0.8, 1, 1.13, 1.5]) {
      const f = (V: number) => freeEnergy(alpha, (1 - V) / V, 1 - V);
      const slope = (f(1e-6) - f(1e-8)) / (Math.log(1e-6) - Math.log(1e-8));
      expect(Math.abs(slope - (alpha - 1) / 2)).toBeLessThan(2e-3);
    }
    // (c) saddle threshold --kind weak-recovery --init informed: the stability of q = 1, from the exact Jacobian's
    // limit from inside the domain (inside the floor the map is flat), changes at alpha = 1 inside its tolerance
    const t = findThreshold(compiled, { kind: 'weak-recovery', param: 'alpha', lo: 0.8, hi: 1.5, init: 'informed' });
    expect(t.found).toBe(true);
    expect(Math.abs(t.threshold - 1)).toBeLessThanOrEqual(t.tolerance);
    expect(t.tolerance).toBeLessThanOrEqual(1e-8);
  });

  it('the fixed point is a stationary point of the free entropy (update and Psi_out are written differently)', () => {
    for (const alpha of [0.7, 1, 1.1]) {
      const s = solve(compiled.problem({ alpha }), { init: 'small' });
      expect(s.status).toBe('converged');
      const h = 1e-5;
      const f = (dqhat: number, dq: number) => freeEnergy(alpha, s.state.qhat + dqhat, s.state.q + dq);
      expect(Math.abs((f(h, 0) - f(-h, 0)) / (2 * h))).toBeLessThan(1e-8);
      expect(Math.abs((f(0, h) - f(0, -h)) / (2 * h))).toBeLessThan(1e-7 * (1 + s.state.qhat));
    }
  });

  it('the low branch grows monotonically with alpha, and every start converges on 0.05..5', () => {
    let prev = 0;
    for (const alpha of [0.55, 0.7, 0.85, 1, 1.1, 1.12]) {
      const s = solve(compiled.problem({ alpha }), { init: 'small' });
      expect(s.status).toBe('converged');
      expect(s.state.q).toBeGreaterThan(prev);
      prev = s.state.q;
    }
    for (let alpha = 0.05; alpha <= 5; alpha += 0.35) {
      for (const init of ['uninformed', 'small', 'informed']) {
        expect(solve(compiled.problem({ alpha }), { init }).status).toBe('converged');
      }
    }
  });
});
