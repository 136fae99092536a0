"""Writing files the user named (``transform -o``, ``zoo --output``, ``sweep --plot``).

The contract, for every command that writes one:

* never the input: an output that resolves to one of the command's input files (same
  path after symlinks, or the same inode through a hard link) is refused, ``--force`` or not;
* never silently over an existing file when the command asks (``overwrite=False``);
* atomic: the content goes to a temporary file in the target's directory, which replaces
  the target only once it is complete (``os.replace``) — an error, a full disk or an
  interrupt leaves the old file byte for byte as it was, never an empty or partial one.
  A symlinked target keeps its link: the file it points to is replaced;
* a regular file or nothing: any other target (``/dev/null``, ``/dev/full``, a terminal, a
  directory, a FIFO, a socket) is refused before the work, since writing it would discard
  the result, block or fail halfway (standard output is each command's default instead);
* never an empty result over a non-empty file;
* text is UTF-8; a file name that is not (a lone surrogate after ``os.fsdecode``) is
  written escaped (``\\udcff``), never a failed write;
* ``-`` is no file name: a command that prints its result maps it to standard output
  before; any other refuses it (never a file named ``-``);
* every failure (missing directory, permission, an empty name) is a :class:`SpecError`
  naming the path (an empty name: no path, so the command names its spec): one line, exit 2.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from costmodel.errors import SpecError

__all__ = ["write_output", "check_output", "output_directory"]

PathLike = str | os.PathLike[str]


def check_output(path: PathLike, *, inputs: Iterable[PathLike] = (), overwrite: bool = True) -> None:
    """Refuse ``path`` before any work is done: an input, an existing file when
    ``overwrite`` is false, a non-regular file, or a directory that does not exist.
    Raises :class:`SpecError` naming ``path``."""
    shown = os.fspath(path)
    if not shown:
        raise SpecError("cannot write: the output file name is empty")
    if shown == "-":  # commands that can print their result map '-' to stdout before
        raise SpecError("cannot write: '-' would be standard output, which this command does "
                        "not write its file to; name a file", path=shown)
    target = os.path.realpath(path)
    for source in inputs:
        if _same_file(target, source):
            raise SpecError(f"refusing to overwrite the input {os.fspath(source)}; "
                            "choose another output file", path=shown)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise SpecError(f"cannot write: {error.strerror}", path=shown) from None
    if mode is None:
        parent = os.path.dirname(target) or "."
        if not os.path.isdir(parent):
            raise SpecError(f"cannot write: directory {os.path.dirname(shown) or '.'} "
                            "does not exist", path=shown)
    elif stat.S_ISDIR(mode):
        raise SpecError("cannot write: is a directory", path=shown)
    elif not stat.S_ISREG(mode):
        raise SpecError("cannot write: not a regular file", path=shown)
    elif not overwrite:
        raise SpecError("exists; pass --force to overwrite it", path=shown)


def write_output(path: PathLike, content: str | bytes | Callable[[str], None], *,
                 inputs: Iterable[PathLike] = (), overwrite: bool = True) -> None:
    """Write ``content`` to ``path`` under the module's contract.

    ``content`` is text (written as UTF-8), bytes, or a function that writes the file
    whose path it is given (e.g. ``figure.savefig``; the temporary path ends with the
    target's name, so a suffix-sniffing writer sees the right format).
    Raises :class:`SpecError` naming ``path``.
    """
    inputs = list(inputs)
    check_output(path, inputs=inputs, overwrite=overwrite)
    shown = os.fspath(path)
    target = os.path.realpath(path)
    if not callable(content) and not content and os.path.exists(target) and os.path.getsize(target):
        raise SpecError("refusing to write an empty result over a non-empty file", path=shown)
    try:
        _write_atomic(target, content)
    except OSError as error:
        raise SpecError(f"cannot write: {error.strerror or error}", path=shown) from None


def output_directory(path: PathLike) -> Path:
    """Create the directory ``path`` (and its parents) for files written into it with
    :func:`write_output`. Raises :class:`SpecError` naming ``path`` (a file in the way,
    permission, a read-only file system)."""
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SpecError(f"cannot create directory: {error.strerror or error}",
                        path=os.fspath(path)) from None
    return Path(path)


def _same_file(target: str, source: PathLike) -> bool:
    if target == os.path.realpath(source):
        return True
    try:
        return os.path.samefile(target, source)
    except OSError:
        return False


def _write_atomic(target: str, content: str | bytes | Callable[[str], None]) -> None:
    directory, name = os.path.split(target)
    temporary = os.path.join(directory, f".{secrets.token_hex(4)}.tmp.{name}")
    try:
        # O_EXCL: never reuse someone else's file; 0o666 lets the umask decide, as open() would.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as stream:
            if not callable(content):
                # backslashreplace: see the module docstring (a non-UTF-8 file name's surrogates)
                stream.write(content.encode("utf-8", "backslashreplace") if isinstance(content, str)
                             else content)
        if callable(content):
            content(temporary)
        if os.path.exists(target):
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
