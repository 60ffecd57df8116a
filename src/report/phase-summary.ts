import type { Compiled } from '../compile/compile.ts';
import type { CellRecord } from '../phase/compute.ts';
import { regionLabels, type Diagram } from '../phase/diagram.ts';
import type { Regions } from '../phase/regions.ts';
import { CsvWriter, fmt } from './table.ts';

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

/** The cells as CSV: x, y, selected, region, then every branch's status, iterations, residual and quantities. */
export function writePhaseCsv(file: string, flag: string, d: Diagram, cells: readonly CellRecord[], compiled: Compiled, regions?: Regions): void {
  const problem = compiled.problem();
  const names = [...problem.stateNames, ...problem.observableNames];
  const labels = regions ? regionLabels(d, regions) : undefined;
  const cols = [d.spec.x.name, d.spec.y.name, 'selected', 'region', ...d.spec.inits.flatMap((i) => ['status', 'iterations', 'residual', ...names].map((c) => `${i}:${c}`))];
  const csv = new CsvWriter(file, cols, flag);
  for (const c of cells) {
    csv.writeCells([c.x, c.y, c.selected ?? '', labels?.[c.i][c.j] ?? '', ...d.spec.inits.flatMap((init) => {
      const b = c.branches.find((r) => r.init === init);
      return b ? [b.status, b.iterations, b.residual, ...names.map((n) => b.state[n] ?? b.observables[n])] : ['missing', NaN, NaN, ...names.map(() => NaN)];
    })]);
  }
}

/** The line points as CSV: line, x, threshold (y), found, tolerance, evaluations, message. */
export function writeLinesCsv(file: string, flag: string, d: Diagram): void {
  const csv = new CsvWriter(file, ['line', d.spec.x.name, d.spec.y.name, 'found', 'tolerance', 'evaluations', 'message'], flag);
  for (const [name, points] of d.lines) {
    points.forEach((p, k) => csv.writeCells([name, d.spec.x.values[k], p?.threshold ?? NaN, String(p?.found ?? false), p?.tolerance ?? NaN, p?.evaluations ?? NaN, p ? (p.message ?? '') : 'not computed']));
  }
}
