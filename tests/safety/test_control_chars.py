"""Control characters: a layer, block, parameter or file name holding a newline, ANSI
escapes, bidi overrides or NUL is echoed escaped (``\\x0a``), so an error stays ONE line
that cannot forge a second ``error:`` line nor drive the terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.errors import SpecError, printable
from tests.safety.files import assert_one_line_error

RAW = {
    "newline": ("a\nerror: forged", "a\\x0aerror: forged"),
    "carriage_return": ("a\rerror: forged", "a\\x0derror: forged"),
    "ansi": ("\x1b[2J\x1b[31mred", "\\x1b[2J\\x1b[31mred"),
    "bell": ("\x07\x07", "\\x07\\x07"),
    "nul": ("a\x00b", "a\\x00b"),
    "del": ("a\x7fb", "a\\x7fb"),
    "c1_csi": ("a\x9b31mb", "a\\x9b31mb"),
    "line_separator": ("a\u2028b", "a\\u2028b"),
    "paragraph_separator": ("a\u2029b", "a\\u2029b"),
    "rtl_override": ("abc\u202edcba", "abc\\u202edcba"),
    "isolate": ("a\u2066b\u2069", "a\\u2066b\\u2069"),
}
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _yaml_string(text: str) -> str:
    """``text`` as a double-quoted YAML scalar (escapes for every control character)."""
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in text) + '"'


def _assert_clean(line: str) -> None:
    assert not _CONTROL.search(line), repr(line)


@pytest.mark.parametrize("kind", sorted(RAW))
def test_layer_name(tmp_path: Path, kind: str) -> None:
    raw, shown = RAW[kind]
    spec = tmp_path / "s.yaml"
    spec.write_text("model: t\ninput: [3, 8, 8]\nlayers:\n"
                    f"  - {{name: {_yaml_string(raw)}, op: conv2d, out: 5, kernel: 1, groups: 2}}\n")
    line = assert_one_line_error(CliRunner().invoke(main, ["report", str(spec)]), str(spec))
    _assert_clean(line)
    assert f"layer '{shown}' (conv2d)" in line, line


@pytest.mark.parametrize("kind", sorted(set(RAW) - {"nul"}))  # no file name holds NUL
def test_file_name(tmp_path: Path, kind: str) -> None:
    raw, shown = RAW[kind]
    spec = tmp_path / f"{raw}.yaml"
    spec.write_text("model: [\n")
    result = CliRunner().invoke(main, ["report", str(spec)])
    line = assert_one_line_error(result, f"{shown}.yaml")
    _assert_clean(line)


@pytest.mark.parametrize("kind", ["newline", "ansi", "rtl_override"])
@pytest.mark.parametrize("where", ["op", "parameter", "block", "set", "symbolic", "input"])
def test_other_echoed_names(tmp_path: Path, kind: str, where: str) -> None:
    raw, _ = RAW[kind]
    quoted = _yaml_string(raw)
    head = "model: t\nparams: {a: {default: 1, min: 0, max: 9}}\ninput: [3, 8, 8]\n"
    text = {
        "op": head + f"layers:\n  - {{op: {quoted}}}\n",
        "parameter": f"model: t\nparams: {{{quoted}: 1}}\ninput: [3, 8, 8]\nlayers:\n  - {{op: relu}}\n",
        "block": head + f"blocks: {{{quoted}: {{layers: [{{op: relu}}]}}}}\nlayers:\n  - {{op: relu}}\n",
        "set": head + "layers:\n  - {op: relu}\n",
        "symbolic": head + "layers:\n  - {op: relu}\n",
        "input": head + f"layers:\n  - {{op: relu, inputs: {quoted}}}\n",
    }[where]
    spec = tmp_path / "s.yaml"
    spec.write_text(text)
    extra = {"set": ["--set", f"{raw}=1"], "symbolic": ["--symbolic", raw]}.get(where, [])
    line = assert_one_line_error(CliRunner().invoke(main, ["report", str(spec), *extra]), str(spec))
    _assert_clean(line)


@pytest.mark.parametrize("kind", sorted(RAW))
def test_printable_and_spec_error(kind: str) -> None:
    raw, shown = RAW[kind]
    assert printable(raw) == shown
    error = SpecError(f"bad {raw}", path=f"{raw}.yaml", line=3, layer=raw, op="relu")
    assert str(error) == f"{shown}.yaml:3: layer '{shown}' (relu): bad {shown}"


def test_ordinary_unicode_is_kept() -> None:
    # only controls are escaped: names in other scripts stay readable
    assert printable("façade 🙂 ß 名前") == "façade 🙂 ß 名前"


@pytest.mark.parametrize("kind", ["newline", "ansi", "rtl_override", "c1_csi", "line_separator"])
@pytest.mark.parametrize("where", ["model", "description", "layer", "variant", "source"])
def test_printed_texts_hold_no_control_characters(tmp_path: Path, kind: str, where: str) -> None:
    """Names and texts reports print (a table's title, a layer's row, zoo's variant) are
    refused at load, for every command: escaping at every renderer could miss one."""
    raw, shown = RAW[kind]
    quoted = _yaml_string(raw)
    text = {"model": f"model: {quoted}\n", "description": f"model: t\ndescription: {quoted}\n"}.get(where, "model: t\n")
    text += "input: [3, 8, 8]\nlayers:\n"
    text += f"  - {{name: {quoted}, op: relu}}\n" if where == "layer" else "  - {op: relu}\n"
    if where in ("variant", "source"):
        text += (f"variants: [{{name: {quoted}}}]\n" if where == "variant" else
                 f"variants: [{{name: v, source: {quoted}}}]\n")
    spec = tmp_path / "s.yaml"
    spec.write_text(text)
    for command in (["report"], ["lint"], ["check"], ["export", "-o", str(tmp_path / "m.onnx")]):
        line = assert_one_line_error(CliRunner().invoke(main, [command[0], str(spec), *command[1:]]), str(spec))
        _assert_clean(line)
        assert "holds the control character \\" in line, line
    assert not (tmp_path / "m.onnx").exists()


@pytest.mark.parametrize("character", ["\x85", "\u2028", "\u2029"])
def test_yaml_11_line_breaks_are_refused(tmp_path: Path, character: str) -> None:
    """NEL, LS and PS break lines in YAML 1.1 (libyaml) and not in YAML 1.2: refused at their line."""
    spec = tmp_path / "s.yaml"
    spec.write_text(f"model: t\ninput: [3, 8, 8]\n# a comment{character}layers: []\nlayers: [{{op: relu}}]\n",
                    encoding="utf-8")
    line = assert_one_line_error(CliRunner().invoke(main, ["report", str(spec)]), f"{spec}:3: U+")
    assert "is a line break in YAML 1.1 and not in 1.2" in line
