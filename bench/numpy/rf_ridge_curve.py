"""The baseline of `rf_curve_100_*` (bench/rf-curve.bench.ts): the 100-point double-descent curve of
equations/rf-ridge.yaml (erf features, alpha = 2, lambda = 1e-3, Delta = 0.1, kappa = p/d from 0.1 to 10) from the
Marchenko-Pastur closed form, written in numpy the way a careful numpy user would write it.

    python3 bench/numpy/rf_ridge_curve.py            # CSV on stdout: kappa,test_error,m,q
                                                     # then a line "# wall_s=..." (whole script, imports included)

The closed form is the deterministic equivalent of ridge regression on the Gaussian-equivalent features (Mei and
Montanari 2022; Bach 2023), the one test/models/rf-ridge.test.ts checks the model against: feature covariance
eigenvalues omega(s) = mu1^2 s + mu*^2 with s ~ Marchenko-Pastur(kappa), every spectral average through the
Stieltjes transform of the MP law (no quadrature); with ap = n/p = alpha/kappa the effective regularisation kt
solves kt (1 - E[omega/(omega + kt)]/ap) = lambda/ap, df2 = E[omega^2/(omega + kt)^2]/ap, and
test_error = sigma^2 + (B + sigma^2 df2)/(1 - df2), sigma^2 = 1 + Delta - kappa E[mu1^2 s/omega],
B = kappa kt^2 E[mu1^2 s/(omega (omega + kt)^2)], m = kappa E[mu1^2 s/(omega + kt)], q = test_error - 1 - Delta + 2m.

What is vectorised: every kappa at once. The root kt is found by bisection on log kt over the bracket the test
uses, all 100 curves' brackets halved together, to 1e-15 relative (60 halvings of a bracket of width < 2^7 in log).
mu1^2 = 4/(3 pi) and mu*^2 = (2/pi) asin(2/3) - 4/(3 pi) for erf, in closed form.
"""
import time

T0 = time.perf_counter()

import os  # noqa: E402

# 100-element arrays: BLAS threads would only add hand-offs.
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
os.environ.setdefault('OMP_NUM_THREADS', '1')

import numpy as np  # noqa: E402

ALPHA, LAMBDA, DELTA = 2.0, 1e-3, 0.1
KAPPAS = np.linspace(0.1, 10, 100)
MU = 4 / (3 * np.pi)  # mu1^2 of erf
NU = (2 / np.pi) * np.arcsin(2 / 3) - MU  # mu*^2 of erf


def stieltjes(g, c):
    """G(c) = E[1/(s + c)] and H(c) = E[1/(s + c)^2] for s ~ MP(g) (its atom at 0 included), elementwise."""
    r = np.sqrt((c + 1 + g) ** 2 - 4 * g)
    n = r - (1 - g + c)
    dn = (c + 1 + g) / r - 1
    return n / (2 * g * c), -(dn * c - n) / (2 * g * c * c)


def curve(kappa):
    ap = ALPHA / kappa

    def e12(x):  # E[1/(omega + x)], E[1/(omega + x)^2]
        G, H = stieltjes(kappa, (NU + x) / MU)
        return G / MU, H / (MU * MU)

    def f(kt):
        return kt * (1 - (1 - kt * e12(kt)[0]) / ap) - LAMBDA / ap

    lo = np.log(LAMBDA / ap) - 1
    hi = np.log(LAMBDA / ap + 10)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        below = f(np.exp(mid)) < 0
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    kt = np.exp(0.5 * (lo + hi))
    E1, E2 = e12(kt)
    E10 = e12(0.0)[0]
    df2 = (1 - 2 * kt * E1 + kt * kt * E2) / ap
    sigma2 = 1 + DELTA - kappa * (1 - NU * E10)
    inner = (E10 - E1) / (kt * kt) - E2 / kt  # E[1/(omega (omega + kt)^2)], partial fractions
    B = kappa * kt * kt * (E2 - NU * inner)
    test = sigma2 + (B + sigma2 * df2) / (1 - df2)
    m = kappa * (1 - (NU + kt) * E1)
    return test, m, test - 1 - DELTA + 2 * m


test, m, q = curve(KAPPAS)
lines = ['kappa,test_error,m,q'] + [f'{k!r},{t!r},{a!r},{b!r}' for k, t, a, b in zip(KAPPAS.tolist(), test.tolist(), m.tolist(), q.tolist())]
print('\n'.join(lines))
print(f'# wall_s={time.perf_counter() - T0:.4f}')
