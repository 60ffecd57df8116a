import { UsageError } from '../base/errors.ts';
import type { LoadOptions } from '../model/types.ts';
import type { SolveOptions } from '../solve/solution.ts';
import { parseAxis } from '../sweep/axis.ts';
import { thresholdKind, type ThresholdKind } from '../transitions/threshold.ts';

/** One axis of a phase diagram: `NAME=START:STOP:COUNT[:log]`. */
export interface PhaseAxis {
  readonly name: string;
  readonly values: readonly number[];
  readonly log: boolean;
}

/**
 * A transition line, written `KIND[@INIT][:forward|:backward]`: the threshold of that kind in the y parameter,
 * traced along x. `spinodal@informed:backward` is where the branch from `informed`, followed down in y, ends.
 */
export interface LineSpec {
  readonly name: string;
  readonly kind: ThresholdKind;
  readonly init?: string;
  readonly direction?: 'forward' | 'backward';
}

/** Everything that determines the numbers of a phase diagram (and so identifies its output file). */
export interface PhaseSpec {
  /** Absolute path of the model file, and how it is loaded. */
  readonly file: string;
  readonly load: LoadOptions;
  readonly x: PhaseAxis;
  readonly y: PhaseAxis;
  readonly fixed: Readonly<Record<string, number>>;
  /** The starts solved at every cell: one branch each. */
  readonly inits: readonly string[];
  readonly lines: readonly LineSpec[];
  readonly solver: Omit<SolveOptions, 'init' | 'history'>;
  /** Absolute tolerance of the line points (as `saddle threshold --tol`). */
  readonly tol: number;
}

export function parsePhaseAxis(text: string, flag: string): PhaseAxis {
  try {
    const a = parseAxis(text);
    return { name: a.name, values: a.values, log: /:log\s*$/.test(text) };
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`--${flag}: ${e.message}`, e.hint);
    throw e;
  }
}

export function parseLines(text: string): LineSpec[] {
  const usage = 'write KIND[@INIT][:forward|:backward], comma-separated, e.g. spinodal,first-order,spinodal@informed:backward';
  return text.split(',').map((s) => s.trim()).filter(Boolean).map((name) => {
    const m = /^([a-z-]+)(?:@([A-Za-z_][A-Za-z0-9_]*))?(?::(forward|backward))?$/.exec(name);
    const kind = m && (thresholdKind(m[1]));
    if (!m || !kind || kind === 'level') {
      throw new UsageError(`--lines: cannot read \`${name}\``, `${usage}; kinds: weak-recovery, spinodal, first-order`);
    }
    if (m[3] && kind !== 'spinodal') throw new UsageError(`--lines ${name}: a direction applies to spinodal lines only`, usage);
    return { name, kind, ...(m[2] && { init: m[2] }), ...(m[3] && { direction: m[3] as 'forward' | 'backward' }) };
  });
}
