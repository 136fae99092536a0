"""Standard output that cannot be written (/dev/full, a closed pipe): one ``error:`` line
saying so, exit 2 — never a traceback (``--help`` into /dev/full raised OSError from click)
nor "cannot process this input" about an input that was fine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
V1 = str(ROOT / "specs" / "mobilenet_v1.yaml")
PROGRAM = [sys.executable, "-c", "from costmodel.cli import main; main(prog_name='costmodel')"]


@pytest.mark.parametrize(("argv", "subject"), [
    (["report", V1], V1), (["schema"], "costmodel schema"), (["ops"], "costmodel ops"),
    (["--help"], "costmodel"), (["--version"], "costmodel"), (["report", "--help"], "costmodel report"),
])
def test_standard_output_on_dev_full(argv: list[str], subject: str) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run([*PROGRAM, *argv], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: {subject}: cannot write the standard output "
                                        "(No space left on device)"]


def test_standard_output_closed_by_its_reader() -> None:
    """``costmodel ops | true``: the reader is gone before the first write; one line says so."""
    with subprocess.Popen([*PROGRAM, "ops"], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()
        assert child.wait(timeout=60) == 2
        assert child.stderr.read().decode().splitlines() == [
            "error: costmodel ops: cannot write the standard output (Broken pipe)"]


@pytest.mark.parametrize("argv", [["report", V1], ["ops"], ["export", V1, "-o", "m.onnx"]])
def test_standard_output_closed_before_the_start(tmp_path: Path, argv: list[str]) -> None:
    """``costmodel report s.yaml >&-``: Python sets sys.stdout to None and click dropped every
    write (a table width check raised AttributeError, 'cannot process this input'); now the
    first write fails as a closed descriptor's does: one line, exit 2."""
    done = subprocess.run([*PROGRAM, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          timeout=60, cwd=tmp_path, pass_fds=(), preexec_fn=lambda: os.close(1))
    assert done.returncode == 2
    subject = argv[1] if len(argv) > 1 else "costmodel ops"
    assert done.stderr.splitlines() == [f"error: {subject}: cannot write the standard output (Bad file descriptor)"]


def test_an_encoding_without_the_table_characters() -> None:
    """PYTHONIOENCODING=latin-1: ─ and α cannot be encoded; they are printed escaped
    (UnicodeEncodeError was 'cannot process this input'), and every figure is there."""
    done = subprocess.run([*PROGRAM, "report", V1, "--totals-only"], capture_output=True, timeout=60,
                          env={**os.environ, "PYTHONIOENCODING": "latin-1"})
    assert done.returncode == 0, done.stderr
    assert b"4,231,976" in done.stdout and b"568,740,352" in done.stdout
