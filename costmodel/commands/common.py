"""What every command shares: ``--set`` bindings and turning SpecError into exit 2."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import click

from costmodel.commands.safety import EXIT_BAD_INPUT
from costmodel.errors import SpecError, SpecWarning, printable

__all__ = ["parse_bindings", "set_option", "spec_errors", "EXIT_BAD_INPUT"]



def parse_bindings(values: tuple[str, ...]) -> dict[str, str]:
    """``("alpha=0.75", "resolution=160")`` → ``{"alpha": "0.75", "resolution": "160"}``."""
    bindings: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise click.BadParameter(f"'{item}' is not NAME=VALUE", param_hint="--set")
        bindings[name.strip()] = value.strip()
    return bindings


set_option = click.option(
    "--set", "assignments", multiple=True, metavar="NAME=VALUE",
    help="Bind a declared parameter, e.g. --set alpha=0.75 --set resolution=160. "
         "Values are exact: 0.75 is 3/4. Repeatable.",
)


@contextmanager
def spec_errors(debug: bool) -> Iterator[None]:
    """Print a SpecError as its one line and exit 2 (with ``--debug``, re-raise).

    A :class:`SpecWarning` raised inside (e.g. by every network build) is printed once as a
    ``warning:`` line when the block succeeds; on an error only the error line is printed.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SpecWarning)
        try:
            yield
        except SpecError as error:
            if debug:
                raise
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    for message in dict.fromkeys(str(w.message) for w in caught if w.category is SpecWarning):
        click.echo(printable(f"warning: {message}"), err=True)
    for other in caught:
        if other.category is not SpecWarning:
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
