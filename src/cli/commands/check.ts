import type { Compiled } from '../../compile/compile.ts';
import { UsageError } from '../../base/errors.ts';
import { ModelError } from '../../base/issues.ts';
import { check } from '../../pipeline/load.ts';
import { BUILTINS } from '../../ir/builtins.ts';
import { fmt } from '../../report/table.ts';
import { solve } from '../../solve/iterate.ts';
import { exceedsTolerance, hasExpectations, MAX_QUADRATURE_NODES, QUADRATURE_SCALE, quadratureErrors, type QuadratureEstimate } from '../../verify/quadrature.ts';
import { declaredLaw } from '../../ir/measures/index.ts';
import { EXIT } from '../exit.ts';
import { resolveModel, displayPath } from '../../pipeline/models.ts';
import { initPlan } from '../../pipeline/plan/inits.ts';
import { paramsPlan } from '../../pipeline/plan/params.ts';
import { solverPlan } from '../../pipeline/plan/solver.ts';
import { numberOption, stringOption } from '../../pipeline/plan/values.ts';
import { loadOptions, onePositional, parse, PRIOR_HELP, SOLVER_OPTIONS } from '../options.ts';

export const CHECK_HELP = `saddle check MODEL [options]

Validate MODEL and summarise it: parameters, order parameters and their update order, random variables,
observables. Every mistake is reported at once as FILE:LINE:COLUMN with a hint.

Then a quadrature report: MODEL is solved (from --init, default uninformed) and every expectation is
evaluated at the final state with its node counts n and with 2n (at most 400). One line per expectation
gives both values and their difference (an estimate of the quadrature error), and its effect: the change
of its update (or observable) when it alone takes 2n nodes, over max(|update|, ${QUADRATURE_SCALE}). A
\`FILE:LINE:COLUMN: warning[quadrature]\` follows for each whose effect exceeds tol: --quad-tol, else the
solver's relative tolerance (--tol, else the model's, else 1e-10).

Options:
  --set a=1,b=2       parameter values of the solve (repeatable); the others keep their defaults
  --init NAME         start of the solve (default: uninformed)
  --quad-tol T        relative tolerance of the quadrature report (default: the solver's)
  --damping D, --tol T, --max-iterations N, --anderson M: as for \`saddle solve\`
${PRIOR_HELP}
  --debug             also print the generated JavaScript of the update map and the observables

Warnings (a missing source or conventions, a shadowed built-in, an inaccurate expectation) and a solve that
does not converge (the report says so, and uses its final state) do not change the exit code.
Exit codes: 0 valid, 2 mistakes found (or bad options).`;

export function runCheck(argv: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, {
    ...SOLVER_OPTIONS, debug: { type: 'boolean' }, 'quad-tol': { type: 'string' },
  });
  if (values.help) { out(CHECK_HELP); return EXIT.ok; }
  const file = resolveModel(onePositional(positionals, 'check'));
  const { compiled, issues } = check(file, undefined, loadOptions(values));
  if (!compiled) throw new ModelError(issues);
  // The report is made before anything is printed, so that a bad option is an error alone on stderr.
  const problem = compiled.problem(paramsPlan(compiled, values.set as string[] | undefined).fixed);
  const quadTol = numberOption(values['quad-tol'], '--quad-tol', (x) => x > 0, 'a positive number');
  const { init = 'uninformed', inits } = initPlan(compiled, stringOption(values.init));
  if (inits) throw new UsageError('--init all: the quadrature report is made at one solution', 'name one initialisation, e.g. --init informed');
  const report = quadratureReport(compiled, problem, { ...solverPlan(values), init }, quadTol);
  summary(compiled, file, out);
  out('');
  for (const line of report) out(line);
  if (values.debug) {
    out('');
    out('// generated code: new Function("P", "S", "T", source) -> { update, observables }');
    out(compiled.source);
  }
  return EXIT.ok;
}

/** What saddle understood of the model, and the warnings about its file. */
function summary(compiled: Compiled, file: string, out: (s: string) => void): void {
  const { program } = compiled;
  const m = program.info;
  const range = (p: { min?: number; max?: number }) => (p.min !== undefined || p.max !== undefined ? ` in [${p.min ?? '-inf'}, ${p.max ?? 'inf'}]` : '');
  const doc = (d?: string) => (d ? `  ${d}` : '');
  out(`${m.name}: ok  (${displayPath(file)})`);
  out(m.description.trim());
  out('');
  out('parameters:');
  for (const p of program.params) out(`  ${p.name} = ${p.default}${range(p)}${doc(p.doc)}`);
  out(`order parameters (initialisations: ${m.initNames.join(', ')}):`);
  for (const s of program.state) {
    const init = s.init ? Object.entries(s.init).map(([k, v]) => `${k} ${v}`).join(', ') : 'assigned before it is read';
    out(`  ${s.name}${range(s)}  [${init}]${doc(s.doc)}`);
  }
  out(`updates, in order: ${program.updates.map((u) => program.state[u.target].name).join(' -> ')}`);
  if (m.variables.length) {
    out('random variables:');
    for (const v of m.variables) {
      const law = declaredLaw(v.law).describe(v, m.nodes);
      out(`  ${v.name}: ${law}${doc(v.doc)}`);
    }
  }
  if (program.functions.length) out(`functions: ${program.functions.map((f) => `${f.name}(${f.args.join(', ')})`).join(', ')}`);
  const shadowed = program.functions.filter((f) => f.name in BUILTINS).map((f) => f.name);
  out(`observables: ${program.observables.map((o) => o.name).join(', ') || '(none)'}`);
  const warnings = [
    ...(m.source ? [] : ['no `source:` citation: say where the equations come from']),
    ...(m.conventions ? [] : ['no `conventions:`: state the scalings (of lambda, of the noise, of time)']),
    ...shadowed.map((f) => `the function \`${f}\` replaces the built-in of the same name`),
  ];
  for (const w of warnings) out(`warning: ${w}`);
}

/** Solves, then lists every expectation with n and 2n nodes and a warning for each that exceeds the tolerance. */
function quadratureReport(
  compiled: Compiled,
  problem: ReturnType<Compiled['problem']>,
  options: ReturnType<typeof solverPlan> & { init: string },
  quadTol: number | undefined,
): string[] {
  const { program } = compiled;
  if (!hasExpectations(program)) return ['quadrature: no expectations'];
  const lines: string[] = [];
  const out = (line: string) => lines.push(line);
  const s = solve(problem, options);
  const tol = quadTol ?? options.rtol ?? problem.defaults.tol ?? 1e-10;
  const params = problem.paramNames.map((p, i) => `${p}=${fmt(problem.params[i])}`).join(' ');
  const state = Float64Array.from(problem.stateNames, (n) => s.state[n]);
  const estimates = quadratureErrors(program, problem.params, state);
  const how = s.status === 'converged'
    ? `converged after ${s.iterations} iteration${s.iterations === 1 ? '' : 's'}`
    : `NOT converged (${s.status}${s.message ? `: ${s.message}` : ''}); evaluated at the final state`;
  out(`quadrature, n vs 2n nodes, at ${params || '(no parameters)'} (init ${s.init}: ${how}):`);
  const many = (e: QuadratureEstimate) => estimates.some((o) => o !== e && o.in === e.in && o.name === e.name);
  const rows = estimates.map((e) => [
    `${label(e)}${many(e) ? ` #${e.index + 1}` : ''}${e.via ? ` (via ${e.via})` : ''}`, `${e.loc.line}:${e.loc.col}`, e.nodes.length ? `${e.nodes.join(',')}->${e.refinedNodes.join(',')}` : 'discrete',
    digits(e.value), digits(e.refined), sci(e.absError), sci(e.relError), sci(e.effect),
    exceedsTolerance(e, tol) ? 'WARN' : e.refinable ? 'ok' : e.nodes.length ? `no estimate: ${MAX_QUADRATURE_NODES} nodes` : 'exact (discrete)',
  ]);
  const header = ['expectation', 'at', 'nodes', 'value (n)', 'value (2n)', '|2n - n|', 'relative', 'effect', ''];
  const width = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const right = [false, false, false, true, true, true, true, true, false];
  for (const r of [header, ...rows]) out(`  ${r.map((c, j) => (right[j] ? c.padStart(width[j]) : c.padEnd(width[j]))).join('  ').trimEnd()}`);
  const bad = estimates.filter((x) => exceedsTolerance(x, tol));
  const rule = `an effect of ${sci(tol)}`;
  const capped = estimates.filter((e) => !e.refinable && e.nodes.length > 0).length;
  out(`${bad.length === 0
    ? `quadrature: ${estimates.length === 1 ? 'the expectation is' : `all ${estimates.length} expectations are`} within ${rule}`
    : `quadrature: ${bad.length} of ${estimates.length} expectation${estimates.length === 1 ? '' : 's'} above ${rule}`}${
    capped ? ` (${capped} with no estimate: already at ${MAX_QUADRATURE_NODES} nodes)` : ''}`);
  for (const e of bad) {
    const change = Number.isNaN(e.absError) ? `is ${digits(e.value)} with n nodes and ${digits(e.refined)} with 2n`
      : `changes by ${sci(e.absError)} (relative ${sci(e.relError)}) from ${e.nodes.join(',')} to ${e.refinedNodes.join(',')} nodes`;
    const where = `${e.in === 'update' ? 'the update of' : e.name === 'free_energy' ? 'the' : 'the observable'} \`${e.name}\``;
    out(`${e.loc.file}:${e.loc.line}:${e.loc.col}: warning[quadrature]: an expectation in ${where}${e.via ? ` (via ${e.via})` : ''} ${change}; `
      + `\`${e.name}\` moves from ${digits(e.total)} to ${digits(e.totalRefined)}, an effect of ${sci(e.effect)} (over max(|${e.name}|, ${QUADRATURE_SCALE})), above the tolerance ${sci(tol)}`);
    out('    hint: a kink, a step or a narrow feature in the integrand? Integrate it in closed form (H, npdf), split it '
      + 'at the kink (E(t > a, ...)) or change variables (docs/model-files.md §4, Accuracy); more nodes help only slowly');
  }
  return lines;
}

function label(e: QuadratureEstimate): string {
  return e.in === 'update' ? `update ${e.name}` : e.name === 'free_energy' ? 'free_energy' : `observable ${e.name}`;
}

const digits = (v: number) => (Number.isFinite(v) && v !== 0 ? v.toPrecision(12) : String(v));
const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(1) : String(v));
