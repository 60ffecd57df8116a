/**
 * Independent references for the logistic-loss ERM models (logistic.yaml, adversarial-*.yaml, logistic-mle.yaml),
 * written without the model files: the prox by bisection and the textbook replica update on a trapezoid grid.
 */
import { H, npdf, sigmoid } from '../../src/numerics/special.ts';

/** prox of V log(1 + e^{-(p - k)}) at w (a sample with y = +1 and margin shift k, 0 for plain logistic), by bisection (monotone). */
export function logisticProx(w: number, V: number, k = 0): number {
  let lo = w;
  let hi = w + V;
  for (let i = 0; i < 200 && hi - lo > 1e-15 * (1 + Math.abs(w) + V); i++) {
    const mid = 0.5 * (lo + hi);
    if (mid - w - V * sigmoid(-(mid - k)) < 0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * The textbook replica update of ERM with the loss log(1 + exp(-(y z - k))) (Aubin et al. 2020, eqs. 8-10; the
 * margin shift k = kappa of the attack), written independently of the model files: one integral over the student
 * field omega = sqrt(q) xi with the label marginal Z0(y) = H(-y omega0/sqrt V0), omega0 = m xi/sqrt q,
 * V0 = 1 - m^2/q, by the trapezoid rule (no Gauss-Hermite, no Stein identity), both labels summed, the prox by
 * bisection, d prox/d omega = 1/(1 + V loss'') in closed form. Returns the hats and E[-loss'(y prox - k)], whose
 * alpha eps multiple is the attack's extra penalty.
 */
export function textbookLogistic(alpha: number, m: number, q: number, V: number, k = 0) {
  const V0 = 1 - (m * m) / q;
  const N = 40000;
  const L = 12;
  const h = (2 * L) / N;
  let mhat = 0;
  let qhat = 0;
  let Vhat = 0;
  let slope = 0;
  for (let i = 0; i <= N; i++) {
    const xi = -L + i * h;
    const wt = (i === 0 || i === N ? 0.5 : 1) * h * npdf(xi);
    const omega = Math.sqrt(q) * xi;
    const omega0 = (m / Math.sqrt(q)) * xi;
    for (const y of [-1, 1]) {
      const Z0 = H((-y * omega0) / Math.sqrt(V0));
      const dZ0 = (y * npdf(omega0 / Math.sqrt(V0))) / Math.sqrt(V0);
      // loss(y p - k): the prox for label y is y times the y = +1 prox at y omega
      const p = y * logisticProx(y * omega, V, k);
      const f = (p - omega) / V;
      const sg = sigmoid(y * p - k);
      const df = (1 / (1 + V * sg * (1 - sg)) - 1) / V;
      mhat += wt * dZ0 * f;
      qhat += wt * Z0 * f * f;
      Vhat -= wt * Z0 * df;
      slope += wt * Z0 * sigmoid(-(y * p - k)); // -loss'(y p - k)
    }
  }
  return { mhat: alpha * mhat, qhat: alpha * qhat, Vhat: alpha * Vhat, slope };
}
