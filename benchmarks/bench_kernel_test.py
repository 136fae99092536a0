"""The latency model's own error: the lone-kernel TEST set.

The distinct conv and linear shapes that occur in the zoo specs (every spec of specs/ at its
default bindings; shape data, not zoo timings), a seeded sample of them per kernel kind,
each built alone as a one-kernel model and timed exactly as ``calibrate`` times a grid point
(calibrate._time and calibrate.estimate: plain and profiled runs in interleaved rounds, the session's,
executor's and reorders' costs removed). Prints each profile's error on them per kind and by
output size (small < 14², mid < 56², big ≥ 56² positions): median |err|, signed median,
worst, share within ±10 %. Validation of the kernel model only: never fit on these timings.

    python benchmarks/bench_kernel_test.py [--all P.json[,Q.json]] [--none P.json] [--rounds 5]

Several profiles per level (comma-separated) are scored on the same timings.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from costmodel.graph import Network, build
from costmodel.latency import calibrate
from costmodel.latency.device import shipped_profile
from costmodel.latency.kernels import Kernel, kernels
from costmodel.latency.model import DeviceProfile, shape_features
from costmodel.spec.load import load_spec, parse_spec
from costmodel.zoo import spec_paths

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ("all", "none")
QUOTA = {"conv_pointwise": 60, "conv_depthwise": 60, "conv_dense": 30, "conv_grouped_pointwise": 20,
         "conv_grouped_nchwc": 20, "conv_grouped": 20, "fully_connected": 20}
"""Test kernels per kind (as the zoo runs them with optimizations on): all when fewer."""

Shape = tuple[Any, ...]


def zoo_shapes() -> dict[Shape, str]:
    """Each distinct conv/linear layer geometry of the zoo specs at default bindings → its
    kernel kind with optimizations on. A conv: (C_in, H, W, C_out, k_h, k_w, s_h, s_w,
    padding, dilation, groups); a linear: (features in, features out)."""
    found: dict[Shape, str] = {}
    for path in spec_paths(ROOT / "specs"):
        network = build(load_spec(path), str(path), {})
        for kernel in kernels(network, "all"):
            if kernel.kind.startswith("conv") or kernel.kind == "fully_connected":
                found.setdefault(_shape(network, kernel), kernel.kind)
    return found


def _shape(network: Network, kernel: Kernel) -> Shape:
    node = network.nodes[kernel.layers[0]]
    source = network.nodes[node.inputs[0][0]].outputs[node.inputs[0][1]]
    if kernel.kind == "fully_connected":
        features = 1
        for size in source[1:]:
            features *= int(size)
        return (features, int(node.outputs[0][-1]))
    geometry = node.geometry
    assert geometry is not None
    padding = None if isinstance(geometry.padding[0], str) else tuple(
        tuple(int(v) for v in p) if isinstance(p, tuple | list) else int(p) for p in geometry.padding)
    return (int(source[1]), int(source[2]), int(source[3]), int(node.outputs[0][1]), int(geometry.kernel[0]),
            int(geometry.kernel[1]), int(geometry.stride[0]), int(geometry.stride[1]), padding,
            int(geometry.dilation[0]), int(geometry.groups))


def sample(shapes: dict[Shape, str], seed: int) -> list[Shape]:
    """Up to QUOTA[kind] shapes per kind, seeded, in a fixed order."""
    rng = random.Random(seed)
    chosen: list[Shape] = []
    for kind, quota in QUOTA.items():
        mine = sorted((s for s, k in shapes.items() if k == kind), key=repr)
        rng.shuffle(mine)
        chosen += mine[:quota]
    return chosen


def one_kernel_spec(shape: Shape, optimize: str, index: int) -> dict[str, object]:
    """The shape as a one-kernel spec, as calibrate builds its grid points (BN and ReLU fused
    with optimizations on, a bare conv off)."""
    if len(shape) == 2:
        return {"model": f"t{index}", "input": [shape[0], 1, 1],
                "layers": [{"name": "f", "op": "flatten"}, {"name": "k", "op": "linear", "out": shape[1]}]}
    c_in, height, width, c_out, k_h, k_w, s_h, s_w, padding, dilation, groups = shape
    layer: dict[str, object] = {"name": "k", "op": "conv_bn_act", "out": c_out, "kernel": [k_h, k_w],
                                "stride": [s_h, s_w], "dilation": dilation, "bn": optimize == "all",
                                "act": "relu" if optimize == "all" else "none"}
    if padding is not None:
        layer["padding"] = [list(p) if isinstance(p, tuple) else p for p in padding]
    if groups == c_in == c_out and groups != 1:
        layer["depthwise"] = True
    elif groups != 1:
        layer["groups"] = groups
    return {"model": f"t{index}", "input": [c_in, height, width], "layers": [layer]}


def measure(shapes: list[Shape], optimize: str, rounds: int) -> list[calibrate.Point]:
    """Each shape's lone kernel time (calibrate.estimate), timed as calibrate times its grid."""
    specs = calibrate._session_baselines()
    for index, shape in enumerate(shapes):
        spec = one_kernel_spec(shape, optimize, index)
        main = [k for k in kernels(build(parse_spec(spec), "<test>", {}), optimize)
                if k.kind.startswith("conv") or k.kind == "fully_connected"]
        specs.append((main[0].kind, spec))
    samples = calibrate._time(specs, optimize=optimize, runtime_name="onnxruntime", rounds=rounds, runs=7, seed=0)
    fixed = calibrate.baseline(samples, 7)
    return [calibrate.estimate(s, fixed, 7)[0] for s in samples if not s.kind.startswith("session")]


def region(point: calibrate.Point) -> str:
    positions = point.shape[2]
    return "big" if positions >= 56 * 56 else "mid" if positions >= 14 * 14 else "small"


def score(points: list[calibrate.Point], profile: DeviceProfile) -> float:
    """Print the profile's errors per kind and region; return the median |err| of all."""
    errors: dict[str, list[float]] = {}
    for point in points:
        if point.time_us < calibrate.MIN_US:
            continue
        predicted = profile.roofline(point.kind).time_us(point.maccs, point.bytes, point.calls,
                                                         shape_features(point.kind, point.maccs, point.shape))
        error = predicted / point.time_us - 1
        for key in ("ALL", point.kind, f"{point.kind}/{region(point)}"):
            errors.setdefault(key, []).append(error)
    for key in ["ALL"] + sorted(k for k in errors if k != "ALL"):
        values = errors[key]
        absolute = [abs(e) for e in values]
        print(f"  {key:30} n {len(values):3}  median |err| {100 * statistics.median(absolute):5.1f} %  signed "
              f"{100 * statistics.median(values):+6.1f} %  worst {100 * max(values, key=abs):+6.0f} %  "
              f"within ±10 % {100 * sum(a <= 0.1 for a in absolute) / len(absolute):3.0f} %")
    return statistics.median(abs(e) for e in errors["ALL"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", default=str(shipped_profile("all")[0]), help="Profiles, comma-separated.")
    parser.add_argument("--none", default=str(shipped_profile("none")[0]), help="Profiles, comma-separated.")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    shapes = zoo_shapes()
    chosen = sample(shapes, args.seed)
    print(f"{len(shapes)} distinct conv/linear shapes in the zoo specs; testing {len(chosen)}: "
          f"{dict(Counter(shapes[s] for s in chosen))}")
    for level in LEVELS:
        start = time.strftime("%H:%M:%S", time.gmtime())
        points = measure(chosen, level, args.rounds)
        print(f"optimizations {level}: {len(points)} lone kernels timed {start}-"
              f"{time.strftime('%H:%M:%S', time.gmtime())} UTC ({args.rounds} rounds)")
        for path in getattr(args, level).split(","):
            print(f" {path}")
            score(points, DeviceProfile.load(path))


if __name__ == "__main__":
    main()
