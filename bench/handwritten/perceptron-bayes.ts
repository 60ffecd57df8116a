/**
 * perceptron-bayes (equations/perceptron-bayes.yaml) written by hand, as a careful person would: the same
 * 64-node Gauss-Hermite rule and the same special function (mills) as the generated code, the same sequential
 * update (qhat, then q with the new qhat), loop invariants hoisted out of the quadrature loop.
 *
 * Deliberately NOT exploited: the integrand mills(-a) + mills(a) is even in t, so a person who noticed could
 * sum over half the (symmetric) nodes and halve the work. The compiler cannot know that in general; the
 * comparison is about code generation, not about algebra the model file did not state.
 *
 *   qhat = alpha * 2 E_t E_y mills(y sqrt(q) t) / sqrt(2 pi (1 - q)),  y uniform on {-1, 1}
 *   q    = qhat / (1 + qhat)
 */
import { gaussHermite } from '../../src/numerics/gauss-hermite.ts';
import { mills } from '../../src/numerics/special.ts';

const TWO_PI = 2 * Math.PI;

/** State order as in the model file: x = [qhat, q]. Writes F(x) into out; reads only x[1] (qhat is assigned before it is read). */
export function makeUpdate(alpha: number): (x: Float64Array, out: Float64Array) => void {
  const { nodes, weights } = gaussHermite(64);
  const n = nodes.length;
  return function update(x: Float64Array, out: Float64Array): void {
    const q = x[1];
    const sq = Math.sqrt(q);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const a = sq * nodes[i];
      // E_y mills(y a) = (mills(-a) + mills(a)) / 2; the 1/2 cancels the 2 in front of the expectation.
      s += weights[i] * (mills(-a) + mills(a));
    }
    const qhat = (alpha * s) / Math.sqrt(TWO_PI * (1 - q));
    out[0] = qhat;
    out[1] = qhat / (1 + qhat);
  };
}
