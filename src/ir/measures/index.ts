import type { Law } from '../../model/types.ts';
import type { DeclaredLaw, MeasureKind } from './measure.ts';
import { DISCRETE, type DiscreteMeasure } from './discrete.ts';
import { NORMAL, type NormalMeasure } from './normal.ts';
import { NORMAL_INTERVAL, type NormalIntervalMeasure } from './normal-interval.ts';
import { MARCHENKO_PASTUR, type MarchenkoPasturMeasure } from './marchenko-pastur.ts';
import { POWER_LAW, type PowerLawMeasure } from './power-law.ts';
import { SPECTRUM, type SpectrumMeasure } from './spectrum.ts';
import { INTERVAL, type IntervalMeasure } from './interval.ts';

/**
 * The registry of measures. Adding a kind of measure (a spectral density, a K-dimensional normal) is one file of
 * this folder exporting its `MeasureKind` (measure.ts), its member of this union and its line in `registered`;
 * nothing outside this folder looks at a measure's kind.
 */
export type Measure = NormalMeasure | NormalIntervalMeasure | DiscreteMeasure
  | MarchenkoPasturMeasure | PowerLawMeasure | SpectrumMeasure | IntervalMeasure;

/** Every kind, in a fixed order (the order of their run-time helpers in generated code). A function, not a
 * constant, so that the modules of the kinds, which import the IR, may be loaded in any order. */
const registered = (): readonly MeasureKind<Measure>[] => [
  NORMAL as MeasureKind<Measure>,
  NORMAL_INTERVAL as MeasureKind<Measure>,
  DISCRETE as MeasureKind<Measure>,
  MARCHENKO_PASTUR as MeasureKind<Measure>,
  POWER_LAW as MeasureKind<Measure>,
  SPECTRUM as MeasureKind<Measure>,
  INTERVAL as MeasureKind<Measure>,
];

let byKind: ReadonlyMap<string, MeasureKind<Measure>> | undefined;
let byLaw: ReadonlyMap<string, DeclaredLaw<Law>> | undefined;

/** The kind of a measure: what every pass asks about it. */
export function measureKind<M extends Measure>(m: M): MeasureKind<M> {
  byKind ??= new Map(registered().map((k) => [k.kind, k]));
  const kind = byKind.get(m.kind);
  if (kind === undefined) throw new Error(`unregistered measure kind \`${m.kind}\` (src/ir/measures/index.ts)`);
  return kind as unknown as MeasureKind<M>;
}

/** How expectations over a variable declared with the law `law` (a `Law`'s kind) integrate, and how it is described. */
export function declaredLaw(law: Law['kind']): DeclaredLaw<Law> {
  byLaw ??= new Map(registered().flatMap((k) => (k.declared ? [[k.declared.law, k.declared] as const] : [])));
  const declared = byLaw.get(law);
  if (declared === undefined) throw new Error(`no measure registered for the law \`${law}\` (src/ir/measures/index.ts)`);
  return declared;
}

/** The run-time helpers of generated code, by the names it calls them (`S_truncRule`, ...), kinds in order. */
export function measureRuntime(): Readonly<Record<string, unknown>> {
  return Object.assign(Object.create(null) as Record<string, unknown>, ...registered().map((k) => k.runtime ?? {}));
}

export type { Calculus, DeclaredLaw, Expectation, Integrator, LatexPrinter, LawContext, LoopEmitter, MeasureKind } from './measure.ts';
