import type { ChannelPiece } from '../types.ts';

/**
 * The Rules-and-Facts labels (rules-facts-*.yaml; Farne, Boncoraglio, Zdeborova 2026): y = sign(z) with probability
 * 1 - eps (a rule), a fair coin with probability eps (a fact). As a law of y given z this is sign(eps/2), the sign
 * channel with flip probability eps/2; what it adds is which samples are facts (`labelWithPart`), so that the
 * training error is measured on the rules and on the facts separately, and its test error is the error against a
 * fresh label of the same law. Simulation only: the hand-written rules-facts models carry the theory.
 */
export const rulesFacts: ChannelPiece = {
  name: 'rules-facts',
  doc: 'rules and facts: y = sign(z) with probability 1 - eps, a fair coin with probability eps (the facts; simulations only)',
  tex: 'y = \\operatorname{sign}(z) \\text{ with probability } 1 - \\varepsilon, \\ \\pm 1 \\text{ uniformly with probability } \\varepsilon',
  params: [{ name: 'eps', doc: 'fraction of facts (random labels), in [0, 1]' }],
  sampler: {
    // one uniform per sample, whatever eps: u < eps is a fact, whose label is then -sign(z) for u < eps/2
    label: (args, z, rng) => labelOf(args[0], z, rng.uniform())[0],
    labelWithPart: (args, z, rng) => labelOf(args[0], z, rng.uniform()),
    task: 'classification',
    // P(sign omega != y) = eps/2 + (1 - eps) acos(m / sqrt(q qStar)) / pi
    testError: {
      classification: ([eps], { m, q, qStar }) => {
        const cos = q > 0 && qStar > 0 ? Math.max(-1, Math.min(1, m / Math.sqrt(q * qStar))) : 0;
        return eps / 2 + ((1 - eps) * Math.acos(cos)) / Math.PI;
      },
    },
  },
  checkArgs: ([eps]) => (eps >= 0 && eps <= 1 ? undefined : `the fraction of facts eps of rules-facts(eps) must be a probability in [0, 1], got ${eps}`),
};

/** The label and whether it is a fact, from one uniform u. */
function labelOf(eps: number, z: number, u: number): readonly [number, boolean] {
  const s = z >= 0 ? 1 : -1;
  return u < eps ? [u < eps / 2 ? -s : s, true] : [s, false];
}
