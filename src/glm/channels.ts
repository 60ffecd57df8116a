import type { ChannelPiece } from './pieces.ts';

/**
 * Built-in channels. Conventions: z = w*.x / sqrt(d) is the teacher field; on the Nishimori line the student
 * field is omega = sqrt(q) xi and the teacher field given omega is N(omega, V), V = rho_w - q;
 * Zout(y, omega, V) = E_{z ~ N(omega, V)} P(y | z). The accurate forms use k = sqrt(q / V) (the scale of
 * Zout in xi) and changes of variables that keep every integrand smooth as q -> rho_w.
 */

/** y = z + sqrt(Delta) noise (cs-bayes.yaml). */
const linear: ChannelPiece = {
  name: 'linear',
  doc: 'linear channel y = z + sqrt(Delta) xi, Delta the noise variance (default 0)',
  params: [{ name: 'Delta', doc: 'noise variance (default 0)', default: '0' }],
  floor: 1e-10,
  logZout: '-(y - omega)^2 / (2 * (V + Delta)) - log(2 * pi * (V + Delta)) / 2',
  gout: '(y - omega) / (V + Delta)',
  dgout: '-1 / (V + Delta)',
  // given omega, y ~ N(omega, V + Delta)
  labels: { decls: { variables: { s: { law: 'normal', doc: 'standardised label given the student field' } } }, average: 'E(s, F(omega + sqrt(V + Delta) * s))' },
  accurate: { fisher: '1 / (Delta + V)', psi: '-(1 + log(2 * pi * (Delta + V))) / 2' },
};

/**
 * y = sign(z), flipped with probability eps (perceptron-bayes.yaml for eps = 0). Zout = eps + (1 - 2 eps) H(-y omega / sqrt V).
 * Fisher term: with a = omega / sqrt(V), sum_y Zout gout^2 = (1 - 2 eps)^2 N(a) [r(a) + r(-a)] / V,
 * r(x) = N(x) / (eps + (1 - 2 eps) H(-x)) (= mills(-x) at eps = 0, smooth and tail-safe); the Gaussian factor
 * N(a) N(xi) = N(0) N(xi sqrt(rho_w / V)) turns E_xi into a smooth E_t: 2 (1 - 2 eps)^2 E_t r(sqrt(q / rho_w) t) /
 * sqrt(2 pi V rho_w). Psi_out = E_xi F(k xi) with F(a) = sum_y Zout log Zout, even, tending to
 * F_inf = (1 - eps) log(1 - eps) + eps log eps as |a| -> inf on the scale 1/k: for k > 1 (q > rho_w / 2) the
 * substitution u = k xi gives F_inf + E_t[(F(t) - F_inf) exp(t^2 (1 - 1/k^2) / 2)] / k, whose integrand decays
 * like a Gaussian tail (at eps = 0, F_inf = 0 and F(t) = 2 H(t) log H(t) under the symmetric average).
 * V is floored at 1e-300: the sign channel is written in the log domain and perfect recovery of a binary teacher
 * (q = 1 to rounding) must keep Psi_out -> 0.
 */
const sign: ChannelPiece = {
  name: 'sign',
  doc: 'sign channel y = sign(z), each label flipped with probability eps (default 0)',
  params: [{ name: 'eps', doc: 'label-flip probability, in [0, 1/2] (default 0)', default: '0' }],
  floor: 1e-300,
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
    psi: `eps > 0
      ? (q < rho_w / 2 ? E(xi, phi(Zs(k * xi)) + phi(Zs(-k * xi)))
                       : Finf + E(t, (phi(Zs(t)) + phi(Zs(-t)) - Finf) * exp(t^2 / 2 * (1 - V / q))) / k)
      : (q < rho_w / 2 ? 2 * E(xi, H(k * xi) * logH(k * xi))
                       : 2 * E(t, H(t) * logH(t) * exp(t^2 / 2 * (1 - V / q))) / k)`,
  },
};

/**
 * y = |z|, noiseless phase retrieval (phase-retrieval-bayes.yaml, whose conventions (1)-(3) derive the
 * accurate forms: the Fourier self-duality of sech reduces both to one smooth expectation over the
 * hyperbolic-secant variable om, sampled by its quantile function from a standard normal sh).
 */
const abs: ChannelPiece = {
  name: 'abs',
  doc: 'absolute-value channel y = |z| (noiseless real phase retrieval)',
  params: [],
  floor: 1e-10,
  // Zout = N(y; omega, V) + N(-y; omega, V) for y >= 0
  logZout: 'logNpdf((y - omega) / sqrt(V)) - log(V) / 2 + log1pexp(-2 * y * omega / V)',
  gout: 'D(logZout(y, omega, V), omega)',
  dgout: 'D(gout(y, omega, V), omega)',
  labels: { decls: { variables: { s: { law: 'normal', doc: 'standardised teacher field given the student field' } } }, average: 'E(s, F(abs(omega + sqrt(V) * s)))' },
  accurate: {
    decls: {
      variables: { sh: { law: 'normal', nodes: 64, doc: 'standard normal, mapped to the hyperbolic-secant variable om' } },
      definitions: {
        r: 'sqrt(V / (q + V))',
        k: 'sqrt(q / (q + V))',
        om: '2 / pi * (log(sin(pi * ncdf(sh) / 2)) - log(sin(pi * H(sh) / 2)))',
      },
    },
    fisher: '(1 - r + r * E(sh, -expm1(-1.5 * log1p(k^2 * om^2)))) / V',
    psi: '-(1 + log(2 * pi * V)) / 2 + r * E(sh, 1 / ((1 + om^2) * sqrt(1 + k^2 * om^2)))',
  },
};

/**
 * y = max(0, z), noiseless (relu-bayes.yaml: the y > 0 part integrated in closed form, the y = 0 part after
 * the Gaussian change of variables N(xi) N(a) = N(0) N(xi sqrt(1 + q/V)), with r = sqrt(V/(q + V)), k = sqrt(q/(q + V))).
 */
const relu: ChannelPiece = {
  name: 'relu',
  doc: 'ReLU channel y = max(0, z) (noiseless)',
  params: [],
  floor: 1e-10,
  logZout: 'y > 0 ? logNpdf((y - omega) / sqrt(V)) - log(V) / 2 : logH(omega / sqrt(V))',
  gout: 'D(logZout(y, omega, V), omega)',
  dgout: 'D(gout(y, omega, V), omega)',
  // the atom y = 0 (z < 0) and the density y = z > 0; the density part reads y >= 1e-300 so that at its lower
  // end (where D adds a Leibniz term) it is the limit y -> 0+, not the atom
  labels: {
    decls: { variables: { s: { law: 'normal', doc: 'standardised teacher field given the student field' } } },
    average: 'E(s < -omega / sqrt(V), F(0)) + E(s > -omega / sqrt(V), F(max(omega + sqrt(V) * s, 1e-300)))',
  },
  accurate: {
    decls: {
      variables: { t: { law: 'normal', nodes: 96, doc: 'rescaled student field (Gaussian change of variables)' } },
      functions: { 'hlogh(x)': 'logH(x) / mills(x)' },
      definitions: { r: 'sqrt(V / (q + V))', k: 'sqrt(q / (q + V))' },
    },
    fisher: '(1 / 2 + r * E(t, mills(k * t)) / sqrt(2 * pi)) / V',
    psi: 'r * E(t, hlogh(k * t)) / sqrt(2 * pi) - log(2 * pi * V) / 4 - 1 / 4',
  },
};

export const CHANNELS: ReadonlyMap<string, ChannelPiece> = new Map([linear, sign, abs, relu].map((c) => [c.name, c]));
