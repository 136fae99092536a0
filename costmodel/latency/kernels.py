"""The kernels a runtime executes for a network, their kind and their exact features.

onnxruntime with optimizations on (``all``), as its per-node profiles of the zoo show
(onnxruntime 1.32, docs/latency.md):

- a conv's batchnorm is folded into its weights (its shift becomes a C-element bias read),
  and so is a layer scale (category ``conv_foldable``; onnxruntime's Conv+Mul fusion);
- a residual add whose one input is a conv's only use is fused into that conv (the NCHWc
  conv's ``Sum`` input: the other input is read once more), and so is a following
  activation onnxruntime implements in the conv's epilogue (category ``conv_epilogue``);
  hard-swish only in an NCHWc conv's, and not when it writes the network's output: elsewhere
  it runs as its ONNX function, HardSigmoid and Mul (two kernels; swish is one QuickGelu);
- views (identity, dropout, flatten/reshape as aliases) run nothing (Identity and Dropout
  run, moving nothing, with optimizations off);
- convs whose channels suit the CPU's block size (8 with AVX2, 16 with AVX-512) run in the
  blocked NCHWc layout, and so do pooling, activations, batchnorms, sums and concats (of
  whole channel blocks) of blocked tensors; a tensor crossing between a blocked kernel and
  any other (or the network's input or output) is reordered
  (``ReorderInput``/``ReorderOutput``, one per tensor): a ``reorder`` kernel reading and
  writing the tensor once.

With optimizations off (``none``) every exported ONNX node is its own kernel; an op the
exporter writes as several nodes (swish = x·σ(x), gelu through erf) is several passes, and
Identity and Dropout layers and an imported model's ``Identity`` nodes
(ModelSpec.identity_nodes: the import folds or aliases them) are ``copy`` kernels moving
nothing (onnxruntime aliases their output to their input: the fixed cost only), the
latter placed before the layer they lead to.

A kernel's features are its maccs and its bytes moved (fp32 ``mem_access`` × 4) under that
execution model (a resize reads each output element's taps): a folded batchnorm adds its C-element bias read, a fused add its second
input, a fused activation nothing (it is recorded as the kernel's ``epilogue``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from costmodel.ops.layout import TRANSPOSITIONS
from costmodel.spec.layers import MatMul

if TYPE_CHECKING:
    from costmodel.graph import Network, Node

__all__ = ["KINDS", "PER_GROUP", "Kernel", "kernel_kind", "kernel_shape", "kernels"]

KINDS = ("conv_dense", "conv_pointwise", "conv_depthwise", "conv_grouped", "conv_grouped_pointwise",
         "conv_grouped_nchwc", "conv_depthwise_plain",
         "fully_connected", "gemm", "tensor_matmul", "pool", "global_pool", "norm", "sample_norm",
         "axis_softmax", "activation", "activation_exp", "activation_erf", "resample", "resample_nchwc",
         "binary", "copy", "transpose_scattered", "reorder",
         "other")
"""Kernel kinds, each with its own fitted roofline: ``fully_connected`` is a linear of one
vector (GEMV: weight-bound), ``gemm`` one of tokens, ``tensor_matmul`` a product of two
tensors (attention); ``conv_depthwise`` a depthwise conv run blocked (NCHWc),
``conv_depthwise_plain`` one that is not (op by op: every one);
``norm`` a batchnorm, ``sample_norm`` one with run-time statistics
(layernorm, groupnorm); ``axis_softmax`` a softmax; ``activation`` a clamp-like function
(ReLU, ReLU6, hard-swish, …), ``activation_exp`` one through an exponential (sigmoid,
swish, GELU's erf op by op), ``activation_erf`` onnxruntime's fused Gelu (~2.5× a sigmoid
per element); ``transpose_scattered`` a transposition onnxruntime copies block by block
(``calls`` = blocks); ``resample`` onnxruntime's Resize, ``resample_nchwc`` its NCHWc
Upsample of a blocked tensor (bytes: every output element written once and its taps read,
4 for bilinear, 1 for nearest). Each is read off the op's categories."""

CONVS = frozenset({"conv_dense", "conv_pointwise", "conv_depthwise", "conv_grouped", "conv_grouped_pointwise"})

GROUPED = frozenset({"conv_grouped", "conv_grouped_pointwise"})
"""Grouped convs run plain: a GEMM per group, after an im2col unless the kernel is 1×1."""

PER_GROUP = GROUPED | {"conv_depthwise_plain"}
"""Kinds that pay their fixed cost once per group (Kernel.calls): MLAS's plain grouped conv."""

NCHWC_BLOCK = 16
"""Channels per NCHWc block with AVX-512 (MLAS's MlasNchwcGetBlockSize; 8 with AVX2): a
profile records its CPU's (DeviceProfile.nchwc_block)."""

DTYPE_BYTES = 4


@dataclass(frozen=True)
class Kernel:
    """One executed kernel: the spec layers it runs, its kind, maccs and bytes moved."""

    layers: tuple[str, ...]
    kind: str
    maccs: int
    bytes: int
    calls: int = 1
    """Times the kernel's fixed cost is paid: a grouped conv run as im2col and a GEMM per
    group (not in the NCHWc layout) pays it per group, a scattered transpose per block."""
    shape: tuple[int, ...] = ()
    """The first layer's geometry (:func:`kernel_shape`): C_in, C_out, output positions,
    window size, stride, groups; the latency model's shape features."""
    epilogue: str = ""
    """The op of the activation a conv kernel runs in its epilogue (category
    ``conv_epilogue``: relu, relu6, hardswish, …), "" without one: MLAS applies all but ReLU
    as a pass over the output it has just written, a cost per output element of its own."""


def kernel_shape(network: Network, layer: str) -> tuple[int, int, int, int, int, int]:
    """(C_in, C_out, output positions, window k_h·k_w, stride, groups) of ``layer``: axis 1
    of its first input and of its output, the product of the output's axes after the
    second (1 for a rank ≤ 2 tensor), and its sliding-window geometry (1, 1, 1 without)."""
    node = network.nodes[layer]
    out = node.outputs[0]
    source = network.nodes[node.inputs[0][0]].outputs[node.inputs[0][1]] if node.inputs else out
    geometry = node.geometry
    window = (int(geometry.kernel[0]) * int(geometry.kernel[1]), int(geometry.stride[0]),
              int(geometry.groups)) if geometry is not None else (1, 1, 1)
    return (int(source[1]) if len(source) > 1 else 1, int(out[1]) if len(out) > 1 else 1,
            int(math.prod(out[2:])), *window)


def kernel_kind(node: Node, c_in: int) -> str:
    """The kind of the kernel ``node`` (reading ``c_in`` channels) starts: a conv by its
    geometry (depthwise: one group per input or output channel), else by category."""
    geometry = node.geometry
    if node.has("convolution") and geometry is not None:
        c_out = node.outputs[0][1]
        if geometry.groups == 1:
            return "conv_pointwise" if tuple(geometry.kernel) == (1, 1) else "conv_dense"
        if geometry.groups == c_out or geometry.groups == c_in:
            return "conv_depthwise"
        return "conv_grouped_pointwise" if tuple(geometry.kernel) == (1, 1) else "conv_grouped"
    if node.has("tensor_product"):
        return "tensor_matmul"
    if node.has("contraction"):
        return "gemm" if math.prod(node.outputs[0][:-1]) > 1 else "fully_connected"
    if node.has("nchwc_resample"):
        return "resample"
    if node.has("global_pooling"):
        return "global_pool"
    if node.has("pooling"):
        return "pool"
    if node.has("axis_softmax"):
        return "axis_softmax"
    if node.has("normalization"):
        return "sample_norm" if node.has("runtime_statistics") else "norm"
    if node.has("sum") or node.has("product"):
        return "binary"
    if node.has("copy"):
        return "copy"
    if node.has("nonlinearity"):
        return "activation_exp" if node.has("exponential") else "activation"
    return "other"


def _passes(network: Network, node: Node, kernel: Kernel, optimize: str, after_mul: bool = False) -> list[Kernel]:
    """The kernels of an op the exporter writes as several ONNX nodes
    (costmodel/export/table.py), as onnxruntime 1.32 runs them (its optimized graphs):
    GELU = Mul(Mul(x, Add(Erf(Div(x, √2)), 1)), ½), one Gelu kernel (``activation_erf``)
    with optimizations on unless ``after_mul`` (x is written by a Mul: :func:`_after_mul`),
    five otherwise; a layernorm of N×C×H×W = Transpose, LayerNormalization, Transpose
    back; hard-swish = Mul(x, HardSigmoid(x)) at either level (unless :func:`_fuse` put it
    in an NCHWc conv); op by op only (fused with optimizations on): swish = Mul(x, Sigmoid(x))
    (one QuickGelu), a linear of tokens with
    a bias = Add(MatMul(x, Wᵀ), b) (one Gemm), Q·Kᵀ = MatMul(Q, Transpose(K)) and a
    product's scale a Mul (one FusedMatMul). Each pass reads and writes its tensor once (a
    product of two tensors reads one more)."""
    size = math.prod(node.outputs[0]) * DTYPE_BYTES
    layers = kernel.layers
    if node.has("erf_gelu") and optimize == "all" and not after_mul:
        return [Kernel(layers, "activation_erf", 0, 2 * size)]
    if node.has("erf_gelu"):
        return [Kernel(layers, kind, 0, nbytes) for kind, nbytes in (
            ("binary", 2 * size), ("activation_exp", 2 * size), ("binary", 2 * size),
            ("binary", 3 * size), ("binary", 2 * size))]
    if node.has("runtime_statistics") and len(node.outputs[0]) == 4:
        return [Kernel(layers, "copy", 0, 2 * size), kernel, Kernel(layers, "copy", 0, 2 * size)]
    if node.has("self_gated") and (optimize == "none" or not node.has("exponential")):
        kind = "activation_exp" if node.has("exponential") else "activation"  # x·σ(x), x·hard-σ(x)
        return [Kernel(layers, kind, 0, 2 * size), Kernel(layers, "binary", 0, 3 * size)]
    if optimize == "all":
        return [kernel]
    if kernel.kind == "gemm" and node.traffic is not None and node.traffic.bias:
        bias = int(node.traffic.bias) * DTYPE_BYTES
        return [replace(kernel, bytes=kernel.bytes - bias), Kernel(layers, "binary", 0, 2 * size + bias)]
    if isinstance(node.layer, MatMul):
        source, port = node.inputs[1]
        operand = math.prod(network.nodes[source].outputs[port]) * DTYPE_BYTES
        transpose = [Kernel(layers, "copy", 0, 2 * operand)] if node.layer.transpose_b else []
        scale = [Kernel(layers, "binary", 0, 2 * size)] if node.layer.scale is not None else []
        return [*transpose, kernel, *scale]
    return [kernel]


def _after_mul(network: Network, node: Node, head_of: dict[str, Kernel]) -> bool:
    """Whether ``node``'s input is written by an ONNX Mul (category ``mul_output``) that
    onnxruntime does not fold into a conv first (a layer scale after a conv is)."""
    source, _ = _producer(network, node.inputs[0])
    producer = head_of.get(source)
    return network.nodes[source].has("mul_output") and not (producer is not None and producer.layers[0] != source)


def kernels(network: Network, optimize: str = "all", block: int = NCHWC_BLOCK) -> list[Kernel]:
    """The kernels executing ``network`` under onnxruntime's ``optimize`` level, in order;
    ``block``: the CPU's NCHWc block size (channels)."""
    readers = network.readers
    absorbed: set[str] = set()
    result: list[Kernel] = []
    head_of: dict[str, Kernel] = {}  # layer → the kernel producing its output
    sliced: dict[tuple[str, int], Kernel] = {}  # tensor → the kernel slicing it
    identities = network.spec.identity_nodes  # an imported model's Identity nodes per layer
    for node in network.nodes.values():
        if optimize == "none":
            result += [Kernel((node.name,), "copy", 0, 0)] * identities.get(node.name, 0)
        if node.has("runtime_copy") and node.inputs:
            kernel = _slice(node, sliced.get(node.inputs[0]) if optimize == "all" else None)
            if len(kernel.layers) > 1:  # one Split with the earlier slices of the tensor
                result[result.index(sliced[node.inputs[0]])] = kernel
            else:
                result.append(kernel)
            sliced[node.inputs[0]] = kernel
            head_of.update((layer, kernel) for layer in kernel.layers)
            continue
        if optimize == "none" and node.has("inference_noop") and node.inputs:  # run, moving nothing
            result.append(Kernel((node.name,), "copy", 0, 0))
            continue
        if node.name in absorbed or not node.inputs or node.has("view"):  # input, aliases
            continue
        layers, bytes_ = [node.name], node.cost.mem_access
        if optimize == "all" and node.has("convolution"):
            layers, bytes_ = _fuse(network, node, readers, block)
            absorbed.update(layers)
        source, index = node.inputs[0]
        c_in = network.nodes[source].outputs[index][1]
        kind = kernel_kind(node, c_in)
        scattered = _scattered_blocks(network, node) if kind == "copy" else 0
        if scattered:
            kind = "transpose_scattered"
        if kind == "resample":  # each output element reads its taps (bilinear 4, nearest 1)
            outputs = math.prod(node.outputs[0])
            bytes_ = outputs + max(node.cost.elementwise, outputs)
        norm = _skip_norm(network, node, readers) if optimize == "all" else None
        if norm is not None:  # one SkipLayerNormalization: the sum is never written
            layers, kind = [node.name, norm.name], "sample_norm"
            bytes_ += norm.cost.mem_access - 2 * math.prod(node.outputs[0])
            absorbed.add(norm.name)
        last = network.nodes[layers[-1]]
        kernel = Kernel(tuple(layers), kind, int(node.cost.maccs), int(bytes_) * DTYPE_BYTES, max(scattered, 1),
                        epilogue=last.op if len(layers) > 1 and last.has("conv_epilogue") else "")
        found = _passes(network, node, kernel, optimize, node.has("erf_gelu") and _after_mul(network, node, head_of))
        result += found
        head_of.update((layer, found[-1]) for layer in layers)  # the pass writing the output
    if optimize == "all":
        reorders, blocked = _reorders(network, result, head_of, block)
        # a grouped conv of whole-block groups runs MLAS's NCHWc conv, not im2col and a GEMM
        # per group: a kind of its own (calibrated apart; 3–10× faster on the same maccs)
        # a depthwise conv not run blocked runs MLAS's plain grouped conv, an im2col and a
        # one-row GEMM per channel, as op by op: time ∝ maccs (window × positions per channel),
        # unlike RegNet's wide groups — a kind of its own (on the EPYC, 90 channels 9×9 at 14²
        # took 773 µs alone where conv_grouped's fit gave 296)
        # a resize of a blocked tensor is MLAS's NCHWc Upsample (~0.6x the plain Resize's time)
        result = [replace(k, kind="conv_grouped_nchwc") if k.kind in GROUPED and blocked[k] else
                  replace(k, kind="conv_depthwise_plain") if k.kind == "conv_depthwise" and not blocked[k] else
                  replace(k, kind="resample_nchwc") if k.kind == "resample" and blocked[k]
                  else k for k in result] + reorders
    else:  # op by op every depthwise conv is MLAS's plain grouped conv
        result = [replace(k, kind="conv_depthwise_plain") if k.kind == "conv_depthwise" else k for k in result]
    return [replace(k, calls=_groups(network, k) if k.kind in PER_GROUP else k.calls,
                    shape=kernel_shape(network, k.layers[0])) for k in result]


def _scattered_blocks(network: Network, node: Node) -> int:
    """The blocks onnxruntime 1.32 copies one at a time for ``node``'s transposition
    (ops.layout.TRANSPOSITIONS), or 0 when it takes a fast path (transpose.cc): none when
    the axes of more than one element keep their order (a copy) or one axis moves (MLAS's
    single-axis transpose); else a block per run of the trailing axes the permutation keeps
    in place — element by element when the last axis moves (MobileViT's patch unfolding:
    ~5 ns per element on the EPYC, 25× a copy's)."""
    if node.op not in TRANSPOSITIONS or not node.inputs:
        return 0
    source, port = node.inputs[0]
    shape, perm = TRANSPOSITIONS[node.op](node.layer, network.nodes[source].outputs[port])
    moved = [axis for axis in perm if shape[axis] > 1]
    if moved == sorted(moved) or _moves_one_axis(perm):
        return 0
    kept = 1
    for position in reversed(range(len(perm))):
        if perm[position] != position:
            break
        kept *= shape[position]
    return math.prod(shape) // kept


def _moves_one_axis(perm: tuple[int, ...]) -> bool:
    """Whether ``perm`` is the identity with one axis taken out and put back elsewhere."""
    identity = list(range(len(perm)))
    for source in identity:
        for target in identity:
            order = identity[:source] + identity[source + 1:]
            order.insert(target, source)
            if source != target and tuple(order) == tuple(perm):
                return True
    return False


def _groups(network: Network, kernel: Kernel) -> int:
    """The groups of a grouped conv kernel."""
    geometry = network.nodes[kernel.layers[0]].geometry
    return int(geometry.groups) if geometry is not None else 1


def _slice(node: Node, split: Kernel | None) -> Kernel:
    """A slice copies its channels (onnxruntime's Slice: read and written once); with
    optimizations on, slices of one tensor are one Split kernel (``split``: the earlier ones)."""
    nbytes = 2 * math.prod(node.outputs[0]) * DTYPE_BYTES
    if split is None:
        return Kernel((node.name,), "copy", 0, nbytes)
    return replace(split, layers=(*split.layers, node.name), bytes=split.bytes + nbytes)


def _fuse(network: Network, conv: Node, readers: dict[str, list[str]], block: int) -> tuple[list[str], int]:
    """The layers one conv kernel runs (conv, folded BN and layer scale, fused add, fused
    activation: a hard-swish only into an NCHWc conv, not as the network's output) and its
    mem_access."""
    layers, mem = [conv.name], conv.cost.mem_access
    nchwc = _nchwc_conv(network, conv, kernel_kind(conv, _c_in(network, conv)), block)
    follower = _only_reader(network, conv, readers)
    while follower is not None and follower.has("conv_foldable"):
        layers.append(follower.name)
        if follower.has("normalization"):
            mem += follower.outputs[0][1]  # the folded shift, now the conv's bias
        follower = _only_reader(network, follower, readers)
    if follower is not None and follower.has("sum") and len(follower.inputs) == 2:
        other = next(ref for ref in follower.inputs if ref[0] != layers[-1])
        layers.append(follower.name)
        mem += math.prod(network.nodes[other[0]].outputs[other[1]])  # the residual, read once
        follower = _only_reader(network, follower, readers)
    if follower is not None and follower.has("conv_epilogue") and len(follower.inputs) == 1 and (
            not follower.has("self_gated") or follower.name != network.output[0] and nchwc):
        layers.append(follower.name)
    return layers, mem


def _skip_norm(network: Network, node: Node, readers: dict[str, list[str]]) -> Node | None:
    """The layernorm a sum fuses into with optimizations on (onnxruntime's SkipLayerNormFusion,
    as MobileViT's optimized graphs show): the sum of two token tensors (N×L×C) of one shape
    whose only reader is a layernorm of them (run-time statistics over the last axis)."""
    if not node.has("sum") or len(node.inputs) != 2 or len(node.outputs[0]) != 3 or any(
            network.nodes[source].outputs[port] != node.outputs[0] for source, port in node.inputs):
        return None
    follower = _only_reader(network, node, readers)
    if follower is None or not follower.has("runtime_statistics") or len(follower.inputs) != 1:
        return None
    return follower


def _only_reader(network: Network, node: Node, readers: dict[str, list[str]]) -> Node | None:
    """The only node reading ``node``'s single output."""
    names = readers.get(node.name, [])
    if len(node.outputs) != 1 or len(names) != 1:
        return None
    return network.nodes[names[0]]


def _c_in(network: Network, node: Node) -> int:
    source, port = node.inputs[0]
    return network.nodes[source].outputs[port][1]


def _nchwc_conv(network: Network, head: Node, kind: str, block: int) -> bool:
    """Whether a conv (node ``head`` of kernel kind ``kind``) runs blocked, by onnxruntime
    1.32's rules as its optimized graphs show (nchwc_transformer.cc; block 8): one group
    reading fewer than ``block`` channels (read plain) or a multiple of 4 (padded to whole
    blocks); depthwise of a multiple of 4 channels, one output channel per input channel (a
    "depthwise" conv writing 2 channels per input channel, FastViT's downsampling 48 → 96 in
    48 groups, runs plain: FusedConv); grouped when each group's input and output channels
    are whole blocks."""
    c_in, c_out = _c_in(network, head), head.outputs[0][1]
    if kind in GROUPED:
        groups = head.geometry.groups if head.geometry is not None else 1
        return (c_in // groups) % block == 0 and (c_out // groups) % block == 0
    if kind == "conv_depthwise":
        return c_in == c_out and c_in % 4 == 0
    return c_in < block or c_in % 4 == 0


def _reads_plain(network: Network, kernel: Kernel, block: int) -> bool:
    """A blocked conv reading fewer than ``block`` channels reads its input unreordered."""
    return kernel.kind in ("conv_dense", "conv_pointwise") and \
        _c_in(network, network.nodes[kernel.layers[0]]) < block


def _blocked(network: Network, kernel: Kernel, head_of: dict[str, Kernel],
             known: dict[Kernel, bool], block: int) -> bool:
    """Whether ``kernel`` runs in the NCHWc layout: a conv by :func:`_nchwc_conv`; pooling of
    whole blocks, an activation (both passes of a hard-swish), a batchnorm, a sum, a resize
    (category ``nchwc_resample``) or a concat of whole blocks when every tensor it reads is
    blocked."""
    if kernel.kind in CONVS:
        return _nchwc_conv(network, network.nodes[kernel.layers[0]], kernel.kind, block)
    head = network.nodes[kernel.layers[0]]
    sources = [_producer(network, ref) for layer in kernel.layers
               for ref in network.nodes[layer].inputs if ref[0] not in kernel.layers]
    if getattr(head.layer, "reduce_mean", False):
        return False  # onnxruntime's ReduceMean runs plain
    if head.has("nchwc_resample") and not _whole_scales(network, head):
        return False  # NCHWc Upsample scales by whole factors only (GhostNetV2's 3² → 7²: Resize)
    if kernel.kind in ("pool", "global_pool") or (head.has("copy") and len(head.inputs) > 1):
        if any(network.nodes[source].outputs[port][1] % block for source, port in sources):
            return False  # pooling and concats of whole channel blocks only
    elif kernel.kind not in ("activation", "activation_exp", "activation_erf", "norm") and not head.has("sum") \
            and not head.has("self_gated") and not head.has("nchwc_resample"):  # hard-swish's Mul blocked, a gate's plain
        return False
    return all(source in head_of and known.get(head_of[source], False) for source, _ in sources)


def _whole_scales(network: Network, node: Node) -> bool:
    """Whether a resize's output height and width are whole multiples of its input's."""
    source, port = node.inputs[0]
    height, width = network.nodes[source].outputs[port][2:]
    return all(out % size == 0 for out, size in zip(node.outputs[0][2:], (height, width)))


def _producer(network: Network, ref: tuple[str, int]) -> tuple[str, int]:
    """The tensor ``ref`` is, looking through the views onnxruntime removes (category
    ``inference_noop``): their readers read the tensor they pass on, in its layout; other
    views (Flatten, Reshape, Slice) read it plain."""
    while network.nodes[ref[0]].has("inference_noop") and network.nodes[ref[0]].inputs:
        ref = network.nodes[ref[0]].inputs[0]
    return ref


def _readers(network: Network, name: str) -> list[str]:
    """The nodes reading ``name``'s output, looking through removed views."""
    found = []
    for reader in network.readers.get(name, []):
        found += _readers(network, reader) if network.nodes[reader].has("inference_noop") else [reader]
    return found


def _reorders(network: Network, order: list[Kernel], head_of: dict[str, Kernel],
              block: int) -> tuple[list[Kernel], dict[Kernel, bool]]:
    """One ``reorder`` kernel per tensor crossing between NCHWc and plain kernels (a view
    reader is plain; so are the network's input and output): it reads and writes the tensor
    once. Also: which kernels run blocked."""
    known: dict[Kernel, bool] = {}
    for kernel in dict.fromkeys(order):
        known[kernel] = _blocked(network, kernel, head_of, known, block)

    def reads_blocked(reader: str) -> bool:
        kernel = head_of.get(reader)
        return kernel is not None and known[kernel] and not _reads_plain(network, kernel, block)

    found = []
    tensors = {name: False for name, node in network.nodes.items() if not node.inputs}
    tensors |= {kernel.layers[-1]: blocked for kernel, blocked in known.items()}  # an op's last pass
    for name, blocked in tensors.items():  # a kernel's output is its last layer's
        readers = [r for r in _readers(network, name) if head_of.get(r) is not head_of.get(name)]
        if any(reads_blocked(r) != blocked for r in readers) or (blocked and name == network.output[0]):
            elements = math.prod(network.nodes[name].outputs[0])
            found.append(Kernel((name,), "reorder", 0, 2 * elements * DTYPE_BYTES))
    return found, known
