import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, resolve } from 'node:path';
import type { Compiled } from '../../compile/compile.ts';
import { UsageError } from '../../base/errors.ts';
import { checkOutputPath, writeFileAtomic } from '../../io/files.ts';
import { latexSymbol, programLatex } from '../../ir/latex.ts';
import { loadModel } from '../../pipeline/load.ts';
import { didYouMean } from '../../base/suggest.ts';
import { renderReport, solverDiagnostics, type Cell, type Figure, type PhaseSection, type ReportContent, type ReportTable } from '../../report/html.ts';
import { simulationOverlay } from '../../report/overlay.ts';
import { sweepPlot } from '../../report/sweep-plot.ts';
import { cells, columns, ORIGIN_COLUMNS } from '../../report/table.ts';
import { solve } from '../../solve/iterate.ts';
import type { Solution, SolveOptions } from '../../solve/solution.ts';
import { parseAxis, type Axis } from '../../sweep/axis.ts';
import { sweep, type Direction, type SweepRow } from '../../sweep/continuation.ts';
import { findThreshold, THRESHOLD_KINDS, type Threshold, type ThresholdKind, type ThresholdSpec } from '../../transitions/threshold.ts';
import { compare, RESOLUTION, type Comparison } from '../../verify/compare.ts';
import { closeWorkers, simulateParallel, type SimulationRun } from '../../simulate/run.ts';
import { own } from '../../base/names.ts';
import { EXIT } from '../exit.ts';
import { resolveModel, displayPath } from '../../pipeline/models.ts';
import { loadOptions, MAX_SCAN, num, onePositional, parse, parseSet, PRIOR_HELP, SOLVER_OPTIONS, solveOptions } from '../options.ts';
import { Progress } from '../progress.ts';
import { computePhase, defaultPhaseOut, phasePlan, phaseSummary, type PhasePlan } from './phase.ts';
import { checkSimulationSize, simulationPlan, type SimulationPlan } from '../simulation-plan.ts';

export const REPORT_HELP = `saddle report MODEL --out FILE.html [options]

Write one self-contained HTML page about MODEL, to put next to a paper: the model (description, conventions,
source), the parameter values, the equations printed in LaTeX from the same IR the solver is compiled from
(rendered by KaTeX when the page is written: no network and no JavaScript needed to read it), curves of a
sweep with optional simulation points, a table of thresholds, theory against simulation, and the solver's
diagnostics (status counts, iterations, residuals, every point that did not converge).

Options:
  --out FILE.html     the page to write (required)
  --set a=1,b=2       parameter values (repeatable); the others keep the model's defaults
  --title TEXT        the page title (default: the model's name)
  --equals            write the updates as \`m = ...\` (default \`m <- ...\`: the solver's sequential assignment)

  --param NAME=START:STOP:COUNT[:log]   sweep one parameter with continuation (as \`saddle sweep\`) and plot
  --init NAME         start of the sweep and of the fixed point shown (default: uninformed); \`all\`: one
                      branch per named initialisation
  --inits A,B         one branch per listed initialisation
  --direction D       forward (default), backward, or both
  --y A,B             the quantities of one figure (repeatable: one figure per --y; default: one figure of
                      the observables other than free_energy)
  --log-x, --log-y    logarithmic plot axes (also --logx, --logy)
  --simulate d=D,trials=T[,seed=S]   simulation points (mean +- SE) on the curves, at every sweep point
                      (the model's simulation section, as \`saddle sweep --simulate\`)

  --threshold KIND:NAME=LO:HI[,observable=X][,level=L][,init=A][,high=B][,direction=backward][,scan=N]
                      locate a transition (as \`saddle threshold\`; KIND: weak-recovery, spinodal,
                      first-order, level); repeatable, one table row each
  --verify d=D,trials=T[,seed=S][,tolerance=Z][,NAME=VALUE...]   theory against simulation at the
                      parameters (with NAME=VALUE overriding them), as \`saddle verify\`; repeatable
  --phase-x NAME=START:STOP:COUNT --phase-y NAME=START:STOP:COUNT [--lines L1,L2] [--phase-observable NAME]
                      a phase diagram, as \`saddle phase --x ... --y ...\` (every initialisation at every cell; the heat map,
                      lines and regions, the lines' points and the solver diagnostics of the grid); computed
                      into --phase-out FILE (default results/phase-MODEL-X-Y.jsonl), or read from it when
                      that file already holds it
  --workers N         worker threads for the simulation trials and the phase diagram (default: the cores)
  --damping, --tol, --max-iterations, --anderson   as for \`saddle solve\`
${PRIOR_HELP}

Exit codes: 0 every solve converged (and every threshold was found), 3 some did not (the page is still
written and lists them), 2 bad input.`;

const ALIASES: Readonly<Record<string, ThresholdKind>> = { algorithmic: 'spinodal', 'information-theoretic': 'first-order' };

interface VerifyPlan extends SimulationPlan {
  readonly params: Readonly<Record<string, number>>;
  readonly tolerance: number;
}

export async function runReport(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...SOLVER_OPTIONS,
    out: { type: 'string' }, title: { type: 'string' }, equals: { type: 'boolean' },
    param: { type: 'string', multiple: true }, inits: { type: 'string' }, direction: { type: 'string' },
    y: { type: 'string', multiple: true }, logx: { type: 'boolean' }, logy: { type: 'boolean' }, 'log-x': { type: 'boolean' }, 'log-y': { type: 'boolean' },
    simulate: { type: 'string' }, threshold: { type: 'string', multiple: true }, verify: { type: 'string', multiple: true },
    workers: { type: 'string' }, 'phase-x': { type: 'string' }, 'phase-y': { type: 'string' }, lines: { type: 'string' },
    'phase-observable': { type: 'string' }, 'phase-out': { type: 'string' },
  });
  if (values.help) { out(REPORT_HELP); return EXIT.ok; }

  // Every input is checked before any work.
  const outFile = values.out as string | undefined;
  if (!outFile) throw new UsageError('give the page to write, --out FILE.html', 'e.g. --out report.html');
  if (!['.html', '.htm'].includes(extname(outFile).toLowerCase())) throw new UsageError(`--out ${outFile}: write to a .html file`);
  checkOutputPath(outFile, '--out');
  const file = resolveModel(onePositional(positionals, 'report'));
  const compiled = loadModel(file, undefined, loadOptions(values));
  const fixed = parseSet(values.set as string[] | undefined);
  const base = compiled.problem(fixed);
  const solver = solveOptions(values);
  const init = values.init === undefined || values.init === 'all' ? 'uninformed' : String(values.init);
  const inits = values.init === 'all' ? Object.keys(base.inits)
    : values.inits !== undefined ? String(values.inits).split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  for (const name of [...(inits ?? []), init]) {
    if (!(name in base.inits)) throw new UsageError(`model "${base.model}" has no initialisation \`${name}\``, `its initialisations are: ${Object.keys(base.inits).join(', ')}`);
  }
  const axes = ((values.param as string[] | undefined) ?? []).map(parseAxis);
  if (axes.length > 1) throw new UsageError('a report sweeps one parameter: give one --param', 'for a 2-D grid use `saddle sweep` (or `saddle phase`)');
  const axis = axes[0];
  if (axis && Object.hasOwn(fixed, axis.name)) {
    throw new UsageError(`\`${axis.name}\` is both swept (--param) and fixed (--set)`, `drop ${axis.name} from --set, or sweep another parameter`);
  }
  if (axis) {
    if (!base.paramNames.includes(axis.name)) {
      throw new UsageError(`model "${base.model}" has no parameter \`${axis.name}\``, didYouMean(axis.name, base.paramNames) ?? `its parameters: ${base.paramNames.join(', ')}`);
    }
    for (const v of axis.values) compiled.problem({ ...fixed, [axis.name]: v });
  }
  const logX = Boolean(values['log-x'] || values.logx);
  const logY = Boolean(values['log-y'] || values.logy);
  if (logX && axis && axis.values.some((v) => !(v > 0))) {
    throw new UsageError(`--log-x: ${axis.name} takes values <= 0, which a log axis cannot place`, `sweep a positive range (e.g. --param ${axis.name}=0.1:10:50:log) or drop --log-x`);
  }
  const direction = (values.direction as string | undefined) ?? 'forward';
  if (!['forward', 'backward', 'both'].includes(direction)) throw new UsageError(`--direction ${direction}: use forward, backward or both`);
  const quantities = [...base.stateNames, ...base.observableNames];
  const figureYs = ((values.y as string[] | undefined) ?? []).map((y) => y.split(',').map((s) => s.trim()).filter(Boolean));
  for (const y of figureYs.flat()) {
    if (!quantities.includes(y)) throw new UsageError(`--y ${y}: not an order parameter or observable of "${base.model}"`, didYouMean(y, quantities) ?? `choose from: ${quantities.join(', ')}`);
  }
  if (figureYs.length && !axis) throw new UsageError('--y chooses what to plot along a sweep: give --param too');
  const observables = base.observableNames.filter((o) => o !== 'free_energy');
  const defaultYs = [observables.length ? observables : [...base.stateNames]];
  const figures = figureYs.length ? figureYs : defaultYs;
  if (values.simulate !== undefined && !axis) throw new UsageError('--simulate puts simulation points on the sweep: give --param too', 'or use --verify for one point');
  const sim = values.simulate === undefined ? undefined : simulationPlan(String(values.simulate), compiled);
  if (sim && axis) checkSimulationSize(compiled, axis.values.map((v) => ({ ...fixed, [axis.name]: v })), sim.d, '--simulate');
  const thresholds = ((values.threshold as string[] | undefined) ?? []).map((t) => thresholdSpec(t, compiled, fixed, solver));
  const verifies = ((values.verify as string[] | undefined) ?? []).map((v) => verifyPlan(v, compiled, fixed));
  const workers = num(values.workers, 'workers', (x) => Number.isInteger(x) && x >= 1, 'a positive integer') ?? availableParallelism();
  const relation = values.equals ? '=' : '\\leftarrow';
  // A phase diagram (as `saddle phase`): every initialisation at every cell; --inits belongs to the sweep here.
  const phase = values['phase-x'] !== undefined || values['phase-y'] !== undefined
    ? phasePlan({ ...values, inits: undefined, x: values['phase-x'], y: values['phase-y'], observable: values['phase-observable'] }, resolve(file), compiled, '--phase-x, --phase-y')
    : undefined;
  if (values.lines !== undefined && !phase) throw new UsageError('--lines are drawn on a phase diagram: give --phase-x and --phase-y too');
  const phaseOut = phase && String(values['phase-out'] ?? defaultPhaseOut(phase.spec));
  if (phaseOut !== undefined) {
    checkOutputPath(phaseOut, '--phase-out');
    if (resolve(phaseOut) === resolve(outFile)) throw new UsageError(`--phase-out ${phaseOut} is also the page (--out)`, 'give the phase diagram its own file, e.g. --phase-out results/phase.jsonl');
  }

  // The fixed point at the parameters used.
  const baseSolution = solve(base, { ...solver, init });
  const params = Object.fromEntries(base.paramNames.map((p, i) => [p, base.params[i]]));

  // The sweep, then its simulation points (one simulation per parameter point, shared by its branches).
  let rows: SweepRow[] = [];
  const sims = new Map<string, SimulationRun>();
  const key = (p: Readonly<Record<string, number>>) => JSON.stringify(p);
  const verified: { plan: VerifyPlan; run: SimulationRun; solution: Solution; rows: Comparison[] }[] = [];
  try {
    if (axis) {
      const branches = (inits?.length ?? 1) * (direction === 'both' ? 2 : 1);
      const progress = new Progress(axis.values.length * branches);
      rows = sweep(compiled, fixed, axis, {
        ...solver, direction: direction as Direction | 'both', ...(inits ? { inits } : { init }),
        onRow: (r) => progress.tick(`${axis.name}=${+r.params[axis.name].toPrecision(4)}`, r.solution.status === 'converged'),
      });
      if (sim) {
        const points = [...new Map(rows.map((r) => [key(r.params), r.params])).values()];
        const bar = new Progress(points.length * sim.trials);
        for (const p of points) {
          sims.set(key(p), await simulateParallel(compiled, p, sim.d, sim.trials, sim.seed, Math.min(workers, sim.trials),
            (t) => bar.tick(`${axis.name}=${+p[axis.name].toPrecision(4)} trial ${t.seed.trial}`, t.converged)));
        }
      }
    }
    for (const plan of verifies) {
      const bar = new Progress(plan.trials);
      const run = await simulateParallel(compiled, plan.params, plan.d, plan.trials, plan.seed, Math.min(workers, plan.trials), (t) => bar.tick(`trial ${t.seed.trial}`, t.converged));
      const { solution, rows: cmp } = compare(compiled, run, plan.tolerance, { ...solver, init });
      verified.push({ plan, run, solution, rows: cmp });
    }
  } finally {
    await closeWorkers();
  }
  const found: Threshold[] = thresholds.map((spec) => findThreshold(compiled, spec));
  const phaseSection = phase && phaseOut !== undefined && await phaseOf(compiled, phase, phaseOut, workers);

  // Figures: vega takes a second to load, so only when there is a sweep.
  const figs: Figure[] = [];
  if (axis) {
    const { renderSvg, prettySymbol } = await import('../../report/plot.ts');
    const others = Object.entries(params).filter(([k]) => k !== axis.name);
    const where = others.length ? others.map(([k, v]) => `${prettySymbol(k)} = ${+v.toPrecision(6)}`).join(', ') : '';
    for (const ys of figures) {
      let plot = sweepPlot(rows, { title: `${base.model}${where ? `: ${where}` : ''}`, x: axis.name, ys, logX, logY });
      const label = sim && `simulation, mean ± SE, ${sim.trials} trials, d = ${sim.d}`;
      if (sim) plot = simulationOverlay(plot, sims.values(), ys, axis.name, label!);
      const failed = rows.filter((r) => r.solution.status !== 'converged').length;
      figs.push({
        svg: await renderSvg(plot),
        caption: `${ys.join(', ')} against ${axis.name}${where ? ` at ${where}` : ''}: ${rows.length} solves by continuation`
          + ` from ${inits ? inits.join(', ') : init}${direction !== 'forward' ? ` (${direction})` : ''}`
          + `${failed ? `; ${failed} did not converge (red markers, gaps in the lines)` : ''}`
          + `${sim && ys.some((y) => sim.quantities.includes(y)) ? `; open markers with error bars: ${label} (seed ${sim.seed})` : ''}.`,
      });
    }
  }

  const diagnostics = solverDiagnostics([
    { params, solution: baseSolution, branch: 'parameters' },
    ...rows.map((r) => ({ params: r.params, solution: r.solution, branch: `sweep ${r.branch}` })),
    ...verified.map((v) => ({ params: v.run.params, solution: v.solution, branch: 'verify' })),
  ]);
  const disagree = verified.filter((v) => v.rows.some((r) => !r.pass));
  const notFound = found.filter((t) => !t.found);
  const notes: NonNullable<ReportContent['notes']>[number][] = [];
  if (phaseSection && phaseSection.diagnostics.failed.length) notes.push({ tone: 'warn', text: `${phaseSection.diagnostics.failed.length} branch solves of the phase diagram did not converge: see its diagnostics.` });
  if (diagnostics.failed.length) notes.push({ tone: 'bad', text: `${diagnostics.failed.length} of ${diagnostics.points} solves did not converge: see the solver diagnostics.` });
  if (notFound.length) notes.push({ tone: 'warn', text: `${notFound.length} threshold${notFound.length > 1 ? 's were' : ' was'} not found in the range searched: see the thresholds.` });
  if (disagree.length) notes.push({ tone: 'bad', text: `Theory and simulation disagree at ${disagree.length} point${disagree.length > 1 ? 's' : ''}: see theory against simulation.` });

  const model = compiled.program.info;
  const content: ReportContent = {
    title: (values.title as string | undefined) ?? `${model.name}`,
    model: {
      name: model.name, file: displayPath(model.file), description: model.description,
      ...(model.conventions && { conventions: model.conventions }), ...(model.source && { source: model.source }),
      sha256: model.sha256,
    },
    provenance: { command: commandLine(argv), version: version(), date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC` },
    parameters: parameterTable(compiled, params, axis),
    solution: solutionTable(compiled, baseSolution, init),
    equations: programLatex(compiled.program, { updateRelation: relation }),
    updateRelation: relation,
    ...(figs.length && { figures: figs }),
    ...(axis && { sweepTable: sweepTable(rows, axis, base, sim, sims, key) }),
    ...(found.length && { thresholds: thresholdTable(found, thresholds) }),
    ...(verified.length && { verify: verified.map((v) => verifyTable(v)) }),
    diagnostics,
    ...(phaseSection && { phase: phaseSection }),
    ...(notes.length && { notes }),
  };
  const { html, mathErrors } = renderReport(content);
  writeFileAtomic(outFile, html);

  // A summary on standard output.
  out(`report written to ${outFile} (${Math.round(html.length / 1024)} kB)`);
  if (axis) out(`sweep: ${rows.length} points, ${rows.filter((r) => r.solution.status === 'converged').length} converged${sim ? `; simulation at ${sims.size} points (d = ${sim.d}, ${sim.trials} trials)` : ''}; ${figs.length} figure${figs.length === 1 ? '' : 's'}`);
  for (const t of found) out(t.found ? `threshold ${t.kind}: ${t.param} = ${t.threshold.toFixed(decimalsOf(t.tolerance))} +- ${t.tolerance.toExponential(1)}` : `threshold ${t.kind}: not found: ${t.message}`);
  for (const v of verified) out(`verify at ${Object.entries(v.run.params).map(([k, x]) => `${k}=${x}`).join(' ')}: ${v.rows.every((r) => r.pass) ? `every |z| <= ${v.plan.tolerance}` : `disagreement (|z| > ${v.plan.tolerance}) for ${v.rows.filter((r) => !r.pass).map((r) => r.quantity).join(', ')}`}`);
  for (const f of diagnostics.failed.slice(0, 5)) out(`  not converged: ${Object.entries(f.params).map(([k, x]) => `${k}=${x}`).join(' ')} (${f.branch}): ${f.status}: ${f.message ?? ''}`);
  for (const e of mathErrors) out(`warning: an equation could not be rendered and is shown as LaTeX source: ${e}`);
  return diagnostics.failed.length || notFound.length ? EXIT.notConverged : EXIT.ok;
}

/** `KIND:NAME=LO:HI[,key=value...]` into a threshold search, checked before any work. */
function thresholdSpec(text: string, compiled: Compiled, fixed: Readonly<Record<string, number>>, solver: Omit<SolveOptions, 'init'>): ThresholdSpec {
  const usage = 'write --threshold KIND:NAME=LO:HI, e.g. first-order:alpha=1:2 or level:alpha=0.2:0.5,observable=mse,level=0.5';
  const m = /^\s*([a-z-]+):([A-Za-z_][A-Za-z0-9_]*)=([^:,]+):([^:,]+)((?:,[^,]+)*)\s*$/.exec(text);
  if (!m) throw new UsageError(`cannot read \`--threshold ${text}\``, usage);
  const kind = own(ALIASES, m[1]) ?? (THRESHOLD_KINDS.includes(m[1] as ThresholdKind) ? (m[1] as ThresholdKind) : undefined);
  if (!kind) throw new UsageError(`--threshold ${text}: \`${m[1]}\` is not a threshold kind`, `kinds: ${THRESHOLD_KINDS.join(', ')} (aliases: algorithmic, information-theoretic)`);
  const [lo, hi] = [Number(m[3]), Number(m[4])];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) throw new UsageError(`--threshold ${text}: need numbers LO < HI`, usage);
  const problem = compiled.problem(fixed);
  if (!problem.paramNames.includes(m[2])) {
    throw new UsageError(`--threshold ${text}: model "${problem.model}" has no parameter \`${m[2]}\``, didYouMean(m[2], problem.paramNames) ?? `its parameters: ${problem.paramNames.join(', ')}`);
  }
  compiled.problem({ ...fixed, [m[2]]: lo });
  compiled.problem({ ...fixed, [m[2]]: hi });
  const extra: Record<string, string> = {};
  for (const part of m[5].split(',').slice(1)) {
    const kv = /^\s*(observable|level|init|high|direction|scan|tol)\s*=\s*(\S+)\s*$/.exec(part);
    if (!kv) throw new UsageError(`--threshold ${text}: cannot read \`${part}\``, 'keys: observable, level, init, high, direction, scan, tol');
    extra[kv[1]] = kv[2];
  }
  const number = (k: string, ok: (x: number) => boolean) => {
    const x = Number(extra[k]);
    if (!Number.isFinite(x) || !ok(x)) throw new UsageError(`--threshold ${text}: ${k}=${extra[k]} is not a valid value`);
    return x;
  };
  for (const k of ['init', 'high'] as const) {
    if (extra[k] !== undefined && !(extra[k] in problem.inits)) throw new UsageError(`--threshold ${text}: model "${problem.model}" has no initialisation \`${extra[k]}\``, `its initialisations: ${Object.keys(problem.inits).join(', ')}`);
  }
  const quantities = [...problem.stateNames, ...problem.observableNames];
  if (extra.observable !== undefined && !quantities.includes(extra.observable)) {
    throw new UsageError(`--threshold ${text}: \`${extra.observable}\` is not an order parameter or observable`, didYouMean(extra.observable, quantities) ?? `choose from: ${quantities.join(', ')}`);
  }
  if (kind === 'level' && extra.level === undefined) throw new UsageError(`--threshold ${text}: a level threshold needs level=X`, 'e.g. level:alpha=0.2:0.5,observable=mse,level=0.5');
  if (extra.direction !== undefined && !['forward', 'backward'].includes(extra.direction)) throw new UsageError(`--threshold ${text}: direction is forward or backward`);
  return {
    kind, param: m[2], lo, hi, fixed, solver,
    ...(extra.observable !== undefined && { observable: extra.observable }),
    ...(extra.level !== undefined && { level: number('level', () => true) }),
    ...(extra.init !== undefined && { init: extra.init }),
    ...(extra.high !== undefined && { high: extra.high }),
    ...(extra.direction !== undefined && { direction: extra.direction as 'forward' | 'backward' }),
    ...(extra.scan !== undefined && { scan: number('scan', (x) => Number.isInteger(x) && x >= 3 && x <= MAX_SCAN) }),
    ...(extra.tol !== undefined && { tol: number('tol', (x) => x > 0) }),
  };
}

/** `d=D,trials=T[,seed=S][,tolerance=Z][,NAME=VALUE...]`: a verify point. */
function verifyPlan(text: string, compiled: Compiled, fixed: Readonly<Record<string, number>>): VerifyPlan {
  const names = compiled.problem(fixed).paramNames;
  const params: Record<string, number> = { ...fixed };
  let tolerance = 4;
  const plan = simulationPlan(text, compiled, '--verify', (k, v) => {
    const x = Number(v);
    if (k === 'tolerance') {
      if (!(x > 0)) throw new UsageError(`--verify ${text}: tolerance must be a positive number`);
      tolerance = x;
      return true;
    }
    if (!names.includes(k)) return false;
    if (!Number.isFinite(x)) throw new UsageError(`--verify ${text}: ${k}=${v} is not a number`);
    params[k] = x;
    return true;
  });
  compiled.problem(params); // bounds
  checkSimulationSize(compiled, [params], plan.d, '--verify');
  return { ...plan, params, tolerance };
}

const symbolCell = (name: string): Cell => ({ tex: latexSymbol(name) });

function parameterTable(compiled: Compiled, params: Readonly<Record<string, number>>, axis: Axis | undefined): ReportTable {
  return {
    header: ['', 'parameter', 'value', 'range', 'meaning'],
    rows: compiled.program.params.map((p): Cell[] => {
      const swept = axis?.name === p.name;
      const value: Cell = swept ? `swept from ${axis.values[0]} to ${axis.values[axis.values.length - 1]} (${axis.values.length} points)` : String(params[p.name]);
      return [symbolCell(p.name), p.name, value, `[${p.min ?? '−∞'}, ${p.max ?? '∞'}]`, p.doc ?? ''];
    }),
  };
}

function solutionTable(compiled: Compiled, s: Solution, init: string): ReportTable {
  const program = compiled.program;
  const row = (name: string, value: number, doc?: string): Cell[] => [symbolCell(name), name, value, doc ?? ''];
  return {
    caption: `The fixed point at these parameter values, from the \`${init}\` start: ${s.status} after ${s.iterations} iterations, residual ${s.residual.toExponential(2)}${s.message ? ` (${s.message})` : ''}.`,
    header: ['', 'quantity', 'value', ''],
    rows: [
      ...program.state.map((v) => row(v.name, s.state[v.name], v.doc)),
      ...program.observables.map((o) => row(o.name, s.observables[o.name], 'observable')),
    ],
  };
}

function sweepTable(rows: readonly SweepRow[], axis: Axis, problem: { stateNames: readonly string[]; observableNames: readonly string[] },
  sim: SimulationPlan | undefined, sims: ReadonlyMap<string, SimulationRun>, key: (p: Readonly<Record<string, number>>) => string): ReportTable {
  // a page's table: the swept parameter only (the parameters and the model's origin have their own tables)
  const cols = columns([axis.name], { ...problem, paramNames: [axis.name] })
    .filter((c) => !(ORIGIN_COLUMNS as readonly string[]).includes(c) && (c !== 'warning' || rows.some((r) => r.solution.warnings?.length))
      && (c !== 'selected' || rows.some((r) => r.selected !== undefined)));
  const simCols = sim ? sim.quantities.flatMap((q) => [`sim_${q}`, `sim_${q}_se`]) : [];
  return {
    header: [...cols, ...simCols],
    rows: rows.map((r) => {
      const run = sims.get(key(r.params));
      const extra = simCols.map((c): Cell => {
        const se = c.endsWith('_se');
        const s = run?.summary[c.slice(4, se ? -3 : undefined)];
        return s ? (se ? s.se : s.mean) : '';
      });
      const base = cells(r, cols).map((v, j): Cell => (cols[j] === 'status' ? { text: String(v), tone: v === 'converged' ? 'ok' : 'bad' } : v));
      return [...base, ...extra];
    }),
  };
}

function thresholdTable(found: readonly Threshold[], specs: readonly ThresholdSpec[]): ReportTable {
  return {
    header: ['kind', 'searched', 'threshold', '± tolerance', 'bracket', 'solves', 'result'],
    rows: found.map((t, i): Cell[] => {
      const s = specs[i];
      const what = [s.observable && `observable ${s.observable}`, s.level !== undefined && `level ${s.level}`, s.init && `init ${s.init}`,
        s.high && `high ${s.high}`, s.direction && `direction ${s.direction}`].filter(Boolean).join(', ');
      const decimals = decimalsOf(t.tolerance);
      return [
        `${t.kind}${what ? ` (${what})` : ''}`, { tex: `${latexSymbol(t.param)} \\in [${s.lo}, ${s.hi}]` },
        t.found ? { tex: `${latexSymbol(t.param)} = ${t.threshold.toFixed(decimals)}` } : '', t.found ? t.tolerance : '',
        t.found ? `[${t.bracket.map((b) => b.toPrecision(10)).join(', ')}]` : '', t.evaluations,
        t.found ? { text: 'found', tone: 'ok' } : { text: `not found: ${t.message ?? ''}`, tone: 'warn' },
      ];
    }),
  };
}

/** As many decimals as a tolerance resolves (2.5e-7: 7). */
function decimalsOf(tolerance: number): number {
  return Number.isFinite(tolerance) && tolerance > 0 ? Math.min(15, Math.max(0, Math.ceil(-Math.log10(tolerance)))) : 6;
}

function verifyTable(v: { plan: VerifyPlan; run: SimulationRun; solution: Solution; rows: readonly Comparison[] }): ReportTable {
  const failed = v.run.trials.filter((t) => !t.converged).length;
  const at = Object.entries(v.run.params).map(([k, x]) => `${k} = ${x}`).join(', ');
  return {
    caption: `At ${at}: d = ${v.plan.d}, ${v.plan.trials} trials (seed ${v.plan.seed})${failed ? `, ${failed} estimator runs did not converge and are left out` : ''}; theory ${v.solution.status}. z = (mean − theory) / SE; a row passes when |z| ≤ ${v.plan.tolerance} or |mean − theory| ≤ ${RESOLUTION} max(1, |theory|).`,
    header: ['', 'quantity', 'theory', 'simulation mean', 'SE', 'z', 'relative', 'verdict'],
    rows: v.rows.map((r): Cell[] => [
      symbolCell(r.quantity), r.quantity, r.theory, r.mean, r.se, r.z, r.relative,
      !r.pass ? { text: `|z| > ${v.plan.tolerance}`, tone: 'bad' } : Math.abs(r.z) <= v.plan.tolerance ? { text: 'ok', tone: 'ok' } : { text: `ok: |mean − theory| ≤ ${RESOLUTION}`, tone: 'ok' },
    ]),
  };
}

/** The model file as the reader should see it: relative to the current directory when below it. */
function commandLine(argv: readonly string[]): string {
  return ['saddle', 'report', ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function version(): string {
  try {
    return String((JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '?');
  } catch {
    return '?';
  }
}

/** The phase-diagram section: the heat map, the lines' points, and the diagnostics of every branch solve. */
async function phaseOf(compiled: Compiled, plan: PhasePlan, file: string, workers: number): Promise<PhaseSection> {
  const { result, diagram, cells, regions, seconds } = await computePhase(compiled, plan, file, workers);
  const { heatMapOf, renderHeatMapSvg } = await import('../../report/heatmap.ts');
  const { x, y, inits } = plan.spec;
  const points = cells.flatMap((c) => c.branches.map((b) => ({
    params: { [x.name]: c.x, [y.name]: c.y }, branch: b.init,
    solution: { ...b, time: 0, init: b.init },
  })));
  const diagnostics = { ...solverDiagnostics(points), time: seconds * 1000 };
  const lines: ReportTable[] = [...diagram.lines].map(([name, pts]) => ({
    caption: `Line ${name}: the threshold in ${y.name} at each ${x.name} (to ${plan.spec.tol}; not found where the message says why).`,
    header: [x.name, y.name, 'tolerance', 'solves', 'note'],
    rows: pts.map((p, k) => [x.values[k], p?.found ? p.threshold : NaN, p?.found ? p.tolerance : NaN, p?.evaluations ?? NaN, p?.found ? '' : (p?.message ?? 'not computed')]),
  }));
  return {
    svg: await renderHeatMapSvg(heatMapOf(diagram, compiled.program.info.name, plan.quantity, regions)),
    caption: `${plan.quantity} of the equilibrium branch over ${x.name} × ${y.name} (${x.values.length} × ${y.values.length} cells, `
      + `each solved cold from ${inits.join(', ')}; the equilibrium is the converged branch of lowest free energy)`
      + `${diagram.lines.size ? `, with the lines ${[...diagram.lines.keys()].join(', ')} traced along ${x.name}` : ''}`
      + `${regions ? ` and the regions of the model file (${regions.labels.join(', ')})` : ''}. `
      + `${phaseSummary(diagram, cells, regions).join('; ')}. ${result.computed} records computed, ${result.reused} read from ${displayPath(file)}.`,
    diagnostics,
    tables: lines,
  };
}
