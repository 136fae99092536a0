"""``report --symbolic --relaxed`` on every shipped spec, and its numbers against ``analyze``.

Every spec in specs/ (the folder is iterated: a spec added later is covered) either prints
its relaxed forms (exit 0) or, when a parameter left symbolic decides the network's
structure (a repeat count, a block variant), says so in one line naming the file (exit 2).
The printed numbers are checked differentially: each relaxed expression (JSON) evaluated
exactly at the grid point the report names as its worst, against per-point ``analyze``,
gives the printed largest error; at random valid grid points the error is no larger.
"""

from __future__ import annotations

import json
import math
import random
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy
from click.testing import CliRunner
from sympy.parsing.sympy_parser import parse_expr

import costmodel
from costmodel.analysis.error_grid import MAX_POINTS, error_grid
from costmodel.analysis.sweep import sweep
from costmodel.cli import main
from costmodel.errors import SpecError
from costmodel.spec.load import load_spec
from tests.safety.files import assert_one_line_error

SPECS = sorted((Path(__file__).resolve().parents[2] / "specs").glob("*.yaml"))

STRUCTURAL = {
    # spec → a parameter whose symbolic value decides the structure (how many copies, which
    # block variant): no single symbolic network exists, so the one line says so
    "convnext": "d1", "efficientnet_b0": "depth", "efficientnet_lite": "depth",
    "mobilenext_se": "depth", "mobileone": "branches", "regnetx": "d1", "regnety": "d1",
    "resnet50": "stride_on",
}


def _relative_error(relaxed: Fraction, exact: int) -> float:
    return float(abs(relaxed - exact) / exact) if exact else (0.0 if relaxed == 0 else math.inf)


def _relaxed_value(expression: str, point: dict[str, object]) -> Fraction:
    names = {name: sympy.Symbol(name) for name in point}
    value = parse_expr(expression, local_dict=names).xreplace(
        {names[n]: sympy.Rational(str(v)) for n, v in point.items()})
    return Fraction(int(value.p), int(value.q))


def _exact(spec: Path, point: dict[str, object]) -> dict[str, int] | None:
    try:
        return costmodel.analyze(spec, **{n: str(v) for n, v in point.items()}).totals.as_dict()
    except SpecError:
        return None


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_every_spec_relaxed(spec: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(spec), "--symbolic", "--relaxed",
                                       "--format", "json"])
    if spec.stem in STRUCTURAL:
        line = assert_one_line_error(result, f"{spec}:")
        assert "cannot decide" in line and STRUCTURAL[spec.stem] in line, line
        return
    assert result.exit_code == 0, (result.output, result.exception)
    assert "<spec>" not in result.output
    relaxed = json.loads(result.stdout)["relaxed"]
    assert set(relaxed) == {"params", "maccs", "mem_access", "elementwise"}
    grid = relaxed["params"]["grid"]
    assert math.prod(map(len, grid.values())) <= MAX_POINTS
    for total, form in relaxed.items():
        worst = form["worst_point"]
        exact = _exact(spec, worst)
        assert exact is not None, worst  # the worst point is a valid network
        error = _relative_error(_relaxed_value(form["expression"], worst), exact[total])
        assert error == pytest.approx(form["max_relative_error"], rel=1e-9, abs=1e-12), (total, worst)
    rng = random.Random(spec.stem)
    for _ in range(3):
        point = {name: rng.choice(values) for name, values in grid.items()}
        exact = _exact(spec, point)
        if exact is None:
            continue
        for total, form in relaxed.items():
            error = _relative_error(_relaxed_value(form["expression"], point), exact[total])
            assert error <= form["max_relative_error"] * (1 + 1e-9) + 1e-12, (total, point)


def test_text_names_what_was_left_out_and_skipped() -> None:
    """MobileNeXt's identity multiplier may be 0 by its domain but builds no network there;
    RepVGG's a = 0.1 gives 6.4 channels: both are said, not measured."""
    runner = CliRunner()
    text = runner.invoke(main, ["report", str(SPECS[0].parent / "mobilenext.yaml"), "--symbolic",
                                "--relaxed"]).output
    assert "(left out, no valid network with the others at their defaults: identity = 0)" in text
    text = runner.invoke(main, ["report", str(SPECS[0].parent / "repvgg.yaml"), "--symbolic",
                                "--relaxed"]).output
    assert "a = 0.1; b = 0.1)" in text
    assert "a ∈ [0.5625, 100]" in text  # 9/16: 64·a stays whole


def test_grid_of_mobilenet_v2() -> None:
    """α over its domain 0.1 … 100 at 0.1·1000^(i/7) (0.27, 0.72, 1.93, 5.18, 13.9, 37.3)
    as the simplest fractions within 10 %, and its default 1; resolution 32 … 16384 as whole
    numbers (32·512^(i/7): 78.3, 191.7, 469.2, 1148.4, 2810.7, 6879.4 — rounded after the
    float powers: 78, 190, 464, 1131, 2756, 6720)."""
    spec = load_spec(SPECS[0].parent / "mobilenet_v2.yaml")
    grid = error_grid(spec, "mobilenet_v2.yaml", ("alpha", "resolution"), {})
    assert grid.axes["alpha"] == [Fraction(1, 10), Fraction(1, 4), Fraction(3, 4), 1, 2, 5, 14, 37, 100]
    assert grid.axes["resolution"][0] == 32 and grid.axes["resolution"][-1] == 16384
    assert 224 in grid.axes["resolution"] and len(grid.axes["resolution"]) == 9
    assert all(isinstance(r, int) for r in grid.axes["resolution"])
    assert grid.left_out == {}


def test_grid_size_is_bounded() -> None:
    """MobileViT declares twelve parameters: 2¹² points at most, the last held at their
    default (one point each) once two values each are too many."""
    spec = load_spec(SPECS[0].parent / "mobilevit.yaml")
    grid = error_grid(spec, "mobilevit.yaml", tuple(spec.params), {})
    assert math.prod(map(len, grid.axes.values())) <= MAX_POINTS
    assert grid.axes["classes"] == [1000]  # held at its default


def test_sweep_skips_invalid_points() -> None:
    """skip_invalid marks the points that build no network and keeps the others exact; the
    same grid without it is refused at its first invalid point."""
    path = SPECS[0].parent / "mobilenext.yaml"
    axes = {"identity": [0, Fraction(1, 2), 1], "alpha": [Fraction(1, 2), 1]}
    result = sweep(path, method="compiled", skip_invalid=True, **axes)
    assert result.invalid is not None and result.unbuilt is not None
    assert result.invalid.tolist() == [[True, True], [False, False], [False, False]]
    assert not result.unbuilt.any()
    for i, identity in enumerate(axes["identity"][1:], start=1):
        for j, alpha in enumerate(axes["alpha"]):
            expected = costmodel.analyze(path, identity=identity, alpha=alpha).totals.maccs
            assert int(result.totals["maccs"][i, j]) == expected
    with pytest.raises(SpecError, match="identity=0"):
        sweep(path, method="compiled", **axes)


def test_points_beyond_the_work_limit_stay_unbuilt() -> None:
    """With skip_invalid, regions the work limit cannot afford are marked unbuilt (never
    refused, never counted as measured); without it the same limit refuses the sweep."""
    path = SPECS[0].parent / "shufflenet_v2.yaml"
    axes = {"stem": [1, 24, 100000], "stage2": [116, 100000], "proj_keeps_input": [0, 1]}
    result = sweep(path, method="compiled", skip_invalid=True, work_limit=0.05, **axes)
    assert result.unbuilt is not None and result.invalid is not None
    assert result.unbuilt.any()
    measured = ~(result.unbuilt | result.invalid)
    for index in zip(*np.nonzero(measured)):
        point = {n: axes[n][i] for n, i in zip(axes, index)}
        assert int(result.totals["params"][index]) == costmodel.analyze(path, **point).totals.params
    with pytest.raises(SpecError, match="more than the sweep.s limit"):
        sweep(path, method="compiled", work_limit=0.05, **axes)


def test_a_head_without_channels_is_one_line() -> None:
    """MobileViT at d3 = 1: 1 // 4 heads = 0 channels per head (the relaxed grid met it) was a
    ZeroDivisionError from 0 ** -0.5; now the line names the layer."""
    result = CliRunner().invoke(main, ["report", str(SPECS[0].parent / "mobilevit.yaml"),
                                       "--set", "d3=1"])
    line = assert_one_line_error(result, "mobilevit.yaml:")
    assert "width per head" in line and "is 0" in line
