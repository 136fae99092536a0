"""costmodel's kernels vs the graph onnxruntime executes, for every zoo spec and variant.

Per model and optimization level: the kernels :func:`costmodel.latency.kernels.kernels`
predicts (this CPU's NCHWc block size) against the nodes of the optimized graph onnxruntime
saves (layout reorders counted apart; Reshape, Flatten, Squeeze and Unsqueeze run as
aliases). Prints each model's counts (X: a mismatch) and how
many match.

    python benchmarks/bench_kernel_counts.py [--only mobilevit]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import onnx

from costmodel.export import export_network
from costmodel.latency.device import nchwc_block
from costmodel.latency.kernels import kernels
from costmodel.runtime.base import RunOptions
from costmodel.runtime.onnxruntime_backend import OnnxRuntime
from costmodel.zoo import collect

ROOT = Path(__file__).resolve().parent.parent
FREE = frozenset({"Reshape", "Flatten", "Squeeze", "Unsqueeze"})
REORDERS = frozenset({"ReorderInput", "ReorderOutput"})


def executed(runtime: OnnxRuntime, model: bytes, level: str, folder: str) -> tuple[int, int]:
    """(kernels, reorders) of onnxruntime's optimized graph of ``model`` at ``level``."""
    path = os.path.join(folder, f"{level}.onnx")
    runtime.session(model, RunOptions(1, level), optimized_path=path)  # type: ignore[arg-type]
    ops = [node.op_type for node in onnx.load(path, load_external_data=False).graph.node]
    return sum(op not in FREE | REORDERS for op in ops), sum(op in REORDERS for op in ops)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="Only models whose name contains this.")
    args = parser.parse_args()
    runtime, block = OnnxRuntime(), nchwc_block()
    matches, total = {"all": 0, "none": 0}, 0
    for entry in collect(ROOT / "specs"):
        if args.only not in entry.name:
            continue
        total += 1
        network = entry.analysis.network
        model = export_network(network).model.SerializeToString()
        cells = []
        with tempfile.TemporaryDirectory() as folder:
            for level in ("all", "none"):
                found = kernels(network, level, block)
                ours = (sum(k.kind != "reorder" for k in found), sum(k.kind == "reorder" for k in found))
                theirs = executed(runtime, model, level, folder)
                matches[level] += ours == theirs
                cells.append(f"{level} {ours[0]}/{theirs[0]} reorders {ours[1]}/{theirs[1]}"
                             + ("" if ours == theirs else " X"))
        print(f"{entry.name:34} " + " | ".join(cells), flush=True)
    print(f"block {block}: kernels and reorders match for {matches['all']}/{total} (on), "
          f"{matches['none']}/{total} (off)")


if __name__ == "__main__":
    main()
