"""Accepted but wrong: every declared parameter of every shipped spec has a domain, and
values outside it — or sizes that come out 0 or below whatever the domain — are refused
with one line (issue 9: ``report specs/mobilenet_v2.yaml --set alpha=-1`` exited 0).

The folders are iterated, so a spec added later without domains fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.spec.load import load_spec
from tests.safety.files import assert_one_line_error

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted([*ROOT.glob("specs/**/*.yaml"), *ROOT.glob("docs/examples/*.yaml")])
WIDTHS = [s for s in SHIPPED if "alpha" in load_spec(s).params]


@pytest.mark.parametrize("spec", SHIPPED, ids=lambda s: str(s.relative_to(ROOT)))
def test_every_declared_parameter_has_a_domain(spec: Path) -> None:
    params = load_spec(spec).params
    missing = [name for name, parameter in params.items() if parameter.min is None or parameter.max is None]
    assert not missing, f"{spec.name}: give {missing} a domain, e.g. alpha: {{default: 1, min: 0.1, max: 100}}"


@pytest.mark.parametrize("spec", WIDTHS, ids=lambda s: s.stem)
@pytest.mark.parametrize("value", ["-1", "0", "0.001", "1e6"])
def test_width_outside_its_domain(spec: Path, value: str) -> None:
    result = CliRunner().invoke(main, ["report", str(spec), "--set", f"alpha={value}"])
    line = assert_one_line_error(result, str(spec))
    assert "parameter 'alpha'" in line and "must be a number ≥ 0.1" in line


@pytest.mark.parametrize("command", [["report"], ["lint"], ["check"], ["sweep", "--width", "1"]])
@pytest.mark.parametrize("value", ["8", "20000"])
def test_resolution_outside_its_domain_in_every_command(command: list[str], value: str) -> None:
    spec = str(ROOT / "specs" / "mobilenet_v2.yaml")
    result = CliRunner().invoke(main, [command[0], spec, *command[1:], "--set", f"resolution={value}"])
    assert "parameter 'resolution'" in assert_one_line_error(result, spec)


def test_sweep_point_outside_the_domain() -> None:
    spec = str(ROOT / "specs" / "mobilenet_v2.yaml")
    result = CliRunner().invoke(main, ["sweep", spec, "--width", "0.5,0.01"])
    assert "parameter 'alpha' is 0.01" in assert_one_line_error(result, spec)


def _write(tmp_path: Path, out: str, params: str = "{a: {default: 1, min: -8, max: 8}}") -> str:
    path = tmp_path / "s.yaml"
    path.write_text(f"model: t\nparams: {params}\ninput: [3, 16, 16]\nlayers:\n"
                    f"  - {{name: c, op: conv2d, out: '{out}', kernel: 3, padding: 1}}\n"
                    "  - {name: p, op: max_pool, kernel: 2}\n")
    return str(path)


@pytest.mark.parametrize(("out", "a", "words"), [
    ("4 * a", "-1", "output channels is -4; it must be at least 1"),
    ("4 * a", "0", "output channels is 0; it must be at least 1"),
    ("round(a * 0.4)", "1", "output channels is 0"),                  # round(0.4) = 0
    ("a / 3", "1", "not a whole number"),
    ("make_divisible(8 * a, 8)", "-1", "make_divisible: the size to round is -8"),
    ("floor(a / 2)", "1", "output channels is 0"),
])
def test_sizes_at_or_below_zero_are_errors_at_the_layer(tmp_path: Path, out: str, a: str, words: str) -> None:
    spec = _write(tmp_path, out)
    result = CliRunner().invoke(main, ["report", spec, "--set", f"a={a}"])
    line = assert_one_line_error(result, spec)
    assert f"{spec}:5: layer 'c' (conv2d): " in line and words in line, line


@pytest.mark.parametrize(("resolution", "layer"), [
    ("1", "p"),          # conv: ⌊(1 + 2 − 3)/2⌋ + 1 = 1; a 2×2 pool of 1×1: 0
    ("2", "p"),          # conv: ⌊(2 + 2 − 3)/2⌋ + 1 = 1 again
])
def test_spatial_size_below_one_names_the_layer(tmp_path: Path, resolution: str, layer: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("model: t\nparams: {r: {default: 16, min: 1, max: 64}}\ninput: [3, r, r]\nlayers:\n"
                    "  - {name: c, op: conv2d, out: 4, kernel: 3, stride: 2, padding: 1}\n"
                    "  - {name: p, op: max_pool, kernel: 2}\n")
    result = CliRunner().invoke(main, ["report", str(path), "--set", f"r={resolution}"])
    line = assert_one_line_error(result, str(path))
    assert f":6: layer '{layer}' (max_pool): output height would be 0" in line, line


def test_make_divisible_keeps_torchvision_at_zero() -> None:
    # torchvision's _make_divisible(0, 8) = max(8, 0) = 8: SE squeezes of tiny inputs
    from costmodel.arith import make_divisible

    assert make_divisible(0, 8) == 8


def test_a_swept_range_outside_the_domain_is_refused_before_any_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """``sweep mobileone --set-range branches=1:70:1`` built 64 structures (21 s) before
    meeting 65 > max 64: the grid's least and greatest values are checked first."""
    import costmodel.analysis.sweep as sweep_module

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("built a network before checking the grid")

    monkeypatch.setattr(sweep_module, "build", no_build)
    spec = str(ROOT / "specs" / "mobileone.yaml")
    result = CliRunner().invoke(main, ["sweep", spec, "--set-range", "branches=1:70:1"])
    line = assert_one_line_error(result, spec)
    assert "parameter 'branches' is 70; it must be a number ≥ 1 and ≤ 64 (at branches=70)" in line
