import { describe, expect, it } from 'vitest';
import { H, logH } from '../../src/numerics/special.ts';
import { glmText, load, npdf, observe, simpson, trapezoid } from './helpers.ts';

/**
 * The GAMP functions of every piece, checked against their definitions: fa and fv are the first two
 * B-derivatives of log Zw, gout and dgout the omega-derivatives of log Zout (central differences of log Z),
 * Zw and Zout are normalised (Zw(0, 0) = 1; the labels sum or integrate to 1, integrated here by Simpson's
 * rule), d log Zw / dA = -E[w^2]/2 under the tilted law, and log Z equals a closed form or a quadrature written
 * in the test wherever one exists.
 */

const H_STEP = 1e-5;
const d = (f: (x: number) => number, x: number) => (f(x + H_STEP) - f(x - H_STEP)) / (2 * H_STEP);

interface PriorCase {
  readonly prior: string;
  readonly params: Record<string, number>;
  readonly rho: number; // E w^2, known in closed form
  readonly mean?: number; // E w (0 unless given)
  /** log Zw by an independent formula, when there is one */
  readonly logZw?: (B: number, A: number) => number;
}

/** log of int p(w) e^(B w - A w^2/2) dw / int p(w) dw for a density p, by Simpson's rule on [-40, 40] (a kink
 * at 0 falls on a panel boundary). */
const densityLogZw = (p: (w: number) => number) => (B: number, A: number) =>
  Math.log(simpson((w) => p(w) * Math.exp(B * w - (A * w * w) / 2), -40, 40, 160000) / simpson(p, -40, 40, 160000));

const quartic = (w: number) => Math.exp(-(w ** 4) / 4);
const PRIORS: readonly PriorCase[] = [
  { prior: 'gaussian', params: {}, rho: 1, logZw: (B, A) => B * B / (2 * (1 + A)) - Math.log1p(A) / 2 },
  { prior: 'gaussian(v)', params: { v: 2 }, rho: 2, logZw: (B, A) => 2 * B * B / (2 * (1 + 2 * A)) - Math.log1p(2 * A) / 2 },
  { prior: 'rademacher', params: {}, rho: 1, logZw: (B, A) => Math.log(Math.cosh(B)) - A / 2 },
  {
    prior: 'gauss-bernoulli(rho)', params: { rho: 0.3 }, rho: 1,
    // (1 - rho) + rho E_{N(0, 1/rho)} e^(B w - A w^2/2) = (1 - rho) + rho (1 + A/rho)^(-1/2) e^(B^2 / (2 (rho + A)))
    logZw: (B, A) => Math.log(0.7 + 0.3 * Math.exp(B * B / (2 * (0.3 + A))) / Math.sqrt(1 + A / 0.3)),
  },
  { prior: '{ density: "exp(-w^2/2)" }', params: {}, rho: 1, logZw: (B, A) => B * B / (2 * (1 + A)) - Math.log1p(A) / 2 },
  // E w^2 = 2 Gamma(3/4) / Gamma(1/4) for p ~ exp(-w^4/4) (Python's math.gamma); 128 nodes: the tilted integrand
  // is not a Gaussian times a low-degree polynomial (64 nodes give ~1e-9)
  { prior: '{ density: "exp(-w^4/4)", scale: 0.8, nodes: 128 }', params: {}, rho: 0.6759782400672848, logZw: densityLogZw(quartic) },
  // a Laplace density: a kink at 0 (split there) and exponential tails (a scale wider than the prior's)
  { prior: '{ density: "exp(-abs(w))", kinks: [0], scale: 3 }', params: {}, rho: 2, logZw: densityLogZw((w) => Math.exp(-Math.abs(w))) },
  {
    prior: '{ values: [-1, 0, 2], probs: [0.2, 0.5, 0.3] }', params: {}, rho: 0.2 + 0.3 * 4, mean: -0.2 + 0.6,
    logZw: (B, A) => Math.log(0.2 * Math.exp(-B - A / 2) + 0.5 + 0.3 * Math.exp(2 * B - 2 * A)),
  },
];

describe('priors: Zw, fa, fv', () => {
  describe.each(PRIORS)('$prior', ({ prior, params, rho, mean = 0, logZw }) => {
    const c = load(glmText(prior, 'linear(1)', { ...params, B0: 0, A0: 1 },
      // (free_energy: 0 replaces the generated one, which these probes do not need)
      'observables:\n  lz: logZw(B0, A0)\n  mean: fa(B0, A0)\n  var: fv(B0, A0)\n  second: rho_w\nfree_energy: 0'));
    const at = (B0: number, A0: number) => observe(c, { ...params, B0, A0 });
    const points = [[0.7, 0.5], [-1.3, 2], [3, 10], [0.2, 0.05]];

    it('fa = d log Zw / dB and fv = d fa / dB (central differences)', () => {
      for (const [B, A] of points) {
        const x = at(B, A);
        expect(Math.abs(x.mean - d((b) => at(b, A).lz, B))).toBeLessThan(1e-8);
        expect(Math.abs(x.var - d((b) => at(b, A).mean, B))).toBeLessThan(1e-8);
        expect(x.var).toBeGreaterThan(0);
      }
    });

    it('d log Zw / dA = -E[w^2]/2 under the tilted law (= -(fv + fa^2)/2); Zw(0, 0) = 1 and rho_w = E w^2', () => {
      for (const [B, A] of [...points, [0, 0]]) {
        const x = at(B, A);
        expect(Math.abs(d((a) => at(B, a).lz, A) + (x.var + x.mean ** 2) / 2)).toBeLessThan(1e-7);
      }
      expect(Math.abs(at(0, 0).lz)).toBeLessThan(1e-14);
      expect(Math.abs(at(0, 0).second / rho - 1)).toBeLessThan(1e-9);
      // at B = A = 0 the tilted law is the prior: fa and fv are its mean and variance
      expect(Math.abs(at(0, 0).mean - mean)).toBeLessThan(1e-9);
      expect(Math.abs(at(0, 0).var - (rho - mean ** 2))).toBeLessThan(1e-9);
    });

    it.runIf(logZw !== undefined)('log Zw equals an independent formula', () => {
      for (const [B, A] of points) expect(Math.abs(at(B, A).lz - logZw!(B, A))).toBeLessThan(1e-9);
    });
  });

});

interface ChannelCase {
  readonly channel: string;
  readonly params: Record<string, number>;
  readonly labels: readonly number[];
  /** log Zout by an independent formula */
  readonly logZout?: (y: number, w: number, V: number) => number;
  /** sum (discrete) or integral (y range, atom at 0?) over the labels, for the normalisation */
  readonly support: { readonly discrete: readonly number[] } | { readonly from: number; readonly atom?: boolean };
}

const lnpdf = (x: number, m: number, v: number) => -((x - m) ** 2) / (2 * v) - Math.log(2 * Math.PI * v) / 2;
const CHANNELS: readonly ChannelCase[] = [
  { channel: 'linear(Delta)', params: { Delta: 0.3 }, labels: [0.4, -1.2], logZout: (y, w, V) => lnpdf(y, w, V + 0.3), support: { from: -Infinity } },
  { channel: 'sign', params: {}, labels: [1, -1], logZout: (y, w, V) => logH(-y * w / Math.sqrt(V)), support: { discrete: [-1, 1] } },
  {
    channel: 'sign(eps)', params: { eps: 0.1 }, labels: [1, -1],
    logZout: (y, w, V) => Math.log(0.1 + 0.8 * H(-y * w / Math.sqrt(V))), support: { discrete: [-1, 1] },
  },
  {
    channel: 'abs', params: {}, labels: [0.3, 1.7],
    logZout: (y, w, V) => Math.log(Math.exp(lnpdf(y, w, V)) + Math.exp(lnpdf(-y, w, V))), support: { from: 0 },
  },
  {
    channel: 'relu', params: {}, labels: [0, 0.8],
    logZout: (y, w, V) => (y > 0 ? lnpdf(y, w, V) : Math.log(H(w / Math.sqrt(V)))), support: { from: 0, atom: true },
  },
  // a probit channel, sign(z + sqrt(0.2) noise): Zout = H(-y omega / sqrt(V + 0.2))
  {
    channel: '{ likelihood: "H(-y * z / sqrt(0.2))", y: [-1, 1] }', params: {}, labels: [1, -1],
    logZout: (y, w, V) => logH(-y * w / Math.sqrt(V + 0.2)), support: { discrete: [-1, 1] },
  },
  {
    channel: '{ likelihood: "npdf((y - z) / sqrt(0.5)) / sqrt(0.5)", y: real, y_scale: sqrt(0.5) }', params: {}, labels: [0.4, -1.2],
    logZout: (y, w, V) => lnpdf(y, w, V + 0.5), support: { from: -Infinity },
  },
  // the sign channel written as a likelihood, with its step declared
  {
    channel: '{ likelihood: "(1 + y * sign(z)) / 2", y: [-1, 1], kinks: [0] }', params: {}, labels: [1, -1],
    logZout: (y, w, V) => logH(-y * w / Math.sqrt(V)), support: { discrete: [-1, 1] },
  },
];

describe('channels: Zout, gout, dgout', () => {
  describe.each(CHANNELS)('$channel', ({ channel, params, labels, logZout, support }) => {
    const c = load(glmText('gaussian', channel, { ...params, y0: 0, w0: 0, V0: 1 },
      'observables:\n  lz: logZout(y0, w0, V0)\n  g: gout(y0, w0, V0)\n  dg: dgout(y0, w0, V0)\nfree_energy: 0'));
    const at = (y0: number, w0: number, V0: number) => observe(c, { ...params, y0, w0, V0 });
    const fields = [[0, 1], [0.7, 0.5], [-1.3, 0.2], [2, 0.05]];

    it('gout = d log Zout / d omega and dgout = d gout / d omega (central differences)', () => {
      for (const y of labels) {
        for (const [w, V] of fields) {
          const x = at(y, w, V);
          const scale = Math.max(1, Math.abs(x.g), Math.abs(x.dg));
          expect(Math.abs(x.g - d((u) => at(y, u, V).lz, w)) / scale).toBeLessThan(1e-8);
          expect(Math.abs(x.dg - d((u) => at(y, u, V).g, w)) / scale).toBeLessThan(1e-8);
        }
      }
    });

    it.runIf(logZout !== undefined)('log Zout equals an independent formula', () => {
      for (const y of labels) for (const [w, V] of fields) expect(Math.abs(at(y, w, V).lz - logZout!(y, w, V))).toBeLessThan(1e-9);
    });

    it('Zout is a probability (mass or density) in y', () => {
      for (const [w, V] of fields.slice(0, 3)) {
        const Z = (y: number) => Math.exp(at(y, w, V).lz);
        let total: number;
        if ('discrete' in support) total = support.discrete.reduce((s, y) => s + Z(y), 0);
        else {
          const lo = support.from === -Infinity ? w - 12 : support.from;
          // an atom at 0 (relu) has Zout(0) = P(z < 0); the density lives on y > 0
          total = (support.atom ? Z(0) : 0) + simpson((y) => (y === 0 && support.atom ? Z(1e-300) : Z(y)), lo, w + 12, 3000);
        }
        expect(Math.abs(total - 1)).toBeLessThan(1e-9);
      }
    });
  });

  it('a step likelihood without its kink declared is integrated poorly (the documented limit)', () => {
    const c = load(glmText('gaussian', '{ likelihood: "(1 + y * sign(z)) / 2", y: [-1, 1] }', { w0: 0.7, V0: 0.5 }, 'observables:\n  lz: logZout(1, w0, V0)'));
    // log H(-0.7/sqrt(0.5)) = -0.1757: plain Gauss-Hermite on the step is off in the first digit
    expect(Math.abs(observe(c, {}).lz - logH(-0.7 / Math.sqrt(0.5)))).toBeGreaterThan(1e-2);
  });
});

describe('normal density helper', () => {
  it('npdf integrates to 1 (sanity of the test quadrature)', () => {
    expect(trapezoid(npdf, -12, 12, 2400)).toBeCloseTo(1, 14);
  });
});
