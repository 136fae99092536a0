"""The CLI's last line of defence (kept light: the group imports it before any command)."""

from __future__ import annotations

import sys

import click

from costmodel.errors import printable

__all__ = ["SafeGroup", "EXIT_BAD_INPUT"]

EXIT_BAD_INPUT = 2

_CLICK_EXITS = (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort)
_SUBJECTS = ("spec", "specs_dir", "path", "code")


class SafeGroup(click.Group):
    """The last line of defence: an exception no command turned into a located
    :class:`SpecError` (a bug met by unusual input) is still one ``error:`` line naming
    the file, and exit status 2 — never a traceback, unless ``--debug``."""

    def invoke(self, ctx: click.Context) -> object:
        args = [*getattr(ctx, "_protected_args", ()), *ctx.args]
        try:
            return super().invoke(ctx)
        except _CLICK_EXITS:
            raise
        except Exception as error:  # reported as one line, see the docstring
            if (ctx.obj or {}).get("debug"):
                raise
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
                return next(str(sub.params[key]) for key in _SUBJECTS if sub.params.get(key))
        except Exception:  # no better subject than the program
            return "costmodel"
