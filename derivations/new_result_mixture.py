"""A NEW result, derived with the library's building blocks: the downstream ridge is trained on a
MIXTURE of real and synthetic data (the worked example of derivations/README.md).

Setting: T downstream samples; a fraction alpha of them (alpha*T rows) is real, labelled by the
true w0; the other (1 - alpha)*T rows are labelled by the generator w_n at the end of an
n-generation chain (each generator an OLS fit on T0 >= d + 2 samples with noise sigma0); all
downstream labels carry noise sigma; ridge lam; test error E||w_pred - w0||_Sigma^2.

Result (f = 1 - alpha, kappa = kappa(lam, T)):

    E = Bias + Var + n sigma0^2 rho_mix,
    rho_mix = c_f rho + (f - c_f) delta,   c_f = f (f T - 1)/(T - 1),
    delta = d df2(kappa) / ((T0 - d - 1) (T - df2(kappa))),

with Bias, Var of Proposition 4.2 and rho the collapse coefficient (19) with the exact
generator factor. c_f -> f^2 for large T, so the fake fraction enters as f^2 rho + f (1 - f) delta,
not as the naive f^2 rho.

What it does:
  1. derives the result step by step (text and LaTeX), from: the exact generator noise
     covariance (Lemma F.3), exchangeability of the downstream rows (exact), Bach's two-point
     equivalent (``two_point``), the leave-one-out identity with the one-point and companion
     equivalents (``one_point``, ``two_point_companion``) and eq. (9);
  2. checks the known limits: alpha = 1 is Proposition 4.2 (clean data), alpha = 0 is the pure
     fake-data result (Prop. 4.2 + n sigma0^2 rho, Corollary 4.4 / eq. 19);
  3. checks it against a seeded Monte-Carlo of the actual process (a direct NumPy simulation
     below; ``symcollapse.simulate`` has no mixtures), |z| < 4 against the simulation's standard
     error, with an O(1/d) allowance stated in the output; and shows the naive f^2 rho failing.

Run: python derivations/new_result_mixture.py
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from _narrate import check, heading, show

import symcollapse as sc
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.formula import Condition, Formula
from symcollapse.symbolic.functionals import (
    df,
    one_point,
    spectral_simplify,
    spectral_sum,
    two_point,
    two_point_companion,
)
from symcollapse.symbolic.theory._derive import Derivation

alpha = sp.Symbol("alpha", nonnegative=True)  # fraction of real downstream samples
lj, k, T, d, lam = S.eig[S.j], S.kappa, S.T, S.d, S.lam


def derive() -> Formula:
    """The test error on a real/synthetic mixture, as a catalogue-style Formula with its steps."""
    step = Derivation()
    f = 1 - alpha
    step(
        "w_pred - w0 = (Shat R - I) w0 + R X'E/T + R Shat_F (w_n - w0), Shat_F = X_F'X_F/T over "
        "the (1 - alpha) T fake rows; w_n - w0 has mean 0 and is independent of the downstream "
        "data, so E = Bias + Var + E tr[Cov(w_n - w0) Shat_F R Sigma R Shat_F]",
        None,
    )
    G = step(
        "Lemma F.3 (exact, T0 >= d + 2): Cov(w_n - w0) = n sigma0^2 G, "
        "G = Sigma^-1/(T0 - d - 1) (diagonal entry)",
        1 / (lj * (S.T0 - d - 1)),
    )
    step(
        "exchangeable rows: with a_D = E[x'R Sigma R x x'G x] (one row) and Q = E tr[G Shat R "
        "Sigma R Shat] (all rows), E tr[G Shat_F R Sigma R Shat_F] = f a_D/T + f (f T - 1)/(T - 1) "
        "(Q - a_D/T), f = 1 - alpha (exact)",
        None,
    )
    Q = step("Q: Bach's two-point equivalent (two_point)", two_point(G, lj, k, T))
    loo = step(
        "leave one out: R x = R_- x/(1 + x'R_- x/T), x'R_- x ~ tr Sigma R; with lam R ~ "
        "kappa (Sigma + kappa)^-1 (one_point): 1 + tr(Sigma R)/T",
        spectral_simplify(1 + spectral_sum(lj * (1 - one_point(k))) / (lam * T)),
    )
    loo = step(
        "eq. (9): kappa df1(kappa)/T = kappa - lam", sp.simplify(loo.subs(df(1, k), T * (k - lam) / k))
    )
    srsr = step(
        "lam^2 tr[Sigma R Sigma R] from the companion two-point equivalent",
        spectral_simplify(spectral_sum(lj * two_point_companion(lj, k, T))),
    )
    delta = step(
        "a_D/T ~ tr[Sigma R Sigma R] tr[Sigma G]/((1 + tr(Sigma R)/T)^2 T) (x'G x ~ tr Sigma G concentrates)",
        spectral_simplify(srsr / (lam * loo) ** 2 * spectral_sum(lj * G) / T),
    )
    cf = f * (f * T - 1) / (T - 1)
    rho_mix = step("rho_mix = c_f Q + (f - c_f) a_D/T, c_f = f (f T - 1)/(T - 1)", cf * Q + (f - cf) * delta)
    clean = sc.formula("proposition_4_2_bias").expr + sc.formula("proposition_4_2_variance").expr
    expr = step(
        "E = Bias + Var (Proposition 4.2) + n sigma0^2 rho_mix",
        clean + S.n * S.sigma0**2 * spectral_simplify(rho_mix),
    )
    return Formula(
        name="mixture_test_error",
        title="Test error on a mixture of real and synthetic data",
        lhs=r"E_{test}",
        expr=expr,
        reference="new (derivations/new_result_mixture.py)",
        regime=(
            Condition(lam > 0, "lam > 0"),
            Condition(S.T >= 2, "T >= 2"),
            Condition(S.T0 >= d + 2, "T0 >= d + 2"),
            Condition(sp.And(alpha >= 0, alpha <= 1), "0 <= alpha <= 1"),
        ),
        derivation=step.done(),
        notes="alpha = fraction of real downstream samples; the rest are labelled by the n-th "
        "generator. Deterministic equivalents for the traces, exact elsewhere.",
    )


def simulate_mixture(eigs, w0, *, T, lam, n, T0, sigma, sigma0, alpha, reps, seed, batch=200):
    """Monte-Carlo of the actual process (no theory): mean and standard error of the test error.

    The first round(alpha*T) downstream rows are labelled by w0, the others by the n-th
    generator (each generator: OLS on T0 >= d + 2 fresh rows, noise sigma0)."""
    rng = np.random.default_rng(seed)
    d_ = eigs.size
    scale, n_real = np.sqrt(eigs), int(round(alpha * T))
    errors = []
    for start in range(0, reps, batch):
        B = min(batch, reps - start)
        w = np.broadcast_to(w0, (B, d_)).copy()
        for _ in range(n):  # the generator chain
            X = rng.standard_normal((B, T0, d_)) * scale
            y = (X @ w[..., None])[..., 0] + sigma0 * rng.standard_normal((B, T0))
            Xt = np.swapaxes(X, 1, 2)
            w = np.linalg.solve(Xt @ X, Xt @ y[..., None])[..., 0]
        X = rng.standard_normal((B, T, d_)) * scale
        Y = np.concatenate([X[:, :n_real] @ w0, (X[:, n_real:] @ w[..., None])[..., 0]], axis=1)
        Y += sigma * rng.standard_normal((B, T))
        Xt = np.swapaxes(X, 1, 2)
        w_pred = np.linalg.solve(Xt @ X / T + lam * np.eye(d_), Xt @ Y[..., None] / T)[..., 0]
        e = w_pred - w0
        errors.append(np.einsum("bd,d,bd->b", e, eigs, e))
    s = np.concatenate(errors)
    return float(s.mean()), float(s.std(ddof=1) / np.sqrt(s.size))


def main() -> None:
    heading("derivation of the test error on a real/synthetic mixture")
    F = derive()
    for i, st in enumerate(F.derivation, 1):
        show(f"step {i}. {st.text}", st.expr)
    print(f"  result: {F.latex()}")

    heading("the pieces in closed form")
    delta = F.derivation[7].expr
    check(
        "a_D/T = d df2(kappa)/((T0 - d - 1)(T - df2(kappa)))",
        delta,
        d * df(2, k) / ((S.T0 - d - 1) * (T - df(2, k))),
    )

    heading("known limits")
    clean = sc.formula("proposition_4_2_bias").expr + sc.formula("proposition_4_2_variance").expr
    check("alpha = 1 (all real) is Proposition 4.2", F.expr.subs(alpha, 1), clean)
    check(
        "alpha = 0 (all fake) is Prop. 4.2 + n sigma0^2 rho (eq. 19, exact generator factor)",
        F.expr.subs(alpha, 0),
        clean + S.n * S.sigma0**2 * sc.formula("rho_underparameterized").expr,
    )
    rho = sc.formula("rho_underparameterized").expr
    naive = F.expr.subs(alpha, 0) + ((1 - alpha) ** 2 - 1) * S.n * S.sigma0**2 * rho
    check(
        "the naive guess, collapse term times (1 - alpha)^2, is a different formula",
        F.expr,
        naive,
        expect_equal=False,
    )

    heading("Monte-Carlo of the actual process (seeded)")
    d_ = 60
    eigs = np.arange(1, d_ + 1, dtype=float) ** -1.0
    eigs /= eigs.mean()  # a 1/k spectrum, tr Sigma = d
    w0 = np.random.default_rng(0).standard_normal(d_)
    w0 /= np.sqrt(np.sum(eigs * w0**2))  # ||w0||_Sigma = 1
    kw = dict(T=180, lam=0.1, n=2, T0=150, sigma=0.5, sigma0=1.0)
    naive_f = Formula(name="naive", title="naive", lhs="E", expr=naive, reference="-")
    allowance = 2.0 / d_  # O(1/d) relative, stated
    print(f"  d = {d_}, Sigma = diag(k^-1) (normalised), {kw}, 800 repetitions per point")
    print(
        f"  pass: |theory - mean| < 4 stderr + {allowance:.3f} * theory (the O(1/d) allowance "
        "of the deterministic equivalents)"
    )
    worst = 0.0
    for i, a in enumerate((0.0, 0.25, 0.5, 0.75, 1.0)):
        theory = float(F.evaluate(eigenvalues=eigs, w0=w0, alpha=a, **kw))
        guess = float(naive_f.evaluate(eigenvalues=eigs, w0=w0, alpha=a, **kw))
        mean, se = simulate_mixture(eigs, w0, alpha=a, reps=800, seed=10 + i, **kw)
        z, z_naive = (theory - mean) / se, (guess - mean) / se
        ok = abs(theory - mean) < 4 * se + allowance * theory
        print(
            f"  alpha = {a:4.2f}: theory {theory:.5f}, simulation {mean:.5f} +- {se:.5f} "
            f"(z = {z:+.2f}); naive (1 - alpha)^2 guess {guess:.5f} (z = {z_naive:+.1f})"
        )
        worst = max(worst, abs(z))
        if not ok:
            raise SystemExit(f"derivation check failed: mixture against Monte-Carlo at alpha={a}")
    used = "not needed" if worst < 4 else "needed"
    print(
        f"  check: the mixture formula agrees with the Monte-Carlo at every alpha (max |z| = "
        f"{worst:.2f}; the O(1/d) allowance was {used})"
    )


if __name__ == "__main__":
    main()
