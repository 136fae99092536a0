"""What ``report --latency`` prints: a profile loaded (or the default one) and a prediction."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from costmodel.errors import SpecError
from costmodel.latency.model import DEFAULT_PROFILE, DeviceProfile, predict
from costmodel.latency.render import render_latency

if TYPE_CHECKING:
    from costmodel.graph import Network

__all__ = ["load_profile", "print_latency"]


def load_profile(path: str) -> DeviceProfile:
    """The profile at ``path`` (``default``: the shipped one); SpecError if unreadable."""
    source = DEFAULT_PROFILE if path == "default" else path
    try:
        return DeviceProfile.load(source)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SpecError(f"cannot read a device profile: {error}", path=str(source)) from None


def print_latency(network: Network, name: str, path: str, fmt: str) -> None:
    profile = load_profile(path)
    times, total = predict(network, profile)
    click.echo(render_latency(name, times, total, profile, "json" if fmt == "json" else "table"),
               nl=False)
