"""An imported spec as readable YAML: one layer a line, in execution order, each layer
named after its ONNX node (PyTorch's module path where the exporter recorded it), the
input shape and the output named, so ``costmodel report spec.yaml`` reports exactly what
the ONNX model does (tests/importer/test_roundtrip.py checks it over the zoo)."""

from __future__ import annotations

from typing import Any

from costmodel.spec.located_yaml import dump_yaml

__all__ = ["spec_yaml"]

_FIRST = ("name", "op", "inputs")


def _layer(layer: dict[str, Any], previous: str | None) -> str:
    """One flow-style line; ``inputs`` left out when it is just the previous layer."""
    fields = dict(layer)
    if fields.get("inputs") == ([previous] if previous else ["input"]):
        del fields["inputs"]
    ordered = {key: fields[key] for key in _FIRST if key in fields}
    ordered.update((key, value) for key, value in fields.items() if key not in _FIRST)
    text = dump_yaml(ordered, default_flow_style=True, sort_keys=False, width=1 << 16)
    return "  - " + text.strip()


def spec_yaml(spec: dict[str, Any], source: str) -> str:
    """The YAML text of ``spec`` (as :func:`costmodel.importer.import_onnx` returns it),
    with a header naming the ONNX file it was imported from."""
    head = {key: spec[key] for key in ("model", "batch", "input") if key in spec}
    lines = [f"# Imported from {source} by `costmodel import`: one layer per ONNX node or",
             "# recognized group of nodes; constants and shape arithmetic folded.",
             dump_yaml(head, default_flow_style=None, sort_keys=False).strip()]
    if "identity_nodes" in spec:
        lines.append(dump_yaml({"identity_nodes": spec["identity_nodes"]}, default_flow_style=None,
                               sort_keys=False).strip())
    lines.append("layers:")
    previous = None
    for layer in spec["layers"]:
        lines.append(_layer(layer, previous))
        previous = layer["name"]
    return "\n".join(lines) + "\n"
