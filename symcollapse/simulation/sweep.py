r"""``sweep``: a grid of settings x repetitions, theory and Monte-Carlo side by side per cell.

:func:`sweep` takes ranges of any parameters of a pipeline factory (by default
:func:`symcollapse.workflows.replace`: ``T``, ``lam``, ``n``, ``T0``, ``sigma``, ``sigma0``,
``lam0``, ``design``) and of the spectrum (``d``, and ``beta``, ``r`` of a power law or
``w0_norm`` of the isotropic spectrum), spans their grid, and for every cell computes the
theory's test error (:meth:`~symcollapse.Pipeline.predict`) and a Monte-Carlo estimate
(:meth:`~symcollapse.Pipeline.simulate`): ``theory``, ``mc_mean``, ``mc_stderr`` and
``z = (theory - mc_mean) / mc_stderr``, returned as an :class:`xarray.Dataset` with one
dimension per swept parameter.

* **Seeds.**  Cell ``i`` (C order over the grid) simulates with
  ``numpy.random.SeedSequence(seed, spawn_key=(i,))``, the ``i``-th child of the root
  ``SeedSequence(seed)``: the numbers depend on the grid and the seed only, never on the
  executor, the number of workers, the order in which cells finish, or an interruption.
* **Executors.**  Any :class:`concurrent.futures.Executor` (``executor=``): a Dask
  ``distributed`` client's ``client.get_executor()``, Ray's, or a process pool of your own.
  Without one, ``workers=1`` runs in this process and ``workers > 1`` in a local
  :class:`~concurrent.futures.ProcessPoolExecutor` (``spawn`` start method) created and shut
  down by the sweep.  Every simulation uses one BLAS thread (see
  :mod:`symcollapse.simulation.pipeline_simulation`), so ``workers`` = the number of cores fills the machine.
* **Store and resume.**  With ``store=PATH`` every finished cell is written at once to a Zarr
  store (open it with ``xarray.open_zarr(PATH)``): its four values, then its flag ``done``.  Run
  the same call again after an interruption and only the cells not done are computed.  A store
  holding another sweep (other grid, fixed values, reps, seed, method, spectrum or factory) is
  refused, never overwritten.  Writes are shielded from ``SIGINT`` (Ctrl-C waits for the cell
  being written), so an interrupted store is never corrupt.
* **Before any work** everything is validated: parameter names (unknown names are refused with
  the list of valid ones), ranges (non-empty, no repeats), every cell's pipeline, and the memory
  and work of every cell (:func:`symcollapse.simulation.pipeline_simulation.estimate`), against the machine's
  memory divided by the workers.  A refused request creates no store.
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import json
import math
import multiprocessing as mp
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from symcollapse._version import __version__
from symcollapse.numeric.spectra import isotropic, power_law
from symcollapse.pipeline import workflows
from symcollapse.pipeline.declaration import Pipeline
from symcollapse.simulation.pipeline_simulation import METHODS, estimate
from symcollapse.simulation.testing import z_score

__all__ = ["sweep", "SPECTRA", "OUTPUTS", "MAX_CELLS"]

#: spectra and their parameters (with defaults; ``d`` has none).
SPECTRA: dict[str, dict[str, Any]] = {
    "power_law": {"d": None, "beta": 2.0, "r": 0.375},
    "isotropic": {"d": None, "w0_norm": 1.0},
}
#: the values of each cell.
OUTPUTS = ("theory", "mc_mean", "mc_stderr", "z")
#: refuse grids with more cells than this.
MAX_CELLS = 1_000_000


@dataclass(frozen=True)
class _Task:
    index: int
    position: tuple[int, ...]
    spectrum: str
    spectrum_kwargs: dict
    factory: Callable[..., Pipeline]
    pipeline_kwargs: dict
    reps: int
    seed: int
    method: str
    max_bytes: float


def _spectrum(kind: str, kwargs: dict) -> tuple[np.ndarray, np.ndarray]:
    if kind == "power_law":
        return power_law(int(kwargs["d"]), float(kwargs["beta"]), float(kwargs["r"]))
    return isotropic(int(kwargs["d"]), float(kwargs["w0_norm"]))


def _run_cell(task: _Task) -> tuple[int, tuple[int, ...], dict[str, float]]:
    """Theory and Monte-Carlo of one cell (runs in a worker)."""
    eigs, w0 = _spectrum(task.spectrum, task.spectrum_kwargs)
    pipe = task.factory(**task.pipeline_kwargs)
    try:
        theory = float(np.asarray(pipe.predict(eigs, w0).test_error))
    except (ValueError, ArithmeticError):  # outside the theory's regime: no prediction
        theory = math.nan
    seed = np.random.SeedSequence(task.seed, spawn_key=(task.index,))
    sim = pipe.simulate(eigs, w0, reps=task.reps, seed=seed, method=task.method, max_bytes=task.max_bytes)
    z = z_score(theory, sim)
    return task.index, task.position, dict(theory=theory, mc_mean=sim.mean, mc_stderr=sim.stderr, z=z)


def _machine_bytes() -> float:
    try:
        import psutil

        return float(psutil.virtual_memory().total)
    except ImportError:  # pragma: no cover - psutil comes with distributed
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def _json_value(value: Any, where: str) -> Any:
    """A scalar of a range or a fixed value, as JSON-able Python (refuse anything else)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: a number or a string, got {value!r}")
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ValueError(f"{where}: must be finite, got {value!r}")
        return float(value)
    raise TypeError(f"{where}: a number or a string, got {type(value).__name__} {value!r}")


def _check_grid(grid: Mapping[str, Any], fixed: Mapping[str, Any], valid: Sequence[str]):
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(f"grid must be a non-empty mapping {{parameter: range of values}}, got {grid!r}")
    if not isinstance(fixed, Mapping):
        raise TypeError(f"fixed must be a mapping {{parameter: value}}, got {type(fixed).__name__}")
    for name in list(grid) + list(fixed):
        if name not in valid:
            raise ValueError(f"unknown sweep parameter {name!r}; the parameters are {sorted(valid)}")
    both = sorted(set(grid) & set(fixed))
    if both:
        raise ValueError(f"parameter(s) {both} are both swept (grid) and fixed")
    ranges: dict[str, list] = {}
    for name, values in grid.items():
        if isinstance(values, (str, bytes)) or np.ndim(values) == 0:
            values = [values]
        values = list(np.asarray(values, dtype=object).reshape(-1)) if np.ndim(values) > 1 else list(values)
        if not values:
            raise ValueError(f"grid parameter {name!r} has an empty range: give at least one value")
        vals = [_json_value(v, f"grid parameter {name!r}") for v in values]
        if len(set(map(repr, vals))) != len(vals):
            raise ValueError(f"grid parameter {name!r} repeats a value: {vals}")
        ranges[name] = vals
    fixed_vals = {k: _json_value(v, f"fixed parameter {k!r}") for k, v in fixed.items()}
    return ranges, fixed_vals


def _factory_name(factory: Callable) -> str:
    return f"{getattr(factory, '__module__', '?')}:{getattr(factory, '__qualname__', repr(factory))}"


def _signature(ranges, fixed, reps, seed, method, spectrum, factory) -> dict:
    return dict(
        kind="symcollapse.sweep",
        grid=ranges,
        fixed=fixed,
        reps=reps,
        seed=seed,
        method=method,
        spectrum=spectrum,
        factory=_factory_name(factory),
    )


@contextlib.contextmanager
def _sigint_deferred():
    """Hold SIGINT until the block ends (store writes are never cut in half)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list = []
    previous = signal.signal(signal.SIGINT, lambda *a: caught.append(a))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


class _Store:
    """The Zarr store of one sweep: created from a template, written cell by cell."""

    def __init__(self, path: Path, signature: dict, dims: list[str], ranges: dict):
        self.path, self.signature, self.dims, self.ranges = path, signature, dims, ranges
        self.shape = tuple(len(ranges[k]) for k in dims)
        self.group: Any = None  # the open zarr group (zarr ships loose index types)

    def open_or_create(self) -> np.ndarray:
        """Open a store of this sweep (returns its ``done`` mask) or create an empty one.
        Refuses a path holding anything else."""
        import zarr

        if self.path.exists():
            try:
                group = zarr.open_group(str(self.path), mode="r")
                found = json.loads(str(group.attrs.get("sweep_signature", "null")))
            except Exception:  # not a Zarr store at all
                found = None
            if not isinstance(found, dict) or found.get("kind") != "symcollapse.sweep":
                raise ValueError(
                    f"store {str(self.path)!r} exists and is not a symcollapse sweep "
                    "store: refusing to overwrite it (choose another path)"
                )
            if found != self.signature:
                diff = sorted(
                    k for k in set(found) | set(self.signature) if found.get(k) != self.signature.get(k)
                )
                raise ValueError(
                    f"store {str(self.path)!r} holds a different sweep (differs in "
                    f"{diff}): refusing to overwrite it; choose another path or "
                    "delete it"
                )
            self.group = zarr.open_group(str(self.path), mode="r+")
            return np.asarray(self.group["done"][...], dtype=bool)
        self._create()
        self.group = zarr.open_group(str(self.path), mode="r+")
        return np.zeros(self.shape, dtype=bool)

    def _create(self) -> None:
        import xarray as xr

        coords = {k: np.asarray(self.ranges[k]) for k in self.dims}
        data = {name: (self.dims, np.full(self.shape, np.nan)) for name in OUTPUTS}
        data["done"] = (self.dims, np.zeros(self.shape, dtype=np.int8))
        ds = xr.Dataset(
            data, coords=coords, attrs={"sweep_signature": json.dumps(self.signature, sort_keys=True)}
        )
        chunks = tuple(1 for _ in self.dims)
        encoding = {name: {"chunks": chunks} for name in data}
        tmp = self.path.with_name(self.path.name + f".creating-{os.getpid()}")
        try:
            with warnings_ignored():
                ds.to_zarr(str(tmp), mode="w-", encoding=encoding, consolidated=False, zarr_format=2)
            os.replace(tmp, self.path)  # the store appears complete or not at all
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def write(self, position: tuple[int, ...], values: dict[str, float]) -> None:
        with _sigint_deferred():
            for name in OUTPUTS:
                self.group[name][position] = values[name]
            self.group["done"][position] = 1


@contextlib.contextmanager
def warnings_ignored():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _integer(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def sweep(
    grid: Mapping[str, Any],
    *,
    fixed: Mapping[str, Any] | None = None,
    reps: int = 100,
    seed: int = 0,
    spectrum: str = "power_law",
    pipeline: Callable[..., Pipeline] = workflows.replace,
    method: str = "fast",
    store: str | os.PathLike | None = None,
    executor: Executor | None = None,
    workers: int = 1,
    progress: bool | None = None,
):
    """Theory and Monte-Carlo on every cell of the grid spanned by ``grid``.

    ``grid``: ``{parameter: values}``, one dimension per parameter (in that order); ``fixed``:
    ``{parameter: value}`` for the rest.  Parameters are the keyword arguments of ``pipeline``
    (a module-level callable returning a :class:`~symcollapse.Pipeline`, by default
    :func:`~symcollapse.workflows.replace`) and of the ``spectrum`` (``"power_law"``: ``d``,
    ``beta`` = 2, ``r`` = 0.375; ``"isotropic"``: ``d``, ``w0_norm`` = 1).  ``reps >= 2``
    repetitions per cell, ``seed`` an integer >= 0 (the root of every cell's ``SeedSequence``),
    ``method`` the simulator's (``"fast"`` or ``"faithful"``).  ``store``: a Zarr directory
    written cell by cell and resumed; ``executor`` any ``concurrent.futures.Executor`` (not shut
    down by the sweep), else ``workers`` local processes (1: this process); ``progress``: a tqdm
    bar (``None``: when stderr is a terminal).

    Returns an :class:`xarray.Dataset` with data variables ``theory``, ``mc_mean``,
    ``mc_stderr``, ``z`` over the grid's dimensions, and attributes ``reps``, ``seed``,
    ``method``, ``spectrum``, ``cells_computed`` (cells this call computed; the rest came from
    the store) and the fixed values.  Raises ``ValueError`` / ``TypeError`` naming
    the parameter for bad input, before any work and before creating the store.
    """
    try:
        import xarray as xr
        import zarr  # noqa: F401
    except ImportError:
        raise ImportError("sc.sweep needs xarray and zarr: pip install 'symcollapse[sweep]'") from None

    fixed = {} if fixed is None else fixed
    if spectrum not in SPECTRA:
        raise ValueError(f"spectrum must be one of {sorted(SPECTRA)}, got {spectrum!r}")
    if not callable(pipeline):
        raise TypeError(f"pipeline must be a callable returning a Pipeline, got {pipeline!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    reps = _integer(reps, "reps", 2)
    seed = _integer(seed, "seed", 0)
    workers = _integer(workers, "workers", 1)
    if executor is not None and not isinstance(executor, Executor):
        raise TypeError(f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}")
    params = [
        p.name
        for p in inspect.signature(pipeline).parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    spec_params = SPECTRA[spectrum]
    clash = sorted(set(params) & set(spec_params))
    if clash:
        raise ValueError(f"pipeline parameters {clash} clash with the spectrum's")
    ranges, fixed_vals = _check_grid(grid, fixed, params + list(spec_params))
    dims = list(ranges)
    shape = tuple(len(ranges[k]) for k in dims)
    n_cells = math.prod(shape)
    if n_cells > MAX_CELLS:
        raise ValueError(
            f"the grid has {n_cells} cells (shape {shape} over {dims}), more than "
            f"{MAX_CELLS}: sweep fewer values"
        )
    missing = [k for k, v in spec_params.items() if v is None and k not in ranges and k not in fixed_vals]
    if missing:
        raise ValueError(f"spectrum {spectrum!r} needs {missing} (in grid or fixed)")

    # every cell validated and its memory estimated before anything runs or is written
    concurrent = workers if executor is None else max(workers, 1)
    machine = _machine_bytes()
    budget = min(4 * 2**30, 0.8 * machine / concurrent)
    tasks = []
    for index, position in enumerate(itertools.product(*(range(n) for n in shape))):
        setting = dict(fixed_vals)
        setting.update({k: ranges[k][i] for k, i in zip(dims, position, strict=True)})
        skw = {k: setting.get(k, v) for k, v in spec_params.items()}
        pkw = {k: v for k, v in setting.items() if k not in spec_params}
        where = ", ".join(f"{k}={setting[k]!r}" for k in dims)
        d = skw["d"]
        if isinstance(d, bool) or not isinstance(d, int) or d < 1:
            raise ValueError(f"d must be an integer >= 1 (the dimension), got {d!r} (cell {where})")
        try:
            pipe = pipeline(**pkw)
            if not isinstance(pipe, Pipeline):
                raise TypeError(f"pipeline(...) must return a Pipeline, got {type(pipe).__name__}")
            est = estimate(pipe, d, reps, method=method, max_bytes=budget)
        except (ValueError, TypeError) as err:
            limit = (
                ""
                if "max_bytes" not in str(err)
                else f" [a sweep allows each cell min(4 GiB, 80% of this machine's "
                f"{machine / 2**30:.3g} GiB / {concurrent} concurrent worker(s))]"
            )
            raise type(err)(f"cell {where}: {err}{limit}") from None
        batch_bytes = max(est["bytes"], min(48 * 2**20, reps * est["bytes"]))
        if batch_bytes * concurrent > 0.8 * machine:  # pragma: no cover - caught by budget
            raise ValueError(
                f"cell {where} needs about {batch_bytes / 2**30:.3g} GiB per worker "
                f"x {concurrent} workers, more than this machine's "
                f"{machine / 2**30:.3g} GiB"
            )
        tasks.append(_Task(index, position, spectrum, skw, pipeline, pkw, reps, seed, method, budget))

    signature = _signature(ranges, fixed_vals, reps, seed, method, spectrum, pipeline)
    values = {name: np.full(shape, np.nan) for name in OUTPUTS}
    writer = None
    done = np.zeros(shape, dtype=bool)
    if store is not None:
        writer = _Store(Path(store), signature, dims, ranges)
        done = writer.open_or_create()
    todo = [t for t in tasks if not done[t.position]]

    bar = None
    if progress or (progress is None and sys.stderr.isatty()):
        from tqdm.auto import tqdm

        bar = tqdm(total=n_cells, initial=n_cells - len(todo), desc="sweep", unit="cell", file=sys.stderr)

    def record(result):
        _, position, cell = result
        for name in OUTPUTS:
            values[name][position] = cell[name]
        if writer is not None:
            writer.write(position, cell)
        if bar is not None:
            bar.update(1)

    own: Executor | None = None
    try:
        if executor is None and workers == 1:
            for task in todo:
                record(_run_cell(task))
        else:
            if executor is None:
                own = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"))
                pool: Executor = own
            else:
                pool = executor
            futures = [pool.submit(_run_cell, task) for task in todo]
            try:
                for fut in as_completed(futures):
                    record(fut.result())
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    finally:
        if own is not None:
            own.shutdown(wait=True, cancel_futures=True)
        if bar is not None:
            bar.close()

    if writer is not None:  # finished cells of earlier runs come from the store
        stored = xr.open_zarr(str(writer.path), consolidated=False).load()
        for name in OUTPUTS:
            values[name] = np.asarray(stored[name].values)
    coords = {k: np.asarray(ranges[k]) for k in dims}
    attrs = dict(
        reps=reps,
        seed=seed,
        method=method,
        spectrum=spectrum,
        cells_computed=len(todo),
        pipeline=_factory_name(pipeline),
        symcollapse=__version__,
        **{f"fixed_{k}": v for k, v in fixed_vals.items()},
    )
    return xr.Dataset({name: (dims, values[name]) for name in OUTPUTS}, coords=coords, attrs=attrs)


# --------------------------------------------------------------------------- TOML and the CLI
_TOML_KEYS = {"grid", "fixed", "reps", "seed", "method", "spectrum", "store", "workers"}
_RANGE_KEYS = {"start", "stop", "num", "log", "integer"}

EXAMPLE_TOML = """\
# symcollapse sweep example.toml
reps = 100                 # repetitions per cell
seed = 0                   # root of every cell's SeedSequence
spectrum = "power_law"     # or "isotropic"
store = "sweep.zarr"       # optional: written cell by cell, resumed when run again
workers = 2                # optional: local processes

[grid]                     # one dimension per key: a list, or a range table
T = [200, 400, 800]
lam = { start = 1e-4, stop = 1.0, num = 5, log = true }
n = [0, 2]

[fixed]
d = 100
T0 = 400
sigma = 0.1
sigma0 = 0.2
"""


def _toml_range(name: str, spec: dict) -> list:
    unknown = sorted(set(spec) - _RANGE_KEYS)
    missing = sorted({"start", "stop", "num"} - set(spec))
    if unknown or missing:
        raise ValueError(
            f"grid parameter {name!r}: a range table has keys start, stop, num "
            f"(and optional log, integer); unknown {unknown}, missing {missing}"
        )
    num = spec["num"]
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise ValueError(f"grid parameter {name!r}: num must be an integer >= 1, got {num!r}")
    start, stop = spec["start"], spec["stop"]
    for key, v in (("start", start), ("stop", stop)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"grid parameter {name!r}: {key} must be a number, got {v!r}")
    if spec.get("log", False):
        if start <= 0 or stop <= 0:
            raise ValueError(f"grid parameter {name!r}: a log range needs start, stop > 0")
        values = np.geomspace(start, stop, num)
    else:
        values = np.linspace(start, stop, num)
    if spec.get("integer", False):
        return sorted({int(round(v)) for v in values})
    return [float(v) for v in values]


def read_toml(path: str | os.PathLike) -> dict:
    """The keyword arguments of :func:`sweep` from a TOML file (see :data:`EXAMPLE_TOML`)."""
    import tomllib

    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not valid TOML: {err}") from None
    unknown = sorted(set(data) - _TOML_KEYS)
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {unknown}; the keys are {sorted(_TOML_KEYS)}")
    if "grid" not in data or not isinstance(data["grid"], dict):
        raise ValueError(f"{path}: needs a [grid] table of parameter ranges")
    grid = {k: _toml_range(k, v) if isinstance(v, dict) else v for k, v in data["grid"].items()}
    fixed = data.get("fixed", {})
    if not isinstance(fixed, dict):
        raise ValueError(f"{path}: [fixed] must be a table of parameter values")
    out = dict(grid=grid, fixed=fixed)
    for key in ("reps", "seed", "method", "spectrum", "store", "workers"):
        if key in data:
            out[key] = data[key]
    return out


def add_cli(sub, formatter) -> None:
    """The ``symcollapse sweep`` subcommand (added to the CLI's subparsers)."""
    p = sub.add_parser(
        "sweep",
        formatter_class=formatter,
        help="theory and Monte-Carlo on a grid (TOML file)",
        description="Run sc.sweep on the grid of a TOML file: every cell's theory, Monte-Carlo "
        "mean, standard error and z = (theory - mean)/stderr, each cell written to "
        "a Zarr store (resumed when run again) and printed. Seeds are spawned per "
        "cell, so the numbers do not depend on --workers or --scheduler.",
        epilog="example file:\n" + "\n".join("  " + ln for ln in EXAMPLE_TOML.splitlines()),
    )
    p.add_argument("file", metavar="FILE.toml", help="the sweep (grid, fixed values, reps, seed)")
    p.add_argument("--store", metavar="DIR", help="Zarr store (overrides the file's store)")
    p.add_argument(
        "--workers", metavar="N", type=int, help="local processes (default: the file's workers, else 1)"
    )
    p.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on a Dask distributed scheduler (needs the dask extra)"
    )
    p.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: %(default)s)",
    )
    p.add_argument(
        "--progress",
        choices=("auto", "on", "off"),
        default="auto",
        help="progress bar on stderr: auto = only on a terminal (default)",
    )


def cli_command(args) -> int:
    """Run ``symcollapse sweep``; bad input raises ``ValueError`` (the CLI prints it)."""
    kwargs = read_toml(args.file)
    if args.store is not None:
        kwargs["store"] = args.store
    if args.workers is not None:
        kwargs["workers"] = args.workers
    kwargs["progress"] = {"auto": None, "on": True, "off": False}[args.progress]
    client = None
    try:
        if args.scheduler:
            try:
                from distributed import Client
            except ImportError:
                raise ValueError(
                    "--scheduler needs dask distributed: pip install 'symcollapse[dask]'"
                ) from None
            client = Client(args.scheduler)
            kwargs["executor"] = client.get_executor()
        try:
            ds = sweep(**kwargs)
        except (TypeError, ImportError) as err:
            raise ValueError(str(err)) from None
    finally:
        if client is not None:
            client.close()
    _print(ds, args.format)
    return 0


def _print(ds, fmt: str) -> None:
    dims = list(ds.sizes)
    rows = []
    for position in itertools.product(*(range(ds.sizes[k]) for k in dims)):
        cell = {k: ds[k].values[i].item() for k, i in zip(dims, position, strict=True)}
        cell.update({name: float(ds[name].values[position]) for name in OUTPUTS})
        rows.append(cell)
    if fmt == "json":
        print(
            json.dumps(
                dict(
                    attrs={k: (v.item() if hasattr(v, "item") else v) for k, v in ds.attrs.items()},
                    cells=rows,
                ),
                indent=1,
            )
        )
        return
    cols = dims + list(OUTPUTS)
    if fmt == "csv":
        print(",".join(cols))
        for r in rows:
            print(",".join(f"{r[c]:.10g}" if isinstance(r[c], float) else str(r[c]) for c in cols))
        return
    text = [[f"{r[c]:.5g}" if isinstance(r[c], float) else str(r[c]) for c in cols] for r in rows]
    width = [max(len(c), *(len(t[i]) for t in text)) for i, c in enumerate(cols)]
    print("  ".join(c.rjust(w) for c, w in zip(cols, width, strict=True)))
    for t in text:
        print("  ".join(x.rjust(w) for x, w in zip(t, width, strict=True)))
    z = np.abs(ds["z"].values)
    print(
        f"# {z.size} cells, {ds.attrs['reps']} repetitions each (seed {ds.attrs['seed']}, "
        f"{ds.attrs['method']}): max |z| = {np.nanmax(z):.2f}, {int(np.sum(z > 2))} beyond 2"
    )
