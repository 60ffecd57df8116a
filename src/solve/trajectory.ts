/**
 * The iteration of the update map read as a trajectory: x_0 = start, x_{t+1} = F(x_t), undamped, one
 * sequential sweep per step. For a glm model this is the state evolution of GAMP at each time step: x_t holds
 * q_t, the overlap of the t-th GAMP estimate with the teacher (m_t = q_t on the Nishimori line), and qhat_t,
 * computed during sweep t from q_{t-1} (NaN at t = 0, where no sweep has run yet). See simulate/gamp.ts for how
 * GAMP's iterations line up with these steps.
 */
import type { Problem } from '../compile/compile.ts';
import { UsageError } from '../base/errors.ts';

export interface Trajectory {
  /** Steps taken (x_0 .. x_steps recorded). */
  readonly steps: number;
  /** Order parameter -> its value at t = 0 .. steps. */
  readonly state: Readonly<Record<string, readonly number[]>>;
  /** Observable (and free_energy) -> its value at t = 0 .. steps. */
  readonly observables: Readonly<Record<string, readonly number[]>>;
}

/**
 * `steps` undamped sweeps from `init` (a named initialisation of the model, or start values in state order).
 * A value that becomes NaN stays NaN: the trajectory is recorded as it is, never cut short.
 */
export function trajectory(problem: Problem, init: string | Float64Array, steps: number): Trajectory {
  if (!(Number.isInteger(steps) && steps >= 0)) throw new UsageError(`a trajectory needs a whole number of steps >= 0, got ${steps}`);
  const { stateNames, observableNames, kernels } = problem;
  let x: Float64Array;
  if (typeof init === 'string') {
    const v = problem.inits[init];
    if (!v) throw new UsageError(`model "${problem.model}" has no initialisation \`${init}\``, `its initialisations are: ${Object.keys(problem.inits).join(', ')}`);
    x = Float64Array.from(v);
  } else {
    if (init.length !== stateNames.length) throw new UsageError(`a start needs ${stateNames.length} values (${stateNames.join(', ')}), got ${init.length}`);
    x = Float64Array.from(init);
  }
  const state = stateNames.map(() => [] as number[]);
  const observables = observableNames.map(() => [] as number[]);
  const obs = new Float64Array(observableNames.length);
  const next = new Float64Array(stateNames.length);
  const keep = () => {
    kernels.observables(x, obs);
    x.forEach((v, i) => state[i].push(v));
    obs.forEach((v, i) => observables[i].push(v));
  };
  keep();
  for (let t = 0; t < steps; t++) {
    kernels.update(x, next);
    x.set(next);
    keep();
  }
  return {
    steps,
    state: Object.fromEntries(stateNames.map((s, i) => [s, state[i]])),
    observables: Object.fromEntries(observableNames.map((o, i) => [o, observables[i]])),
  };
}
