"""The workflows beyond the paper's chain, side by side with it: theory from the pipeline engine
and the Monte-Carlo of the same declarations.

* accumulate: keeping every generation's data bounds the error (pi^2/6 on one design);
* fresh_real_mix: a fraction alpha of fresh real rows per generation stops the growth, except near
  interpolation, where a small alpha makes it worse;
* downstream_mix: a fixed synthetic fraction leaves a floor as the data grows (strong collapse).

Run: python examples/workflows.py   (about 20 s)
"""

import numpy as np

import symcollapse as sc

W = sc.workflows
eigs, w0 = sc.power_law(50, beta=1.5, r=0.5)


def row(label, pipe, reps=200, seed=0):
    pred = pipe.predict(eigs, w0)
    sim = pipe.simulate(eigs, w0, reps=reps, seed=seed)
    print(
        f"  {label:34s} theory {float(pred.test_error):.5f}   simulation {sim.mean:.5f} "
        f"+- {sim.stderr:.5f}   z = {sc.testing.z_score(pred, sim):+.2f}"
    )


print("accumulate vs replace (one design X0, T = T0 = 80, sigma = sigma0 = 0.5, least squares)")
for n in (1, 4, 8):
    kw = dict(n=n, T0=80, sigma0=0.5, T=80, sigma=0.5)
    row(f"n = {n}: replace", W.replace(design="same", **kw))
    row(f"n = {n}: accumulate, one design", W.accumulate(design="same", **kw))
    row(f"n = {n}: accumulate, fresh designs", W.accumulate(design="fresh", **kw))
print(f"  pi^2/6 bound: {np.pi**2 / 6 * 50 * 0.25 / 29:.5f}")

print("\nfresh real data each generation (n = 8, T0 = T = 100, lam = 1e-2)")
for alpha in (0.0, 0.2, 0.5, 0.8):
    row(
        f"alpha = {alpha}", W.fresh_real_mix(n=8, T0=100, alpha=alpha, sigma0=0.5, T=100, sigma=0.2, lam=1e-2)
    )

print("\nstrong collapse: 10 % of rows from w2 = w0 + Delta (lam = 1e-4)")
delta = np.random.default_rng(1).standard_normal(50) * 0.1
print(f"  floor (1 - alpha)^2 ||Delta||_Sigma^2 = {0.01 * float(np.sum(eigs * delta**2)):.5f}")
for T in (100, 1000, 10000):
    clean = float(sc.predict(eigs, w0, T=T, lam=1e-4, sigma=0.2).test_error)
    pipe = W.downstream_mix(T=T, alpha=0.9, sigma=0.2, lam=1e-4, w2=w0 + delta, sigma2=0.2)
    row(f"T = {T} (clean ridge {clean:.5f})", pipe, reps=100)

pipe = W.downstream_mix(T=300, alpha=0.8, sigma=0.2, lam=1e-3, w2=w0 + delta, sigma2=0.3)
print("\nthe derivation of the last one, in LaTeX:")
print(pipe.derive().latex())
