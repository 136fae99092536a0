"""Huge numbers: every exact number is bounded (MAX_DIGITS digits) — in YAML, expressions,
``--set``, sweep values and published figures — and refused with one line at once instead
of hanging (issue 9: ``1e999999999`` hung; chained parameters grew without bound)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.arith import MAX_DIGITS, parse_decimal
from costmodel.cli import main
from costmodel.errors import SpecError
from tests.safety.files import assert_one_line_error

HEAD = "model: t\nparams: {a: {default: 1, min: 0, max: 10}}\ninput: [3, 8, 8]\n"
CONV = "layers:\n  - {{name: c, op: conv2d, out: {out}, kernel: 1}}\n"


def _spec(tmp_path: Path, text: str) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("out", "words"), [
    ("1e999999999", "more than 100 digits"),                      # YAML float
    ("'1e999999999 * a'", "more than 100 digits"),                # expression literal
    ("1" * 5000, "more than 100 digits"),                         # 5,000-digit integer
    ("1e-999999999", "more than 100 digits"),                     # its denominator
    ("'10 ** 101'", "exponent 101"),
    ("'9 ** 9 ** 9'", "exponent"),
    ("'2 ** 100000'", "exponent"),
    ("'(10 ** 60) * (10 ** 60)'", "more than 100 digits"),
])
def test_huge_numbers_in_a_spec(tmp_path: Path, out: str, words: str) -> None:
    spec = _spec(tmp_path, HEAD + CONV.format(out=out))
    line = assert_one_line_error(CliRunner().invoke(main, ["report", spec]), spec)
    assert f"{spec}:5: " in line and words in line, line


def test_chained_parameters_stop_at_the_digit_limit(tmp_path: Path) -> None:
    # p_k = 10^(2^k): p6 = 10^64 is fine, p7 = 10^128 has 129 digits
    params = ", ".join(["p0: 10"] + [f"p{k}: p{k - 1} * p{k - 1}" for k in range(1, 12)])
    spec = _spec(tmp_path, f"model: t\nparams: {{{params}}}\ninput: [3, 8, 8]\nlayers:\n  - {{op: relu}}\n")
    line = assert_one_line_error(CliRunner().invoke(main, ["report", spec]), spec)
    assert "parameter 'p7'" in line and f"more than {MAX_DIGITS} digits" in line, line


@pytest.mark.parametrize("value", ["1e999999999", "1" * 200, "1e-999999999", "10**200", "1/10**200"])
@pytest.mark.parametrize("command", ["report", "lint", "check"])
def test_huge_set_values(tmp_path: Path, value: str, command: str) -> None:
    spec = _spec(tmp_path, HEAD + CONV.format(out="'4 * a'"))
    result = CliRunner().invoke(main, [command, spec, "--set", f"a={value}"])
    line = assert_one_line_error(result, spec)
    assert "parameter 'a' " in line and ("digits" in line or "exponent 200" in line), line


@pytest.mark.parametrize("value", ["1e999999999", "1e999999999:2e999999999:1", "0.5,1" + "0" * 200])
def test_huge_sweep_values(tmp_path: Path, value: str) -> None:
    spec = _spec(tmp_path, HEAD + CONV.format(out="'4 * a'"))
    assert_one_line_error(CliRunner().invoke(main, ["sweep", spec, "--set-range", f"a={value}"]), spec)


@pytest.mark.parametrize("figure", ["1e999999999", "'1e999999999'", ".nan", ".inf", "NaN", "'abc'", "2.61"])
def test_bad_published_figures(tmp_path: Path, figure: str) -> None:
    spec = _spec(tmp_path, HEAD + CONV.format(out=4)
                 + f"variants:\n  - {{name: v, published: {{params: {figure}}}}}\n")
    line = assert_one_line_error(CliRunner().invoke(main, ["report", spec]), spec)
    assert f"{spec}:7: " in line, line     # the figure's own line


@pytest.mark.parametrize(("text", "value"), [
    ("1e99", 10**99),                      # 100 digits: the largest size admitted
    ("0.75", Fraction(3, 4)),
    ("-2.5e-3", Fraction(-1, 400)),
    ("1_000", 1000),
])
def test_bounded_decimals_are_exact(text: str, value: Fraction) -> None:
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", ["1e100", "1" * 102, "1e-101", "٣", "１", "0x1p3", "inf", "nan", "1__0"])
def test_unbounded_or_foreign_decimals_are_refused(text: str) -> None:
    with pytest.raises(SpecError):
        parse_decimal(text)
