import { extname } from 'node:path';
import { UsageError } from '../../base/errors.ts';
import { VERSION } from '../../base/version.ts';
import type { Compiled } from '../../compile/compile.ts';
import { writeFileAtomic } from '../../io/files.ts';
import { jsonNumbers } from '../../io/json.ts';
import { dataFilesText } from '../../ir/data-files.ts';
import { optimize, optimizeAlong, parseConditions, type OptimizeSpec, type OptimizeVariable, type Optimum } from '../../optimize/optimize.ts';
import { loadModel } from '../../pipeline/load.ts';
import { resolveModel } from '../../pipeline/models.ts';
import { initPlan } from '../../pipeline/plan/inits.ts';
import { outputFile } from '../../pipeline/plan/outputs.ts';
import { allValues, checkParamName, paramsPlan } from '../../pipeline/plan/params.ts';
import { checkQuantity, quantityNames } from '../../pipeline/plan/quantities.ts';
import { integerOption, listOption, numberOption, repeated, stringOption, type OptionValues } from '../../pipeline/plan/values.ts';
import { csvLine, fmt, textTable } from '../../report/table.ts';
import { parseAxis } from '../../sweep/axis.ts';
import { EXIT } from '../exit.ts';
import { loadOptions, onePositional, parse, PRIOR_HELP, SOLVER_OPTIONS, solveOptions } from '../options.ts';
import { Progress } from '../progress.ts';

/** The largest --budget of one search (solves). */
export const MAX_OPTIMIZE_BUDGET = 100_000;

export const OPTIMIZE_HELP = `saddle optimize MODEL (--minimize Q | --maximize Q) --over NAME[,NAME2] [options]

The values of one or two parameters that minimise (or maximise) an order parameter or observable Q of MODEL,
optionally subject to conditions on the solution (--where "replicon < 1"): optimal regularisation, optimal
hyper-parameters. A scan of the range (geometric where the range is positive) brackets the optimum, then Brent's
method (one parameter) or Nelder-Mead (two) refines it, each solve warm-started from the nearest converged one.
The optimum is reported found only if every solve that decided it converged.

Options:
  --minimize Q, --maximize Q   the quantity (an order parameter or observable)
  --over A[,B]          the parameters optimised over (one or two)
  --range NAME=LO:HI    the range searched (repeatable, one per parameter). Default: the parameter's declared
                        [min, max] when both are declared, else [default/1000, default*100] within them
  --linear NAME[,NAME]  search NAME on a linear scale (default: log scale when LO > 0)
  --where "COND"        conditions the optimum must satisfy: NAME < X (or <=, >, >=), joined by \`and\`
  --set a=1,b=2         the other parameters
  --scan N              scan points per parameter (default 24 for one parameter, 12 for two)
  --tol T               tolerance on each parameter: relative on a log scale, absolute otherwise (default 1e-6)
  --budget N            most solves the search may spend, an integer from 1 to ${MAX_OPTIMIZE_BUDGET} (default 2000)
  --out FILE.json       the optimum and every solve of the search, with the model's origin (model, file,
                        model_sha256, data_sha256, saddle_version)
  --json                print that JSON object instead of the text summary
  --init NAME           initialisation of the first solves (default: uninformed)
  --damping, --max-iterations, --anderson   as for \`saddle solve\`
${PRIOR_HELP}

Along a sweep: \`saddle sweep MODEL --param alpha=0.5:4:8 --optimize lambda --minimize Q\` (see saddle sweep --help).

Exit codes: 0 found (status converged), 3 not found (the status and the message say why: no converged point
satisfies the conditions, a solve that did not converge next to the optimum, the budget spent), 2 bad input.`;

/** The options of a search shared by `optimize` and `sweep --optimize`. */
const SEARCH_OPTIONS = {
  minimize: { type: 'string' }, maximize: { type: 'string' }, range: { type: 'string', multiple: true }, linear: { type: 'string' },
  where: { type: 'string' }, scan: { type: 'string' }, budget: { type: 'string' }, out: { type: 'string' },
} as const;

/** Reads the search from the options (`over`: the parameters optimised over); every name checked against the model. */
function searchSpec(compiled: Compiled, values: OptionValues, over: readonly string[], fixed: Readonly<Record<string, number>>): Omit<OptimizeSpec, 'fixed'> {
  const min = stringOption(values.minimize);
  const max = stringOption(values.maximize);
  if ((min === undefined) === (max === undefined)) throw new UsageError('give one of --minimize Q or --maximize Q', 'e.g. --minimize estimation_error');
  if (over.length < 1 || over.length > 2) throw new UsageError('optimise over one or two parameters', 'e.g. --over lambda or --over a,lambda');
  checkQuantity(compiled, (min ?? max)!, min !== undefined ? '--minimize' : '--maximize');
  for (const name of over) {
    checkParamName(compiled, name);
    if (Object.hasOwn(fixed, name)) throw new UsageError(`\`${name}\` is both optimised over and fixed (--set)`, `drop ${name} from --set`);
  }
  const ranges = new Map<string, [number, number]>();
  for (const r of repeated(values.range)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=([^:]+):([^:]+)$/.exec(r.trim());
    if (!m) throw new UsageError(`cannot read \`--range ${r}\``, 'write --range NAME=LO:HI, e.g. --range lambda=1e-4:10');
    if (!over.includes(m[1])) throw new UsageError(`--range ${r}: \`${m[1]}\` is not optimised over`, `the parameters of --over: ${over.join(', ')}`);
    if (ranges.has(m[1])) throw new UsageError(`--range ${m[1]} is given twice`);
    const lo = numberOption(m[2], `--range ${m[1]}=LO`);
    const hi = numberOption(m[3], `--range ${m[1]}=..:HI`);
    if (!(lo! < hi!)) throw new UsageError(`--range ${r}: need LO < HI`);
    ranges.set(m[1], [lo!, hi!]);
  }
  const linear = listOption(values.linear) ?? [];
  for (const name of linear) if (!over.includes(name)) throw new UsageError(`--linear ${name}: not optimised over`, `the parameters of --over: ${over.join(', ')}`);
  const vars: OptimizeVariable[] = over.map((name) => {
    const [lo, hi] = ranges.get(name) ?? defaultRange(compiled, name);
    return { name, lo, hi, log: !linear.includes(name) && lo > 0 };
  });
  const where = values.where === undefined ? undefined : parseConditions(String(values.where), quantityNames(compiled));
  const n = over.length === 1 ? 1 : 2;
  return {
    objective: (min ?? max)!, maximize: max !== undefined, over: vars,
    ...(where && { where }),
    ...(values.scan !== undefined && { scan: integerOption(values.scan, '--scan', 3, n === 1 ? 10_000 : 100) }),
    ...(values.tol !== undefined && { tol: numberOption(values.tol, '--tol', (x) => x > 0, 'a positive number') }),
    ...(values.budget !== undefined && { budget: integerOption(values.budget, '--budget', 1, MAX_OPTIMIZE_BUDGET) }),
    ...(values.init !== undefined && { init: initPlan(compiled, String(values.init)).init ?? refuseAll() }),
    solver: solveOptions({ ...values, tol: undefined }), // --tol is the search's tolerance here
  };
}

/** `--init all` has no meaning for a search that follows one branch. */
function refuseAll(): never {
  throw new UsageError('--init all: a search follows one branch', 'name one initialisation, e.g. --init informed');
}

/** The declared [min, max], else a range of five decades around the default, within the declared bounds. */
function defaultRange(compiled: Compiled, name: string): [number, number] {
  const p = compiled.program.params.find((q) => q.name === name)!;
  if (p.min !== undefined && p.max !== undefined) return [p.min, p.max];
  if (!(p.default > 0)) throw new UsageError(`give the range of ${name}: --range ${name}=LO:HI`, `${name} has no declared [min, max] and its default is not positive`);
  return [Math.max(p.default / 1000, p.min ?? -Infinity), Math.min(p.default * 100, p.max ?? Infinity)];
}

/** `--out`, one of `allowed` (checked before any work, as every command's outputs). */
function checkOut(values: OptionValues, allowed: readonly string[]): string | undefined {
  const file = stringOption(values.out);
  if (file !== undefined) outputFile(file, '--out', allowed);
  return file;
}

/** The optimum as JSON: where it comes from, the optimum, its bracket, every solve. */
function optimumJson(o: Optimum): Record<string, unknown> {
  const { solution, origin, ...rest } = o;
  return {
    model: origin.model, file: origin.file, model_sha256: origin.sha256, data_sha256: origin.data ?? [], saddle_version: origin.version, ...rest,
    found: o.status === 'converged',
    ...(solution && { state: solution.state, observables: solution.observables, iterations: solution.iterations, residual: solution.residual }),
  };
}

/** A parameter value with the digits a 1e-6 search resolves. */
const digits = (v: number) => String(+v.toPrecision(9));

function describe(o: Optimum): string {
  const what = `${o.maximize ? 'maximum' : 'minimum'} of ${o.objective}`;
  const failed = o.solves.filter((s) => s.status !== 'converged').length;
  const infeasible = o.solves.filter((s) => s.status === 'converged' && !s.feasible).length;
  const tally = `${o.evaluations} solves, ${failed} not converged${infeasible ? `, ${infeasible} outside the conditions` : ''}`;
  const lines: string[] = [];
  if (o.status === 'converged') {
    lines.push(`${what} = ${fmt(o.value)} at ${Object.entries(o.at).map(([k, v]) => `${k} = ${digits(v)}`).join(', ')}  (${tally})`);
  } else {
    lines.push(`${what}: not found (${o.status}): ${o.message ?? ''}${Number.isFinite(o.value) ? `\n  best seen: ${fmt(o.value)} at ${Object.entries(o.at).map(([k, v]) => `${k} = ${digits(v)}`).join(', ')}` : ''}  (${tally})`);
  }
  lines.push(`  bracket: ${Object.entries(o.bracket).map(([k, [a, b]]) => `${k} in [${digits(a)}, ${digits(b)}]`).join(', ')}`);
  if (o.atEdge.length) lines.push(`  at the edge of the range searched in ${o.atEdge.join(', ')}: a constrained optimum (widen --range to see whether it moves)`);
  if (o.status === 'converged' && o.message) lines.push(`  ${o.message}`);
  if (o.solution) lines.push(textTable(['name', 'value'], [...Object.entries(o.solution.state), ...Object.entries(o.solution.observables)]));
  return lines.join('\n');
}

export function runOptimize(argv: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { ...SOLVER_OPTIONS, ...SEARCH_OPTIONS, over: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) { out(OPTIMIZE_HELP); return EXIT.ok; }
  const compiled = loadModel(resolveModel(onePositional(positionals, 'optimize')), undefined, loadOptions(values));
  const { fixed } = paramsPlan(compiled, values.set as string[] | undefined);
  const over = listOption(values.over);
  if (!over) throw new UsageError('give the parameters to optimise over: --over NAME[,NAME2]', 'e.g. --over lambda');
  const spec = searchSpec(compiled, values, over, fixed);
  const outFile = checkOut(values, ['.json']);
  const progress = new Progress(spec.budget ?? 2000);
  const o = optimize(compiled, { ...spec, fixed, onSolve: (k) => progress.update(k, `solve ${k}`, true) });
  progress.end();
  const json = JSON.stringify(optimumJson(o), jsonNumbers, 1);
  if (outFile !== undefined) writeFileAtomic(outFile, json);
  out(values.json ? json : describe(o));
  if (outFile !== undefined && !values.json) out(`written to ${outFile}`);
  return o.status === 'converged' ? EXIT.ok : EXIT.notConverged;
}

export const SWEEP_OPTIMIZE_HELP = `saddle sweep MODEL --param NAME=START:STOP:COUNT[:log] --optimize P[,P2] (--minimize Q | --maximize Q) [options]

At every point of the swept parameter, the optimum of Q over P (and P2), searched on its own as by
\`saddle optimize\` (which see for --range, --linear, --where, --scan, --tol, --budget, --set, --init and the
solver options). One row per point: NAME, P_opt (the optimal value), P_opt_lo and P_opt_hi (the interval known
to hold it), Q and every other order parameter and observable at the optimum, status (converged only when the
optimum was refined with every deciding solve converged), evaluations, at_edge (the parameters whose optimum is
at an end of the range searched), message, model, model_sha256, data_sha256, saddle_version.
  --out FILE.csv|FILE.json   the rows (JSON: with the fixed parameters and the origin)`;

/** `saddle sweep ... --optimize P`: the optimum at every point of a line. */
export function runSweepOptimize(argv: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { ...SOLVER_OPTIONS, ...SEARCH_OPTIONS, param: { type: 'string', multiple: true }, optimize: { type: 'string' } });
  if (values.help) { out(SWEEP_OPTIMIZE_HELP); return EXIT.ok; }
  const compiled = loadModel(resolveModel(onePositional(positionals, 'sweep')), undefined, loadOptions(values));
  const { fixed } = paramsPlan(compiled, values.set as string[] | undefined);
  const axes = repeated(values.param).map(parseAxis);
  if (axes.length !== 1) throw new UsageError('sweep --optimize takes one --param (a line)', 'e.g. --param alpha=0.5:4:8 --optimize lambda');
  const axis = axes[0];
  checkParamName(compiled, axis.name);
  if (Object.hasOwn(fixed, axis.name)) throw new UsageError(`\`${axis.name}\` is both swept (--param) and fixed (--set)`, `drop ${axis.name} from --set`);
  const over = listOption(values.optimize) ?? [];
  if (over.includes(axis.name)) throw new UsageError(`\`${axis.name}\` is both swept and optimised over`);
  const spec = searchSpec(compiled, values, over, fixed);
  for (const v of axis.values) allValues(compiled, { ...fixed, [axis.name]: v }); // bounds before any work
  const outFile = checkOut(values, ['.csv', '.json']);
  const progress = new Progress(axis.values.length);
  const rows = optimizeAlong(compiled, fixed, axis, spec, (o) => progress.tick(`${axis.name}=${+o.params[axis.name].toPrecision(4)} ${o.status}`, o.status === 'converged'));
  const base = compiled.problem(fixed);
  const quantities = [...base.stateNames, ...base.observableNames];
  const cols = [axis.name, ...over.flatMap((p) => [`${p}_opt`, `${p}_opt_lo`, `${p}_opt_hi`]), spec.objective, ...quantities.filter((q) => q !== spec.objective),
    'status', 'evaluations', 'at_edge', 'message', 'model', 'model_sha256', 'data_sha256', 'saddle_version'];
  const cell = (o: Optimum, c: string): string | number => {
    const p = over.find((q) => c.startsWith(`${q}_opt`) && [`${q}_opt`, `${q}_opt_lo`, `${q}_opt_hi`].includes(c));
    if (p !== undefined) return c === `${p}_opt` ? o.at[p] : o.bracket[p][c.endsWith('_lo') ? 0 : 1];
    switch (c) {
      case 'status': return o.status;
      case 'evaluations': return o.evaluations;
      case 'at_edge': return o.atEdge.join(' ');
      case 'message': return o.message ?? '';
      case 'model': return o.origin.model;
      case 'model_sha256': return o.origin.sha256;
      case 'data_sha256': return dataFilesText(o.origin.data ?? []);
      case 'saddle_version': return o.origin.version;
      default: return o.params[c] ?? o.solution?.state[c] ?? o.solution?.observables[c] ?? NaN;
    }
  };
  if (outFile !== undefined && extname(outFile) === '.csv') {
    writeFileAtomic(outFile, `${[cols, ...rows.map((o) => cols.map((c) => cell(o, c)))].map(csvLine).join('\n')}\n`);
  } else if (outFile !== undefined) {
    const params = Object.fromEntries(base.paramNames.filter((p) => p !== axis.name && !over.includes(p)).map((p) => [p, base.params[base.paramNames.indexOf(p)]]));
    writeFileAtomic(outFile, JSON.stringify({ model: base.model, file: base.file, model_sha256: base.sha256, data_sha256: base.data ?? [], saddle_version: VERSION, params,
      axis: axis.name, optimize: over, objective: spec.objective, maximize: spec.maximize, where: spec.where ?? [], columns: cols,
      rows: rows.map((o) => Object.fromEntries(cols.map((c) => [c, cell(o, c)]))) }, jsonNumbers, 1));
  }
  const shown = [axis.name, ...over.map((p) => `${p}_opt`), spec.objective, 'status', 'evaluations'];
  out(textTable(shown, rows.map((o) => shown.map((c) => cell(o, c)))));
  const failed = rows.filter((o) => o.status !== 'converged');
  out(`${rows.length} points, ${rows.length - failed.length} optima found, ${failed.length} not`);
  for (const o of failed.slice(0, 5)) out(`  ${axis.name}=${o.params[axis.name]}: ${o.status}: ${o.message ?? ''}`);
  if (outFile !== undefined) out(`rows written to ${outFile}`);
  return failed.length ? EXIT.notConverged : EXIT.ok;
}
