import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import type { Compiled } from '../../compile/compile.ts';
import { UsageError } from '../../base/errors.ts';
import { loadModel, type LoadedModel } from '../../pipeline/load.ts';
import { didYouMean } from '../../base/suggest.ts';
import type { CellRecord } from '../../phase/compute.ts';
import { diagramOf, regionLabels, type Diagram } from '../../phase/diagram.ts';
import type { Regions } from '../../phase/regions.ts';
import { runPhase } from '../../phase/run.ts';
import { parseLines, parsePhaseAxis, type PhaseSpec } from '../../phase/spec.ts';
import { formatWarning, type PhaseWarning } from '../../phase/validate.ts';
import { CsvWriter, fmt } from '../../report/table.ts';
import { checkOutputPath, writeFileAtomic } from '../../io/files.ts';
import { checkGridSize } from '../../sweep/axis.ts';
import { EXIT } from '../exit.ts';
import { resolveModel } from '../../pipeline/models.ts';
import { loadOptions, num, onePositional, parse, parseSet, PRIOR_HELP, SOLVER_OPTIONS, solveOptions } from '../options.ts';
import { Progress } from '../progress.ts';

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

/** The options of a phase diagram, shared by `saddle phase` and `saddle report`. */
export const PHASE_OPTIONS = {
  x: { type: 'string' }, y: { type: 'string' }, lines: { type: 'string' }, observable: { type: 'string' },
} as const;

export interface PhasePlan {
  readonly spec: PhaseSpec;
  /** The heat map's quantity. */
  readonly quantity: string;
}

/** Reads and checks the phase options (--x, --y, --set, --inits, --lines, --observable, --tol, solver options). */
export function phasePlan(values: Record<string, unknown>, file: string, compiled: Compiled, axesFlag = '--x, --y'): PhasePlan {
  if (values.x === undefined || values.y === undefined) throw new UsageError('give both axes: --x NAME=START:STOP:COUNT --y NAME=START:STOP:COUNT', 'e.g. --x rho=0.01:0.2:40 --y lambda=0.2:2:40');
  const x = parsePhaseAxis(String(values.x), 'x');
  const y = parsePhaseAxis(String(values.y), 'y');
  checkGridSize([x, y], axesFlag);
  const fixed = parseSet(values.set as string[] | undefined);
  const base = compiled.problem(fixed);
  for (const a of [x, y]) {
    if (!base.paramNames.includes(a.name)) throw new UsageError(`\`${a.name}\` is not a parameter of "${base.model}"`, didYouMean(a.name, base.paramNames) ?? `parameters: ${base.paramNames.join(', ')}`);
    if (a.name in fixed) throw new UsageError(`\`${a.name}\` is both an axis and --set`);
  }
  if (x.name === y.name) throw new UsageError('--x and --y must be different parameters');
  compiled.problem({ ...fixed, [x.name]: x.values[0], [y.name]: y.values[0] }); // the ends must be valid values
  compiled.problem({ ...fixed, [x.name]: x.values[x.values.length - 1], [y.name]: y.values[y.values.length - 1] });
  const allInits = Object.keys(base.inits);
  const inits = values.inits === undefined ? allInits : String(values.inits).split(',').map((t) => t.trim()).filter(Boolean);
  for (const i of inits) if (!allInits.includes(i)) throw new UsageError(`--inits: model "${base.model}" has no initialisation \`${i}\``, `its initialisations are: ${allInits.join(', ')}`);
  const lines = values.lines === undefined ? [] : parseLines(String(values.lines));
  for (const l of lines) {
    for (const i of [l.init ?? 'uninformed', ...(l.kind === 'first-order' ? ['informed'] : [])]) {
      if (!allInits.includes(i)) throw new UsageError(`--lines ${l.name}: model "${base.model}" has no initialisation \`${i}\``, `its initialisations are: ${allInits.join(', ')}`);
    }
    if (l.kind === 'first-order' && !base.observableNames.includes('free_energy')) throw new UsageError(`--lines ${l.name}: model "${base.model}" declares no free_energy`);
  }
  const quantity = values.observable === undefined ? base.stateNames[base.carried[0] ?? 0] : String(values.observable);
  if (!base.stateNames.includes(quantity) && !base.observableNames.includes(quantity)) {
    throw new UsageError(`--observable ${quantity}: not an order parameter or observable of "${base.model}"`, `choose from: ${[...base.stateNames, ...base.observableNames].join(', ')}`);
  }
  const tol = num(values.tol, 'tol', (t) => t > 0, 'a positive number') ?? 1e-6;
  const load = loadOptions(values);
  return { spec: { file, load, x, y, fixed, inits, lines, solver: solveOptions({ ...values, tol: undefined }), tol }, quantity };
}

export function defaultPhaseOut(spec: PhaseSpec, shard?: { k: number; n: number }): string {
  return `results/phase-${basename(spec.file).replace(/\.ya?ml$/, '')}-${spec.x.name}-${spec.y.name}${shard ? `-${shard.k}of${shard.n}` : ''}.jsonl`;
}

/**
 * Runs (or resumes) a phase diagram with a progress bar; the diagram and the model's regions. `warn` gets each
 * line of the file dropped when it is opened (a corrupt record, a duplicate), before any work.
 */
export async function computePhase(compiled: LoadedModel, plan: PhasePlan, out: string, workers: number, shard?: { k: number; n: number },
  warn?: (message: string) => void) {
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
  const regions = compiled.regions;
  const diagram = diagramOf(result.header.spec, result.records);
  const cells = result.records.filter((r): r is CellRecord => r.type === 'cell');
  return { result, diagram, cells, regions, seconds };
}

export async function runPhaseCommand(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...SOLVER_OPTIONS, ...PHASE_OPTIONS, inits: { type: 'string' }, out: { type: 'string' }, csv: { type: 'string' }, 'lines-csv': { type: 'string' },
    plot: { type: 'string', multiple: true }, workers: { type: 'string' }, shard: { type: 'string' },
  });
  if (values.help) { out(PHASE_HELP); return EXIT.ok; }
  const file = resolve(resolveModel(onePositional(positionals, 'phase')));
  const compiled = loadModel(file, undefined, loadOptions(values));
  const plan = phasePlan(values, file, compiled);
  const { x, y, inits, lines } = plan.spec;
  const workers = num(values.workers, 'workers', (w) => Number.isInteger(w) && w >= 1, 'a positive integer') ?? availableParallelism();
  const shard = parseShard(values.shard as string | undefined);
  const plots = (values.plot as string[] | undefined) ?? [];
  for (const p of plots) if (!/\.(svg|png)$/i.test(p)) throw new UsageError(`--plot ${p}: the file must end in .svg or .png`);
  const outFile = String(values.out ?? defaultPhaseOut(plan.spec, shard));
  // every output is checked before any work: a FIFO or a device as --out would block or never end
  checkOutputPath(outFile, '--out');
  if (values.csv !== undefined) checkOutputPath(String(values.csv), '--csv');
  if (values['lines-csv'] !== undefined) checkOutputPath(String(values['lines-csv']), '--lines-csv');
  for (const p of plots) checkOutputPath(p, '--plot');

  const { result, diagram, cells, regions, seconds } = await computePhase(compiled, plan, outFile, workers, shard, out);
  const name = compiled.program.info.name;
  out(`phase diagram of ${name}: ${x.name} (${x.values.length}) x ${y.name} (${y.values.length}), branches ${inits.join(', ')}${lines.length ? `; lines ${lines.map((l) => l.name).join(', ')}` : ''}${shard ? `; shard ${shard.k}/${shard.n}` : ''}`);
  out(`${result.computed} records computed, ${result.reused} from an earlier run, in ${seconds.toFixed(1)} s on ${workers} worker${workers > 1 ? 's' : ''}; written to ${outFile}`);
  for (const line of phaseSummary(diagram, cells, regions)) out(`  ${line}`);
  if (values.csv !== undefined) writeCsv(String(values.csv), diagram, cells, compiled, regions);
  if (values['lines-csv'] !== undefined) writeLinesCsv(String(values['lines-csv']), diagram);
  if (!result.complete) {
    out(shard ? 'this part is done; when every part is, join them: saddle merge PART1 PART2 ... --out FILE' : 'the diagram is incomplete');
  } else {
    // vega takes a second to load: only when there is a plot
    const heat = plots.length ? await import('../../report/heatmap.ts') : undefined;
    for (const p of plots) {
      const map = heat!.heatMapOf(diagram, name, plan.quantity, regions);
      writeFileAtomic(p, /\.png$/i.test(p) ? await heat!.renderHeatMapPng(map) : await heat!.renderHeatMapSvg(map));
      out(`wrote ${p}`);
    }
  }
  if (values.csv !== undefined) out(`wrote ${values.csv}`);
  if (values['lines-csv'] !== undefined) out(`wrote ${values['lines-csv']}`);
  return cells.some((c) => c.selected === null) ? EXIT.notConverged : EXIT.ok;
}

function parseShard(text: string | undefined): { k: number; n: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || !(n >= 1) || !(k >= 1 && k <= n)) throw new UsageError(`--shard ${text}: expected K/N with 1 <= K <= N`, 'e.g. --shard 2/8, or in a SLURM array job --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT');
  return { k, n };
}

/** What a diagram holds, one line each: branch statuses, the equilibrium, regions, and where each line was found. */
export function phaseSummary(d: Diagram, cells: readonly CellRecord[], regions?: Regions): string[] {
  const count = (keys: readonly string[]) => {
    const m = new Map<string, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m].map(([k, n]) => `${n} ${k}`).join(', ');
  };
  const out = d.spec.inits.map((init) => `branch ${init}: ${count(cells.map((c) => c.branches.find((b) => b.init === init)?.status ?? 'missing'))}`);
  out.push(`equilibrium: ${count(cells.map((c) => c.selected ?? 'no converged branch'))}`);
  if (regions) out.push(`regions: ${count(regionLabels(d, regions).flat().filter((r): r is string => r !== null))}`);
  for (const [name, points] of d.lines) {
    const ys = points.filter((p) => p?.found).map((p) => p!.threshold);
    out.push(`line ${name}: found at ${ys.length}/${points.length} values of ${d.spec.x.name}${ys.length ? ` (${d.spec.y.name} from ${fmt(Math.min(...ys))} to ${fmt(Math.max(...ys))})` : ''}`);
  }
  return out;
}

function writeCsv(file: string, d: Diagram, cells: readonly CellRecord[], compiled: Compiled, regions?: Regions): void {
  const problem = compiled.problem();
  const names = [...problem.stateNames, ...problem.observableNames];
  const labels = regions ? regionLabels(d, regions) : undefined;
  const cols = [d.spec.x.name, d.spec.y.name, 'selected', 'region', ...d.spec.inits.flatMap((i) => ['status', 'iterations', 'residual', ...names].map((c) => `${i}:${c}`))];
  const csv = new CsvWriter(file, cols, '--csv');
  for (const c of cells) {
    csv.writeCells([c.x, c.y, c.selected ?? '', labels?.[c.i][c.j] ?? '', ...d.spec.inits.flatMap((init) => {
      const b = c.branches.find((r) => r.init === init);
      return b ? [b.status, b.iterations, b.residual, ...names.map((n) => b.state[n] ?? b.observables[n])] : ['missing', NaN, NaN, ...names.map(() => NaN)];
    })]);
  }
}

function writeLinesCsv(file: string, d: Diagram): void {
  const csv = new CsvWriter(file, ['line', d.spec.x.name, d.spec.y.name, 'found', 'tolerance', 'evaluations', 'message'], '--lines-csv');
  for (const [name, points] of d.lines) {
    points.forEach((p, k) => csv.writeCells([name, d.spec.x.values[k], p?.threshold ?? NaN, String(p?.found ?? false), p?.tolerance ?? NaN, p?.evaluations ?? NaN, p ? (p.message ?? '') : 'not computed']));
  }
}
