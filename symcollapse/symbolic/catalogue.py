"""The catalogue of derived formulas: ``formula(name)`` and ``formulas()``.

Formulas are derived on first use and cached; nothing is re-derived per evaluation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from symcollapse.symbolic.catalogue_index import INDEX_PATH, read_index
from symcollapse.symbolic.formula import Formula, UnknownFormula
from symcollapse.symbolic.theory import (
    clean_ridge,
    collapse,
    effective_regularization,
    ols,
    overparameterized,
    power_law_asymptotics,
    ridge_generators,
    scaling_laws,
)

__all__ = ["formula", "formulas", "summaries", "write_index"]

#: the titles and regimes of every formula, written by :func:`write_index` so that listing the
#: catalogue derives nothing (``tests/test_symbolic.py`` checks it against the derivations)

_REGISTRY: dict[str, Callable[[], Formula]] = {
    "kappa_equation": effective_regularization.kappa_equation,
    "kappa_isotropic": effective_regularization.kappa_isotropic,
    "lemma_I_2": effective_regularization.lemma_I_2,
    "proposition_4_2_bias": clean_ridge.proposition_4_2_bias,
    "proposition_4_2_variance": clean_ridge.proposition_4_2_variance,
    "proposition_4_2_bias_isotropic": clean_ridge.proposition_4_2_bias_isotropic,
    "proposition_4_2_variance_isotropic": clean_ridge.proposition_4_2_variance_isotropic,
    "rho_general": collapse.rho_general,
    "rho_underparameterized": collapse.rho_underparameterized,
    "rho_underparameterized_asymptotic": collapse.rho_underparameterized_asymptotic,
    "corollary_4_4_isotropic_rho": collapse.corollary_4_4_isotropic_rho,
    "corollary_4_4_isotropic": collapse.corollary_4_4_isotropic,
    "theorem_4_1_exact": ols.theorem_4_1_exact,
    "theorem_4_1": ols.theorem_4_1,
    "theorem_4_1_schedule": ols.theorem_4_1_schedule,
    "null_predictor_threshold": overparameterized.null_predictor_threshold,
    "more_data_constant": overparameterized.more_data_constant,
    "isotropic_chain_independent": overparameterized.isotropic_chain_independent,
    "isotropic_chain_same": overparameterized.isotropic_chain_same,
    "theorem_4_5": overparameterized.theorem_4_5,
    "theorem_4_6": overparameterized.theorem_4_6,
    "theorem_4_6_schedule": overparameterized.theorem_4_6_schedule,
    "ridge_generator_mean": ridge_generators.ridge_generator_mean,
    "ridge_generator_second_moment": ridge_generators.ridge_generator_second_moment,
    "ridge_generator_error": ridge_generators.ridge_generator_error,
    "ridge_generator_one": ridge_generators.ridge_generator_one,
    "ridge_generator_chain_isotropic": ridge_generators.ridge_generator_chain_isotropic,
    "theorem_5_1": scaling_laws.theorem_5_1,
    "corollary_5_2_ell_star": scaling_laws.corollary_5_2_ell_star,
    **power_law_asymptotics.catalogue_entries(),
}


def formulas() -> list[str]:
    """Names of all catalogued formulas, in catalogue order."""
    return list(_REGISTRY)


def formula(name: str) -> Formula:
    """The catalogued :class:`Formula` called ``name`` (``UnknownFormula``, a ``ValueError``
    and ``KeyError``, for other names).

    >>> import symcollapse as sc
    >>> f = sc.formula("theorem_4_1_exact")
    >>> f.parameters
    ('T', 'T0', 'd', 'n', 'sigma', 'sigma0')
    >>> round(float(f.evaluate(d=200, n=3, T0=600, sigma=0.5, sigma0=0.5, T=400)), 6)
    0.627196
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a formula's name (a string), got {name!r}")
    try:
        factory = _REGISTRY[name]
    except (KeyError, TypeError):
        raise UnknownFormula(f"unknown formula {name!r}; known formulas: {', '.join(_REGISTRY)}") from None
    return factory()


def _summary(name: str) -> dict[str, str]:
    f = formula(name)
    return {"title": f.title, "regime": f.regime_text()}


def summaries() -> dict[str, dict[str, str]]:
    """``name -> {"title", "regime"}`` for every formula, from the index shipped with the package
    (derived afresh, slowly, for any formula the index does not hold)."""
    index = read_index()
    return {name: index.get(name) or _summary(name) for name in _REGISTRY}


def write_index(path: Path | str = INDEX_PATH) -> Path:
    """Derive every formula and write the titles and regimes to ``path`` (run it after changing a
    formula: ``python -c "from symcollapse.symbolic.catalogue import write_index; write_index()"``)."""
    path = Path(path)
    data = {name: _summary(name) for name in _REGISTRY}
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
