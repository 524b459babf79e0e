r"""The pipeline engine: second moments of every fit's error, propagated through the declaration.

Write :math:`e_f=\hat w_f-w_0` for the error of fit :math:`f` (the truth has :math:`e=0`).  In the
eigenbasis of :math:`\Sigma` the engine carries, for fits :math:`f,s`, the diagonals

.. math:: H_{fs}=\operatorname{diag}\mathbb E[e_fe_s^\top],\qquad K_f=\operatorname{diag}\mathbb E[e_fw_0^\top],
          \qquad c^2=\operatorname{diag}(w_0w_0^\top).

**Fresh-design fit** :math:`f` on blocks :math:`b` (rows :math:`T_b`, :math:`\alpha_b=T_b/N`, teacher
:math:`t_b`, noise :math:`\sigma_b`), every teacher independent of the fit's rows.  With
:math:`A=\sum_bA_b`, :math:`A_b=(\hat\Sigma+\lambda)^{-1}X_b^\top X_b/N`,

.. math:: e_f=A\bar e+(A-I)w_0+\sum_b(A_b-\alpha_bA)(e_{t_b}-\bar e)+\text{noise},\qquad
          \bar e=\sum_b\alpha_be_{t_b},

and by exchangeability of the rows :math:`\mathbb EA_b=\alpha_b\,\mathbb EA`.  The rules of
:mod:`~symcollapse.pipeline.rules` give (:math:`\bar H=\sum_{bc}\alpha_b\alpha_cH_{t_bt_c}`,
:math:`\bar K=\sum_b\alpha_bK_{t_b}`, :math:`w=\kappa^2/(N-\mathrm{df}_2)`)

.. math::
    H_{ff}&=p^2\bar H-2pq\bar K+q^2c^2
        +w\operatorname{tr}\!\big(g(\bar H+2\bar K+c^2)\big)\,g
        +C\Big(\sum_b\alpha_b\sigma_b^2+\underbrace{\sum_b\alpha_b\operatorname{tr}(\Sigma H_{t_bt_b})
        -\operatorname{tr}(\Sigma\bar H)}_{\text{teachers' disagreement}}\Big),\\
    H_{fs}&=p\sum_b\alpha_bH_{t_bs}-qK_s,\qquad K_f=p\bar K-qc^2 .

The disagreement term is the within-fit part of :math:`\mathbb E[A_b^\top MA_c]`: a row's own
label enters like label noise whose variance is its teacher's deviation from the mean teacher.

**Reused design, least squares** (:math:`\lambda_f=0`, one block on the rows of design
:math:`D`, taught by a least-squares fit :math:`g` on the same rows): :math:`P_D\hat w_g=\hat w_g`,
so exactly :math:`e_f=e_g+X_D^+\varepsilon_f`, :math:`H_{ff}=H_{gg}+\sigma_f^2C_D`,
:math:`H_{fs}=H_{gs}`, :math:`K_f=K_g`.

The test error is :math:`\operatorname{tr}(\Sigma H_{LL})` for the last fit :math:`L`.  The same
code runs on two backends: SymPy (the derivation: vectors are expressions in
:math:`\lambda_j, c_j`, traces are spectral sums) and NumPy (the evaluator: vectors live on the
nodes of a spectral measure, traces are weighted sums).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .declaration import TRUTH, Pipeline, ResolvedFit

__all__ = ["check_derivable", "FitKind", "fit_kinds", "propagate", "last_fit_error",
           "with_stacked_teacher", "STACKED_TEACHER"]

#: the name of the pseudo-fit that stands for several teachers stacked along the settings axis
STACKED_TEACHER = "<stacked teachers>"


@dataclass(frozen=True)
class FitKind:
    """How the engine treats a fit: ``"fresh"`` (rules) or ``"same_design"`` (exact identity)."""

    kind: str
    teacher_fit: str | None = None     # for same_design: the least-squares fit on the same rows


def _all_zero(x) -> bool:
    import numpy as np

    return bool(np.all(np.asarray(x) == 0))


def fit_kinds(pipeline: Pipeline) -> dict[str, FitKind]:
    """Classify every fit, or raise ``ValueError`` naming the block that breaks the engine's rules."""
    kinds: dict[str, FitKind] = {}
    design_users: dict[str, list[str]] = {}   # design id -> fits that used it
    fits = {f.name: f for f in pipeline.resolved}
    for fit in pipeline.resolved:
        reused = [(k, b) for k, b in enumerate(fit.blocks) if not b.fresh_design or b.reused_labels]
        for k, b in enumerate(fit.blocks):
            if b.reused_labels:
                raise ValueError(
                    f"fit {fit.name!r}, block {k}: a block reused with its labels makes the fit's "
                    "teachers depend on its own rows, which the engine cannot derive "
                    "(simulate() runs it)")
        if not reused:
            kinds[fit.name] = FitKind("fresh")
        else:
            k, b = reused[0]
            users = design_users.get(b.design_id, [])
            teacher = fits.get(b.teacher)
            ok = (len(fit.blocks) == 1 and _all_zero(fit.lam) and teacher is not None
                  and len(teacher.blocks) == 1 and teacher.blocks[0].design_id == b.design_id
                  and _all_zero(teacher.lam))
            if not ok:
                raise ValueError(
                    f"fit {fit.name!r}, block {k}: design {b.design_id!r} was already used by "
                    f"{users}; the engine derives a reused design only for a least-squares fit "
                    "(lam = 0) with that one block, taught by a least-squares fit on the same "
                    "rows (then w_f = w_teacher + pinv(X) noise exactly); simulate() runs any "
                    "pipeline")
            kinds[fit.name] = FitKind("same_design", teacher_fit=b.teacher)
        for b in fit.blocks:
            design_users.setdefault(b.design_id, []).append(fit.name)
    return kinds


def check_derivable(pipeline: Pipeline) -> None:
    """Raise ``ValueError`` (naming the block and the condition) when the engine cannot derive it."""
    fit_kinds(pipeline)


class _State:
    """Memoised second moments H[f, s], K[f] over one backend."""

    def __init__(self, backend, pipeline: Pipeline, kinds: dict[str, FitKind]):
        self.be = backend
        self.fits: dict[str, ResolvedFit] = {f.name: f for f in pipeline.resolved}
        self.order = {f.name: i for i, f in enumerate(pipeline.resolved)}
        self.kinds = kinds
        self.H: dict[tuple[str, str], Any] = {}
        self.K: dict[str, Any] = {}

    # -- helpers -------------------------------------------------------------------------
    def mixed(self, fit: ResolvedFit):
        """(alpha_b, teacher_b) over the fit's blocks."""
        be = self.be
        N = be.total_rows(fit)
        return [(be.rows(fit, k) / N, b.teacher) for k, b in enumerate(fit.blocks)]

    def Hbar(self, mix):
        out = None
        for a_b, t_b in mix:
            for a_c, t_c in mix:
                h = self.h(t_b, t_c)
                if h is not None:
                    out = _add(out, a_b * a_c * h)
        return out

    def Kbar(self, mix):
        out = None
        for a_b, t_b in mix:
            k = self.k(t_b)
            if k is not None:
                out = _add(out, a_b * k)
        return out

    # -- the moments -----------------------------------------------------------------------
    def k(self, f: str):
        if f == TRUTH:
            return None
        if f not in self.K:
            kind = self.kinds[f]
            if kind.kind == "same_design":
                self.K[f] = self.k(kind.teacher_fit)
            else:
                fit = self.fits[f]
                ing = self.be.ingredients(fit)
                Kb = self.Kbar(self.mixed(fit))
                self.K[f] = _add(None if Kb is None else ing.p * Kb, -ing.q * self.be.c2)
        return self.K[f]

    def h(self, f: str, s: str):
        if f == TRUTH or s == TRUTH:
            return None
        if self.order[f] < self.order[s]:
            f, s = s, f
        key = (f, s)
        if key in self.H:
            return self.H[key]
        be = self.be
        kind = self.kinds[f]
        fit = self.fits[f]
        if kind.kind == "same_design":
            g = kind.teacher_fit
            if s != f:
                val = self.h(g, s)
            else:
                ing = be.ingredients(fit)
                val = _add(self.h(g, g), be.noise(fit, 0) ** 2 * ing.C)
        elif s != f:
            ing = be.ingredients(fit)
            acc = None
            for a_b, t_b in self.mixed(fit):
                hb = self.h(t_b, s)
                if hb is not None:
                    acc = _add(acc, a_b * hb)
            ks = self.k(s)
            val = _add(None if acc is None else ing.p * acc, None if ks is None else -ing.q * ks)
        else:
            val = self.own(fit)
        self.H[key] = val
        return val

    def own(self, fit: ResolvedFit):
        """H_ff of a fresh-design fit (materialised)."""
        be = self.be
        ing = be.ingredients(fit)
        mix = self.mixed(fit)
        Hb, Kb = self.Hbar(mix), self.Kbar(mix)
        c2 = be.c2
        out = ing.q**2 * c2 + ing.w * be.tr(ing.g * c2) * ing.g
        noise = sum(a * be.noise(fit, k) ** 2 for k, (a, _) in enumerate(mix))
        if Hb is not None:
            out = out + ing.p**2 * Hb + ing.w * be.tr(ing.g * Hb) * ing.g
            noise = _add(noise, self.disagreement(mix, Hb))
        if Kb is not None:
            out = out - 2 * ing.p * ing.q * Kb + 2 * ing.w * be.tr(ing.g * Kb) * ing.g
        return out + be.noise_vector(fit, ing, noise)

    def disagreement(self, mix, Hb):
        be = self.be
        acc = None
        for a_b, t_b in mix:
            h = self.h(t_b, t_b)
            if h is not None:
                acc = _add(acc, a_b * be.tr(be.ell * h))
        return _add(acc, -be.tr(be.ell * Hb))


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def propagate(backend, pipeline: Pipeline, kinds: dict[str, FitKind] | None = None) -> _State:
    """The memoised moment state of ``pipeline`` on ``backend``."""
    return _State(backend, pipeline, fit_kinds(pipeline) if kinds is None else kinds)


def with_stacked_teacher(state: _State, K, H) -> _State:
    """A view of ``state`` whose last fit (one fresh block) is taught by a pseudo-fit with the
    moments ``K``, ``H``: several candidate teachers stacked along the settings axis, so that one
    contraction gives the last fit's error for each of them (a grid over ``n`` of a chain)."""
    import copy
    from dataclasses import replace as _replace

    names = list(state.fits)
    last = state.fits[names[-1]]
    if len(last.blocks) != 1 or state.kinds[last.name].kind != "fresh":
        raise ValueError(f"fit {last.name!r}: stacked teachers need a last fit with one block on "
                         "fresh rows")
    new = copy.copy(state)
    new.fits = {name: state.fits[name] for name in names[:-1]}
    new.fits[STACKED_TEACHER] = _replace(last, name=STACKED_TEACHER)
    new.fits[last.name] = _replace(last, blocks=(_replace(last.blocks[0],
                                                          teacher=STACKED_TEACHER),))
    new.order = {name: i for i, name in enumerate(new.fits)}
    new.kinds = {**state.kinds, STACKED_TEACHER: FitKind("fresh")}
    new.K = {STACKED_TEACHER: K}
    new.H = {(STACKED_TEACHER, STACKED_TEACHER): H}
    return new


def last_fit_vectors(ell, p, q, g):
    r"""The last fit's vectors that meet the teachers' moments: :math:`\ell p^2`, :math:`\ell pq`
    and :math:`g` (each a function of the eigenvalue and the fit's :math:`\kappa` only)."""
    return ell * p**2, ell * p * q, g


def last_fit_error(state: _State, be, upstream) -> dict[str, Any]:
    r"""The last fit's error :math:`\operatorname{tr}(\Sigma H_{LL})`, split into its parts.

    Written directly in traced form (never materialising :math:`H_{LL}` over a grid):
    ``clean_bias`` (:math:`\operatorname{tr}\Sigma q^2c^2+w\,\mathrm{df}_2\operatorname{tr}gc^2`),
    ``variance`` (:math:`\operatorname{tr}(\Sigma C)\sum_b\alpha_b\sigma_b^2`) and ``collapse``
    (everything the teachers add).  ``be`` is the backend of the last fit's parameters,
    ``upstream.cross(x, v)`` contracts a last-fit vector ``x`` with an upstream state vector ``v``
    (``tr(x v)``) and ``upstream.trace_ell(v)`` is ``tr(Sigma v)``.  The sum of the three parts
    equals ``tr(Sigma H_LL)`` of :meth:`_State.own` (tested).
    """
    names = list(state.fits)
    last = state.fits[names[-1]]
    kind = state.kinds[last.name]
    if kind.kind == "same_design":   # the last fit adds noise to its teacher's error
        ing = be.ingredients(last)
        g = kind.teacher_fit
        return {"clean_bias": be.zero(), "variance": be.noise(last, 0) ** 2 * ing.Cscale * be.df2(ing),
                "collapse": upstream.trace_ell(state.h(g, g))}
    ing = be.ingredients(last)
    N = be.total_rows(last)
    mix = [(be.rows(last, k) / N, b.teacher) for k, b in enumerate(last.blocks)]
    df2 = be.df2(ing)                       # tr(Sigma g)
    trC = ing.Cscale * df2                  # tr(Sigma C)
    clean_bias = (ing.kappa**2 + ing.w * df2) * be.gc2(ing)   # tr(Sigma q^2 c^2) + w df2 tr(g c^2)
    noise = sum(a * be.noise(last, k) ** 2 for k, (a, _) in enumerate(mix))
    variance = be.check_noise(last, trC * noise, noise)
    collapse = be.zero()
    if all(t == TRUTH for _, t in mix):        # clean fit: no vector is needed
        return {"clean_bias": clean_bias, "variance": variance, "collapse": collapse}
    vp2, vpq, vg = be.last_vectors(ing)
    for a_b, t_b in mix:
        kb = state.k(t_b)
        if kb is not None:
            collapse = collapse - 2 * a_b * upstream.cross(vpq, kb) \
                + 2 * a_b * ing.w * df2 * upstream.cross(vg, kb)
        for a_c, t_c in mix:
            hbc = state.h(t_b, t_c)
            if hbc is not None:
                coef = a_b * a_c
                collapse = collapse + coef * (upstream.cross(vp2, hbc)
                                              + ing.w * df2 * upstream.cross(vg, hbc)
                                              - trC * upstream.trace_ell(hbc))
        hbb = state.h(t_b, t_b)
        if hbb is not None:
            collapse = collapse + be.check_noise(last, trC * a_b * upstream.trace_ell(hbb), None)
    return {"clean_bias": clean_bias, "variance": variance, "collapse": collapse}
