/**
 * The page of `saddle report`, assembled from what each stage computed: the model and its origin, the parameters,
 * the fixed point, the equations (LaTeX from the IR), the sweep's figures and rows with their simulation points,
 * the thresholds, theory against simulation, the phase diagram, the solver's diagnostics and the notes a reader
 * should see first. Rendering it to HTML is html.ts's.
 */
import type { Compiled } from '../compile/compile.ts';
import { programLatex } from '../ir/latex.ts';
import type { SimulationRun } from '../simulate/run.ts';
import type { Solution } from '../solve/solution.ts';
import type { Axis } from '../sweep/axis.ts';
import type { Direction, SweepRow } from '../sweep/continuation.ts';
import type { Threshold, ThresholdSpec } from '../transitions/threshold.ts';
import type { Figure, PhaseSection, ReportContent, SolverDiagnostics } from './html.ts';
import { simulationOverlay } from './overlay.ts';
import { parameterTable, phaseSection, solutionTable, sweepTable, thresholdTable, verifyTable, type PhaseResult, type Verified } from './report-tables.ts';
import { sweepPlot } from './sweep-plot.ts';

/** How the results were asked for: what the page says about them. */
export interface PageRequest {
  readonly title?: string;
  /** How updates are written: `=`, or `\leftarrow` (the solver's sequential assignment). */
  readonly relation: '=' | '\\leftarrow';
  /** The start of the fixed point shown (and of the sweep, unless `inits`). */
  readonly init: string;
  readonly inits?: readonly string[];
  readonly axis?: Axis;
  readonly direction: Direction | 'both';
  /** The quantities of each figure. */
  readonly figures: readonly (readonly string[])[];
  readonly logX: boolean;
  readonly logY: boolean;
  readonly simulation?: { readonly d: number; readonly trials: number; readonly seed: number; readonly quantities: readonly string[] };
  readonly thresholds: readonly ThresholdSpec[];
  /** Where the page comes from: the command line, saddle's version, the date. */
  readonly provenance: ReportContent['provenance'];
  /** The model file as the reader should see it. */
  readonly file: string;
}

/** What each stage computed. */
export interface PageResults {
  /** Every parameter's value. */
  readonly params: Readonly<Record<string, number>>;
  readonly solution: Solution;
  readonly rows: readonly SweepRow[];
  /** The simulation at a point of the sweep (undefined where none ran). */
  readonly simulationAt: (params: Readonly<Record<string, number>>) => SimulationRun | undefined;
  readonly simulations: readonly SimulationRun[];
  readonly verified: readonly Verified[];
  readonly found: readonly Threshold[];
  readonly phase?: PhaseResult;
  readonly diagnostics: SolverDiagnostics;
}

/** The page's content. */
export async function reportPage(compiled: Compiled, request: PageRequest, r: PageResults): Promise<ReportContent> {
  const model = compiled.program.info;
  const base = compiled.problem(r.params);
  const figs = await figures(compiled, request, r);
  const phase = r.phase && await phaseSection(r.phase, model.name);
  const notes = notesOf(r, phase);
  return {
    title: request.title ?? model.name,
    model: {
      name: model.name, file: request.file, description: model.description,
      ...(model.conventions && { conventions: model.conventions }), ...(model.source && { source: model.source }),
      sha256: model.sha256, ...(model.data?.length && { data: model.data }),
    },
    provenance: request.provenance,
    parameters: parameterTable(compiled, r.params, request.axis),
    solution: solutionTable(compiled, r.solution, request.init),
    equations: programLatex(compiled.program, { updateRelation: request.relation }),
    updateRelation: request.relation,
    ...(figs.length && { figures: figs }),
    ...(request.axis && { sweepTable: sweepTable(r.rows, request.axis, base, request.simulation?.quantities, r.simulationAt) }),
    ...(r.found.length && { thresholds: thresholdTable(r.found, request.thresholds) }),
    ...(r.verified.length && { verify: r.verified.map((v) => verifyTable(v)) }),
    diagnostics: r.diagnostics,
    ...(phase && { phase }),
    ...(notes.length && { notes }),
  };
}

/** What the reader should see first: failures, thresholds not found, disagreements, a phase file's dropped lines. */
function notesOf(r: PageResults, phase: PhaseSection | undefined): NonNullable<ReportContent['notes']>[number][] {
  const notes: NonNullable<ReportContent['notes']>[number][] = [];
  const phaseFailed = phase?.diagnostics.failed.length ?? 0;
  const disagree = r.verified.filter((v) => v.rows.some((x) => !x.pass));
  const notFound = r.found.filter((t) => !t.found);
  const dropped = r.phase?.warnings.length ?? 0;
  if (dropped) notes.push({ tone: 'warn', text: `${dropped} line${dropped > 1 ? 's' : ''} of the phase file ${r.phase!.file} ${dropped > 1 ? 'were' : 'was'} dropped when it was read back (and recomputed): see the phase diagram.` });
  if (phaseFailed) notes.push({ tone: 'warn', text: `${phaseFailed} branch solves of the phase diagram did not converge: see its diagnostics.` });
  if (r.diagnostics.failed.length) notes.push({ tone: 'bad', text: `${r.diagnostics.failed.length} of ${r.diagnostics.points} solves did not converge: see the solver diagnostics.` });
  if (notFound.length) notes.push({ tone: 'warn', text: `${notFound.length} threshold${notFound.length > 1 ? 's were' : ' was'} not found in the range searched: see the thresholds.` });
  if (disagree.length) notes.push({ tone: 'bad', text: `Theory and simulation disagree at ${disagree.length} point${disagree.length > 1 ? 's' : ''}: see theory against simulation.` });
  return notes;
}

/** One figure per list of quantities along the sweep, with the simulation points (vega loads only with a sweep). */
async function figures(compiled: Compiled, request: PageRequest, r: PageResults): Promise<Figure[]> {
  const axis = request.axis;
  if (!axis) return [];
  const { renderSvg, prettySymbol } = await import('./plot.ts');
  const others = Object.entries(r.params).filter(([k]) => k !== axis.name);
  const where = others.length ? others.map(([k, v]) => `${prettySymbol(k)} = ${+v.toPrecision(6)}`).join(', ') : '';
  const sim = request.simulation;
  const label = sim && `simulation, mean ± SE, ${sim.trials} trials, d = ${sim.d}`;
  const failed = r.rows.filter((x) => x.solution.status !== 'converged').length;
  const figs: Figure[] = [];
  for (const ys of request.figures) {
    let plot = sweepPlot(r.rows, { title: `${compiled.program.info.name}${where ? `: ${where}` : ''}`, x: axis.name, ys, logX: request.logX, logY: request.logY });
    if (sim) plot = simulationOverlay(plot, r.simulations, ys, axis.name, label!);
    figs.push({
      svg: await renderSvg(plot),
      caption: `${ys.join(', ')} against ${axis.name}${where ? ` at ${where}` : ''}: ${r.rows.length} solves by continuation`
        + ` from ${request.inits ? request.inits.join(', ') : request.init}${request.direction !== 'forward' ? ` (${request.direction})` : ''}`
        + `${failed ? `; ${failed} did not converge (red markers, gaps in the lines)` : ''}`
        + `${sim && ys.some((y) => sim.quantities.includes(y)) ? `; open markers with error bars: ${label} (seed ${sim.seed})` : ''}.`,
    });
  }
  return figs;
}
