import { describe, expect, it } from 'vitest';
import { drawTeacher, makeInstance, sampleCount, testSamples, type LabelLaw, type InstanceSpec, priorOf, channelOf } from '../../src/simulate/data.ts';

const spec = (over: Partial<InstanceSpec> = {}): InstanceSpec => ({
  d: 50, alpha: 2, prior: priorOf('gaussian'), channel: channelOf('linear', 0.5), seed: { master: 11, trial: 0 }, ...over,
});

const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('instances', () => {
  it('n = round(alpha d); X is n x d; z = w*.x/sqrt(d)', () => {
    expect(sampleCount(0.5, 101)).toBe(51);
    const inst = makeInstance(spec({ d: 40, alpha: 1.26 }));
    expect(inst.n).toBe(50);
    expect(inst.X.length).toBe(50 * 40);
    for (const i of [0, 17, 49]) {
      let z = 0;
      for (let j = 0; j < 40; j++) z += inst.X[i * 40 + j] * inst.teacher[j];
      expect(inst.z[i]).toBeCloseTo(z / Math.sqrt(40), 13);
    }
  });

  it('is reproducible bit for bit and differs between trials', () => {
    const a = makeInstance(spec());
    const b = makeInstance(spec());
    expect(bits(a.X).equals(bits(b.X)) && bits(a.y).equals(bits(b.y)) && bits(a.teacher).equals(bits(b.teacher))).toBe(true);
    const c = makeInstance(spec({ seed: { master: 11, trial: 1 } }));
    expect(c.X[0]).not.toBe(a.X[0]);
    expect(c.teacher[0]).not.toBe(a.teacher[0]);
  });

  it('each part has its own stream: alpha changes n but not the first rows; Delta changes y but not X, w*', () => {
    const a = makeInstance(spec({ alpha: 1 }));
    const b = makeInstance(spec({ alpha: 3, channel: channelOf('linear', 0.1) }));
    expect(bits(b.X.subarray(0, a.X.length)).equals(bits(a.X))).toBe(true);
    expect(bits(b.teacher).equals(bits(a.teacher))).toBe(true);
    // same noise draws, rescaled: y - z = sqrt(Delta) xi
    for (let i = 0; i < a.n; i++) expect((b.y[i] - b.z[i]) / Math.sqrt(0.1)).toBeCloseTo((a.y[i] - a.z[i]) / Math.sqrt(0.5), 10);
  });

  it('test samples are fresh: same teacher, other inputs', () => {
    const inst = makeInstance(spec());
    const t = testSamples(inst, 30);
    expect(t.n).toBe(30);
    expect(t.X[0]).not.toBe(inst.X[0]);
    expect(bits(testSamples(inst, 30).X).equals(bits(t.X))).toBe(true);
  });

  it('misuse errors name the fix', () => {
    expect(() => makeInstance(spec({ d: 0 }))).toThrow(/positive integer/);
    expect(() => makeInstance(spec({ alpha: 0.001, d: 10 }))).toThrow(/n = round\(alpha d\) = 0/);
    expect(() => makeInstance(spec({ channel: channelOf('sign', 1.5) }))).toThrow(/probability/);
    expect(() => makeInstance(spec({ prior: priorOf('gauss-bernoulli', -0.1, -0.1) }))).toThrow(/rho/);
    expect(() => makeInstance(spec({ channel: channelOf('linear', -1) }))).toThrow(/variance/);
  });
});

describe('priors', () => {
  const d = 200_000;
  const seed = { master: 3, trial: 0 };
  const moments = (w: Float64Array) => {
    let m1 = 0, m2 = 0, zeros = 0;
    for (const x of w) { m1 += x; m2 += x * x; if (x === 0) zeros++; }
    return { mean: m1 / w.length, second: m2 / w.length, zeros: zeros / w.length };
  };
  it('gaussian with a variance', () => {
    const m = moments(drawTeacher(priorOf('gaussian', 4), d, seed));
    expect(Math.abs(m.mean)).toBeLessThan(5 * Math.sqrt(4 / d));
    expect(Math.abs(m.second - 4)).toBeLessThan(5 * Math.sqrt(2 * 16 / d));
  });
  it('rademacher', () => {
    const w = drawTeacher(priorOf('rademacher'), d, seed);
    expect(w.every((x) => x === 1 || x === -1)).toBe(true);
    expect(Math.abs(moments(w).mean)).toBeLessThan(5 / Math.sqrt(d));
  });
  it('gauss-bernoulli(rho): a fraction 1 - rho of zeros, second moment rho', () => {
    const m = moments(drawTeacher(priorOf('gauss-bernoulli', 0.2, 0.2), d, seed));
    expect(Math.abs(m.zeros - 0.8)).toBeLessThan(5 * Math.sqrt(0.16 / d));
    expect(Math.abs(m.second - 0.2)).toBeLessThan(5 * Math.sqrt((3 * 0.2 - 0.04) / d));
  });
});

describe('channels', () => {
  const make = (channel: LabelLaw) => makeInstance(spec({ d: 20, alpha: 2000, channel }));
  it('linear: noise of variance Delta', () => {
    const inst = make(channelOf('linear', 0.3));
    let s = 0;
    for (let i = 0; i < inst.n; i++) s += (inst.y[i] - inst.z[i]) ** 2;
    expect(Math.abs(s / inst.n - 0.3)).toBeLessThan(5 * 0.3 * Math.sqrt(2 / inst.n));
  });
  it('sign with label flips at rate eps', () => {
    const inst = make(channelOf('sign', 0.1));
    let flips = 0;
    expect(inst.y.every((v) => v === 1 || v === -1)).toBe(true);
    for (let i = 0; i < inst.n; i++) if (inst.y[i] !== (inst.z[i] >= 0 ? 1 : -1)) flips++;
    expect(Math.abs(flips / inst.n - 0.1)).toBeLessThan(5 * Math.sqrt(0.09 / inst.n));
  });
  it('abs and relu, noiseless', () => {
    const a = make(channelOf('abs'));
    const r = make(channelOf('relu'));
    expect(a.y.every((v, i) => v === Math.abs(a.z[i]))).toBe(true);
    expect(r.y.every((v, i) => v === Math.max(0, r.z[i]))).toBe(true);
  });
  it('outliers: a fraction eps with variance DeltaOut', () => {
    const inst = make(channelOf('outliers', 0.2, 0.01, 100));
    let big = 0;
    let s = 0;
    for (let i = 0; i < inst.n; i++) {
      const e = inst.y[i] - inst.z[i];
      s += e * e;
      if (Math.abs(e) > 1) big++; // inliers have |e| < 1 with probability 1 - 1e-23
    }
    // P(|N(0, 100)| > 1) = 0.920
    expect(Math.abs(big / inst.n - 0.2 * 0.9203)).toBeLessThan(0.02);
    expect(Math.abs(s / inst.n - (0.8 * 0.01 + 0.2 * 100))).toBeLessThan(2);
  });
});
