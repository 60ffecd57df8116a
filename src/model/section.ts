import type { IssueCode, Loc } from '../base/issues.ts';
import type { Expr } from './types.ts';

/** What the reader lends to a section's grammar: its located YAML accessors and its issue list. */
export interface SectionReader {
  add(code: IssueCode, loc: Loc, message: string, symbol?: string, hint?: string): void;
  options(n: unknown, allowed: readonly string[], what: string): Map<string, unknown>;
  exprOf(n: unknown, what: string): Expr | undefined;
  numOf(n: unknown, what: string): number | undefined;
  strOf(n: unknown, what: string): string | undefined;
  nodesOf(n: unknown, what: string): number | undefined;
  locOf(n: unknown): Loc;
}

/**
 * A top-level section that a later stage owns (`glm`, `lowrank`, `simulation`): its grammar is registered with
 * the reader (pipeline/load.ts), so that the reader knows no stage above it. The owner declares the section's
 * field on `Model` by declaration merging (`declare module '../model/types.ts'`), and reads it from there.
 */
export interface SectionGrammar {
  /** The section's key in the file, and the field of `Model` it fills. */
  readonly key: string;
  read(node: unknown, loc: Loc, reader: SectionReader): unknown;
  /** The section writes the order parameters and their updates: then `order_params` and `updates` are optional. */
  readonly generates?: boolean;
  /** Named initialisations it adds to `uninformed` and `informed` (lowrank: `zero`). */
  readonly inits?: readonly string[];
  /** Sections it cannot stand beside. */
  readonly excludes?: readonly string[];
}
