import { jsonNumbers } from '../../io/json.ts';
import { paramsPlan } from '../../pipeline/plan/params.ts';
import { solverPlan } from '../../pipeline/plan/solver.ts';
import { MAX_BUDGET, MAX_SCAN, thresholdPlan, THRESHOLD_KEYS, type ThresholdFields } from '../../pipeline/plan/thresholds.ts';
import { findThreshold, type Threshold } from '../../transitions/threshold.ts';
import { DEFAULT_BUDGET } from '../../transitions/search.ts';
import { VERSION } from '../../base/version.ts';
import { EXIT } from '../exit.ts';
import { modelArgument, parse, PRIOR_HELP, SOLVER_OPTIONS } from '../options.ts';
import { Progress } from '../progress.ts';

export { MAX_BUDGET } from '../../pipeline/plan/thresholds.ts';

export const THRESHOLD_HELP = `saddle threshold MODEL --param NAME=LO:HI --kind KIND [options]

Locate a phase transition of MODEL in NAME between LO and HI: a scan brackets it (refined where the branch
moves fast), then Brent's method (or Newton's method on the fold, or bisection, for a spinodal) refines it to --tol.

Kinds (and the start each takes unless --init says otherwise):
  weak-recovery   the uninformative fixed point turns unstable: the spectral radius of the exact (symbolic)
                  Jacobian of the update map there crosses 1. Start: the named initialisation at which the update
                  map is a fixed point (e.g. q = 0, m = 0), nearest 0 if several
  spinodal        the branch followed by continuation from the start jumps (the algorithmic / AMP threshold);
  (algorithmic)   --observable names the quantity watched (default: the first carried order parameter).
                  Start: uninformed (informed with --direction backward), or, if the update map leaves it in
                  place exactly, the nearest named start that moves (phase retrieval: small)
  first-order     the free energies of the low branch (--init, default uninformed) and the high branch (--high,
  (information-theoretic)   default informed) cross; the model must declare free_energy
  level           --observable crosses --level along the branch from the start (as for spinodal)

Options:
  --param NAME=LO:HI   the parameter and the range searched
  --kind KIND          one of the kinds above
  --set a=1,b=2        the other parameters
  --init NAME          the start of the (low) branch, or the fixed point of weak recovery (default: the kind's own)
  --high NAME          the start of the high branch of first-order (default: informed)
  --observable NAME    quantity for level and spinodal;  --level X  the level
  --direction DIR      spinodal: follow the branch up in NAME (forward, the default) or down (backward: where a
                       high branch ends)
  --tol T              absolute tolerance on the threshold (default 1e-6; weak-recovery 1e-10)
  --scan N             points of the initial scan, an integer from 3 to ${MAX_SCAN} (default 24)
  --budget N           most solves (or Jacobian evaluations) the search may spend, an integer from 1 to ${MAX_BUDGET}
                       (default ${DEFAULT_BUDGET}); when it runs out the status is max-iterations and the message
                       says where the search stood
  --json               one JSON object {"kind", "param", "threshold", "bracket", "tolerance", "evaluations",
                       "status", "found"[, "message"], "init"[, "high"]}
  --damping, --max-iterations, --anderson   as for \`saddle solve\`; the iteration budget of each solve is
                       --max-iterations, else the model's solver.max_iterations, else 100000
${PRIOR_HELP}

Progress (solves spent against the budget, the stage and the parameter value) is drawn on standard error when it
is a terminal.

Exit codes: 0 found, 3 not found (the status and the message say why: no transition of that kind in the range,
a solve that did not converge where it mattered, the budget spent), 2 bad input.`;

export function runThreshold(argv: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, {
    ...SOLVER_OPTIONS, param: { type: 'string' }, kind: { type: 'string' }, observable: { type: 'string' },
    level: { type: 'string' }, high: { type: 'string' }, direction: { type: 'string' }, scan: { type: 'string' },
    budget: { type: 'string' }, json: { type: 'boolean' },
  });
  if (values.help) { out(THRESHOLD_HELP); return EXIT.ok; }
  const compiled = modelArgument(positionals, 'threshold', values);
  const { fixed } = paramsPlan(compiled, values.set as string[] | undefined);
  const fields: ThresholdFields = Object.fromEntries([['kind', values.kind], ['range', values.param], ...THRESHOLD_KEYS.map((k) => [k, values[k]])]
    .filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  const spec = thresholdPlan(compiled, fixed, fields, solverPlan(values, true)); // --tol is the threshold's tolerance here
  const progress = new Progress(spec.budget ?? DEFAULT_BUDGET);
  const t = findThreshold(compiled, { ...spec, onEvent: (e) => progress.update(e.evaluations, `${e.stage} ${e.param}=${+e.value.toPrecision(7)}`, e.ok) });
  progress.end();
  if (values.json) {
    // where the number comes from: the model, its file's sha256 and its data files', saddle's version, every other parameter's value
    const base = compiled.problem(fixed);
    const params = Object.fromEntries(base.paramNames.flatMap((p, i) => (p === t.param ? [] : [[p, base.params[i]]])));
    out(JSON.stringify({ model: base.model, file: base.file, model_sha256: base.sha256, data_sha256: base.data ?? [], saddle_version: VERSION, params, ...t }, jsonNumbers));
  } else {
    out(describe(t, spec.lo, spec.hi));
  }
  return t.found ? EXIT.ok : EXIT.notConverged;
}

/** As many decimals as a tolerance resolves (2.5e-7: 7), as in `saddle report`. */
function decimalsOf(tolerance: number): number {
  return Number.isFinite(tolerance) && tolerance > 0 ? Math.min(15, Math.max(0, Math.ceil(-Math.log10(tolerance)))) : 6;
}

/** The start(s) a search used, in words. */
function starts(t: Threshold): string {
  if (t.init === undefined) return '';
  if (t.kind === 'first-order') return `branches from \`${t.init}\` and \`${t.high}\``;
  return t.kind === 'weak-recovery' ? `fixed point \`${t.init}\`` : `branch from \`${t.init}\``;
}

function describe(t: Threshold, lo: number, hi: number): string {
  const from = starts(t);
  if (t.found) {
    const line = `${t.kind} threshold: ${t.param} = ${t.threshold.toFixed(decimalsOf(t.tolerance))} +- ${t.tolerance.toExponential(1)}  (bracket [${t.bracket.map((b) => b.toFixed(Math.min(16, decimalsOf(t.tolerance) + 1))).join(', ')}], ${t.evaluations} ${t.kind === 'weak-recovery' ? 'evaluations' : 'solves'}${from ? `, ${from}` : ''})`;
    return t.message ? `${line}\n  ${t.message}` : line;
  }
  const named = from && !(t.message ?? '').includes(`\`${t.init}\``);
  return `no ${t.kind} threshold found for ${t.param} in [${lo}, ${hi}] (${t.status}${named ? `, ${from}` : ''}): ${t.message}`;
}
