"""Sweeps: every total at every point of a grid of parameter values, exactly.

Two ways, same numbers:

* ``exact``: one numeric build per point (what ``costmodel report`` does) — used for
  small grids and when a spec cannot be built symbolically (e.g. a swept repeat count).
* ``compiled``: a symbolic build in the swept parameters, evaluated over the whole grid
  by exact generated code (:mod:`costmodel.analysis.compiled`). The decisions the build
  could not settle (:mod:`costmodel.assumptions`: residual when C_in = out, …) are checked
  at every point; where they come out otherwise, a build with those outcomes forced
  covers the points — one compiled build per structure met in the grid.

Grid values are exact (``0.75`` is 3/4). Totals have the keys of ``report``'s JSON.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from costmodel.arith import Number, as_int
from costmodel.assumptions import RELATIONS, Assumption
from costmodel.cost import METRICS, Cost
from costmodel.errors import SpecError
from costmodel.graph import Network, build, resolve_bindings
from costmodel.spec.expr import evaluate
from costmodel.spec.load import load_spec
from costmodel.spec.schema import ModelSpec
from costmodel.units import to_bytes

__all__ = ["TOTAL_KEYS", "EXACT_LIMIT", "MAX_POINTS", "SweepResult", "sweep", "grid_values", "symbolic_network"]

TOTAL_KEYS = (*METRICS, "buffers", "mem_access_bytes")
"""The keys of every point's totals (those of ``report --format json``)."""

EXACT_LIMIT = 64
"""Grids up to this many points are evaluated point by point with ``method="auto"``."""

MAX_POINTS = 10_000_000
"""Largest grid (7 totals × 8 bytes × 10⁷ ≈ 0.6 GB); larger ones are refused before any work."""

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
    variants: int = 0
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


def _reorder(*args: Any) -> Any:
    from costmodel.analysis.compiled import reorder

    return reorder(*args)


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
        points = math.prod(len(values) for values in axes.values())
        if points > MAX_POINTS:
            raise SpecError(f"the grid has {points:,} points, more than {MAX_POINTS:,}; "
                            "sweep fewer values")
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
        result.totals, mask = _compiled(model, path, result)
        result.method = "compiled"
    if result.method == "exact":
        result.totals = {key: np.zeros(shape, dtype=object) for key in TOTAL_KEYS}
    started = time.perf_counter()
    result.exact_points = _exact(model, path, result, mask, progress)
    result.timings["exact"] = time.perf_counter() - started
    result.totals = {key: _narrow(values) for key, values in result.totals.items()}
    return result


MAX_VARIANTS = 64
"""Structural variants compiled per sweep at most; points beyond are built one by one."""


@dataclass
class _Variant:
    """One structure: its symbolic build's totals as polynomials, and its assumptions."""

    polynomials: dict[str, Any]
    assumptions: list[Assumption]


def _compiled(model: ModelSpec, path: str, result: SweepResult) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The totals by the compiled path, and the mask of points left to build one by one.

    The default symbolic build records the decisions it could not settle; each is
    evaluated at every point. Points where every assumption holds as recorded take the
    build's totals; the others are split by their outcomes and a build with those
    outcomes forced (one per structure met) covers them, until every point is covered
    or :data:`MAX_VARIANTS` builds were made. A point failing a validity requirement is
    built numerically, which reports the error as ``report`` would.
    """
    from costmodel.analysis.compiled import CompileError, Tables, parameter_groups

    names, axes = result.names, result.axes
    started = time.perf_counter()
    cache: dict[Any, Any] = {}
    variants: dict[frozenset[tuple[tuple[str, str], bool]], _Variant] = {}

    def variant(forced: dict[tuple[str, str], bool]) -> _Variant:
        key = frozenset(forced.items())
        if key not in variants:
            network = build(model, path, result.fixed, names, forced)
            variants[key] = _Variant(_polynomials(network, cache),
                                     list({a.key + (a.relation, a.lhs, a.rhs): a
                                           for a in network.assumptions}.values()))
        return variants[key]

    first = variant({})
    sets = [{s.name for s in atom.free_symbols} for poly in first.polynomials.values()
            for mono in poly for atom, _ in mono]
    sets += [_names_of(a) for a in first.assumptions]
    tables = Tables(parameter_groups(names, sets), axes)
    result.timings["build"] = time.perf_counter() - started
    shape = [len(combos) for combos in tables.combos]
    totals = {key: np.zeros(shape, dtype=np.int64) for key in TOTAL_KEYS}
    exact = np.zeros(shape, dtype=bool)
    pending: list[tuple[dict[tuple[str, str], bool], list[np.ndarray]]] = [
        ({}, [np.arange(n) for n in shape])]
    built = 0
    while pending:
        forced, region = pending.pop()
        if built >= MAX_VARIANTS:
            exact[np.ix_(*region)] = True
            continue
        built += 1
        try:
            current = variant(forced)
            outcomes = [_outcomes(current.assumptions, tables, g, region[g]) for g in range(len(shape))]
        except (SpecError, TypeError, CompileError):
            exact[np.ix_(*region)] = True
            continue
        held = [np.all(table == expected, axis=1) for table, expected in outcomes]
        matching = [index[ok] for index, ok in zip(region, held)]
        if all(len(index) for index in matching):
            try:
                values = _evaluate(current, tables, matching)
            except CompileError:
                exact[np.ix_(*matching)] = True
            else:
                _store(totals, values, matching, result.dtype)
        for g, (index, ok) in enumerate(zip(region, held)):
            if not np.all(ok):
                failed = index[~ok]
                table = outcomes[g][0][~ok]
                for row in np.unique(table, axis=0):
                    members = failed[np.all(table == row, axis=1)]
                    piece = matching[:g] + [members] + region[g + 1:]
                    pending.append((_forced(forced, current.assumptions, tables, g, row,
                                            model, path, result, piece), piece))
    result.timings["compile"] = time.perf_counter() - started - result.timings["build"]
    result.variants = len(variants)
    reordered = {key: _reorder(values, tables.groups, names, axes) for key, values in totals.items()}
    return reordered, _reorder(exact, tables.groups, names, axes)


def _names_of(assumption: Assumption) -> set[str]:
    return {s.name for side in (assumption.lhs, assumption.rhs)
            for s in getattr(side, "free_symbols", ())}


def _polynomials(network: Network, cache: dict[Any, Any]) -> dict[str, Any]:
    """Each total of ``network`` as a polynomial in atoms (summed node by node, so equal
    node costs across structural variants are expanded once)."""
    from costmodel.analysis.compiled import polynomial

    totals: dict[str, dict[Any, Fraction]] = {key: {} for key in (*METRICS, "buffers")}
    for node in network.nodes.values():
        for key, value in node.cost.as_dict().items():
            into = totals[key]
            for mono, coef in polynomial(value, cache).items():
                into[mono] = into.get(mono, 0) + coef
    return {key: {m: c for m, c in poly.items() if c} for key, poly in totals.items()}


def _outcomes(assumptions: Sequence[Assumption], tables: Any, group: int,
              index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(outcome of each assumption of ``group`` at each selected combination, the
    outcomes the build took): boolean arrays of shape (points, assumptions) and (assumptions,)."""
    from costmodel.analysis.compiled import CompileError

    if any(_group(a, tables) is None for a in assumptions):
        raise CompileError("an assumption depends on parameters of several groups")
    mine = [a for a in assumptions if _group(a, tables) == group]
    table = np.ones((len(index), len(mine)), dtype=bool)
    for k, assumption in enumerate(mine):
        lhs, rhs = (values[index] for values in tables.values([assumption.lhs, assumption.rhs], group))
        table[:, k] = np.frompyfunc(RELATIONS[assumption.relation], 2, 1)(lhs, rhs).astype(bool)
    return table, np.array([a.outcome for a in mine], dtype=bool)


def _group(assumption: Assumption, tables: Any) -> int | None:
    """The group of swept parameters the assumption depends on (None: several)."""
    found = {tables.group_of(side) for side in (assumption.lhs, assumption.rhs)
             if not isinstance(side, (int, Fraction))}
    return found.pop() if len(found) == 1 else None


def _forced(forced: dict[tuple[str, str], bool], assumptions: Sequence[Assumption], tables: Any,
            group: int, row: np.ndarray, model: ModelSpec, path: str, result: SweepResult,
            piece: list[np.ndarray]) -> dict[tuple[str, str], bool]:
    """The forced outcomes for points whose ``group`` assumptions came out as ``row``.
    A failed validity requirement is reported by a numeric build of such a point."""
    mine = [a for a in assumptions if _group(a, tables) == group]
    if any(a.kind == "valid" and bool(got) != a.outcome for a, got in zip(mine, row)):
        point: dict[str, Any] = {}
        for g, index in enumerate(piece):
            point.update(zip(tables.groups[g], tables.combos[g][int(index[0])]))
        _build_point(model, path, result, point)
    return {**forced, **{a.key: bool(got) for a, got in zip(mine, row) if a.kind == "structure"}}


def _evaluate(variant: _Variant, tables: Any, region: list[np.ndarray]) -> dict[str, np.ndarray]:
    from costmodel.analysis.compiled import evaluate_polynomial

    memo: dict[Any, np.ndarray] = {}
    return {key: evaluate_polynomial(poly, tables, region, memo)
            for key, poly in variant.polynomials.items()}


def _store(totals: dict[str, np.ndarray], values: dict[str, np.ndarray], region: list[np.ndarray],
           dtype: str) -> None:
    """Write one variant's values into the grid (Python ints where int64 would not do)."""
    access = values["mem_access"]
    if access.dtype != object and access.size and int(np.abs(access).max()) >= 2**60:
        access = access.astype(object)  # ×8 bytes at most: keep it exact
    values = {**values, "mem_access_bytes": to_bytes(access, dtype)}
    for key, value in values.items():
        if value.dtype == object and totals[key].dtype != object:
            totals[key] = totals[key].astype(object)
        totals[key][np.ix_(*region)] = value


def _build_point(model: ModelSpec, path: str, result: SweepResult,
                 point: Mapping[str, Any]) -> dict[str, int]:
    """The totals of one numeric build; an invalid point's error names the point."""
    try:
        return _totals_of(build(model, path, {**result.fixed, **point}).total, result.dtype)
    except SpecError as error:
        at = ", ".join(f"{n}={v}" for n, v in point.items())
        error.message += f" (at {at})"
        raise


def _exact(model: ModelSpec, path: str, result: SweepResult, mask: np.ndarray,
           progress: Progress | None) -> int:
    """Numeric builds at the points of ``mask``; returns how many."""
    indices = list(zip(*np.nonzero(mask)))
    for done, index in enumerate(indices):
        point = {name: result.axes[name][i] for name, i in zip(result.names, index)}
        totals = _build_point(model, path, result, point)
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
