import { solve, solveFromEach } from '../../solve/iterate.ts';
import type { Solution } from '../../solve/solution.ts';
import { fmt, textTable } from '../../report/table.ts';
import { jsonNumbers } from '../../io/json.ts';
import { EXIT } from '../exit.ts';
import { displayPath } from '../../pipeline/models.ts';
import { initPlan } from '../../pipeline/plan/inits.ts';
import { paramsPlan } from '../../pipeline/plan/params.ts';
import { solverPlan } from '../../pipeline/plan/solver.ts';
import { stringOption } from '../../pipeline/plan/values.ts';
import { modelArgument, parse, PRIOR_HELP, SOLVER_OPTIONS } from '../options.ts';

export const SOLVE_HELP = `saddle solve MODEL [options]

Solve the fixed-point equations of MODEL (a YAML file or a built-in name, see \`saddle list\`) at one point.

Options:
  --set a=1,b=2       parameter values (repeatable); the others keep their defaults
  --init NAME         start from this named initialisation (default: uninformed); \`all\` tries every one,
                      numbers the distinct fixed points and, when the model has a free_energy, marks the
                      one with the lowest free energy as selected (the equilibrium)
  --json              print one JSON object: {"model", "params", "status", "iterations", "residual",
                      "state", "observables", "time", "init"[, "message"]} (with --init all: an array, each
                      object with "fixed_point" (index or null) and "selected")
  --damping D         fraction of the undamped step taken, in (0, 1] (default: the model's, else 1)
  --tol T             relative tolerance on the undamped residual |F(x) - x| (default: the model's, else 1e-10)
  --max-iterations N  iteration budget (default: the model's, else 10000)
  --anderson M        Anderson acceleration with memory M (0: off, the default)
${PRIOR_HELP}

Exit codes: 0 converged, 3 not converged (the result is still printed), 2 bad input.`;

const toJson = (s: Solution) => ({
  model: s.origin.model, file: s.origin.file, model_sha256: s.origin.sha256, data_sha256: s.origin.data ?? [], saddle_version: s.origin.version, params: s.params, status: s.status, iterations: s.iterations, residual: s.residual, state: s.state,
  observables: s.observables, time: s.time, init: s.init, ...(s.message !== undefined && { message: s.message }),
  ...(s.warnings !== undefined && { warnings: s.warnings }),
});

export function runSolve(argv: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { ...SOLVER_OPTIONS, json: { type: 'boolean' } });
  if (values.help) { out(SOLVE_HELP); return EXIT.ok; }
  const compiled = modelArgument(positionals, 'solve', values);
  const problem = compiled.problem(paramsPlan(compiled, values.set as string[] | undefined).fixed);
  const params = Object.fromEntries(problem.paramNames.map((p, i) => [p, problem.params[i]]));
  const options = solverPlan(values);
  const { init = 'uninformed', inits } = initPlan(compiled, stringOption(values.init));
  const all = inits !== undefined;
  const { solutions, distinct, pointOf, selected } = all
    ? solveFromEach(problem, inits, options)
    : { solutions: [solve(problem, { ...options, init })], distinct: [], pointOf: [], selected: undefined };
  const branch = (i: number) => (all ? { fixed_point: pointOf[i] ?? null, selected: pointOf[i] !== undefined && pointOf[i] === selected } : {});
  const ok = solutions.some((s) => s.status === 'converged');
  if (values.json) {
    const objs = solutions.map((s, i) => ({ ...toJson(s), ...branch(i) }));
    out(JSON.stringify(all ? objs : objs[0], jsonNumbers));
    return ok ? EXIT.ok : EXIT.notConverged;
  }
  out(`model ${problem.model}  (${displayPath(problem.file)})`);
  out(`params ${Object.entries(params).map(([k, v]) => `${k}=${fmt(v)}`).join(' ')}`);
  solutions.forEach((s, i) => {
    const point = all && pointOf[i] !== undefined ? ` [fixed point ${pointOf[i]}${pointOf[i] === selected ? ', selected: lowest free energy' : ''}]` : '';
    out('');
    out(`init ${s.init}${point}: ${s.status} after ${s.iterations} iteration${s.iterations === 1 ? '' : 's'}, residual ${fmt(s.residual)}, ${s.time.toFixed(1)} ms`);
    if (s.message) out(`  ${s.message}`);
    for (const w of s.warnings ?? []) out(`  warning: ${w}`);
    out(textTable(['name', 'value'], [...Object.entries(s.state), ...Object.entries(s.observables)]));
  });
  if (all) {
    out('');
    out(`${distinct.length} distinct fixed point${distinct.length === 1 ? '' : 's'} among ${solutions.length} initialisations`);
  }
  return ok ? EXIT.ok : EXIT.notConverged;
}
