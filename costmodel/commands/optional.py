"""Optional dependencies of a command: a missing one is one line saying what to install."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

import click

from costmodel.commands.common import EXIT_BAD_INPUT

__all__ = ["require"]


def require(module: str, command: str, extra: str = "runtime") -> ModuleType:
    """Import ``module`` or print ``error: <command> needs <module>: pip install
    'costmodel[<extra>]'`` and exit 2."""
    try:
        return importlib.import_module(module)
    except ImportError:
        click.echo(f"error: {command} needs {module}: pip install 'costmodel[{extra}]'", err=True)
        sys.exit(EXIT_BAD_INPUT)
