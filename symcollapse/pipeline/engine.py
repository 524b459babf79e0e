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
:mod:`~symcollapse.symbolic.pipeline_rules` give (:math:`\bar H=\sum_{bc}\alpha_b\alpha_cH_{t_bt_c}`,
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
from fractions import Fraction
from typing import Any

from symcollapse.pipeline.declaration import TRUTH, Pipeline, ResolvedFit

__all__ = [
    "check_derivable",
    "FitKind",
    "fit_kinds",
    "propagate",
    "last_fit_error",
    "with_stacked_teacher",
    "STACKED_TEACHER",
]

#: the name of the pseudo-fit that stands for several teachers stacked along the settings axis
STACKED_TEACHER = "<stacked teachers>"


@dataclass(frozen=True)
class FitKind:
    """How the engine treats a fit.

    ``"fresh"``: the deterministic-equivalent rules (teachers independent of the fit's rows);
    ``"projected"``: least squares on one design ``D`` whose teachers are least-squares fits on
    ``D`` (exact: :math:`\\hat w_f=P_Dw_0+X_D^+\\sum_\\ell\\gamma_{f\\ell}\varepsilon_\\ell`);
    ``"incremental"``: least squares on every block of an earlier least-squares fit ``g`` (labels
    included) plus fresh rows labelled by ``g`` (exact: :math:`e_f=e_g+S_f^{-1}X_{new}^\top
    \varepsilon_{new}`).
    """

    kind: str
    teacher_fit: str | None = None  # projected: the design's root fit; incremental: g
    design: str | None = None  # projected: the design's id

    @property
    def teacher(self) -> str:
        """The teacher fit of a "projected" or "incremental" fit (those always have one)."""
        if self.teacher_fit is None:
            raise AssertionError(f"a {self.kind!r} fit has no teacher fit")
        return self.teacher_fit

    @property
    def design_id(self) -> str:
        """The design of a "projected" fit."""
        if self.design is None:
            raise AssertionError(f"a {self.kind!r} fit has no design of its own")
        return self.design


def _all_zero(x) -> bool:
    import numpy as np

    return bool(np.all(np.asarray(x) == 0))


_RULES_TEXT = (
    "the engine derives reused rows or labels in two exact cases: (a) a least-squares fit "
    "(lam = 0) all of whose blocks are on one design D, taught by least-squares fits on D (or by "
    "the truth when D's first fit was), so that w_f = P_D w0 + pinv(X_D) (its noises); "
    "(b) accumulation: a least-squares fit on every block of an earlier least-squares fit g, "
    "labels included and in order, plus fresh rows labelled by g, so that "
    "e_f = e_g + S_f^-1 X_new' eps (N_f >= d + 2); simulate() runs it"
)


def fit_kinds(pipeline: Pipeline) -> dict[str, FitKind]:
    """Classify every fit, or raise ``ValueError`` naming the block that breaks the engine's rules."""
    kinds: dict[str, FitKind] = {}
    fits = {f.name: f for f in pipeline.resolved}
    roots: dict[str, str] = {}  # design id -> its first fit (least squares, one block)
    on_design: dict[str, set] = {}  # design id -> fits whose every block is on it
    users: dict[str, list] = {}  # design id -> fits that used it
    fixed = set(getattr(pipeline, "teachers", {}))
    for fit in pipeline.resolved:
        taught_by = {b.teacher for b in fit.blocks}
        if taught_by & fixed and taught_by - fixed - {TRUTH}:
            k = next(k for k, b in enumerate(fit.blocks) if b.teacher in fixed)
            raise ValueError(
                f"fit {fit.name!r}, block {k}: a fixed teacher "
                f"{fit.blocks[k].teacher!r} is mixed with a fitted teacher in one "
                "fit; the engine derives a fixed teacher mixed with the truth only "
                "(simulate() runs it)"
            )
        for b in fit.blocks:
            users.setdefault(b.design_id, [])
        special = [(k, b) for k, b in enumerate(fit.blocks) if not b.fresh_design or b.reused_labels]
        ls = _all_zero(fit.lam)
        before = {b.design_id: list(users[b.design_id]) for b in fit.blocks}
        for b in fit.blocks:
            if fit.name not in users[b.design_id]:
                users[b.design_id].append(fit.name)
        if not special:
            kinds[fit.name] = FitKind("fresh")
            if len(fit.blocks) == 1 and ls:
                roots[fit.blocks[0].design_id] = fit.name
                on_design.setdefault(fit.blocks[0].design_id, set()).add(fit.name)
            continue
        designs = {b.design_id for b in fit.blocks}
        k0, b0 = special[0]
        if len(designs) == 1 and ls:
            design = designs.pop()
            root = roots.get(design)
            if root is None:
                raise ValueError(
                    f"fit {fit.name!r}, block {k0}: design {b0.design_id!r} was "
                    f"already used by {before[design]}, first by a ridge fit or a "
                    "fit with several blocks; " + _RULES_TEXT
                )
            root_teacher = fits[root].blocks[0].teacher
            for k, b in enumerate(fit.blocks):
                ok = b.teacher in on_design[design] or (b.teacher == TRUTH and root_teacher == TRUTH)
                if not ok:
                    raise ValueError(
                        f"fit {fit.name!r}, block {k}: on design {design!r} its "
                        f"teacher {b.teacher!r} is not a least-squares fit on that "
                        "design; " + _RULES_TEXT
                    )
            kinds[fit.name] = FitKind("projected", teacher_fit=root, design=design)
            on_design[design].add(fit.name)
            continue
        teachers = {b.teacher for b in fit.blocks if not b.reused_labels}
        g = next(iter(teachers)) if len(teachers) == 1 else None
        gfit = fits.get(g) if g is not None else None
        if ls and gfit is not None and _all_zero(gfit.lam):
            n_old = len(gfit.blocks)
            old, new = fit.blocks[:n_old], fit.blocks[n_old:]
            if (
                [b.label_id for b in old] == [b.label_id for b in gfit.blocks]
                and all(b.reused_labels for b in old)
                and new
                and all(b.fresh_design and not b.reused_labels for b in new)
            ):
                kinds[fit.name] = FitKind("incremental", teacher_fit=g)
                continue
        what = (
            "reuses the labels of an earlier block"
            if b0.reused_labels
            else f"design {b0.design_id!r} was already used by {before[b0.design_id]}"
        )
        raise ValueError(f"fit {fit.name!r}, block {k0}: {what}; " + _RULES_TEXT)
    return kinds


def check_derivable(pipeline: Pipeline) -> None:
    """Raise ``ValueError`` (naming the block and the condition) when the engine cannot derive it."""
    fit_kinds(pipeline)


class _State:
    """Memoised second moments H[f, s], K[f] over one backend."""

    def __init__(self, backend, pipeline: Pipeline, kinds: dict[str, FitKind]):
        self.be = backend
        self.fits: dict[str, ResolvedFit] = {f.name: f for f in pipeline.resolved}
        self.fixed = set(getattr(pipeline, "teachers", {}))
        self.order = {f.name: i for i, f in enumerate(pipeline.resolved)}
        self.kinds = kinds
        self.H: dict[tuple[str, str], Any] = {}
        self.K: dict[str, Any] = {}
        self.B: dict[str, Any] = {}  # a design root's second moment without its noise
        self.label_source: dict[str, tuple[ResolvedFit, int]] = {}
        for fit in pipeline.resolved:
            for k, b in enumerate(fit.blocks):
                self.label_source.setdefault(b.label_id, (fit, k))

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
        if f in self.fixed:  # e = w2 - w0 =: Delta, deterministic
            return self.be.fixed_teacher(f) * self.be.coef
        if f not in self.K:
            kind = self.kinds[f]
            if kind.kind in ("projected", "incremental"):
                self.K[f] = self.k(kind.teacher)
            else:
                fit = self.fits[f]
                ing = self.be.ingredients(fit)
                Kb = self.Kbar(self.mixed(fit))
                self.K[f] = _add(None if Kb is None else ing.p * Kb, -ing.q * self.be.c2)
        return self.K[f]

    def h(self, f: str, s: str):
        if f == TRUTH or s == TRUTH:
            return None
        if f in self.fixed or s in self.fixed:
            if f in self.fixed and s in self.fixed:
                return self.be.fixed_teacher(f) * self.be.fixed_teacher(s)
            raise ValueError(
                f"{f!r} and {s!r}: the engine does not derive the correlation of a "
                "fixed teacher with a fitted one (simulate() runs it)"
            )
        if self.order[f] < self.order[s]:
            f, s = s, f
        key = (f, s)
        if key in self.H:
            return self.H[key]
        be = self.be
        kind = self.kinds[f]
        fit = self.fits[f]
        if kind.kind == "projected":
            val = self._projected(f, s)
        elif kind.kind == "incremental":
            g = kind.teacher
            if s != f:
                val = self.h(g, s)
            else:
                ing = be.ingredients(fit)
                be.require_full_rank(fit, be.total_rows(fit), "accumulating least squares")
                val = _add(self.h(g, g), be.noise_vector(fit, ing, self.new_noise(fit)))
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

    # -- least squares on one design: noise coefficients ----------------------------------
    def gamma(self, f: str) -> dict[str, Any]:
        r""":math:`\gamma_f`: the weight of each label draw in :math:`X_D^+\sum_\ell
        \gamma_{f\ell}\varepsilon_\ell` for a fit on design ``D`` (its root: one draw)."""
        if f == TRUTH:
            return {}
        fit = self.fits[f]
        if self.kinds[f].kind != "projected":  # the design's root
            return {fit.blocks[0].label_id: 1}
        out: dict[str, Any] = {}
        weight = _fraction(1, len(fit.blocks))  # every block has the design's rows
        for b in fit.blocks:
            for label, c in list(self.gamma(b.teacher).items()) + [(b.label_id, 1)]:
                out[label] = out.get(label, 0) + weight * c
        return out

    def noise_weight(self, gf: dict, gs: dict, own: str | None = None, keep: bool = True):
        r""":math:`\sum_\ell\gamma_{f\ell}\gamma_{s\ell}\sigma_\ell^2` over the labels drawn
        in fit ``own`` (``keep``) or in every other fit (``not keep``; all when ``own`` is None)."""
        acc = 0
        for label, c in gf.items():
            if label not in gs:
                continue
            fit, k = self.label_source[label]
            if own is not None and (fit.name == own) != keep:
                continue
            acc = acc + self.be.exact(c * gs[label]) * self.be.noise(fit, k) ** 2
        return acc

    def root_moment(self, root: str):
        """The root's second moment without its own label noise (its bias part)."""
        if root not in self.B:
            self.B[root] = self.own(self.fits[root], with_noise=False)
        return self.B[root]

    def _projected(self, f: str, s: str):
        """H_fs for a least-squares fit ``f`` on design D (``s`` earlier or equal)."""
        kind = self.kinds[f]
        root, design = kind.teacher, kind.design_id
        s_on_design = s == root or (self.kinds[s].kind == "projected" and self.kinds[s].design == design)
        if not s_on_design:
            if self.depends_on_design_noise(s, design):
                raise ValueError(
                    f"fits {f!r} and {s!r}: {s!r} depends on labels drawn on design "
                    f"{design!r} without being fitted on it; " + _RULES_TEXT
                )
            return self.h(root, s)
        ing = self.be.ingredients(self.fits[root])
        weight = self.noise_weight(self.gamma(f), self.gamma(s))
        return _add(self.root_moment(root), self.be.noise_vector(self.fits[root], ing, weight))

    def depends_on_design_noise(self, s: str, design: str) -> bool:
        if s == TRUTH:
            return False
        fit = self.fits[s]
        return any(
            b.design_id == design or self.depends_on_design_noise(b.teacher, design) for b in fit.blocks
        )

    def new_noise(self, fit: ResolvedFit, be=None):
        r""":math:`\sum_{b\ new}\alpha_b\sigma_b^2` of an accumulating fit's fresh blocks."""
        be = self.be if be is None else be
        N = be.total_rows(fit)
        return sum(
            be.rows(fit, k) / N * be.noise(fit, k) ** 2
            for k, b in enumerate(fit.blocks)
            if not b.reused_labels
        )

    def own(self, fit: ResolvedFit, with_noise: bool = True):
        """H_ff of a fresh-design fit (materialised)."""
        be = self.be
        ing = be.ingredients(fit)
        mix = self.mixed(fit)
        Hb, Kb = self.Hbar(mix), self.Kbar(mix)
        c2 = be.c2
        out = ing.q**2 * c2 + ing.w * be.tr(ing.g * c2) * ing.g
        noise = sum(a * be.noise(fit, k) ** 2 for k, (a, _) in enumerate(mix)) if with_noise else None
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


def _fraction(a: int, b: int) -> Fraction:
    return Fraction(a, b)


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def propagate(backend, pipeline: Pipeline, kinds: dict[str, FitKind] | None = None) -> _State:
    """The memoised moment state of ``pipeline`` on ``backend``."""
    return _State(backend, pipeline, fit_kinds(pipeline) if kinds is None else kinds)


def _own_noise(be, last: ResolvedFit, gamma: dict):
    """sum of gamma^2 sigma^2 over the labels the last fit draws itself (its own backend)."""
    acc = 0
    for k, b in enumerate(last.blocks):
        if not b.reused_labels and b.label_id in gamma:
            acc = acc + be.exact(gamma[b.label_id] ** 2) * be.noise(last, k) ** 2
    return acc


def with_stacked_teacher(state: _State, K, H) -> _State:
    """A view of ``state`` whose last fit (one fresh block) is taught by a pseudo-fit with the
    moments ``K``, ``H``: several candidate teachers stacked along the settings axis, so that one
    contraction gives the last fit's error for each of them (a grid over ``n`` of a chain)."""
    import copy
    from dataclasses import replace as _replace

    names = list(state.fits)
    last = state.fits[names[-1]]
    if len(last.blocks) != 1 or state.kinds[last.name].kind != "fresh":
        raise ValueError(f"fit {last.name!r}: stacked teachers need a last fit with one block on fresh rows")
    new = copy.copy(state)
    new.fits = {name: state.fits[name] for name in names[:-1]}
    new.fits[STACKED_TEACHER] = _replace(last, name=STACKED_TEACHER)
    new.fits[last.name] = _replace(last, blocks=(_replace(last.blocks[0], teacher=STACKED_TEACHER),))
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
    if kind.kind == "projected":  # w_last = P_D w0 + pinv(X_D) (weighted noises), exactly
        root = kind.teacher
        gamma = state.gamma(last.name)
        C_root = state.be.ingredients(state.fits[root]).C
        upstream_part = _add(
            state.root_moment(root),
            state.be.noise_vector(
                state.fits[root],
                state.be.ingredients(state.fits[root]),
                state.noise_weight(gamma, gamma, own=last.name, keep=False),
            ),
        )
        own = _own_noise(be, last, gamma)
        return {
            "clean_bias": be.zero(),
            "variance": be.check_noise(last, own * upstream.trace_ell(C_root), own),
            "collapse": upstream.trace_ell(upstream_part),
        }
    if kind.kind == "incremental":  # e_last = e_g + S^-1 X_new' eps_new, exactly
        ing = be.ingredients(last)
        be.require_full_rank(last, be.total_rows(last), "accumulating least squares")
        noise = state.new_noise(last, be)
        return {
            "clean_bias": be.zero(),
            "variance": be.check_noise(last, noise * ing.Cscale * be.df2(ing), noise),
            "collapse": upstream.trace_ell(state.h(kind.teacher, kind.teacher)),
        }
    ing = be.ingredients(last)
    N = be.total_rows(last)
    mix = [(be.rows(last, k) / N, b.teacher) for k, b in enumerate(last.blocks)]
    df2 = be.df2(ing)  # tr(Sigma g)
    trC = ing.Cscale * df2  # tr(Sigma C)
    clean_bias = (ing.kappa**2 + ing.w * df2) * be.gc2(ing)  # tr(Sigma q^2 c^2) + w df2 tr(g c^2)
    noise = sum(a * be.noise(last, k) ** 2 for k, (a, _) in enumerate(mix))
    variance = be.check_noise(last, trC * noise, noise)
    collapse = be.zero()
    if all(t == TRUTH for _, t in mix):  # clean fit: no vector is needed
        return {"clean_bias": clean_bias, "variance": variance, "collapse": collapse}
    vp2, vpq, vg = be.last_vectors(ing)
    for a_b, t_b in mix:
        kb = state.k(t_b)
        if kb is not None:
            collapse = (
                collapse - 2 * a_b * upstream.cross(vpq, kb) + 2 * a_b * ing.w * df2 * upstream.cross(vg, kb)
            )
        for a_c, t_c in mix:
            hbc = state.h(t_b, t_c)
            if hbc is not None:
                coef = a_b * a_c
                collapse = collapse + coef * (
                    upstream.cross(vp2, hbc)
                    + ing.w * df2 * upstream.cross(vg, hbc)
                    - trC * upstream.trace_ell(hbc)
                )
        hbb = state.h(t_b, t_b)
        if hbb is not None:
            collapse = collapse + be.check_noise(last, trC * a_b * upstream.trace_ell(hbb), None)
    return {"clean_bias": clean_bias, "variance": variance, "collapse": collapse}
