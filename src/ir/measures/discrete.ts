import type { Law } from '../../model/types.ts';
import type { Node } from '../nodes.ts';
import { numberKey, type MeasureKind } from './measure.ts';

/** A finite law: `values[i]` with probability `probs[i]` (expressions: they may depend on the state). The sum is
 * exact, so generated code unrolls it, one copy of the body per value. */
export interface DiscreteMeasure {
  readonly kind: 'discrete';
  readonly values: readonly number[];
  readonly probs: readonly Node[];
}

type DiscreteLaw = Extract<Law, { kind: 'discrete' }>;

const isZero = (n: Node) => n.kind === 'num' && n.value === 0;

export const DISCRETE: MeasureKind<DiscreteMeasure> = {
  kind: 'discrete',
  nodes: (m) => m.probs,
  map: (m, f) => ({ ...m, probs: m.probs.map(f) }),
  key: (m) => m.values.map(numberKey).join(','),
  points: (m) => m.values.length,
  copies: (m) => m.values.length,
  nodeCounts: () => [],
  resize: (m) => m,
  // Convention (simplify.ts): E[0] = 0, and a sum with every probability 0 is 0, the body taken finite.
  simplify: (m, body) => (isZero(body) || m.probs.every(isZero) ? { kind: 'num', value: 0 } : undefined),
  // d/dv sum_i p_i f(x_i) = sum_i p_i' f(x_i) + sum_i p_i f'(x_i): two expectations over the same values.
  derive: (e, c) => {
    const dprobs = e.measure.probs.map((p) => c.d(p));
    if (dprobs.every((p) => c.isZero(p))) return c.underIntegral;
    return c.add({ kind: 'expect', variable: e.variable, measure: { kind: 'discrete', values: e.measure.values, probs: dprobs }, body: e.body }, c.underIntegral);
  },
  integrator: (m, prepare) => {
    const values = m.values;
    const probs = m.probs.map(prepare);
    return (scope, f) => {
      let acc = 0;
      for (let i = 0; i < values.length; i++) acc += probs[i](scope) * f(values[i]);
      return acc;
    };
  },
  emit: (m, emit) => {
    const probs = m.probs.map((p) => emit.expr(p));
    m.values.forEach((value, k) => emit.point(emit.literal(value), probs[k]));
  },
  declared: {
    law: 'discrete',
    measure: (law: DiscreteLaw, c) => ({
      kind: 'discrete', values: law.values, probs: law.probs === null ? c.uniform(law.values.length) : law.probs.map((p) => c.expr(p)),
    }),
    info: (law: DiscreteLaw) => ({ law: 'discrete' as const, values: law.values, uniform: law.probs === null }),
    describe: (v) => `discrete on {${(v.values ?? []).join(', ')}}`,
    latex: (v, s, _nodes, m, print) => {
      const values = (v.values ?? []).map((x) => print.number(x));
      const probs = m?.kind === 'discrete' && !v.uniform
        ? m.probs.map((p, i) => `\\mathbb{P}(${s} = ${values[i]}) = ${print.expr(p)}`) : [];
      const law = probs.length ? `,\\quad ${probs.join(',\\ ')}` : '\\ \\text{(uniform)}';
      return { tex: `${s} \\in \\left\\{${values.join(', ')}\\right\\}${law}` };
    },
  },
};
