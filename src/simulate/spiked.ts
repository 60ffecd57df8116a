/**
 * The spiked Wigner model at finite size and Bayes-optimal AMP on it: the experiment behind a `lowrank:` section.
 *
 * Instance (conventions of equations/spiked-wigner.yaml): x in R^N with i.i.d. entries from the section's prior
 * (the piece's own sampler, `draw`, from the trial's teacher stream), W symmetric with W_ij ~ N(0, 1) for i < j and
 * W_ii ~ N(0, 2) (the GOE, whose spectrum divided by sqrt(N) fills [-2, 2]; from the trial's inputs stream, the
 * upper triangle row by row), and
 *   Y = sqrt(snr / N) x x^T + W.
 * AMP works on A = Y / sqrt(N), stored as a full symmetric N x N row-major Float64Array (the products are then one
 * contiguous matVec, linalg.ts).
 *
 * AMP (Rangan and Fletcher, ISIT 2012; Deshpande and Montanari, ISIT 2014; Lesieur, Krzakala, Zdeborova, J. Stat.
 * Mech. (2017) 073403, their Low-RAMP for a symmetric rank-one matrix with Gaussian noise of variance 1/snr), from
 * the prior piece's denoiser fa(B, A) (posterior mean of the scalar channel B = A x + sqrt(A) xi) and its variance
 * fv = d fa / dB, the same functions the state evolution is written with:
 *   B^t     = sqrt(snr) A a^t - snr (1/N sum_i v_i^t) a^{t-1}          (the Onsager term; a^{-1} = 0)
 *   A^t     = snr |a^t|^2 / N
 *   a^{t+1} = fa(B^t, A^t),   v^{t+1} = fv(B^t, A^t).
 * Then sqrt(snr) A a^t = snr x (x.a^t/N) + sqrt(snr) W a^t / sqrt(N), so B^t ~ snr m_t x + sqrt(snr q_t) xi with
 * m_t = x.a^t/N, q_t = |a^t|^2/N: on the Nishimori line (q = m) the effective channel of state evolution,
 * qhat = snr m.
 *
 * Start: a^0 = mu + m0 (x - mu) + sqrt(1e-12 rho_w) g, mu = fa(0, 0) the prior mean, g ~ N(0, 1) from the trial's
 * solver stream. m0 = 0 (default) is an uninformed start: its overlap with x is O(1e-6 / sqrt(N)), the finite-N
 * counterpart of state evolution's small m start (`uninformed`); for a zero-mean prior a^0 = 0 would be a fixed
 * point, which the random part breaks. Small, so that below weak recovery the decay to the uninformative point
 * (like snr^(t/2)) is short, and above it the spike (growing like snr^t) outgrows the bulk (like snr^(t/2)) before
 * the denoiser leaves its linear regime. m0 = 1 starts from the signal itself (the `informed` branch).
 *
 * Damping beta in (0, 1]: a^{t+1} = beta fa + (1 - beta) a^t and v likewise; a fixed point of the damped
 * iteration (a^{t+1} = a^t = a^{t-1}) is one of plain AMP. Fixed by default: GAMP's adaptive rule (halve beta when
 * a step turns back on the previous one) misfires here, because from a small random start the bulk of the
 * linearised iteration a^{t+1} = sqrt(snr) A a^t - snr a^{t-1} rotates (its roots have modulus sqrt(snr) and
 * complex phases) while the spike grows like snr^t; halving beta there breaks the Onsager correction and, in 3
 * of 6 trials at snr = 2 with the Rademacher prior (N = 1000), left AMP at m ~ 0.003 for 3000 iterations.
 * options.adaptive turns it on.
 *
 * Stopping rule, on the undamped residual r_t = |fa(B^t, A^t) - a^t| / sqrt(N rho_w) <= tol (default 1e-10:
 * below weak recovery the estimate decays to 0 like snr^(t/2), and its overlap, of the size of |a|/sqrt(N), must
 * fall below the resolution 1e-8 of a comparison with the theory's m = 0). Non-convergence is a status.
 */
import type { Retcode } from '../base/retcode.ts';
import { matVec } from './linalg.ts';
import type { Rng } from './rng.ts';

/** The scalar denoiser of the prior: posterior mean and variance of x given B = A x + sqrt(A) xi. */
export interface Denoiser {
  readonly fa: (B: number, A: number) => number;
  readonly fv: (B: number, A: number) => number;
}

export interface SpikedInstance {
  readonly N: number;
  readonly snr: number;
  /** A = Y / sqrt(N), N x N, symmetric, row-major. */
  readonly A: Float64Array;
  readonly teacher: Float64Array;
}

/**
 * One instance: the teacher from `draw` (one call per component, in order, with the teacher stream), W from
 * `noise` (the upper triangle row by row, then the diagonal).
 */
export function spikedInstance(N: number, snr: number, draw: (rng: Rng) => number, teacherRng: Rng, noise: Rng): SpikedInstance {
  if (!Number.isInteger(N) || N < 2) throw new RangeError(`spiked-wigner: N must be an integer >= 2, got ${N}`);
  if (!(snr >= 0 && Number.isFinite(snr))) throw new RangeError(`spiked-wigner: the snr must be finite and >= 0, got ${snr}`);
  const x = new Float64Array(N);
  for (let i = 0; i < N; i++) x[i] = draw(teacherRng);
  const A = new Float64Array(N * N);
  const s = 1 / Math.sqrt(N);
  const c = Math.sqrt(snr) / N; // sqrt(snr / N) / sqrt(N)
  // the upper triangle row by row (one normal per entry, in this order), then the diagonal
  for (let i = 0; i < N; i++) {
    const row = i * N;
    noise.fillNormal(A, row + i + 1, row + N, s);
    const xi = c * x[i];
    for (let j = i + 1; j < N; j++) A[row + j] += xi * x[j];
  }
  for (let i = 0; i < N; i++) A[i * N + i] = c * x[i] * x[i] + s * Math.SQRT2 * noise.normal();
  mirrorUpper(A, N);
  return { N, snr, A, teacher: x };
}

/** Copies the upper triangle of the N x N row-major A onto the lower one, in 32 x 32 tiles (cache-friendly). */
function mirrorUpper(A: Float64Array, N: number): void {
  const T = 32;
  for (let bi = 0; bi < N; bi += T) {
    for (let bj = bi; bj < N; bj += T) {
      const iEnd = Math.min(bi + T, N);
      const jEnd = Math.min(bj + T, N);
      for (let i = bi; i < iEnd; i++) {
        for (let j = Math.max(bj, i + 1); j < jEnd; j++) A[j * N + i] = A[i * N + j];
      }
    }
  }
}

export type AmpStatus = Extract<Retcode, 'converged' | 'max-iterations' | 'diverged' | 'non-finite'>;

export interface AmpOptions {
  readonly damping?: number;
  readonly tol?: number;
  readonly maxIterations?: number;
  /** Overlap of the start with the teacher, in [0, 1] (0: uninformed, 1: the teacher). Needs `teacher`. */
  readonly m0?: number;
  readonly teacher?: Float64Array;
  /** The random part of the start (solver stream). */
  readonly rng: Rng;
  readonly adaptive?: boolean;
}

export interface AmpResult {
  readonly w: Float64Array;
  readonly v: Float64Array;
  readonly status: AmpStatus;
  readonly iterations: number;
  readonly residual: number;
  readonly damping: { readonly requested: number; readonly smallest: number };
  readonly message?: string;
  readonly time: number;
}

const MIN_DAMPING = 1 / 64;
/** Variance of the random part of AMP's start, relative to rho_w. */
const START_VARIANCE = 1e-12;

/** Bayes-optimal AMP on a spiked Wigner instance (see the file comment). */
export function amp(instance: SpikedInstance, fns: Denoiser, options: AmpOptions): AmpResult {
  const t0 = performance.now();
  const { N, snr, A } = instance;
  const beta0 = options.damping ?? 1;
  if (!(beta0 > 0 && beta0 <= 1)) throw new RangeError(`amp: damping must be in (0, 1], got ${beta0}`);
  const tol = options.tol ?? 1e-10;
  const maxIterations = options.maxIterations ?? 3000;
  const m0 = options.m0 ?? 0;
  if (!(m0 >= 0 && m0 <= 1)) throw new RangeError(`amp: the start's overlap m0 must be in [0, 1], got ${m0}`);
  const adaptive = options.adaptive ?? false;
  const { fa, fv } = fns;
  const mean = fa(0, 0);
  const rhoW = mean * mean + fv(0, 0);
  if (!(rhoW > 0 && Number.isFinite(rhoW))) throw new RangeError(`amp: the prior's second moment fa(0, 0)^2 + fv(0, 0) = ${rhoW} is not positive and finite`);

  const a = new Float64Array(N);
  const v = new Float64Array(N).fill(fv(0, 0));
  const aPrev = new Float64Array(N); // a^{t-1}, 0 before the first step
  const step = new Float64Array(N);
  const B = new Float64Array(N);
  options.rng.fillNormal(a, 0, N, Math.sqrt(START_VARIANCE * rhoW));
  const x = options.teacher;
  for (let i = 0; i < N; i++) a[i] += mean + (x && m0 > 0 ? m0 * (x[i] - mean) : 0);

  const sq = Math.sqrt(snr);
  let beta = beta0;
  let smallest = beta0;
  let status: AmpStatus = 'max-iterations';
  let residual = NaN;
  let message: string | undefined;
  let t = 0;
  for (; t < maxIterations; t++) {
    let vm = 0;
    let q = 0;
    for (let i = 0; i < N; i++) {
      vm += v[i];
      q += a[i] * a[i];
    }
    const onsager = t === 0 ? 0 : (snr * vm) / N;
    const At = (snr * q) / N;
    matVec(A, N, N, a, B, sq);
    let r2 = 0;
    let turn = 0;
    let s2 = 0;
    let finite = Number.isFinite(At);
    for (let i = 0; i < N; i++) {
      const b = B[i] - onsager * aPrev[i];
      const an = fa(b, At);
      const vn = fv(b, At);
      if (!(Number.isFinite(an) && Number.isFinite(vn))) finite = false;
      const r = an - a[i];
      r2 += r * r;
      turn += r * step[i];
      s2 += step[i] * step[i];
      const next = a[i] + beta * r;
      step[i] = next - a[i];
      aPrev[i] = a[i];
      a[i] = next;
      v[i] += beta * (vn - v[i]);
    }
    residual = Math.sqrt(r2 / (N * rhoW));
    if (!finite || !Number.isFinite(residual)) {
      status = 'non-finite';
      message = `a message became NaN or infinite at iteration ${t + 1}`;
      t++;
      break;
    }
    if (q / N > 1e12 * rhoW) {
      status = 'diverged';
      message = `|a|^2/N reached ${(q / N).toExponential(2)} at iteration ${t + 1}`;
      t++;
      break;
    }
    if (residual <= tol) {
      status = 'converged';
      t++;
      break;
    }
    if (adaptive && t > 0 && turn / Math.sqrt(r2 * s2) < -0.5) {
      beta = Math.max(beta / 2, MIN_DAMPING);
      smallest = Math.min(smallest, beta);
    }
  }
  if (status === 'max-iterations') {
    const damping = smallest < beta0 ? `damping ${beta0}, adapted down to ${smallest.toPrecision(3)}` : `damping ${beta0}`;
    message = `the residual was ${residual.toExponential(2)} after ${t} iterations (${damping})`;
  }
  return {
    w: a, v, status, iterations: t, residual, damping: { requested: beta0, smallest },
    ...(message !== undefined && { message }), time: performance.now() - t0,
  };
}

/** Overlaps of an estimate w with the teacher x, after aligning the sign of w with x when `align` (a prior
 * symmetric under x -> -x cannot tell them apart): m = |w.x|/N, q, q* and the two errors. */
export function spikedMeasures(w: Float64Array, x: Float64Array, align: boolean): {
  m: number; q: number; qStar: number; estimationError: number; matrixError: number; sign: number;
} {
  const N = w.length;
  let m = 0;
  let q = 0;
  let qs = 0;
  for (let i = 0; i < N; i++) {
    m += w[i] * x[i];
    q += w[i] * w[i];
    qs += x[i] * x[i];
  }
  const sign = align && m < 0 ? -1 : 1;
  m = (sign * m) / N;
  q /= N;
  qs /= N;
  let e = 0;
  for (let i = 0; i < N; i++) e += (sign * w[i] - x[i]) ** 2;
  // |w w^T - x x^T|_F^2 / N^2 = q^2 - 2 m^2 + q*^2 (diagonal included)
  return { m, q, qStar: qs, estimationError: e / N, matrixError: q * q - 2 * m * m + qs * qs, sign };
}
