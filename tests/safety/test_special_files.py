"""Special files: every command that reads a spec refuses anything but a regular file
before reading it — ``/dev/zero`` and ``/dev/urandom`` were read until MemoryError, a FIFO
blocked forever — with one line naming the path, exit 2, and never blocks."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from tests.safety.files import assert_one_line_error, snapshot

GOOD = "model: t\ninput: [3, 8, 8]\nlayers:\n  - {op: conv2d, out: 4, kernel: 1}\n"
COMMANDS = {
    "report": [], "lint": [], "check": [], "sweep": ["--set-range", "x=1"],
    "transform": ["--fold-bn"], "export": ["-o", "out.onnx"], "space": [],
}


def _at(path: str) -> Callable[[Path], str]:
    return lambda root: path


def _fifo(root: Path) -> str:
    os.mkfifo(root / "s.yaml")
    return str(root / "s.yaml")


def _link(target: str) -> Callable[[Path], str]:
    def make(root: Path) -> str:
        os.symlink(target, root / "s.yaml")
        return str(root / "s.yaml")
    return make


def _write(content: bytes) -> Callable[[Path], str]:
    def make(root: Path) -> str:
        (root / "s.yaml").write_bytes(content)
        return str(root / "s.yaml")
    return make


def _folder(root: Path) -> str:
    (root / "s.yaml").mkdir()
    return str(root / "s.yaml")


KINDS: dict[str, tuple[Callable[[Path], str], str]] = {
    "dev_zero": (_at("/dev/zero"), "not a regular file"),
    "dev_urandom": (_at("/dev/urandom"), "not a regular file"),
    "dev_null": (_at("/dev/null"), "not a regular file"),
    "dev_stdin": (_at("/dev/stdin"), "not a regular file"),
    "fifo": (_fifo, "not a regular file"),
    "link_to_zero": (_link("/dev/zero"), "not a regular file"),
    "link_to_fifo": (lambda root: (os.mkfifo(root / "f"), _link("f")(root))[1], "not a regular file"),
    "link_loop": (_link("s.yaml"), "s.yaml"),
    "dangling_link": (_link("nowhere.yaml"), "s.yaml"),
    "folder": (_folder, "directory"),
    "missing": (_at("missing.yaml"), "missing.yaml"),
    "empty": (_write(b""), "empty"),
    "binary": (_write(bytes(range(256)) * 16), "UTF-8"),
    "nul_bytes": (_write(b"\0" * 1000), "s.yaml"),
    "over_4_mib": (_write(b"# " + b"x" * (4 * 2**20) + b"\n"), "larger than"),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_special_spec_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, command: str) -> None:
    monkeypatch.chdir(tmp_path)
    make, words = KINDS[kind]
    path = make(tmp_path)
    before = snapshot(tmp_path)
    result = CliRunner().invoke(main, [command, path, *COMMANDS[command]])
    line = assert_one_line_error(result, path)
    assert words in line, line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("kind", ["fifo", "link_to_zero", "folder", "dangling_link"])
def test_zoo_specs_folder_with_a_special_file(tmp_path: Path, kind: str) -> None:
    (tmp_path / "zs").mkdir()
    (tmp_path / "zs" / "a.yaml").write_text(GOOD)
    path = tmp_path / "zs" / "b.yaml"
    {"fifo": lambda: os.mkfifo(path), "link_to_zero": lambda: os.symlink("/dev/zero", path),
     "folder": path.mkdir, "dangling_link": lambda: os.symlink("nowhere", path)}[kind]()
    (tmp_path / "zoo.md").write_text("the old table\n")
    before = snapshot(tmp_path)
    result = CliRunner().invoke(main, ["zoo", "--specs", str(tmp_path / "zs"), "--output", str(tmp_path / "zoo.md")])
    assert "not a regular file" in assert_one_line_error(result, str(path))
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("option", [["--latency"], ["--symbolic", "x", "--latency"]])
@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_special_side_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: list[str], target: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text("model: t\nparams: {x: {default: 1, min: 1, max: 9}}\n" + GOOD[9:])
    if target == "fifo":
        os.mkfifo(tmp_path / "fifo")
    result = CliRunner().invoke(main, ["report", "s.yaml", *option, target])
    assert_one_line_error(result, target)
