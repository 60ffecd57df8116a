import { describe, expect, it } from 'vitest';
import { PRIORS } from '../../src/pieces/library.ts';
import { loadModel } from '../../src/pipeline/load.ts';
import { Purpose, Rng, trialStream } from '../../src/simulate/rng.ts';
import { amp, spikedInstance, spikedMeasures } from '../../src/simulate/spiked.ts';
import { closeWorkers, simulate, simulateParallel } from '../../src/simulate/run.ts';

/** The spiked Wigner instance and AMP (src/simulate/spiked.ts), on small sizes. */
const seed = { master: 7, trial: 0 };
const rademacher = (r: Rng) => PRIORS.get('rademacher')!.draw!([], r);
const instance = (N: number, snr: number, draw = rademacher, s = seed) =>
  spikedInstance(N, snr, draw, trialStream(s, Purpose.teacher), trialStream(s, Purpose.inputs));

describe('spiked Wigner instances', () => {
  it('A = Y/sqrt(N) is symmetric, reproducible bit for bit, with W_ij ~ N(0, 1) off the diagonal and N(0, 2) on it', () => {
    const N = 400;
    const snr = 2;
    const a = instance(N, snr);
    const b = instance(N, snr);
    expect(Buffer.from(a.A.buffer).equals(Buffer.from(b.A.buffer))).toBe(true);
    expect(Buffer.from(instance(N, snr, rademacher, { master: 7, trial: 1 }).A.buffer).equals(Buffer.from(a.A.buffer))).toBe(false);
    let off = 0;
    let off2 = 0;
    let diag2 = 0;
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) expect(a.A[i * N + j]).toBe(a.A[j * N + i]);
      // the noise: sqrt(N) A - sqrt(snr/N) x x^T
      const w = (k: number) => Math.sqrt(N) * a.A[i * N + k] - Math.sqrt(snr / N) * a.teacher[i] * a.teacher[k];
      diag2 += w(i) ** 2;
      for (let j = i + 1; j < N; j++) {
        off += w(j);
        off2 += w(j) ** 2;
      }
    }
    const pairs = (N * (N - 1)) / 2;
    expect(Math.abs(off / pairs)).toBeLessThan(5 / Math.sqrt(pairs));
    expect(Math.abs(off2 / pairs - 1)).toBeLessThan(5 * Math.sqrt(2 / pairs));
    expect(Math.abs(diag2 / N - 2)).toBeLessThan(5 * Math.sqrt(8 / N));
    expect(a.teacher.every((x) => x === 1 || x === -1)).toBe(true);
  }, 60_000);

  it('the overlaps align the sign of the estimate with the teacher only when asked (a symmetric prior)', () => {
    const x = Float64Array.of(1, -1, 1, 1);
    const w = x.map((v) => -v);
    expect(spikedMeasures(w, x, true)).toMatchObject({ m: 1, q: 1, qStar: 1, estimationError: 0, matrixError: 0, sign: -1 });
    expect(spikedMeasures(w, x, false)).toMatchObject({ m: -1, estimationError: 4, matrixError: 0, sign: 1 });
  });
});

describe('AMP on the spiked Wigner model', () => {
  const c = loadModel('equations/spiked-wigner.yaml', undefined, { prior: 'gaussian' });
  const fns = (lambda: number) => {
    const f = c.problem({ lambda }).kernels.functions!;
    return { fa: f.fa, fv: f.fv };
  };
  const gaussian = (r: Rng) => r.normal();

  it('gaussian prior at snr = 4, N = 1500: from a random start to m ~ 1 - 1/snr, as from the signal itself', () => {
    const inst = instance(1500, 4, gaussian);
    const rng = () => trialStream(seed, Purpose.solver);
    const r = amp(inst, fns(4), { rng: rng(), teacher: inst.teacher });
    expect(r.status).toBe('converged');
    const m = spikedMeasures(r.w, inst.teacher, true).m;
    expect(Math.abs(m - 0.75)).toBeLessThan(0.15); // one instance: finite-N fluctuations are O(1/sqrt N) (verify tests the mean)
    const informed = amp(inst, fns(4), { rng: rng(), teacher: inst.teacher, m0: 1 });
    expect(informed.status).toBe('converged');
    expect(Math.abs(spikedMeasures(informed.w, inst.teacher, true).m - m)).toBeLessThan(1e-6);
    // a damped AMP ends at the same fixed point
    const damped = amp(inst, fns(4), { rng: rng(), teacher: inst.teacher, m0: 1, damping: 0.5 });
    expect(damped.status).toBe('converged');
    expect(Math.abs(spikedMeasures(damped.w, inst.teacher, true).m - m)).toBeLessThan(1e-6);
  });

  it('below weak recovery the estimate decays to 0 from a random start; bad options are refused', () => {
    const inst = instance(500, 0.5, gaussian);
    const r = amp(inst, fns(0.5), { rng: trialStream(seed, Purpose.solver), teacher: inst.teacher });
    expect(r.status).toBe('converged');
    expect(Math.abs(spikedMeasures(r.w, inst.teacher, true).m)).toBeLessThan(1e-8);
    expect(() => amp(inst, fns(0.5), { rng: new Rng([1, 2, 3, 4]), damping: 0 })).toThrow(/damping/);
    expect(() => amp(inst, fns(0.5), { rng: new Rng([1, 2, 3, 4]), m0: 2 })).toThrow(/m0/);
  });

  it('worker threads load the model with the same --prior: the trials are the same bit for bit as in-process', async () => {
    const params = { lambda: 2 };
    try {
      const here = simulate(c, params, 300, 2, 3);
      const there = await simulateParallel(c, params, 300, 2, 3, 2);
      expect(there.trials.map((t) => t.values)).toEqual(here.trials.map((t) => t.values));
      // the gaussian prior, not the file's default: m near 1 - 1/lambda, not the sparse prior's 0.99
      expect(here.summary.m.mean).toBeLessThan(0.8);
    } finally {
      await closeWorkers();
    }
  }, 60_000);
});
