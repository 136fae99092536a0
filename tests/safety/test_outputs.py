"""User-named outputs (costmodel/outputs.py): never the input, never an existing file
without --force, never a partial file; every refusal one line naming the path, exit 2,
and no file changed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.errors import SpecError
from costmodel.outputs import write_output
from tests.safety.files import assert_one_line_error, snapshot

SPEC = ("model: tiny\ninput: [3, 8, 8]\nlayers:\n"
        "  - {name: c, op: conv2d, out: 4, kernel: 3, padding: 1}\n"
        "  - {name: bn, op: batchnorm}\n  - {name: act, op: relu}\n")


def _link(target: str) -> Callable[[Path], str]:
    def make(root: Path) -> str:
        os.symlink(target, root / "link.yaml")
        return "link.yaml"
    return make


def _hardlink(root: Path) -> str:
    os.link(root / "s.yaml", root / "hard.yaml")
    return "hard.yaml"


def _fifo(root: Path) -> str:
    os.mkfifo(root / "fifo")
    return "fifo"


def _existing(root: Path) -> str:
    (root / "old.yaml").write_text("# keep me\n")
    return "old.yaml"


def _directory(root: Path) -> str:
    (root / "out").mkdir()
    return "out"


# Each case prepares the folder and returns the output argument; the refusal must name it.
BAD_OUTPUTS: dict[str, Callable[[Path], str]] = {
    "the input": lambda root: "s.yaml",
    "the input by another path": lambda root: "./sub/../s.yaml",
    "a symlink to the input": _link("s.yaml"),
    "a hard link to the input": _hardlink,
    "an existing file without --force": _existing,
    "a missing directory": lambda root: "no/such/dir/x.yaml",
    "a full device": lambda root: "/dev/full",
    "a directory": _directory,
    "a FIFO": _fifo,
    "an empty name": lambda root: "",
}


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "s.yaml").write_text(SPEC)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("case", sorted(BAD_OUTPUTS))
def test_transform_refuses(folder: Path, case: str) -> None:
    output = BAD_OUTPUTS[case](folder)
    before = snapshot(folder)
    result = CliRunner().invoke(main, ["transform", "s.yaml", "--fold-bn", "-o", output])
    assert_one_line_error(result, f"{output}: ")
    assert snapshot(folder) == before


@pytest.mark.parametrize("case", sorted(set(BAD_OUTPUTS) - {"an existing file without --force"}))
def test_transform_force_never_writes_the_input_or_a_special_file(folder: Path, case: str) -> None:
    output = BAD_OUTPUTS[case](folder)
    before = snapshot(folder)
    result = CliRunner().invoke(main, ["transform", "s.yaml", "--fold-bn", "-o", output, "--force"])
    assert_one_line_error(result, f"{output}: ")
    assert snapshot(folder) == before


def test_transform_force_replaces_through_a_symlink(folder: Path) -> None:
    (folder / "old.yaml").write_text("# old\n")
    os.chmod(folder / "old.yaml", 0o640)
    os.symlink("old.yaml", folder / "link.yaml")
    result = CliRunner().invoke(main, ["transform", "s.yaml", "--fold-bn", "-o", "link.yaml", "--force"])
    assert result.exit_code == 0, result.output
    assert (folder / "link.yaml").is_symlink()  # the link stays; the file it names is new
    folded = yaml.safe_load((folder / "old.yaml").read_text())
    assert [layer["op"] for layer in folded["layers"]] == ["conv2d", "relu"]  # bn folded into c
    assert (folder / "old.yaml").stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in folder.iterdir()) == ["link.yaml", "old.yaml", "s.yaml", "sub"]


def test_transform_new_file_then_refuses_it(folder: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["transform", "s.yaml", "--fold-bn", "-o", "new.yaml"]).exit_code == 0
    before = snapshot(folder)
    assert_one_line_error(runner.invoke(main, ["transform", "s.yaml", "--fold-bn", "-o", "new.yaml"]),
                          "new.yaml: exists; pass --force")
    assert snapshot(folder) == before


def test_error_while_writing_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "plot.png"
    target.write_bytes(b"full old content")

    def fails_halfway(path: str) -> None:
        assert path.endswith("plot.png")  # a writer that sniffs the suffix sees the target's
        Path(path).write_bytes(b"part")
        raise OSError(28, "No space left on device")

    with pytest.raises(SpecError, match="No space left on device") as error:
        write_output(target, fails_halfway)
    assert error.value.path == str(target)
    assert target.read_bytes() == b"full old content"
    assert [p.name for p in tmp_path.iterdir()] == ["plot.png"]  # no temporary left behind


def test_interrupt_while_writing_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "zoo.md"
    target.write_text("old")

    def interrupted(path: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_output(target, interrupted)
    assert [(p.name, p.read_text()) for p in tmp_path.iterdir()] == [("zoo.md", "old")]


def test_new_file_gets_umask_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o027)
    try:
        write_output(tmp_path / "x.md", "text")
    finally:
        os.umask(umask)
    assert (tmp_path / "x.md").stat().st_mode & 0o777 == 0o666 & ~0o027


SPACE = ("model: space\ninput: [3, 8, 8]\nlayers:\n"
         "  - {name: c, op: conv2d, out: 4, kernel: 3, choices: {kernel: [1, 3]}}\n")
# space's outputs: --out FILE (bindings), --out DIR with --as spec, --write-extremes DIR
SPACE_BAD = {
    "--out is the input": (["--sample", "2", "--out", "s.yaml"], "s.yaml: refusing to overwrite"),
    "--out in a missing folder": (["--sample", "2", "--out", "no/x.yaml"], "no/x.yaml: cannot write"),
    "--out on a full device": (["--sample", "2", "--out", "/dev/full"], "/dev/full: cannot write"),
    "--out DIR is a file": (["--sample", "2", "--as", "spec", "--out", "s.yaml/d"],
                            "s.yaml/d: cannot create directory"),
    "--write-extremes under a file": (["--write-extremes", "s.yaml/x"], "s.yaml/x: cannot create directory"),
    "--out an existing file without --force": (["--sample", "2", "--out", "old.yaml"],
                                               "old.yaml: exists; pass --force"),
    "--out DIR holding a sample without --force": (["--sample", "2", "--as", "spec", "--out", "sub"],
                                                   "sample_00001.yaml: exists; pass --force"),
    "--write-extremes over a file without --force": (["--write-extremes", "sub"],
                                                     "maccs_max.yaml: exists; pass --force"),
}


@pytest.mark.parametrize("case", sorted(SPACE_BAD))
def test_space_refuses(folder: Path, case: str) -> None:
    (folder / "s.yaml").write_text(SPACE)
    (folder / "old.yaml").write_text("# keep me\n")
    (folder / "sub" / "sample_00001.yaml").write_text("# keep me\n")
    (folder / "sub" / "maccs_max.yaml").write_text("# keep me\n")
    args, names = SPACE_BAD[case]
    before = snapshot(folder)
    result = CliRunner().invoke(main, ["space", "s.yaml", "--seed", "1", *args])
    assert_one_line_error(result, names)
    assert snapshot(folder) == before


def test_space_force_replaces_outputs_but_never_the_input(folder: Path) -> None:
    (folder / "s.yaml").write_text(SPACE)
    (folder / "old.yaml").write_text("# old\n")
    runner = CliRunner()
    result = runner.invoke(main, ["space", "s.yaml", "--seed", "1", "--sample", "2", "--out",
                                  "old.yaml", "--force"])
    assert result.exit_code == 0, result.output
    samples = yaml.safe_load((folder / "old.yaml").read_text())
    assert len(samples) == 2 and all(s["c"]["kernel"][0] in (1, 3) for s in samples), samples
    before = snapshot(folder)
    result = runner.invoke(main, ["space", "s.yaml", "--sample", "2", "--out", "s.yaml", "--force"])
    assert_one_line_error(result, "s.yaml: refusing to overwrite the input")
    assert snapshot(folder) == before
