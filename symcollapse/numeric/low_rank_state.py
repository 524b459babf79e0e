r"""The state of a chain of exact least-squares fits, carried as a few vectors times weights.

A least-squares fit with :math:`\kappa=0` at every setting of a grid (``N >= d + 2`` rows,
``lam = 0``) has the same rule vectors :math:`p, q, g` at every setting, so the error moments of
a chain of such fits are short sums :math:`\sum_i s_i\,v_i` of fixed vectors :math:`v_i` on the
spectral nodes with per-setting weights :math:`s_i`.  :class:`LowRankState` implements the
arithmetic the pipeline engine performs on its vectors (sums, products, powers, reductions) on
that form, exactly, and materialises whenever a result would leave it; the NumPy backend
(:mod:`symcollapse.numeric.pipeline_evaluation`) contracts each fixed vector once instead of once
per setting.  ``tests/test_low_rank_state.py`` checks it equals the general path to 1e-12.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["LowRankState", "finite_factor"]


class LowRankState:
    r"""A state vector over the settings as a short sum :math:`\sum_i s_i\,v_i`: per-setting
    scalars :math:`s_i` (shape ``(U, 1, 1)``, or scalars) times fixed vectors :math:`v_i` on the
    nodes.

    A least-squares fit with :math:`\kappa=0` at every setting (``N >= d``, ``lam = 0``) has
    vectors :math:`p, q, g` that do not depend on the setting (the rules at :math:`\kappa=0`),
    so the moments of a chain of such fits are sums of a few fixed vectors with per-setting
    weights (for a chain of least-squares generators on fresh rows, :math:`H_{nn}` is one
    vector, :math:`g=\Sigma^{-1}`, times its accumulated noise).  The engine runs unchanged on
    these objects; their arithmetic is exact (the same products as on materialised arrays, up
    to the order of roundings), and anything it does not keep low-rank (a product with a
    per-setting vector) is materialised.  ``pool`` interns the vectors by value, so that equal
    vectors merge into one term.  Terms that are exactly zero (a zero vector with finite weights,
    or zero weights on a finite vector) are dropped.
    """

    __array_ufunc__ = None  # ndarray (op) LowRankState defers to the reflected operation below

    def __init__(self, terms, pool: dict):
        self.pool = pool
        if not terms:
            self.terms: list = []
            return
        merged: dict[int, list] = {}
        for s, v in terms:
            v = self._intern(v)
            entry = merged.get(id(v))
            if entry is None:
                merged[id(v)] = [s, v]
            else:
                entry[0] = entry[0] + s
        self.terms = [(s, v) for s, v in merged.values() if not self._exact_zero(s, v)]

    def _intern(self, v: np.ndarray) -> np.ndarray:
        """The pool's array equal to ``v`` (pooled arrays stay alive, so their ids are keys)."""
        if self.pool.get(("id", id(v))) is v:
            return v
        key = v.tobytes()
        hit = self.pool.get(key)
        if hit is None:
            hit = self.pool[key] = self.pool[("id", id(v))] = v
        return hit

    def _flags(self, v: np.ndarray) -> tuple[bool, bool]:
        """(all zero, all finite) of a pooled vector, computed once."""
        key = ("flags", id(v))
        if key not in self.pool:
            self.pool[key] = (not v.any(), bool(np.isfinite(v).all()))
        return self.pool[key]

    def _exact_zero(self, s, v) -> bool:
        """``s * v`` is exactly zero: a zero vector with finite weights or zero weights on a
        finite vector."""
        zero, finite = self._flags(v)
        s = np.asarray(s)
        return (zero and bool(np.isfinite(s).all())) or (finite and not s.any())

    def _product(self, op: str, v: np.ndarray, w) -> np.ndarray:
        """``v * w`` (``op == "mul"``, w pooled) or ``v ** w`` (``op == "pow"``), once per pair."""
        key = (op, id(v), w if op == "pow" else id(w))
        hit = self.pool.get(key)
        if hit is None:
            hit = self.pool[key] = self._intern(v * w if op == "mul" else v**w)
        return hit

    @classmethod
    def of(cls, v: np.ndarray, pool: dict) -> LowRankState:
        return cls([(np.float64(1.0), v)], pool)

    # -- arithmetic ------------------------------------------------------------------------
    def _new(self, terms) -> LowRankState:
        return LowRankState(terms, self.pool)

    def __add__(self, other):
        if isinstance(other, LowRankState):
            if not other.terms or not self.terms:
                return other if not self.terms else self
            return self._new(self.terms + other.terms)
        if isinstance(other, (int, float)) and other == 0:
            return self
        return self.materialise() + other

    __radd__ = __add__

    def __neg__(self):
        return self._new([(-s, v) for s, v in self.terms])

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, other):
        if not self.terms and finite_factor(other):
            return self  # exactly zero (its terms were dropped as such) times a finite factor
        if isinstance(other, LowRankState):
            return self._new(
                [(s * t, self._product("mul", v, w)) for s, v in self.terms for t, w in other.terms]
            )
        other_a = np.asarray(other)
        if other_a.ndim == 0 or other_a.shape[-1] == 1:  # per-setting scalars
            return self._new([(s * other_a, v) for s, v in self.terms])
        if other_a.ndim == 1:  # one vector on the nodes
            w = self._intern(other_a)
            return self._new([(s, self._product("mul", v, w)) for s, v in self.terms])
        return self.materialise() * other

    __rmul__ = __mul__

    def __pow__(self, k):
        if not self.terms:  # exactly zero
            return self
        if len(self.terms) == 1:
            s, v = self.terms[0]
            return self._new([(s**k, self._product("pow", v, k))])
        if k == 2:
            return self * self
        return self.materialise() ** k

    def where_positive(self, noise) -> LowRankState:
        """``np.where(noise > 0, self * noise, 0)`` for per-setting ``noise``."""
        return self._new([(np.where(noise > 0, s * noise, 0.0), v) for s, v in self.terms])

    # -- reductions ------------------------------------------------------------------------
    def materialise(self):
        out: Any = 0.0
        for s, v in self.terms:
            out = out + s * v
        return out

    def all_finite(self) -> bool:
        bound = 0.0
        for s, v in self.terms:
            if not (np.all(np.isfinite(s)) and np.all(np.isfinite(v))):
                return False
            bound = bound + float(np.max(np.abs(s), initial=0.0)) * float(np.max(np.abs(v), initial=0.0))
        return bool(np.isfinite(bound)) or bool(np.all(np.isfinite(self.materialise())))


def finite_factor(x) -> bool:
    """``x`` multiplies an exactly-zero state into an exactly-zero state: finite, and low-rank
    or per-setting scalars."""
    if isinstance(x, LowRankState):
        return x.all_finite()
    return (np.ndim(x) == 0 or np.shape(x)[-1] == 1) and bool(np.isfinite(x).all())
