"""What every safety test asserts: exit 2 with one ``error:`` line naming the file, and
every file under a folder byte-identical afterwards."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from click.testing import Result

__all__ = ["snapshot", "assert_one_line_error"]


def snapshot(root: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every regular file under ``root`` (links and FIFOs by kind,
    never opened, so a FIFO cannot block the test)."""
    hashes = {}
    for path in sorted(root.rglob("*")):
        mode = path.lstat().st_mode
        if stat.S_ISREG(mode):
            hashes[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif not stat.S_ISDIR(mode):
            hashes[str(path.relative_to(root))] = f"mode {stat.S_IFMT(mode):o}"
    return hashes


def assert_one_line_error(result: Result, names: str) -> str:
    """Exit status 2, no traceback, exactly one stderr line, which names ``names``."""
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and names in lines[0], lines[0]
    return lines[0]
