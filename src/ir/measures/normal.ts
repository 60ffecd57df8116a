import { gaussHermite } from '../../numerics/gauss-hermite.ts';
import type { Law } from '../../model/types.ts';
import type { MeasureKind } from './measure.ts';

/** The standard normal, integrated by the probabilists' Gauss-Hermite rule with `nodes` nodes. */
export interface NormalMeasure {
  readonly kind: 'normal';
  readonly nodes: number;
}

type NormalLaw = Extract<Law, { kind: 'normal' }>;

export const NORMAL: MeasureKind<NormalMeasure> = {
  kind: 'normal',
  nodes: () => [],
  map: (m) => m,
  key: (m) => `${m.nodes}`,
  points: (m) => m.nodes,
  copies: () => 1,
  nodeCounts: (m) => [m.nodes],
  resize: (m, f) => { const nodes = f(m.nodes); return nodes === m.nodes ? m : { ...m, nodes }; },
  // E[c] = c (the weights sum to 1, to rounding: see simplify.ts); E[0] = 0 exactly.
  simplify: (_m, body) => (body.kind === 'num' ? body : undefined),
  derive: (_e, c) => c.underIntegral,
  integrator: (m) => {
    const n = m.nodes;
    return (_scope, f) => {
      const rule = gaussHermite(n);
      let acc = 0;
      for (let i = 0; i < rule.nodes.length; i++) acc += rule.weights[i] * f(rule.nodes[i]);
      return acc;
    };
  },
  emit: (m, emit) => {
    const rule = emit.gaussHermite(m.nodes);
    emit.loop(m.nodes, rule.nodes, rule.weights);
  },
  declared: {
    law: 'normal',
    measure: (law: NormalLaw, c) => ({ kind: 'normal', nodes: c.nodes ?? law.nodes ?? c.defaultNodes }),
    // E(t > a, ...), E(a < t < b, ...): the normal restricted to an interval (normal-interval.ts).
    restrict: (law: NormalLaw, lower, upper, c) => ({ kind: 'normal-interval', nodes: c.nodes ?? law.nodes ?? c.defaultNodes, lower, upper }),
    info: (law: NormalLaw) => ({ law: 'normal' as const, ...(law.nodes !== undefined && { nodes: law.nodes }) }),
    describe: (v, nodes) => `normal, ${v.nodes ?? nodes} Gauss-Hermite nodes`,
    latex: (v, s, nodes) => ({ tex: `${s} \\sim \\mathcal{N}(0, 1)`, note: `Gauss–Hermite quadrature, ${v.nodes ?? nodes} nodes` }),
  },
};
