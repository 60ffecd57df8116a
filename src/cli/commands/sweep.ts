import { availableParallelism } from 'node:os';
import { extname, resolve } from 'node:path';
import { IoError, UsageError } from '../../base/errors.ts';
import { checkOutputPath, writeFileAtomic } from '../../io/files.ts';
import { loadModel } from '../../pipeline/load.ts';
import { didYouMean } from '../../base/suggest.ts';
import { simulationOverlay } from '../../report/overlay.ts';
import { sweepPlot } from '../../report/sweep-plot.ts';
import { closeWorkers, simulateParallel, type SimulationRun } from '../../simulate/run.ts';
import { cells, columns, CsvWriter, textTable, csvLine } from '../../report/table.ts';
import { jsonNumbers } from '../../io/json.ts';
import { checkGridSize, MAX_GRID_POINTS, parseAxis, type Axis } from '../../sweep/axis.ts';
import { sweep, sweepGrid, type Direction, type SweepRow } from '../../sweep/continuation.ts';
import { VERSION } from '../../base/version.ts';
import { EXIT } from '../exit.ts';
import { resolveModel } from '../../pipeline/models.ts';
import { loadOptions, num, onePositional, parse, parseSet, PRIOR_HELP, SOLVER_OPTIONS, solveOptions } from '../options.ts';
import { Progress } from '../progress.ts';
import { checkSimulationSize, simulationPlan } from '../simulation-plan.ts';

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

Exit codes: 0 every point converged, 3 some points did not (their rows say why), 2 bad input.`;

export async function runSweep(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...SOLVER_OPTIONS,
    param: { type: 'string', multiple: true }, direction: { type: 'string' }, out: { type: 'string' },
    plot: { type: 'string', multiple: true }, y: { type: 'string' }, logx: { type: 'boolean' }, logy: { type: 'boolean' },
    'log-x': { type: 'boolean' }, 'log-y': { type: 'boolean' }, simulate: { type: 'string' }, workers: { type: 'string' },
  });
  if (values.help) { out(SWEEP_HELP); return EXIT.ok; }
  const compiled = loadModel(resolveModel(onePositional(positionals, 'sweep')), undefined, loadOptions(values));
  const fixed = parseSet(values.set as string[] | undefined);
  const base = compiled.problem(fixed); // checks the fixed values
  const axes: Axis[] = ((values.param as string[] | undefined) ?? []).map(parseAxis);
  if (axes.length < 1 || axes.length > 2) throw new UsageError('give one --param (a line) or two (a grid)', 'e.g. --param alpha=0.1:5:50');
  if (axes.length === 2 && axes[0].name === axes[1].name) {
    throw new UsageError(`--param ${axes[0].name} is given twice`, 'a grid sweeps two different parameters: --param alpha=0.5:2:16 --param lambda=0.01:1:5');
  }
  for (const a of axes) {
    if (Object.hasOwn(fixed, a.name)) throw new UsageError(`\`${a.name}\` is both swept (--param) and fixed (--set)`, `drop ${a.name} from --set, or sweep another parameter`);
  }
  checkGridSize(axes);
  for (const a of axes) {
    if (!base.paramNames.includes(a.name)) {
      throw new UsageError(`model "${base.model}" has no parameter \`${a.name}\``, didYouMean(a.name, base.paramNames) ?? `its parameters: ${base.paramNames.join(', ')}`);
    }
    for (const v of a.values) compiled.problem({ ...fixed, [a.name]: v }); // bounds are checked before any work
  }
  const direction = (values.direction as string | undefined) ?? 'forward';
  if (!['forward', 'backward', 'both'].includes(direction)) throw new UsageError(`--direction ${direction}: use forward, backward or both`);
  const quantities = [...base.stateNames, ...base.observableNames];
  const ys = values.y ? String(values.y).split(',').map((s) => s.trim()).filter(Boolean) : base.observableNames.length ? [...base.observableNames] : [...base.stateNames];
  for (const y of ys) {
    if (!quantities.includes(y)) throw new UsageError(`--y ${y}: not an order parameter or observable of "${base.model}"`, didYouMean(y, quantities) ?? `choose from: ${quantities.join(', ')}`);
  }
  const outFile = values.out as string | undefined;
  if (outFile !== undefined) {
    if (!['.csv', '.json'].includes(extname(outFile))) throw new UsageError(`--out ${outFile}: write to a .csv or .json file`);
    checkOutputPath(outFile, '--out');
  }
  const asCsv = outFile !== undefined && extname(outFile) === '.csv';
  const plots = (values.plot as string[] | undefined) ?? [];
  for (const p of plots) {
    if (!['.svg', '.png'].includes(extname(p))) throw new UsageError(`--plot ${p}: write to a .svg or .png file`);
    checkOutputPath(p, '--plot');
  }
  const files = [...(outFile === undefined ? [] : [outFile]), ...plots];
  const twice = files.find((f, i) => files.findIndex((g) => resolve(g) === resolve(f)) !== i);
  if (twice !== undefined) throw new UsageError(`${twice} is given twice as an output`, 'give each output its own file');
  const logX = Boolean(values['log-x'] || values.logx);
  const logY = Boolean(values['log-y'] || values.logy);
  const nonPositive = axes[0].values.filter((v) => !(v > 0));
  if (logX && nonPositive.length) {
    throw new UsageError(`--log-x: ${axes[0].name} takes ${nonPositive.length} value${nonPositive.length > 1 ? 's' : ''} <= 0 (${nonPositive.slice(0, 3).join(', ')}), which a log axis cannot place`,
      `sweep a positive range (e.g. --param ${axes[0].name}=0.1:10:50:log) or drop --log-x`);
  }

  const inits = values.init === 'all' ? Object.keys(base.inits) : undefined;
  if (values.init !== undefined && !inits && !(String(values.init) in base.inits)) {
    throw new UsageError(`model "${base.model}" has no initialisation \`${values.init}\``, `its initialisations are: ${Object.keys(base.inits).join(', ')}`);
  }
  const swept = axes.map((a) => a.name);
  const plan = values.simulate === undefined ? undefined : simulationPlan(String(values.simulate), compiled);
  const sim = plan && { ...plan, workers: Math.min(num(values.workers, 'workers', (x) => Number.isInteger(x) && x >= 1, 'a positive integer') ?? availableParallelism(), plan.trials) };
  if (!sim && values.workers !== undefined) throw new UsageError('--workers runs the trials of --simulate', 'add --simulate d=D,trials=T or drop --workers');
  if (sim) checkSimulationSize(compiled, gridPoints(fixed, axes), sim.d, '--simulate');
  const simCols = sim ? [...sim.quantities.flatMap((q) => [`sim_${q}`, `sim_${q}_se`]), 'sim_trials', 'sim_d', 'sim_seed'] : [];
  const cols = [...columns(swept, base), ...simCols];
  const total = axes.reduce((n, a) => n * a.values.length, (direction === 'both' ? 2 : 1) * (inits?.length ?? 1));
  if (total > MAX_GRID_POINTS) {
    throw new UsageError(`the sweep would make ${total.toLocaleString('en-US')} rows (points x branches), more than the ${MAX_GRID_POINTS.toLocaleString('en-US')} allowed`,
      'fewer points, one --direction, or one --init');
  }
  const csv = asCsv ? new CsvWriter(outFile, cols, '--out') : undefined;
  // Simulation overlay: the same point at finite size, once per point (shared by its branches), run after the
  // theory (the sweep is synchronous and fast; the trials run on worker threads); with it, each row is written
  // as its point's simulation finishes.
  const sims = new Map<string, SimulationRun>();
  const pointKey = (r: SweepRow) => JSON.stringify(r.params);
  let written = 0; // rows written to the CSV (with --simulate, in order as their points are simulated)
  const rowCells = (r: SweepRow): (string | number)[] => {
    const run = sims.get(pointKey(r));
    const extra = simCols.map((c) => {
      if (!run) return '';
      if (c === 'sim_trials') return run.trials.filter((t) => t.converged).length;
      if (c === 'sim_d') return run.d;
      if (c === 'sim_seed') return run.seed;
      const se = c.endsWith('_se');
      const s = run.summary[c.slice(4, se ? -3 : undefined)];
      return se ? s.se : s.mean;
    });
    return [...cells(r, cols.slice(0, cols.length - simCols.length)), ...extra];
  };
  const progress = new Progress(total);
  const options = {
    ...solveOptions(values),
    direction: direction as Direction | 'both',
    ...(values.init !== undefined && (inits ? { inits } : { init: String(values.init) })),
    onRow: (row: SweepRow) => {
      if (!sim) csv?.writeCells(rowCells(row));
      progress.tick(swept.map((k) => `${k}=${+row.params[k].toPrecision(4)}`).join(' '), row.solution.status === 'converged');
    },
  };
  const rows = axes.length === 1 ? sweep(compiled, fixed, axes[0], options) : sweepGrid(compiled, fixed, axes[0], axes[1], options);
  if (sim) {
    const points = [...new Map(rows.map((r) => [pointKey(r), r.params])).values()];
    const trials = new Progress(points.length * sim.trials);
    try {
      for (const params of points) {
        const run = await simulateParallel(compiled, params, sim.d, sim.trials, sim.seed, sim.workers,
          (t) => trials.tick(`${swept.map((k) => `${k}=${+params[k].toPrecision(4)}`).join(' ')} trial ${t.seed.trial}`, t.converged));
        sims.set(JSON.stringify(params), run);
        // rows in sweep order, each as soon as its point is simulated
        while (csv && written < rows.length && sims.has(pointKey(rows[written]))) csv.writeCells(rowCells(rows[written++]));
      }
    } finally {
      await closeWorkers();
    }
  }

  // The outputs written at the end: a failure (a full disk) is reported after the table, so that the
  // finished sweep is at least on the terminal; a file is written whole or not at all.
  const failures: IoError[] = [];
  const save = async (write: () => void | Promise<void>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (e) {
      if (!(e instanceof IoError)) throw e;
      failures.push(e);
      return false;
    }
  };
  const done = new Set<string>(); // the files written
  if (outFile !== undefined && !asCsv) {
    const params = Object.fromEntries(base.paramNames.filter((p) => !swept.includes(p)).map((p) => [p, base.params[base.paramNames.indexOf(p)]]));
    const json = JSON.stringify({ model: base.model, file: base.file, model_sha256: base.sha256, saddle_version: VERSION, params, axes, columns: cols,
      rows: rows.map((r) => {
        const values = rowCells(r);
        return Object.fromEntries(cols.map((c, j) => [c, values[j]]));
      }) }, jsonNumbers, 1);
    if (await save(() => writeFileAtomic(outFile, json))) done.add(outFile);
  } else if (outFile !== undefined) {
    // The rows went to the file as they were solved; which branch is the equilibrium at each point is known only
    // now (several branches): the file is written again, whole, with `selected` filled in.
    if (!rows.some((r) => r.selected !== undefined) || await save(() => writeFileAtomic(outFile, `${[cols, ...rows.map(rowCells)].map(csvLine).join('\n')}\n`))) done.add(outFile);
  }
  // vega and resvg take a second to load: only when a plot is asked for.
  const { prettySymbol, renderSvg, renderPng, plotNotes } = plots.length ? await import('../../report/plot.ts')
    : { prettySymbol: String, renderSvg: async () => '', renderPng: async () => new Uint8Array(), plotNotes: () => [] as string[] };
  let notes: string[] = [];
  for (const p of plots) {
    const title = `${base.model}${Object.keys(fixed).length ? ': ' + Object.entries(fixed).map(([k, v]) => `${prettySymbol(k)} = ${v}`).join(', ') : ''}`;
    const plot = sweepPlot(rows, { title, x: swept[0], ys, ...(axes[1] && { outer: axes[1].name }), logX, logY });
    const full = sim ? simulationOverlay(plot, sims.values(), ys, swept[0], `simulation, mean ± SE, ${sim.trials} trials, d = ${sim.d}`) : plot;
    if (await save(async () => writeFileAtomic(p, extname(p) === '.png' ? await renderPng(full) : await renderSvg(full)))) done.add(p);
    if (p === plots[0]) notes = plotNotes(full);
  }

  const several = direction === 'both' || (inits?.length ?? 1) > 1;
  const shown = [...swept, ...ys, 'status', 'iterations', ...(several ? ['branch'] : []), ...(rows.some((r) => r.selected !== undefined) ? ['selected'] : [])];
  const every = Math.max(1, Math.ceil(rows.length / 15));
  const sample = rows.filter((_, i) => i % every === 0 || i === rows.length - 1);
  out(textTable(shown, sample.map((r) => cells(r, shown))));
  const failed = rows.filter((r) => r.solution.status !== 'converged');
  out(`${rows.length} points${every > 1 ? ` (1 in ${every} shown)` : ''}, ${rows.length - failed.length} converged, ${failed.length} not converged`);
  for (const f of failed.slice(0, 5)) out(`  ${swept.map((k) => `${k}=${f.params[k]}`).join(' ')}: ${f.solution.status}: ${f.solution.message ?? ''}`);
  if (outFile !== undefined && done.has(outFile)) out(`rows written to ${outFile}`);
  for (const p of plots) if (done.has(p)) out(`plot written to ${p}`);
  for (const n of notes) out(`  plot: ${n}; the rows keep every point`);
  if (failures.length) {
    const [first, ...rest] = failures;
    throw new IoError(first.op, first.path, first.reason,
      `${rest.length ? `also not written: ${rest.map((f) => `${f.path} (${f.reason})`).join(', ')}; ` : ''}`
      + `the table above has the rows, and a file that could not be written was left as it was${first.hint ? `; ${first.hint}` : ''}`, first.code);
  }
  return failed.length ? EXIT.notConverged : EXIT.ok;
}

/** Every parameter point of a line or a grid (the fixed values with the swept ones). */
function gridPoints(fixed: Readonly<Record<string, number>>, axes: readonly Axis[]): Record<string, number>[] {
  const [inner, outer] = axes;
  return (outer ? outer.values : [undefined]).flatMap((o) => inner.values.map((v) => ({
    ...fixed, [inner.name]: v, ...(outer && o !== undefined && { [outer.name]: o }),
  })));
}
