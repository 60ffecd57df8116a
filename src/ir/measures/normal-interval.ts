import { truncatedNormalRule } from '../../numerics/truncated-normal.ts';
import { truncatedGaussRule } from '../../numerics/truncated-gauss.ts';
import { isStatic, type Node } from '../nodes.ts';
import { leibniz, type MeasureKind } from './measure.ts';

/**
 * The standard normal restricted to lower < t < upper, not renormalised: E(t > a, f) = int_a^inf Dt f(t).
 * Integrands with a kink are integrated piece by piece, each piece smooth. An end is null when it is infinite.
 * Made by restricting a normal variable (normal.ts `restrict`): E(t > a, ...), E(a < t < b, ...).
 */
export interface NormalIntervalMeasure {
  readonly kind: 'normal-interval';
  readonly nodes: number;
  readonly lower: Node | null;
  readonly upper: Node | null;
}

/** Ends fixed for the whole solve (they read parameters only) get the Gauss rule of the truncated normal, built
 * once per Problem; ends that move with the state a Gauss-Legendre window rule, rebuilt at each evaluation. */
const fixedEnds = (m: NormalIntervalMeasure) => [m.lower, m.upper].every((n) => n === null || isStatic(n));

export const NORMAL_INTERVAL: MeasureKind<NormalIntervalMeasure> = {
  kind: 'normal-interval',
  nodes: (m) => [m.lower, m.upper].filter((n): n is Node => n !== null),
  map: (m, f) => ({ ...m, lower: m.lower && f(m.lower), upper: m.upper && f(m.upper) }),
  key: (m) => `${m.nodes}|${m.lower ? 'L' : ''}${m.upper ? 'U' : ''}`,
  points: (m) => m.nodes,
  copies: () => 1,
  nodeCounts: (m) => [m.nodes],
  resize: (m, f) => { const nodes = f(m.nodes); return nodes === m.nodes ? m : { ...m, nodes }; },
  simplify: (_m, body) => (body.kind === 'num' && body.value === 0 ? { kind: 'num', value: 0 } : undefined),
  // Leibniz: d/dv int_a^b N(t) f(t) dt = int_a^b N(t) df/dv + N(b) f(b) db/dv - N(a) f(a) da/dv.
  derive: (e, c) => leibniz(e, c, e.measure.lower, e.measure.upper, (limit) => c.call('npdf', limit)),
  integrator: (m, prepare) => {
    const lower = m.lower && prepare(m.lower);
    const upper = m.upper && prepare(m.upper);
    const fixed = fixedEnds(m);
    const n = m.nodes;
    return (scope, f) => {
      const lo = lower ? lower(scope) : -Infinity;
      const hi = upper ? upper(scope) : Infinity;
      const rule = fixed ? truncatedGaussRule(lo, hi, n) : truncatedNormalRule(lo, hi, n);
      let acc = 0;
      for (let i = 0; i < rule.nodes.length; i++) acc += rule.weights[i] * f(rule.nodes[i]);
      return acc;
    };
  },
  emit: (m, emit) => {
    const rule = emit.fresh('R');
    const ends = [m.lower, m.upper];
    const infinite = (k: number) => (k === 0 ? '-Infinity' : 'Infinity');
    if (fixedEnds(m)) {
      emit.perProblem((fixed) => {
        const [lo, hi] = ends.map((n, k) => (n ? fixed(n) : infinite(k)));
        return `const ${rule} = S_truncGauss(${lo}, ${hi}, ${m.nodes});`;
      });
    } else {
      emit.scratch(`const ${rule} = { nodes: new Float64Array(${m.nodes}), weights: new Float64Array(${m.nodes}) };`);
      const [lo, hi] = ends.map((n, k) => (n ? emit.expr(n) : infinite(k)));
      emit.before(`S_truncRule(${lo}, ${hi}, ${m.nodes}, ${rule});`);
    }
    emit.loop(m.nodes, `${rule}.nodes`, `${rule}.weights`);
  },
  runtime: { S_truncRule: truncatedNormalRule, S_truncGauss: truncatedGaussRule },
  // E_z[f; z > a]: the probabilists' E[X; A] = E[X 1_A].
  restriction: (v, m, print) => {
    if (m.lower && m.upper) return `${print(m.lower)} < ${v} < ${print(m.upper)}`;
    if (m.lower) return `${v} > ${print(m.lower)}`;
    if (m.upper) return `${v} < ${print(m.upper)}`;
    return undefined;
  },
};
