/**
 * Independent references for the thresholds of the zoo, written from the papers' definitions (not from the model
 * files): plain trapezoid rules (exponentially accurate for smooth integrands decaying like a Gaussian), bisection
 * and golden-section search.
 */
import { H, logH, mills, npdf } from '../../src/numerics/special.ts';

/** Trapezoid rule of f against the standard normal density on [-14, 14], step h. */
export function gauss(f: (xi: number) => number, h = 0.01): number {
  let acc = 0;
  for (let xi = -14; xi <= 14 + 1e-12; xi += h) acc += npdf(xi) * f(xi);
  return acc * h;
}

export function bisect(f: (x: number) => number, lo: number, hi: number, iterations = 100): number {
  const slo = Math.sign(f(lo));
  for (let k = 0; k < iterations; k++) {
    const mid = (lo + hi) / 2;
    if (Math.sign(f(mid)) === slo) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The maximiser of a unimodal f on [a, b] (golden section). */
export function argmax(f: (x: number) => number, a: number, b: number, tol = 1e-12): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tol) {
    if (fc > fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = f(c); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = f(d); }
  }
  return (a + b) / 2;
}

/**
 * Gardner (1988), eq. (40): the capacity of the spherical perceptron with margin kappa,
 * alpha_c(kappa) = 1 / int_{-kappa}^inf Dt (t + kappa)^2 = 1 / ((1 + kappa^2) Phi(kappa) + kappa N(kappa)).
 */
export const gardnerCapacity = (kappa: number) => 1 / ((1 + kappa * kappa) * H(-kappa) + kappa * npdf(kappa));

/**
 * Bayes-optimal perceptron with a Rademacher teacher and the noiseless sign channel (Gyorgyi 1990; Barbier et al.,
 * PNAS 2019), on the Nishimori line (PRIMER): with u = sqrt(q/(1 - q)) xi,
 *   qhat = alpha K(q),  K(q) = E_xi N(u) (mills(u) + mills(-u)) / (1 - q)   (sum over y = +-1 of Zout gout^2),
 *   q = f(qhat) = E_xi tanh(qhat + sqrt(qhat) xi),
 *   Phi = E_xi log cosh(qhat + sqrt(qhat) xi) - qhat/2 + alpha 2 E_xi H(u) log H(u) - q qhat/2,
 * and perfect recovery q = 1 has Phi = -log 2. Along the fixed points alpha(q) = f^-1(q)/K(q); the branch from
 * q ~ 0 ends at the first local maximum of alpha(q) (alpha_alg, a saddle-node); alpha_IT is where the free entropy
 * of that branch falls to that of perfect recovery.
 */
export function binaryPerceptron(): { alphaAlg: number; alphaIT: number } {
  const K = (q: number) => gauss((xi) => {
    const u = Math.sqrt(q / (1 - q)) * xi;
    return npdf(u) * (mills(u) + mills(-u));
  }) / (1 - q);
  const f = (qhat: number) => gauss((xi) => Math.tanh(qhat + Math.sqrt(qhat) * xi));
  const finv = (q: number) => bisect((qh) => f(qh) - q, 1e-12, 50, 80);
  const alpha = (q: number) => finv(q) / K(q);
  const qAlg = argmax(alpha, 0.05, 0.9, 1e-9);
  const logCosh = (x: number) => Math.abs(x) + Math.log1p(Math.exp(-2 * Math.abs(x))) - Math.LN2;
  const phi = (q: number) => {
    const qh = finv(q);
    const a = alpha(q);
    const psiW = gauss((xi) => logCosh(qh + Math.sqrt(qh) * xi)) - qh / 2;
    const psiOut = 2 * gauss((xi) => {
      const u = Math.sqrt(q / (1 - q)) * xi;
      return H(u) * logH(u);
    });
    return { a, value: psiW + a * psiOut - (q * qh) / 2 };
  };
  const qIT = bisect((q) => phi(q).value + Math.LN2, 0.01, qAlg, 50);
  return { alphaAlg: alpha(qAlg), alphaIT: phi(qIT).a };
}

/**
 * The Donoho-Tanner transition of noiseless ell-1 recovery through the minimax soft-thresholding MSE (Donoho,
 * Maleki, Montanari, PNAS 106, 18914 (2009)): alpha_DT(eps) = min_t [eps (1 + t^2) + (1 - eps) 2 psi(t)],
 * psi(t) = (1 + t^2) H(t) - t N(t); rho_DT(alpha) its inverse in eps.
 */
export function rhoDT(alpha: number): number {
  const psi = (t: number) => (1 + t * t) * H(t) - t * npdf(t);
  const alphaDT = (eps: number) => {
    const M = (t: number) => eps * (1 + t * t) + (1 - eps) * 2 * psi(t);
    return M(argmax((t) => -M(t), 0, 10));
  };
  return bisect((eps) => alphaDT(eps) - alpha, 1e-6, alpha - 1e-9);
}

/**
 * Noiseless compressed sensing, Bayes-optimal, Gauss-Bernoulli prior (w* = 0 w.p. 1 - rho, else N(0, 1/rho)):
 * on the Nishimori line qhat = alpha/(1 - q) and q = E[fa(B)^2], B = qhat w* + sqrt(qhat) xi,
 * fa = pi1 B/(rho + qhat), pi1 = sigmoid(B^2/(2(rho + qhat)) - log(1 + qhat/rho)/2 + log(rho/(1 - rho)))
 * (Krzakala et al., PRX 2012). Along the fixed points alpha = qhat (1 - q(qhat)); AMP's branch from q = 0 ends at
 * its first local maximum: alpha_alg.
 */
export function csAlphaAlg(rho: number): number {
  const q = (qhat: number) => {
    let total = 0;
    for (const [p, v] of [[1 - rho, qhat], [rho, qhat * (1 + qhat / rho)]]) {
      const s = Math.sqrt(v);
      let acc = 0;
      for (let u = -12; u <= 12 + 1e-12; u += 0.004) {
        const B = s * u;
        const pi1 = 1 / (1 + Math.exp(-(B * B / (2 * (rho + qhat)) - Math.log1p(qhat / rho) / 2 + Math.log(rho / (1 - rho)))));
        acc += npdf(u) * (pi1 * B / (rho + qhat)) ** 2;
      }
      total += p * acc * 0.004;
    }
    return total;
  };
  const alpha = (qhat: number) => qhat * (1 - q(qhat));
  const qs = Array.from({ length: 200 }, (_, k) => 1e-2 * 1e4 ** (k / 199));
  const as = qs.map(alpha);
  const k0 = as.findIndex((a, k) => k > 0 && k + 1 < as.length && a > as[k - 1] && a >= as[k + 1]);
  return alpha(argmax(alpha, qs[k0 - 1], qs[k0 + 1], 1e-10));
}
