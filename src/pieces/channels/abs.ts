import type { ChannelPiece } from '../types.ts';

/**
 * y = |z|, noiseless phase retrieval (phase-retrieval-bayes.yaml, whose conventions (1)-(3) derive the
 * accurate forms: the Fourier self-duality of sech reduces both to one smooth expectation over the
 * hyperbolic-secant variable om, sampled by its quantile function from a standard normal sh).
 */
export const abs: ChannelPiece = {
  name: 'abs',
  doc: 'absolute-value channel y = |z| (noiseless real phase retrieval); a simulation may add label noise of variance Delta',
  tex: 'y = |z| + \\sqrt{\\Delta}\\, \\xi',
  params: [{ name: 'Delta', doc: 'variance of Gaussian noise added to the label (default 0; simulations only: the theory is noiseless)', default: '0', simulationOnly: true }],
  theory: {
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
  },
  sampler: {
    // one normal per sample, also when Delta = 0
    label: ([Delta], z, rng) => Math.abs(z) + Math.sqrt(Delta) * rng.normal(),
    task: 'regression',
    symmetric: true,
    // E(|z| - omega)^2 = qStar + q + Delta (E |z| omega = 0 by the symmetry (z, omega) -> -(z, omega))
    testError: { regression: ([Delta], { q, qStar }) => qStar + q + Delta },
  },
  checkArgs: ([Delta]) => (Delta >= 0 && Number.isFinite(Delta) ? undefined : `the noise variance Delta of abs(Delta) must be finite and >= 0, got ${Delta}`),
};
