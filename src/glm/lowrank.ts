import { UsageError } from '../base/errors.ts';
import type { Issue, IssueCode, Loc } from '../base/issues.ts';
import { didYouMean } from '../base/suggest.ts';
import type { Model, NamedExpr, OrderParamDecl } from '../model/types.ts';
import { Builder, merge, numberOf, PRIOR_PREFIX, priorEquations, rename, resolvePrior, teacherAverage, UNRESOLVED_PRIOR, type Instance } from './expand.ts';
import type { LowrankSpec, PriorSpec } from './types.ts';

/**
 * The `lowrank:` section: symmetric rank-one matrix estimation (the spiked Wigner model)
 *   Y = sqrt(snr / N) x x^T + W,   x_i i.i.d. from the prior, W symmetric with N(0, 1) entries off the diagonal,
 * expanded into ordinary model content before the IR build, from the same prior pieces as `glm:` (src/pieces/priors/).
 *
 * State evolution of Bayes-optimal AMP on the Nishimori line (Lesieur, Krzakala, Zdeborova, J. Stat. Mech. (2017)
 * 073403; Deshpande and Montanari, ISIT 2014): with qhat = snr m, the effective scalar channel
 * B = qhat x0 + sqrt(qhat) xi, A = qhat, and
 *   m_{t+1} = E[x0 fa(B, A)]                          (the prior piece's q(qhat), accurate or generic)
 * Free entropy (Lelarge and Miolane, PTRF 2019; Barbier et al., NeurIPS 2016):
 *   phi(m) = Psi_w(snr m) - snr m^2 / 4,   Psi_w(qhat) = E log Zw(B, A),
 * written phi = psi + rho_w qhat / 2 - snr m^2 / 4 with the pieces' cancellation-free psi = Psi_w - rho_w qhat / 2;
 * free_energy = -phi. By the I-MMSE relation dPsi_w/dqhat = E[x0 fa]/2, d phi/d m = snr (m_update - m)/2 at every
 * m (stationarity at fixed points), and at a fixed point d phi / d snr = m^2 / 4. The mutual information per
 * component is I(x; Y)/N = snr rho_w^2 / 4 - phi (Lelarge and Miolane), whose snr-derivative is mse / 4.
 *
 * Generated: the order parameter m (starts: uninformed 1e-6 rho_w, the O(1/sqrt N) overlap of a random start in
 * the limit; zero 0, an exact fixed point for a zero-mean prior, for weak recovery; informed rho_w), the
 * definitions rho_w and qhat, the functions logZw, fa, fv (AMP's denoiser), the observables mse (matrix MMSE
 * rho_w^2 - m^2), mse_x (rho_w - m, the error of the sign-aligned estimate of x), mutual_information, and
 * free_energy.
 */

/** Names the expanded model declares (besides the prior's, prefixed `prior_`). */
export const LOWRANK_NAMES = ['m', 'qhat', 'rho_w', 'logZw', 'fa', 'fv', 'mse', 'mse_x', 'mutual_information'] as const;

/** The uninformed start of m, as a fraction of rho_w. */
export const UNINFORMED = 1e-6;

/** The name a prior is selected by: a built-in's name, or `density` / `values` for a prior given as a mapping. */
export function priorName(spec: PriorSpec): string {
  return spec.kind === 'builtin' ? spec.name : spec.kind === 'density' ? 'density' : 'values';
}

/** A prior as written in the file (`sparse-rademacher(rho)`), for messages and the model's name. */
export function priorText(spec: PriorSpec): string {
  if (spec.kind !== 'builtin') return priorName(spec);
  return spec.args.length ? `${spec.name}(${spec.args.map((a) => a.text).join(', ')})` : spec.name;
}

/**
 * The index of the prior `name` among the section's (a piece name, or the prior as written), or a usage error
 * listing the choices; the first prior when no name is given.
 */
export function selectPrior(model: Model, name: string | undefined): number {
  const spec = model.lowrank;
  if (name === undefined) return 0;
  if (!spec || spec.priors.length === 0) {
    throw new UsageError(`model "${model.name}" offers no choice of prior: --prior ${name} does not apply`,
      'only a model with a `lowrank:` section lists priors (docs/model-files.md, "lowrank"); drop --prior');
  }
  const texts = spec.priors.map(priorText);
  const want = name.replace(/\s+/g, '');
  const exact = texts.findIndex((t) => t.replace(/\s+/g, '') === want);
  if (exact >= 0) return exact;
  const byName = spec.priors.flatMap((p, i) => (priorName(p) === want ? [i] : []));
  if (byName.length === 1) return byName[0];
  const choices = `its priors: ${texts.join(', ')} (the first is the default)`;
  if (byName.length > 1) throw new UsageError(`--prior ${name} is ambiguous in model "${model.name}"`, `write it as in the file; ${choices}`);
  if (spec.priors.length === 1) {
    throw new UsageError(`model "${model.name}" offers no choice of prior: its only prior is ${texts[0]}`,
      'drop --prior, or list more priors in its lowrank section (`prior: [a, b, ...]`)');
  }
  const guess = didYouMean(name, spec.priors.map(priorName));
  throw new UsageError(`model "${model.name}" has no prior \`${name}\``, `${guess ? `${guess} ` : ''}${choices}`);
}

export interface LowrankExpansion {
  readonly model: Model;
  readonly issues: readonly Issue[];
}

/** Expands the `lowrank:` section with the prior at index `selected` (selectPrior). */
export function expandLowrank(input: Model, selected = 0): LowrankExpansion {
  let model = input;
  const spec = model.lowrank;
  if (!spec) return { model, issues: [] };
  const issues: Issue[] = [];
  const add = (code: IssueCode, loc: Loc, message: string, symbol?: string, hint?: string) =>
    issues.push({ code, ...loc, message, ...(symbol !== undefined && { symbol }), ...(hint && { hint }) });

  // the signal-to-noise ratio: a declared parameter or a number
  let snr = 'NaN';
  const params = new Set(model.params.map((p) => p.name));
  if (spec.snr) {
    const t = spec.snr.text;
    if (/^[A-Za-z_]/.test(t)) {
      if (params.has(t)) snr = t;
      else {
        add('unknown-symbol', spec.snr.loc, `\`${t}\` (the snr of the lowrank section) is not a parameter of the model`, t,
          didYouMean(t, params) ?? `declare it under params, e.g. \`${t}: { default: 2, min: 0, doc: "signal-to-noise ratio" }\``);
      }
    } else snr = `(${t})`;
  }
  const priorSpec = spec.priors[selected];
  const prior = priorSpec === undefined ? undefined : resolvePrior(priorSpec, model, add);
  // the other priors of the list are checked too, so that a mistake in one is found without selecting it
  spec.priors.forEach((p, i) => { if (i !== selected) resolvePrior(p, model, add); });
  const p = prior?.theory ?? UNRESOLVED_PRIOR;
  const pi: Instance = { prefix: PRIOR_PREFIX, args: prior?.args ?? new Map(), loc: priorSpec?.loc ?? spec.loc };

  const out = new Builder();
  out.decls(pi, p.decls);
  out.fn(pi, 'logZw(B, A)', p.logZw);
  out.fn(pi, 'fa(B, A)', p.fa);
  out.fn(pi, 'fv(B, A)', p.fv);
  const rhoW = rename(pi, p.secondMoment);
  out.def(pi, 'rho_w', rhoW, true);
  out.def({ ...pi, loc: spec.snr?.loc ?? spec.loc }, 'qhat', `${snr} * m`, true);
  const nodes = priorSpec && 'nodes' in priorSpec ? priorSpec.nodes : undefined;
  const { q, psi } = priorEquations(out, pi, p, spec.stateEvolution === 'accurate', nodes, teacherAverage(pi, p));
  out.def(pi, 'psi', psi);

  const rhoValue = numberOf(rhoW) ?? numberOf(rhoW, model) ?? 1;
  const start = (name: string) => (name === 'informed' ? rhoValue : name === 'zero' ? 0 : UNINFORMED * rhoValue);
  const state: OrderParamDecl[] = [{
    name: 'm',
    init: Object.fromEntries(model.initNames.map((n) => [n, start(n)])),
    // no upper bound: m <= rho_w holds in exact arithmetic, and a sum of quadrature weights 1 + 2e-16 may exceed it
    min: 0,
    doc: 'overlap m = x^.x*/N of the posterior mean with the signal (Nishimori line: also |x^|^2/N)',
    loc: pi.loc,
  }];
  const updates: NamedExpr[] = [out.named(pi, 'm', q)];
  const observables: NamedExpr[] = [
    out.named(spec, 'mse', 'rho_w^2 - m^2'),
    out.named(spec, 'mse_x', 'rho_w - m'),
    out.named(spec, 'mutual_information', `${snr} * rho_w^2 / 4 - (${PRIOR_PREFIX}psi + rho_w * qhat / 2 - ${snr} * m^2 / 4)`),
  ];
  const freeEnergy = out.expr(spec, `-(${PRIOR_PREFIX}psi + rho_w * qhat / 2 - ${snr} * m^2 / 4)`);
  const hint = `the lowrank section declares ${LOWRANK_NAMES.join(', ')} and names that start with ${PRIOR_PREFIX}: rename yours`;
  const merged = merge(model, out, state, updates, observables, freeEnergy, add, { section: 'lowrank', hint });
  // a model that offers several priors names the one in use, so that every output says which it is
  const name = spec.priors.length > 1 && priorSpec ? `${model.name} (prior ${priorText(priorSpec)})` : model.name;
  // (a spiked-wigner simulation draws x from the prior in use, `selected`, at the section's snr: simulate/section.ts)
  model = { ...merged, name, lowrank: { ...spec, selected } };
  return { model, issues };
}
