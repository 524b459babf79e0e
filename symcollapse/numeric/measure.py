r"""Spectral sums for any summand on any spectrum, as a fixed discrete *spectral measure*.

Every functional of the theory is a sum over the modes of a spectrum
:math:`(\lambda_j, c_j)_{j\le d}`,

.. math::
    S[g] = \sum_{j=1}^{d} g(\lambda_j, c_j^2) \;\approx\; \sum_{i=1}^{N} w_i\, g(l_i, c^2_i),

and a :class:`SpectralMeasure` is the list of nodes :math:`(l_i, c^2_i)` with weights :math:`w_i`
that turns it into a weighted sum.  The measure does not depend on :math:`g`: it can carry the state
vectors of a recursion over the modes, and every summand is evaluated on the same :math:`N` nodes.

**Explicit spectra** (arrays of eigenvalues and coefficients): the nodes are the eigenvalues,
:math:`c^2_i=c_i^2`, :math:`w_i=1`, ``exact=True``; :meth:`SpectralMeasure.sum` is then the plain
(pairwise) ``values.sum(-1)``.  So is a :class:`~symcollapse.PowerLaw` with
:math:`d\le` ``EXPLICIT_MAX`` = 2000.

**Power laws** (:math:`\lambda_k=k^{-\beta}`, :math:`c_k^2=s^2k^{-\delta}`, large or infinite
:math:`d`).  With :math:`f(x)=g(x^{-\beta}, s^2x^{-\delta})` the first :math:`K` = ``HEAD`` = 128
modes are nodes of weight 1 and the tail is the midpoint Euler-Maclaurin formula

.. math::
    \sum_{k=K+1}^{d} f(k) = \int_{K+1/2}^{d+1/2} f(x)\,dx
    + \sum_{j=1}^{3}\frac{B_{2j}(\tfrac12)}{(2j)!}\Big[f^{(2j-1)}\big(d+\tfrac12\big)
    - f^{(2j-1)}\big(K+\tfrac12\big)\Big] + R_4,
    \qquad B_2(\tfrac12)=-\tfrac1{12},\ B_4(\tfrac12)=\tfrac7{240},\ B_6(\tfrac12)=-\tfrac{31}{1344}

(upper-end terms absent for :math:`d=\infty`).  The integral is taken in :math:`t=\log x`,
:math:`\int f(e^t)e^t\,dt`, by composite Gauss-Legendre panels of ``NODES`` = 16 nodes: a node
:math:`t_i` carries :math:`l_i=e^{-\beta t_i}`, :math:`c^2_i=s^2e^{-\delta t_i}` (``normalize`` is
in :math:`s`) and weight :math:`\tfrac{h}{2}\omega_i e^{t_i}`.  The derivatives are those of the
degree-15 Legendre interpolant of :math:`G(t)=f(e^t)` on the end panel,
:math:`f^{(j)}(x)=x^{-j}D(D-1)\cdots(D-j+1)G`, :math:`D=d/dt`, so they are linear in the node values
and are folded into the weights of that panel (weights may be negative).  With :math:`x_0=K+\tfrac12`
the remainder is :math:`|R_4|\lesssim\frac{B_8(1/2)}{8!}|f^{(7)}(x_0)|`, of relative size
:math:`\lesssim 10^{-6}C_7x_0^{-7}f(x_0)` with :math:`|x^jf^{(j)}|\le C_jf`: negligible for :math:`K=128`.

*Panels.*  A summand rational in :math:`l` with poles at :math:`l=-\kappa` has, as a function of
:math:`t`, poles at :math:`t=-\tfrac{\log\kappa}{\beta}\pm\tfrac{i\pi(2m+1)}{\beta}`: it is analytic in
the strip :math:`|\operatorname{Im}t|<\pi/\beta` whatever :math:`\kappa`, and the poles sit above
:math:`\operatorname{Re}t=t_\kappa` where :math:`l(x)=\kappa`;  powers of :math:`c^2` and of
:math:`l` (including :math:`1/l`) are entire.  Every panel is chosen so that the nearest possible
pole (:math:`\kappa\ge\kappa_{\min}`, i.e. :math:`\operatorname{Re}t\le t_P=-\log\kappa_{\min}/\beta`)
lies outside its Bernstein ellipse of parameter :math:`\rho_0` = ``RHO`` = 6, so the Gauss error is
:math:`O(\rho_0^{-2n})=O(10^{-25})` times the size of the summand near the pole.  Where
:math:`\kappa_{\min}\le l(x)\le l(x_0)` (:math:`t\le t_P`) this gives panels of width
:math:`2\pi/(\beta a)\approx 2.15/\beta`, :math:`a=(\rho_0-\rho_0^{-1})/2`, i.e. about
:math:`16\cdot a/(2\pi)\approx 7.4` nodes per :math:`e`-fold (17 per decade) of :math:`l`; beyond
:math:`t_P` (where :math:`l<\kappa_{\min}` and every summand is a sum of pure powers of :math:`x`) the
width grows linearly with the distance :math:`t-t_P` (geometric panels).  For finite :math:`d` the
widths also shrink towards :math:`t=\log(d+\tfrac12)` (at most :math:`8/(\beta+2)` there, so that
growing summands such as :math:`1/l` or :math:`(l+\kappa)^{-2}` stay exact).  ``kappa_min=None``
with finite :math:`d` means every :math:`\kappa>0` (poles anywhere in :math:`[t_0,\log d]`).

*Infinite d.*  As :math:`x\to\infty` a summand :math:`\sim l^i(c^2)^b` (:math:`i\ge0`,
:math:`b\in\{0,1\}`, times its expansion in powers of :math:`l/\kappa`) has
:math:`f(e^t)e^t=\sum_pA_pe^{-pt}` with :math:`p\in\{i\beta+b\delta-1\}`; the sum converges when
every such :math:`p>0` (so :math:`1/l` and :math:`(l+\kappa)^{-2}` are for finite :math:`d` only).
Let :math:`p_{\min}>0` be the smallest of them (:math:`\beta-1`, or :math:`\delta-1+i\beta` when
smaller: e.g. :math:`\beta+\delta-1` for :math:`r<\tfrac12-\tfrac1{2\beta}`).  The panels stop at
:math:`T=t_s+\log(1/\mathrm{rtol})/p_{\min}`, :math:`t_s=\max(t_P,\log x_0)`, where every term is below
``rtol`` of its share of the sum, and in any case at :math:`x=e^T\le10^{249}` (float range; binds
only for :math:`\beta\lesssim1.05`).  :math:`\int_T^\infty` is added exactly for the exponents
:math:`p` not yet below ``rtol*1e-3`` at :math:`T`, by weights :math:`v_i` on the last panel with
:math:`\sum_iv_ie^{-p(t_i-T)}=1/p` (minimum norm).  Panel widths there are at most
:math:`6/p_{\min}`.  Summands decaying more slowly than :math:`x^{-1-p_{\min}}` (e.g.
:math:`c^2/l` for :math:`r` slightly above 1) are outside this class.

**Node count** (``HEAD`` + 16 per panel).  About :math:`16\,a/(2\pi)\approx7.4` nodes per
:math:`e`-fold (17 per decade) of :math:`l` between :math:`l(x_0)=x_0^{-\beta}` and
:math:`\kappa_{\min}`, plus a few geometric panels beyond: :math:`N\approx
128+17\log_{10}(x_0^{-\beta}/\kappa_{\min})+O(\log\log)`, independent of :math:`d` once
:math:`d^{-\beta}\ll\kappa_{\min}`.  Measured for :math:`1.05\le\beta\le3`, :math:`\kappa_{\min}` =
1e-12: 336-464 nodes for ``d=None``, 256-336 for ``d=10**9``, at most 400 for ``d=10**18``; about 100
fewer for :math:`\kappa_{\min}` = 1e-6.  With ``kappa_min=None`` and finite :math:`d` (every
:math:`\kappa>0`) the dense part reaches :math:`l(d)`: :math:`\approx17\beta` more nodes per decade
of :math:`d` (e.g. 496 for :math:`\beta=3`, :math:`d=10^9`).

**Accuracy.**  Relative error :math:`\lesssim10^{-14}` for summands smooth in :math:`(l, c^2)` with
poles at :math:`l=-\kappa`, :math:`\kappa\ge\kappa_{\min}` (worst measured 7.3e-15 against direct
sums over :math:`10^6` modes, :math:`\beta\in\{1.05,1.5,2,3\}`, :math:`\kappa\in[10^{-10},10^3]`;
~1e-16 against 30-digit references for ``d=None``; see ``tests/test_measure.py``).  For
:math:`\kappa<\kappa_{\min}` the error grows smoothly (measured: < 1e-12 down to
:math:`\kappa_{\min}/100`, ~1e-10 at :math:`\kappa_{\min}/10^6`, up to 1e-7 at :math:`\kappa_{\min}/10^9`).
:meth:`SpectralMeasure.error_estimate` compares with a coarser measure on the same panels (10 nodes
per panel, Euler-Maclaurin to :math:`f'''`): pessimistic (up to ~1e-10 relative where the error is
~1e-15), but it grows with the error when :math:`\kappa<\kappa_{\min}`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from numpy.polynomial import legendre as L

from symcollapse._validation import as_spectrum
from symcollapse.numeric.power_law import PowerLaw

__all__ = ["SpectralMeasure", "spectral_measure", "spectral_sum"]

HEAD = 128  # power law: modes k = 1..HEAD are explicit nodes
EXPLICIT_MAX = 2000  # power law with d <= this: every mode is a node
NODES = 16  # Gauss-Legendre nodes per panel
COARSE_NODES = 10  # ... of the coarse companion measure (error estimate)
RHO = 6.0  # Bernstein ellipse parameter that the nearest pole must exceed
GROWTH_END = 0.5  # finite d: panel width <= 8/(beta+2) + GROWTH_END * (distance to the end)
WIDTH_FAR = 6.0  # d=None: panel width <= WIDTH_FAR / p_min
DEFAULT_KAPPA_MIN = 1e-12  # d=None with kappa_min=None
T_CAP = math.log(1e249)  # largest log x of a node (weights ~ x stay finite)
_CHUNK = 1 << 24  # elements per block in spectral_sum

_EM = ((1, -1.0 / 24.0), (3, 7.0 / 5760.0), (5, -31.0 / 967680.0))  # (order, B_{2j}(1/2)/(2j)!)
# D(D-1)...(D-j+1) as coefficients of D^0, D^1, ...
_FALLING = {1: (0, 1), 3: (0, 2, -3, 1), 5: (0, 24, -50, 35, -10, 1)}

Summand = Callable[..., Any]


@dataclass(frozen=True, eq=False)
class SpectralMeasure:
    r"""Nodes :math:`(l_i, c^2_i)` and weights :math:`w_i` with
    :math:`\sum_{j\le d}g(\lambda_j,c_j^2)\approx\sum_iw_i\,g(l_i,c^2_i)` for every admissible
    :math:`g` (see the module docstring).

    Attributes
    ----------
    eigenvalues : node eigenvalues :math:`l_i` (float64, > 0)
    c2 : squared target coefficient :math:`c^2_i` at each node
    weights : quadrature weights (1.0 for explicit eigenvalues; any real otherwise)
    d : number of modes the measure stands for (None: infinitely many)
    exact : True when the nodes are the eigenvalues themselves
    coarse : companion measure with fewer nodes on the same panels (None when ``exact``), used by
        :meth:`error_estimate`
    """

    eigenvalues: np.ndarray
    c2: np.ndarray
    weights: np.ndarray
    d: int | None
    exact: bool
    coarse: SpectralMeasure | None = field(default=None, repr=False)
    _unit: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        arrays = {}
        for name in ("eigenvalues", "c2", "weights"):
            arr = np.array(getattr(self, name), dtype=float)
            if arr.ndim != 1:
                raise ValueError(f"{name} must be a 1-D array, got shape {arr.shape}")
            arr.setflags(write=False)
            arrays[name] = arr
        sizes = {arr.size for arr in arrays.values()}
        if len(sizes) != 1:
            raise ValueError(
                f"eigenvalues, c2 and weights must have the same length, got "
                f"{[arr.size for arr in arrays.values()]}"
            )
        if not np.all(arrays["eigenvalues"] > 0) or not np.all(np.isfinite(arrays["eigenvalues"])):
            raise ValueError("node eigenvalues must be finite and > 0")
        for name, arr in arrays.items():
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "_unit", bool(self.exact and np.all(arrays["weights"] == 1.0)))

    def __repr__(self) -> str:
        return f"SpectralMeasure(size={self.size}, d={self.d!r}, exact={self.exact!r})"

    @property
    def size(self) -> int:
        """Number of nodes N."""
        return int(self.weights.size)

    def sum(self, values: Any) -> np.ndarray:
        r""":math:`\sum_iw_i\,v_{\dots,i}`: contracts the last axis of ``values`` (length N) with
        the weights (``values @ weights``; plain pairwise ``values.sum(-1)`` for an exact measure)."""
        values = np.asarray(values)
        if values.shape[-1:] != (self.size,):
            raise ValueError(
                f"values must have a last axis of length {self.size} (one per node), got shape {values.shape}"
            )
        if self._unit:
            return values.sum(axis=-1)
        return values @ self.weights

    def error_estimate(self, summand: Summand, *args: Any) -> np.ndarray:
        r"""Estimated absolute error of :func:`spectral_sum` ``(self, summand, *args)``.

        :math:`|S-S_{\text{coarse}}|` (coarse: 10 instead of 16 nodes per panel and the
        Euler-Maclaurin series one order shorter, same panels) plus the rounding bound
        :math:`8\varepsilon\sum_i|w_ig_i|`.  For admissible summands the coarse error dominates,
        so this overestimates the error of the fine measure (typically by orders of magnitude);
        it is large when :math:`\kappa<\kappa_{\min}` or the summand is not smooth in :math:`l`.
        An exact measure gets the rounding bound only."""
        fine = spectral_sum(self, summand, *args)
        rounding = 8.0 * np.finfo(float).eps * _reduce(self, summand, args, absolute=True)
        if self.coarse is None:
            return rounding
        return np.abs(fine - spectral_sum(self.coarse, summand, *args)) + rounding


def _reduce(measure: SpectralMeasure, summand: Summand, args: tuple, absolute: bool = False):
    expanded = [np.asarray(a)[..., None] for a in args]
    lead = np.broadcast_shapes(*(np.shape(a) for a in args)) if args else ()
    n = measure.size
    step = max(1, _CHUNK // max(1, math.prod(lead)))
    if step >= n:
        chunks = [slice(0, n)]
    else:
        chunks = [slice(s, min(s + step, n)) for s in range(0, n, step)]
    total = None
    for sl in chunks:
        vals = np.asarray(summand(measure.eigenvalues[sl], measure.c2[sl], *expanded))
        vals = np.broadcast_to(vals, np.broadcast_shapes(vals.shape, (sl.stop - sl.start,)))
        if absolute:
            part = np.abs(vals) @ np.abs(measure.weights[sl])
        elif len(chunks) == 1:
            part = measure.sum(vals)
        else:
            part = vals.sum(axis=-1) if measure._unit else vals @ measure.weights[sl]
        total = part if total is None else total + part
    return total


def spectral_sum(measure: SpectralMeasure, summand: Summand, *args: Any) -> np.ndarray:
    r""":math:`\sum_iw_i\,g(l_i,c^2_i,\text{args})`, i.e. :math:`\sum_{j\le d}g(\lambda_j,c_j^2,\dots)`.

    ``summand(l, c2, *args)`` must be vectorised (elementwise in the nodes); each argument gets a
    trailing node axis (``a[..., None]``), so array arguments broadcast against each other and
    the result has their broadcast shape.  Example: ``spectral_sum(m, lambda l, c2, k: l / (l + k),
    kappa)`` is :math:`\mathrm{df}_1(\kappa)` for every entry of ``kappa``.  Large problems are
    evaluated in blocks of nodes (then an exact measure sums block by block)."""
    return _reduce(measure, summand, args)


# ---------------------------------------------------------------------------------- quadrature
@cache
def _gauss(n: int) -> tuple[np.ndarray, np.ndarray]:
    return L.leggauss(n)


@cache
def _endpoint_rows(n: int, side: float) -> np.ndarray:
    """``rows[j] @ values`` = j-th y-derivative (j = 0..5) at y = side of the polynomial of degree
    n-1 through the values at the n Gauss-Legendre nodes on [-1, 1]."""
    x, w = _gauss(n)
    # Legendre coefficients of the interpolant: a_k = (2k+1)/2 sum_i w_i P_k(x_i) v_i (exact)
    to_coef = (L.legvander(x, n - 1) * w[:, None]).T * ((2 * np.arange(n) + 1) / 2)[:, None]
    eye = np.eye(n)
    rows = np.empty((6, n))
    for j in range(6):
        at_side = np.array([L.legval(side, L.legder(eye[k], j) if j else eye[k]) for k in range(n)])
        rows[j] = at_side @ to_coef
    return rows


def _rho(z: complex, centre: float, half: float) -> float:
    """Bernstein ellipse parameter of the point z for the interval centre +- half."""
    zeta = (z - centre) / half
    root = np.sqrt(zeta - 1) * np.sqrt(zeta + 1)
    return max(abs(zeta + root), abs(zeta - root))


def _width(t: float, beta: float, t_pole: float, t_end: float, finite: bool, w_far: float) -> float:
    """Largest admissible width of the panel starting at t (bisection)."""
    im = math.pi / beta
    w_end = 8.0 / (beta + 2.0)

    def ok(w: float) -> bool:
        centre = t + 0.5 * w
        if _rho(complex(min(centre, t_pole), im), centre, 0.5 * w) < RHO:
            return False
        if finite:
            return w <= w_end + GROWTH_END * (t_end - t - w)
        return w <= w_far

    lo, hi = 0.0, 1.0 / beta
    while ok(hi) and hi < 1e4:
        lo, hi = hi, 2.0 * hi
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return max(lo, 1e-3)


def _edges(t0: float, t_end: float, beta: float, t_pole: float, finite: bool, w_far: float):
    edges = [t0]
    t = t0
    while t < t_end:
        w = _width(t, beta, t_pole, t_end, finite, w_far)
        if t + w >= t_end:
            t = t_end
        elif t + 1.5 * w >= t_end:  # no sliver at the end: split the rest in two
            t = 0.5 * (t + t_end)
        else:
            t = t + w
        edges.append(t)
    return np.array(edges)


def _tail_exponents(beta: float, delta: float, p_hi: float) -> list[float]:
    """Exponents p = i beta + b delta - 1 (i >= 0, b in {0, 1}) in (0, p_hi], sorted, merged when
    closer than 1e-9 relative."""
    out = []
    for b in (0, 1):
        base = b * delta - 1.0
        i0 = max(0, math.floor(-base / beta))
        for i in range(i0, i0 + 64):
            p = i * beta + base
            if p > p_hi:
                break
            if p > 0:
                out.append(p)
    out.sort()
    merged: list[float] = []
    for p in out:
        if not merged or p > merged[-1] * (1 + 1e-9):
            merged.append(p)
    return merged


def _remainder_weights(t_last: np.ndarray, T: float, exponents: list[float]) -> np.ndarray:
    """Weights v on the last panel with sum_i v_i exp(-p (t_i - T)) = 1/p for each p (min norm)."""
    A = np.exp(-np.outer(exponents, t_last - T))
    rhs = 1.0 / np.asarray(exponents)
    v, *_ = np.linalg.lstsq(A, rhs, rcond=1e-13)
    return v


def _tail_nodes(edges: np.ndarray, n: int, em_terms: int, finite: bool, exponents: list[float] | None):
    """Nodes t and weights of int_{x0}^{x1} f dx + Euler-Maclaurin terms (+ the d=None remainder)."""
    x, w = _gauss(n)
    a, b = edges[:-1], edges[1:]
    half = 0.5 * (b - a)
    t = (0.5 * (a + b))[:, None] + half[:, None] * x[None, :]
    weights = half[:, None] * w[None, :] * np.exp(t)  # dx = e^t dt
    ends = [(-1.0, 0, -1.0)] + ([(1.0, -1, 1.0)] if finite else [])
    for side, panel, sign in ends:
        rows = _endpoint_rows(n, side)
        scale = 1.0 / half[panel]  # d/dt = (2/h) d/dy
        x_end = math.exp(edges[0] if side < 0 else edges[-1])
        for order, coef in _EM[:em_terms]:
            row = sum(cf * scale**p * rows[p] for p, cf in enumerate(_FALLING[order]) if cf)
            weights[panel] += sign * coef * x_end**-order * row
    if exponents:
        # int_T^inf F dt, F = f(e^t) e^t: weights on the values F(t_i) = f(e^{t_i}) e^{t_i}
        weights[-1] += _remainder_weights(t[-1], edges[-1], exponents) * np.exp(t[-1])
    return t.ravel(), weights.ravel()


def _power_law_nodes(
    pl: PowerLaw, kappa_min: float | None, rtol: float, n: int, em_terms: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    beta, delta = pl.beta, pl.delta
    t0 = math.log(HEAD + 0.5)
    finite = pl.d is not None
    if pl.d is not None:
        t_end = math.log(pl.d + 0.5)
        t_pole = t_end if kappa_min is None else min(t_end, -math.log(kappa_min) / beta)
        exponents = None
        w_far = math.inf
    else:
        km = DEFAULT_KAPPA_MIN if kappa_min is None else kappa_min
        t_pole = -math.log(km) / beta
        p_min = _tail_exponents(beta, delta, math.inf)[0]
        t_start = max(t_pole, t0)
        t_end = min(t_start + math.log(1.0 / rtol) / p_min, T_CAP, 690.0 / beta)
        t_end = max(t_end, t0 + 1.0)
        # exponents whose terms are not yet below rtol * 1e-3 at T
        p_hi = (math.log(1.0 / rtol) + math.log(1e3)) / max(t_end - t_start, 1e-300)
        exponents = _tail_exponents(beta, delta, max(p_hi, p_min))[: n // 2]
        w_far = WIDTH_FAR / p_min
    edges = _edges(t0, t_end, beta, t_pole, finite, w_far)
    t, wt = _tail_nodes(edges, n, em_terms, finite, exponents)
    k = np.arange(1, HEAD + 1, dtype=float)
    eig = np.concatenate([k**-beta, np.exp(-beta * t)])
    c2 = pl.scale**2 * np.concatenate([k**-delta, np.exp(-delta * t)])
    return eig, c2, np.concatenate([np.ones(HEAD), wt])


def spectral_measure(
    eigenvalues: Any, w0: Any = None, *, kappa_min: float | None = None, rtol: float = 1e-12
) -> SpectralMeasure:
    r"""The spectral measure of a spectrum: explicit arrays ``(eigenvalues, w0)`` or a
    :class:`~symcollapse.PowerLaw` (then ``w0`` must be None).

    Parameters
    ----------
    eigenvalues, w0 : arrays of the eigenvalues of :math:`\Sigma` (> 0) and of the coefficients of
        :math:`w_0` (same length): nodes = eigenvalues, ``c2 = w0**2``, weights 1, ``exact=True``.
        Or a ``PowerLaw`` (``w0=None``): explicit nodes for :math:`d\le2000`, otherwise the
        head + Euler-Maclaurin quadrature of the module docstring.
    kappa_min : the smallest pole position :math:`\kappa` (summands with poles at
        :math:`l=-\kappa`) the quadrature must resolve.  None: every :math:`\kappa>0` for finite
        :math:`d`, ``1e-12`` for ``d=None``.  Ignored for explicit nodes.
    rtol : ``d=None`` only: the neglected far tail beyond the last panel is below ``rtol`` of the
        sum (modulo the float-range cap :math:`x\le10^{249}`, see the module docstring).
    """
    if isinstance(eigenvalues, PowerLaw):
        pl = eigenvalues
        if w0 is not None:
            raise TypeError("pass either a PowerLaw or the pair (eigenvalues, w0), not both")
        if kappa_min is not None and not (math.isfinite(kappa_min) and kappa_min > 0):
            raise ValueError(f"kappa_min must be finite and > 0, got {kappa_min!r}")
        if not (math.isfinite(rtol) and 0 < rtol < 1):
            raise ValueError(f"rtol must be in (0, 1), got {rtol!r}")
        if pl.d is not None and pl.d <= EXPLICIT_MAX:
            return spectral_measure(pl.eigenvalues(pl.d), pl.w0(pl.d))
        fine = _power_law_nodes(pl, kappa_min, rtol, NODES, 3)
        if pl.d is not None and pl.d <= fine[0].size:
            return spectral_measure(pl.eigenvalues(pl.d), pl.w0(pl.d))
        coarse = SpectralMeasure(*_power_law_nodes(pl, kappa_min, rtol, COARSE_NODES, 2), d=pl.d, exact=False)
        return SpectralMeasure(*fine, d=pl.d, exact=False, coarse=coarse)
    eigs, coefs = as_spectrum(eigenvalues, w0)
    return SpectralMeasure(eigs, coefs**2, np.ones(eigs.size), d=int(eigs.size), exact=True)
