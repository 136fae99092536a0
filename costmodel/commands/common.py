"""What every command shares: ``--set`` bindings and turning SpecError into exit 2."""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import click

from costmodel.arith import MAX_SEED
from costmodel.commands.safety import EXIT_BAD_INPUT, subject
from costmodel.errors import SpecError, SpecWarning, printable
from costmodel.spec.schema import LINT_CHECKS

__all__ = ["parse_bindings", "split_list", "set_option", "seed_option", "WholeNumber", "spec_errors", "check_lint_section",
           "load_model", "check_input_shape", "input_shape_option", "EXIT_BAD_INPUT"]

def parse_bindings(values: tuple[str, ...], option: str = "--set") -> dict[str, str]:
    """``("alpha=0.75", "resolution=160")`` → ``{"alpha": "0.75", "resolution": "160"}``
    (given to ``option``). A name bound twice is an error: which value was meant is unknown."""
    bindings: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise click.BadParameter(f"'{item}' is not NAME=VALUE", param_hint=option)
        if name.strip() in bindings:
            raise click.BadParameter(f"'{name.strip()}' is given twice ('{bindings[name.strip()]}' "
                                     f"and '{value.strip()}'); give it once", param_hint=option)
        bindings[name.strip()] = value.strip()
    return bindings


_ASCII_INTEGER = re.compile(r"[-+]?[0-9]+")


class WholeNumber(click.IntRange):
    """click's ``IntRange`` for ASCII decimal digits only: ``int()`` would also read ``٣``
    (Arabic-Indic), ``３`` (fullwidth), `` 3`` and ``1_0``, which a spec refuses too."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not _ASCII_INTEGER.fullmatch(value):
            self.fail(f"'{value}' is not a whole number (ASCII digits 0-9)", param, ctx)
        return super().convert(value, param, ctx)


def split_list(text: str, what: str) -> list[str]:
    """``"a, b,c"`` → ``["a", "b", "c"]``. Raises :class:`SpecError` for an empty item
    (``''``, ``'a,,b'``, ``','``): an empty list must not silently mean the default."""
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise SpecError(f"{what}: empty item in '{text}'; give a comma-separated list")
    return items


set_option = click.option(
    "--set", "assignments", multiple=True, metavar="NAME=VALUE",
    help="Bind a declared parameter, e.g. --set alpha=0.75 --set resolution=160. "
         "Values are exact: 0.75 is 3/4. Repeatable.",
)


def seed_option(help: str, default: int | None = 0) -> Any:
    """Every command's ``--seed``: a whole number 0 … 2⁶⁴ − 1 (:data:`~costmodel.arith.MAX_SEED`);
    anything else (``-1``, ``1.5``, ``2**64``) is a usage error naming the spec, exit 2."""
    return click.option("--seed", type=WholeNumber(0, MAX_SEED), default=default,
                        show_default=default is not None, help=help)


@contextmanager
def spec_errors(debug: bool) -> Iterator[None]:
    """Print a SpecError as its one line and exit 2 (with ``--debug``, re-raise).

    An error that names no file is located at the running command's subject (its spec,
    model or folder, else the command: see :func:`~costmodel.commands.safety.subject`), so
    every line names what it is about — never ``<spec>``.

    A :class:`SpecWarning` raised inside (e.g. by every network build) is printed once as a
    ``warning:`` line when the block succeeds (a :class:`SpecNote` as written); on an error
    only the error line is printed.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SpecWarning)
        try:
            yield
        except SpecError as error:
            if debug:
                raise
            context = click.get_current_context(silent=True)
            if context is not None and not error.path:
                error.located(path=subject(context))
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    for message in dict.fromkeys((f"warning: {w.message}" if w.category is SpecWarning else str(w.message))
                                 for w in caught if issubclass(w.category, SpecWarning)):
        click.echo(printable(message), err=True)
    for other in caught:
        if not issubclass(other.category, SpecWarning):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)


def _line(data: Any, key: str) -> int | None:
    return getattr(data, "key_lines", {}).get(key) or getattr(data, "line", None)


def check_lint_section(data: Mapping[str, Any]) -> None:
    """A spec's ``lint:`` mapping against the rule registry: every rule code, threshold name
    and ignore prefix exists. Raises :class:`SpecError` at the offending key's line.
    Installed in :data:`costmodel.spec.schema.LINT_CHECKS`; the registry is imported only
    for a spec that has a ``lint:`` section."""
    from costmodel.lint import rules  # noqa: F401  (registration)
    from costmodel.lint.registry import RULES
    from costmodel.lint.selection import check_codes

    thresholds = data.get("thresholds") or {}
    for code, items in (thresholds.items() if isinstance(thresholds, Mapping) else ()):
        if code not in RULES:
            raise SpecError(f"lint.thresholds: unknown rule '{code}' (rules: {', '.join(RULES)})",
                            line=_line(thresholds, str(code)))
        for name in (items if isinstance(items, Mapping) else ()):
            if name not in RULES[code].thresholds:
                known = ", ".join(RULES[code].thresholds) or "none"
                raise SpecError(f"lint.thresholds: rule {code} has no threshold '{name}' "
                                f"(thresholds: {known})", line=_line(items, str(name)))
    ignore = data.get("ignore") or {}
    for pattern, prefixes in (ignore.items() if isinstance(ignore, Mapping) else ()):
        if isinstance(prefixes, list):
            check_codes([str(prefix) for prefix in prefixes], RULES, f"lint.ignore '{pattern}'",
                        line=_line(ignore, str(pattern)))


LINT_CHECKS.append(check_lint_section)


input_shape_option = click.option(
    "--input-shape", default=None, metavar="N,C,H,W",
    help="For an ONNX model (*.onnx): bind its input's dynamic dimensions "
         "(a dynamic batch alone defaults to 1, with a warning).")


def check_input_shape(path: str, input_shape: str | None) -> None:
    """``--input-shape`` only with an ONNX model: a spec's input is its ``input:``, and an
    option silently ignored would look applied. Raises :class:`SpecError`."""
    if input_shape is not None and not path.endswith(".onnx"):
        raise SpecError("--input-shape binds an ONNX model's input; a spec's input is its "
                        "`input:`", path=path)


def load_model(path: str, input_shape: str | None = None) -> Any:
    """The :class:`~costmodel.spec.schema.ModelSpec` of a spec file, or of an ONNX model
    (``*.onnx``) imported onto costmodel's layers (``input_shape`` binds its dynamic
    dimensions)."""
    check_input_shape(path, input_shape)
    if path.endswith(".onnx"):
        from costmodel.importer import load_onnx

        return load_onnx(path, input_shape)
    from costmodel.spec.load import load_spec

    return load_spec(path)
