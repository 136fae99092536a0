"""The CLI's last line of defence (kept light: the group imports it before any command)."""

from __future__ import annotations

import errno
import gc
import io
import os
import sys
from typing import Any

import click

from costmodel.errors import printable

__all__ = ["SafeGroup", "EXIT_BAD_INPUT", "GC_THRESHOLDS", "subject"]

EXIT_BAD_INPUT = 2

GC_THRESHOLDS = (100_000, 50, 1000)
"""The collector's thresholds while a command runs (Python's are 700, 10, 10). A 100,000-op
network holds millions of objects, none of them garbage, and full collections kept
re-scanning them: 45 % of `report`'s time at 100,000 layers. Young collections every
100,000 allocations still reclaim short-lived cycles, so memory stays bounded."""

_CLICK_EXITS = (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort)
_STREAM_ERRORS = (errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EBADF)
"""Errors of writing a stream no command named (standard output into /dev/full, a full disk,
a closed pipe, a descriptor closed before the start: ``costmodel report s.yaml >&-``):
reported as such, not as an input that could not be processed."""
_SUBJECTS = ("spec", "spec_a", "specs", "model", "specs_dir", "path", "code")
"""Parameters naming what a command works on, in the order an error line prefers them."""


def subject(ctx: click.Context) -> str:
    """What the command of ``ctx`` was given (its spec, model or folder; the first of
    several), else the command itself (``costmodel calibrate``): the name every error line
    of that command starts with when nothing more precise is known."""
    for key in _SUBJECTS:
        value = ctx.params.get(key)
        if isinstance(value, tuple | list):
            value = value[0] if value else None
        if value:
            return str(value)
    return ctx.command_path


class SafeGroup(click.Group):
    """The last line of defence: an exception no command turned into a located
    :class:`SpecError` (a bug met by unusual input) is still one ``error:`` line naming
    the file, and exit status 2 — never a traceback, unless ``--debug``. A usage error
    (unknown option, missing argument, a path click refuses) is one ``error:`` line too,
    exit status 2, instead of click's three lines (Usage / Try / Error)."""

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        if not kwargs.get("standalone_mode", True):
            return super().main(args, *rest, **kwargs)
        words = list(sys.argv[1:] if args is None else args)
        _guard_streams()
        thresholds = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            self._run(words, *rest, **kwargs)
        finally:  # for this command only (costmodel used in-process keeps its own)
            gc.set_threshold(*thresholds)

    def _run(self, words: list[str], *rest: Any, **kwargs: Any) -> None:
        try:
            result = super().main(words, *rest, **{**kwargs, "standalone_mode": False})
        except click.exceptions.ClickException as error:
            usage = isinstance(error, click.UsageError)
            context = getattr(error, "ctx", None)
            where = context.command_path if usage and context else "costmodel"
            subject = next((f"{word}: " for word in words[1:]
                            if not word.startswith("-") and os.path.lexists(word)), "")
            message = " ".join(error.format_message().split()).rstrip(".")
            hint = f"; see `{where} --help`" if usage else ""
            click.echo(printable(f"error: {subject}{where}: {message}{hint}"), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except click.exceptions.Abort:
            click.echo("error: costmodel: aborted", err=True)
            sys.exit(1)
        except OSError as error:  # --help or --version into /dev/full: before any command runs
            if error.filename is not None or error.errno not in _STREAM_ERRORS:
                raise
            _stream_failed(error, "costmodel")
        try:
            sys.stdout.flush()
        except OSError as error:
            _stream_failed(error, "costmodel")
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> object:
        args = [*getattr(ctx, "_protected_args", ()), *ctx.args]
        try:
            return super().invoke(ctx)
        except _CLICK_EXITS:
            raise
        except Exception as error:  # reported as one line, see the docstring
            if (ctx.obj or {}).get("debug"):
                raise
            if isinstance(error, OSError) and error.filename is None and error.errno in _STREAM_ERRORS:
                _stream_failed(error, self._subject(ctx, args))
            if isinstance(error, OSError) and error.filename is not None:  # a path no check vetted
                click.echo(printable(f"error: {error.filename}: {error.strerror or error}"), err=True)
                sys.exit(EXIT_BAD_INPUT)
            text = " ".join(str(error).split())
            text = text if len(text) <= 300 else text[:300] + "…"
            click.echo(printable(f"error: {self._subject(ctx, args)}: cannot process this input "
                                 f"({type(error).__name__}: {text}); `costmodel --debug …` "
                                 "shows the traceback"), err=True)
            sys.exit(EXIT_BAD_INPUT)

    def _subject(self, ctx: click.Context, args: list[str]) -> str:
        """The file (or folder) the failed command was given, re-read from its arguments."""
        try:
            name, command, rest = self.resolve_command(ctx, list(args))
            assert command is not None and name is not None
            with command.make_context(name, rest, parent=ctx, resilient_parsing=True) as sub:
                return subject(sub)
        except Exception:  # no better subject than the program
            return "costmodel"


class _ClosedStream(io.RawIOBase):
    """A standard stream whose descriptor was closed before the start (Python then sets
    ``sys.stdout`` to None, and click drops every write silently): each write fails as
    writing a closed descriptor does (EBADF), so the command ends with the one line of
    :func:`_stream_failed` instead of printing nothing and exiting 0."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


def _guard_streams() -> None:
    """Standard output closed at the start fails on its first write (:class:`_ClosedStream`);
    standard output and error in an encoding that lacks a character the tables use (×, α,
    ─: ``PYTHONIOENCODING=latin-1``) print it escaped (``\\xd7``) instead of raising
    UnicodeEncodeError; so does strict UTF-8 (a UTF-8 locale other than C.UTF-8, or
    ``PYTHONIOENCODING=utf-8``) for the lone surrogates of a non-UTF-8 file name
    (``\\udcff``). (A closed standard error stays None: error lines are dropped, the exit
    status still says 2.)"""
    if sys.stdout is None:
        sys.stdout = io.TextIOWrapper(_ClosedStream(), encoding="utf-8", write_through=True)
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
        strict = getattr(stream, "errors", "strict") == "strict"
        if (strict or not encoding.startswith("utf")) and isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _stream_failed(error: OSError, subject: str) -> None:
    """Exit 2 with one line: the standard output could not be written (``error``). Standard
    output is pointed at /dev/null first, so that Python's own flush at exit cannot fail
    again and print a second message."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (a test's captured stream)
        pass
    click.echo(printable(f"error: {subject}: cannot write the standard output "
                         f"({os.strerror(error.errno or 0)})"), err=True)
    sys.exit(EXIT_BAD_INPUT)
