import type { Problem } from '../compile/compile.ts';
import { selectEquilibrium } from './equilibrium.ts';
import { UsageError } from '../base/errors.ts';
import { didYouMean } from '../base/suggest.ts';
import { AndersonMixer } from './anderson.ts';
import type { Origin, Solution, SolveOptions, Status } from './solution.ts';
import { VERSION } from '../base/version.ts';
import { innerFailureMessage } from './inner-failure.ts';
import { quadratureCheck, quadratureWarning } from './quadrature.ts';

const DIVERGED = 1e15;
/** The longest run of plain steps between Anderson restarts after rejected extrapolations. */
const MAX_PLAIN_RUN = 256;
/** An Anderson step is kept when its residual is at most this many times that of the iterate it was mixed from:
 * not 1, as a residual that grows for a few sweeps on its way to the fixed point is normal far from it (hinge at
 * alpha = 10, lambda = 1e-3 took 1241 sweeps with 1, 212 with 2, at memory 5). */
const SAFEGUARD = 2;
/** The largest change of log x_i an extrapolation may add to the plain step (a factor 10). */
const MAX_LOG_STEP = Math.LN10;

/**
 * Damped fixed-point iteration x <- x + damping (F(x) - x), optionally Anderson-accelerated.
 * Convergence is judged on the undamped residual F(x) - x, never on the damped step.
 */
export function solve(problem: Problem, options: SolveOptions = {}): Solution {
  const t0 = performance.now();
  const d = problem.defaults;
  const damping0 = options.damping ?? d.damping ?? 1;
  const rtol = options.rtol ?? d.tol ?? 1e-10;
  const atol = options.atol ?? 1e-12;
  const maxIterations = options.maxIterations ?? d.maxIterations ?? 10_000;
  // "converged" is a claim about these numbers: a tolerance that is infinite (or NaN) would make any state pass.
  if (!(rtol > 0 && Number.isFinite(rtol))) throw new UsageError(`the relative tolerance must be a finite positive number, got ${rtol}`, 'e.g. --tol 1e-10');
  if (!(atol >= 0 && Number.isFinite(atol))) throw new UsageError(`the absolute tolerance must be a finite number >= 0, got ${atol}`);
  if (!(Number.isInteger(maxIterations) && maxIterations > 0)) throw new UsageError(`the iteration budget must be a positive integer, got ${maxIterations}`);
  const adaptive = options.adaptive ?? true;
  const { kernels, lower, upper, stateNames } = problem;
  const n = stateNames.length;

  const { name: initName, x } = start(problem, options.init);

  const fx = new Float64Array(n);
  const r = new Float64Array(n);
  const { carried } = problem;
  const xc = new Float64Array(carried.length);
  const rc = new Float64Array(carried.length);
  const prevR = new Float64Array(carried.length);
  const memory = options.anderson ?? d.anderson ?? 0;
  const mixer = memory ? new AndersonMixer(memory) : undefined;
  const logMixed = carried.map((i) => lower[i] >= 0);
  const history: number[] = [];
  let damping = damping0;
  let prevScaled = Infinity;
  let bestScaled = Infinity; // smallest residual since the mixer last restarted
  let plainUntil = 0; // after a rejected extrapolation, plain (damped) steps until this iteration
  let extrapolated = false; // x is an Anderson step; `plain` holds the damped step it replaced
  const plain = new Float64Array(n);
  // Plain steps after a rejected extrapolation; doubled at each rejection in a row, back to the minimum after a
  // step that the safeguard accepted.
  const minPlainRun = 2 * memory;
  let plainRun = minPlainRun;
  let residual = NaN;
  let status: Status = 'max-iterations';
  let message: string | undefined;
  let it = 0;

  kernels.innerFailure?.(); // forget what an earlier caller left
  for (; it < maxIterations; it++) {
    kernels.update(x, fx);
    const inner = kernels.innerFailure?.(); // an inner problem of this sweep that failed its checks
    // Values with no start (conjugates assigned before they are read) take their first update as-is.
    if (it === 0) for (let i = 0; i < n; i++) if (Number.isNaN(x[i])) x[i] = fx[i];
    let bad = -1;
    let out = -1;
    let converged = true;
    residual = 0;
    for (let i = 0; i < n; i++) {
      const v = fx[i];
      if (!Number.isFinite(v)) { bad = i; break; }
      if (v < lower[i] || v > upper[i]) out = i;
      r[i] = v - x[i];
      const a = Math.abs(r[i]);
      if (a > residual) residual = a;
      // written so that NaN or Infinity (an infinite start) never passes
      if (!(a <= atol + rtol * Math.abs(x[i]))) converged = false;
    }
    if (options.history) history.push(residual);
    if (extrapolated && !converged && it + 1 < maxIterations
      && (bad >= 0 || out >= 0 || !(scaledResidual(r, x, carried, atol, rtol) <= SAFEGUARD * prevScaled))) {
      // Safeguard: an Anderson step is kept only if its residual is not far above that of the iterate it was mixed
      // from (SAFEGUARD). Otherwise (it left the region where F is defined, e.g. broke q >= m^2, which plain steps
      // keep; or the linear model of F is wrong here, and accepting such steps can cycle for ever, as hinge at
      // alpha = 5, lambda = 1e-3 did with memory 5) take the plain step from that iterate instead, and restart
      // the mixer after plain steps, more of them after each rejection in a row.
      x.set(plain);
      extrapolated = false;
      mixer!.reset();
      plainUntil = it + 1 + plainRun;
      plainRun = Math.min(2 * plainRun, MAX_PLAIN_RUN);
      continue;
    }
    if (extrapolated) plainRun = minPlainRun;
    if (bad >= 0 && inner) {
      status = 'inner-failed';
      message = innerFailureMessage(problem, inner, `and the update of \`${stateNames[bad]}\` gave ${fx[bad]} at iteration ${it + 1}`);
      residual = NaN;
      break;
    }
    if (bad >= 0) {
      status = 'non-finite';
      message = `the update of \`${stateNames[bad]}\` gave ${fx[bad]} at iteration ${it + 1}`;
      residual = NaN;
      break;
    }
    if (out >= 0) {
      status = 'invalid-domain';
      message = `the update of \`${stateNames[out]}\` gave ${fx[out]}, outside [${lower[out]}, ${upper[out]}], at iteration ${it + 1}`;
      break;
    }
    if (converged && Number.isFinite(residual)) {
      // A fixed point of equations whose inner problem failed is not a solution of the model.
      if (inner) {
        status = 'inner-failed';
        message = innerFailureMessage(problem, inner, `in the last sweep (iteration ${it + 1}, residual ${residual.toExponential(2)})`);
      } else status = 'converged';
      break;
    }
    if (residual > DIVERGED || !(maxAbs(x) <= DIVERGED)) {
      status = 'diverged';
      message = `the residual reached ${residual.toExponential(2)} at iteration ${it + 1}`;
      break;
    }
    if (it + 1 === maxIterations) break; // report the state whose residual was measured, not one step past it
    // Damping and Anderson act on the carried values only; intermediates are recomputed every sweep anyway.
    let scaled = 0;
    let turn = 0;
    for (let k = 0; k < carried.length; k++) {
      const i = carried[k];
      xc[k] = x[i];
      const w = 1 / (atol + rtol * Math.abs(x[i]));
      turn += r[i] * w * prevR[k] * w;
      prevR[k] = rc[k] = r[i];
      scaled = Math.max(scaled, Math.abs(r[i]) * w);
    }
    // Overshooting shows as a residual that grows while the step turns back: damp harder. A residual that
    // grows along a steady direction is a slow drift toward a far fixed point, where damping only slows it.
    if (adaptive) {
      if (scaled > prevScaled && turn < 0) {
        damping = Math.max(damping / 2, 1e-4);
        mixer?.reset();
      } else damping = Math.min(damping0, damping * 1.2);
    }
    prevScaled = scaled;
    // Anderson extrapolates from a linear model of F; far from the fixed point it can throw the iterate where
    // F is nonlinear (or clamped) and stall there. A residual 4x above the best seen restarts it after a few
    // plain steps from here (Anderson with restarts; Walker & Ni 2011 sec. 5).
    if (mixer && scaled > 4 * bestScaled) {
      mixer.reset();
      plainUntil = it + 2 * memory;
      bestScaled = scaled;
    }
    bestScaled = Math.min(bestScaled, scaled);
    const mixes = it >= plainUntil && mixer !== undefined && mixer.size > 0; // else its step is the plain one
    let next = it >= plainUntil ? mixStep(mixer, xc, rc, damping, logMixed) : undefined;
    if (next && !carried.every((i, k) => next![k] >= lower[i] && next![k] <= upper[i])) {
      mixer!.reset();
      next = undefined;
    }
    x.set(fx);
    for (let k = 0; k < carried.length; k++) x[carried[k]] = xc[k] + damping * rc[k];
    extrapolated = next !== undefined && mixes;
    if (next) {
      plain.set(x);
      for (let k = 0; k < carried.length; k++) x[carried[k]] = next[k];
    }
  }
  if (status === 'max-iterations') {
    it = maxIterations;
    message = `the residual was ${residual.toExponential(2)} after ${it} iterations (damping ${damping.toPrecision(3)})`;
  } else it += 1;

  const obs = new Float64Array(problem.observableNames.length);
  if (status !== 'non-finite') kernels.observables(x, obs);
  else obs.fill(NaN);
  const innerObs = kernels.innerFailure?.();
  if (innerObs && status === 'converged') {
    status = 'inner-failed';
    message = innerFailureMessage(problem, innerObs, 'in the observables at the converged state');
  }
  // A converged state whose observable is not a number is still a fixed point, but the number is not usable.
  const warnings = status === 'converged'
    ? problem.observableNames.flatMap((o, i) => (Number.isFinite(obs[i]) ? [] : [`observable \`${o}\` is ${obs[i]} at the converged state`]))
    : [];
  // x is the state F was last evaluated at (a converged solve stops before its step): fx = F_n(x).
  const quad = status === 'converged' && (options.quadratureCheck ?? true) ? quadratureWarning(quadratureCheck(problem, x, fx, obs, rtol, atol), rtol) : undefined;
  if (quad) warnings.push(quad);
  return {
    status,
    params: Object.fromEntries(problem.paramNames.map((p, i) => [p, problem.params[i]])),
    origin: originOf(problem),
    iterations: it,
    residual,
    state: Object.fromEntries(stateNames.map((s, i) => [s, x[i]])),
    observables: Object.fromEntries(problem.observableNames.map((o, i) => [o, obs[i]])),
    time: performance.now() - t0,
    init: initName,
    ...(message !== undefined && { message }),
    ...(warnings.length > 0 && { warnings }),
    ...(options.history && { history }),
  };
}

/** The start values: a named initialisation of the model (default `uninformed`) or explicit values. */
function start(problem: Problem, init: SolveOptions['init']): { name: string; x: Float64Array } {
  if (init instanceof Float64Array) {
    const n = problem.stateNames.length;
    if (init.length !== n) throw new UsageError(`a start needs ${n} values (${problem.stateNames.join(', ')}), got ${init.length}`);
    for (const i of problem.carried) {
      if (!Number.isFinite(init[i])) throw new UsageError(`the start value of \`${problem.stateNames[i]}\` must be a finite number, got ${init[i]}`);
    }
    return { name: 'warm', x: Float64Array.from(init) };
  }
  const name = init ?? 'uninformed';
  const values = Object.hasOwn(problem.inits, name) ? problem.inits[name] : undefined;
  if (!values) {
    const names = Object.keys(problem.inits);
    throw new UsageError(`model "${problem.model}" has no initialisation \`${name}\``,
      `${didYouMean(name, names) ?? ''} its initialisations are: ${names.join(', ')}`.trim());
  }
  return { name, x: Float64Array.from(values) };
}

/** The origin of every number solved from `problem`. */
export function originOf(problem: Problem): Origin {
  return { model: problem.model, file: problem.file, sha256: problem.sha256, data: problem.data ?? [], version: VERSION };
}

/**
 * The mixer's next iterate, with the values that are positive by declaration (min >= 0: variances, self-overlaps)
 * mixed in log coordinates: an order parameter that grows or shrinks geometrically for many sweeps (V ~ 1/lambda
 * at small penalties) is a linear drift there, which Anderson extrapolates exactly. Undefined (a plain step) when
 * such a value or its update is not positive.
 */
function mixStep(mixer: AndersonMixer | undefined, xc: Float64Array, rc: Float64Array, damping: number, logMixed: readonly boolean[]): Float64Array | undefined {
  if (!mixer) return undefined;
  if (!logMixed.some(Boolean)) return mixer.next(xc, rc, damping);
  const u = new Float64Array(xc.length);
  const g = new Float64Array(xc.length);
  for (let k = 0; k < xc.length; k++) {
    if (!logMixed[k]) { u[k] = xc[k]; g[k] = rc[k]; continue; }
    const f = xc[k] + rc[k];
    if (!(xc[k] > 0 && f > 0)) { mixer.reset(); return undefined; }
    u[k] = Math.log(xc[k]);
    g[k] = Math.log(f) - u[k];
  }
  const next = mixer.next(u, g, damping);
  for (let k = 0; k < xc.length; k++) {
    if (!logMixed[k]) continue;
    // An extrapolation in log coordinates goes at most a factor e^MAX_LOG_STEP beyond the plain step (exp of a far
    // extrapolation overflows, and the residual, relative to |x|, would not say so).
    const step = u[k] + damping * g[k];
    if (Number.isNaN(next[k])) { mixer.reset(); return undefined; }
    next[k] = Math.exp(Math.min(step + MAX_LOG_STEP, Math.max(step - MAX_LOG_STEP, next[k])));
  }
  return next;
}

/** max over the carried values of |r_i| / (atol + rtol |x_i|): the residual in units of the tolerance. */
function scaledResidual(r: Float64Array, x: Float64Array, carried: readonly number[], atol: number, rtol: number): number {
  let s = 0;
  for (const i of carried) s = Math.max(s, Math.abs(r[i]) / (atol + rtol * Math.abs(x[i])));
  return s;
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** The converged solutions grouped into distinct fixed points, and the equilibrium among them. */
export interface FixedPoints {
  readonly solutions: readonly Solution[];
  readonly distinct: readonly Solution[];
  /** For each solution, the index of its fixed point in `distinct` (undefined when it did not converge). */
  readonly pointOf: readonly (number | undefined)[];
  /** Index in `distinct` of the fixed point with the lowest free energy (the thermodynamically selected one);
   * undefined when the model declares no free_energy or nothing converged. */
  readonly selected?: number;
}

/** Solves from each named initialisation and groups the converged ones into distinct fixed points. */
export function solveFromEach(problem: Problem, inits: readonly string[], options: SolveOptions = {}): FixedPoints {
  const solutions = inits.map((init) => solve(problem, { ...options, init }));
  const distinct: Solution[] = [];
  const pointOf = solutions.map((s) => {
    if (s.status !== 'converged') return undefined;
    const same = distinct.findIndex((d) => problem.stateNames.every((k) =>
      Math.abs(d.state[k] - s.state[k]) <= 1e-6 * (1 + Math.abs(d.state[k]))));
    return same >= 0 ? same : distinct.push(s) - 1;
  });
  if (!problem.observableNames.includes('free_energy') || distinct.length === 0) return { solutions, distinct, pointOf };
  const best = selectEquilibrium(solutions.map((s) => ({ status: s.status, freeEnergy: s.observables.free_energy })));
  return { solutions, distinct, pointOf, ...(best !== undefined && pointOf[best] !== undefined && { selected: pointOf[best] }) };
}
