"""Text and JSON renderings of a latency prediction."""

from __future__ import annotations

import json

from costmodel.latency.model import DeviceProfile, KernelTime
from costmodel.units import readable

__all__ = ["render_latency"]


def render_latency(name: str, times: list[KernelTime], total_us: float, profile: DeviceProfile,
                   fmt: str, totals_only: bool = False) -> str:
    """Per-kernel predicted µs, share of the kernels' time and share of maccs, then the total;
    ``totals_only``: the title and the total (JSON: no ``kernels`` list, their count)."""
    kernel_total = sum(t.time_us for t in times) or 1.0
    maccs_total = sum(t.kernel.maccs for t in times) or 1
    device = (f"{profile.runtime} {profile.version}, {profile.cpu}, {profile.threads} thread(s), "
              f"optimize={profile.optimize}")
    if fmt == "json":
        data = {"model": name, "device": device, "total_us": round(total_us, 3),
                "session_us": round(profile.session_us, 3), "kernel_count": len(times)}
        if not totals_only:
            data["kernels"] = [{"layers": list(t.kernel.layers), "kind": t.kernel.kind,
                                "maccs": t.kernel.maccs, "bytes": t.kernel.bytes,
                                "time_us": round(t.time_us, 3)} for t in times]
        return json.dumps(data, indent=2) + "\n"
    lines = [f"predicted latency of {name} on {device} (device-specific: see docs/latency.md)"]
    if not totals_only:
        lines.append(f"{'kernel':40} {'kind':15} {'maccs':>12} {'bytes':>11} {'µs':>9} {'time%':>6} {'maccs%':>6}")
    for t in [] if totals_only else times:
        label = t.kernel.layers[0] + (f" (+{len(t.kernel.layers) - 1})" if len(t.kernel.layers) > 1 else "")
        lines.append(f"{label[:40]:40} {t.kernel.kind:15} {readable(t.kernel.maccs, 0):>12} {readable(t.kernel.bytes, 0):>11} "
                     f"{readable(t.time_us):>9} {100 * t.time_us / kernel_total:>6.1f} "
                     f"{100 * t.kernel.maccs / maccs_total:>6.1f}")
    lines.append(f"total {readable(total_us / 1000, 3)} ms ({len(times)} kernels, session "
                 f"{readable(profile.session_us)} µs)")
    return "\n".join(lines) + "\n"
