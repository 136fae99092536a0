"""The sweep's work budget (costmodel/analysis/sweep_budget.py): a sweep too large for its
network is refused in one line — before the work when one structure is estimated, as soon
as the splits show many structures otherwise — and an invalid point inside a long chunk
is found by halving and named as the point-by-point sweep names it.

The budget counts layers and lanes, never a clock, so these outcomes are the same on any
machine; the figures in the messages follow from the constants (checked by hand below)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

import costmodel
from costmodel.analysis.sweep_budget import LANE_SECONDS, LAYER_SECONDS, WORK_LIMIT, Budget
from costmodel.cli import main
from costmodel.errors import SpecError

SPECS = Path(__file__).resolve().parents[2] / "specs"


def _one_line_exit_2(args: list[str], *words: str) -> str:
    result = CliRunner().invoke(main, ["sweep", *args, "--format", "csv"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_estimate_of_one_structure_by_hand():
    # 10⁶ values on one axis, 431 layers (GhostNetV2): chunks of 629,145,600 B (600 MiB)
    # // (48 B × 431 layers) = 30,411 values, 33 pieces:
    # 33 builds × 431 × LAYER_SECONDS + 431 × 10⁶ × LANE_SECONDS
    budget = Budget(["alpha"], [1_000_000], 431)
    pieces = -(-1_000_000 // budget.chunk(0))
    assert (budget.chunk(0), pieces) == (30_411, 33)
    expected = pieces * 431 * LAYER_SECONDS + 431 * 1_000_000 * LANE_SECONDS
    assert budget._compiled(1_000_000, 0) == pytest.approx(expected)
    assert expected > WORK_LIMIT
    with pytest.raises(SpecError, match="1,000,000 values of alpha × 431 layers"):
        budget.compiled()
    Budget(["alpha"], [100_000], 431).compiled()  # a tenth passes


@pytest.mark.parametrize(("spec", "args", "words"), [
    # one structure, too many lanes for its layers: refused before any build
    ("ghostnetv2.yaml", ["--width", "0.1:100:0.0001"], ["999,001 values of alpha", "431 layers",
                                                      "sweep at most about"]),
    # one build per repeat count: refused as soon as the first split shows 64 of them (the
    # whole domain of branches: beyond it a range is refused before any build)
    ("mobileone.yaml", ["--set-range", "branches=1:64:1"], ["branches", "left"]),
    ("regnetx.yaml", ["--set-range", "d4=1:1000:1"], ["1,000 left", "d4"]),
    ("convnext.yaml", ["--set-range", "c1=1:1000:1", "--set-range", "d1=1:1000:1"], ["c1, d1"]),
    # the point-by-point method: 1000 builds of 154 layers
    ("mobilenet_v2.yaml", ["--width", "0.1:100:0.1", "--method", "exact"],
     ["1,000 points built one by one (154 layers each)", "--method compiled"]),
])
def test_too_much_work_is_one_line(spec, args, words):
    _one_line_exit_2([str(SPECS / spec), *args], f"{SPECS / spec}: ", *words)


def test_the_most_values_offered_pass():
    line = _one_line_exit_2([str(SPECS / "ghostnetv2.yaml"), "--width", "0.1:100:0.0001"])
    most = int(line.split("sweep at most about ")[1].split()[0].replace(",", ""))
    budget = Budget(["alpha"], [most], 431)
    budget.compiled()  # accepted
    assert most > 100_000


def test_a_swept_depth_within_the_budget_is_compiled_exactly():
    # EfficientNet-B0's depth changes the repeat counts: one build per structure, each exact
    spec = SPECS / "efficientnet_b0.yaml"
    depths = [Fraction(d, 10) for d in range(5, 21)]
    result = costmodel.sweep(spec, method="compiled", depth=depths, resolution=[224, 225])
    assert result.variants >= 8 and result.exact_points == 0
    for bindings, totals in result.points():
        expected = costmodel.analyze(spec, **bindings).totals.as_dict()
        assert all(totals[key] == expected[key] for key in expected), bindings


@pytest.mark.parametrize("chunk", [7, 64, 1 << 15])
def test_an_invalid_point_inside_a_chunk_is_named_as_point_by_point(monkeypatch, chunk):
    # NASNet is invalid at some resolutions (odd sizes meet a pool that would produce a
    # size mismatch); the compiled sweep halves the failing chunk until the point is alone
    # and names the earliest, as the point-by-point sweep does
    import costmodel.analysis.sweep_budget as budget_module

    monkeypatch.setattr(budget_module, "AXIS_CHUNK", chunk)
    spec = SPECS / "nasnet_a_mobile.yaml"
    grid = {"resolution": list(range(224, 164, -1))}  # descending: grid order ≠ value order
    with pytest.raises(SpecError) as point_by_point:
        costmodel.sweep(spec, method="exact", **grid)
    with pytest.raises(SpecError) as compiled:
        costmodel.sweep(spec, method="compiled", **grid)
    assert str(compiled.value) == str(point_by_point.value)
    assert "(at resolution=" in str(compiled.value)


def test_point_builds_count_layers_and_costings():
    """A numeric build costs L·POINT_SECONDS + D·COSTING_SECONDS, D the layers costed anew:
    two points of a 50,000-layer chain (4 costings: conv, bn, relu and the input) are
    2·(49,999·25 µs + 4·100 µs) = 2.5 s, accepted; MobileNetV2 (154 layers, 71 costed) is
    154·25 µs + 71·100 µs = 11 ms a point."""
    from costmodel.analysis.sweep_budget import COSTING_SECONDS, POINT_SECONDS

    chain = Budget(["width"], [2], 49_999, costed=4)
    assert chain.point == pytest.approx(49_999 * POINT_SECONDS + 4 * COSTING_SECONDS)
    assert 2 * chain.point == pytest.approx(2.50075, abs=1e-5)
    chain.points(2)  # accepted
    v2 = costmodel.sweep(SPECS / "mobilenet_v2.yaml", method="exact", alpha=[1])
    assert v2.work == pytest.approx(154 * POINT_SECONDS + 71 * COSTING_SECONDS)
