"""Numpy reference forward vs PyTorch eager on the CPU, same network, same weights.

    python benchmarks/bench_reference.py [--repeat 10] [--threads N]

Builds MobileNetV2 (224×224, batch 1) and ResNet-50 from our specs, times our numpy
forward (measuring counts as it goes) and, when torch is installed, a torch model built
from the *same* spec by the small spec → torch builder below, with the same weights. Torch
is optional and never a dependency of costmodel. Prints the median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from costmodel.graph import Network, build
from costmodel.reference.forward import forward, random_input
from costmodel.reference.kernels import BN_EPS
from costmodel.spec.load import load_spec

SPECS = Path(__file__).parents[1] / "specs"
MODELS = {"mobilenet_v2": {"resolution": 224}, "resnet50": {"resolution": 224}}


def median_seconds(fn: Any, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def torch_runner(network: Network, weights: dict[str, dict[str, np.ndarray]]) -> Any:
    """A callable running ``network`` in torch eager, op by op, with ``weights``."""
    import torch
    import torch.nn.functional as F

    def pair(value: Any) -> tuple[int, int]:
        return (int(value[0]), int(value[1])) if isinstance(value, (list, tuple)) else (int(value),) * 2

    tensors = {name: {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in params.items()}
               for name, params in weights.items()}
    activations = {"relu": F.relu, "relu6": F.relu6, "hardswish": F.hardswish,
                   "hardsigmoid": F.hardsigmoid, "sigmoid": torch.sigmoid, "silu": F.silu,
                   "swish": F.silu, "identity": lambda x: x, "dropout": lambda x: x}

    def step(node: Any, xs: list[Any]) -> list[Any]:
        layer, w = node.layer, tensors.get(node.name, {})
        if node.op == "conv2d":
            groups = xs[0].shape[1] if layer.depthwise else int(layer.groups)
            padding = layer.padding if isinstance(layer.padding, str) else pair(layer.padding)
            return [F.conv2d(xs[0], w["weight"], w.get("bias"), pair(layer.stride), padding,
                             pair(layer.dilation), groups)]
        if node.op == "batchnorm":
            return [F.batch_norm(xs[0], w["mean"], w["var"], w["gamma"], w["beta"], False, 0.0, BN_EPS)]
        if node.op == "linear":
            return [F.linear(xs[0], w["weight"], w.get("bias"))]
        if node.op == "max_pool":
            stride = pair(layer.stride if layer.stride is not None else layer.kernel)
            return [F.max_pool2d(xs[0], pair(layer.kernel), stride, pair(layer.padding),
                                 ceil_mode=layer.ceil_mode)]
        if node.op == "global_avg_pool":
            return [F.adaptive_avg_pool2d(xs[0], 1)]
        if node.op == "add":
            return [sum(xs[1:], xs[0])]
        if node.op == "flatten":
            return [torch.flatten(xs[0], 1)]
        return [activations[node.op](xs[0])]

    nodes = [node for node in network.nodes.values() if node.op != "input"]

    def run(x: Any) -> Any:
        values = {("input", 0): x}
        with torch.inference_mode():
            for node in nodes:
                for port, out in enumerate(step(node, [values[tuple(r)] for r in node.inputs])):
                    values[(node.name, port)] = out
        return values[tuple(network.output)]

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None and args.threads:
        torch.set_num_threads(args.threads)
    print(f"{'model':<14} {'numpy (ms)':>11} {'torch (ms)':>11} {'ratio':>7} {'max rel diff':>13}")
    for name, bindings in MODELS.items():
        network = build(load_spec(SPECS / f"{name}.yaml"), name, bindings)
        x = random_input(tuple(int(s) for s in network.nodes["input"].outputs[0]))
        result = forward(network, x)
        ours = median_seconds(partial(forward, network, x, weights=result.weights), args.repeat)
        if torch is None:
            print(f"{name:<14} {ours * 1e3:>11.1f} {'(no torch)':>11}")
            continue
        run = torch_runner(network, result.weights)
        tx = torch.from_numpy(x)
        theirs = median_seconds(partial(run, tx), args.repeat)
        diff = np.max(np.abs(run(tx).numpy() - result.output)) / np.max(np.abs(result.output))
        print(f"{name:<14} {ours * 1e3:>11.1f} {theirs * 1e3:>11.1f} {ours / theirs:>7.2f} {diff:>13.1e}")


if __name__ == "__main__":
    main()
