import { gaussLegendre } from '../../numerics/gauss-legendre.ts';
import { isStatic, type Node } from '../nodes.ts';
import { leibniz, type MeasureKind } from './measure.ts';

/**
 * Lebesgue measure on [lower, upper]: a plain integral, integral(r, a, b, f) in a model file (build/integral.ts),
 * by the Gauss-Legendre rule with `nodes` nodes mapped affinely onto the interval (exact for polynomials of degree
 * up to 2 nodes - 1; smooth integrands converge geometrically, kinks only algebraically: split at them). Ends that
 * read parameters only get their rule once per Problem; moving ends rebuild it at each evaluation. Not a law of
 * the `variables:` section: the integration variable is the integral's own.
 */
export interface IntervalMeasure {
  readonly kind: 'interval';
  readonly nodes: number;
  readonly lower: Node;
  readonly upper: Node;
}

/**
 * The n-point Gauss-Legendre rule on [lo, hi] into `out` (or a new one): nodes c + h x_i, weights h w_i with
 * c = (lo + hi)/2, h = (hi - lo)/2. An interval with hi < lo gives negative weights (the integral's orientation).
 * The interpreter and generated code both call this, so their nodes and weights are the same doubles.
 */
export function intervalRule(lo: number, hi: number, n: number,
  out = { nodes: new Float64Array(n), weights: new Float64Array(n) }): { nodes: Float64Array; weights: Float64Array } {
  const rule = gaussLegendre(n);
  const c = 0.5 * (lo + hi);
  const h = 0.5 * (hi - lo);
  for (let i = 0; i < n; i++) {
    out.nodes[i] = c + h * rule.nodes[i];
    out.weights[i] = h * rule.weights[i];
  }
  return out;
}

const fixedEnds = (m: IntervalMeasure) => isStatic(m.lower) && isStatic(m.upper);

export const INTERVAL: MeasureKind<IntervalMeasure> = {
  kind: 'interval',
  nodes: (m) => [m.lower, m.upper],
  map: (m, f) => ({ ...m, lower: f(m.lower), upper: f(m.upper) }),
  key: (m) => `${m.nodes}`,
  points: (m) => m.nodes,
  copies: () => 1,
  nodeCounts: (m) => [m.nodes],
  resize: (m, f) => { const nodes = f(m.nodes); return nodes === m.nodes ? m : { ...m, nodes }; },
  simplify: (_m, body) => (body.kind === 'num' && body.value === 0 ? { kind: 'num', value: 0 } : undefined),
  // Leibniz: d/dv int_a^b f(t) dt = int_a^b df/dv dt + f(b) db/dv - f(a) da/dv.
  derive: (e, c) => leibniz(e, c, e.measure.lower, e.measure.upper),
  integrator: (m, prepare) => {
    const lower = prepare(m.lower);
    const upper = prepare(m.upper);
    const n = m.nodes;
    return (scope, f) => {
      const rule = intervalRule(lower(scope), upper(scope), n);
      let acc = 0;
      for (let i = 0; i < n; i++) acc += rule.weights[i] * f(rule.nodes[i]);
      return acc;
    };
  },
  emit: (m, emit) => {
    const rule = emit.fresh('R');
    if (fixedEnds(m)) {
      emit.perProblem((fixed) => `const ${rule} = S_intervalRule(${fixed(m.lower)}, ${fixed(m.upper)}, ${m.nodes});`);
    } else {
      emit.scratch(`const ${rule} = { nodes: new Float64Array(${m.nodes}), weights: new Float64Array(${m.nodes}) };`);
      emit.before(`S_intervalRule(${emit.expr(m.lower)}, ${emit.expr(m.upper)}, ${m.nodes}, ${rule});`);
    }
    emit.loop(m.nodes, `${rule}.nodes`, `${rule}.weights`);
  },
  runtime: { S_intervalRule: intervalRule },
  latexIntegral: (v, m, body, print) => `\\int_{${print(m.lower)}}^{${print(m.upper)}} ${body} \\,\\mathrm{d}${v}`,
};
