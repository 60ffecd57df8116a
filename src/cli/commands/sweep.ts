import { extname } from 'node:path';
import { writeFileAtomic } from '../../io/files.ts';
import type { LoadedModel } from '../../pipeline/load.ts';
import { simulationOverlay } from '../../report/overlay.ts';
import { sweepPlot } from '../../report/sweep-plot.ts';
import type { SimulationRun } from '../../simulate/run.ts';
import { cells, columns, CsvWriter, textTable, csvLine } from '../../report/table.ts';
import { jsonNumbers } from '../../io/json.ts';
import { MAX_GRID_POINTS, type Axis } from '../../sweep/axis.ts';
import { sweep, sweepGrid, type Direction, type SweepRow } from '../../sweep/continuation.ts';
import { UsageError } from '../../base/errors.ts';
import { VERSION } from '../../base/version.ts';
import { checkLogAxis, directionPlan, gridPoints, LINE_OR_GRID, sweepAxes } from '../../pipeline/plan/axes.ts';
import { initPlan, type InitPlan } from '../../pipeline/plan/inits.ts';
import { distinctOutputs, outputFile } from '../../pipeline/plan/outputs.ts';
import { paramsPlan, type ParamsPlan } from '../../pipeline/plan/params.ts';
import { defaultQuantities, quantityList } from '../../pipeline/plan/quantities.ts';
import { checkSimulationSize, simulationPlan, workersPlan, type SimulationPlan } from '../../pipeline/plan/simulation.ts';
import { solverPlan } from '../../pipeline/plan/solver.ts';
import { listOption, repeated, stringOption, type OptionValues } from '../../pipeline/plan/values.ts';
import type { SolveOptions } from '../../solve/solution.ts';
import { EXIT } from '../exit.ts';
import { modelArgument, parse, PRIOR_HELP, SOLVER_OPTIONS } from '../options.ts';
import { Progress } from '../progress.ts';
import { Outputs } from '../save.ts';
import { pointKey, simulatePoints } from '../simulate-points.ts';

export const SWEEP_HELP = `saddle sweep MODEL --param NAME=START:STOP:COUNT [options]

Solve MODEL along a range of one parameter, or on a grid of two, with warm-start continuation: each point
starts from its neighbour's solution; a failed step is halved and retried, then restarted cold. Every point
gives a row with its status: no point is dropped.

Options:
  --param NAME=START:STOP:COUNT[:log]   the swept parameter (evenly spaced, or geometric with :log);
                      give --param twice for a 2-D grid (the first is swept by continuation)
  --set a=1,b=2       fixed values of the other parameters
  --direction D       forward (default), backward, or both (two branches: exposes hysteresis)
  --init NAME         initialisation of the first point and of cold restarts (default: uninformed);
                      \`all\`: one branch per named initialisation, and when the model has a free_energy the
                      column \`selected\` marks at each point the branch of lowest free energy (the equilibrium)
  --out FILE          write the rows to FILE.csv (row by row, as they are solved; with --simulate, as the
                      simulation of their point finishes) or FILE.json (whole, when the sweep ends: written to
                      a temporary file, then renamed, so it is never left half-written); columns:
                      swept parameters, order parameters, observables, status, iterations, residual, branch,
                      selected
  --plot FILE         plot to FILE.svg or FILE.png (repeatable)
  --y A,B             quantities to plot (order parameters or observables; default: the observables)
  --log-x, --log-y    logarithmic plot axes (also --logx, --logy). A swept range that reaches 0 or below
                      is refused; values <= 0 of a plotted quantity are left out of the plot, with a note
                      under its title and on the terminal (the rows keep them)
  --damping, --tol, --max-iterations, --anderson   as for \`saddle solve\`
${PRIOR_HELP}

  --simulate d=D,trials=T[,seed=S]   also run the model's simulation section at every point of a line
                      (saddle simulate): columns sim_<quantity> and sim_<quantity>_se (mean and standard
                      error over the trials), sim_trials, sim_d, sim_seed; error bars on the plot
  --workers N         worker threads for the trials of --simulate (default: the number of cores; 1 runs
                      in-process); the numbers are the same with any N (trial t of a point uses the seed (S, t))

  --optimize P[,P2] --minimize Q (or --maximize Q)   the optimum of Q over P at every point of the line
                      (saddle optimize at each point; \`saddle sweep --optimize P --help\` tells more)

Exit codes: 0 every point converged, 3 some points did not (their rows say why), 2 bad input.`;

export async function runSweep(argv: readonly string[], out: (s: string) => void): Promise<number> {
  // --optimize: the optimum at every point of the line, a search per point (commands/optimize.ts)
  if (argv.some((a) => a === '--optimize' || a.startsWith('--optimize='))) return (await import('./optimize.ts')).runSweepOptimize(argv, out);
  const { values, positionals } = parse(argv, SWEEP_OPTIONS);
  if (values.help) { out(SWEEP_HELP); return EXIT.ok; }
  const compiled = modelArgument(positionals, 'sweep', values);
  const plan = sweepPlan(compiled, values);
  const csv = plan.format === '.csv' ? new CsvWriter(plan.out!, plan.columns, '--out') : undefined;
  const { rows, sims } = await runSweepPlan(compiled, plan, csv);
  const outputs = new Outputs();
  await writeRows(compiled, plan, rows, (r) => rowCells(plan, r, sims), outputs);
  const notes = await writePlots(compiled, plan, rows, sims, outputs);
  printSweep(plan, rows, notes, outputs, out);
  outputs.rethrow();
  return rows.some((r) => r.solution.status !== 'converged') ? EXIT.notConverged : EXIT.ok;
}

const SWEEP_OPTIONS = {
  ...SOLVER_OPTIONS,
  param: { type: 'string', multiple: true }, direction: { type: 'string' }, out: { type: 'string' },
  plot: { type: 'string', multiple: true }, y: { type: 'string' }, logx: { type: 'boolean' }, logy: { type: 'boolean' },
  'log-x': { type: 'boolean' }, 'log-y': { type: 'boolean' }, simulate: { type: 'string' }, workers: { type: 'string' },
} as const;

/** A sweep as asked for, checked before any work. */
interface SweepPlan {
  readonly params: ParamsPlan;
  readonly axes: readonly Axis[];
  readonly starts: InitPlan;
  readonly direction: Direction | 'both';
  readonly solver: Omit<SolveOptions, 'init'>;
  readonly ys: readonly string[];
  readonly logX: boolean;
  readonly logY: boolean;
  readonly out?: string;
  readonly format?: string;
  readonly plots: readonly string[];
  readonly simulation?: SimulationPlan & { readonly workers: number };
  /** Every column of the rows: the sweep's, then the simulation's. */
  readonly columns: readonly string[];
  readonly simColumns: readonly string[];
  /** Rows: points x branches. */
  readonly total: number;
}

function sweepPlan(compiled: LoadedModel, values: OptionValues): SweepPlan {
  const params = paramsPlan(compiled, values.set as string[] | undefined);
  const axes = sweepAxes(compiled, params.fixed, repeated(values.param), LINE_OR_GRID);
  const direction = directionPlan(stringOption(values.direction));
  const ys = quantityList(compiled, listOption(values.y), '--y') ?? defaultQuantities(compiled);
  const out = stringOption(values.out);
  const format = out === undefined ? undefined : outputFile(out, '--out', ['.csv', '.json']);
  const plots = repeated(values.plot);
  for (const p of plots) outputFile(p, '--plot', ['.svg', '.png']);
  distinctOutputs([...(out === undefined ? [] : [out]), ...plots]);
  const logX = Boolean(values['log-x'] || values.logx);
  if (logX) checkLogAxis(axes[0]);
  const starts = initPlan(compiled, stringOption(values.init));
  const sim = values.simulate === undefined ? undefined : simulationPlan(compiled, String(values.simulate));
  if (!sim && values.workers !== undefined) throw new UsageError('--workers runs the trials of --simulate', 'add --simulate d=D,trials=T or drop --workers');
  if (sim) checkSimulationSize(compiled, gridPoints(params.fixed, axes), sim.d, '--simulate');
  const simColumns = sim ? [...sim.quantities.flatMap((q) => [`sim_${q}`, `sim_${q}_se`]), 'sim_trials', 'sim_d', 'sim_seed'] : [];
  const base = compiled.problem(params.fixed);
  const total = axes.reduce((n, a) => n * a.values.length, (direction === 'both' ? 2 : 1) * (starts.inits?.length ?? 1));
  if (total > MAX_GRID_POINTS) {
    throw new UsageError(`the sweep would make ${total.toLocaleString('en-US')} rows (points x branches), more than the ${MAX_GRID_POINTS.toLocaleString('en-US')} allowed`,
      'fewer points, one --direction, or one --init');
  }
  return {
    params, axes, starts, direction, solver: solverPlan(values), ys, logX, logY: Boolean(values['log-y'] || values.logy),
    ...(out !== undefined && { out, format }), plots,
    ...(sim && { simulation: { ...sim, workers: workersPlan(values.workers, sim.trials) } }),
    columns: [...columns(axes.map((a) => a.name), base), ...simColumns], simColumns, total,
  };
}

/**
 * The sweep, then (with --simulate) the simulation at each of its points. Rows go to `csv` as they are solved, or,
 * with a simulation, as the simulation of their point finishes, in sweep order.
 */
async function runSweepPlan(compiled: LoadedModel, plan: SweepPlan, csv: CsvWriter | undefined): Promise<{ rows: SweepRow[]; sims: Map<string, SimulationRun> }> {
  const swept = plan.axes.map((a) => a.name);
  const at = (p: Readonly<Record<string, number>>) => swept.map((k) => `${k}=${+p[k].toPrecision(4)}`).join(' ');
  const sims = new Map<string, SimulationRun>();
  const progress = new Progress(plan.total);
  const options = {
    ...plan.solver, direction: plan.direction, ...plan.starts,
    onRow: (row: SweepRow) => {
      if (!plan.simulation) csv?.writeCells(rowCells(plan, row, sims));
      progress.tick(at(row.params), row.solution.status === 'converged');
    },
  };
  const [inner, outer] = plan.axes;
  const rows = outer ? sweepGrid(compiled, plan.params.fixed, inner, outer, options) : sweep(compiled, plan.params.fixed, inner, options);
  if (!plan.simulation) return { rows, sims };
  let written = 0; // rows in sweep order, each as soon as its point is simulated
  const done = await simulatePoints(compiled, rows.map((r) => r.params), plan.simulation, plan.simulation.workers, (p) => `${at(p)} `, (point, run) => {
    sims.set(pointKey(point), run);
    while (csv && written < rows.length && sims.has(pointKey(rows[written].params))) csv.writeCells(rowCells(plan, rows[written++], sims));
  });
  return { rows, sims: done };
}

/** A row's cells: the sweep's columns, then its point's simulation (mean, standard error, trials, d, seed). */
function rowCells(plan: SweepPlan, r: SweepRow, sims: ReadonlyMap<string, SimulationRun>): (string | number)[] {
  const run = sims.get(pointKey(r.params));
  const extra = plan.simColumns.map((c) => {
    if (!run) return '';
    if (c === 'sim_trials') return run.trials.filter((t) => t.converged).length;
    if (c === 'sim_d') return run.d;
    if (c === 'sim_seed') return run.seed;
    const se = c.endsWith('_se');
    const s = run.summary[c.slice(4, se ? -3 : undefined)];
    return se ? s.se : s.mean;
  });
  return [...cells(r, plan.columns.slice(0, plan.columns.length - plan.simColumns.length)), ...extra];
}

/**
 * The rows to --out: JSON whole at the end; a CSV was written row by row, and is written again, whole, when the
 * equilibrium among several branches (`selected`) is known only now.
 */
async function writeRows(compiled: LoadedModel, plan: SweepPlan, rows: readonly SweepRow[], cellsOf: (r: SweepRow) => (string | number)[], outputs: Outputs): Promise<void> {
  const file = plan.out;
  if (file === undefined) return;
  if (plan.format === '.json') {
    const base = compiled.problem(plan.params.fixed);
    const swept = plan.axes.map((a) => a.name);
    const params = Object.fromEntries(base.paramNames.filter((p) => !swept.includes(p)).map((p) => [p, base.params[base.paramNames.indexOf(p)]]));
    const json = JSON.stringify({ model: base.model, file: base.file, model_sha256: base.sha256, data_sha256: base.data ?? [], saddle_version: VERSION, params, axes: plan.axes, columns: plan.columns,
      rows: rows.map((r) => {
        const values = cellsOf(r);
        return Object.fromEntries(plan.columns.map((c, j) => [c, values[j]]));
      }) }, jsonNumbers, 1);
    await outputs.save(file, () => writeFileAtomic(file, json));
  } else if (!rows.some((r) => r.selected !== undefined)) {
    outputs.written.add(file);
  } else {
    await outputs.save(file, () => writeFileAtomic(file, `${[plan.columns, ...rows.map(cellsOf)].map(csvLine).join('\n')}\n`));
  }
}

/** The plots (vega and resvg take a second to load: only when a plot is asked for); the first plot's notes. */
async function writePlots(compiled: LoadedModel, plan: SweepPlan, rows: readonly SweepRow[], sims: ReadonlyMap<string, SimulationRun>, outputs: Outputs): Promise<string[]> {
  if (!plan.plots.length) return [];
  const { prettySymbol, renderSvg, renderPng, plotNotes } = await import('../../report/plot.ts');
  const fixed = plan.params.fixed;
  const title = `${compiled.program.info.name}${Object.keys(fixed).length ? ': ' + Object.entries(fixed).map(([k, v]) => `${prettySymbol(k)} = ${v}`).join(', ') : ''}`;
  const [inner, outer] = plan.axes;
  const plot = sweepPlot(rows, { title, x: inner.name, ys: plan.ys, ...(outer && { outer: outer.name }), logX: plan.logX, logY: plan.logY });
  const sim = plan.simulation;
  const full = sim ? simulationOverlay(plot, sims.values(), plan.ys, inner.name, `simulation, mean ± SE, ${sim.trials} trials, d = ${sim.d}`) : plot;
  for (const p of plan.plots) await outputs.save(p, async () => writeFileAtomic(p, extname(p).toLowerCase() === '.png' ? await renderPng(full) : await renderSvg(full)));
  return plotNotes(full);
}

/** A sample of the rows (at most ~15), the counts, the first failures, the files written. */
function printSweep(plan: SweepPlan, rows: readonly SweepRow[], notes: readonly string[], outputs: Outputs, out: (s: string) => void): void {
  const swept = plan.axes.map((a) => a.name);
  const several = plan.direction === 'both' || (plan.starts.inits?.length ?? 1) > 1;
  const shown = [...swept, ...plan.ys, 'status', 'iterations', ...(several ? ['branch'] : []), ...(rows.some((r) => r.selected !== undefined) ? ['selected'] : [])];
  const every = Math.max(1, Math.ceil(rows.length / 15));
  const sample = rows.filter((_, i) => i % every === 0 || i === rows.length - 1);
  out(textTable(shown, sample.map((r) => cells(r, shown))));
  const failed = rows.filter((r) => r.solution.status !== 'converged');
  out(`${rows.length} points${every > 1 ? ` (1 in ${every} shown)` : ''}, ${rows.length - failed.length} converged, ${failed.length} not converged`);
  for (const f of failed.slice(0, 5)) out(`  ${swept.map((k) => `${k}=${f.params[k]}`).join(' ')}: ${f.solution.status}: ${f.solution.message ?? ''}`);
  if (plan.out !== undefined && outputs.written.has(plan.out)) out(`rows written to ${plan.out}`);
  for (const p of plan.plots) if (outputs.written.has(p)) out(`plot written to ${p}`);
  for (const n of notes) out(`  plot: ${n}; the rows keep every point`);
}
