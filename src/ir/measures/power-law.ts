import type { Law } from '../../model/types.ts';
import { POWER_LAW_EXACT_MODES, POWER_LAW_PANEL_NODES, powerLawRule, type SpectralRule } from '../../numerics/spectral.ts';
import { isStatic, type Node } from '../nodes.ts';
import type { MeasureKind } from './measure.ts';

/**
 * A power-law spectrum: the eigenvalues lambda_k = k^-capacity, k = 1, 2, ... (up to `modes` when given), and
 * E(l, f(l)) = sum_k w_k f(lambda_k): a trace, not an average. Weights w_k = 1, or with a `source` r the teacher's
 * k^-(1 + 2 capacity r) (source and capacity conditions: lambda_k (beta*_k)^2). The infinite sum is the first
 * 1000 modes plus an Euler-Maclaurin tail (numerics/spectral.ts, where its accuracy is stated).
 */
export interface PowerLawMeasure {
  readonly kind: 'power-law';
  readonly capacity: Node;
  readonly source: Node | null;
  readonly modes: Node | null;
  /** Gauss-Legendre nodes per panel of the tail (the count the quadrature report doubles). */
  readonly nodes: number;
}

type PowerLawLaw = Extract<Law, { kind: 'power-law' }>;

const parts = (m: PowerLawMeasure): Node[] => [m.capacity, ...(m.source ? [m.source] : []), ...(m.modes ? [m.modes] : [])];

/** The rule from the values of the measure's expressions, in the order of `parts`. */
function rule(m: PowerLawMeasure, values: readonly number[]): SpectralRule {
  const a = values[0];
  const w = m.source ? 1 + 2 * a * values[1] : 0;
  return powerLawRule(a, w, m.modes ? values[values.length - 1] : Infinity, m.nodes);
}

export const POWER_LAW: MeasureKind<PowerLawMeasure> = {
  kind: 'power-law',
  nodes: parts,
  map: (m, f) => ({ ...m, capacity: f(m.capacity), source: m.source && f(m.source), modes: m.modes && f(m.modes) }),
  key: (m) => `${m.source ? 'teacher' : 'modes'}|${m.modes ? 'M' : ''}|${m.nodes}`,
  points: (m) => POWER_LAW_EXACT_MODES + 150 * m.nodes,
  copies: () => 1,
  nodeCounts: (m) => [m.nodes],
  resize: (m, f) => { const nodes = f(m.nodes); return nodes === m.nodes ? m : { ...m, nodes }; },
  // A trace: E[c] = c sum_k w_k is not c. E[0] = 0.
  simplify: (_m, body) => (body.kind === 'num' && body.value === 0 ? body : undefined),
  derive: (e, c) => (parts(e.measure).every((p) => c.isZero(c.d(p))) ? c.underIntegral : { kind: 'num', value: NaN }),
  integrator: (m, prepare) => {
    const exprs = parts(m).map(prepare);
    let last: { key: string; rule: SpectralRule } | undefined;
    return (scope, f) => {
      const values = exprs.map((e) => e(scope));
      const key = values.join(',');
      if (last === undefined || last.key !== key) last = { key, rule: rule(m, values) };
      const { nodes, weights } = last.rule;
      let acc = 0;
      for (let i = 0; i < nodes.length; i++) acc += weights[i] * f(nodes[i]);
      return acc;
    };
  },
  emit: (m, emit) => {
    const R = emit.fresh('R');
    const call = (code: readonly string[]) => {
      const w = m.source ? `1 + 2 * ${code[0]} * ${code[1]}` : '0';
      return `const ${R} = S_powerLawRule(${code[0]}, ${w}, ${m.modes ? code[code.length - 1] : 'Infinity'}, ${m.nodes});`;
    };
    if (parts(m).every(isStatic)) emit.perProblem((fixed) => call(parts(m).map(fixed)));
    else emit.before(call(parts(m).map((p) => emit.expr(p))));
    emit.loop(`${R}.nodes.length`, `${R}.nodes`, `${R}.weights`);
  },
  runtime: { S_powerLawRule: powerLawRule },
  declared: {
    law: 'power-law',
    measure: (law: PowerLawLaw, c) => ({
      kind: 'power-law', capacity: c.expr(law.capacity), source: law.source && c.expr(law.source), modes: law.modes && c.expr(law.modes),
      nodes: c.nodes ?? law.nodes ?? POWER_LAW_PANEL_NODES,
    }),
    info: (law: PowerLawLaw) => ({ law: 'power-law' as const, ...(law.nodes !== undefined && { nodes: law.nodes }) }),
    describe: (v) => `power law k^-a: a sum over modes (1000 exactly, then an Euler-Maclaurin tail, ${v.nodes ?? POWER_LAW_PANEL_NODES} nodes per panel)`,
    latex: (_v, s, _nodes, m, print) => {
      const pl = m?.kind === 'power-law' ? m : undefined;
      const a = pl ? print.expr(pl.capacity) : 'a';
      const weight = pl?.source ? `k^{-(1 + 2 ${a} ${print.expr(pl.source)})}\\,` : '';
      const top = pl?.modes ? `^{${print.expr(pl.modes)}}` : '^{\\infty}';
      return { tex: `\\mathbb{E}_{${s}}[f] = \\sum_{k=1}${top} ${weight} f\\!\\left(k^{-${a}}\\right)`, note: 'a sum over the modes of a power-law spectrum, not an average' };
    },
  },
};
