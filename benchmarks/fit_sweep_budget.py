"""Fit the sweep budget's lane cost (costmodel.analysis.sweep_budget.LANE_SECONDS) and check
its per-layer cost (LAYER_SECONDS) on this machine.

A compiled sweep over V values of one axis builds each of the network's L layers once over
V lanes and gathers their totals; the budget estimates it at L · (LAYER_SECONDS + V ·
LANE_SECONDS). Here exactly that work — one lanes build of each spec over V resolutions
(224, 225, …: one structure) and the gathering of its totals, as
costmodel.analysis.sweep._compiled does them — is timed in-process for two sizes V, CPU
time (``time.process_time``, the smallest of ``--repeat`` runs, so a busy machine inflates
it least); the difference gives the seconds per lane-layer, the small build the seconds per
layer. Prints both per spec next to the constants, their median, and whether a constant is
off by more than 2× (the case for re-fitting it).

    python benchmarks/fit_sweep_budget.py [--repeat 3] [--lanes 16000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS = ("mobilenet_v2", "ghostnet", "nasnet_a_mobile", "resnet50", "mobilenet_v3_large")
SMALL = 2
"""Lanes of the small build (its time is almost all per-layer work)."""


def cpu_of_build(spec: Path, lanes: int, repeat: int) -> tuple[float, int]:
    """(least CPU seconds of one lanes build over ``lanes`` resolutions and the gathering
    of its totals, layers counted)."""
    import numpy as np

    from costmodel.analysis.sweep import COUNTS
    from costmodel.graph import build
    from costmodel.lanes import axis_over, gather
    from costmodel.spec.load import load_spec

    model = load_spec(spec)
    best, layers = float("inf"), 0
    for _ in range(repeat):
        started = time.process_time()
        network = build(model, str(spec), {"resolution": axis_over(np.arange(224, 224 + lanes), 1, 0, 1)})
        gather([[getattr(node.cost, key) for node in network.nodes.values()] for key in COUNTS], (lanes,))
        best = min(best, time.process_time() - started)
        layers = len(network.nodes)
    return best, layers


def main() -> int:
    from costmodel.analysis.sweep_budget import LANE_SECONDS, LAYER_SECONDS
    from costmodel.lanes import reuse_memory

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lanes", type=int, default=16000, help="lanes of the large sweep (≤ 16,000)")
    args = parser.parse_args()
    reuse_memory()  # as `costmodel sweep` does
    lane_fits, layer_fits = [], []
    print(f"budget: LAYER_SECONDS {LAYER_SECONDS * 1e6:.0f} µs, LANE_SECONDS {LANE_SECONDS * 1e9:.1f} ns")
    for stem in SPECS:
        spec = ROOT / "specs" / f"{stem}.yaml"
        cpu_of_build(spec, SMALL, 1)  # warm imports and caches
        small, layers = cpu_of_build(spec, SMALL, args.repeat)
        large, _ = cpu_of_build(spec, args.lanes, args.repeat)
        lane = (large - small) / (layers * (args.lanes - SMALL))
        layer = small / layers - SMALL * lane
        lane_fits.append(lane)
        layer_fits.append(layer)
        print(f"  {stem:18} {layers:5} layers: {SMALL} lanes {small:6.3f} s, {args.lanes:,} lanes "
              f"{large:6.3f} s → {lane * 1e9:5.1f} ns per lane-layer, {layer * 1e6:5.0f} µs per layer")
    lane, layer = statistics.median(lane_fits), statistics.median(layer_fits)
    print(f"median: {lane * 1e9:.1f} ns per lane-layer (budget {LANE_SECONDS * 1e9:.1f}: "
          f"{lane / LANE_SECONDS:.2f}×), {layer * 1e6:.0f} µs per layer (budget "
          f"{LAYER_SECONDS * 1e6:.0f}: {layer / LAYER_SECONDS:.2f}×)")
    off = [name for name, ratio in (("LANE_SECONDS", lane / LANE_SECONDS), ("LAYER_SECONDS", layer / LAYER_SECONDS))
           if not 0.5 <= ratio <= 2]
    print("off by more than 2×: " + (", ".join(off) if off else "none"))
    return 1 if off else 0


if __name__ == "__main__":
    sys.exit(main())
