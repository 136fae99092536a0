"""D: what mobile runtimes and inference deployment handle badly (EfficientNet-lite,
MobileOne, RepVGG, MCUNet)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from costmodel.lint.context import LintContext
from costmodel.lint.registry import Finding, Threshold, register_rule
from costmodel.ops.base import label
from costmodel.units import human_bytes

__all__: list[str] = []


def _is_gate(ctx: LintContext, node_name: str, port: int) -> bool:
    shape = ctx.network.nodes[node_name].outputs[port]
    return len(shape) == 4 and shape[2] == shape[3] == 1


@register_rule("D1", "mobile-unfriendly-op", default=False)
def mobile_unfriendly_op(ctx: LintContext) -> Iterator[Finding]:
    """Ops weakly supported by mobile runtimes or by post-training quantization:
    squeeze-and-excitation and swish-like activations.

    What it does:
        Flags each activation in the swish/sigmoid family (swish, silu, hard-swish,
        sigmoid, hard-sigmoid) and each squeeze-and-excitation gate (a mul by an N×C×1×1
        tensor); the value is the number of such nodes in the top-level block.
    Why is this bad?
        Many accelerators and int8 pipelines lack fused kernels for them; EfficientNet-lite
        removed SE and replaced swish with ReLU6 "for better support on mobile accelerators
        and quantization" at a small accuracy cost.
    Example:
        An inverted residual with SE and hard-swish (MobileNetV3).
    Use instead:
        ReLU/ReLU6 and no SE, or measure on the target runtime before keeping them.
    References:
        Tan & Le, EfficientNet-lite (tensorflow/tpu models/official/efficientnet/lite,
        2020); Howard et al., Searching for MobileNetV3, ICCV 2019, Sec. 5.2.
    """
    groups: dict[str, list] = {}
    for node in ctx.nodes():
        weak = label(node.op) if node.has("sigmoid_based") else None
        if weak is None and node.has("product") and any(
                _is_gate(ctx, name, port) for name, port in node.inputs):
            weak = "squeeze-excitation"
        if weak is not None:
            groups.setdefault(node.block[0] if node.block else node.name, []).append((node, weak))
    for where, found in groups.items():
        kinds = ", ".join(dict.fromkeys(kind for _, kind in found))
        yield ctx.finding("D1", found[0][0], f"uses {kinds}: weakly supported by mobile "
                          "runtimes and quantization", len(found), 0, layer=where)


@register_rule("D2", "unreparameterized-branches",
               {"max_linear_branches": Threshold(1, "linear branches of one input an add may merge",
                                                 "RepVGG Sec. 3.3: any sum of linear branches "
                                                 "of one input folds into one conv")})
def unreparameterized_branches(ctx: LintContext) -> Iterator[Finding]:
    """A multi-branch block that could be merged into one convolution for inference but is
    specified with its training-time branches (RepVGG, MobileOne).

    What it does:
        For each add, follows every input back through linear ops (conv2d, batchnorm,
        identity); when all inputs come from the same tensor and more than
        ``max_linear_branches`` of them are distinct branches, the add sums linear functions
        of one input, which structural reparameterization folds into a single conv.
    Why is this bad?
        Each branch is a kernel launch and a full read/write of the map (G3, G4); at
        inference the sum is exactly one conv with merged weights.
    Example:
        3×3 conv-BN + 1×1 conv-BN + BN(identity) → add → ReLU (a RepVGG training block).
    Use instead:
        Specify the reparameterized inference form: one 3×3 conv with bias → ReLU.
    References:
        Ding et al., RepVGG, CVPR 2021, Sec. 3.3; Vasu et al., MobileOne, CVPR 2023, Sec. 3.
    """
    limit = ctx.threshold("D2", "max_linear_branches")
    for node in ctx.nodes("sum"):
        roots = set()
        for name, port in node.inputs:
            while ctx.network.nodes[name].has("reparameterizable"):
                name, port = ctx.network.nodes[name].inputs[0]
            roots.add((name, port))
        if len(roots) == 1 and len(node.inputs) > limit:
            yield ctx.finding("D2", node, f"adds {len(node.inputs)} linear branches of one "
                              "input: reparameterize into one conv for inference",
                              len(node.inputs), limit)


@register_rule("D3", "synchronizing-global-pool", default=False)
def synchronizing_global_pool(ctx: LintContext) -> Iterator[Finding]:
    """Global pooling inside the network whose result is applied back to a spatial map
    (squeeze-and-excitation and similar attention).

    What it does:
        Flags a global_avg_pool with a later consumer that again produces a map with more
        than one position; the classifier head's pool (followed by flatten/linear only) is
        not flagged.
    Why is this bad?
        Every output of the block now waits for a reduction over the whole map: the
        pipeline must synchronize, which MobileOne measured as a significant latency cost on
        mobile devices.
    Example:
        x → global pool → 1×1 → ReLU → 1×1 → sigmoid → mul(x, ·).
    Use instead:
        Drop the gate, or keep it only in the last, small-resolution stages.
    References:
        Vasu et al., MobileOne: An Improved One millisecond Mobile Backbone, CVPR 2023,
        Sec. 3 (Table 2: SE and latency).
    """
    for node in ctx.nodes("global_pooling"):
        stack, seen = list(ctx.network.readers[node.name]), set()
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            shape = ctx.network.nodes[name].outputs[0]
            if len(shape) == 4 and shape[2] * shape[3] > 1:
                yield ctx.finding("D3", node, f"global pooling feeds back into '{name}' "
                                  f"({shape[2]}×{shape[3]} map)", shape[2] * shape[3], 1)
                break
            stack.extend(ctx.network.readers[name])


@register_rule("D4", "memory-budget-exceeded",
               {"budget": Threshold(None, "bytes of activation memory available (off by default)",
                                    "the device's SRAM: MCUNet's targets have 256–512 KiB")})
def memory_budget_exceeded(ctx: LintContext) -> Iterator[Finding]:
    """Peak activation memory above the memory budget of the target device.

    What it does:
        Computes peak activation memory (tensors live at once, freed after their last
        consumer; see costmodel.analysis.peak_memory) in the spec's execution order and in
        the best order found, in bytes at ``--dtype``, and flags the spec's order when it
        exceeds ``budget`` (``--memory-budget 256KiB``).
    Why is this bad?
        On a microcontroller the activations must fit in SRAM (often 256–512 KiB); a model
        over budget does not run at all, however few MACCs it has.
    Example:
        MobileNetV2 at 224×224 in int8 needs about 2.3 MiB at its peak (first expansion).
    Use instead:
        Lower the resolution or the width of the first stages, reorder branches, or run
        the first stages patch by patch (MCUNetV2).
    References:
        Lin et al., MCUNet, NeurIPS 2020; Lin et al., MCUNetV2, NeurIPS 2021, Sec. 2.
    """
    budget = ctx.threshold("D4", "budget")
    if budget is None:
        return
    spec, best = ctx.peak.spec, ctx.peak.best
    used = spec.bytes(ctx.dtype_bytes)
    if used > budget:
        note = (f"; reordering brings it to {human_bytes(best.bytes(ctx.dtype_bytes))}"
                if best.elements < spec.elements else "")
        yield ctx.finding("D4", ctx.network.nodes[spec.node],
                          f"peak activation memory {human_bytes(used)} ({spec.elements} "
                          f"elements) exceeds the budget {human_bytes(budget)}{note}", used, budget)



@register_rule("D5", "unread-output")
def unread_output(ctx: LintContext) -> Iterator[Finding]:
    """A layer whose output nothing reads: counted in every total, but feeds nothing.

    What it does:
        Flags each layer none of whose outputs a later layer takes as input, other than
        the network's output (a branch whose merge was forgotten); the value is the number
        of elements it outputs. A split read in part is read: slicing is a use. Every command that builds
        the network also warns about it on stderr.
    Why is this bad?
        Its params, maccs and memory traffic are in the totals, so the counts describe
        a network that does work it throws away; a runtime would prune the layer, so the
        counts no longer describe what runs either. Usually it is a wiring mistake.
    Example:
        x → conv a; x → conv b; relu(inputs: a) — b is computed and never used.
    Use instead:
        Read it (``inputs: [a, b]`` of an add or concat), or delete the layer.
    References:
        Dead-code elimination in inference graph optimizers, e.g. ONNX Runtime's
        basic graph optimizations and TensorFlow Grappler's pruning.
    """
    for node in ctx.network.unread():
        elements = sum(math.prod(shape) for shape in node.outputs)
        yield ctx.finding("D5", node, f"output ({elements} elements) is never read: counted, "
                          "but feeds nothing", elements, 0)
