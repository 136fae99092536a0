"""Export held-out networks, none of them a zoo spec, from their reference implementations
(torchvision, timm) to ONNX, for ``bench_latency.py --onnx DIR``.

Needs torch, torchvision, timm and onnx, which costmodel never depends on: use a throwaway
virtual environment (on the development machines: ``pip install torch==2.14.1
torchvision==0.29.1 timm onnx onnxscript``), then

    python benchmarks/export_heldout.py OUT_DIR [NAME ...]
    python benchmarks/bench_latency.py --onnx OUT_DIR --passes 4 --rounds 3 --drift

Each model is exported untrained (weights do not change latency) at its default input size,
batch 1, opset 17, by the TorchScript exporter (which folds each batchnorm into its conv),
as ``{source}_{name}.onnx``; a model that fails to build or export is reported and skipped.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

TORCHVISION = ("resnet34", "mnasnet0_75", "mnasnet1_3", "regnet_x_400mf", "regnet_y_800mf", "mobilenet_v3_large")
TIMM = ("tinynet_a", "tinynet_d", "hardcorenas_a", "fbnetv3_b", "lcnet_150", "mixnet_m", "efficientnet_es",
        "repghostnet_100", "mobilevitv2_050", "fastvit_t12", "resnet18d", "mobilenetv3_large_100", "semnasnet_050",
        "mobilenetv2_050", "efficientnet_lite2", "ghostnetv2_130", "regnetx_006", "resnet26")
"""Variants the zoo (specs/) does not hold: other widths, depths and resolutions of its
families, and families' relatives (TinyNet, HardCoReNAS, FBNetV3, RepGhost, MobileViTv2)."""


def build(source: str, name: str) -> tuple[Any, int]:
    """The untrained model in eval mode and its input side."""
    if source == "tv":
        import torchvision

        return getattr(torchvision.models, name)().eval(), 224
    import timm

    model = timm.create_model(name, pretrained=False).eval()
    return model, int(model.pretrained_cfg.get("input_size", (3, 224, 224))[-1])


def main() -> None:
    import torch

    if len(sys.argv) < 2:
        sys.exit(__doc__)
    folder, only = Path(sys.argv[1]), set(sys.argv[2:])
    folder.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    for source, names in (("tv", TORCHVISION), ("timm", TIMM)):
        for name in names:
            if only and name not in only:
                continue
            try:
                model, side = build(source, name)
                torch.onnx.export(model, torch.randn(1, 3, side, side), str(folder / f"{source}_{name}.onnx"),
                                  opset_version=17, input_names=["input"], output_names=["output"], dynamo=False)
                print(f"exported {source}_{name} at {side}×{side}", flush=True)
            except Exception as error:  # a model this torch or timm cannot build or export
                print(f"skipped {source}_{name}: {type(error).__name__}: {str(error)[:200]}", flush=True)


if __name__ == "__main__":
    main()
