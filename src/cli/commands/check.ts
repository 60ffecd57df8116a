import { ModelError } from '../../model/issues.ts';
import { check } from '../../model/load.ts';
import { BUILTINS } from '../../ir/builtins.ts';
import { EXIT } from '../exit.ts';
import { resolveModel } from '../models.ts';
import { onePositional, parse } from '../options.ts';

export const CHECK_HELP = `saddle check MODEL [--debug]

Validate MODEL and summarise it: parameters, order parameters and their update order, random variables,
observables. Every mistake is reported at once as FILE:LINE:COLUMN with a hint.

Options:
  --debug   also print the generated JavaScript of the update map and the observables

Exit codes: 0 valid, 2 mistakes found.`;

export function runCheck(argv: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { debug: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) { out(CHECK_HELP); return EXIT.ok; }
  const file = resolveModel(onePositional(positionals, 'check'));
  const { compiled, issues } = check(file);
  if (!compiled) throw new ModelError(issues);
  const { program, source } = compiled;
  const m = program.model;
  const range = (p: { min?: number; max?: number }) => (p.min !== undefined || p.max !== undefined ? ` in [${p.min ?? '-inf'}, ${p.max ?? 'inf'}]` : '');
  const doc = (d?: string) => (d ? `  ${d}` : '');
  out(`${m.name}: ok  (${file})`);
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
      const law = v.law.kind === 'normal' ? `normal, ${v.law.nodes ?? m.nodes} Gauss-Hermite nodes` : `discrete on {${v.law.values.join(', ')}}`;
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
  if (values.debug) {
    out('');
    out('// generated code: new Function("P", "S", "T", source) -> { update, observables }');
    out(source);
  }
  return EXIT.ok;
}
