"""Imported layers grouped so the spec reads like one written by hand: a conv2d followed
by its batchnorm and activation (each read only by the next) becomes one ``conv_bn_act``
block named after the three layers' common module path (``features.0`` for
``features.0.0``, ``features.0.1``, ``features.0.2``), its children ``conv``, ``bn``,
``act``. Costs are unchanged: the block expands to the same three ops."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

from costmodel.spec.layers import ACTIVATIONS

__all__ = ["group_conv_bn_act"]

_CONV_FIELDS = ("out", "kernel", "stride", "padding", "dilation", "groups", "bias")


def _block_name(names: list[str], taken: set[str]) -> str | None:
    """The common dotted prefix of ``names`` (else the first name), if free."""
    prefix = os.path.commonprefix([name + "." for name in names])
    candidate = prefix[: prefix.rfind(".")] if "." in prefix else ""
    for name in (candidate, names[0]):
        if name and all(f"{name}.{child}" not in taken for child in ("conv", "bn", "act")) \
                and (name not in taken or name in names):
            return name
    return None


def group_conv_bn_act(layers: list[dict[str, Any]], weights: dict[str, dict[str, Any]],
                      output: str | None, moved: dict[str, str] | None = None,
                      ) -> tuple[list[dict[str, Any]], str | None]:
    """``layers`` with conv2d → batchnorm [→ activation] chains as ``conv_bn_act`` blocks;
    ``weights`` re-keyed to the children in place, and ``moved`` given each grouped layer's
    new name (``features.0.conv``); the (renamed) ``output``."""
    reads = Counter(ref.partition(":")[0] for layer in layers for ref in layer["inputs"])
    if output is not None:
        reads[output] += 1
    taken = {layer["name"] for layer in layers}
    renamed: dict[str, str] = {}
    grouped: list[dict[str, Any]] = []
    i = 0
    while i < len(layers):
        chain = _chain(layers, i, reads)
        name = _block_name([layer["name"] for layer in chain], taken) if chain else None
        if not chain or name is None:
            grouped.append(layers[i])
            i += 1
            continue
        conv = chain[0]
        block: dict[str, Any] = {"name": name, "op": "conv_bn_act", "inputs": conv["inputs"]}
        for key in _CONV_FIELDS:  # the block's padding defaults to (k − 1)/2, conv2d's to 0
            if key in conv or key == "padding":
                block[key] = conv.get(key, 0)
        block["act"] = chain[2]["op"] if len(chain) == 3 else "none"
        grouped.append(block)
        for child, layer in zip(("conv", "bn", "act"), chain, strict=False):
            if layer["name"] in weights:
                weights[f"{name}.{child}"] = weights.pop(layer["name"])
            if moved is not None:
                moved[layer["name"]] = f"{name}.{child}"
            taken.add(f"{name}.{child}")
        taken.add(name)
        renamed[chain[-1]["name"]] = name
        i += len(chain)
    for layer in grouped:
        layer["inputs"] = [_renamed(ref, renamed) for ref in layer["inputs"]]
    return grouped, None if output is None else _renamed(output, renamed)


def _chain(layers: list[dict[str, Any]], i: int, reads: Counter[str]) -> list[dict[str, Any]]:
    conv = layers[i]
    if conv["op"] != "conv2d" or i + 1 >= len(layers):
        return []
    bn = layers[i + 1]
    if bn["op"] != "batchnorm" or bn["inputs"] != [conv["name"]] or reads[conv["name"]] != 1:
        return []
    if i + 2 < len(layers):
        act = layers[i + 2]
        if act["op"] in ACTIVATIONS and "slope" not in act and act["inputs"] == [bn["name"]] \
                and reads[bn["name"]] == 1:
            return [conv, bn, act]
    return [conv, bn]


def _renamed(ref: str, renamed: dict[str, str]) -> str:
    name, colon, port = ref.partition(":")
    return renamed.get(name, name) + colon + port
