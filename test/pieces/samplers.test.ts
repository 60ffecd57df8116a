import { describe, expect, it } from 'vitest';
import { CHANNELS, PRIORS } from '../../src/pieces/library.ts';
import { Rng } from '../../src/simulate/rng.ts';
import { glmText, load, observe, simpson } from '../glm/helpers.ts';

/**
 * One piece, one law: each piece's sampler (what a simulation draws) against the piece's own theory forms (what a
 * glm section expands into), evaluated through the pipeline. A prior's draws have the theory's second moment
 * rho_w and its Laplace transform Zw(B, A) = E exp(B w - A w^2 / 2); a channel's labels, given teacher fields
 * z ~ N(omega, V), have the law Zout(y, omega, V) (a probability for each class, or a density integrated over
 * bins, and the atom of relu). Each comparison is within 5 standard errors of 2e5 draws.
 */

const N = 200_000;
const binomial = (p: number) => Math.sqrt((p * (1 - p)) / N);
const within = (sample: number, exact: number, se: number) => expect(Math.abs(sample - exact), `${sample} vs ${exact} (se ${se})`).toBeLessThanOrEqual(5 * se);

interface PriorCase {
  readonly text: string;
  readonly params: Record<string, number>;
  /** The sampler's arguments (all of the piece's parameters). */
  readonly args: number[];
}
const PRIOR_CASES: readonly PriorCase[] = [
  { text: 'gaussian', params: {}, args: [1] },
  { text: 'gaussian(v)', params: { v: 2.5 }, args: [2.5] },
  { text: 'rademacher', params: {}, args: [] },
  { text: 'gauss-bernoulli(rho)', params: { rho: 0.2 }, args: [0.2, 1] },
  { text: 'sparse-rademacher(rho)', params: { rho: 0.05 }, args: [0.05] },
];

describe('prior samplers draw the theory\'s law', () => {
  describe.each(PRIOR_CASES)('$text', ({ text, params, args }) => {
    const name = text.replace(/\(.*$/, '');
    const piece = PRIORS.get(name)!;
    const c = load(glmText(text, 'linear(1)', { ...params, B0: 0, A0: 0 },
      'observables:\n  lz: logZw(B0, A0)\n  second: rho_w\nfree_energy: 0'));
    const theory = (B0: number, A0: number) => observe(c, { ...params, B0, A0 });
    const rng = new Rng([7, 8, 9, 10]);
    const w = Float64Array.from({ length: N }, () => piece.draw!(args, rng));

    it('second moment: the sample, the theory\'s rho_w and secondMomentAt agree', () => {
      let s2 = 0, s4 = 0;
      for (const x of w) { s2 += x * x; s4 += x ** 4; }
      const m2 = s2 / N;
      const rhoW = theory(0, 0).second;
      expect(piece.secondMomentAt!(args)).toBe(rhoW);
      within(m2, rhoW, Math.sqrt((s4 / N - m2 * m2) / N));
    });

    it.each([[0.5, 1], [-1.2, 0.3], [2, 4]])('Zw(%d, %d) = E exp(B w - A w^2 / 2)', (B, A) => {
      let s = 0, ss = 0;
      for (const x of w) { const e = Math.exp(B * x - (A * x * x) / 2); s += e; ss += e * e; }
      const mean = s / N;
      within(mean, Math.exp(theory(B, A).lz), Math.sqrt((ss / N - mean * mean) / N));
    });
  });

  it('gauss-bernoulli(rho, v): nonzero entries N(0, v/rho), second moment v (the simulation-only argument)', () => {
    const piece = PRIORS.get('gauss-bernoulli')!;
    const rng = new Rng([1, 2, 3, 4]);
    for (const [rho, v] of [[0.3, 0.3], [0.1, 2]]) {
      let zeros = 0, s2 = 0, s4 = 0;
      for (let i = 0; i < N; i++) {
        const x = piece.draw!([rho, v], rng);
        if (x === 0) zeros++;
        s2 += x * x; s4 += x ** 4;
      }
      within(zeros / N, 1 - rho, Math.sqrt((rho * (1 - rho)) / N));
      const m2 = s2 / N;
      expect(piece.secondMomentAt!([rho, v])).toBe(v);
      within(m2, v, Math.sqrt((s4 / N - m2 * m2) / N));
      // E w^4 = rho * 3 (v/rho)^2
      within(s4 / N, 3 * v * v / rho, 0.05 * 3 * v * v / rho);
    }
  });
});

interface ChannelCase {
  readonly text: string;
  readonly params: Record<string, number>;
  readonly args: number[];
  /** Discrete labels, or bins of a density (with an atom at 0 for relu). */
  readonly labels: { readonly classes: number[] } | { readonly bins: number[]; readonly atom?: number };
}
const CHANNEL_CASES: readonly ChannelCase[] = [
  { text: 'linear(Delta)', params: { Delta: 0.3 }, args: [0.3], labels: { bins: [-2, -0.5, 0, 0.4, 1, 3] } },
  { text: 'sign', params: {}, args: [0], labels: { classes: [-1, 1] } },
  { text: 'sign(eps)', params: { eps: 0.1 }, args: [0.1], labels: { classes: [-1, 1] } },
  { text: 'abs', params: {}, args: [0], labels: { bins: [0, 0.2, 0.5, 1, 2.5] } },
  { text: 'relu', params: {}, args: [0], labels: { bins: [1e-9, 0.2, 0.5, 1, 2.5], atom: 0 } },
];

describe('channel samplers draw labels from the theory\'s likelihood', () => {
  const omega = 0.4;
  const V = 0.6;
  describe.each(CHANNEL_CASES)('$text', ({ text, params, args, labels }) => {
    const piece = CHANNELS.get(text.replace(/\(.*$/, ''))!;
    const c = load(glmText('gaussian', text, { ...params, Y0: 0, W0: omega, V0: V },
      'observables:\n  lz: logZout(Y0, W0, V0)\nfree_energy: 0'));
    const Zout = (y: number) => Math.exp(observe(c, { ...params, Y0: y, W0: omega, V0: V }).lz);
    const rng = new Rng([11, 12, 13, 14]);
    const y = Float64Array.from({ length: N }, () => piece.sampler!.label(args, omega + Math.sqrt(V) * rng.normal(), rng));
    const fraction = (p: (v: number) => boolean) => y.reduce((k, v) => k + (p(v) ? 1 : 0), 0) / N;

    if ('classes' in labels) {
      it.each(labels.classes)('P(y = %d) = Zout(y, omega, V)', (k) => {
        const p = Zout(k);
        within(fraction((v) => v === k), p, binomial(p));
      });
      it('the classes are all the labels', () => expect(labels.classes.reduce((s, k) => s + Zout(k), 0)).toBeCloseTo(1, 12));
    } else {
      const { bins, atom } = labels;
      if (atom !== undefined) {
        it('the atom: P(y = 0) = Zout(0, omega, V)', () => within(fraction((v) => v === atom), Zout(atom), binomial(Zout(atom))));
      }
      it.each(bins.slice(1).map((b, i) => [bins[i], b]))('P(%d < y < %d) = the integral of Zout', (a, b) => {
        const p = simpson(Zout, a, b, 200);
        within(fraction((v) => v > a && v < b), p, binomial(p));
      });
    }
  });

  it('outliers(eps, Delta, Delta_out) (simulation only, no theory forms): a mixture of two noise variances', () => {
    const piece = CHANNELS.get('outliers')!;
    expect(piece.theory).toBeUndefined();
    const rng = new Rng([5, 6, 7, 8]);
    let big = 0, s2 = 0;
    for (let i = 0; i < N; i++) {
      const e = piece.sampler!.label([0.2, 0.01, 100], 0.7, rng) - 0.7;
      s2 += e * e;
      if (Math.abs(e) > 1) big++;
    }
    // P(|N(0, 100)| > 1) = 0.92034; inliers have |e| < 1 with probability 1 - 1e-23
    within(big / N, 0.2 * 0.920344, binomial(0.2 * 0.920344));
    within(s2 / N, 0.8 * 0.01 + 0.2 * 100, Math.sqrt((0.2 * 3 * 100 ** 2 - 20 ** 2) / N));
  });
});
