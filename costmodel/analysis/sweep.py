"""Sweeps: every total at every point of a grid of parameter values, exactly.

Two ways, same numbers:

* ``exact``: one numeric build per point (what ``costmodel report`` does) — used for
  small grids, and for a region of a grid that lanes cannot evaluate.
* ``compiled``: one numeric build over the whole grid at once, each swept parameter bound
  to :class:`~costmodel.lanes.Lanes` (its values along its own axis). Widths and spatial
  sizes stay separate vectors, so the build costs about as much as one ``report``; each
  total is then gathered into one exact integer matrix product. A decision that differs
  between points (MobileNetV2's residual add when C_in = C_out, below α ≈ 0.35) splits the
  grid by its outcome and each part is built again: one build per structure met.

The result carries what renderers show besides the totals: the published figures of the
spec's variants that lie on the grid, and (when asked) the closed forms. Grid values are
exact (``0.75`` is 3/4). Totals have the keys of ``report``'s JSON.
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

from costmodel.analysis.closed_form import ClosedForm, closed_forms
from costmodel.analysis.grid_axis import Axis
from costmodel.analysis.sweep_budget import WORK_LIMIT, Budget, costings
from costmodel.arith import Number, as_int, decimal_text, is_lanes, number
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

COUNTS = TOTAL_KEYS[:-1]
"""The totals a build counts; mem_access_bytes is mem_access × the element size."""

EXACT_LIMIT = 64
"""Grids up to this many points are evaluated point by point with ``method="auto"``."""

MAX_POINTS = 1_000_000
"""Largest grid; larger ones are refused before any work. 10⁶ points take 0.2–0.5 s to
evaluate, but their values, their lanes and their output grow with the grid: a 10⁶-row csv
takes 5–13 s and 0.2–0.6 GB (benchmarks/bench_sweep.py), 10⁷ would not stay within 10 s."""

Progress = Callable[[int, int], None]

Published = tuple[tuple[int, ...], dict[str, Number]]
"""(grid index, {total: published value}) of one variant on the grid."""


@dataclass
class SweepResult:
    """Totals over a grid: ``totals[key][i, j, …]`` is the value at ``axes`` index (i, j, …)."""

    model: str
    axes: dict[str, Axis]
    """Each swept parameter's exact values (a list of numbers is made an :class:`Axis`)."""
    fixed: dict[str, Any]
    dtype: str
    totals: dict[str, np.ndarray]
    baseline: dict[str, int]
    method: str
    exact_points: int = 0
    variants: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    published: list[Published] = field(default_factory=list)
    """The spec's variants whose bindings lie on the grid, with their published figures."""
    closed_forms: list[ClosedForm] = field(default_factory=list)
    """Each total as an exact expression and a relaxed polynomial (when asked)."""
    invalid: np.ndarray | None = None
    """With ``skip_invalid``: the points that are no valid network (their totals are 0)."""
    work: float = 0.0
    """Estimated seconds of builds spent (:class:`~costmodel.analysis.sweep_budget.Budget`)."""
    unbuilt: np.ndarray | None = None
    """With ``skip_invalid``: points left unbuilt (totals 0) because building them would have
    passed the work limit (after splits at invalid points or structure changes)."""

    def __post_init__(self) -> None:
        self.axes = {name: Axis.of(values) for name, values in self.axes.items()}

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


def grid_values(values: Sequence[Any]) -> Axis:
    """Exact grid values: numbers, expression text, or floats read by their shortest
    decimal form (0.75 → 3/4); an :class:`Axis` is taken as it is."""
    if isinstance(values, Axis):
        if not len(values):
            raise SpecError("a swept parameter needs at least one value")
        return values
    result: list[Number] = []
    for value in values:
        if type(value) is int or (type(value) is Fraction and value.denominator != 1):
            result.append(value)  # already exact and normal: a 10⁶-value range stays fast
            continue
        if isinstance(value, float):
            value = Fraction(repr(value))
        exact = as_int(evaluate(value, {}))
        if not isinstance(exact, (int, Fraction)):
            raise SpecError(f"grid value {value!r} is not a number")
        result.append(exact)
    if not result:
        raise SpecError("a swept parameter needs at least one value")
    return Axis.of(result)


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
          closed_form: bool = False, path: str | None = None, skip_invalid: bool = False,
          work_limit: float = WORK_LIMIT, defaults: Network | None = None,
          **axes: Sequence[Any]) -> SweepResult:
    """Every total of ``spec`` (a file, or a loaded spec read from ``path``) over the grid
    ``axes`` (parameter → values).

    ``method``: ``auto`` (exact per point up to :data:`EXACT_LIMIT` points, compiled
    beyond), ``exact`` or ``compiled``. ``fixed`` binds other parameters. ``progress`` is
    called with (done, total) while points are built one by one. ``closed_form`` adds the
    closed forms (:mod:`costmodel.analysis.closed_form`; imports sympy).
    Raises :class:`SpecError` for unknown parameters or invalid points; with
    ``skip_invalid``, a point that is no valid network (a width rounding to 0 channels) is
    marked in :attr:`SweepResult.invalid` instead, and the sweep goes on (points whose builds
    would pass the work limit after such splits are marked in :attr:`SweepResult.unbuilt`). ``work_limit``: the estimated seconds of builds allowed
    (:mod:`costmodel.analysis.sweep_budget`; what was spent is :attr:`SweepResult.work`).
    ``defaults``: the spec's network at ``fixed``, when the caller has built it already.

    >>> sweep("specs/mobilenet_v1.yaml", alpha=[0.5, 1]).totals["maccs"].tolist()
    [149497088, 568740352]
    """
    if method not in ("auto", "exact", "compiled"):
        raise ValueError(f"method must be auto, exact or compiled, not {method!r}")
    path = path or ("<spec>" if isinstance(spec, ModelSpec) else str(spec))
    model = spec if isinstance(spec, ModelSpec) else load_spec(spec)
    fixed = dict(fixed or {})
    try:
        points = math.prod(len(values) for values in axes.values())
        if points > MAX_POINTS:
            raise SpecError(f"the grid has {points:,} points, more than {MAX_POINTS:,}; "
                            "sweep fewer values")
        grid = {name: grid_values(values) for name, values in axes.items()}
        _check_domains(model, grid)
        # unknown names and invalid fixed values, as report says them (no symbols: no sympy)
        resolve_bindings(model, {**fixed, **{n: model.params[n].default if n in model.params else 0
                                             for n in grid}})
        overlap = sorted(set(fixed) & set(grid))
        if overlap:
            raise SpecError(f"parameter '{overlap[0]}' is both swept and fixed")
    except SpecError as error:
        raise error.located(path=path) from None
    if defaults is None:
        defaults = build(model, path, fixed)
    result = SweepResult(model.model, grid, fixed, dtype, {}, _totals_of(defaults.total, dtype), method)
    shape = [len(v) for v in grid.values()]
    if skip_invalid:
        result.invalid, result.unbuilt = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    budget = Budget(result.names, shape, len(defaults.nodes), work_limit, strict=not skip_invalid,
                    costed=costings(defaults))
    mask = np.ones(shape, dtype=bool)
    result.method = "exact"
    try:
        if method == "compiled" or (method == "auto" and points > EXACT_LIMIT):
            budget.compiled()
            result.totals, mask = _compiled(model, path, result, budget)
            result.method = "compiled"
        else:
            result.totals = {key: np.zeros(shape, dtype=object) for key in COUNTS}
        budget.points(int(mask.sum()))
        started = time.perf_counter()
        result.exact_points = _exact(model, path, result, mask, progress, budget)
    except SpecError as error:
        raise error.located(path=path) from None
    result.timings["exact"] = time.perf_counter() - started
    result.work = budget.spent
    result.totals = {key: _narrow(values) for key, values in result.totals.items()}
    result.totals["mem_access_bytes"] = _bytes(result.totals["mem_access"], dtype)
    result.published = _published(model, result)
    if closed_form:
        result.closed_forms = closed_forms(model, path, result)
    return result


def _check_domains(model: ModelSpec, grid: Mapping[str, Axis]) -> None:
    """Refuse a grid reaching outside a swept parameter's declared domain (an interval:
    its least and greatest values decide) before any point is built, so a range such as
    ``branches=1:70:1`` fails at once rather than after 64 builds."""
    for name, values in grid.items():
        if name in model.params and len(values):
            domain = model.params[name].domain
            for index in (np.argmin(values.tops), np.argmax(values.tops)):  # den > 0
                value = values[int(index)]
                try:
                    domain.check(value, f"parameter '{name}'")
                except SpecError as error:
                    error.message += f" (at {name}={decimal_text(value)})"
                    raise


def _published(spec: ModelSpec, result: SweepResult) -> list[Published]:
    """The spec's variants whose bindings lie on the grid (other parameters as swept: a
    parameter derived from a swept one never matches, as it differs across the grid — or
    is outside its domain at some points, which skip_invalid allows)."""
    from costmodel.lanes import Diverged

    full = tuple(np.arange(len(values)) for values in result.axes.values())
    try:
        scope = resolve_bindings(spec, {**result.fixed, **_lanes(result.axes, full)})
    except (Diverged, SpecError):
        return []
    points = []
    for variant in spec.variants:
        values = resolve_bindings(spec, {**result.fixed, **variant.bindings})
        if any(is_lanes(scope[name]) or values[name] != scope[name]
               for name in scope if name not in result.names):
            continue
        found = [result.axes[name].position(number(values[name])) for name in result.names]
        if None in found:
            continue
        index = tuple(i for i in found if i is not None)
        points.append((index, {k: number(evaluate(v, {})) for k, v in variant.published.items()}))
    return points


def _compiled(model: ModelSpec, path: str, result: SweepResult,
              budget: Budget) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The totals by the compiled path, and the mask of points left to build one by one.

    One numeric build over the whole grid, each swept parameter bound to :class:`Lanes`
    (its values along its axis), the longest axis in pieces (:meth:`Budget.chunk`); where
    a decision differs between points (:class:`~costmodel.lanes.Diverged`: a residual add
    at some widths only), the region is split by the outcome and each part built again —
    one build per structure met. A region failing as a whole (an invalid point) is halved
    until the point is alone; its numeric build then reports it as ``report`` does, naming
    the point (the earliest in grid order: regions after it are skipped; with
    ``result.invalid``, it is marked there and the sweep goes on, and regions whose builds
    the budget cannot afford are marked in ``result.unbuilt`` instead of refused). A point
    or region that lanes cannot evaluate is left to point-by-point builds. Every build is
    counted against ``budget``.
    """
    from costmodel.lanes import Diverged

    names, axes = result.names, result.axes
    shape = tuple(len(axes[name]) for name in names)
    totals: dict[str, np.ndarray] = {key: np.zeros(shape, dtype=np.int64) for key in COUNTS}
    exact = np.zeros(shape, dtype=bool)
    pending: list[Region] = []
    invalid: tuple[int, ...] | None = None
    error: SpecError | None = None
    timings = {"build": 0.0, "evaluate": 0.0}
    structures: set[tuple[str, ...]] = set()

    def wait(regions: list[Region]) -> None:  # to be built in the order given
        if result.unbuilt is not None and not budget.affords(
                len(regions), sum(sum(map(len, region)) for region in regions)):
            for region in regions:  # skip_invalid: what the budget cannot afford stays unbuilt
                result.unbuilt[np.ix_(*region)] = True
            return
        pending.extend(reversed(regions))
        budget.plan(len(regions), sum(sum(map(len, region)) for region in regions))

    wait([tuple(np.arange(n) for n in shape)])
    while pending:
        region = pending.pop()
        lanes = sum(map(len, region))
        budget.plan(-1, -lanes)
        if invalid is not None and _first(region) > invalid:
            continue
        longest = max(range(len(region)), key=lambda position: len(region[position]))
        chunk = budget.chunk(lanes - len(region[longest]))
        if len(region[longest]) > chunk:  # bounded memory: lanes are as long as an axis
            wait([region[:longest] + (piece,) + region[longest + 1:]
                  for piece in np.array_split(region[longest], -(-len(region[longest]) // chunk))])
            continue
        started = time.perf_counter()
        network = None
        halve = False
        try:
            network = build(model, path, {**result.fixed, **_lanes(axes, region)})
        except Diverged as split:
            wait(_split(region, split.key))
        except SpecError:
            if math.prod(map(len, region)) > 1:
                halve = True
            else:  # one point: invalid, or beyond lanes only
                point = _first(region)
                try:
                    _build_point(model, path, result, {n: axes[n][i] for n, i in zip(names, point)})
                    exact[point] = True
                except SpecError as found:
                    if result.invalid is not None:
                        result.invalid[point] = True
                    elif invalid is None or point < invalid:
                        invalid, error = point, found
        except (ArithmeticError, TypeError, ValueError):  # beyond lanes: point by point
            exact[np.ix_(*region)] = True
        finally:
            timings["build"] += time.perf_counter() - started
        if network is None:
            budget.spend(None, lanes)
            if halve:
                wait(_halves(region, longest))
            continue
        structure = tuple(network.nodes)
        budget.spend(len(structure), lanes)
        started = time.perf_counter()
        try:
            _store(totals, network, region)
        except ValueError:  # a total not whole somewhere: as report has it, point by point
            exact[np.ix_(*region)] = True
        else:
            structures.add(structure)
        timings["evaluate"] += time.perf_counter() - started
    if error is not None:
        raise error
    result.timings.update(timings)
    result.variants = len(structures)
    return totals, exact


def _first(region: Region) -> tuple[int, ...]:
    """The region's first point in grid order (its indices are ascending)."""
    return tuple(int(index[0]) for index in region)


def _halves(region: Region, axis: int) -> list[Region]:
    """``region`` cut in two along ``axis`` (its longest)."""
    middle = len(region[axis]) // 2
    return [region[:axis] + (part,) + region[axis + 1:]
            for part in (region[axis][:middle], region[axis][middle:])]


Region = tuple[np.ndarray, ...]
"""Indices into each axis: the grid points ``np.ix_(*region)``."""


def _lanes(axes: Mapping[str, Axis], region: Region) -> dict[str, Any]:
    """Each swept parameter's lanes over ``region``."""
    from costmodel.lanes import axis_over

    return {name: axis_over(values.tops[index], values.den, position, len(axes))
            for position, ((name, values), index) in enumerate(zip(axes.items(), region))}


def _split(region: Region, key: np.ndarray) -> list[Region]:
    """``region`` split along the first axis where ``key`` (each point's outcome of a
    decision, shaped like the region or broadcastable to it) varies."""
    for position in range(key.ndim):
        if key.shape[position] == 1:
            continue
        groups = _groups(np.moveaxis(key, position, 0).reshape(key.shape[position], -1))
        if len(groups) > 1:
            return [region[:position] + (region[position][members],) + region[position + 1:]
                    for members in groups]
    raise AssertionError("a diverged decision has one outcome")


def _groups(rows: np.ndarray) -> list[np.ndarray]:
    """The indices of equal rows, each group ascending, groups in order of first appearance
    (vectorized: a million-value axis is two sorts, not a slice per value or per group)."""
    if rows.dtype == object:
        found: dict[tuple[Any, ...], list[int]] = {}
        for i, row in enumerate(rows):
            found.setdefault(tuple(row), []).append(i)
        return [np.array(members) for members in found.values()]
    _, inverse = np.unique(rows, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    members = np.split(np.argsort(inverse, kind="stable"), np.cumsum(np.bincount(inverse))[:-1])
    return sorted(members, key=lambda group: int(group[0]))


def _store(totals: dict[str, np.ndarray], network: Network, region: Region) -> None:
    """Every count of a lanes build at every point of its region, written into the grid
    exactly (Python ints where int64 would not do). With two axes each run of consecutive
    rows is computed in place: a million points need no memory beyond the totals."""
    from costmodel.lanes import gather

    shape = tuple(len(index) for index in region)
    gathered = gather([[getattr(node.cost, key) for node in network.nodes.values()] for key in COUNTS],
                      shape)
    runs = _runs(region)
    for key, values in zip(COUNTS, gathered):
        if not values.fits and totals[key].dtype != object:
            totals[key] = totals[key].astype(object)
        target = totals[key]
        if runs and target.dtype == np.int64:
            for local, (rows, columns) in runs:
                values.write(target[rows, columns], local)
        else:
            target[np.ix_(*region)] = values.write()


def _runs(region: Region) -> list[tuple[slice, tuple[slice, slice]]]:
    """For a two-axis region whose columns are consecutive: each run of consecutive rows
    as (its rows within the region, (rows, columns) of the grid); else no runs."""
    if len(region) != 2 or not _consecutive(region[1]):
        return []
    rows, columns = region
    breaks = [0, *(np.nonzero(np.diff(rows) != 1)[0] + 1).tolist(), len(rows)]
    grid_columns = slice(int(columns[0]), int(columns[0]) + len(columns))
    return [(slice(a, b), (slice(int(rows[a]), int(rows[a]) + b - a), grid_columns))
            for a, b in zip(breaks, breaks[1:])]


def _consecutive(index: np.ndarray) -> bool:
    return bool(np.all(np.diff(index) == 1))


def _build_point(model: ModelSpec, path: str, result: SweepResult,
                 point: Mapping[str, Any]) -> Network:
    """One numeric build; an invalid point's error names the point."""
    try:
        return build(model, path, {**result.fixed, **point})
    except SpecError as error:
        at = ", ".join(f"{n}={v}" for n, v in point.items())
        error.message += f" (at {at})"
        raise


def _exact(model: ModelSpec, path: str, result: SweepResult, mask: np.ndarray,
           progress: Progress | None, budget: Budget) -> int:
    """Numeric builds at the points of ``mask``, counted against ``budget`` (an invalid point
    marked in ``result.invalid`` when it skips them); returns how many."""
    indices = list(zip(*np.nonzero(mask)))
    budget.plan_points(len(indices))
    for done, index in enumerate(indices):
        point = {name: result.axes[name][i] for name, i in zip(result.names, index)}
        try:
            network = _build_point(model, path, result, point)
        except SpecError:
            if result.invalid is None:
                raise
            result.invalid[index] = True
            network = None
        budget.spend_point(None if network is None else
                           budget.point_cost(len(network.nodes), costings(network)))
        totals = dict.fromkeys(COUNTS, 0) if network is None else _totals_of(network.total, result.dtype)
        for key in COUNTS:
            if result.totals[key].dtype != object:
                result.totals[key] = result.totals[key].astype(object)
            result.totals[key][index] = totals[key]
        if progress:
            progress(done + 1, len(indices))
    return len(indices)


def _narrow(values: np.ndarray) -> np.ndarray:
    """int64 when every value fits, Python ints otherwise (compared as Python ints: exact)."""
    if values.dtype == object and values.size and bool(
            np.all((values >= -(2**63)) & (values < 2**63))):
        return values.astype(np.int64)
    return values


def _bytes(elements: np.ndarray, dtype: str) -> np.ndarray:
    """mem_access_bytes from mem_access: × the element size, in int64 where it fits."""
    size = to_bytes(1, dtype)
    if elements.dtype == np.int64 and (not elements.size or max(
            int(elements.max()), -int(elements.min())) < 2**63 // size):
        return elements * size
    return _narrow(elements.astype(object) * size)
