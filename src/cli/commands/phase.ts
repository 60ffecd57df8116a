import { resolve } from 'node:path';
import { writeFileAtomic } from '../../io/files.ts';
import { loadModel } from '../../pipeline/load.ts';
import { resolveModel } from '../../pipeline/models.ts';
import { outputFile } from '../../pipeline/plan/outputs.ts';
import { paramsPlan } from '../../pipeline/plan/params.ts';
import { defaultPhaseOut, phasePlan, shardPlan } from '../../pipeline/plan/phase.ts';
import { workersPlan } from '../../pipeline/plan/simulation.ts';
import { solverPlan } from '../../pipeline/plan/solver.ts';
import { listOption, repeated, stringOption } from '../../pipeline/plan/values.ts';
import { phaseSummary, writeLinesCsv, writePhaseCsv } from '../../report/phase-summary.ts';
import { checkOutputPath } from '../../io/files.ts';
import { EXIT } from '../exit.ts';
import { loadOptions, onePositional, parse, PRIOR_HELP, SOLVER_OPTIONS } from '../options.ts';
import { computePhase } from '../phase-run.ts';

export const PHASE_HELP = `saddle phase MODEL --x NAME=START:STOP:COUNT --y NAME=START:STOP:COUNT [options]

A phase diagram over two parameters: at every cell of the grid, every branch (one solve from each
initialisation, cold, so a cell does not depend on its neighbours) with its status and free energy, and the
equilibrium branch (lowest free energy); transition lines traced along x, each point found in y by
\`saddle threshold\`'s root finders to --tol, warm-started from the point before. Cells and line points run on
worker threads and are appended to the output file as they finish: rerunning the same command after an
interruption computes only what is missing. --shard K/N computes one part of N (a batch-scheduler array job);
\`saddle merge\` joins the parts.

Options:
  --x NAME=START:STOP:COUNT[:log]   the horizontal axis (lines are traced along it)
  --y NAME=START:STOP:COUNT[:log]   the vertical axis (lines are thresholds in it)
  --set a=1,b=2       the other parameters
  --inits A,B         the starts solved at each cell (default: every initialisation of the model)
  --lines L1,L2       transition lines: weak-recovery, spinodal, first-order; KIND@INIT names the start of the
                      branch (e.g. weak-recovery@zero); spinodal@INIT:backward follows a high branch down in y
  --observable NAME   the heat map's quantity, on the equilibrium branch (default: the first carried order
                      parameter)
  --out FILE          the results, JSON lines (default results/phase-MODEL-X-Y.jsonl): a header, then one record
                      per cell {i, j, x, y, branches: [{init, status, iterations, residual, state, observables}],
                      selected} and per line point {line, k, x, threshold, found, bracket, tolerance, ...}
  --csv FILE          the cells as CSV: x, y, selected, region, then INIT:status, INIT:iterations,
                      INIT:residual and INIT:NAME for every order parameter and observable of each branch
  --lines-csv FILE    the line points as CSV: line, x, threshold (y), found, tolerance, evaluations, message
  --plot FILE         the heat map with the lines and the model's regions, FILE.svg or FILE.png (2x)
  --workers N         worker threads (default: the machine's cores; 1 computes in this thread)
  --shard K/N         compute only part K of N (deterministic split); write each part to its own --out
  --tol T             absolute tolerance of the line points in y (default 1e-6, as \`saddle threshold\`)
  --damping, --max-iterations, --anderson, --tol   as for \`saddle solve\` (--tol here is the lines')
${PRIOR_HELP}

Exit codes: 0 done, 3 some cell has no converged branch (its record says why), 2 bad input.`;

export async function runPhaseCommand(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...SOLVER_OPTIONS, x: { type: 'string' }, y: { type: 'string' }, lines: { type: 'string' }, observable: { type: 'string' },
    inits: { type: 'string' }, out: { type: 'string' }, csv: { type: 'string' }, 'lines-csv': { type: 'string' },
    plot: { type: 'string', multiple: true }, workers: { type: 'string' }, shard: { type: 'string' },
  });
  if (values.help) { out(PHASE_HELP); return EXIT.ok; }
  const file = resolve(resolveModel(onePositional(positionals, 'phase')));
  const load = loadOptions(values);
  const compiled = loadModel(file, undefined, load);
  const plan = phasePlan(compiled, file, load, paramsPlan(compiled, values.set as string[] | undefined).fixed, solverPlan(values, true), {
    x: stringOption(values.x), y: stringOption(values.y), inits: listOption(values.inits), lines: stringOption(values.lines),
    observable: stringOption(values.observable), tol: values.tol,
  });
  const { x, y, inits, lines } = plan.spec;
  const workers = workersPlan(values.workers);
  const shard = shardPlan(stringOption(values.shard));
  const plots = repeated(values.plot);
  const outFile = stringOption(values.out) ?? defaultPhaseOut(plan.spec, shard);
  const csvFile = stringOption(values.csv);
  const linesFile = stringOption(values['lines-csv']);
  // every output is checked before any work: a FIFO or a device as --out would block or never end
  checkOutputPath(outFile, '--out');
  if (csvFile !== undefined) checkOutputPath(csvFile, '--csv');
  if (linesFile !== undefined) checkOutputPath(linesFile, '--lines-csv');
  for (const p of plots) outputFile(p, '--plot', ['.svg', '.png']);

  const { result, diagram, cells, regions, seconds } = await computePhase(compiled, plan, outFile, workers, shard, out);
  const name = compiled.program.info.name;
  out(`phase diagram of ${name}: ${x.name} (${x.values.length}) x ${y.name} (${y.values.length}), branches ${inits.join(', ')}${lines.length ? `; lines ${lines.map((l) => l.name).join(', ')}` : ''}${shard ? `; shard ${shard.k}/${shard.n}` : ''}`);
  out(`${result.computed} records computed, ${result.reused} from an earlier run, in ${seconds.toFixed(1)} s on ${workers} worker${workers > 1 ? 's' : ''}; written to ${outFile}`);
  for (const line of phaseSummary(diagram, cells, regions)) out(`  ${line}`);
  if (csvFile !== undefined) writePhaseCsv(csvFile, '--csv', diagram, cells, compiled, regions);
  if (linesFile !== undefined) writeLinesCsv(linesFile, '--lines-csv', diagram);
  if (!result.complete) {
    out(shard ? 'this part is done; when every part is, join them: saddle merge PART1 PART2 ... --out FILE' : 'the diagram is incomplete');
  } else if (plots.length) {
    // vega takes a second to load: only when there is a plot
    const heat = await import('../../report/heatmap.ts');
    for (const p of plots) {
      const map = heat.heatMapOf(diagram, name, plan.quantity, regions);
      writeFileAtomic(p, /\.png$/i.test(p) ? await heat.renderHeatMapPng(map) : await heat.renderHeatMapSvg(map));
      out(`wrote ${p}`);
    }
  }
  if (csvFile !== undefined) out(`wrote ${csvFile}`);
  if (linesFile !== undefined) out(`wrote ${linesFile}`);
  return cells.some((c) => c.selected === null) ? EXIT.notConverged : EXIT.ok;
}
