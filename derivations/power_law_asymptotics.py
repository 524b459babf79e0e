"""Power-law continuum asymptotics with exact constants (extension; Section 5 of the paper, App. H):
df1, df2, the bias functional (r < 1, r = 1, r > 1), the collapse coefficient (19) and the
leading-order test errors, clean and after n generations.

What it shows:
  1. each catalogue formula's derivation (the substitution u = kappa x^beta and a Beta integral;
     the log case; the zeta case), step by step;
  2. checks against independently typed closed forms: df1 ~ (pi/beta)/sin(pi/beta) kappa^(-1/beta)
     and df2 ~ pi (beta - 1)/(beta^2 sin(pi/beta)) kappa^(-1/beta) (DESIGN.md), the bias constant
     pi (1 - 2r)/(beta sin(2 pi r)) kappa^(2r), the r = 1 and r > 1 forms;
  3. the exponents agree with the exponent calculus of Theorem 5.1 (symcollapse.scaling);
  4. the collapsed error = clean error + n sigma0^2 rho (the parts fit together);
  5. numbers: df2 and the bias at small kappa against the library's numerical power-law sums.

Run: python derivations/power_law_asymptotics.py
"""

import numpy as np
import sympy as sp
from _narrate import check, heading, narrate, show

import symcollapse as sc
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.theory import scaling_laws
from symcollapse.symbolic.theory.power_law_asymptotics import numeric

beta, r, k, T, ell = S.beta, S.r, S.kappa, S.T, S.ell


def log_slope(expr):
    """x with expr ~ kappa^x as kappa -> 0, by the log-derivative."""
    return sp.simplify(sp.limit(sp.simplify(k * sp.diff(sp.log(expr), k)), k, 0, "+"))


df1 = narrate("power_law_df1_asymptotic")
check(
    "df1 ~ (pi/beta)/sin(pi/beta) kappa^(-1/beta)",
    df1.expr,
    sp.pi / beta / sp.sin(sp.pi / beta) * k ** (-1 / beta),
)
df2 = narrate("power_law_df2_asymptotic")
check(
    "df2 ~ pi (beta - 1)/(beta^2 sin(pi/beta)) kappa^(-1/beta) (DESIGN.md)",
    df2.expr,
    sp.pi * (beta - 1) / (beta**2 * sp.sin(sp.pi / beta)) * k ** (-1 / beta),
)
bias = narrate("power_law_bias_asymptotic")
check(
    "bias functional, r < 1: pi (1 - 2r)/(beta sin(2 pi r)) kappa^(2r)",
    sp.gammasimp(bias.expr),
    sp.pi * (1 - 2 * r) / (beta * sp.sin(2 * sp.pi * r)) * k ** (2 * r),
)
bnd = narrate("power_law_bias_boundary")
check(
    "bias functional, r = 1: kappa^2 (log(1/kappa)/beta + EulerGamma - 1/beta)",
    bnd.expr,
    k**2 * (sp.log(1 / k) / beta + sp.EulerGamma - 1 / beta),
)
sat = narrate("power_law_bias_saturated")
check(
    "bias functional, r > 1: kappa^2 zeta(1 + 2 beta (r - 1))",
    sat.expr,
    k**2 * sp.zeta(1 + 2 * beta * (r - 1)),
)

heading("the exponents agree with the exponent calculus (scaling, Lemma I.1)")
lem = scaling_laws._lemma_I_1()
for name, f in (("df1", df1), ("df2", df2)):
    check(
        f"{name} ~ kappa^x with x = {lem['df']}", show(f"log-slope of {name}", log_slope(f.expr)), lem["df"]
    )
rr = sp.Symbol("r_", positive=True)  # r < 1: rbar = r
check(
    "bias ~ kappa^(2 rbar) for r < 1",
    log_slope(bias.expr.subs(r, rr / (1 + rr))),
    lem["bias"].subs(r, rr / (1 + rr)),
)
check("bias ~ kappa^(2 rbar) for r > 1", log_slope(sat.expr), lem["bias"].subs(r, 1 + rr))

rho = narrate("power_law_collapse_rho_leading")
clean = narrate("power_law_clean_error_leading")
coll = narrate("power_law_collapsed_error_leading")
check(
    "collapsed error = clean error + n sigma0^2 rho (kappa = T^-ell)",
    coll.expr,
    clean.expr + S.n * S.sigma0**2 * rho.expr.subs(k, T**-ell),
)

heading("numbers: the asymptotics against the library's power-law sums (infinite d)")
kappas = np.array([1e-3, 1e-5])
for b_, r_ in ((2.0, 0.375), (1.5, 0.8)):
    exact = sc.PowerLaw(b_, r_).functionals(kappas, ("df2", "bias_scaled"))
    e_df2 = np.abs(exact["df2"] / numeric(df2)(beta=b_, kappa=kappas) - 1)
    e_bias = np.abs(exact["bias_scaled"] / numeric(bias)(beta=b_, r=r_, kappa=kappas) - 1)
    print(
        f"  beta={b_}, r={r_}: relative error of df2 at kappa = 1e-3, 1e-5: "
        f"{e_df2[0]:.1e}, {e_df2[1]:.1e}; of the bias functional: {e_bias[0]:.1e}, {e_bias[1]:.1e}"
    )
    if not (e_df2[1] < e_df2[0] and e_bias[1] < e_bias[0] and e_df2[1] < 1e-2 and e_bias[1] < 1e-2):
        raise SystemExit("derivation check failed: power-law asymptotics against the sums")
print(
    "  check: the leading-order constants agree with the sums, better as kappa -> 0 "
    "(relative error < 1e-2 at kappa = 1e-5)"
)
