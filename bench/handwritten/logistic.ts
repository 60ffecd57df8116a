/**
 * logistic (equations/logistic.yaml) written by hand, as a careful person would: the same rules (40-node Gauss
 * rule of the half-normal for z, 48-node Gauss-Hermite for eta), one prox per node shared by the three
 * integrands (Moreau envelope, f_out^2), the three hat integrals in one loop nest, invariants hoisted, and the
 * same safeguarded Newton as numerics/roots.ts, written out for this loss, so both reach the same fixed point.
 *
 *   s = sqrt(q - m^2), omega = m z + s eta, p = prox of V log(1 + e^-p) at omega, mor = loss(p) + (p - omega)^2/(2V)
 *   Vhat = 2 alpha E[(eta^2 - 1) mor] / s^2,  mhat = -2 alpha E[z eta mor] / s + m Vhat,  qhat = 2 alpha E[f^2]
 *   V = 1/(lambda + Vhat),  m = mhat V,  q = (mhat^2 + qhat) V^2
 */
import { gaussHermite } from '../../src/numerics/gauss-hermite.ts';
import { log1pexp, sigmoid } from '../../src/numerics/special.ts';
import { truncatedGaussRule } from '../../src/numerics/truncated-gauss.ts';

/** State order as in the model file: x = [Vhat, mhat, qhat, V, m, q]. */
export function makeLogisticUpdate(alpha: number, lambda: number): (x: Float64Array, out: Float64Array) => void {
  const Z = truncatedGaussRule(0, Infinity, 40);
  const E = gaussHermite(48);
  return function update(x: Float64Array, out: Float64Array): void {
    const V = x[3];
    const m = x[4];
    const q = x[5];
    const s = Math.sqrt(Math.max(q - m * m, 1e-300));
    let a = 0; // E[(eta^2 - 1) mor]
    let b = 0; // E[z eta mor]
    let c = 0; // E[f^2]
    for (let i = 0; i < Z.nodes.length; i++) {
      const z = Z.nodes[i];
      const mz = m * z;
      let ai = 0;
      let bi = 0;
      let ci = 0;
      for (let j = 0; j < E.nodes.length; j++) {
        const eta = E.nodes[j];
        const omega = mz + s * eta;
        const reach = 2 * V * sigmoid(-omega) + 1e-12 * (1 + Math.abs(omega));
        const p = prox(omega, V, omega - reach, omega + reach);
        const d = p - omega;
        const mor = log1pexp(-p) + (d * d) / (2 * V);
        const w = E.weights[j];
        ai += w * (eta * eta - 1) * mor;
        bi += w * eta * mor;
        ci += w * (d / V) * (d / V);
      }
      a += Z.weights[i] * ai;
      b += Z.weights[i] * z * bi;
      c += Z.weights[i] * ci;
    }
    const Vhat = (2 * alpha * a) / (s * s);
    const mhat = (-2 * alpha * b) / s + m * Vhat;
    const qhat = 2 * alpha * c;
    const Vn = 1 / (lambda + Vhat);
    out[0] = Vhat;
    out[1] = mhat;
    out[2] = qhat;
    out[3] = Vn;
    out[4] = mhat * Vn;
    out[5] = (mhat * mhat + qhat) * Vn * Vn;
  };
}

/** numerics/roots.ts safeguardedNewton with a known sign change (g(a) < 0 < g(b)), for g(t) = (t - w)/V - sigmoid(-t). */
function prox(w: number, V: number, a: number, b: number): number {
  let z = 0.5 * (a + b);
  let step = b - a;
  let stepOld = step;
  for (let k = 0; k < 200; k++) {
    const sm = sigmoid(-z);
    const g = (z - w) / V - sm;
    if (g === 0) return z;
    if (g < 0) a = z;
    else b = z;
    const slope = 1 / V + sm * sigmoid(z);
    let next = z - g / slope;
    if (Math.abs(next - z) <= 1e-15 * (1 + Math.abs(z))) return next;
    if (!(next > a && next < b) || Math.abs(2 * g) > Math.abs(stepOld * slope)) next = 0.5 * (a + b);
    stepOld = step;
    step = Math.abs(next - z);
    if (b - a <= 1e-15 * (1 + Math.abs(z))) return next;
    z = next;
  }
  return z;
}
