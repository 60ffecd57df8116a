/**
 * Theory against simulation at one parameter point: the replica fixed point (solve) and the mean +- standard
 * error of the same quantities over seeded finite-size trials, with a z-score per quantity.
 */
import type { Compiled } from '../compile/compile.ts';
import { solve } from '../solve/iterate.ts';
import type { Solution, SolveOptions } from '../solve/solution.ts';
import { experimentAt, runTrial, summarize, type Summary, type Trial } from '../simulate/experiment.ts';
import type { SimulationSpec } from '../simulate/section.ts';
import { UsageError } from '../errors.ts';

export interface SimulationRun {
  readonly params: Readonly<Record<string, number>>;
  readonly d: number;
  readonly seed: number;
  readonly trials: readonly Trial[];
  readonly summary: Readonly<Record<string, Summary>>;
}

export interface Comparison {
  readonly quantity: string;
  readonly theory: number;
  readonly mean: number;
  readonly se: number;
  /** (mean - theory) / se. */
  readonly z: number;
  /** (mean - theory) / |theory|. */
  readonly relative: number;
  readonly pass: boolean;
}

/** The simulation section of a compiled model, or a usage error naming the fix. */
export function simulationOf(compiled: Compiled): SimulationSpec {
  const spec = compiled.program.model.simulation;
  if (!spec) {
    throw new UsageError(`model "${compiled.program.model.name}" has no \`simulation:\` section`,
      'add one (docs/model-files.md, "simulation"): teacher, channel, estimator and what to measure');
  }
  return spec;
}

/**
 * `trials` seeded trials at size d: trial t uses the stream (seed, t), so a run is reproducible bit for bit and
 * a longer run extends a shorter one. `onTrial` sees each trial as it finishes (progress).
 */
export function simulate(compiled: Compiled, params: Readonly<Record<string, number>>, d: number, trials: number, seed: number,
  onTrial?: (t: Trial) => void): SimulationRun {
  const spec = simulationOf(compiled);
  const problem = compiled.problem(params); // validates the parameter names and ranges
  const values = Object.fromEntries(problem.paramNames.map((p, i) => [p, problem.params[i]]));
  const experiment = experimentAt(spec, values);
  const out: Trial[] = [];
  for (let t = 0; t < trials; t++) {
    const trial = runTrial(experiment, d, { master: seed, trial: t });
    out.push(trial);
    onTrial?.(trial);
  }
  return { params: values, d, seed, trials: out, summary: summarize(out) };
}

/** The theory value of each measured quantity at the run's parameters, and its z-score. */
export function compare(compiled: Compiled, run: SimulationRun, tolerance: number, options: SolveOptions = {}): { solution: Solution; rows: Comparison[] } {
  const solution = solve(compiled.problem(run.params), options);
  const rows = Object.entries(run.summary).map(([quantity, s]) => {
    const theory = quantity in solution.state ? solution.state[quantity] : solution.observables[quantity];
    const gap = s.mean - theory;
    const z = s.se > 0 ? gap / s.se : gap === 0 ? 0 : Math.sign(gap) * Infinity;
    return { quantity, theory, mean: s.mean, se: s.se, z, relative: gap / Math.abs(theory), pass: Math.abs(z) <= tolerance };
  });
  return { solution, rows };
}
