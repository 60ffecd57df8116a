import { resolve } from 'node:path';
import { UsageError } from '../../base/errors.ts';
import { VERSION } from '../../base/version.ts';
import { checkOutputPath, writeFileAtomic } from '../../io/files.ts';
import { loadModel, type LoadedModel } from '../../pipeline/load.ts';
import { displayPath, resolveModel } from '../../pipeline/models.ts';
import { checkLogAxis, directionPlan, sweepAxes, type AxisCount } from '../../pipeline/plan/axes.ts';
import { initList, initPlan } from '../../pipeline/plan/inits.ts';
import { outputFile } from '../../pipeline/plan/outputs.ts';
import { checkParams, paramsPlan, type ParamsPlan, type ParamValues } from '../../pipeline/plan/params.ts';
import { defaultPhaseOut, phasePlan, type PhasePlan } from '../../pipeline/plan/phase.ts';
import { defaultQuantities, quantityList } from '../../pipeline/plan/quantities.ts';
import { checkSimulationSize, simulationPlan, workersPlan, type SimulationPlan } from '../../pipeline/plan/simulation.ts';
import { solverPlan } from '../../pipeline/plan/solver.ts';
import { keyFields, thresholdPlan, thresholdText } from '../../pipeline/plan/thresholds.ts';
import { listOption, repeated, stringOption, type OptionValues } from '../../pipeline/plan/values.ts';
import { renderReport, solverDiagnostics, type ReportContent } from '../../report/html.ts';
import { reportPage, type PageRequest, type PageResults } from '../../report/page.ts';
import { decimalsOf, type PhaseResult, type Verified } from '../../report/report-tables.ts';
import { closeWorkers, simulateParallel, type SimulationRun } from '../../simulate/run.ts';
import { solve } from '../../solve/iterate.ts';
import type { SolveOptions } from '../../solve/solution.ts';
import type { Axis } from '../../sweep/axis.ts';
import { sweep, type SweepRow } from '../../sweep/continuation.ts';
import { findThreshold } from '../../transitions/threshold.ts';
import { compare } from '../../verify/compare.ts';
import { EXIT } from '../exit.ts';
import { loadOptions, onePositional, parse, PRIOR_HELP, SOLVER_OPTIONS } from '../options.ts';
import { computePhase } from '../phase-run.ts';
import { Progress } from '../progress.ts';
import { pointKey, simulatePoints } from '../simulate-points.ts';

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

  --threshold KIND:NAME=LO:HI[,observable=X][,level=L][,init=A][,high=B][,direction=backward][,scan=N][,tol=T][,budget=N]
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

export async function runReport(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, REPORT_OPTIONS);
  if (values.help) { out(REPORT_HELP); return EXIT.ok; }
  const { compiled, plan } = reportPlan(values, positionals);
  const results = await computeReport(compiled, plan);
  const content = await reportPage(compiled, {
    ...plan, file: displayPath(compiled.program.info.file),
    provenance: { command: commandLine(argv), version: VERSION, date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC` },
  }, results);
  const { html, mathErrors } = renderReport(content);
  writeFileAtomic(plan.out, html);
  out(`report written to ${plan.out} (${Math.round(html.length / 1024)} kB)`);
  printSummary(plan, results, content, out);
  for (const e of mathErrors) out(`warning: an equation could not be rendered and is shown as LaTeX source: ${e}`);
  return results.diagnostics.failed.length || results.found.some((t) => !t.found) ? EXIT.notConverged : EXIT.ok;
}

const REPORT_OPTIONS = {
  ...SOLVER_OPTIONS,
  out: { type: 'string' }, title: { type: 'string' }, equals: { type: 'boolean' },
  param: { type: 'string', multiple: true }, inits: { type: 'string' }, direction: { type: 'string' },
  y: { type: 'string', multiple: true }, logx: { type: 'boolean' }, logy: { type: 'boolean' }, 'log-x': { type: 'boolean' }, 'log-y': { type: 'boolean' },
  simulate: { type: 'string' }, threshold: { type: 'string', multiple: true }, verify: { type: 'string', multiple: true },
  workers: { type: 'string' }, 'phase-x': { type: 'string' }, 'phase-y': { type: 'string' }, lines: { type: 'string' },
  'phase-observable': { type: 'string' }, 'phase-out': { type: 'string' },
} as const;

/** Theory against simulation at one point: the simulation plan, the parameters (the report's, some overridden), the tolerance. */
interface VerifyPlan extends SimulationPlan {
  readonly params: ParamValues;
  readonly tolerance: number;
}

/** Everything the page will hold, asked for and checked before any work. */
interface ReportPlan extends Omit<PageRequest, 'provenance' | 'file'> {
  readonly out: string;
  readonly params: ParamsPlan;
  readonly solver: Omit<SolveOptions, 'init'>;
  readonly simulation?: SimulationPlan;
  readonly verifies: readonly VerifyPlan[];
  readonly workers: number;
  readonly phase?: { readonly plan: PhasePlan; readonly out: string };
}

const ONE_AXIS: AxisCount = { least: 0, most: 1, message: 'a report sweeps one parameter: give one --param', hint: 'for a 2-D grid use `saddle sweep` (or `saddle phase`)' };

function reportPlan(values: OptionValues, positionals: readonly string[]): { compiled: LoadedModel; plan: ReportPlan } {
  const out = stringOption(values.out);
  if (!out) throw new UsageError('give the page to write, --out FILE.html', 'e.g. --out report.html');
  outputFile(out, '--out', ['.html', '.htm']);
  const file = resolveModel(onePositional(positionals, 'report'));
  const load = loadOptions(values);
  const compiled = loadModel(file, undefined, load);
  const params = paramsPlan(compiled, values.set as string[] | undefined);
  const { fixed } = params;
  const solver = solverPlan(values);
  const start = initPlan(compiled, stringOption(values.init));
  const inits = start.inits ?? initList(compiled, listOption(values.inits));
  const [axis] = sweepAxes(compiled, fixed, repeated(values.param), ONE_AXIS);
  const logX = Boolean(values['log-x'] || values.logx);
  if (logX && axis) checkLogAxis(axis);
  const figureYs = repeated(values.y).map((y) => quantityList(compiled, listOption(y), '--y')!);
  if (figureYs.length && !axis) throw new UsageError('--y chooses what to plot along a sweep: give --param too');
  if (values.simulate !== undefined && !axis) throw new UsageError('--simulate puts simulation points on the sweep: give --param too', 'or use --verify for one point');
  const simulation = values.simulate === undefined ? undefined : simulationPlan(compiled, String(values.simulate));
  if (simulation && axis) checkSimulationSize(compiled, axis.values.map((v) => ({ ...fixed, [axis.name]: v })), simulation.d, '--simulate');
  // A phase diagram (as `saddle phase`): every initialisation at every cell; --inits belongs to the sweep here, and
  // --tol is also the lines' tolerance.
  const phase = values['phase-x'] !== undefined || values['phase-y'] !== undefined
    ? phasePlan(compiled, resolve(file), load, fixed, solverPlan(values, true), {
      x: stringOption(values['phase-x']), y: stringOption(values['phase-y']), lines: stringOption(values.lines),
      observable: stringOption(values['phase-observable']), tol: values.tol, flags: { x: '--phase-x', y: '--phase-y', observable: '--phase-observable' },
    })
    : undefined;
  if (values.lines !== undefined && !phase) throw new UsageError('--lines are drawn on a phase diagram: give --phase-x and --phase-y too');
  const phaseOut = phase && (stringOption(values['phase-out']) ?? defaultPhaseOut(phase.spec));
  if (phaseOut !== undefined) {
    checkOutputPath(phaseOut, '--phase-out');
    if (resolve(phaseOut) === resolve(out)) throw new UsageError(`--phase-out ${phaseOut} is also the page (--out)`, 'give the phase diagram its own file, e.g. --phase-out results/phase.jsonl');
  }
  const title = stringOption(values.title);
  return {
    compiled,
    plan: {
      out, ...(title !== undefined && { title }), relation: values.equals ? '=' : '\\leftarrow', params, solver,
      init: start.init ?? 'uninformed', ...(inits && { inits }), ...(axis && { axis }), direction: directionPlan(stringOption(values.direction)),
      figures: figureYs.length ? figureYs : [defaultQuantities(compiled, true)], logX, logY: Boolean(values['log-y'] || values.logy),
      ...(simulation && { simulation }),
      thresholds: repeated(values.threshold).map((t) => thresholdPlan(compiled, fixed, thresholdText(t), solver, keyFields('--threshold', t))),
      verifies: repeated(values.verify).map((v) => verifyPlan(v, compiled, fixed)),
      workers: workersPlan(values.workers),
      ...(phase && phaseOut !== undefined && { phase: { plan: phase, out: phaseOut } }),
    },
  };
}

/** `d=D,trials=T[,seed=S][,tolerance=Z][,NAME=VALUE...]`: a simulation plan with the point it verifies. */
function verifyPlan(text: string, compiled: LoadedModel, fixed: ParamValues): VerifyPlan {
  const names = compiled.program.params.map((p) => p.name);
  const params: Record<string, number> = { ...fixed };
  let tolerance = 4;
  const plan = simulationPlan(compiled, text, '--verify', (k, v) => {
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
  checkParams(compiled, params);
  checkSimulationSize(compiled, [params], plan.d, '--verify');
  return { ...plan, params, tolerance };
}

async function computeReport(compiled: LoadedModel, plan: ReportPlan): Promise<PageResults> {
  const base = compiled.problem(plan.params.fixed);
  const params = plan.params.values;
  const solution = solve(base, { ...plan.solver, init: plan.init });
  const rows = plan.axis ? sweepAlong(compiled, plan, plan.axis) : [];
  const axisName = plan.axis?.name ?? '';
  const sims = plan.simulation
    ? await simulatePoints(compiled, rows.map((r) => r.params), plan.simulation, plan.workers, (p) => `${axisName}=${+p[axisName].toPrecision(4)} `)
    : new Map<string, SimulationRun>();
  const verified = await verifyPoints(compiled, plan);
  const found = plan.thresholds.map((spec) => findThreshold(compiled, spec));
  const phase = plan.phase && await phaseResult(compiled, plan.phase.plan, plan.phase.out, plan.workers);
  const diagnostics = solverDiagnostics([
    { params, solution, branch: 'parameters' },
    ...rows.map((r) => ({ params: r.params, solution: r.solution, branch: `sweep ${r.branch}` })),
    ...verified.map((v) => ({ params: v.run.params, solution: v.solution, branch: 'verify' })),
  ]);
  return {
    params, solution, rows, simulationAt: (p) => sims.get(pointKey(p)), simulations: [...sims.values()],
    verified, found, ...(phase && { phase }), diagnostics,
  };
}

/** The sweep of the page, with a progress bar. */
function sweepAlong(compiled: LoadedModel, plan: ReportPlan, axis: Axis): SweepRow[] {
  const branches = (plan.inits?.length ?? 1) * (plan.direction === 'both' ? 2 : 1);
  const progress = new Progress(axis.values.length * branches);
  return sweep(compiled, plan.params.fixed, axis, {
    ...plan.solver, direction: plan.direction, ...(plan.inits ? { inits: plan.inits } : { init: plan.init }),
    onRow: (r) => progress.tick(`${axis.name}=${+r.params[axis.name].toPrecision(4)}`, r.solution.status === 'converged'),
  });
}

/** Each --verify point: its simulation, and the theory against it. */
async function verifyPoints(compiled: LoadedModel, plan: ReportPlan): Promise<Verified[]> {
  const verified: Verified[] = [];
  try {
    for (const v of plan.verifies) {
      const bar = new Progress(v.trials);
      const run = await simulateParallel(compiled, v.params, v.d, v.trials, v.seed, Math.min(plan.workers, v.trials), (t) => bar.tick(`trial ${t.seed.trial}`, t.converged));
      const { solution, rows } = compare(compiled, run, v.tolerance, { ...plan.solver, init: plan.init });
      verified.push({ plan: v, run, solution, rows });
    }
  } finally {
    await closeWorkers();
  }
  return verified;
}

/** The phase diagram, computed or read back from its file, with the lines of the file that were dropped. */
async function phaseResult(compiled: LoadedModel, plan: PhasePlan, file: string, workers: number): Promise<PhaseResult> {
  const warnings: string[] = [];
  const { result, diagram, cells, regions, seconds } = await computePhase(compiled, plan, file, workers, undefined, (w) => warnings.push(w));
  return {
    spec: plan.spec, quantity: plan.quantity, diagram, cells, ...(regions && { regions }), seconds,
    computed: result.computed, reused: result.reused, file: displayPath(file), warnings,
  };
}

/** A summary of the page on standard output. */
function printSummary(plan: ReportPlan, r: PageResults, content: ReportContent, out: (s: string) => void): void {
  const sim = plan.simulation;
  const nFigs = content.figures?.length ?? 0;
  if (plan.axis) out(`sweep: ${r.rows.length} points, ${r.rows.filter((x) => x.solution.status === 'converged').length} converged${sim ? `; simulation at ${r.simulations.length} points (d = ${sim.d}, ${sim.trials} trials)` : ''}; ${nFigs} figure${nFigs === 1 ? '' : 's'}`);
  for (const t of r.found) out(t.found ? `threshold ${t.kind}: ${t.param} = ${t.threshold.toFixed(decimalsOf(t.tolerance))} +- ${t.tolerance.toExponential(1)}` : `threshold ${t.kind}: not found: ${t.message}`);
  for (const v of r.verified) out(`verify at ${Object.entries(v.run.params).map(([k, x]) => `${k}=${x}`).join(' ')}: ${v.rows.every((x) => x.pass) ? `every |z| <= ${v.plan.tolerance}` : `disagreement (|z| > ${v.plan.tolerance}) for ${v.rows.filter((x) => !x.pass).map((x) => x.quantity).join(', ')}`}`);
  for (const w of r.phase?.warnings ?? []) out(`warning: phase file: ${w}`);
  for (const f of r.diagnostics.failed.slice(0, 5)) out(`  not converged: ${Object.entries(f.params).map(([k, x]) => `${k}=${x}`).join(' ')} (${f.branch}): ${f.status}: ${f.message ?? ''}`);
}

/** The command line as a shell would take it back. */
function commandLine(argv: readonly string[]): string {
  return ['saddle', 'report', ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

