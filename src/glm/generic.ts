import type { ChannelTheory, PriorTheory, Text } from '../pieces/types.ts';
import type { DensityPrior, DiscretePrior, LikelihoodChannel } from './types.ts';

/**
 * Pieces given by the user in a glm or lowrank section: a prior by its density or by finitely many values, a
 * channel by its likelihood P(y | z); their theory forms (pieces/types.ts), not pieces of the library (they have
 * no name, no sampler: a simulation draws from the library's pieces). Everything else follows by Gauss-Hermite quadrature, written as model-language text around the
 * user's expressions (which keep their place in the file for error messages).
 *
 * Accuracy (docs/model-files.md, "glm"): the quadratures are exact for Gaussian densities and likelihoods and
 * converge geometrically for smooth ones whose scale is not much smaller than that of the Gaussian they are
 * integrated against; densities or likelihoods with kinks or steps (Laplace, sign) converge slowly (errors
 * ~1e-3 to 1e-2), and a likelihood much sharper in z than sqrt(V) (small noise) needs many nodes.
 */

/**
 * E(v, body) split at the cuts (expressions in increasing order) into restricted expectations, each over a
 * smooth piece of the integrand: how a kink or a step is integrated accurately (docs/model-files.md, §4).
 */
export function splitExpectation(v: string, cuts: readonly string[], body: string): string {
  if (cuts.length === 0) return `E(${v}, ${body})`;
  const pieces = [`E(${v} < ${cuts[0]}, ${body})`];
  for (let i = 1; i < cuts.length; i++) pieces.push(`E(${cuts[i - 1]} < ${v} < ${cuts[i]}, ${body})`);
  pieces.push(`E(${v} > ${cuts[cuts.length - 1]}, ${body})`);
  return `(${pieces.join(' + ')})`;
}

/**
 * A prior by its (not necessarily normalised) density p(w). Zw(B, A) = int p(w) exp(B w - A w^2 / 2) dw / Z0
 * is integrated against the Gaussian N(mu, s2) with precision A + 1/scale^2 and mean mu = B s2: then
 * Zw = sqrt(2 pi s2) exp(B mu / 2 + mu^2 / (2 scale^2)) E_u[p(w) exp((w^2 - mu^2) / (2 scale^2))] / Z0 at
 * w = mu + sqrt(s2) u, exact for the Gaussian density of variance scale^2. The moments of the tilted law
 * give fa and fv without differentiating p. Averages over the teacher w* ~ p are taken against N(0, scale^2):
 * p must not have heavier tails than that Gaussian where it matters (for an exponential tail, take scale a few
 * times the prior's standard deviation), since every rule cuts its range where the Gaussian weight vanishes.
 */
export function densityPrior(spec: DensityPrior): PriorTheory {
  const nodes = spec.nodes;
  const w = 'B * sg2(A) + sqrt(sg2(A)) * u';
  const kinks = spec.kinks ?? [];
  // the kink k of p sits at u = (k - mu) / sqrt(s2) in the tilted integral, at u0 = k / scale in the teacher's
  const tilted = (body: string) => splitExpectation('u', kinks.map((k) => `((${k}) - B * sg2(A)) / sqrt(sg2(A))`), body);
  const teacher = (body: string) => splitExpectation('u0', kinks.map((k) => `(${k}) / scale`), body);
  return {
    decls: {
      variables: {
        u: { law: 'normal', ...(nodes !== undefined && { nodes }), doc: 'Gaussian variable of the tilted prior' },
        u0: { law: 'normal', ...(nodes !== undefined && { nodes }), doc: 'Gaussian variable of the teacher prior' },
      },
      functions: {
        'density(w)': spec.density,
        'sg2(A)': '1 / (A + 1 / scale^2)',
        // E_u[p(w) exp((w^2 - mu^2) / (2 scale^2)) w^k], w = mu + sqrt(s2) u: the k-th moment of the tilted law, unnormalised
        // p and the Gaussian factor in one exponent: p(w) = 0 where exp(...) = Inf would give NaN
        'mom(B, A, k)': tilted(`exp(log(density(${w})) + sqrt(sg2(A)) * u * (2 * B * sg2(A) + sqrt(sg2(A)) * u) / (2 * scale^2)) * (${w})^k`),
      },
      definitions: {
        scale: spec.scale ?? '1',
        Z0: `sqrt(2 * pi) * scale * ${teacher('exp(log(density(scale * u0)) + u0^2 / 2)')}`,
      },
    },
    secondMoment: `sqrt(2 * pi) * scale * ${teacher('exp(log(density(scale * u0)) + u0^2 / 2) * (scale * u0)^2')} / Z0`,
    logZw: 'B^2 * sg2(A) / 2 + (B * sg2(A))^2 / (2 * scale^2) + log(2 * pi * sg2(A)) / 2 + log(mom(B, A, 0)) - log(Z0)',
    fa: 'mom(B, A, 1) / mom(B, A, 0)',
    fv: 'mom(B, A, 2) / mom(B, A, 0) - fa(B, A)^2',
    // a teacher node where p underflows has weight 0: its F (fa = mom1/mom0 = 0/0 far in the tail) must not make it NaN
    teacher: { average: `sqrt(2 * pi) * scale * ${teacher('(density(scale * u0) > 0 ? exp(log(density(scale * u0)) + u0^2 / 2) * F(scale * u0) : 0)')} / Z0` },
  };
}

/** A prior on the values v_k with probabilities p_k (uniform unless given): Zw = sum_k p_k exp(B v_k - A v_k^2 / 2),
 * summed with the largest exponent factored out. */
export function discretePrior(spec: DiscretePrior): PriorTheory {
  const n = spec.values.length;
  const v = spec.values.map((x) => `(${x})`);
  const probs: readonly Text[] = spec.probs ?? v.map(() => `1 / ${n}`);
  const terms = (k: string) => v.map((x, i) => `p${i + 1} * ${x}^${k} * exp(ex(B, A, ${x}) - mx(B, A))`).join(' + ');
  return {
    decls: {
      definitions: Object.fromEntries(probs.map((p, i) => [`p${i + 1}`, p])),
      functions: {
        'ex(B, A, w)': 'B * w - A * w^2 / 2',
        'mx(B, A)': `max(${v.map((x) => `ex(B, A, ${x})`).join(', ')})`,
        'mom(B, A, k)': terms('k'),
      },
    },
    secondMoment: v.map((x, i) => `p${i + 1} * ${x}^2`).join(' + '),
    logZw: 'mx(B, A) + log(mom(B, A, 0))',
    fa: 'mom(B, A, 1) / mom(B, A, 0)',
    fv: 'mom(B, A, 2) / mom(B, A, 0) - fa(B, A)^2',
    teacher: {
      decls: { variables: { s: { values: spec.values, ...(spec.probs && { probs: spec.probs }), doc: 'teacher component' } } },
      average: 'E(s, F(s))',
    },
  };
}

/**
 * A channel by its likelihood P(y | z). A label of probability zero (Zout = 0, where gout is 0/0) is left out
 * of the averages. Zout(y, omega, V) = E_t P(y | omega + sqrt(V) t); its omega-derivatives
 * by Stein's lemma, d/domega E_t P = E_t[t P] / sqrt(V) and d2/domega2 E_t P = E_t[(t^2 - 1) P] / V, so that P
 * need not be differentiable (a step in z is fine, if slowly integrated). Labels: a finite set (summed) or the
 * real line, integrated by Gauss-Hermite around N(omega, V + y_scale^2) (exact weight for additive Gaussian
 * noise of variance y_scale^2).
 */
export function likelihoodChannel(spec: LikelihoodChannel): ChannelTheory {
  const nodes = spec.nodes;
  const P = 'likelihood(y, omega + sqrt(V) * t)';
  const labels = spec.labels;
  const real = labels.kind === 'real';
  const ys = 'omega + sqrt(V + ys^2) * s';
  // the kink k of P sits at t = (k - omega) / sqrt(V)
  const overT = (body: string) => splitExpectation('t', (spec.kinks ?? []).map((k) => `((${k}) - omega) / sqrt(V)`), body);
  return {
    floor: 1e-10,
    decls: {
      variables: { t: { law: 'normal', ...(nodes !== undefined && { nodes }), doc: 'teacher field given the student field, standardised' } },
      functions: {
        'likelihood(y, z)': spec.likelihood,
        'Zout(y, omega, V)': overT(P),
      },
      ...(real && { definitions: { ys: labels.scale ?? '1' } }),
    },
    logZout: 'log(Zout(y, omega, V))',
    gout: `${overT(`t * ${P}`)} / (sqrt(V) * Zout(y, omega, V))`,
    dgout: `${overT(`(t^2 - 1) * ${P}`)} / (V * Zout(y, omega, V)) - gout(y, omega, V)^2`,
    labels: real
      ? {
        decls: { variables: { s: { law: 'normal', ...(nodes !== undefined && { nodes }), doc: 'standardised label' } } },
        average: `E(s, Zout(${ys}, omega, V) > 0 ? sqrt(V + ys^2) * Zout(${ys}, omega, V) / npdf(s) * F(${ys}) : 0)`,
      }
      : { decls: { variables: { y: { values: labels.values, doc: 'the label' } } }, average: `E(y, Zout(y, omega, V) > 0 ? ${labels.values.length} * Zout(y, omega, V) * F(y) : 0)` },
  };
}
