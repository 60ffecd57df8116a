"""The baseline of `logistic_curve_100_*` (bench/startup.bench.ts): the 100-point logistic curve of
equations/logistic.yaml written in numpy the way a careful numpy user would write it.

    python3 bench/numpy/logistic_curve.py            # CSV on stdout: alpha,m,q,V,gen_error,train_loss,iterations,status
                                                     # then a line "# wall_s=..." (whole script, imports included)

The equations are those of the model file, node for node:
  z > 0 (y = +1; the other half by the symmetry (z, eta, y) -> -(z, eta, y), hence the factors 2): a 40-node
  Gauss rule of the half-normal weight N(t) on [0, inf); eta: 48-node probabilists' Gauss-Hermite.
  s = sqrt(max(q - m^2, 1e-300)), omega = m z + s eta, p = prox of V log(1 + e^-p) at omega,
  mor = log(1 + e^-p) + (p - omega)^2 / (2 V) (Moreau envelope), f = (p - omega) / V;
  Vhat = 2 alpha E[(eta^2 - 1) mor] / s^2, mhat = -2 alpha E[z eta mor] / s + m Vhat (Stein's lemma forms),
  qhat = 2 alpha E[f^2], V = 1 / (lambda + Vhat), m = mhat / (lambda + Vhat), q = (mhat^2 + qhat) / (lambda + Vhat)^2.
  gen_error = acos(m / sqrt q) / pi, train_loss = 2 E[log(1 + e^-p)].

What is vectorised: everything inside one update is array code over the 40 x 48 = 1920 nodes at once. The prox
is a safeguarded Newton (rtsafe, Numerical Recipes 9.4; the same bracket, start, step rule and stopping rule as
saddle's numerics/roots.ts) run on all nodes together; nodes that have converged drop out of the working set,
so each Newton step only touches the nodes still moving. The outer loop is the fixed-point iteration of the
model file (the Gauss-Seidel order: hats from (V, m, q), then (V, m, q) from the hats) with Anderson(3)
acceleration on (V, m, q), stopped when every entry of the undamped residual satisfies
|F(x) - x| <= 1e-12 + 1e-10 |x| (the model's tol), and warm-started along alpha = linspace(0.1, 10, 100) at
lambda = 1e-3 (each point starts from its neighbour's fixed point). Special functions from scipy.special
(expit, log_expit), so nothing overflows for |omega| in the hundreds.

The half-normal Gauss rule is built as saddle's numerics/truncated-gauss.ts builds it (discretised Stieltjes
in its Lanczos form, Gautschi): the weight N(t) on [0, 12] (e^-72 of the peak cut off) discretised by 400-node
Gauss-Legendre, Lanczos with full reorthogonalisation for the Jacobi matrix, then Golub-Welsch (the nodes are
its eigenvalues, the weights the mass times the squared first components of its eigenvectors).
"""
import time

T0 = time.perf_counter()

import os  # noqa: E402
import sys  # noqa: E402

# The arrays are small (1920 nodes): OpenBLAS's thread pool only adds hand-offs (measured 1.4x slower on 2 cores).
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
os.environ.setdefault('OMP_NUM_THREADS', '1')

import numpy as np  # noqa: E402
from scipy.linalg import eigh_tridiagonal  # noqa: E402
from scipy.special import expit, log_expit  # noqa: E402

LAMBDA = 1e-3
ALPHAS = np.linspace(0.1, 10, 100)
RTOL, ATOL = 1e-10, 1e-12  # the model's solver.tol; saddle's absolute floor
MAX_ITERATIONS = 10_000
ANDERSON = 3
NEWTON_XTOL = 1e-15
NEWTON_MAX = 200


def half_normal_rule(n, fine=400, cut=72.0):
    """n-node Gauss rule for the integral over [0, inf) of N(t) f(t) (weights sum to 1/2)."""
    x, w = np.polynomial.legendre.leggauss(fine)
    upper = np.sqrt(2 * cut)
    t = 0.5 * upper * (1 + x)
    wt = 0.5 * upper * w * np.exp(-0.5 * t * t) / np.sqrt(2 * np.pi)
    mass = wt.sum()
    # Lanczos on diag(t) from sqrt(wt / mass), centred and scaled so the coefficients are O(1).
    c, h = 0.5 * (t[0] + t[-1]), 0.5 * (t[-1] - t[0])
    u = (t - c) / h
    Q = np.zeros((n, fine))
    a = np.zeros(n)
    b = np.zeros(n - 1)
    v = np.sqrt(wt / mass)
    for k in range(n):
        Q[k] = v
        a[k] = np.dot(u * v, v)
        if k == n - 1:
            break
        r = (u - a[k]) * v - (b[k - 1] * Q[k - 1] if k > 0 else 0)
        for _ in range(2):  # full reorthogonalisation, twice
            r -= Q[: k + 1].T @ (Q[: k + 1] @ r)
        b[k] = np.linalg.norm(r)
        v = r / b[k]
    nodes, vecs = eigh_tridiagonal(a, b)
    return c + h * nodes, mass * vecs[0] ** 2


def gauss_hermite(n):
    x, w = np.polynomial.hermite_e.hermegauss(n)
    return x, w / np.sqrt(2 * np.pi)


Z, WZ = half_normal_rule(40)
ETA, WETA = gauss_hermite(48)
ZZ = np.repeat(Z, ETA.size)  # flat 1920-node grid, z-major
EE = np.tile(ETA, Z.size)
W = np.repeat(WZ, ETA.size) * np.tile(WETA, Z.size)  # product weights
W_VHAT = W * (EE * EE - 1)
W_MHAT = W * ZZ * EE


def prox(omega, V):
    """argmin_p log(1 + e^-p) + (p - omega)^2 / (2 V) at every node: the root of g(p) = (p - omega)/V - expit(-p),
    bracketed by omega -+ (2 V expit(-omega) + 1e-12 (1 + |omega|)), safeguarded Newton from the midpoint."""
    reach = 2 * V * expit(-omega) + 1e-12 * (1 + np.abs(omega))
    a = omega - reach  # g(a) < 0 < g(b)
    b = omega + reach
    z = 0.5 * (a + b)
    step = b - a
    step_old = step.copy()
    w = omega
    out = np.empty_like(omega)
    idx = np.arange(omega.size)  # the nodes still iterating
    for _ in range(NEWTON_MAX):
        sm = expit(-z)
        g = (z - w) / V - sm
        neg = g < 0
        a = np.where(neg, z, a)
        b = np.where(neg, b, z)
        slope = 1 / V + sm * (1 - sm)
        nxt = z - g / slope
        tol = NEWTON_XTOL * (1 + np.abs(z))
        bisect = ~((nxt > a) & (nxt < b)) | (np.abs(2 * g) > np.abs(step_old * slope))
        done = (np.abs(nxt - z) <= tol) | (g == 0)
        nxt = np.where(bisect & ~done, 0.5 * (a + b), nxt)
        nxt = np.where(g == 0, z, nxt)
        done |= b - a <= tol
        step_old = step
        step = np.abs(nxt - z)
        if done.any():
            out[idx[done]] = nxt[done]
            keep = ~done
            if not keep.any():
                return out
            idx, z, a, b, w, step, step_old, nxt = (v[keep] for v in (idx, z, a, b, w, step, step_old, nxt))
        z = nxt
    out[idx] = z
    return out


def update(x, alpha):
    """One Gauss-Seidel sweep of the model's updates: x = [Vhat, mhat, qhat, V, m, q] -> F(x)."""
    V, m, q = x[3], x[4], x[5]
    s = np.sqrt(max(q - m * m, 1e-300))
    omega = m * ZZ + s * EE
    p = prox(omega, V)
    d = p - omega
    mor = -log_expit(p) + d * d / (2 * V)
    Vhat = 2 * alpha * np.dot(W_VHAT, mor) / (s * s)
    mhat = -2 * alpha * np.dot(W_MHAT, mor) / s + m * Vhat
    qhat = 2 * alpha * np.dot(W, d * d) / (V * V)
    k = LAMBDA + Vhat
    return np.array([Vhat, mhat, qhat, 1 / k, mhat / k, (mhat * mhat + qhat) / (k * k)])


def solve(alpha, x0):
    """Fixed point of `update` by Anderson(3) on the carried (V, m, q), mixing 1; stops on the undamped residual.
    A step that leaves the domain (V, q > 0, q > m^2) or a residual 4x above the best restarts the history."""
    x = x0.copy()
    dX, dR = [], []
    prev = None
    best = np.inf
    for it in range(1, MAX_ITERATIONS + 1):
        fx = update(x, alpha)
        if np.isnan(x[0]):  # the first sweep from a cold start assigns the hats before reading them
            x[:3] = fx[:3]
        r = fx - x
        if not np.all(np.isfinite(fx)):
            return fx, it, 'nan'
        if np.all(np.abs(r) <= ATOL + RTOL * np.abs(x)):
            return x, it, 'converged'
        c, rc = x[3:], r[3:]
        scaled = np.max(np.abs(rc) / (ATOL + RTOL * np.abs(c)))
        if scaled > 4 * best:
            dX, dR, prev = [], [], None
        best = min(best, scaled)
        if prev is not None:
            dX.append(c - prev[0])
            dR.append(rc - prev[1])
            del dX[:-ANDERSON], dR[:-ANDERSON]
        prev = (c.copy(), rc.copy())
        nxt = c + rc
        if dX:
            DX, DR = np.array(dX).T, np.array(dR).T
            gamma = np.linalg.lstsq(DR, rc, rcond=None)[0]
            cand = nxt - (DX + DR) @ gamma
            if cand[0] > 0 and cand[2] > 0 and cand[2] > cand[1] ** 2:
                nxt = cand
            else:
                dX, dR, prev = [], [], None
        x = fx.copy()
        x[3:] = nxt
    return x, MAX_ITERATIONS, 'max-iterations'


def main():
    x = np.array([np.nan, np.nan, np.nan, 1.0, 0.1, 0.1])  # the model's uninformed start
    rows = []
    for alpha in ALPHAS:
        sol, its, status = solve(alpha, x)
        if status == 'converged':
            x = sol
        V, m, q = sol[3], sol[4], sol[5]
        s = np.sqrt(max(q - m * m, 1e-300))
        omega = m * ZZ + s * EE
        train_loss = -2 * np.dot(W, log_expit(prox(omega, V)))
        rows.append((alpha, m, q, V, np.arccos(m / np.sqrt(q)) / np.pi, train_loss, its, status))
    out = ['alpha,m,q,V,gen_error,train_loss,iterations,status']
    out += [f'{a!r},{m!r},{q!r},{V!r},{g!r},{t!r},{i},{st}' for a, m, q, V, g, t, i, st in
            ((float(r[0]), float(r[1]), float(r[2]), float(r[3]), float(r[4]), float(r[5]), r[6], r[7]) for r in rows)]
    sys.stdout.write('\n'.join(out) + '\n')
    sys.stdout.write(f'# wall_s={time.perf_counter() - T0:.4f} iterations={sum(r[6] for r in rows)} '
                     f'converged={sum(r[7] == "converged" for r in rows)}\n')


if __name__ == '__main__':
    main()
