import type { ChannelPiece } from '../types.ts';

/**
 * y = max(0, z), noiseless (relu-bayes.yaml: the y > 0 part integrated in closed form, the y = 0 part after
 * the Gaussian change of variables N(xi) N(a) = N(0) N(xi sqrt(1 + q/V)), with r = sqrt(V/(q + V)), k = sqrt(q/(q + V))).
 */
export const relu: ChannelPiece = {
  name: 'relu',
  doc: 'ReLU channel y = max(0, z) (noiseless); a simulation may add label noise of variance Delta',
  tex: 'y = \\max(0, z) + \\sqrt{\\Delta}\\, \\xi',
  params: [{ name: 'Delta', doc: 'variance of Gaussian noise added to the label (default 0; simulations only: the theory is noiseless)', default: '0', simulationOnly: true }],
  theory: {
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
  },
  sampler: {
    // one normal per sample, also when Delta = 0
    label: ([Delta], z, rng) => Math.max(0, z) + Math.sqrt(Delta) * rng.normal(),
    task: 'regression',
    // E(max(0, z) - omega)^2 = qStar / 2 - m + q + Delta (E max(0, z) omega = m / 2)
    testError: { regression: ([Delta], { m, q, qStar }) => qStar / 2 - m + q + Delta },
  },
  checkArgs: ([Delta]) => (Delta >= 0 && Number.isFinite(Delta) ? undefined : `the noise variance Delta of relu(Delta) must be finite and >= 0, got ${Delta}`),
};
