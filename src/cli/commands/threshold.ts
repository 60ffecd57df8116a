import { UsageError } from '../../base/errors.ts';
import { loadModel } from '../../pipeline/load.ts';
import { fmt } from '../../report/table.ts';
import { jsonNumbers } from '../../io/json.ts';
import { findThreshold, THRESHOLD_KINDS, type ThresholdKind } from '../../transitions/threshold.ts';
import { VERSION } from '../../base/version.ts';
import { own } from '../../base/names.ts';
import { EXIT } from '../exit.ts';
import { resolveModel } from '../models.ts';
import { loadOptions, MAX_SCAN, num, onePositional, parse, parseSet, PRIOR_HELP, SOLVER_OPTIONS, solveOptions } from '../options.ts';

export const THRESHOLD_HELP = `saddle threshold MODEL --param NAME=LO:HI --kind KIND [options]

Locate a phase transition of MODEL in NAME between LO and HI: a scan brackets it, then Brent's method
(or bisection, for a spinodal) refines it to --tol.

Kinds:
  weak-recovery   the uninformative fixed point (the --init start, which must be an exact fixed point, e.g. q = 0)
                  turns unstable: the spectral radius of the Jacobian of the update map there crosses 1
  spinodal        the branch followed by continuation from --init jumps (the algorithmic / AMP threshold);
  (algorithmic)   --observable names the quantity watched (default: the first carried order parameter)
  first-order     the free energies of the branches from --init and --high cross (the information-theoretic
  (information-theoretic)   threshold); the model must declare free_energy
  level           --observable crosses --level along the branch from --init

Options:
  --param NAME=LO:HI   the parameter and the range searched
  --kind KIND          one of the kinds above
  --set a=1,b=2        the other parameters
  --init NAME          start of the (low) branch (default: uninformed); --high NAME: of the high branch (informed)
  --observable NAME    quantity for level and spinodal;  --level X  the level
  --direction DIR      spinodal: follow the branch from --init up in NAME (forward, the default) or down
                       (backward: where a high branch, e.g. --init informed, ends)
  --tol T              absolute tolerance on the threshold (default 1e-6)
  --scan N             points of the initial scan, an integer from 3 to 100000 (default 24)
  --json               one JSON object {"kind", "param", "threshold", "bracket", "tolerance", "evaluations",
                       "found"[, "message"]}
  --damping, --max-iterations, --anderson   as for \`saddle solve\`
${PRIOR_HELP}

Exit codes: 0 found, 3 no transition of that kind in the range (the message says why), 2 bad input.`;

const ALIASES: Record<string, ThresholdKind> = { algorithmic: 'spinodal', 'information-theoretic': 'first-order' };

export function runThreshold(argv: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, {
    ...SOLVER_OPTIONS, param: { type: 'string' }, kind: { type: 'string' }, observable: { type: 'string' },
    level: { type: 'string' }, high: { type: 'string' }, direction: { type: 'string' }, scan: { type: 'string' }, json: { type: 'boolean' },
  });
  if (values.help) { out(THRESHOLD_HELP); return EXIT.ok; }
  const compiled = loadModel(resolveModel(onePositional(positionals, 'threshold')), undefined, loadOptions(values));
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=([^:]+):([^:]+)$/.exec(String(values.param ?? ''));
  if (!m) throw new UsageError('give the range as --param NAME=LO:HI', 'e.g. --param alpha=1:2');
  const lo = num(m[2], 'param LO');
  const hi = num(m[3], 'param HI');
  if (lo === undefined || hi === undefined || !(lo < hi)) throw new UsageError(`--param ${values.param}: need LO < HI`);
  const kindArg = String(values.kind ?? '');
  const kind = own(ALIASES, kindArg) ?? (THRESHOLD_KINDS.includes(kindArg as ThresholdKind) ? (kindArg as ThresholdKind) : undefined);
  if (!kind) throw new UsageError(`--kind ${kindArg || '(missing)'}: not a threshold kind`, `kinds: ${THRESHOLD_KINDS.join(', ')} (aliases: algorithmic, information-theoretic)`);
  const direction = values.direction === undefined ? undefined : String(values.direction);
  if (direction !== undefined && direction !== 'forward' && direction !== 'backward') throw new UsageError(`--direction ${direction}: expected forward or backward`);
  const solver = solveOptions({ ...values, tol: undefined }); // --tol is the threshold's tolerance here
  const fixed = parseSet(values.set as string[] | undefined);
  const t = findThreshold(compiled, {
    kind, param: m[1], lo, hi, fixed, solver,
    ...(values.tol !== undefined && { tol: num(values.tol, 'tol', (x) => x > 0) }),
    ...(values.observable !== undefined && { observable: String(values.observable) }),
    ...(values.level !== undefined && { level: num(values.level, 'level') }),
    ...(values.init !== undefined && { init: String(values.init) }),
    ...(values.high !== undefined && { high: String(values.high) }),
    ...(direction !== undefined && { direction }),
    ...(values.scan !== undefined && { scan: num(values.scan, 'scan', (x) => Number.isInteger(x) && x >= 3 && x <= MAX_SCAN, `an integer from 3 to ${MAX_SCAN}`) }),
  });
  if (values.json) {
    // where the number comes from: the model, its file's sha256, saddle's version, every other parameter's value
    const base = compiled.problem(fixed);
    const params = Object.fromEntries(base.paramNames.flatMap((p, i) => (p === t.param ? [] : [[p, base.params[i]]])));
    out(JSON.stringify({ model: base.model, file: base.file, model_sha256: base.sha256, saddle_version: VERSION, params, ...t }, jsonNumbers));
  } else if (t.found) {
    out(`${t.kind} threshold: ${t.param} = ${fmt(t.threshold)} +- ${fmt(t.tolerance)}  (bracket [${t.bracket.map((b) => b.toPrecision(10)).join(', ')}], ${t.evaluations} solves)`);
  } else {
    out(`no ${t.kind} threshold found for ${t.param} in [${lo}, ${hi}]: ${t.message}`);
  }
  return t.found ? EXIT.ok : EXIT.notConverged;
}
