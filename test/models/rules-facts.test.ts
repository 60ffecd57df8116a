import { describe, expect, it } from 'vitest';
import { H, ncdf, npdf } from '../../src/numerics/special.ts';
import { loadModel } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';

/**
 * The Rules-and-Facts models (equations/rules-facts-*.yaml) against references that share nothing with them:
 *  - square loss: kernel ridge regression from the Marchenko-Pastur law (an integral over the spectrum of X^T X/d);
 *  - eps = 0, mu1 = 1, mu_star = 0: hinge.yaml and logistic.yaml, derived and written independently;
 *  - every loss, eps > 0 and mu_star > 0: the fixed point checked against the textbook ERM equations (PRIMER: an
 *    integral over the student field omega = sqrt(q) xi, a sum over the labels weighted by their marginal
 *    Z0(y) = (1 - eps) H(-y omega0/sqrt V0) + eps/2), with the prox of the kernel learner computed by brute force:
 *    a nested one-dimensional minimisation over the field h and the sample's own offset c of
 *    loss(y (mu1 h + mu_star c)) + lambda c^2/2 + (h - omega)^2/(2V), no Moreau-envelope reduction, no Stein's lemma,
 *    V^ integrated by parts, Simpson quadrature;
 *  - capacity: Cover's 2 at eps = 1, Gardner's volume maximised over the teacher overlap R by a numerical integral,
 *    and the eps^(-1/3) divergence.
 */

const load = (name: string) => loadModel(`equations/${name}.yaml`);
const SQUARE = load('rules-facts-square');
const HINGE = load('rules-facts-hinge');
const LOGISTIC = load('rules-facts-logistic');
const CAPACITY = load('rules-facts-capacity');

type Values = Record<string, number>;
function at(model: ReturnType<typeof load>, params: Values): Values {
  const s = solve(model.problem(params), { maxIterations: 200_000 });
  expect(s.status, JSON.stringify(params)).toBe('converged');
  return { ...s.state, ...s.observables };
}
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** Composite Simpson on [a, b], n (even) intervals. */
function simpson(f: (x: number) => number, a: number, b: number, n: number): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

/** The zero of a nondecreasing function (a convex function's right derivative) by bracketing and bisection. */
function zeroOf(g: (x: number) => number, x0: number, width: number): number {
  let lo = x0 - width;
  let hi = x0 + width;
  while (g(lo) > 0) lo -= 2 * (hi - lo);
  while (g(hi) < 0) hi += 2 * (hi - lo);
  for (let k = 0; k < 80 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo)); k++) {
    const mid = 0.5 * (lo + hi);
    if (g(mid) < 0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Golden-section minimum of a unimodal function on [a, b]. */
function goldenMin(f: (x: number) => number, a: number, b: number): { x: number; f: number } {
  const r = (Math.sqrt(5) - 1) / 2;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let k = 0; k < 200 && b - a > 1e-13; k++) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - r * (b - a); fc = f(c); } else { a = c; c = d; fc = fd; d = a + r * (b - a); fd = f(d); }
  }
  const x = 0.5 * (a + b);
  return { x, f: f(x) };
}

describe('rules-facts-square: kernel ridge regression from the Marchenko-Pastur law', () => {
  /**
   * With the square loss the kernel learner is kernel ridge regression, f = K (K + lambda)^-1 y, whose w-part is
   * ridge regression of y/mu1 on x with the penalty lr = (lambda + mu_star^2)/mu1^2:
   * w = (S + lr)^-1 X^T y/(mu1 sqrt d), S = X^T X/d. The labels are y = c z + e with c = E[y z] = (1 - eps) sqrt(2/pi)
   * and e uncorrelated with z, of variance 1 - c^2 (Gaussian equivalence of ridge), so over the spectrum mu of S:
   *   m = (c/mu1) int s/(s + lr) dmu,  q = (c/mu1)^2 int s^2/(s + lr)^2 dmu + ((1 - c^2)/mu1^2) int s/(s + lr)^2 dmu,
   *   V = ((1 + mu_star^2/lambda)/mu1^2) int 1/(s + lr) dmu (the response of w to its effective loss).
   * mu: alpha times the Marchenko-Pastur law of ratio 1/alpha, with an atom 1 - alpha at 0 when alpha < 1.
   */
  function spectral(alpha: number, f: (s: number) => number): number {
    const g = 1 / alpha;
    const a = (1 - Math.sqrt(g)) ** 2;
    const b = (1 + Math.sqrt(g)) ** 2;
    const c0 = (a + b) / 2;
    const r = (b - a) / 2;
    // lambda = c0 + r cos(theta) takes the square-root edges away: the integrand is smooth and periodic
    const bulk = simpson((th) => {
      const l = c0 + r * Math.cos(th);
      return (f(alpha * l) * r * r * Math.sin(th) ** 2) / (2 * Math.PI * g * l);
    }, 0, Math.PI, 2000);
    return bulk + (alpha < 1 ? (1 - alpha) * f(0) : 0);
  }

  it('the spectral measure has mass 1 and mean alpha (E S = alpha I)', () => {
    for (const alpha of [0.4, 1.7, 5]) {
      expect(spectral(alpha, () => 1)).toBeCloseTo(1, 12);
      expect(spectral(alpha, (s) => s)).toBeCloseTo(alpha, 11);
    }
  });

  const cases: Values[] = [
    { alpha: 2, eps: 0.2, lambda: 0.1, mu1: 1, mu_star: 0 },
    { alpha: 0.6, eps: 0.5, lambda: 0.3, mu1: 1, mu_star: 0 },
    { alpha: 3, eps: 0.3, lambda: 0.05, mu1: 0.8, mu_star: 0.5 },
    { alpha: 1.2, eps: 0, lambda: 1e-3, mu1: 1.5, mu_star: 0.2 },
    { alpha: 4, eps: 1, lambda: 0.5, mu1: 1, mu_star: 1 },
  ];
  it.each(cases)('m, q, V at %o', (p) => {
    const s = at(SQUARE, p);
    const c = (1 - p.eps) * Math.sqrt(2 / Math.PI);
    const lr = (p.lambda + p.mu_star ** 2) / p.mu1 ** 2;
    const m = (c / p.mu1) * spectral(p.alpha, (x) => x / (x + lr));
    const q = (c / p.mu1) ** 2 * spectral(p.alpha, (x) => (x / (x + lr)) ** 2) + ((1 - c * c) / p.mu1 ** 2) * spectral(p.alpha, (x) => x / (x + lr) ** 2);
    const V = ((1 + (p.mu_star > 0 ? p.mu_star ** 2 / p.lambda : 0)) / p.mu1 ** 2) * spectral(p.alpha, (x) => 1 / (x + lr));
    expect(Math.abs(s.m - m)).toBeLessThan(1e-10);
    expect(rel(s.q, q)).toBeLessThan(1e-10);
    expect(rel(s.V, V)).toBeLessThan(1e-10);
    if (p.eps < 1) expect(rel(s.gen_error, Math.acos(m / Math.sqrt(q)) / Math.PI)).toBeLessThan(1e-9);
    else expect(s.gen_error).toBeCloseTo(0.5, 12); // facts only: nothing is learned of the rule
  });
});

describe('eps = 0, mu1 = 1, mu_star = 0: the sign-teacher ERM models', () => {
  const HINGE0 = load('hinge');
  const LOGISTIC0 = load('logistic');
  it.each([[0.5, 0.1], [2, 0.1], [2, 1e-2], [6, 0.05]])('hinge.yaml at alpha = %f, lambda = %f', (alpha, lambda) => {
    const a = at(HINGE, { alpha, lambda, eps: 0 });
    const b = at(HINGE0, { alpha, lambda });
    for (const k of ['m', 'q', 'V', 'gen_error', 'train_loss', 'train_error']) expect(rel(a[k], b[k]), k).toBeLessThan(1e-9);
    expect(a.train_error_rules).toBeCloseTo(b.train_error, 12);
  });
  it.each([[0.5, 0.1], [2, 0.1], [5, 1e-2]])('logistic.yaml at alpha = %f, lambda = %f', (alpha, lambda) => {
    const a = at(LOGISTIC, { alpha, lambda, eps: 0 });
    const b = at(LOGISTIC0, { alpha, lambda });
    for (const k of ['m', 'q', 'V', 'gen_error', 'train_loss', 'train_error']) expect(rel(a[k], b[k]), k).toBeLessThan(1e-8);
  }, 60_000);
});

describe('mu_star = 0: mu1 only rescales the penalty (w\' = mu1 w solves the problem at lambda/mu1^2)', () => {
  it.each([['square', SQUARE], ['hinge', HINGE], ['logistic', LOGISTIC]] as const)('%s', (_, model) => {
    const mu1 = 0.6;
    const a = at(model, { alpha: 2, eps: 0.25, lambda: 0.05, mu1, mu_star: 0 });
    const b = at(model, { alpha: 2, eps: 0.25, lambda: 0.05 / mu1 ** 2, mu1: 1, mu_star: 0 });
    expect(rel(mu1 * a.m, b.m)).toBeLessThan(1e-8);
    expect(rel(mu1 ** 2 * a.q, b.q)).toBeLessThan(1e-8);
    for (const k of ['gen_error', 'train_error_rules', 'train_error_facts', 'train_loss']) expect(rel(a[k], b[k]), k).toBeLessThan(1e-7);
  }, 60_000);
});

describe('the fixed point solves the textbook ERM equations with a brute-force kernel prox', () => {
  type Loss = { value: (t: number) => number; slope: (t: number) => number };
  const LOSSES: Record<string, Loss> = {
    square: { value: (t) => 0.5 * (1 - t) ** 2, slope: (t) => t - 1 },
    // the right derivative at the kink
    hinge: { value: (t) => Math.max(0, 1 - t), slope: (t) => (t < 1 ? -1 : 0) },
    logistic: { value: (t) => Math.log1p(Math.exp(-t)), slope: (t) => -1 / (1 + Math.exp(t)) },
  };

  /**
   * argmin over h of [min over c of loss(y (mu1 h + mu_star c)) + lambda c^2/2] + (h - omega)^2/(2V), and the
   * training prediction u = mu1 h + mu_star c at the minimiser. The derivative of the inner minimum in h is
   * mu1 y loss'(y u) (mu_star = 0) or -mu1 lambda c/mu_star (the envelope theorem).
   */
  function kernelProx(loss: Loss, p: Values, y: number, omega: number, V: number): { h: number; u: number } {
    const { mu1, mu_star: ms, lambda } = p;
    const inner = (h: number) => {
      if (ms === 0) return { u: mu1 * h, dh: mu1 * y * loss.slope(y * mu1 * h) };
      const c = zeroOf((c) => y * ms * loss.slope(y * (mu1 * h + ms * c)) + lambda * c, 0, 1 + ms / lambda);
      return { u: mu1 * h + ms * c, dh: (-mu1 * lambda * c) / ms };
    };
    const h = zeroOf((h) => inner(h).dh + (h - omega) / V, omega, 1 + V);
    return { h, u: inner(h).u };
  }

  function textbook(name: string, p: Values, s: Values) {
    const loss = LOSSES[name];
    const { m, q, V } = s;
    const sq = Math.sqrt(q);
    const V0 = 1 - (m * m) / q;
    const fout = (y: number, w: number) => (kernelProx(loss, p, y, w, V).h - w) / V;
    const N = 4000;
    const hats = [0, 0, 0]; // mhat, qhat, Vhat
    for (const y of [-1, 1]) {
      const part = (k: number) => simpson((xi) => {
        const w = sq * xi;
        const w0 = (m / sq) * xi;
        const Z = (1 - p.eps) * H((-y * w0) / Math.sqrt(V0)) + p.eps / 2;
        const dZ = ((1 - p.eps) * y * npdf(w0 / Math.sqrt(V0))) / Math.sqrt(V0);
        if (k === 0) return npdf(xi) * dZ * fout(y, w);
        if (k === 1) return npdf(xi) * Z * fout(y, w) ** 2;
        // -E[Z df_out/domega], integrated by parts in xi (f_out is continuous, its derivative need not be)
        return (npdf(xi) * fout(y, w) * ((m / sq) * dZ - xi * Z)) / sq;
      }, -10, 10, N);
      for (let k = 0; k < 3; k++) hats[k] += p.alpha * part(k);
    }
    const [mhat, qhat, Vhat] = hats;
    // the prediction of a y = +1 sample is negative below omega_c (and by symmetry for y = -1 above -omega_c)
    const wc = zeroOf((w) => kernelProx(loss, p, 1, w, V).u, 0, 1 + V);
    const xc = wc / sq;
    return {
      V: 1 / (p.lambda + Vhat), m: mhat / (p.lambda + Vhat), q: (mhat * mhat + qhat) / (p.lambda + Vhat) ** 2,
      train_error_facts: ncdf(xc),
      train_error_rules: 2 * simpson((xi) => npdf(xi) * H((-(m / sq) * xi) / Math.sqrt(V0)), Math.min(-12, xc - 1), xc, 4000),
    };
  }

  const cases: [string, Values][] = [
    ['square', { alpha: 2, eps: 0.3, lambda: 1, mu1: 1, mu_star: 0.5 }],
    ['hinge', { alpha: 2, eps: 0.2, lambda: 0.1, mu1: 1, mu_star: 0 }],
    ['hinge', { alpha: 3, eps: 0.3, lambda: 0.5, mu1: 0.8, mu_star: 0.5 }],
    ['hinge', { alpha: 0.7, eps: 0.5, lambda: 0.05, mu1: 1.2, mu_star: 0.3 }],
    ['logistic', { alpha: 2, eps: 0.2, lambda: 0.1, mu1: 1, mu_star: 0 }],
    ['logistic', { alpha: 3, eps: 0.3, lambda: 0.5, mu1: 0.8, mu_star: 0.5 }],
  ];
  const MODELS: Record<string, ReturnType<typeof load>> = { square: SQUARE, hinge: HINGE, logistic: LOGISTIC };
  it.each(cases)('%s at %o', (name, p) => {
    const s = at(MODELS[name], p);
    const t = textbook(name, p, s);
    // the reference's own error: Simpson across the kinks of the hinge f_out (h = 0.005) is O(h^2), ~1e-6 here;
    // smooth integrands (square, logistic) agree to rounding
    const tol = name === 'hinge' ? 5e-6 : 1e-10;
    expect(rel(t.V, s.V), 'V').toBeLessThan(tol);
    expect(rel(t.m, s.m), 'm').toBeLessThan(tol);
    expect(rel(t.q, s.q), 'q').toBeLessThan(tol);
    expect(Math.abs(t.train_error_facts - s.train_error_facts), 'train_error_facts').toBeLessThan(1e-11 + 1e-9 * s.train_error_facts);
    expect(Math.abs(t.train_error_rules - s.train_error_rules), 'train_error_rules').toBeLessThan(1e-11 + 1e-9 * s.train_error_rules);
    expect(s.train_error).toBeCloseTo((1 - p.eps) * s.train_error_rules + p.eps * s.train_error_facts, 12);
  }, 120_000);
});

describe('rules-facts-capacity: linear separability with a fraction eps of facts', () => {
  const alphaSep = (eps: number) => {
    const s = solve(CAPACITY.problem({ eps }));
    expect(s.status).toBe('converged');
    return { ...s.state, ...s.observables };
  };

  it('eps = 1 (random labels only) is Cover\'s capacity 2, reached by a direction orthogonal to the teacher', () => {
    const s = alphaSep(1);
    expect(Math.abs(s.alpha_sep - 2)).toBeLessThan(1e-12);
    expect(s.R).toBe(0);
  });

  /**
   * Gardner's volume of the directions R w* + sqrt(1 - R^2) w_perp that separate the data vanishes at
   * 1/alpha = min over R of E[max(0, -y h)^2]/(1 - R^2), h = R z + sqrt(1 - R^2) xi: here the inner Gaussian integral
   * over xi is closed (E max(0, a - xi)^2 = (1 + a^2) ncdf(a) + a npdf(a)), the one over z numerical (Simpson), and
   * the minimum over R golden-section: no closed form in atan, no stationarity condition.
   */
  function gardner(eps: number): { alpha: number; R: number } {
    const ramp2 = (a: number) => (1 + a * a) * ncdf(a) + a * npdf(a);
    const cost = (R: number) => {
      const k = Math.sqrt(1 - R * R);
      // -y h < 0 ... E over xi of max(0, -y R z - k xi)^2 = k^2 ramp2(-y R z / k)
      const g = (z: number, yz: number) => k * k * ramp2((-R * yz) / k) * npdf(z);
      const rules = simpson((z) => g(z, Math.abs(z)), -12, 12, 4000);
      const facts = simpson((z) => 0.5 * (g(z, z) + g(z, -z)), -12, 12, 4000);
      return ((1 - eps) * rules + eps * facts) / (1 - R * R);
    };
    const best = goldenMin(cost, 0, 1 - 1e-9);
    return { alpha: 1 / best.f, R: best.x };
  }

  it.each([0.9, 0.5, 0.2, 0.05, 0.01])('eps = %f: Gardner\'s volume, maximised numerically over R', (eps) => {
    const s = alphaSep(eps);
    const g = gardner(eps);
    expect(rel(s.alpha_sep, g.alpha)).toBeLessThan(1e-9);
    expect(Math.abs(s.R - g.R)).toBeLessThan(1e-5); // a minimiser is found to the square root of the precision
  });

  it('agrees with rules-facts-hinge as lambda -> 0: the max-margin SVM fits every label just below alpha_sep, not above, and its direction tends to the last separating one', () => {
    const cap = alphaSep(0.5);
    const below = at(HINGE, { alpha: 0.99 * cap.alpha_sep, eps: 0.5, lambda: 1e-6 });
    const above = at(HINGE, { alpha: 1.01 * cap.alpha_sep, eps: 0.5, lambda: 1e-6 });
    expect(below.train_error).toBeLessThan(1e-12);
    expect(above.train_error).toBeGreaterThan(1e-3);
    expect(Math.abs(below.gen_error - cap.gen_error)).toBeLessThan(1e-3);
  }, 60_000);

  it('alpha_sep grows as eps decreases and diverges like (2/3)(3 pi/2)^(2/3) eps^(-1/3); eps = 0 is not finite', () => {
    let last = 2;
    for (const eps of [0.8, 0.4, 0.1, 1e-2, 1e-3]) {
      const a = alphaSep(eps).alpha_sep;
      expect(a).toBeGreaterThan(last);
      last = a;
    }
    const C = (2 / 3) * (1.5 * Math.PI) ** (2 / 3);
    for (const eps of [1e-6, 1e-8]) expect(rel(alphaSep(eps).alpha_sep * eps ** (1 / 3), C)).toBeLessThan(3 * eps ** (1 / 3));
    const s = solve(CAPACITY.problem({ eps: 0 }));
    expect(s.status).toBe('non-finite');
  });
});
