import { compile, type Compiled } from '../../src/compile/compile.ts';
import { SECTIONS } from '../../src/pipeline/load.ts';
import { expandGlm } from '../../src/glm/expand.ts';
import { build } from '../../src/ir/build.ts';
import { formatIssues } from '../../src/base/issues.ts';
import { readModel } from '../../src/model/read.ts';
import type { Expr, Model, NamedExpr, OrderParamDecl } from '../../src/model/types.ts';
import { glmText } from './helpers.ts';

/**
 * The replica-symmetric equations of a student that is NOT assumed to sit on the Nishimori line: overlaps
 * m = (w^ . w*) / d, q = |w^|^2 / d, V (the student's posterior variance) and their conjugates, written like the ERM
 * equations of the primer (Aubin et al. 2020; Loureiro et al. 2021) with the student's f_out = gout and the
 * student's prior denoiser (fa, fv) in place of the proximal operators. The teacher is the same prior and
 * channel, entering only through its averages (the pieces' `teacher` and `labels` templates):
 *   omega = sqrt(q) xi (student field), omega0 = (m / sqrt q) xi, V0 = rho_w - m^2 / q (teacher field given omega),
 *   mhat = alpha E_xi d/domega0 [sum_y Z0(y, omega0, V0) gout(y, omega, V)],
 *   qhat = alpha E_xi sum_y Z0(y, omega0, V0) gout(y, omega, V)^2,
 *   Vhat = -alpha E_xi sum_y Z0(y, omega0, V0) dgout(y, omega, V),
 *   B = mhat w* + sqrt(qhat) xi:  m = E[w* fa(B, Vhat)],  q = E[fa(B, Vhat)^2],  V = E[fv(B, Vhat)].
 * Nothing here assumes m = q, V = rho_w - q or mhat = qhat = Vhat: on the Nishimori line these equations must
 * reduce to the Bayes-optimal ones (tramp's identity test).
 */
export function mismatchedModel(prior: string, channel: string, params: Record<string, number>, nodes = 64): Compiled {
  const file = 'mismatched.yaml';
  const r = readModel(glmText(prior, channel, params, `quadrature:\n  nodes: ${nodes}`, true), file, SECTIONS);
  if (!r.model) throw new Error(formatIssues(r.issues));
  const g = expandGlm(r.model);
  if (g.issues.length > 0 || !g.averages) throw new Error(formatIssues(g.issues));
  const { teacher, labels } = g.averages;
  const at = { file, line: 1, col: 1 };
  const expr = (text: string): Expr => ({ text, loc: at, raw: '' });
  const named = (name: string, text: string): NamedExpr => ({ name, expr: expr(text), loc: at });
  const fields = 'm / sqrt(q) * xm, rho_w - m^2 / q, sqrt(q) * xm, V';
  const prior_ = (f: string) => teacher((w) => `E(xm, ${f.replaceAll('W', `(${w})`).replaceAll('B', `(mhat * (${w}) + sqrt(qhat) * xm)`)})`);
  const state = (name: string, init?: number): OrderParamDecl => ({ name, loc: at, ...(init !== undefined && { init: { uninformed: init, informed: init } }) });
  const model: Model = {
    ...g.model,
    orderParams: [state('mhat'), state('qhat'), state('Vhat'), state('m', 0.2), state('q', 0.5), state('V', 0.7)],
    variables: [...g.model.variables, { name: 'xm', law: { kind: 'normal' }, loc: at }],
    functions: [
      ...g.model.functions,
      { name: 'Mh', args: ['w0', 'v0', 'w', 'v'], body: expr(`D(${labels('w0', 'v0', (y) => `gout(${y}, w, v)`)}, w0)`), loc: at },
      { name: 'Qh', args: ['w0', 'v0', 'w', 'v'], body: expr(labels('w0', 'v0', (y) => `gout(${y}, w, v)^2`)), loc: at },
      { name: 'Vh', args: ['w0', 'v0', 'w', 'v'], body: expr(`-${labels('w0', 'v0', (y) => `dgout(${y}, w, v)`)}`), loc: at },
    ],
    // keep the pieces' definitions (rho_w, constants of the pieces); drop those of the Nishimori equations
    definitions: g.model.definitions.filter((d) => !['V', 'prior_psi', 'channel_psi'].includes(d.name)),
    updates: [
      named('mhat', `alpha * E(xm, Mh(${fields}))`),
      named('qhat', `alpha * E(xm, Qh(${fields}))`),
      named('Vhat', `alpha * E(xm, Vh(${fields}))`),
      named('m', prior_('W * fa(B, Vhat)')),
      named('q', prior_('fa(B, Vhat)^2')),
      named('V', prior_('fv(B, Vhat)')),
    ],
    observables: [named('second_moment', 'rho_w')],
  };
  delete (model as { freeEnergy?: Expr }).freeEnergy;
  const b = build(model);
  if (!b.program) throw new Error(formatIssues(b.issues));
  return compile(b.program);
}
