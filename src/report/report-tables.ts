/**
 * The tables of `saddle report`'s page, made from the results of each stage: the parameters, the fixed point, a
 * sweep's rows (with their simulation), the thresholds, theory against simulation, a phase diagram's section.
 */
import type { Compiled } from '../compile/compile.ts';
import { latexSymbol } from '../ir/latex.ts';
import type { CellRecord } from '../phase/compute.ts';
import type { Diagram } from '../phase/diagram.ts';
import type { Regions } from '../phase/regions.ts';
import type { PhaseSpec } from '../phase/spec.ts';
import type { SimulationRun } from '../simulate/run.ts';
import type { Solution } from '../solve/solution.ts';
import type { Axis } from '../sweep/axis.ts';
import type { SweepRow } from '../sweep/continuation.ts';
import type { Threshold, ThresholdSpec } from '../transitions/threshold.ts';
import { RESOLUTION, type Comparison } from '../verify/compare.ts';
import { solverDiagnostics, type Cell, type PhaseSection, type ReportTable } from './html.ts';
import { phaseSummary } from './phase-summary.ts';
import { cells, columns, ORIGIN_COLUMNS } from './table.ts';

/** Theory against simulation at one point: the plan (size, trials, seed, tolerance), the run, the theory, the rows. */
export interface Verified {
  readonly plan: { readonly d: number; readonly trials: number; readonly seed: number; readonly tolerance: number };
  readonly run: SimulationRun;
  readonly solution: Solution;
  readonly rows: readonly Comparison[];
}

const symbolCell = (name: string): Cell => ({ tex: latexSymbol(name) });

/** As many decimals as a tolerance resolves (2.5e-7: 7). */
export function decimalsOf(tolerance: number): number {
  return Number.isFinite(tolerance) && tolerance > 0 ? Math.min(15, Math.max(0, Math.ceil(-Math.log10(tolerance)))) : 6;
}

export function parameterTable(compiled: Compiled, params: Readonly<Record<string, number>>, axis: Axis | undefined): ReportTable {
  return {
    header: ['', 'parameter', 'value', 'range', 'meaning'],
    rows: compiled.program.params.map((p): Cell[] => {
      const swept = axis?.name === p.name;
      const value: Cell = swept ? `swept from ${axis.values[0]} to ${axis.values[axis.values.length - 1]} (${axis.values.length} points)` : String(params[p.name]);
      return [symbolCell(p.name), p.name, value, `[${p.min ?? '−∞'}, ${p.max ?? '∞'}]`, p.doc ?? ''];
    }),
  };
}

export function solutionTable(compiled: Compiled, s: Solution, init: string): ReportTable {
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

/** A sweep's rows: the swept parameter only (the parameters and the model's origin have their own tables). */
export function sweepTable(rows: readonly SweepRow[], axis: Axis, problem: { stateNames: readonly string[]; observableNames: readonly string[] },
  quantities: readonly string[] | undefined, simulationOf: (p: Readonly<Record<string, number>>) => SimulationRun | undefined): ReportTable {
  const cols = columns([axis.name], { ...problem, paramNames: [axis.name] })
    .filter((c) => !(ORIGIN_COLUMNS as readonly string[]).includes(c) && (c !== 'warning' || rows.some((r) => r.solution.warnings?.length))
      && (c !== 'selected' || rows.some((r) => r.selected !== undefined)));
  const simCols = quantities ? quantities.flatMap((q) => [`sim_${q}`, `sim_${q}_se`]) : [];
  return {
    header: [...cols, ...simCols],
    rows: rows.map((r) => {
      const run = simulationOf(r.params);
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

export function thresholdTable(found: readonly Threshold[], specs: readonly ThresholdSpec[]): ReportTable {
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

export function verifyTable(v: Verified): ReportTable {
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

/** A computed phase diagram, as the report reads it. */
export interface PhaseResult {
  readonly spec: Pick<PhaseSpec, 'x' | 'y' | 'inits' | 'tol'>;
  readonly quantity: string;
  readonly diagram: Diagram;
  readonly cells: readonly CellRecord[];
  readonly regions?: Regions;
  readonly seconds: number;
  readonly computed: number;
  readonly reused: number;
  /** The file the records are in, as the reader should see it. */
  readonly file: string;
  /** Lines of the file dropped when it was read back (corrupt, duplicates). */
  readonly warnings: readonly string[];
}

/** The phase-diagram section: the heat map, the lines' points, the diagnostics of every branch solve, the warnings. */
export async function phaseSection(p: PhaseResult, model: string): Promise<PhaseSection> {
  const { heatMapOf, renderHeatMapSvg } = await import('./heatmap.ts');
  const { x, y, inits } = p.spec;
  const { diagram, cells, regions } = p;
  const points = cells.flatMap((c) => c.branches.map((b) => ({
    params: { [x.name]: c.x, [y.name]: c.y }, branch: b.init,
    solution: { ...b, time: 0, init: b.init },
  })));
  const diagnostics = { ...solverDiagnostics(points), time: p.seconds * 1000 };
  const lines: ReportTable[] = [...diagram.lines].map(([name, pts]) => ({
    caption: `Line ${name}: the threshold in ${y.name} at each ${x.name} (to ${p.spec.tol}; not found where the message says why).`,
    header: [x.name, y.name, 'tolerance', 'solves', 'note'],
    rows: pts.map((q, k) => [x.values[k], q?.found ? q.threshold : NaN, q?.found ? q.tolerance : NaN, q?.evaluations ?? NaN, q?.found ? '' : (q?.message ?? 'not computed')]),
  }));
  return {
    svg: await renderHeatMapSvg(heatMapOf(diagram, model, p.quantity, regions)),
    caption: `${p.quantity} of the equilibrium branch over ${x.name} × ${y.name} (${x.values.length} × ${y.values.length} cells, `
      + `each solved cold from ${inits.join(', ')}; the equilibrium is the converged branch of lowest free energy)`
      + `${diagram.lines.size ? `, with the lines ${[...diagram.lines.keys()].join(', ')} traced along ${x.name}` : ''}`
      + `${regions ? ` and the regions of the model file (${regions.labels.join(', ')})` : ''}. `
      + `${phaseSummary(diagram, cells, regions).join('; ')}. ${p.computed} records computed, ${p.reused} read from ${p.file}.`,
    diagnostics,
    tables: lines,
    ...(p.warnings.length && { warnings: p.warnings }),
  };
}
