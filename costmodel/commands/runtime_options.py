"""The options `measure` and `calibrate` share: which runtime, and its graph optimizations.
Their choices are the runtime registry's (costmodel.runtime.base)."""

from __future__ import annotations

from typing import Any, get_args

import click

from costmodel.runtime.base import RUNTIMES, Optimize

__all__ = ["runtime_option", "optimize_option"]

runtime_option = click.option(
    "--runtime", "runtime_name", type=click.Choice(sorted(RUNTIMES)), default="onnxruntime",
    show_default=True, help="The inference engine.")


def optimize_option(help: str) -> Any:
    """``--optimize all|none`` (default all), with the command's own ``help``."""
    return click.option("--optimize", type=click.Choice(get_args(Optimize)), default="all",
                        show_default=True, help=help)
