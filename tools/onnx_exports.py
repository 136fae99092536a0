"""ONNX exports of torchvision/timm models, stripped of weights, for tests/importer/.

Run it once in a THROWAWAY virtual environment outside the repository (costmodel never
imports torch; the tests read only the stripped files this writes):

    /work/refenv/bin/pip install onnx onnxscript      # beside torch 2.14.1, torchvision, timm
    /work/refenv/bin/python tools/onnx_exports.py -o tests/importer/exports mobilenet_v2 resnet50 …

Each network is built as tools/reference_counts.py builds it (random weights, eval mode,
the same input resolution) and exported twice:

* ``<name>.ts.onnx``: the TorchScript-based exporter (``torch.onnx.export(dynamo=False)``),
  at ``--ts-opset`` (default 13), with ``training=TrainingMode.PRESERVE`` and
  ``do_constant_folding=False``;
* ``<name>.dynamo.onnx``: the dynamo-based exporter (``dynamo=True``), its default opset
  (20), with ``optimize=False``.

``--defaults`` exports with the exporters' own settings instead (BN and constants folded,
the dynamo optimizer on): their MACCs are the reference's, their params those of the
biased convs the file then holds. A name may also be ``torchvision:MODEL[@RES]`` or
``timm:MODEL[@RES]`` (any model of those libraries, at resolution RES, default 224).

Both exporters fold BatchNormalization into the preceding convolution by default (an
eval-mode export); these settings keep it, so the import reports the reference's
parameters (BN's γ, β) — a folded BN would import as a biased conv, as it then is.

Stripping: every floating-point tensor with more than 16 elements (initializers, and
``Constant`` nodes' values) keeps its ``dims`` and ``data_type`` and loses its data
(``raw_data``/``float_data`` cleared; an external-data reference removed, so no
``.onnx.data`` file is needed); the dynamo exporter's per-node metadata (stack traces,
FX nodes) and the graph's ``value_info`` (inferred shapes) are dropped too, keeping each
node's ``pkg.torch.onnx.name_scopes`` (its module path). Integer tensors (reshape targets, split sizes) and small
scalars (Clip bounds, LayerNorm's ε, hardswish's 3 and 6) are kept: they decide the
mapping. The result is no longer runnable, only countable.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference_counts import REFERENCES, Ref, build

MAX_KEPT = 16
"""Largest floating-point tensor (elements) whose data is kept."""


def _strip_tensor(tensor: Any) -> None:
    from onnx import TensorProto

    numel = 1
    for d in tensor.dims:
        numel *= d
    floating = tensor.data_type in (TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.DOUBLE,
                                    TensorProto.BFLOAT16)
    if not floating or numel <= MAX_KEPT:
        return
    for name in ("raw_data", "float_data", "double_data", "int32_data", "external_data"):
        tensor.ClearField(name)
    tensor.data_location = TensorProto.DEFAULT


def strip(model: Any) -> Any:
    """``model`` with large floating-point data removed (dims and dtypes kept)."""
    from onnx import AttributeProto

    for tensor in model.graph.initializer:
        _strip_tensor(tensor)
    model.graph.ClearField("value_info")
    for node in model.graph.node:
        node.ClearField("doc_string")
        kept = [(p.key, p.value) for p in node.metadata_props if p.key == "pkg.torch.onnx.name_scopes"]
        node.ClearField("metadata_props")
        for key, value in kept:
            node.metadata_props.add(key=key, value=value)
        for attribute in node.attribute:
            if attribute.type == AttributeProto.TENSOR:
                _strip_tensor(attribute.t)
    return model


def reference(name: str) -> tuple[str, Ref]:
    """A zoo name of tools/reference_counts.py, or ``library:model[@resolution]`` for any
    torchvision/timm model (``torchvision:googlenet``, ``timm:deit_tiny_patch16_224``)."""
    if name in REFERENCES:
        return name, REFERENCES[name]
    library, _, rest = name.partition(":")
    model, _, resolution = rest.partition("@")
    if library not in ("torchvision", "timm") or not model:
        raise SystemExit(f"{name}: neither a zoo name nor torchvision:/timm:MODEL[@RES]")
    return model, Ref(library, model, int(resolution or 224))


def export(name: str, out: Path, ts_opset: int, defaults: bool = False) -> list[Path]:
    """Both exports of ``name`` (see :func:`reference`), stripped, written to ``out``;
    with ``defaults`` the exporters' own settings instead (BN folded, constants folded,
    the dynamo exporter's optimizer on): ``<name>.ts<opset>-default``, ``<name>.dynamo-default``."""
    import onnx
    import torch

    stem, ref = reference(name)
    model = build(ref)
    x = torch.randn(1, 3, ref.resolution, ref.resolution)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        raw_ts = Path(tmp) / "ts.onnx"
        keep: dict[str, Any] = {} if defaults else {
            "training": torch.onnx.TrainingMode.PRESERVE, "do_constant_folding": False}
        torch.onnx.export(model, (x,), str(raw_ts), dynamo=False, opset_version=ts_opset,
                          input_names=["image"], output_names=["logits"], **keep)
        raw_dynamo = Path(tmp) / "dynamo.onnx"
        torch.onnx.export(model, (x,), str(raw_dynamo), dynamo=True, optimize=defaults,
                          external_data=True)
        kinds = (f"ts{ts_opset}-default", "dynamo-default") if defaults else ("ts", "dynamo")
        for kind, raw in zip(kinds, (raw_ts, raw_dynamo), strict=True):
            stripped = strip(onnx.load(str(raw)))  # kept tensors need their data inline
            target = out / f"{stem}.{kind}.onnx"
            target.write_bytes(stripped.SerializeToString())
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="+", help="zoo names of tools/reference_counts.py, or "
                                                 "torchvision:MODEL[@RES] / timm:MODEL[@RES]")
    parser.add_argument("--defaults", action="store_true",
                        help="the exporters' default settings (BN folded): MACCs comparable, params not")
    parser.add_argument("-o", "--out", type=Path, required=True)
    parser.add_argument("--ts-opset", type=int, default=13)
    parser.add_argument("--restrip", action="store_true", help="strip existing files NAMES again")
    args = parser.parse_args(argv)
    if args.restrip:
        import onnx
        for name in args.names:
            Path(name).write_bytes(strip(onnx.load(name, load_external_data=False)).SerializeToString())
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names:
        try:
            for path in export(name, args.out, args.ts_opset, args.defaults):
                print(f"{path}: {path.stat().st_size} bytes", flush=True)
        except Exception as error:  # one model failing must not stop the others
            print(f"{name}: FAILED {type(error).__name__}: {str(error).splitlines()[0][:200]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
