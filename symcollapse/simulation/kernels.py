r"""Kernels and real data: turn a dataset and a kernel into a problem for :func:`~symcollapse.predict`,
and run the real kernel-ridge chain on the actual inputs (the paper's App. C and D.2).

**The problem.**  The :math:`N` inputs :math:`x_1,\dots,x_N` are the population (uniform
distribution).  With the kernel matrix :math:`K_{ik}=k(x_i,x_k)` and
:math:`K/N=U\operatorname{diag}(l)U^\top`, the covariance operator of the feature map has
eigenvalues :math:`l_j` and the target :math:`f_0` (its values on the population) has
function-space coefficients :math:`a=U^\top f_0/\sqrt N`, so that
:math:`\frac1N\|f_0\|^2=\sum_ja_j^2`.  In the conventions of :func:`~symcollapse.predict`,
``eigenvalues = l`` and ``w0 = a/sqrt(l)``.  Modes with :math:`l_j\le` ``rtol`` :math:`\cdot l_1`
(the numerical null space of :math:`K`) cannot be learned: their share of :math:`\|f_0\|^2` is the
``residual``, added to every error by :meth:`KernelProblem.predict`.

**The real chain** (:func:`kernel_chain`).  Generator :math:`m+1` is kernel ridge regression with
ridge :math:`\lambda_0` (per-sample normalised: :math:`\hat c=(K_{SS}+\lambda_0T_0I)^{-1}y`;
minimum-RKHS-norm interpolation at :math:`\lambda_0=0`) on :math:`T_0` inputs labelled
:math:`f_m(x)+\sigma_0\varepsilon`; the downstream model is kernel ridge with :math:`\lambda` on
:math:`T` inputs labelled by :math:`f_n` with noise :math:`\sigma`.  Protocols:

* ``"population"``: every fit draws its inputs with replacement from the :math:`N` inputs, and the
  error :math:`\frac1N\sum_i(\hat f(x_i)-f_0(x_i))^2` is exact over the population: the setting
  of the theory, with non-Gaussian features;
* ``"held_out"``: a random ``test_fraction`` of the inputs is held out once per repetition; fits
  draw without replacement from the rest, and the error is the mean over the held-out inputs.

scikit-learn is needed only by :func:`load_digits_problem` (``pip install symcollapse[kernels]``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from threadpoolctl import threadpool_limits

from symcollapse import _validation as V
from symcollapse.numeric.prediction import predict
from symcollapse.simulation.monte_carlo import SimulationResult

__all__ = [
    "KernelProblem",
    "kernel_problem",
    "rbf_kernel",
    "polynomial_kernel",
    "median_sq_distance",
    "fit_exponents",
    "kernel_chain",
    "kernel_chain_grid",
    "load_digits_problem",
    "random_fourier_features",
    "parity_target",
    "feature_problem",
    "design_trace",
]

_PSD_RTOL = 1e-8


# ------------------------------------------------------------------------------------- kernels
def _sq_distances(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    sx = np.einsum("ij,ij->i", X, X)
    sy = np.einsum("ij,ij->i", Y, Y)
    return np.maximum(sx[:, None] + sy[None, :] - 2.0 * X @ Y.T, 0.0)


def median_sq_distance(X: ArrayLike) -> float:
    """Median of :math:`\\|x_i-x_k\\|^2` over the pairs :math:`i<k` (the RBF bandwidth default)."""
    X = _inputs(X)
    D = _sq_distances(X, X)
    med = float(np.median(D[np.triu_indices(X.shape[0], 1)]))
    if not med > 0:
        raise ValueError(
            "X: the median squared distance between the inputs is 0 (most inputs "
            "coincide); pass bandwidth= explicitly"
        )
    return med


def rbf_kernel(X: ArrayLike, Y: ArrayLike | None = None, *, bandwidth: float | None = None) -> np.ndarray:
    r"""Gaussian kernel :math:`k(x,y)=\exp(-\|x-y\|^2/h)`; ``bandwidth`` :math:`h` defaults to the
    median squared distance between the inputs ``X``."""
    X = _inputs(X)
    Y = X if Y is None else _inputs(Y, "Y")
    h = median_sq_distance(X) if bandwidth is None else _positive(bandwidth, "bandwidth")
    return np.exp(-_sq_distances(X, Y) / h)


def polynomial_kernel(
    X: ArrayLike, Y: ArrayLike | None = None, *, degree: int = 5, scale: float | None = None
) -> np.ndarray:
    r"""Normalised polynomial kernel :math:`k(x,y)=\frac{(1+x^\top y/s)^p}{\sqrt{(1+\|x\|^2/s)^p(1+\|y\|^2/s)^p}}`,
    so that :math:`k(x,x)=1`; ``scale`` :math:`s` defaults to the mean of :math:`\|x_i\|^2` over ``X``."""
    X = _inputs(X)
    Y = X if Y is None else _inputs(Y, "Y")
    degree = _count(degree, "degree")
    s = float(np.mean(np.einsum("ij,ij->i", X, X))) if scale is None else _positive(scale, "scale")
    if not s > 0:
        raise ValueError(f"scale must be > 0 (all inputs are zero: pass scale=), got {s!r}")
    nx = (1.0 + np.einsum("ij,ij->i", X, X) / s) ** degree
    ny = (1.0 + np.einsum("ij,ij->i", Y, Y) / s) ** degree
    return (1.0 + X @ Y.T / s) ** degree / np.sqrt(nx[:, None] * ny[None, :])


_KERNELS: dict[str, Callable[..., np.ndarray]] = {"rbf": rbf_kernel, "polynomial": polynomial_kernel}


def random_fourier_features(
    X: ArrayLike,
    features: int,
    *,
    bandwidth: float | None = None,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    r"""Random Fourier features :math:`\phi(x)=\sqrt{2/D}\cos(Wx+b)` of the RBF kernel
    :math:`\exp(-\|x-y\|^2/h)` (:math:`W_{ij}\sim N(0,2/h)`, :math:`b\sim U[0,2\pi]`): an
    :math:`N\times D` matrix with :math:`\mathbb E\,\phi(x)^\top\phi(y)=k(x,y)`."""
    X = _inputs(X)
    features = _count(features, "features")
    V.check_memory(8.0 * features * (X.shape[0] + X.shape[1]), f"{features} random features", None)
    h = median_sq_distance(X) if bandwidth is None else _positive(bandwidth, "bandwidth")
    rng = V.generator(seed)
    W = rng.standard_normal((X.shape[1], int(features))) * np.sqrt(2.0 / h)
    b = rng.uniform(0.0, 2.0 * np.pi, int(features))
    return np.sqrt(2.0 / features) * np.cos(X @ W + b)


# ------------------------------------------------------------------------------------- problem
@dataclass(frozen=True)
class KernelProblem:
    r"""A dataset and a kernel as a problem for the theory (see the module docstring).

    ``eigenvalues`` (descending, positive) and ``w0`` go to :func:`~symcollapse.predict`;
    ``coefficients`` are the function-space :math:`a_j=c_j\sqrt{l_j}`; ``residual`` is the part of
    :math:`\frac1N\|f_0\|^2` on the numerical null space of :math:`K`; ``K`` and ``f0`` are the
    kernel matrix and the target on the population, used by :func:`kernel_chain`.
    """

    eigenvalues: np.ndarray
    w0: np.ndarray
    coefficients: np.ndarray
    residual: float
    K: np.ndarray | None = field(repr=False)
    f0: np.ndarray = field(repr=False)
    name: str = ""
    features: np.ndarray | None = field(default=None, repr=False)

    @property
    def N(self) -> int:
        """Size of the population."""
        return int(self.f0.size)

    def predict(self, **kwargs):
        """:func:`~symcollapse.predict` on this spectrum, with ``residual`` added to the error
        and to the bias (a constant no fit can remove).  Keywords as for ``predict``."""
        from dataclasses import replace

        pred = predict(self.eigenvalues, self.w0, **kwargs)
        if self.residual == 0:
            return pred
        return replace(pred, test_error=pred.test_error + self.residual, bias=pred.bias + self.residual)


def kernel_problem(
    X: ArrayLike | None,
    f0: ArrayLike,
    *,
    kernel: str | Callable | np.ndarray = "rbf",
    rtol: float = 1e-12,
    name: str = "",
    **kernel_params,
) -> KernelProblem:
    r"""The :class:`KernelProblem` of inputs ``X`` (``N x p``) and target values ``f0`` (length ``N``).

    ``kernel`` is ``"rbf"``, ``"polynomial"`` (see :func:`rbf_kernel`, :func:`polynomial_kernel`;
    ``kernel_params`` are passed on), a callable ``k(X) -> K``, or a precomputed symmetric
    ``N x N`` matrix (then ``X`` may be ``None``).  The matrix must be positive semi-definite: an
    eigenvalue below :math:`-10^{-8}\,l_1` raises ``ValueError``.  Modes with
    :math:`l_j\le` ``rtol`` :math:`l_1` go to the ``residual``.
    """
    f0 = V.as_float_array(f0, "f0")
    if f0.ndim != 1 or f0.size < 2:
        raise ValueError(
            f"f0 must be a 1-D array of the target's values on the N >= 2 inputs, got shape {f0.shape}"
        )
    if isinstance(kernel, np.ndarray):
        K = V.as_float_array(kernel, "kernel")
        if kernel_params:
            raise TypeError("kernel parameters are not used with a precomputed kernel matrix")
    elif isinstance(kernel, str):
        if kernel not in _KERNELS:
            raise ValueError(
                f"kernel must be one of {sorted(_KERNELS)}, a callable or a matrix, got {kernel!r}"
            )
        K = _KERNELS[kernel](_inputs(X), **kernel_params)
        name = name or kernel
    elif callable(kernel):
        K = V.as_float_array(kernel(_inputs(X), **kernel_params), "kernel(X)")
    else:
        raise TypeError(f"kernel must be a name, a callable or a matrix, got {type(kernel).__name__}")
    N = f0.size
    if K.shape != (N, N):
        raise ValueError(f"the kernel matrix must be N x N = {N} x {N} (one row per input), got {K.shape}")
    if not np.allclose(K, K.T, rtol=1e-10, atol=1e-12 * np.abs(K).max()):
        raise ValueError("the kernel matrix must be symmetric")
    K = 0.5 * (K + K.T)
    with threadpool_limits(limits=1, user_api="blas"):
        ev, U = np.linalg.eigh(K / N)
    ev, U = ev[::-1], U[:, ::-1]
    top = ev[0]
    if not top > 0:
        raise ValueError("the kernel matrix must be positive semi-definite and non-zero")
    if ev[-1] < -_PSD_RTOL * top:
        raise ValueError(
            f"the kernel matrix is not positive semi-definite: smallest eigenvalue of "
            f"K/N is {ev[-1]:.3g} (largest {top:.3g}); a valid kernel has all "
            f"eigenvalues >= 0 (up to -{_PSD_RTOL:g} x the largest)"
        )
    if not rtol > 0:
        raise ValueError(f"rtol must be > 0, got {rtol!r}")
    a = U.T @ f0 / np.sqrt(N)
    keep = ev > rtol * top
    residual = float(np.sum(a[~keep] ** 2))
    l, a_keep = ev[keep].copy(), a[keep].copy()
    return KernelProblem(
        eigenvalues=l,
        w0=a_keep / np.sqrt(l),
        coefficients=a_keep,
        residual=residual,
        K=K,
        f0=f0.copy(),
        name=name,
    )


def feature_problem(
    features: ArrayLike, f0: ArrayLike, *, rtol: float = 1e-12, name: str = "features"
) -> KernelProblem:
    r"""The :class:`KernelProblem` of explicit features :math:`\Phi` (``N x D``, e.g.
    :func:`random_fourier_features`), i.e. of the kernel :math:`K=\Phi\Phi^\top`, without forming
    ``K``: the eigenvalues are those of :math:`\Phi^\top\Phi/N`; the chain then fits in the primal
    (least squares on the features at ridge 0)."""
    Phi = _inputs(features, "features")
    f0 = V.as_float_array(f0, "f0")
    N = Phi.shape[0]
    if f0.shape != (N,):
        raise ValueError(f"f0 must have one value per row of features ({N}), got shape {f0.shape}")
    rtol = _positive(rtol, "rtol")
    with threadpool_limits(limits=1, user_api="blas"):
        ev, Vt = np.linalg.eigh(Phi.T @ Phi / N)
    ev, Vt = ev[::-1], Vt[:, ::-1]
    if not ev[0] > 0:
        raise ValueError("features must not be all zero (Phi' Phi has no positive eigenvalue)")
    keep = ev > rtol * ev[0]
    l, Vk = ev[keep], Vt[:, keep]
    a = (Phi @ Vk).T @ f0 / (N * np.sqrt(l))  # U = Phi V / sqrt(N l)
    residual = float(max(f0 @ f0 / N - np.sum(a**2), 0.0))
    return KernelProblem(
        eigenvalues=l.copy(),
        w0=a / np.sqrt(l),
        coefficients=a,
        residual=residual,
        K=None,
        f0=f0.copy(),
        name=name,
        features=Phi,
    )


def fit_exponents(problem: KernelProblem, *, k_range: tuple[int, int] | None = None) -> tuple[float, float]:
    r"""Capacity and source exponents :math:`(\beta, r)` fitted as Cui et al. (2021) do.

    :math:`\beta` is minus the log-log slope of :math:`l_k` against :math:`k`, and :math:`r` comes
    from the tail of the coefficients, :math:`\sum_{k\ge j}a_k^2\asymp j^{-2\beta r}` (since
    :math:`a_j^2=c_j^2l_j\asymp j^{-1-2\beta r}` under eq. (23)); both by least squares over
    ``k_range`` (default: :math:`k` from 5 to :math:`N/10`).
    """
    l, a = problem.eigenvalues, problem.coefficients
    if k_range is not None:
        kr = V.as_float_array(k_range, "k_range")
        if kr.shape != (2,) or np.any(kr != np.round(kr)):
            raise ValueError(f"k_range must be a pair of integers (lo, hi), got {k_range!r}")
        lo, hi = int(kr[0]), int(kr[1])
    else:
        lo, hi = 5, max(10, problem.N // 10)
    if not (1 <= lo < hi <= l.size):
        raise ValueError(
            f"k_range must satisfy 1 <= lo < hi <= {l.size} (the number of modes), got {(lo, hi)}"
        )
    k = np.arange(lo, hi + 1)
    beta = -np.polyfit(np.log(k), np.log(l[k - 1]), 1)[0]
    tail = np.cumsum((a**2)[::-1])[::-1] + problem.residual  # tail[j-1] = sum_{k >= j} a_k^2
    slope = np.polyfit(np.log(k), np.log(tail[k - 1]), 1)[0]
    return float(beta), float(-slope / (2.0 * beta))


def parity_target(digits: ArrayLike) -> np.ndarray:
    """The paper's target on the digits, :math:`2(\\text{digit} \\bmod 2)-1` (odd +1, even -1)."""
    return 2.0 * (np.asarray(digits) % 2) - 1.0


def load_digits_problem(kernel: str = "rbf", **kernel_params) -> KernelProblem:
    """scikit-learn's bundled ``load_digits`` (1797 8x8 images, no download) with the parity target."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "load_digits_problem needs scikit-learn: pip install 'symcollapse[kernels]'"
        ) from err
    X, y = load_digits(return_X_y=True)
    return kernel_problem(X, parity_target(y), kernel=kernel, name=f"digits-{kernel}", **kernel_params)


# ------------------------------------------------------------------------------------- chain
def _fit_primal(Phi_S: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Ridge on explicit features, ``argmin (1/T)||Phi_S w - y||^2 + lam ||w||^2`` (min-norm LS at 0)."""
    T, D = Phi_S.shape
    if lam > 0:
        return np.linalg.solve(Phi_S.T @ Phi_S / T + lam * np.eye(D), Phi_S.T @ y / T)
    return np.linalg.lstsq(Phi_S, y, rcond=None)[0]


def _fit(K_SS: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Kernel ridge dual coefficients ``(K_SS + lam T I)^-1 y``; minimum-norm interpolation at 0."""
    T = y.size
    if lam > 0:
        A = K_SS + lam * T * np.eye(T)
        return np.linalg.solve(A, y)
    return np.linalg.lstsq(K_SS, y, rcond=None)[0]


def _row_sampler(rng: np.random.Generator, pool: np.ndarray | None, N: int) -> Callable[[int], np.ndarray]:
    """Draws of ``size`` row indices: without replacement from ``pool``, or with replacement
    from all ``N`` rows when ``pool`` is None."""
    if pool is None:
        return lambda size: rng.integers(0, N, size)
    return lambda size: pool[rng.choice(pool.size, size, replace=False)]


def kernel_chain_grid(
    problem: KernelProblem,
    *,
    ns: Sequence[int],
    Ts: Sequence[int],
    T0: int,
    lam: float = 0.0,
    lam0: float = 0.0,
    sigma: float = 0.0,
    sigma0: float = 0.0,
    reps: int = 10,
    seed: int | np.random.Generator | None = None,
    protocol: str = "population",
    test_fraction: float = 0.2,
) -> dict[tuple[int, int], SimulationResult]:
    """The real kernel-ridge chain for every ``(n, T)`` of ``ns x Ts`` (see the module docstring).

    Each repetition runs one chain of ``max(ns)`` generators and fits the downstream model on
    generation ``n`` for every ``n`` and ``T``, so the cells of one repetition share their
    generators (each cell's mean and standard error are still over independent repetitions).
    Returns ``{(n, T): SimulationResult}``.
    """
    ns = [int(x) for x in V.count(ns, "ns").reshape(-1)]
    Ts = [int(x) for x in V.count(Ts, "Ts", minimum=1).reshape(-1)]
    if not ns or not Ts:
        raise ValueError("ns and Ts must be non-empty")
    T0 = int(V.count(T0, "T0", minimum=1))
    for name, value in (("lam", lam), ("lam0", lam0), ("sigma", sigma), ("sigma0", sigma0)):
        if np.ndim(value) != 0:
            raise ValueError(f"{name} must be a number")
        V.nonnegative(value, name)
    reps = int(V.count(reps, "reps", minimum=2))
    if protocol not in ("population", "held_out"):
        raise ValueError(f"protocol must be 'population' or 'held_out', got {protocol!r}")
    N = problem.N
    if protocol == "held_out":
        if not 0 < test_fraction < 1:
            raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
        n_test = max(1, int(round(test_fraction * N)))
        pool = N - n_test
        if pool < max(Ts + ([T0] if max(ns) > 0 else [])):
            raise ValueError(
                f"the held-out protocol draws without replacement from the "
                f"{pool} training inputs (N = {N} minus {n_test} held out), so T0 and T "
                f"must be <= {pool}; got T0 = {T0}, max T = {max(Ts)}"
            )
    rng = V.generator(seed)
    K, f0, Phi = problem.K, problem.f0, problem.features

    def fit(idx, y, ridge, rows=slice(None)):
        """The fitted function on the inputs ``rows``.

        ``K[rows][:, idx] @ alpha`` would gather ``T`` strided columns of the row-major Gram
        matrix; ``K`` is symmetric, so the same sum is ``K[rows] @ c`` with ``c`` the dual
        coefficients scattered onto the ``N`` inputs (``np.bincount``: repeated draws add up),
        one contiguous matrix-vector product (8x faster at T = 800, N = 1797; the gather stays
        for ``T < N / 16``).
        """
        if Phi is not None:
            return Phi[rows] @ _fit_primal(Phi[idx], y, ridge)
        assert K is not None  # a problem holds features or a Gram matrix
        alpha = _fit(K[np.ix_(idx, idx)], y, ridge)
        if 16 * idx.size < N:  # few columns: the gather is cheaper (measured at N = 1797)
            return K[rows][:, idx] @ alpha
        return K[rows] @ np.bincount(idx, weights=alpha, minlength=N)

    out = {(n, T): np.empty(reps) for n in ns for T in Ts}
    n_max = max(ns)
    with threadpool_limits(limits=1, user_api="blas"):
        for r in range(reps):
            if protocol == "held_out":
                perm = rng.permutation(N)
                test, train = perm[:n_test], perm[n_test:]
                draw = _row_sampler(rng, train, N)
            else:
                test = None
                draw = _row_sampler(rng, None, N)
            f = f0
            gens = {0: f}
            for m in range(n_max):
                idx = draw(T0)
                y = f[idx] + sigma0 * rng.standard_normal(T0)
                f = fit(idx, y, lam0)
                gens[m + 1] = f
            for n in ns:
                for T in Ts:
                    idx = draw(T)
                    y = gens[n][idx] + sigma * rng.standard_normal(T)
                    rows = slice(None) if test is None else test
                    pred = fit(idx, y, lam, rows)
                    out[(n, T)][r] = np.mean((pred - f0[rows]) ** 2)
    settings = dict(
        T0=T0,
        lam=lam,
        lam0=lam0,
        sigma=sigma,
        sigma0=sigma0,
        reps=reps,
        protocol=protocol,
        problem=problem.name,
    )
    return {
        key: SimulationResult(
            mean=float(v.mean()),
            stderr=float(v.std(ddof=1) / np.sqrt(reps)),
            samples=v,
            settings={**settings, "n": key[0], "T": key[1]},
        )
        for key, v in out.items()
    }


def design_trace(
    problem: KernelProblem, T0: int, *, designs: int = 500, seed: int | np.random.Generator | None = None
) -> SimulationResult:
    r"""Monte-Carlo of :math:`\mathbb E\operatorname{tr}[\Sigma(X_0^\top X_0)^{-1}]` over designs of
    ``T0`` rows drawn with replacement from the population of explicit ``features`` (a problem from
    :func:`feature_problem`), :math:`\Sigma=\Phi^\top\Phi/N`.  With least-squares generators and a
    ridgeless downstream fit on ``T >= D`` samples, the chain's collapse is exactly
    :math:`n\sigma_0^2` times this (Gaussian designs: :math:`D/(T_0-D-1)`)."""
    Phi = problem.features
    if Phi is None:
        raise ValueError("design_trace needs explicit features (a problem from feature_problem)")
    N, D = Phi.shape
    T0 = int(V.count(T0, "T0", minimum=1))
    if T0 < D + 2:
        raise ValueError(
            f"T0 must be >= D + 2 = {D + 2} (the mean of the inverse is infinite otherwise), got {T0}"
        )
    designs = int(V.count(designs, "designs", minimum=2))
    rng = V.generator(seed)
    Sigma = Phi.T @ Phi / N
    out = np.empty(designs)
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, designs, 50):
            B = min(50, designs - start)
            X = Phi[rng.integers(0, N, (B, T0))]
            G = np.einsum("btd,bte->bde", X, X)
            out[start : start + B] = np.trace(
                np.linalg.solve(G, np.broadcast_to(Sigma, G.shape)), axis1=1, axis2=2
            )
    return SimulationResult(
        mean=float(out.mean()),
        stderr=float(out.std(ddof=1) / np.sqrt(designs)),
        samples=out,
        settings=dict(T0=T0, designs=designs, D=D),
    )


def kernel_chain(
    problem: KernelProblem,
    *,
    T: int,
    n: int = 0,
    T0: int | None = None,
    lam: float = 0.0,
    lam0: float = 0.0,
    sigma: float = 0.0,
    sigma0: float = 0.0,
    reps: int = 10,
    seed: int | np.random.Generator | None = None,
    protocol: str = "population",
    test_fraction: float = 0.2,
) -> SimulationResult:
    """The real kernel-ridge chain for one setting (:func:`kernel_chain_grid` with one cell)."""
    if T0 is None:
        if int(V.count(n, "n")) > 0:
            raise ValueError("T0 is required when n > 0 (the sample size of each generator)")
        T0 = 1
    res = kernel_chain_grid(
        problem,
        ns=[n],
        Ts=[T],
        T0=T0,
        lam=lam,
        lam0=lam0,
        sigma=sigma,
        sigma0=sigma0,
        reps=reps,
        seed=seed,
        protocol=protocol,
        test_fraction=test_fraction,
    )
    return res[(int(n), int(T))]


# ------------------------------------------------------------------------------------- helpers
def _positive(value, name: str) -> float:
    """One finite number > 0 (``TypeError``/``ValueError`` naming ``name``)."""
    arr = V.as_float_array(value, name)
    if arr.ndim or not arr > 0:
        raise ValueError(f"{name} must be > 0 (one finite number), got {value!r}")
    return float(arr)


def _count(value, name: str, minimum: int = 1) -> int:
    """One integer >= ``minimum`` (no booleans or strings)."""
    arr = V.as_float_array(value, name)
    if arr.ndim or arr != np.round(arr) or arr < minimum or arr > 2**31:
        raise ValueError(f"{name} must be one integer in [{minimum}, 2**31], got {value!r}")
    return int(arr)


def _inputs(X, name: str = "X") -> np.ndarray:
    if X is None:
        raise TypeError(f"{name} (the inputs) is required for a named kernel")
    arr = V.as_float_array(X, name)
    if arr.ndim != 2 or arr.shape[0] < 2:
        raise ValueError(f"{name} must be an N x p array of N >= 2 inputs, got shape {arr.shape}")
    return arr
