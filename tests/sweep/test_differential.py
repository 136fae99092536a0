"""The compiled sweep equals per-point ``costmodel.analyze`` at EVERY point of random grids,
for every spec in specs/ with a width (``alpha``) or ``resolution`` parameter — the folder
is iterated, so a spec added later is covered without editing this file.

The grids mix values that broke the compiled path once (issue 9: α = 49 divided in
float, GhostNet at 0.97/1.17/1.95, MobileNetV3 at 0.81/1.34/1.35; α below 0.35 where
MobileNetV2 gains residual adds) with seeded random ones and odd resolutions.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from pathlib import Path

import pytest

import costmodel
from costmodel.analysis.sweep import TOTAL_KEYS
from costmodel.errors import SpecError
from costmodel.spec.load import load_spec

SPECS = sorted((Path(__file__).resolve().parents[2] / "specs").glob("*.yaml"))
AWKWARD_ALPHAS = ["0.97", "1.17", "1.95", "0.81", "1.34", "1.35", "49", "0.1", "0.25", "0.3",
                  "0.35", "0.45"]
SWEPT = ("alpha", "resolution")


def _grid(spec: Path) -> dict[str, list[object]]:
    params = load_spec(spec).params
    rng = random.Random(spec.stem)
    grid: dict[str, list[object]] = {}
    if "alpha" in params:
        grid["alpha"] = [Fraction(a) for a in rng.sample(AWKWARD_ALPHAS, 6)] + [Fraction(rng.randrange(10, 200), 100)
                                                         for _ in range(6)]
    count = 200 if len(grid) == 0 else 17      # ≥ 200 points either way (12 × 17 = 204)
    # resolution last: an invalid point is dropped by its resolution
    grid["resolution"] = rng.sample(range(64, 400), count)  # odd and even
    return grid


def _expected(spec: Path, bindings: dict[str, object]) -> dict[str, int] | None:
    """``analyze``'s totals at one point, None where the point is invalid."""
    try:
        totals = costmodel.analyze(spec, **bindings).totals.as_dict()
    except SpecError:
        return None
    return {**totals, "mem_access_bytes": 4 * totals["mem_access"]}


@pytest.mark.parametrize("spec", [s for s in SPECS if set(SWEPT) & set(load_spec(s).params)],
                         ids=lambda s: s.stem)
def test_compiled_equals_analyze_at_every_point(spec):
    grid = _grid(spec)
    names = list(grid)
    expected = {point: _expected(spec, dict(zip(names, point)))
                for point in itertools.product(*grid.values())}
    invalid = [point for point, totals in expected.items() if totals is None]
    if invalid:
        # an invalid point fails the sweep as it fails analyze (NASNet at odd resolutions);
        # then the grid without the invalid resolutions is compared
        with pytest.raises(SpecError, match="at "):
            costmodel.sweep(spec, method="compiled", **grid)
        bad = {point[-1] for point in invalid}
        grid["resolution"] = [r for r in grid["resolution"] if r not in bad]
    result = costmodel.sweep(spec, method="compiled", **grid)
    assert result.exact_points == 0  # every point on the compiled path
    compared = 0
    for bindings, totals in result.points():
        assert totals == {key: expected[tuple(bindings.values())][key] for key in TOTAL_KEYS}, bindings
        compared += 1
    assert compared >= 200 or invalid


def test_mobilenet_v2_across_its_structure_changes():
    # α = 0.10 … 0.65 (0.1 is the spec's domain minimum) in steps of 0.01 crosses the widths
    # where an inverted residual gains or loses its add (make_divisible(c·α, 8) of two stages
    # meeting at 8, 16, …): 56 α × 5
    # resolutions = 280 points, > EXACT_LIMIT, all on the compiled path, one build per
    # structure, each point equal to analyze.
    alphas = [Fraction(a, 100) for a in range(10, 66)]
    resolutions = [33, 96, 97, 161, 224]
    result = costmodel.sweep(SPECS[0].parent / "mobilenet_v2.yaml", alpha=alphas,
                             resolution=resolutions)
    assert (result.method, result.exact_points) == ("compiled", 0)
    structures = {tuple(sorted(n for n in costmodel.analyze(SPECS[0].parent / "mobilenet_v2.yaml",
                                                            alpha=a).network.nodes if n.endswith(".add")))
                  for a in alphas}
    assert result.variants == len(structures) >= 2
    for bindings, totals in result.points():
        assert totals == _expected(SPECS[0].parent / "mobilenet_v2.yaml", bindings), bindings


def test_a_swept_repeat_count_stays_compiled():
    # MobileOne's `branches` is a repeat count: each count is a structure of its own
    spec = SPECS[0].parent / "mobileone.yaml"
    grid = {"branches": [1, 2, 3, 4, 5], "resolution": list(range(96, 109))}
    result = costmodel.sweep(spec, method="compiled", **grid)
    assert (result.exact_points, result.variants) == (0, 5)
    for bindings, totals in result.points():
        assert totals == _expected(spec, bindings), bindings


def test_an_axis_longer_than_a_chunk_is_built_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    # 61 α values in pieces of at most 7 (AXIS_CHUNK lowered): the pieces' totals equal the
    # one-piece build and analyze at every point; structures are counted once, not per piece
    import costmodel.analysis.sweep_budget as budget_module

    spec = SPECS[0].parent / "mobilenet_v2.yaml"
    grid = {"alpha": [Fraction(a, 100) for a in range(10, 71)], "resolution": [96, 161]}
    whole = costmodel.sweep(spec, method="compiled", **grid)
    monkeypatch.setattr(budget_module, "AXIS_CHUNK", 7)
    pieces = costmodel.sweep(spec, method="compiled", **grid)
    assert pieces.exact_points == 0 and pieces.variants == whole.variants >= 2
    for (bindings, totals), (_, expected) in zip(pieces.points(), whole.points()):
        assert totals == expected == _expected(spec, bindings), bindings
