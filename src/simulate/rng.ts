/**
 * Seeded random streams for simulations: one independent stream per (master seed, trial, purpose).
 *
 * Generator: xoshiro128** (Blackman and Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS 47,
 * 2021), 128 bits of state, 32-bit output, period 2^128 - 1, in 32-bit integer arithmetic (Math.imul, shifts),
 * so every step is exact in JavaScript. Seeding: the state of a stream is numpy's SeedSequence
 * (O'Neill's seed_seq_fe hash) of the entropy `master` and the spawn key (trial, purpose), so nearby seeds give
 * unrelated states, every (master, trial, purpose) triple gets its own stream, and numpy reproduces the
 * states: `np.random.SeedSequence(entropy=master, spawn_key=(trial, purpose)).generate_state(4, np.uint32)`.
 *
 * Hand-written rather than a dependency (checked against the registry list): @stdlib/random-base-improved-ziggurat
 * over its mt19937 draws 18M normals/s here and pulls in ~200 packages; pure-rand has no normal sampler, and its
 * xoroshiro128+ returns the low 32 bits of the sum (the weak bits of that generator) from a 32-bit seed. The
 * bulk fill below draws ~50M normals/s, and the two published algorithms give fixed reference outputs
 * (test/simulate/rng.test.ts pins them against the C reference code and numpy).
 *
 * Bit-for-bit reproducibility: the integer stream and the uniforms are exact; normals use the Marsaglia polar
 * method, i.e. Math.sqrt (correctly rounded, IEEE 754) and Math.log, which V8 (Node) computes with the same
 * fdlibm port on every platform. Another engine could differ in the last bit of a few normals.
 */

/** What a stream is used for: the second word of its spawn key, so changing one part of an instance leaves the
 * others' draws unchanged (e.g. a sweep over the noise level keeps X and w*). */
export const Purpose = {
  inputs: 0,
  teacher: 1,
  labels: 2,
  testInputs: 3,
  testLabels: 4,
  solver: 5,
} as const;
export type Purpose = (typeof Purpose)[keyof typeof Purpose];

/** The seeds that identify one trial's data: recorded in every output. */
export interface TrialSeed {
  /** uint32 master seed of the run. */
  readonly master: number;
  /** Trial index (uint32), 0, 1, 2, ... */
  readonly trial: number;
}

// numpy/random/bit_generator.pyx constants (SeedSequence, pool size 4).
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const POOL = 4;

function checkUint32(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new RangeError(`${name} must be an integer in [0, 2^32 - 1], got ${v}`);
  }
}

/**
 * The 4-word state that numpy's SeedSequence(entropy=master, spawn_key=spawnKey).generate_state(4, uint32)
 * returns. `master` is one uint32 word (numpy pads it to the pool size with zeros when a spawn key follows).
 */
export function seedSequenceState(master: number, spawnKey: readonly number[] = []): Uint32Array {
  checkUint32('master seed', master);
  spawnKey.forEach((k, i) => checkUint32(`spawn key word ${i}`, k));
  const entropy = spawnKey.length > 0 ? [master, 0, 0, 0, ...spawnKey] : [master];
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    value = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> 16)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (r ^ (r >>> 16)) >>> 0;
  };
  const pool = new Uint32Array(POOL);
  for (let i = 0; i < POOL; i++) pool[i] = hashmix(i < entropy.length ? entropy[i] : 0);
  for (let src = 0; src < POOL; src++) {
    for (let dst = 0; dst < POOL; dst++) if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
  }
  for (let src = POOL; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL; dst++) pool[dst] = mix(pool[dst], hashmix(entropy[src]));
  }
  const state = new Uint32Array(POOL);
  let h = INIT_B;
  for (let i = 0; i < POOL; i++) {
    let v = (pool[i] ^ h) >>> 0;
    h = Math.imul(h, MULT_B) >>> 0;
    v = Math.imul(v, h) >>> 0;
    state[i] = (v ^ (v >>> 16)) >>> 0;
  }
  return state;
}

const TWO_POW_26 = 67108864;
const TWO_POW_M53 = 1 / 9007199254740992;

/**
 * A xoshiro128** stream with uniform and standard normal draws. Normals come in pairs (polar method); the
 * second of a pair is kept, so `normal()` n times and `fillNormal` of length n give the same numbers.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = false;

  /** From a 4-word state (not all zero; an all-zero state, probability 2^-128 from a hash, is replaced by 1, 0, 0, 0). */
  constructor(state: ArrayLike<number>) {
    this.s0 = state[0] | 0;
    this.s1 = state[1] | 0;
    this.s2 = state[2] | 0;
    this.s3 = state[3] | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32-bit output as an unsigned integer (one step of xoshiro128**). */
  nextUint32(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result >>> 0;
  }

  /** Uniform on [0, 1) with 53 random bits (the top 27 bits of one output, the top 26 of the next). */
  uniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * TWO_POW_26 + b) * TWO_POW_M53;
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let r: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      r = u * u + v * v;
    } while (r >= 1 || r === 0);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }

  /**
   * out[start..end) = scale * independent standard normals: the same numbers as that many `normal()` calls, in
   * a loop that keeps the state in locals (about 3x faster).
   */
  fillNormal(out: Float64Array, start = 0, end = out.length, scale = 1): void {
    let i = start;
    if (i < end && this.hasSpare) {
      out[i++] = scale * this.spare;
      this.hasSpare = false;
    }
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    while (i < end) {
      let u: number;
      let v: number;
      let r: number;
      do {
        // four xoshiro128** steps, written out: two 53-bit uniforms
        let x = Math.imul(s1, 5);
        let a = Math.imul((x << 7) | (x >>> 25), 9) >>> 5;
        let t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        x = Math.imul(s1, 5);
        let b = Math.imul((x << 7) | (x >>> 25), 9) >>> 6;
        t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        u = 2 * ((a * TWO_POW_26 + b) * TWO_POW_M53) - 1;
        x = Math.imul(s1, 5);
        a = Math.imul((x << 7) | (x >>> 25), 9) >>> 5;
        t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        x = Math.imul(s1, 5);
        b = Math.imul((x << 7) | (x >>> 25), 9) >>> 6;
        t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        v = 2 * ((a * TWO_POW_26 + b) * TWO_POW_M53) - 1;
        r = u * u + v * v;
      } while (r >= 1 || r === 0);
      const f = Math.sqrt((-2 * Math.log(r)) / r);
      out[i++] = scale * (u * f);
      if (i < end) out[i++] = scale * (v * f);
      else {
        this.spare = v * f;
        this.hasSpare = true;
      }
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /** out[start..end) = independent uniforms on [0, 1). */
  fillUniform(out: Float64Array, start = 0, end = out.length): void {
    for (let i = start; i < end; i++) out[i] = this.uniform();
  }

  /** The current 4-word generator state (the spare normal, if any, is not part of it). */
  state(): Uint32Array {
    return Uint32Array.of(this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0);
  }
}

/** The stream of one trial for one purpose: xoshiro128** seeded by SeedSequence(master, [trial, purpose]). */
export function trialStream(seed: TrialSeed, purpose: Purpose): Rng {
  return new Rng(seedSequenceState(seed.master, [seed.trial, purpose]));
}
