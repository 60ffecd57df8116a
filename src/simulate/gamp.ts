/**
 * GAMP for a Bayes-optimal GLM (Rangan, ISIT 2011), built from the model's own prior and channel pieces: the
 * denoiser fa, fv (mean and variance of the scalar posterior given B, A) and the output functions gout, dgout
 * (of y, omega, V) that the `glm:` section generates (src/glm/expand.ts) and compile.ts exports as
 * `problem.kernels.functions`. The state evolution of the same model file is the theory of this algorithm.
 *
 * Normalisation: the design is F = X / sqrt(d), X with i.i.d. N(0, 1) entries (n x d, row-major), so
 * F_{mu i}^2 ~ 1/d. Scalar-variance form (Zdeborova and Krzakala, Adv. Phys. 65, 453 (2016), their GAMP for GLMs, with
 * sum_i F_{mu i}^2 v_i and sum_mu F_{mu i}^2 dg_mu replaced by their means, which is exact as d -> infinity and
 * is what state evolution tracks). One iteration t -> t + 1:
 *   V^t      = (1/d) sum_i v_i^t                                  (variance of the student fields)
 *   omega^t  = F a^t - V^t g^{t-1}                                (Onsager reaction term; g^{-1} = 0)
 *   g^t      = gout(y, omega^t, V^t),   A^t = -(1/d) sum_mu dgout(y_mu, omega^t_mu, V^t)
 *   B^t      = F^T g^t + A^t a^t
 *   a^{t+1}  = fa(B^t, A^t),            v^{t+1} = fv(B^t, A^t)
 * Start (t = 0): the prior, a^0 = fa(0, 0) (its mean), v^0 = fv(0, 0) (its variance), or a random vector
 * a^0 ~ N(0, q0) independent of the teacher (symmetry breaking where a^0 = 0 is a fixed point: the abs channel
 * of phase retrieval has gout(y, 0, V) = 0), with v^0 = fv(0, 0).
 *
 * Time indices: a^t is the estimate after t updates of the denoiser, and record t holds its overlaps. State
 * evolution from q_0 = 0 (the prior-mean start: m_0 = q_0 = 0) predicts m_t = q_t = q_SE(t), where q_SE(t) is the
 * model's update map applied t times (qhat from q_SE(t - 1), then q from qhat): one GAMP iteration is one
 * sweep of the update map.
 *
 * Damping beta in (0, 1] (damped GAMP as in Vila, Schniter, Rangan, Krzakala, Zdeborova, ICASSP 2015): the output side
 * is damped, g^t <- beta g^t + (1 - beta) g^{t-1} and A^t likewise, and the input side feeds back the damped
 * estimate abar^t = beta a^t + (1 - beta) abar^{t-1} in B^t = F^T g^t + A^t abar^t, while a^{t+1} = fa(B^t, A^t)
 * itself is not damped (it enters omega^{t+1}). beta = 1 is plain GAMP. A fixed point of the damped iteration is
 * one of plain GAMP: damping changes the path, not where it ends. (Damping a^t itself, in both omega and B,
 * stalls at a residual ~1e-3 on an instance where this scheme converges: tried and dropped.) Where plain GAMP
 * oscillates (the binary perceptron between its thresholds, alpha = 1.45 at d = 500) or diverges (a design whose
 * entries have a mean, Caltagirone, Zdeborova, Krzakala, ISIT 2014), gamp(0.5) converges (test/simulate/gamp.test.ts).
 * By default the damping is also adaptive: it starts at the requested beta and is halved each time a step turns
 * back on the previous one (options.adaptive; off for a trajectory compared with state evolution step by step).
 *
 * Stopping rule, on the undamped residual: r_t = |fa(B^t, A^t) - a^t| / sqrt(d rho_w) <= tol (rho_w the prior's
 * second moment, so tol is relative to the size of the signal). Two more ends count as convergence, both at
 * perfect recovery: the posterior collapsed, mean(v^t) <= floor (1e-12 rho_w); or the labels no longer resolve
 * V: with V < 1e-6 rho_w, the channel's information A dropped a thousandfold in one step. GAMP must stop there:
 * at finite n every label of a sign channel is then fitted with a margin far beyond sqrt(V), gout and dgout
 * underflow, A -> 0, and the next step would forget everything (a = fa(0, 0)); state evolution, an average over
 * infinitely many labels, keeps seeing the ones at the margin. Non-convergence is a status, never an exception.
 */
import type { Retcode } from '../base/retcode.ts';
import { UsageError } from '../base/errors.ts';
import { matTVec, matVec } from './linalg.ts';
import type { Rng } from './rng.ts';

/** The GAMP pieces of a glm model, as compiled (`problem.kernels.functions`). */
export interface GlmFunctions {
  readonly fa: (B: number, A: number) => number;
  readonly fv: (B: number, A: number) => number;
  readonly gout: (y: number, omega: number, V: number) => number;
  readonly dgout: (y: number, omega: number, V: number) => number;
}

/** The four functions, or a usage error naming the fix (the model has no `glm:` section). */
export function glmFunctions(functions: Readonly<Record<string, (...args: number[]) => number>> | undefined, model = 'the model'): GlmFunctions {
  const missing = ['fa', 'fv', 'gout', 'dgout'].filter((f) => typeof functions?.[f] !== 'function');
  if (missing.length > 0 || !functions) {
    throw new UsageError(`GAMP needs the functions fa, fv, gout and dgout of ${model}, which has no ${missing.join(', ')}`,
      'GAMP runs on a Bayes-optimal GLM: give the model a `glm: { prior, channel }` section (docs/model-files.md, "glm")');
  }
  return { fa: functions.fa, fv: functions.fv, gout: functions.gout, dgout: functions.dgout };
}

export type GampStatus = Extract<Retcode, 'converged' | 'max-iterations' | 'diverged' | 'non-finite'>;

export interface GampOptions {
  /** beta in (0, 1]: fraction of the new messages taken (1: undamped). Default 1. */
  readonly damping?: number;
  /** Undamped residual |fa(B, A) - a| / sqrt(d rho_w) at which to stop. Default 1e-8. */
  readonly tol?: number;
  /** Iterations (denoiser updates) at most. Default 3000. */
  readonly maxIterations?: number;
  /** Start: the prior (default), or a^0 ~ N(0, q0) i.i.d. from `rng` (q0 > 0). */
  readonly start?: { readonly kind: 'prior' } | { readonly kind: 'random'; readonly q0: number; readonly rng: Rng };
  /** The teacher, for the per-iteration overlaps m_t and mse_t (NaN without it). */
  readonly teacher?: Float64Array;
  /** Halve the damping whenever the iterates oscillate (a step turns back on the previous one); it starts at
   * `damping` and never grows back. Default true; false for a trajectory compared with state evolution step by step. */
  readonly adaptive?: boolean;
  /** Floor of V, relative to rho_w: V = 0 at perfect recovery would divide by zero. Default 1e-12. */
  readonly varianceFloor?: number;
}

/** The estimate a^t after t iterations (t = 0: the start), summarised. */
export interface GampIterate {
  readonly t: number;
  /** a^t . w* / d (NaN without a teacher). */
  readonly m: number;
  /** |a^t|^2 / d. */
  readonly q: number;
  /** |a^t - w*|^2 / d (NaN without a teacher). */
  readonly mse: number;
  /** mean of v^t: GAMP's own estimate of the mse (rho_w - q on the Nishimori line). */
  readonly v: number;
  /** Undamped residual of the update that produced a^t (NaN at t = 0). */
  readonly residual: number;
  /** The channel's information A^{t-1} that produced a^t (qhat of state evolution; NaN at t = 0). */
  readonly A: number;
  /** The damping of that update. */
  readonly damping: number;
}

export interface GampResult {
  /** The final estimate a (posterior mean) and its variances v. */
  readonly w: Float64Array;
  readonly v: Float64Array;
  readonly status: GampStatus;
  /** Denoiser updates done. */
  readonly iterations: number;
  /** Undamped residual of the last update. */
  readonly residual: number;
  /** One record per iterate, t = 0 .. iterations. */
  readonly history: readonly GampIterate[];
  /** The damping asked for, and the smallest that adaptive damping used. */
  readonly damping: { readonly requested: number; readonly smallest: number };
  /** Why it stopped, when it did not converge. */
  readonly message?: string;
  /** Wall time, ms. */
  readonly time: number;
}

/** GAMP on the design (X, y) with the model's pieces; see the file comment for the algorithm and its indices. */
export function gamp(data: { X: Float64Array; y: Float64Array; n: number; d: number }, fns: GlmFunctions, options: GampOptions = {}): GampResult {
  const t0 = performance.now();
  const { X, y, n, d } = data;
  const beta0 = options.damping ?? 1;
  if (!(beta0 > 0 && beta0 <= 1)) throw new RangeError(`gamp: damping must be in (0, 1], got ${beta0}`);
  const adaptive = options.adaptive ?? true;
  const tol = options.tol ?? 1e-8;
  const maxIterations = options.maxIterations ?? 3000;
  if (!(Number.isInteger(maxIterations) && maxIterations >= 0)) throw new RangeError(`gamp: maxIterations must be an integer >= 0, got ${maxIterations}`);
  const teacher = options.teacher;
  if (teacher && teacher.length !== d) throw new RangeError(`gamp: the teacher has ${teacher.length} entries, d = ${d}`);
  const { fa, fv, gout, dgout } = fns;

  // The prior: its mean and variance are the denoiser with no observation (B = A = 0).
  const mean0 = fa(0, 0);
  const var0 = fv(0, 0);
  const rhoW = mean0 * mean0 + var0;
  if (!(var0 > 0 && Number.isFinite(rhoW))) throw new RangeError(`gamp: the prior's variance fv(0, 0) = ${var0} is not positive and finite`);
  const floor = (options.varianceFloor ?? 1e-12) * rhoW;
  const scale = 1 / Math.sqrt(d);

  const a = new Float64Array(d);
  const v = new Float64Array(d).fill(var0);
  const start = options.start ?? { kind: 'prior' };
  if (start.kind === 'random') {
    if (!(start.q0 > 0)) throw new RangeError(`gamp: a random start needs q0 > 0, got ${start.q0}`);
    start.rng.fillNormal(a, 0, d, Math.sqrt(start.q0));
  } else a.fill(mean0);

  const omega = new Float64Array(n);
  const g = new Float64Array(n); // g^{t-1} (damped), 0 before the first iteration
  const B = new Float64Array(d);
  const abar = new Float64Array(d); // the damped estimate the input side feeds back (Vila et al.)
  const step = new Float64Array(d); // a^t - a^{t-1}, to tell an oscillation from a drift
  const history: GampIterate[] = [record(0, a, v, teacher, NaN, NaN, NaN)];
  let beta = beta0;
  let smallest = beta0;
  let A = 0;
  let Aprev = 0; // the last undamped A
  let status: GampStatus = 'max-iterations';
  let residual = NaN;
  let previous = Infinity;
  let message: string | undefined;
  let t = 0;
  for (; t < maxIterations; t++) {
    // output side
    let V = 0;
    for (let i = 0; i < d; i++) V += v[i];
    V /= d;
    if (V <= floor && t > 0) {
      status = 'converged';
      message = `the posterior collapsed: mean variance ${V.toExponential(2)} <= ${floor.toExponential(2)} (perfect recovery)`;
      break;
    }
    V = Math.max(V, floor);
    matVec(X, n, d, a, omega, scale);
    let dgSum = 0;
    for (let mu = 0; mu < n; mu++) {
      const w = omega[mu] - V * g[mu];
      const gm = gout(y[mu], w, V);
      dgSum += dgout(y[mu], w, V);
      g[mu] = t === 0 ? gm : beta * gm + (1 - beta) * g[mu];
    }
    const Anew = -dgSum / d;
    if (t > 0 && V < 1e-6 * rhoW && Anew >= 0 && Anew < 1e-3 * Aprev) {
      // The labels no longer resolve V: at finite n every one is fitted with a margin far beyond sqrt(V) (sign
      // channel), gout and dgout (nearly) underflow, and the next step would forget the estimate (a -> fa(0, 0)).
      // State evolution, an average over infinitely many labels, keeps seeing the ones at the margin.
      status = 'converged';
      message = `perfect recovery to what n labels resolve: at V = ${V.toExponential(2)} the channel's information A fell from ${Aprev.toExponential(2)} to ${Anew.toExponential(2)}; the estimate is kept`;
      break;
    }
    Aprev = Anew;
    A = t === 0 ? Anew : beta * Anew + (1 - beta) * A;
    // input side
    for (let i = 0; i < d; i++) abar[i] = t === 0 ? a[i] : beta * a[i] + (1 - beta) * abar[i];
    matTVec(X, n, d, g, B, scale);
    let r2 = 0;
    let turn = 0;
    let s2 = 0; // |a^t - a^{t-1}|^2
    let finite = Number.isFinite(A);
    for (let i = 0; i < d; i++) {
      const b = B[i] + A * abar[i];
      const an = fa(b, A);
      const vn = fv(b, A);
      if (!(Number.isFinite(an) && Number.isFinite(vn))) finite = false;
      const r = an - a[i];
      r2 += r * r;
      turn += r * step[i];
      s2 += step[i] * step[i];
      step[i] = r;
      a[i] = an;
      v[i] = vn;
    }
    residual = Math.sqrt(r2 / (d * rhoW));
    const it = record(t + 1, a, v, teacher, residual, A, t === 0 ? 1 : beta);
    history.push(it);
    if (!finite || !Number.isFinite(residual)) {
      status = 'non-finite';
      message = `a message became ${Number.isFinite(A) ? 'NaN or infinite' : `NaN or infinite (A = ${A})`} at iteration ${t + 1}`;
      t++;
      break;
    }
    if (it.q > 1e12 * rhoW) {
      status = 'diverged';
      message = `|a|^2/d reached ${it.q.toExponential(2)} at iteration ${t + 1}`;
      t++;
      break;
    }
    if (residual <= tol) {
      status = 'converged';
      t++;
      break;
    }
    // Adaptive damping: an oscillation shows as a step that turns back, sharply (cos < -1/2 between successive
    // steps: a period-2 cycle, even a slowly decaying one) or while the residual grows (the solver's rule,
    // solve/iterate.ts). Halve the damping then; it never grows back (letting it grow by 1.2 or 1.05 per calm
    // step brought the cycles back: phase retrieval at alpha = 0.9, d = 2000, 2 of 8 trials failed instead of 0).
    if (adaptive) {
      const cos = turn / Math.sqrt(r2 * s2);
      if (cos < -0.5 || (residual > previous && turn < 0)) beta = Math.max(beta / 2, MIN_DAMPING);
      smallest = Math.min(smallest, beta);
    }
    previous = residual;
  }
  if (status === 'max-iterations') {
    const damping = smallest < beta0 ? `damping ${beta0}, adapted down to ${smallest.toPrecision(3)}` : `damping ${beta0}`;
    message = `the residual was ${residual.toExponential(2)} after ${t} iterations (${damping})`
      + `${oscillates(history) ? `; the iterates oscillate${adaptive ? '' : ': try damping, e.g. gamp(0.5)'}` : ''}`;
  }
  return {
    w: a, v, status, iterations: t, residual, history, damping: { requested: beta0, smallest },
    ...(message !== undefined && { message }), time: performance.now() - t0,
  };
}

/** Adaptive damping does not go below this. */
const MIN_DAMPING = 1 / 64;

function record(t: number, a: Float64Array, v: Float64Array, teacher: Float64Array | undefined, residual: number, A: number, damping: number): GampIterate {
  const d = a.length;
  let q = 0;
  let vs = 0;
  let m = 0;
  let e = 0;
  for (let i = 0; i < d; i++) {
    q += a[i] * a[i];
    vs += v[i];
  }
  if (teacher) {
    for (let i = 0; i < d; i++) {
      m += a[i] * teacher[i];
      e += (a[i] - teacher[i]) ** 2;
    }
  }
  return { t, m: teacher ? m / d : NaN, q: q / d, mse: teacher ? e / d : NaN, v: vs / d, residual, A, damping };
}

/** Over the last 20 iterations, q went up and down at least 8 times: a period-2-like oscillation, not a slow drift. */
function oscillates(history: readonly GampIterate[]): boolean {
  const h = history.slice(-21);
  let turns = 0;
  for (let k = 2; k < h.length; k++) if ((h[k].q - h[k - 1].q) * (h[k - 1].q - h[k - 2].q) < 0) turns++;
  return turns >= 8;
}
