"""Reference params and MACCs of the zoo's networks, measured on their reference
implementations (torchvision, timm, Cadene's pretrainedmodels) — the numbers tests/zoo/
writes down literally.

Run it in a THROWAWAY virtual environment outside the repository; costmodel never imports
torch, and neither the package nor its tests import this script:

    python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install torch==2.14.1 torchvision==0.29.1
    /tmp/refenv/bin/pip install timm pretrainedmodels six pytorchcv
    /tmp/refenv/bin/python tools/reference_counts.py                    # every model, JSON
    /tmp/refenv/bin/python tools/reference_counts.py semnasnet_100 --layers

Two references are the authors' repositories, not packages: put a checkout on the path in
``REFERENCE_SOURCES`` (os.pathsep-separated) — facebookresearch/mobile-vision (FBNet; it
also needs ``pip install cloudpickle iopath tabulate 'setuptools<81'``) and
zhoudaquan/rethinking_bottleneck_design's ``mobilenext/codebase/models`` (MobileNeXt: its
``mnext.py``; MobileNeXt†: its ``efficient_mnext`` package). Without them those models fail to import.

Each model is built with random weights (``pretrained=False`` / ``weights=None``), in eval
mode, and run once on a 1×3×R×R input:

* ``params``: ``sum(p.numel() for p in model.parameters())`` (BN running statistics are
  buffers, not parameters — costmodel's convention too).
* ``maccs``: ``torch.utils.flop_counter.FlopCounterMode`` total ÷ 2 — convolutions,
  mm/addmm (linear layers) and bmm/matmul (attention), bias adds not included. Scaled
  dot-product attention is forced to the math backend (``sdpa_kernel(SDPBackend.MATH)``):
  the fused CPU kernel would be counted as 0.
* ``maccs_hooks``: the same count by forward hooks on every ``Conv2d`` and ``Linear``
  (k_h·k_w·C_in/g·C_out·H′·W′; in·out per row); equal to ``maccs`` for networks without
  attention matmuls (``attention_maccs`` = ``maccs`` − ``maccs_hooks``), a cross-check.
* ``--layers``: per Conv2d/Linear module its output shape, params and MACCs
  (``tests/zoo/data/reference_layers.json`` holds these rows of a full run, identical rows
  counted together; ``tools/reference_counts.json`` the same run without them).

Output: ``{"environment": {...versions}, "models": {name: {...}}}`` on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Ref:
    """One reference network: ``library`` (``timm``, ``torchvision``, ``pretrainedmodels``,
    ``pytorchcv``, ``mobile_cv``, ``mnext``, ``efficient_mnext``), the builder's ``model``
    name and keyword arguments, the input ``resolution``, and ``reparam`` to measure it
    after timm's ``reparameterize_model`` (RepVGG, FastViT: the inference form)."""

    library: str
    model: str
    resolution: int = 224
    kwargs: dict[str, Any] = field(default_factory=dict)
    reparam: bool = False


def _timm(model: str, resolution: int = 224, **kwargs: Any) -> Ref:
    return Ref("timm", model, resolution, kwargs)


def _tv(model: str, resolution: int = 224, **kwargs: Any) -> Ref:
    return Ref("torchvision", model, resolution, kwargs)


# name in the zoo (a spec variant) → reference network; the timm_efficientnet_b* entries are
# cross-checks of torchvision's efficientnet_b1…b3 (same counts), not zoo rows.
REFERENCES: dict[str, Ref] = {
    # zoo entries measured before this script existed, re-measured by it
    "mobilenet_v2": _tv("mobilenet_v2"),
    "mobilenet_v3_large_1.0": _tv("mobilenet_v3_large"),
    "mobilenet_v3_large_0.75": Ref("torchvision", "mobilenet_v3_large",
                                   kwargs={"width_mult": 0.75}),
    "mobilenet_v3_small_1.0": _tv("mobilenet_v3_small"),
    "mnasnet1_0": _tv("mnasnet1_0"),
    "mnasnet0_5": _tv("mnasnet0_5"),
    "efficientnet_b0": _tv("efficientnet_b0"),
    "efficientnet_lite0": _timm("efficientnet_lite0"),
    "efficientnet_lite1": _timm("efficientnet_lite1", 240),
    "efficientnet_lite2": _timm("efficientnet_lite2", 260),
    "efficientnet_lite3": _timm("efficientnet_lite3", 280),
    "efficientnet_lite4": _timm("efficientnet_lite4", 300),
    "ghostnet_100": _timm("ghostnet_100"),
    "shufflenet_v2_x0_5": _tv("shufflenet_v2_x0_5"),
    "shufflenet_v2_x1_0": _tv("shufflenet_v2_x1_0"),
    "shufflenet_v2_x2_0": _tv("shufflenet_v2_x2_0"),
    "squeezenet1_0": _tv("squeezenet1_0"),
    "squeezenet1_1": _tv("squeezenet1_1"),
    "resnet18": _tv("resnet18"),
    "resnet50_v1.5": _tv("resnet50"),
    **{f"mobileone_s{i}_train": _timm(f"mobileone_s{i}") for i in range(5)},
    **{f"mobileone_s{i}": Ref("timm", f"mobileone_s{i}", reparam=True) for i in range(5)},
    "nasnet_a_mobile": Ref("pretrainedmodels", "nasnetamobile", kwargs={"num_classes": 1000}),
    # the MobileNeXt paper's comparison table
    "mobilenetv1_100": _timm("mobilenetv1_100"),
    "shufflenet_v2_x1_5": _tv("shufflenet_v2_x1_5"),
    "semnasnet_075": _timm("semnasnet_075"),
    "semnasnet_100": _timm("semnasnet_100"),
    "semnasnet_140": _timm("semnasnet_140"),
    "tf_mobilenetv3_large_075": _timm("tf_mobilenetv3_large_075"),
    "tf_mobilenetv3_large_100": _timm("tf_mobilenetv3_large_100"),
    "tf_mobilenetv3_small_075": _timm("tf_mobilenetv3_small_075"),
    "tf_mobilenetv3_small_100": _timm("tf_mobilenetv3_small_100"),
    "tf_mobilenetv3_large_minimal_100": _timm("tf_mobilenetv3_large_minimal_100"),
    "tf_mobilenetv3_small_minimal_100": _timm("tf_mobilenetv3_small_minimal_100"),
    "ghostnet_050": _timm("ghostnet_050"),
    "ghostnet_130": _timm("ghostnet_130"),
    # newer efficient networks
    "fbnetc_100": _timm("fbnetc_100"),
    "spnasnet_100": _timm("spnasnet_100"),
    "lcnet_050": _timm("lcnet_050"),
    "lcnet_075": _timm("lcnet_075"),
    "lcnet_100": _timm("lcnet_100"),
    "efficientnet_b1": _tv("efficientnet_b1", 240),
    "efficientnet_b2": _tv("efficientnet_b2", 260),
    "efficientnet_b3": _tv("efficientnet_b3", 300),
    "timm_efficientnet_b1": _timm("efficientnet_b1", 240),
    "timm_efficientnet_b2": _timm("efficientnet_b2", 260),
    "timm_efficientnet_b3": _timm("efficientnet_b3", 300),
    "regnetx_002": _timm("regnetx_002"),
    "regnetx_004": _timm("regnetx_004"),
    "regnety_002": _timm("regnety_002"),
    "regnety_004": _timm("regnety_004"),
    "repvgg_a0": _timm("repvgg_a0"),
    "repvgg_a0_reparam": Ref("timm", "repvgg_a0", reparam=True),
    "mixnet_s": _timm("mixnet_s"),
    "mobilenetv4_conv_small": _timm("mobilenetv4_conv_small"),
    "mobilenetv4_conv_medium": _timm("mobilenetv4_conv_medium", 256),
    "mobilenetv4_hybrid_medium": _timm("mobilenetv4_hybrid_medium", 256),
    "mobilevit_xxs": _timm("mobilevit_xxs", 256),
    "mobilevit_xs": _timm("mobilevit_xs", 256),
    "mobilevit_s": _timm("mobilevit_s", 256),
    "efficientformer_l1": _timm("efficientformer_l1"),
    "fastvit_t8": _timm("fastvit_t8", 256),
    "fastvit_t8_reparam": Ref("timm", "fastvit_t8", 256, reparam=True),
    "convnext_atto": _timm("convnext_atto"),
    "ghostnetv2_100": _timm("ghostnetv2_100"),
    # the MobileNeXt paper's table, on the authors' network definitions
    "proxylessnas_mobile": Ref("pytorchcv", "proxylessnas_mobile"),
    "fbnet_b": Ref("mobile_cv", "fbnet_b"),
    "igcv3_d": Ref("pytorchcv", "igcv3_w1"),
    "mobilenext_1.0": Ref("mnext", "MXNet", kwargs={"width_mult": 1.0}),
    "mobilenext_se": Ref("efficient_mnext", "i2rnet-b0", kwargs={"mgroup": 1}),
    "mobilenext_se_1.1": Ref("efficient_mnext", "i2rnet-b1", kwargs={"mgroup": 2}),
}


def _sources() -> None:
    """Put the checkouts named in REFERENCE_SOURCES on the import path."""
    import os
    sys.path[:0] = [p for p in os.environ.get("REFERENCE_SOURCES", "").split(os.pathsep) if p]


def build(ref: Ref) -> Any:
    """The reference network with random weights, in eval mode."""
    if ref.library == "timm":
        import timm
        model = timm.create_model(ref.model, pretrained=False, **ref.kwargs)
        if ref.reparam:
            from timm.utils.model import reparameterize_model
            model = reparameterize_model(model)
    elif ref.library == "pytorchcv":
        from pytorchcv.model_provider import get_model
        model = get_model(ref.model, pretrained=False, **ref.kwargs)
    elif ref.library == "mobile_cv":
        _sources()
        import contextlib
        with contextlib.redirect_stdout(sys.stderr):  # it prints its imports: keep JSON clean
            from mobile_cv.model_zoo.models.fbnet_v2 import fbnet
            model = fbnet(ref.model, pretrained=False, **ref.kwargs)
    elif ref.library == "mnext":
        # mnext.py's MXNet: the sandglass network of the repository's README table
        _sources()
        import mnext
        model = getattr(mnext, ref.model)(**ref.kwargs)
    elif ref.library == "efficient_mnext":
        # EfficientNet(blocks_args, global_params, mgroup): the class the repository trained
        # its † checkpoints with (its own entry point names a model it does not accept)
        _sources()
        from efficient_mnext.model import EfficientNet
        from efficient_mnext.utils_i2rnet import get_model_params
        blocks_args, global_params = get_model_params(ref.model, None)
        model = EfficientNet(blocks_args, global_params, **ref.kwargs)
    elif ref.library == "pretrainedmodels":
        import pretrainedmodels
        model = getattr(pretrainedmodels, ref.model)(pretrained=None, **ref.kwargs)
    else:
        import torchvision.models as tvm
        model = getattr(tvm, ref.model)(weights=None, **ref.kwargs)
    return model.eval()


def measure(ref: Ref, layers: bool = False) -> dict[str, Any]:
    """Params, MACCs by FlopCounterMode and by hooks, per-op MACCs, optionally per layer."""
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    torch.manual_seed(0)
    model = build(ref)
    rows: list[dict[str, Any]] = []

    def hook(module: Any, inputs: Any, output: Any, name: str) -> None:
        if isinstance(module, torch.nn.Conv2d):
            kh, kw = module.kernel_size
            maccs = kh * kw * module.in_channels // module.groups * output.numel()
        else:
            maccs = module.in_features * output.numel()
        rows.append({"name": name, "type": type(module).__name__, "output": list(output.shape),
                     "params": sum(p.numel() for p in module.parameters()), "maccs": maccs})

    handles = [module.register_forward_hook(
                   lambda m, i, o, name=name: hook(m, i, o, name))
               for name, module in model.named_modules()
               if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear))]
    x = torch.randn(1, 3, ref.resolution, ref.resolution)
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), sdpa_kernel(SDPBackend.MATH), counter:
        model(x)
    for handle in handles:
        handle.remove()
    flops = counter.get_total_flops()
    by_op = {str(op): count // 2 for op, count in counter.get_flop_counts()["Global"].items()}
    hooks = sum(row["maccs"] for row in rows)
    result: dict[str, Any] = {
        "library": ref.library, "model": ref.model, "kwargs": ref.kwargs,
        "function": {"timm": "timm.create_model(pretrained=False)",
                     "pretrainedmodels": f"pretrainedmodels.{ref.model}(pretrained=None)",
                     "torchvision": f"torchvision.models.{ref.model}(weights=None)",
                     "pytorchcv": f"pytorchcv get_model({ref.model!r}, pretrained=False)",
                     "mobile_cv": f"mobile_cv fbnet({ref.model!r}, pretrained=False)",
                     "efficient_mnext": f"efficient_mnext EfficientNet({ref.model!r} params)",
                     "mnext": f"mnext.py {ref.model}({ref.kwargs})",
                     }[ref.library]
                    + (" + timm.utils.model.reparameterize_model" if ref.reparam else ""),
        "input": [1, 3, ref.resolution, ref.resolution],
        "params": sum(p.numel() for p in model.parameters()),
        "maccs": flops // 2, "maccs_hooks": hooks, "attention_maccs": flops // 2 - hooks,
        "maccs_by_op": by_op,
    }
    if layers:
        result["layers"] = rows
    return result


def environment() -> dict[str, str]:
    import torch
    versions = {"python": sys.version.split()[0], "torch": torch.__version__}
    for name in ("torchvision", "timm", "pretrainedmodels", "pytorchcv"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = "not installed"
    return versions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"zoo names (default: all {len(REFERENCES)})")
    parser.add_argument("--layers", action="store_true", help="per Conv2d/Linear rows too")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in REFERENCES]
    if unknown:
        parser.error(f"unknown names {unknown}; known: {', '.join(REFERENCES)}")
    models = {name: measure(REFERENCES[name], args.layers)
              for name in (args.names or REFERENCES)}
    # One model a line: diffs between runs stay readable.
    lines = ",\n".join(f"  {json.dumps(name)}: {json.dumps(entry)}" for name, entry in models.items())
    print(f'{{"environment": {json.dumps(environment())},\n "models": {{\n{lines}\n}}}}')
    return 0


if __name__ == "__main__":
    sys.exit(main())
