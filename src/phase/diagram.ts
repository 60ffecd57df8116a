import type { CellRecord, LinePointRecord, PhaseRecord } from './compute.ts';
import type { Regions } from './regions.ts';
import type { PhaseSpec } from './spec.ts';

/** A complete phase diagram read back from its records, indexed by cell. */
export interface Diagram {
  readonly spec: Omit<PhaseSpec, 'file'>;
  /** cells[i][j] at (x_i, y_j); undefined where no record exists (an incomplete shard). */
  readonly cells: readonly (readonly (CellRecord | undefined)[])[];
  readonly lines: ReadonlyMap<string, readonly (LinePointRecord | undefined)[]>;
}

export function diagramOf(spec: Omit<PhaseSpec, 'file'>, records: readonly PhaseRecord[]): Diagram {
  const cells: (CellRecord | undefined)[][] = spec.x.values.map(() => spec.y.values.map(() => undefined));
  const lines = new Map<string, (LinePointRecord | undefined)[]>(spec.lines.map((l) => [l.name, spec.x.values.map(() => undefined)]));
  for (const r of records) {
    if (r.type === 'cell') cells[r.i][r.j] = r;
    else lines.get(r.line)![r.k] = r;
  }
  return { spec, cells, lines };
}

/** The parameters of cell (i, j): the fixed ones and the two axes. */
export function cellParams(spec: Omit<PhaseSpec, 'file'>, cell: CellRecord): Record<string, number> {
  return { ...spec.fixed, [spec.x.name]: cell.x, [spec.y.name]: cell.y };
}

/** The value of `quantity` on the selected branch of a cell (NaN without one). */
export function selectedValue(cell: CellRecord | undefined, quantity: string): number {
  const b = cell?.branches.find((r) => r.init === cell.selected);
  return b ? (b.state[quantity] ?? b.observables[quantity] ?? NaN) : NaN;
}

export function regionLabels(d: Diagram, regions: Regions): (string | null)[][] {
  return d.cells.map((col) => col.map((c) => (c ? regions.label(c, cellParams(d.spec, c)) : null)));
}
