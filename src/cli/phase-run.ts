import type { LoadedModel } from '../pipeline/load.ts';
import type { PhasePlan, Shard } from '../pipeline/plan/phase.ts';
import type { CellRecord } from '../phase/compute.ts';
import { diagramOf } from '../phase/diagram.ts';
import { runPhase } from '../phase/run.ts';
import { formatWarning, type PhaseWarning } from '../phase/validate.ts';
import { fmt } from '../report/table.ts';
import { Progress } from './progress.ts';

/**
 * Runs (or resumes) a phase diagram with a progress bar (saddle phase, saddle report --phase-x): the diagram, its
 * cells, the model's regions, the time. `warn` gets each line of the file dropped when it is opened (a corrupt
 * record, a duplicate), before any work.
 */
export async function computePhase(compiled: LoadedModel, plan: PhasePlan, out: string, workers: number, shard?: Shard, warn?: (message: string) => void) {
  const { x, y } = plan.spec;
  const t0 = performance.now();
  let progress: Progress | undefined;
  const result = await runPhase(compiled, plan.spec, {
    out, workers, ...(shard && { shard }), ...(warn && { onWarning: (w: PhaseWarning) => warn(formatWarning(w)) }),
    onProgress: (_done, total, records) => {
      progress ??= new Progress(total);
      for (const r of records) progress.tick(r.type === 'cell' ? `${x.name}=${fmt(r.x)} ${y.name}=${fmt(r.y)}` : `${r.line} at ${x.name}=${fmt(r.x)}`, r.type === 'line' || r.selected !== null);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const diagram = diagramOf(result.header.spec, result.records);
  const cells = result.records.filter((r): r is CellRecord => r.type === 'cell');
  return { result, diagram, cells, regions: compiled.regions, seconds };
}
