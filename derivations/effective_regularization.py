"""Effective regularisation: the implicit equation (9) and its isotropic closed form (10)-(11).

What it shows: the library's derivation of kappa(lam, T) (eq. 9), and of the Marchenko-Pastur
closed form for Sigma = I (solve the quadratic, keep the root the assumptions prove
non-negative), checked against the printed (10)-(11); then the ridgeless values kappa(0+, phi)
= max(phi - 1, 0) used in F.7. Lemma I.2 (d kappa/d lam) has its own script, lemma_I_2.py.

Run: python derivations/effective_regularization.py
"""

import sympy as sp
from _narrate import check, heading, narrate, show

from symcollapse.symbolic import symbols as S

narrate("kappa_equation")
f = narrate("kappa_isotropic")
phibar = S.phi - 1
check(
    "eqs. (10)-(11), kappa = (lam + phibar + sqrt((lam + phibar)^2 + 4 lam))/2",
    f.expr,
    (S.lam + phibar + sp.sqrt((S.lam + phibar) ** 2 + 4 * S.lam)) / 2,
)

heading("ridgeless limit lam -> 0+ (used in F.7 and Corollary 4.4)")
for name, pb in (
    ("phi < 1", sp.Symbol("phibar", negative=True)),
    ("phi > 1", sp.Symbol("phibar", positive=True)),
):
    k0 = show(f"kappa(0+) for {name} (phi = phibar + 1)", sp.limit(f.expr.subs(S.phi, pb + 1), S.lam, 0, "+"))
    check(f"kappa(0+) = max(phi - 1, 0) for {name}", k0, sp.Max(pb, 0))
