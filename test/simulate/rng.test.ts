import erfc from '@stdlib/math-base-special-erfc';
import { describe, expect, it } from 'vitest';
import { Purpose, Rng, seedSequenceState, trialStream } from '../../src/simulate/rng.ts';

/**
 * Reference values, not from our own output:
 * - xoshiro128**: fixtures/xoshiro128starstar.c (the published C generator step), `cc -O2 xoshiro128starstar.c`;
 * - seeding: numpy 2.4 `np.random.SeedSequence(entropy=MASTER, spawn_key=KEY).generate_state(4, np.uint32)`.
 */
const C_REFERENCE_1234 = {
  ints: [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849],
  uniforms: [0.86824889474679623, 0.078656952819622816, 0.83281333347471298, 0.90111004734933065],
  after1000: 1523054378,
};
const C_REFERENCE_SEEDED = {
  ints: [2602329941, 3490141360, 1569520577, 1432210758, 785534995, 2347505580, 338282776, 3305778327],
  uniforms: [0.13989594112503578, 0.25128198642076782, 0.51368822984716578, 0.51243077720569941],
  after1000: 3616984842,
};
/** Polar-method normals from state (1, 2, 3, 4), same fixture; C's log may differ from V8's in the last bit. */
const C_REFERENCE_NORMALS = [
  -0.25386753521203809, -1.886530940920462, 0.29890851557682607, 1.3011942542935846,
  -0.86303092434744999, 0.34362993337946229, -0.39405010970213389, 0.41451859433813337,
];
const NUMPY_SEED_SEQUENCE: [number, number[], number[]][] = [
  [0, [0, 0], [0xf3b20e04, 0x2491a895, 0xc2bff7ff, 0x76dec394]],
  [12345, [7, 2], [0x5b89988c, 0x2bce0143, 0x368d3331, 0x51756687]],
  [4294967295, [4294967295, 5], [0x4d7b4327, 0x25921af9, 0xfde841dc, 0x1fa13989]],
  [1, [], [0x6d6791ff, 0x672d8ee5, 0x4eb1072c, 0x8ae19ca1]],
];

function replay(rng: Rng, ref: typeof C_REFERENCE_1234): void {
  expect(Array.from({ length: 8 }, () => rng.nextUint32())).toEqual(ref.ints);
  expect(Array.from({ length: 4 }, () => rng.uniform())).toEqual(ref.uniforms);
  let v = 0;
  for (let i = 0; i < 1000; i++) v = rng.nextUint32();
  expect(v).toBe(ref.after1000);
}

describe('xoshiro128** against the C reference', () => {
  it('state (1, 2, 3, 4)', () => replay(new Rng([1, 2, 3, 4]), C_REFERENCE_1234));
  it('standard normals by the polar method', () => {
    const r = new Rng([1, 2, 3, 4]);
    const got = Array.from({ length: 8 }, () => r.normal());
    got.forEach((x, i) => expect(Math.abs(x - C_REFERENCE_NORMALS[i])).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(x)));
  });
  it('the state seeded from (12345, trial 7, purpose 2)', () => {
    replay(trialStream({ master: 12345, trial: 7 }, Purpose.labels), C_REFERENCE_SEEDED);
  });
});

describe('seeding: numpy SeedSequence', () => {
  it.each(NUMPY_SEED_SEQUENCE)('master %d, spawn key %j', (master, key, state) => {
    expect(Array.from(seedSequenceState(master, key))).toEqual(state);
  });
  it('rejects a seed that is not a uint32, naming the range', () => {
    expect(() => seedSequenceState(-1)).toThrow(/\[0, 2\^32 - 1\]/);
    expect(() => seedSequenceState(1.5)).toThrow(/integer/);
    expect(() => seedSequenceState(1, [2 ** 32])).toThrow(/spawn key/);
  });
});

describe('streams', () => {
  it('the same seed gives the same bits', () => {
    const a = new Float64Array(10001);
    const b = new Float64Array(10001);
    trialStream({ master: 7, trial: 3 }, Purpose.inputs).fillNormal(a);
    trialStream({ master: 7, trial: 3 }, Purpose.inputs).fillNormal(b);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it('different trials, purposes and masters give different, uncorrelated streams', () => {
    const n = 20000;
    const draw = (master: number, trial: number, purpose: Purpose) => {
      const v = new Float64Array(n);
      trialStream({ master, trial }, purpose).fillNormal(v);
      return v;
    };
    const streams = [draw(1, 0, 0), draw(1, 1, 0), draw(1, 0, 1), draw(2, 0, 0), draw(0, 0, 0), draw(1, 2, 0)];
    for (let a = 0; a < streams.length; a++) {
      for (let b = a + 1; b < streams.length; b++) {
        let c = 0;
        for (let i = 0; i < n; i++) c += streams[a][i] * streams[b][i];
        // correlation of independent streams ~ N(0, 1/n): 5 standard deviations
        expect(Math.abs(c / n)).toBeLessThan(5 / Math.sqrt(n));
        expect(streams[a][0]).not.toBe(streams[b][0]);
      }
    }
  });

  it('fillNormal gives the numbers of repeated normal() calls, spare included', () => {
    const a = trialStream({ master: 5, trial: 0 }, 0);
    const b = trialStream({ master: 5, trial: 0 }, 0);
    const bulk = new Float64Array(7);
    a.fillNormal(bulk, 0, 3); // odd length: keeps a spare
    a.fillNormal(bulk, 3, 7);
    const single = Array.from({ length: 7 }, () => b.normal());
    expect(Array.from(bulk)).toEqual(single);
    expect(a.normal()).toBe(b.normal());
    expect(Array.from(a.state())).toEqual(Array.from(b.state()));
  });

  it('an all-zero state is replaced (xoshiro would stay at zero)', () => {
    const r = new Rng([0, 0, 0, 0]);
    expect(Array.from({ length: 4 }, () => r.nextUint32()).some((v) => v !== 0)).toBe(true);
  });
});

describe('distributions', () => {
  const N = 1_000_000;
  const sample = new Float64Array(N);
  trialStream({ master: 2024, trial: 0 }, Purpose.inputs).fillNormal(sample);

  it('standard normal moments within statistical tolerance (1e6 draws)', () => {
    let s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    for (const x of sample) { const x2 = x * x; s1 += x; s2 += x2; s3 += x2 * x; s4 += x2 * x2; }
    const [m1, m2, m3, m4] = [s1 / N, s2 / N, s3 / N, s4 / N];
    // standard errors: sqrt(Var(x^k)/N) with Var = E x^2k - (E x^k)^2: 1, 2, 15, 96
    const z = 5;
    expect(Math.abs(m1)).toBeLessThan(z * Math.sqrt(1 / N));
    expect(Math.abs(m2 - 1)).toBeLessThan(z * Math.sqrt(2 / N));
    expect(Math.abs(m3)).toBeLessThan(z * Math.sqrt(15 / N));
    expect(Math.abs(m4 - 3)).toBeLessThan(z * Math.sqrt(96 / N));
  });

  it('normal CDF: Kolmogorov-Smirnov distance below its 0.1% critical value', () => {
    const sorted = Float64Array.from(sample.subarray(0, 100_000)).sort();
    const n = sorted.length;
    const Phi = (x: number) => 0.5 * erfc(-x / Math.SQRT2);
    let D = 0;
    for (let i = 0; i < n; i++) {
      const F = Phi(sorted[i]);
      D = Math.max(D, Math.abs(F - i / n), Math.abs((i + 1) / n - F));
    }
    expect(D * Math.sqrt(n)).toBeLessThan(1.95); // K-S critical value at level 0.001
  });

  it('uniform: mean, variance and the 53-bit range [0, 1)', () => {
    const r = trialStream({ master: 9, trial: 1 }, Purpose.teacher);
    const n = 200_000;
    let s1 = 0, s2 = 0, lo = 1, hi = 0, grid = true;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      s1 += u; s2 += u * u; lo = Math.min(lo, u); hi = Math.max(hi, u);
      grid &&= Number.isInteger(u * 2 ** 53);
    }
    expect(grid).toBe(true);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(Math.abs(s1 / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - 1 / 3)).toBeLessThan(5 * Math.sqrt(4 / 45 / n));
  });

  // Speed (normals per second in bulk) is measured by `npm run bench` (simulate_normals_per_s), not asserted here:
  // a test must not depend on how busy the machine is.
});
