"""What ``report --latency`` prints: a profile loaded (or the default one) and a prediction."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import click

from costmodel.errors import SpecError, SpecNote
from costmodel.latency import device
from costmodel.latency.model import DeviceProfile, predict
from costmodel.latency.render import render_latency

if TYPE_CHECKING:
    from costmodel.graph import Network

__all__ = ["load_profile", "print_latency"]


def load_profile(path: str) -> DeviceProfile:
    """The profile at ``path``; ``default``: the shipped profile of this CPU (model and NCHWc
    block size) with optimizations on, named on stderr when the command succeeds (a
    :class:`SpecNote`), with a warning when none matches. SpecError if unreadable."""
    source: str | Path = path
    if path == "default":
        source, matched = device.shipped_profile("all")
        warnings.warn(SpecNote(f"latency: shipped profile {source.name}" + (
            " (this CPU)" if matched else
            f" — WARNING: no shipped profile is for this CPU ({device.cpu_model()}, NCHWc block "
            f"{device.nchwc_block()}); run `costmodel calibrate`")), stacklevel=2)
    try:
        return DeviceProfile.load(source)
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as error:
        raise SpecError(f"cannot read a device profile: {error}", path=str(source)) from None


def print_latency(network: Network, name: str, path: str, fmt: str, totals_only: bool = False) -> float:
    """Print the prediction of ``network`` from the profile at ``path`` (json, else a table;
    ``totals_only``: the total without the per-kernel rows); return the total (µs)."""
    profile = load_profile(path)
    times, total = predict(network, profile)
    click.echo(render_latency(name, times, total, profile, "json" if fmt == "json" else "table",
                              totals_only), nl=False)
    return total
