import { extname } from 'node:path';
import { UsageError } from '../../base/errors.ts';
import { VERSION } from '../../base/version.ts';
import { jsonNumbers } from '../../io/json.ts';
import { writeFileAtomic } from '../../io/files.ts';
import { loadModel } from '../../pipeline/load.ts';
import { resolveModel } from '../../pipeline/models.ts';
import { sweepAxes, type AxisCount } from '../../pipeline/plan/axes.ts';
import { checkInit } from '../../pipeline/plan/inits.ts';
import { distinctOutputs, outputFile } from '../../pipeline/plan/outputs.ts';
import { paramsPlan } from '../../pipeline/plan/params.ts';
import { listOption, repeated, stringOption } from '../../pipeline/plan/values.ts';
import { fitPlot, slopeText } from '../../report/fit-plot.ts';
import { columns, cells, fmt, textTable } from '../../report/table.ts';
import { sweep } from '../../sweep/continuation.ts';
import { fitPowerLaw, type PowerLawFit } from '../../sweep/powerlaw.ts';
import { curveOf, readSweepFile, type Cell, type SweepTable } from '../../sweep/sweep-file.ts';
import { EXIT } from '../exit.ts';
import { loadOptions, onePositional, parse, PRIOR_HELP, SOLVER_OPTIONS, solveOptions } from '../options.ts';

export const FIT_HELP = `saddle fit SWEEP.csv|SWEEP.json --y NAME [--window X=LO:HI] [options]
saddle fit MODEL --param X=START:STOP:COUNT[:log] [--y NAME] [--window X=LO:HI] [options]

The exponent of a power law y ~ C x^slope read off a curve: least squares on (log x, log y) over a window of
the swept parameter x, with its standard error, and the local slope d log y / d log x at each point of the
window (central differences), which shows where the asymptotic regime begins. The curve is a sweep written by
\`saddle sweep --out\` (CSV or JSON), or a sweep run here (MODEL and --param: the options of \`saddle sweep\`).

Options:
  --y NAME            the quantity fitted (an order parameter or observable; default with MODEL: the first
                      observable)
  --window X=LO:HI    fit the points with LO <= X <= HI (default: every point); X is the swept parameter
  --branch NAME       a sweep with several branches: fit this one (default: the equilibrium, column
                      \`selected\`, when the sweep compared branches; else the first)
  --json              print one JSON object: {"model", "file", "model_sha256", "data_sha256", "saddle_version", "params",
                      "source", "fit_saddle_version", "x", "y", "branch", "window", "points", "left_out", "not_converged", "slope",
                      "stderr", "intercept", "prefactor", "r2", "local_slopes": [{"x", "slope"}]}
  --out FILE.json     write that object to FILE.json
  --plot FILE         the curve on log-log axes with the fitted line over the window, to FILE.svg or FILE.png
                      (repeatable)
  --param, --set, --init, --damping, --tol, --max-iterations, --anderson   with MODEL: as for \`saddle sweep\`
${PRIOR_HELP}

Only converged points are fitted; points with y <= 0 or not finite are left out and counted (left_out). The
standard error measures how straight the curve is on the window (ordinary least squares), not how far the
window is from the asymptote: read the local slopes for that.

Exit codes: 0 the fit is made, 3 some points of the sweep did not converge (the fit of the others is still
printed), 2 bad input (also: fewer than 2 usable points in the window).`;

/** `X=LO:HI`: the window of a fit. */
function parseWindow(spec: string): { name: string; lo: number; hi: number } {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=([^:]+):([^:]+)$/.exec(spec.trim());
  const usage = 'write --window X=LO:HI with X the swept parameter, e.g. --window n=1e4:1e6';
  const lo = m ? Number(m[2]) : NaN;
  const hi = m ? Number(m[3]) : NaN;
  if (!m || Number.isNaN(lo) || Number.isNaN(hi)) throw new UsageError(`cannot read \`--window ${spec}\``, usage);
  if (!(lo < hi)) throw new UsageError(`--window ${spec}: LO must be below HI`, usage);
  return { name: m[1], lo, hi };
}

/** A fit takes one line. */
const ONE_LINE: AxisCount = { least: 1, most: 1, message: 'fitting a model needs one --param (a line)', hint: 'e.g. --param alpha=10:1e4:30:log' };

/** The sweep run here, as the table a file would hold. */
function runSweep(model: string, values: Record<string, unknown>): { table: SweepTable; y?: string } {
  const compiled = loadModel(resolveModel(model), undefined, loadOptions(values));
  const { fixed } = paramsPlan(compiled, repeated(values.set));
  const base = compiled.problem(fixed);
  const [axis] = sweepAxes(compiled, fixed, repeated(values.param), ONE_LINE);
  const init = stringOption(values.init);
  if (init !== undefined) checkInit(compiled, init);
  const rows = sweep(compiled, fixed, axis, { ...solveOptions(values), ...(init !== undefined && { init }) });
  const cols = columns([axis.name], base);
  const table: SweepTable = {
    columns: cols,
    rows: rows.map((r) => {
      const values = cells(r, cols);
      return Object.assign(Object.create(null) as Record<string, Cell>, Object.fromEntries(cols.map((c, j) => [c, values[j]])));
    }),
    swept: [axis.name],
    params: Object.fromEntries(base.paramNames.flatMap((p, i) => (p === axis.name ? [] : [[p, base.params[i]]]))),
    origin: { model: base.model, file: base.file, sha256: base.sha256, data: base.data ?? [], version: VERSION },
  };
  return { table, y: base.observableNames[0] ?? base.stateNames[0] };
}

export async function runFit(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...SOLVER_OPTIONS,
    param: { type: 'string', multiple: true }, y: { type: 'string' }, window: { type: 'string' }, branch: { type: 'string' },
    json: { type: 'boolean' }, out: { type: 'string' }, plot: { type: 'string', multiple: true },
  });
  if (values.help) { out(FIT_HELP); return EXIT.ok; }
  const source = onePositional(positionals, 'fit');
  const fromFile = ['.csv', '.json'].includes(extname(source).toLowerCase());
  if (fromFile) {
    const sweepOnly = ['param', 'set', 'init', 'damping', 'tol', 'max-iterations', 'anderson', 'prior'].filter((k) => values[k] !== undefined);
    if (sweepOnly.length) throw new UsageError(`--${sweepOnly[0]} runs a sweep, and ${source} is a sweep already written`, 'fit the file as it is, or give a MODEL to sweep');
  }
  const outFile = stringOption(values.out);
  if (outFile !== undefined) outputFile(outFile, '--out', ['.json'], 'a fit is JSON');
  const plots = repeated(values.plot);
  for (const p of plots) outputFile(p, '--plot', ['.svg', '.png']);
  distinctOutputs([...(outFile === undefined ? [] : [outFile]), ...plots, ...(fromFile ? [source] : [])]);
  const window = values.window === undefined ? undefined : parseWindow(String(values.window));
  const ys = listOption(values.y);
  if (ys && ys.length !== 1) throw new UsageError('--y names one quantity', 'run `saddle fit` once per quantity');

  const { table, y: defaultY } = fromFile ? { table: readSweepFile(source), y: undefined } : runSweep(source, values);
  const x = table.swept[0];
  if (table.swept.length > 1) throw new UsageError(`the sweep is a grid over ${table.swept.join(' and ')}: a fit takes a line`, 'sweep one parameter');
  if (window && window.name !== x) throw new UsageError(`--window ${window.name}: the sweep's parameter is \`${x}\``, `write --window ${x}=LO:HI`);
  const y = ys?.[0] ?? defaultY;
  if (y === undefined) throw new UsageError('which quantity? give --y NAME', `the sweep's columns: ${table.columns.join(', ')}`);
  const curve = curveOf(table, x, y, stringOption(values.branch));
  const fit = fitPowerLaw(curve.x, curve.y, window ? [window.lo, window.hi] : undefined);
  if (fit.points < 2) {
    throw new UsageError(`${fit.points} usable point${fit.points === 1 ? '' : 's'} of ${y} ${window ? `in ${x} = ${window.lo}..${window.hi}` : 'in the sweep'} (converged, y > 0): a fit needs at least 2 (3 for a standard error)`,
      window ? 'widen the window, or sweep more points inside it' : 'sweep more points');
  }
  const o = table.origin;
  const result = {
    model: o.model ?? null, file: o.file ?? null, model_sha256: o.sha256 ?? null, data_sha256: o.data ?? null, saddle_version: o.version ?? null,
    params: table.params ?? null, source: fromFile ? source : null, fit_saddle_version: VERSION,
    x, y, branch: curve.branch ?? null, window: window ? [window.lo, window.hi] : null, fitted_range: fit.window,
    points: fit.points, left_out: fit.leftOut, not_converged: curve.notConverged,
    slope: fit.slope, stderr: fit.stderr, intercept: fit.intercept, prefactor: Math.exp(fit.intercept), r2: fit.r2,
    local_slopes: fit.localSlopes,
  };
  const json = JSON.stringify(result, jsonNumbers);
  if (outFile !== undefined) writeFileAtomic(outFile, `${JSON.stringify(result, jsonNumbers, 1)}\n`);
  if (plots.length) {
    const { renderSvg, renderPng, prettySymbol } = await import('../../report/plot.ts');
    const fixed = Object.entries(table.params ?? {}).map(([k, v]) => `${prettySymbol(k)} = ${v}`).join(', ');
    const plot = fitPlot(curve, fit, { title: `${o.model ?? source}${fixed ? `: ${fixed}` : ''}`, x, y });
    for (const p of plots) writeFileAtomic(p, extname(p) === '.png' ? await renderPng(plot) : await renderSvg(plot));
  }
  if (values.json) out(json);
  else report(out, result, fit, x, y);
  if (!values.json) {
    if (outFile !== undefined) out(`fit written to ${outFile}`);
    for (const p of plots) out(`plot written to ${p}`);
  }
  return curve.notConverged ? EXIT.notConverged : EXIT.ok;
}

function report(out: (s: string) => void, r: { model: string | null; branch: string | null; not_converged: number }, fit: PowerLawFit, x: string, y: string): void {
  out(`${y} ~ C ${x}^slope${r.model ? ` (${r.model}${r.branch ? `, branch ${r.branch}` : ''})` : ''}`);
  out(`slope ${slopeText(fit)} (standard error), C = ${fmt(Math.exp(fit.intercept))}, r2 = ${fmt(fit.r2)}`);
  out(`${fit.points} points, ${x} from ${fmt(fit.window[0])} to ${fmt(fit.window[1])}; ${fit.leftOut} left out (y <= 0 or not finite), ${r.not_converged} not converged`);
  const every = Math.max(1, Math.ceil(fit.localSlopes.length / 12));
  const shown = fit.localSlopes.filter((_, i) => i % every === 0 || i === fit.localSlopes.length - 1);
  out('local slopes d log y / d log x:');
  out(textTable([x, 'slope'], shown.map((s) => [s.x, s.slope])));
}
