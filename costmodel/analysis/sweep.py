"""Sweeps: every total at every point of a grid of parameter values, exactly.

Two ways, same numbers:

* ``exact``: one numeric build per point (what ``costmodel report`` does) — used for
  small grids, when a spec cannot be built symbolically, and for points where a
  structural check fails.
* ``compiled``: one symbolic build in the swept parameters, compiled into exact
  separable tables (:mod:`costmodel.analysis.compiled`) and evaluated over the whole
  grid at once; one numeric build per equality class checks the structure
  (:mod:`costmodel.analysis.structure`) and its points fall back to ``exact`` if it
  differs.

Grid values are exact (``0.75`` is 3/4). Totals have the keys of ``report``'s JSON.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from costmodel.arith import Number, as_int
from costmodel.cost import METRICS, Cost
from costmodel.errors import SpecError
from costmodel.graph import Network, build, resolve_bindings
from costmodel.spec.expr import evaluate
from costmodel.spec.load import load_spec
from costmodel.spec.schema import ModelSpec
from costmodel.units import to_bytes

__all__ = ["TOTAL_KEYS", "EXACT_LIMIT", "SweepResult", "sweep", "grid_values", "symbolic_network"]

TOTAL_KEYS = (*METRICS, "buffers", "mem_access_bytes")
"""The keys of every point's totals (those of ``report --format json``)."""

EXACT_LIMIT = 64
"""Grids up to this many points are evaluated point by point with ``method="auto"``."""

Progress = Callable[[int, int], None]


@dataclass
class SweepResult:
    """Totals over a grid: ``totals[key][i, j, …]`` is the value at ``axes`` index (i, j, …)."""

    model: str
    axes: dict[str, list[Number]]
    fixed: dict[str, Any]
    dtype: str
    totals: dict[str, np.ndarray]
    baseline: dict[str, int]
    method: str
    exact_points: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.axes)

    def points(self) -> Iterator[tuple[dict[str, Number], dict[str, int]]]:
        """(bindings, totals) for every grid point, the last axis varying fastest."""
        for index in itertools.product(*(range(len(v)) for v in self.axes.values())):
            bindings = {name: self.axes[name][i] for name, i in zip(self.axes, index)}
            yield bindings, {key: int(self.totals[key][index]) for key in TOTAL_KEYS}

    def records(self) -> list[dict[str, Any]]:
        """``[{"bindings": {...}, "totals": {...}}]``; exact values (a Fraction as text)."""
        return [{"bindings": {n: v if isinstance(v, int) else str(v) for n, v in b.items()},
                 "totals": t} for b, t in self.points()]

    def relative(self, key: str) -> np.ndarray:
        """Each point's ``key`` total as a fraction of its value at the spec's defaults."""
        return self.totals[key].astype(float) / self.baseline[key]


def grid_values(values: Sequence[Any]) -> list[Number]:
    """Exact grid values: numbers, expression text, or floats read by their shortest
    decimal form (0.75 → 3/4)."""
    result = []
    for value in values:
        if isinstance(value, float):
            value = Fraction(repr(value))
        exact = as_int(evaluate(value, {}))
        if not isinstance(exact, (int, Fraction)):
            raise SpecError(f"grid value {value!r} is not a number")
        result.append(exact)
    if not result:
        raise SpecError("a swept parameter needs at least one value")
    return result


def _totals_of(cost: Cost, dtype: str) -> dict[str, int]:
    data = cost.as_dict()
    data["mem_access_bytes"] = to_bytes(data["mem_access"], dtype)
    return {key: int(data[key]) for key in TOTAL_KEYS}


def symbolic_network(spec: ModelSpec, path: str, names: Sequence[str],
                     fixed: Mapping[str, Any]) -> Network:
    """The network built with ``names`` symbolic and ``fixed`` bound."""
    return build(spec, path, fixed, tuple(names))


def sweep(spec: str | Path | ModelSpec, *, method: str = "auto", dtype: str = "fp32",
          fixed: Mapping[str, Any] | None = None, progress: Progress | None = None,
          **axes: Sequence[Any]) -> SweepResult:
    """Every total of ``spec`` over the grid ``axes`` (parameter → values).

    ``method``: ``auto`` (exact per point up to :data:`EXACT_LIMIT` points, compiled
    beyond), ``exact`` or ``compiled``. ``fixed`` binds other parameters. ``progress`` is
    called with (done, total) while points are built one by one.
    Raises :class:`SpecError` for unknown parameters or invalid points.

    >>> sweep("specs/mobilenet_v1.yaml", alpha=[0.5, 1]).totals["maccs"].tolist()
    [149497088, 568740352]
    """
    if method not in ("auto", "exact", "compiled"):
        raise ValueError(f"method must be auto, exact or compiled, not {method!r}")
    path = "<spec>" if isinstance(spec, ModelSpec) else str(spec)
    model = spec if isinstance(spec, ModelSpec) else load_spec(spec)
    fixed = dict(fixed or {})
    try:
        grid = {name: grid_values(values) for name, values in axes.items()}
        resolve_bindings(model, fixed, tuple(grid))
        overlap = sorted(set(fixed) & set(grid))
        if overlap:
            raise SpecError(f"parameter '{overlap[0]}' is both swept and fixed")
    except SpecError as error:
        raise error.located(path=path) from None
    baseline = _totals_of(build(model, path, fixed).total, dtype)
    result = SweepResult(model.model, grid, fixed, dtype, {}, baseline, method)
    shape = [len(v) for v in grid.values()]
    mask = np.ones(shape, dtype=bool)
    result.method = "exact"
    if method == "compiled" or (method == "auto" and int(np.prod(shape)) > EXACT_LIMIT):
        try:
            result.totals, mask = _compiled(model, path, result)
            result.method = "compiled"
        except SpecError:
            if method == "compiled":
                raise
    if result.method == "exact":
        result.totals = {key: np.zeros(shape, dtype=object) for key in TOTAL_KEYS}
    started = time.perf_counter()
    result.exact_points = _exact(model, path, result, mask, progress)
    result.timings["exact"] = time.perf_counter() - started
    result.totals = {key: _narrow(values) for key, values in result.totals.items()}
    return result


def _compiled(model: ModelSpec, path: str, result: SweepResult) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The totals by the compiled path, and the mask of points whose equality class failed
    the structural check (to be built one by one)."""
    from costmodel.analysis.compiled import as_exact, compile_totals, parameter_groups, reorder
    from costmodel.analysis.structure import equality_classes, signature

    names, axes = result.names, result.axes
    started = time.perf_counter()
    network = symbolic_network(model, path, names, result.fixed)
    exprs = {key: value for key, value in network.total.as_dict().items()}
    result.timings["build"] = time.perf_counter() - started
    started = time.perf_counter()
    atoms = _free_name_sets(list(exprs.values()) + [size for node in network.nodes.values()
                                                    for shape in node.outputs for size in shape])
    groups = parameter_groups(names, atoms)
    compiled = compile_totals(exprs, names, groups)
    result.timings["compile"] = time.perf_counter() - started
    started = time.perf_counter()
    totals = compiled.evaluate(axes)
    access = totals["mem_access"]
    if access.dtype != object and access.size and int(np.abs(access).max()) >= 2**59:
        access = access.astype(object)  # ×8 bytes at most: keep it exact
    totals["mem_access_bytes"] = to_bytes(access, result.dtype)
    result.timings["evaluate"] = time.perf_counter() - started
    started = time.perf_counter()
    classes = [np.array(equality_classes(network, group, axes)) for group in compiled.groups]
    expected = signature(network)
    failed = np.zeros([len(c) for c in classes], dtype=bool)
    for ids in itertools.product(*(np.unique(c) for c in classes)):
        combos = [int(np.argmax(c == i)) for c, i in zip(classes, ids)]
        point = _point(compiled.groups, combos, axes)
        index = tuple(axes[name].index(point[name]) for name in names)
        numeric = build(model, path, {**result.fixed, **point})
        exact = _totals_of(numeric.total, result.dtype)
        if signature(numeric) != expected or any(as_exact(int(totals[k][index])) != exact[k]
                                                  for k in TOTAL_KEYS):
            members = np.ones((), dtype=bool)
            for c, i in zip(classes, ids):
                members = np.logical_and.outer(members, c == i)
            failed |= members
    result.timings["verify"] = time.perf_counter() - started
    return totals, reorder(failed, compiled.groups, names, axes)


def _free_name_sets(exprs: list[Any]) -> list[set[str]]:
    """The swept names each atom (or dimension) depends on."""
    from costmodel.analysis.compiled import polynomial

    cache: dict[Any, Any] = {}
    sets = []
    for expr in exprs:
        if not hasattr(expr, "free_symbols"):
            continue
        for mono in polynomial(expr, cache):
            sets += [{str(s) for s in atom.free_symbols} for atom, _ in mono]
    return sets


def _point(groups: list[tuple[str, ...]], combos: list[int],
           axes: Mapping[str, Sequence[Any]]) -> dict[str, Any]:
    point: dict[str, Any] = {}
    for group, combo in zip(groups, combos):
        values = list(itertools.product(*(axes[name] for name in group)))[combo]
        point.update(zip(group, values))
    return point


def _exact(model: ModelSpec, path: str, result: SweepResult, mask: np.ndarray,
           progress: Progress | None) -> int:
    """Numeric builds at the points of ``mask``; returns how many."""
    indices = list(zip(*np.nonzero(mask)))
    for done, index in enumerate(indices):
        point = {name: result.axes[name][i] for name, i in zip(result.names, index)}
        try:
            totals = _totals_of(build(model, path, {**result.fixed, **point}).total, result.dtype)
        except SpecError as error:
            at = ", ".join(f"{n}={v}" for n, v in point.items())
            error.message += f" (at {at})"
            raise
        for key in TOTAL_KEYS:
            if result.totals[key].dtype != object:
                result.totals[key] = result.totals[key].astype(object)
            result.totals[key][index] = totals[key]
        if progress:
            progress(done + 1, len(indices))
    return len(indices)


def _narrow(values: np.ndarray) -> np.ndarray:
    """int64 when every value fits, Python ints otherwise."""
    if values.dtype == object and values.size and all(
            -(2**63) <= int(v) < 2**63 for v in values.flat):
        return values.astype(np.int64)
    return values
