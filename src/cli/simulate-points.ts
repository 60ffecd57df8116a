import type { Compiled } from '../compile/compile.ts';
import type { SimulationPlan } from '../pipeline/plan/simulation.ts';
import { closeWorkers, simulateParallel, type Simulatable, type SimulationRun } from '../simulate/run.ts';
import { Progress } from './progress.ts';

/** A parameter point as a key (the same point of several branches is simulated once). */
export const pointKey = (p: Readonly<Record<string, number>>): string => JSON.stringify(p);

/**
 * Runs the simulation of `plan` at every distinct point, in order, with a progress bar over all the trials
 * (`label` names a point on it); `onPoint` is called as each point finishes. The worker pool is closed at the end,
 * whatever happens.
 */
export async function simulatePoints(compiled: Simulatable & Compiled, points: readonly Readonly<Record<string, number>>[], plan: SimulationPlan, workers: number,
  label: (p: Readonly<Record<string, number>>) => string, onPoint?: (point: Readonly<Record<string, number>>, run: SimulationRun) => void): Promise<Map<string, SimulationRun>> {
  const distinct = [...new Map(points.map((p) => [pointKey(p), p])).values()];
  const runs = new Map<string, SimulationRun>();
  const bar = new Progress(distinct.length * plan.trials);
  try {
    for (const p of distinct) {
      const run = await simulateParallel(compiled, p, plan.d, plan.trials, plan.seed, Math.min(workers, plan.trials),
        (t) => bar.tick(`${label(p)}trial ${t.seed.trial}`, t.converged));
      runs.set(pointKey(p), run);
      onPoint?.(p, run);
    }
  } finally {
    await closeWorkers();
  }
  return runs;
}
