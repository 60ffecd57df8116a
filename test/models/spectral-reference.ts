/**
 * Independent reference: the same self-consistent equation (Cui et al. 2021) summed directly over the first K modes,
 * K = 4e6, in a plain loop, with the modes beyond K (where lambda_k << kappa) by the leading terms of the expansion
 * in lambda_k/kappa integrated from K + 1/2 (each omitted term is below 1e-12 of the total), and kappa by
 * bisection on log kappa. Nothing of saddle's quadrature (its 1000 exact modes and Euler-Maclaurin panels) is used.
 */
export function directSum(n: number, a: number, r: number, sigma2: number, lambda: number) {
  const K = 4_000_000;
  const lam = new Float64Array(K);
  const teacher = new Float64Array(K);
  for (let k = 1; k <= K; k++) { lam[k - 1] = k ** -a; teacher[k - 1] = k ** -(1 + 2 * a * r); }
  const k0 = K + 0.5;
  const tail = (p: number) => k0 ** (1 - p) / (p - 1); // int_{K+1/2}^inf k^-p dk
  const dofs = (kappa: number) => {
    let s = 0;
    for (let i = 0; i < K; i++) s += lam[i] / (lam[i] + kappa);
    return s + tail(a) / kappa - tail(2 * a) / kappa ** 2;
  };
  // kappa > lambda, and kappa ~ n^-a: 0.01 n^-a is below it, and far above lambda_K, where the tail expansion holds.
  const kappa = effectiveRegularisation(dofs, n, lambda, lambda + 0.01 * n ** -a, 2 * (lambda + 2 / n), 64);
  let df2 = 0;
  let b = 0;
  for (let i = 0; i < K; i++) { df2 += (lam[i] / (lam[i] + kappa)) ** 2; b += teacher[i] / (lam[i] + kappa) ** 2; }
  df2 += tail(2 * a) / kappa ** 2;
  b += tail(1 + 2 * a * r) / kappa ** 2 - (2 * tail(1 + 2 * a * r + a)) / kappa ** 3;
  const bias = (kappa ** 2 * b) / (1 - df2 / n);
  const variance = (sigma2 * df2) / n / (1 - df2 / n);
  return { kappa, bias, variance, excess: bias + variance };
}

/**
 * The deterministic equivalent of ridge on a finite spectrum given as arrays (eigenvalues omega_i, teacher powers
 * t_i = omega_i beta*_i^2), in the per-sample convention (penalty lambda against the mean loss): kappa by bisection
 * on log kappa, then the excess risk (kappa^2 sum t/(omega + kappa)^2 + sigma2 df2/n) / (1 - df2/n).
 */
export function finiteSpectrum(omega: Float64Array, t: Float64Array, n: number, sigma2: number, lambda: number) {
  const dofs = (kappa: number) => { let s = 0; for (let i = 0; i < omega.length; i++) s += omega[i] / (omega[i] + kappa); return s; };
  let trace = 0;
  for (const w of omega) trace += w;
  // g(kappa) = 1 - lambda/kappa - dofs/n increases; for n < p with lambda = 0 the root is the interpolating kappa > 0
  const kappa = effectiveRegularisation(dofs, n, lambda, lambda + 1e-300, 2 * (lambda + trace / n), 200);
  let df2 = 0;
  let b = 0;
  for (let i = 0; i < omega.length; i++) { df2 += (omega[i] / (omega[i] + kappa)) ** 2; b += t[i] / (omega[i] + kappa) ** 2; }
  return { kappa, excess: (kappa ** 2 * b + (sigma2 * df2) / n) / (1 - df2 / n) };
}

/** The root kappa of 1 - lambda/kappa - dofs(kappa)/n (increasing in kappa) by bisection on log kappa over [lo, hi]. */
function effectiveRegularisation(dofs: (kappa: number) => number, n: number, lambda: number, lo: number, hi: number, halvings: number): number {
  let [a, b] = [Math.log(lo), Math.log(hi)];
  for (let it = 0; it < halvings; it++) {
    const mid = (a + b) / 2;
    const kappa = Math.exp(mid);
    if (1 - lambda / kappa - dofs(kappa) / n < 0) a = mid; else b = mid;
  }
  return Math.exp((a + b) / 2);
}
