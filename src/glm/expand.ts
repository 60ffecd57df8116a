import type { Issue, IssueCode, Loc } from '../base/issues.ts';
import type { Expr, FunctionDecl, Law, Model, NamedExpr, OrderParamDecl, VariableDecl } from '../model/types.ts';
import { lookupPiece, resolveArgs, type Add } from '../pieces/args.ts';
import { CHANNELS, PRIORS } from '../pieces/library.ts';
import type { ChannelPiece, ChannelTheory, Decls, PriorPiece, PriorTheory, Text } from '../pieces/types.ts';
import { densityPrior, discretePrior, likelihoodChannel } from './generic.ts';
import { applyPlaceholder, renameIdentifiers, splitSignature } from './text.ts';
import type { BuiltinRef, GlmSpec, PriorSpec } from './types.ts';

/** Names the expanded model declares for the user (see pieces.ts); the pieces' other names get a prefix. */
export const PUBLIC_NAMES = ['q', 'qhat', 'alpha', 'rho_w', 'V', 'logZw', 'fa', 'fv', 'logZout', 'gout', 'dgout'] as const;
const PUBLIC = new Set<string>(PUBLIC_NAMES);
export const PRIOR_PREFIX = 'prior_';
export const CHANNEL_PREFIX = 'channel_';

/** The default informed start of q, as a fraction of rho_w: near perfect recovery but with V > 0, so that a
 * prior whose update never reaches q = rho_w (a Gaussian one) is not stuck at the floor of V. */
const INFORMED = 0.999999;

export interface Expansion {
  readonly model: Model;
  readonly issues: readonly Issue[];
  /** The teacher's averages in the expanded model's names, for equations beyond the Nishimori line (e.g. a
   * mismatched student): E over w* ~ prior of f(w*), and the sum/integral over y of Zout(y, omega, V) f(y).
   * Their variables are declared in generic mode (`state_evolution: generic`). */
  readonly averages?: {
    readonly teacher: (f: (w: string) => string) => string;
    readonly labels: (omega: string, V: string, f: (y: string) => string) => string;
  };
}

/** A piece with its arguments: how its text is renamed into the model's names. */
export interface Instance {
  readonly prefix: string;
  readonly args: ReadonlyMap<string, string>;
  readonly loc: Loc;
}

/**
 * Expands the `glm:` section into ordinary model content, before the IR build: order parameters qhat and q
 * with their updates (state evolution on the Nishimori line), the definitions rho_w and V, the GAMP functions,
 * the observables mse (and the channel's own, e.g. gen_error) and free_energy = -Phi(q, qhat),
 *   Phi = [Psi_w(qhat) - rho_w qhat / 2] + (rho_w - q) qhat / 2 + alpha Psi_out(q)
 * (Barbier et al. PNAS 2019; the first bracket is what the prior pieces write, free of cancellation).
 * The user's own declarations come after the generated ones; an observable or free_energy of the user replaces
 * the generated one of the same name, and a declaration of q or qhat under order_params sets their starts and
 * bounds (field by field).
 */
export function expandGlm(input: Model): Expansion {
  let model = input;
  const spec = model.glm;
  if (!spec) return { model, issues: [] };
  const issues: Issue[] = [];
  const add = (code: IssueCode, loc: Loc, message: string, symbol?: string, hint?: string) =>
    issues.push({ code, ...loc, message, ...(symbol !== undefined && { symbol }), ...(hint && { hint }) });

  if (!model.params.some((p) => p.name === 'alpha')) {
    add('missing-key', spec.loc, 'a glm section needs the sample complexity `alpha` among the parameters', 'alpha',
      'declare it under params: `alpha: { default: 1, min: 0, doc: "sample complexity n/d" }`');
    // a stand-in, so that the generated equations do not also report `alpha` as unknown
    model = { ...model, params: [...model.params, { name: 'alpha', default: NaN, loc: spec.loc }] };
  }
  const priorSpec = spec.prior;
  const channelSpec = spec.channel;
  const prior = priorSpec === undefined ? undefined : resolvePrior(priorSpec, model, add);
  const channel = channelSpec === undefined ? undefined
    : channelSpec.kind === 'builtin' ? resolve(channelSpec, CHANNELS, 'channel', model, add)
      : { theory: likelihoodChannel(channelSpec), args: new Map<string, string>() };
  const nodes = (s: typeof priorSpec | typeof channelSpec) => (s && 'nodes' in s ? s.nodes : undefined);

  const out = new Builder();
  const pi: Instance = { prefix: PRIOR_PREFIX, args: prior?.args ?? new Map(), loc: priorSpec?.loc ?? spec.loc };
  const ci: Instance = { prefix: CHANNEL_PREFIX, args: channel?.args ?? new Map(), loc: channelSpec?.loc ?? spec.loc };
  const p = prior?.theory ?? UNRESOLVED_PRIOR;
  const c = channel?.theory ?? UNRESOLVED_CHANNEL;
  const accurate = spec.stateEvolution === 'accurate';

  // GAMP pieces and shared declarations, prior first (a function used inside D must come first).
  out.decls(pi, p.decls);
  out.fn(pi, 'logZw(B, A)', p.logZw);
  out.fn(pi, 'fa(B, A)', p.fa);
  out.fn(pi, 'fv(B, A)', p.fv);
  out.decls(ci, c.decls);
  out.fn(ci, 'logZout(y, omega, V)', c.logZout);
  out.fn(ci, 'gout(y, omega, V)', c.gout);
  out.fn(ci, 'dgout(y, omega, V)', c.dgout);
  const rhoW = rename(pi, p.secondMoment);
  out.def(pi, 'rho_w', rhoW, true);
  out.def(ci, 'V', `max(rho_w - q, ${c.floor})`, true);

  const averages = averagesOf(pi, p, ci, c);
  const { q, psi: psiW } = priorEquations(out, pi, p, accurate, nodes(priorSpec), averages.teacher);
  const { fisher, psi: psiOut } = channelEquations(out, ci, c, accurate, nodes(channelSpec), averages.labels);
  out.def(pi, 'psi', psiW);
  out.def(ci, 'psi', psiOut);

  // rho_w for q's bound (only when it is a number: a parameter may change) and its informed start
  const rhoLiteral = numberOf(rhoW);
  const rhoValue = rhoLiteral ?? numberOf(rhoW, model);
  const generatedState: OrderParamDecl[] = [
    { name: 'qhat', min: 0, doc: 'conjugate of q (signal-to-noise ratio of the effective scalar channel)', loc: ci.loc },
    {
      name: 'q',
      init: Object.fromEntries(model.initNames.map((n) => [n, n === 'informed' ? INFORMED * (rhoValue ?? 1) : 0])),
      min: 0,
      ...(rhoLiteral !== undefined && { max: rhoLiteral }),
      doc: 'overlap m = q of the posterior mean with the teacher (Nishimori line)',
      loc: pi.loc,
    },
  ];
  const updates: NamedExpr[] = [
    out.named(ci, 'qhat', `alpha * (${fisher})`),
    out.named(pi, 'q', q),
  ];
  const observables: NamedExpr[] = [
    out.named(spec, 'mse', 'rho_w - q'),
    ...Object.entries(c.observables ?? {}).map(([name, text]) => out.named(ci, name, rename(ci, text))),
  ];
  const freeEnergy = out.expr(spec, `-(${PRIOR_PREFIX}psi + (rho_w - q) * qhat / 2 + alpha * ${CHANNEL_PREFIX}psi)`);

  const hint = 'the glm section declares q, qhat, rho_w, V, logZw, fa, fv, logZout, gout, dgout, mse and names that start with '
    + `${PRIOR_PREFIX} or ${CHANNEL_PREFIX}: rename yours`;
  return {
    model: merge(model, out, generatedState, updates, observables, freeEnergy, add, { section: 'glm', hint }),
    issues,
    averages,
  };
}

export type { Add } from '../pieces/args.ts';

/** A prior of the section resolved to its theory forms and arguments (a piece of the library, or given by its
 * density or values). */
export function resolvePrior(spec: PriorSpec, model: Model, add: Add): { theory: PriorTheory; args: Map<string, string> } | undefined {
  return spec.kind === 'builtin' ? resolve(spec, PRIORS, 'prior', model, add)
    : { theory: spec.kind === 'density' ? densityPrior(spec) : discretePrior(spec), args: new Map<string, string>() };
}

type Averages = NonNullable<Expansion['averages']>;

/** The teacher's averages in the model's names (parenthesised: a template may be a sum, e.g. the atom and the
 * density of a ReLU label). */
function averagesOf(pi: Instance, p: PriorTheory, ci: Instance, c: ChannelTheory): Averages {
  return {
    teacher: teacherAverage(pi, p),
    labels: (omega, V, f) => `(${applyPlaceholder(
      renameIdentifiers(c.labels.average, (n) => (n === 'omega' ? `(${omega})` : n === 'V' ? `(${V})` : n === 'F' ? n : local(ci, n))), f)})`,
  };
}

/** E over w* ~ prior of f(w*), in the model's names. */
export function teacherAverage(pi: Instance, p: PriorTheory): Averages['teacher'] {
  return (f) => `(${applyPlaceholder(rename(pi, p.teacher.average, ['F']), f)})`;
}

/** The prior's half of state evolution on the Nishimori line: q(qhat) and Psi_w(qhat) - rho_w qhat / 2. */
export function priorEquations(out: Builder, pi: Instance, p: PriorTheory, accurate: boolean, nodes: number | undefined,
  teacher: Averages['teacher']): { q: string; psi: string } {
  if (accurate && p.accurate) {
    out.decls(pi, p.accurate.decls);
    return { q: rename(pi, p.accurate.q), psi: rename(pi, p.accurate.psi) };
  }
  // generic: q = E[w* fa(qhat w* + sqrt(qhat) xi, qhat)], Psi_w = E log Zw(...), over the teacher prior and xi
  out.variable(pi, 'xi_se', { law: 'normal', ...(nodes !== undefined && { nodes }), doc: 'noise of the effective scalar channel' });
  out.decls(pi, p.teacher.decls);
  const xi = `${PRIOR_PREFIX}xi_se`;
  const field = (w: string) => `qhat * (${w}) + sqrt(qhat) * ${xi}`;
  return {
    q: teacher((w) => `E(${xi}, (${w}) * fa(${field(w)}, qhat))`),
    psi: `${teacher((w) => `E(${xi}, logZw(${field(w)}, qhat))`)} - rho_w * qhat / 2`,
  };
}

/** The channel's half: fisher(q) = E_xi int dy Zout gout^2 (qhat = alpha fisher) and Psi_out(q). */
function channelEquations(out: Builder, ci: Instance, c: ChannelTheory, accurate: boolean, nodes: number | undefined,
  labels: Averages['labels']): { fisher: string; psi: string } {
  if (accurate && c.accurate) {
    out.decls(ci, c.accurate.decls);
    return { fisher: rename(ci, c.accurate.fisher), psi: rename(ci, c.accurate.psi) };
  }
  // generic: both averaged over the labels at the student field omega = sqrt(q) xi
  out.variable(ci, 'xi_se', { law: 'normal', ...(nodes !== undefined && { nodes }), doc: 'Gaussian part of the student field' });
  out.decls(ci, c.labels.decls);
  const xi = `${CHANNEL_PREFIX}xi_se`;
  const omega = `sqrt(q) * ${xi}`;
  return {
    fisher: `E(${xi}, ${labels(omega, 'V', (y) => `gout(${y}, ${omega}, V)^2`)})`,
    psi: `E(${xi}, ${labels(omega, 'V', (y) => `logZout(${y}, ${omega}, V)`)})`,
  };
}

/**
 * The user's declarations after the generated ones; clashes are reported at the user's declaration. A user's
 * declaration of a generated order parameter sets its starts, bounds and doc, field by field.
 */
export function merge(
  model: Model, out: Builder, state: readonly OrderParamDecl[], updates: readonly NamedExpr[], observables: readonly NamedExpr[],
  freeEnergy: Expr, add: Add, how: { readonly section: string; readonly hint: string },
): Model {
  const stateNames = new Set(state.map((s) => s.name));
  const generated = new Set([...out.names(), ...stateNames]);
  const { section, hint } = how;
  const keep = <T extends { name: string; loc: Loc }>(xs: readonly T[], what: string): T[] => xs.filter((x) => {
    if (!generated.has(x.name)) return true;
    add('duplicate-name', x.loc, `\`${x.name}\` is declared by the ${section} section; it cannot also be a ${what}`, x.name, hint);
    return false;
  });
  const userState = new Map(model.orderParams.map((o) => [o.name, o]));
  const orderParams = [
    ...state.map((g) => {
      const u = userState.get(g.name);
      return u ? { ...g, ...Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)) } as OrderParamDecl : g;
    }),
    ...keep(model.orderParams.filter((o) => !stateNames.has(o.name)), 'order parameter'),
  ];
  const userUpdates = model.updates.filter((u) => {
    if (!stateNames.has(u.name)) return true;
    add('duplicate-name', u.loc, `the update of \`${u.name}\` is given by the ${section} section`, u.name,
      'remove it; to change its start values or bounds, declare it under order_params');
    return false;
  });
  const userObservables = new Set(model.observables.map((o) => o.name));
  const replacedFreeEnergy = model.freeEnergy !== undefined || userObservables.has('free_energy');
  return {
    ...model,
    params: keep(model.params, 'parameter'),
    orderParams,
    variables: [...out.variables, ...keep(model.variables, 'variable')],
    functions: [...out.functions, ...keep(model.functions, 'function')],
    definitions: [...out.definitions, ...keep(model.definitions, 'definition')],
    updates: [...updates, ...userUpdates],
    observables: [...observables.filter((o) => !userObservables.has(o.name)), ...model.observables],
    ...(replacedFreeEnergy ? {} : { freeEnergy }),
  };
}

/**
 * Looks a piece up in the library (among those with theory forms) and checks its arguments: each a declared
 * parameter or a number (pieces/args.ts, shared with the simulation section). The piece's theory text then reads
 * each parameter as the model's parameter name or the number, parenthesised.
 */
function resolve<P extends PriorPiece | ChannelPiece>(
  ref: BuiltinRef, library: ReadonlyMap<string, P>, what: 'prior' | 'channel', model: Model, add: Add,
): { theory: NonNullable<P['theory']>; args: Map<string, string> } | undefined {
  const piece = lookupPiece(ref, library, what, 'theory', add, (p) => p.theory !== undefined,
    (p) => `the ${what} \`${p.name}\` has no theory forms: it exists for simulations only (\`simulation: ${what === 'prior' ? 'teacher' : 'channel'}: ${p.name}\`)`);
  if (!piece) return undefined;
  const resolved = resolveArgs(ref, piece, what, 'theory', model.params.map((x) => x.name), add);
  if (!resolved) return undefined;
  const args = new Map<string, string>();
  piece.params.forEach((param, i) => {
    const a = resolved[i];
    if (!param.simulationOnly) args.set(param.name, a.kind === 'param' ? a.name : `(${a.text})`);
  });
  return { theory: piece.theory as NonNullable<P['theory']>, args };
}

export const local = (inst: Instance, name: string) => (PUBLIC.has(name) ? name : inst.args.get(name) ?? inst.prefix + name);

/** Piece text in the model's names; `keep` lists placeholders left as they are. */
export function rename(inst: Instance, text: string, keep: readonly string[] = []): string {
  return renameIdentifiers(text, (n) => (keep.includes(n) ? n : local(inst, n)));
}

/** The value of rho_w if it is a number or (given the model) a parameter, at its default. */
export function numberOf(text: string, model?: Model): number | undefined {
  const t = text.replace(/^\((.*)\)$/, '$1').trim();
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  const p = model?.params.find((x) => x.name === t);
  return p && Number.isFinite(p.default) ? p.default : undefined;
}

/** Collects the generated declarations as model content, each located at the part of the glm section it comes from. */
export class Builder {
  readonly variables: VariableDecl[] = [];
  readonly functions: FunctionDecl[] = [];
  readonly definitions: NamedExpr[] = [];

  names(): string[] {
    return [...this.variables, ...this.functions, ...this.definitions].map((d) => d.name);
  }

  expr(at: { loc: Loc }, text: Text): Expr {
    return typeof text === 'string' ? { text, loc: at.loc, raw: '' } : text;
  }

  named(at: { loc: Loc }, name: string, text: Text): NamedExpr {
    return { name, expr: this.expr(at, text), loc: at.loc };
  }

  decls(inst: Instance, d: Decls | undefined): void {
    for (const [name, v] of Object.entries(d?.variables ?? {})) this.variable(inst, name, v);
    for (const [sig, body] of Object.entries(d?.functions ?? {})) this.fn(inst, sig, body);
    for (const [name, body] of Object.entries(d?.definitions ?? {})) this.def(inst, name, typeof body === 'string' ? rename(inst, body) : body);
  }

  variable(inst: Instance, name: string, v: NonNullable<Decls['variables']>[string]): void {
    const law: Law = 'values' in v
      ? { kind: 'discrete', values: v.values, probs: v.probs ? v.probs.map((p) => this.expr(inst, typeof p === 'string' ? rename(inst, p) : p)) : null }
      : { kind: 'normal', ...(v.nodes !== undefined && { nodes: v.nodes }) };
    this.variables.push({ name: local(inst, name), law, ...(v.doc && { doc: v.doc }), loc: inst.loc });
  }

  /** A function `name(args)`: piece text is renamed with its arguments; user text keeps its argument names. */
  fn(inst: Instance, sig: string, body: Text): void {
    const { name, args } = splitSignature(sig);
    const user = typeof body !== 'string';
    this.functions.push({
      name: local(inst, name),
      args: user ? args : args.map((a) => local(inst, a)),
      body: this.expr(inst, user ? body : rename(inst, body)),
      loc: inst.loc,
    });
  }

  /** A definition; `plain` keeps the name as given (rho_w, V), otherwise it is a local name of the piece. */
  def(inst: Instance, name: string, text: Text, plain = false): void {
    this.definitions.push({ name: plain ? name : local(inst, name), expr: this.expr(inst, text), loc: inst.loc });
  }
}

/** Stand-ins after a mistake in the section, so that the rest of the model is still checked without
 * spurious unknown names. */
export const UNRESOLVED_PRIOR: PriorTheory = {
  secondMoment: 'NaN', logZw: 'NaN', fa: 'NaN', fv: 'NaN', teacher: { average: 'F(0)' }, accurate: { q: 'NaN', psi: 'NaN' },
};
const UNRESOLVED_CHANNEL: ChannelTheory = {
  floor: 0, logZout: 'NaN', gout: 'NaN', dgout: 'NaN', labels: { average: 'F(0)' }, accurate: { fisher: 'NaN', psi: 'NaN' },
};
