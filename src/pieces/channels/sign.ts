import type { ChannelPiece } from '../types.ts';

/**
 * y = sign(z), flipped with probability eps (perceptron-bayes.yaml for eps = 0). Zout = eps + (1 - 2 eps) H(-y omega / sqrt V).
 * Fisher term: with a = omega / sqrt(V), sum_y Zout gout^2 = (1 - 2 eps)^2 N(a) [r(a) + r(-a)] / V,
 * r(x) = N(x) / (eps + (1 - 2 eps) H(-x)) (= mills(-x) at eps = 0, smooth and tail-safe); the Gaussian factor
 * N(a) N(xi) = N(0) N(xi sqrt(rho_w / V)) turns E_xi into a smooth E_t: 2 (1 - 2 eps)^2 E_t r(sqrt(q / rho_w) t) /
 * sqrt(2 pi V rho_w). Psi_out = E_xi F(k xi) with F(a) = sum_y Zout log Zout, even, tending to
 * F_inf = (1 - eps) log(1 - eps) + eps log eps as |a| -> inf on the scale 1/k: for k > 1 (q > rho_w / 2) the
 * substitution u = k xi gives F_inf + E_t[(F(t) - F_inf) exp(t^2 (1 - 1/k^2) / 2)] / k, whose integrand decays
 * like a Gaussian tail (at eps = 0, F_inf = 0 and F(t) = 2 H(t) log H(t) under the symmetric average).
 * Perfect recovery of a binary teacher is the fixed point q = rho_w (V = 0, qhat = infinity): V is floored at
 * 1e-20, below the spacing of doubles under rho_w, so that it acts only at q = rho_w exactly, where it holds qhat
 * finite (about 7e9 alpha, well inside the solver's divergence bound of 1e15; a floor of 1e-300 gave 1e150) and
 * q = rho_w a fixed point of the prior's update. There Psi_out takes its exact value F_inf (Zout(y, omega, 0) =
 * P(y | z = omega)) instead of its value at the floor, -O(sqrt(V_floor)), so that the free entropy of perfect
 * recovery is exact (a binary perceptron's alpha_IT depends on it).
 */
export const sign: ChannelPiece = {
  name: 'sign',
  doc: 'sign channel y = sign(z), each label flipped with probability eps (default 0)',
  tex: 'y = \\operatorname{sign}(z) \\text{, flipped with probability } \\varepsilon',
  params: [{ name: 'eps', doc: 'label-flip probability, in [0, 1] (default 0)', default: '0' }],
  theory: {
    floor: 1e-20,
    logZout: 'eps > 0 ? log(eps + (1 - 2 * eps) * H(-y * omega / sqrt(V))) : logH(-y * omega / sqrt(V))',
    gout: 'D(logZout(y, omega, V), omega)',
    dgout: 'D(gout(y, omega, V), omega)',
    labels: { decls: { variables: { y: { values: [-1, 1], doc: 'the label' } } }, average: 'E(y, 2 * exp(logZout(y, omega, V)) * F(y))' },
    observables: { gen_error: 'acos(sqrt(q / rho_w)) / pi' },
    accurate: {
      decls: {
        variables: {
          t: { law: 'normal', nodes: 64, doc: 'Gaussian variable after the change of variables' },
          ys: { values: [-1, 1], doc: 'the label, uniform by symmetry' },
          xi: { law: 'normal', nodes: 200, doc: 'Gaussian part of the student field (free entropy, q < rho_w / 2)' },
        },
        functions: {
          'r(x)': 'eps > 0 ? npdf(x) / (eps + (1 - 2 * eps) * H(-x)) : mills(-x)',
          'Zs(a)': 'eps + (1 - 2 * eps) * H(-a)',
          'phi(z)': 'z * log(z)',
        },
        definitions: {
          k: 'sqrt(q / V)',
          Finf: '(1 - eps) * log(1 - eps) + eps * log(eps)',
        },
      },
      fisher: '2 * (1 - 2 * eps)^2 * E(t, E(ys, r(ys * sqrt(q / rho_w) * t))) / sqrt(2 * pi * V * rho_w)',
      psi: `q >= rho_w ? (eps > 0 ? Finf : 0)
      : eps > 0
      ? (q < rho_w / 2 ? E(xi, phi(Zs(k * xi)) + phi(Zs(-k * xi)))
                       : Finf + E(t, (phi(Zs(t)) + phi(Zs(-t)) - Finf) * exp(t^2 / 2 * (1 - V / q))) / k)
      : (q < rho_w / 2 ? 2 * E(xi, H(k * xi) * logH(k * xi))
                       : 2 * E(t, H(t) * logH(t) * exp(t^2 / 2 * (1 - V / q))) / k)`,
    },
  },
  sampler: {
    // sign(0) = +1; one uniform per sample, whatever eps
    label: ([eps], z, rng) => {
      const s = z >= 0 ? 1 : -1;
      return rng.uniform() < eps ? -s : s;
    },
    task: 'classification',
    // P(sign omega != y) = eps + (1 - 2 eps) acos(m / sqrt(q qStar)) / pi
    testError: {
      classification: ([eps], { m, q, qStar }) => {
        const cos = q > 0 && qStar > 0 ? Math.max(-1, Math.min(1, m / Math.sqrt(q * qStar))) : 0;
        return eps + ((1 - 2 * eps) * Math.acos(cos)) / Math.PI;
      },
    },
  },
  checkArgs: ([eps]) => (eps >= 0 && eps <= 1 ? undefined : `the flip probability eps of sign(eps) must be a probability in [0, 1], got ${eps}`),
};
