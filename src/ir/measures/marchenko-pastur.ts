import type { Law } from '../../model/types.ts';
import { cachedMarchenkoPasturRule, marchenkoPasturRule, type SpectralRule } from '../../numerics/spectral.ts';
import { isStatic, type Node } from '../nodes.ts';
import type { MeasureKind } from './measure.ts';

/**
 * The Marchenko-Pastur law with ratio `ratio` (an expression): the limiting eigenvalue law of (1/d) F F^T for
 * F p x d with i.i.d. unit entries and p/d = ratio; mean 1, an atom 1 - 1/ratio at 0 when ratio > 1. A
 * probability law: E(s, 1) = 1. Integrated by the Gauss rule of its continuous part with `nodes` nodes plus its
 * atom (numerics/spectral.ts), built once per Problem when the ratio reads only parameters.
 */
export interface MarchenkoPasturMeasure {
  readonly kind: 'marchenko-pastur';
  readonly nodes: number;
  readonly ratio: Node;
}

type MarchenkoPasturLaw = Extract<Law, { kind: 'marchenko-pastur' }>;

export const MARCHENKO_PASTUR: MeasureKind<MarchenkoPasturMeasure> = {
  kind: 'marchenko-pastur',
  nodes: (m) => [m.ratio],
  map: (m, f) => ({ ...m, ratio: f(m.ratio) }),
  key: (m) => `${m.nodes}`,
  points: (m) => m.nodes + 1,
  copies: () => 1,
  nodeCounts: (m) => [m.nodes],
  resize: (m, f) => { const nodes = f(m.nodes); return nodes === m.nodes ? m : { ...m, nodes }; },
  // E[c] = c (a probability law; its weights sum to 1 to rounding); E[0] = 0.
  simplify: (_m, body) => (body.kind === 'num' ? body : undefined),
  // A ratio that moves with the variable has no derivative rule here: NaN says so rather than a wrong number.
  derive: (e, c) => (c.isZero(c.d(e.measure.ratio)) ? c.underIntegral : { kind: 'num', value: NaN }),
  integrator: (m, prepare) => {
    const ratio = prepare(m.ratio);
    let last: { g: number; rule: SpectralRule } | undefined;
    return (scope, f) => {
      const g = ratio(scope);
      if (last === undefined || !Object.is(last.g, g)) last = { g, rule: marchenkoPasturRule(g, m.nodes) };
      const { nodes, weights } = last.rule;
      let acc = 0;
      for (let i = 0; i < nodes.length; i++) acc += weights[i] * f(nodes[i]);
      return acc;
    };
  },
  emit: (m, emit) => {
    const rule = emit.fresh('R');
    if (isStatic(m.ratio)) emit.perProblem((fixed) => `const ${rule} = S_mpRule(${fixed(m.ratio)}, ${m.nodes});`);
    else emit.before(`const ${rule} = S_mpRule(${emit.expr(m.ratio)}, ${m.nodes});`);
    emit.loop(m.nodes + 1, `${rule}.nodes`, `${rule}.weights`);
  },
  runtime: { S_mpRule: cachedMarchenkoPasturRule },
  declared: {
    law: 'marchenko-pastur',
    measure: (law: MarchenkoPasturLaw, c) => ({ kind: 'marchenko-pastur', nodes: c.nodes ?? law.nodes ?? c.defaultNodes, ratio: c.expr(law.ratio) }),
    info: (law: MarchenkoPasturLaw) => ({ law: 'marchenko-pastur' as const, ...(law.nodes !== undefined && { nodes: law.nodes }) }),
    describe: (v, nodes) => `Marchenko-Pastur, ${v.nodes ?? nodes}-node Gauss rule and the atom at 0`,
    latex: (v, s, nodes, m, print) => ({
      tex: `${s} \\sim \\mathrm{MP}\\left(${m?.kind === 'marchenko-pastur' ? print.expr(m.ratio) : '\\gamma'}\\right)`,
      note: `Gauss rule of the Marchenko–Pastur law, ${v.nodes ?? nodes} nodes, and its atom at 0`,
    }),
  },
};
