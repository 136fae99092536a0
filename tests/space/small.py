"""Small search spaces and their brute-force enumeration through ``costmodel.analyze``.

The enumeration is written independently of costmodel.space: every subnet is spelled out
as a plain spec (copies named as ``repeat`` names them, ``first`` applied by hand) and
analyzed whole, so the per-slot costing, the graph and the dynamic programs are all under
test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import costmodel
from costmodel.spec.load import parse_spec

STEM = {"name": "stem", "op": "conv_bn_act", "out": 8, "kernel": 3, "stride": 2}
TAIL = [{"name": "pool", "op": "global_avg_pool"}, {"name": "flatten", "op": "flatten"},
        {"name": "fc", "op": "linear", "out": 10}]
STAGE1 = {"name": "stage1", "op": "mbconv", "out": 16, "kernel": 5, "expansion": 6, "repeat": 2,
          "first": {"stride": 2}, "se_ratio": "1/4",
          "se_of": "expanded", "se_gate": "sigmoid"}
STAGE1_CHOICES = {"repeat": [1, 2], "kernel": [3, 5], "expansion": [3, 6]}
STAGE2 = {"name": "stage2", "op": "inverted_residual", "out": 24, "kernel": 3, "repeat": 2}
STAGE2_CHOICES = {"repeat": [0, 1, 2], "out": [16, 24]}

SMALL: dict[str, Any] = {
    "model": "small_space",
    "params": {"resolution": 32, "classes": 10},
    "choices": {"resolution": [32, 48]},
    "input": [3, "resolution", "resolution"],
    "layers": [STEM, {**STAGE1, "choices": STAGE1_CHOICES}, {**STAGE2, "choices": STAGE2_CHOICES}, *TAIL],
}
"""2 resolutions × (4 + 4²) stage-1 × (1 + 2 + 2²) stage-2 choices = 280 subnets; stage 2
may be skipped and chooses its width per copy (so a residual appears or not)."""


def _copies(stage: dict[str, Any], choices: dict[str, list[Any]]) -> Iterator[tuple[list[dict[str, Any]], int]]:
    """Every way to fill the stage: (its layers, settings of the copies it leaves out)."""
    fields = [f for f in choices if f != "repeat"]
    options = list(itertools.product(*(choices[f] for f in fields)))
    longest = max(choices["repeat"])
    base = {k: v for k, v in stage.items() if k not in ("repeat", "first", "name")}
    for depth in choices["repeat"]:
        for combo in itertools.product(options, repeat=depth):
            layers = []
            for copy, values in enumerate(combo):
                layer = {**base, "name": f"{stage['name']}.{copy}", **dict(zip(fields, values, strict=True))}
                if copy == 0:
                    layer.update(stage.get("first", {}))
                layers.append(layer)
            yield layers, len(options) ** (longest - depth)


def enumerate_small() -> Iterator[tuple[dict[str, Any], int]]:
    """(plain spec, OFA-sampler settings that give it) for every subnet of SMALL."""
    for resolution in SMALL["choices"]["resolution"]:
        for (one, w1), (two, w2) in itertools.product(_copies(STAGE1, STAGE1_CHOICES),
                                                      _copies(STAGE2, STAGE2_CHOICES)):
            spec = {"model": "subnet", "params": {"resolution": resolution, "classes": 10},
                    "input": [3, "resolution", "resolution"], "layers": [STEM, *one, *two, *TAIL]}
            yield spec, w1 * w2


def measure(spec: dict[str, Any]) -> dict[str, int]:
    """Every metric of a plain spec, by costmodel.analyze on the whole network."""
    analysis = costmodel.analyze(parse_spec(spec))
    values = dict(analysis.totals.as_dict())
    values.pop("buffers")
    assert analysis.peak_memory is not None
    values["peak_memory"] = analysis.peak_memory.spec.elements
    return values
