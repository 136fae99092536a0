"""``costmodel zoo``: a missing or empty specs folder, a special file among the specs or a
bad --output is one line naming it, exit 2, and the existing table stays byte for byte."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from tests.safety.files import assert_one_line_error, snapshot

SPEC = "model: tiny\ninput: [3, 8, 8]\nlayers:\n  - {name: c, op: conv2d, out: 4}\n"
TABLE = "# the full zoo table, hand-kept\n"


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one spec, one note and a full docs/zoo.md."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs/tiny.yaml").write_text(SPEC)
    (tmp_path / "docs/zoo_notes").mkdir(parents=True)
    (tmp_path / "docs/zoo_notes/a.md").write_text("## a note\n")
    (tmp_path / "docs/zoo.md").write_text(TABLE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _mkdir(name: str) -> Callable[[Path], None]:
    return lambda root: (root / name).mkdir()


def _fifo(name: str) -> Callable[[Path], None]:
    return lambda root: os.mkfifo(root / name)


# case → (preparation, arguments, what the line names)
BAD: dict[str, tuple[Callable[[Path], object], list[str], str]] = {
    "specs folder typo": (lambda root: None, ["--specs", "spcs"], "spcs: no such specs directory"),
    "outside the repository": (lambda root: os.chdir(root / "docs"), [], "specs: no such specs"),
    "empty specs folder": (_mkdir("empty"), ["--specs", "empty"], "empty: no *.yaml spec"),
    "specs folder is a file": (lambda root: None, ["--specs", "docs/zoo.md"], "docs/zoo.md: not a directory"),
    "FIFO among the specs": (_fifo("specs/fifo.yaml"), [], "specs/fifo.yaml: not a regular file"),
    "folder among the specs": (_mkdir("specs/dir.yaml"), [], "specs/dir.yaml: not a regular file"),
    "FIFO among the notes": (_fifo("docs/zoo_notes/b.md"), [], "docs/zoo_notes/b.md: not a regular"),
    "output is a spec": (lambda root: None, ["--output", "specs/tiny.yaml"], "specs/tiny.yaml: refusing"),
    "output is a note": (lambda root: None, ["--output", "docs/zoo_notes/a.md"], "a.md: refusing"),
    "output on a full device": (lambda root: None, ["--output", "/dev/full"], "/dev/full: cannot write"),
    "output in a missing folder": (lambda root: None, ["--output", "no/zoo.md"], "no/zoo.md: cannot"),
    "output is a FIFO": (_fifo("out.md"), ["--output", "out.md"], "out.md: cannot write"),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_zoo_refuses(repo: Path, case: str, fmt: str) -> None:
    prepare, args, names = BAD[case]
    if fmt == "json" and "--output" in args:
        return  # json prints; --output does not apply
    prepare(repo)
    before = snapshot(repo)
    result = CliRunner().invoke(main, ["zoo", "--format", fmt, *args])
    assert_one_line_error(result, names)
    assert snapshot(repo) == before
    assert (repo / "docs/zoo.md").read_text() == TABLE


def test_zoo_writes_the_table_whole(repo: Path) -> None:
    result = CliRunner().invoke(main, ["zoo"])
    assert result.exit_code == 0, result.output
    text = (repo / "docs/zoo.md").read_text()
    assert "`specs/tiny.yaml` | tiny |" in text and text.endswith("## a note\n")
    assert sorted(p.name for p in (repo / "docs").iterdir()) == ["zoo.md", "zoo_notes"]
    assert CliRunner().invoke(main, ["zoo", "--check"]).exit_code == 0


def test_zoo_check_never_reads_an_endless_output(repo: Path) -> None:
    result = CliRunner().invoke(main, ["zoo", "--check", "--output", "/dev/zero"])
    assert_one_line_error(result, "/dev/zero: --check: not a regular file")
