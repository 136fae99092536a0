"""The op registry: each op is one spec class plus one formula function.

A formula receives the layer (its expression fields already evaluated to exact values)
and the shapes of its inputs, and returns the output shapes and the :class:`Cost` (and,
for sliding-window ops, the resolved :class:`Geometry` and :class:`Traffic`). It is
written once as ordinary arithmetic and serves numbers and sympy expressions alike.

Every fact other modules need about an op is declared here, at registration: its
:data:`CATEGORIES` (which analyses, fusions and lint rules treat it how). Consumers ask
:func:`has` instead of keeping their own lists of op names.
Shapes are tuples ``(N, C, H, W)``, tokens ``(N, L, C)`` or features ``(N, F)``; attention
works on ``(N, heads, L, d)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from costmodel.arith import Value, as_int, is_symbolic, is_whole
from costmodel.assumptions import require
from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.spec.base import LayerSpec, op_names

__all__ = [
    "Shape", "OpResult", "OpDef", "OPS", "register_op", "numel", "pair", "Category",
    "CATEGORIES", "Geometry", "Traffic", "has", "label",
    "require_int", "require_count", "require_4d", "require_shapes_equal", "channel_axis",
]

Shape = tuple[Any, ...]

Category = Literal["contraction", "convolution", "elementwise", "nonlinearity", "clamp",
                   "sigmoid_based", "conv_epilogue", "conv_foldable", "nchwc_resample", "normalization", "reparameterizable", "copy", "view", "sum",
                   "product", "in_place", "pooling", "global_pooling", "exponential", "self_gated",
                   "erf_gelu", "axis_softmax", "runtime_statistics", "tensor_product",
                   "inference_noop", "runtime_copy", "mul_output"]

CATEGORIES: dict[str, str] = {
    "contraction": "multiply-accumulates over a reduction axis (conv, linear): its maccs",
    "convolution": "a sliding-window contraction; runtimes fold a following batchnorm and "
                   "clamp into it (--fuse conv-bn-act); lint rules G1, G2, N1, N2 read it",
    "elementwise": "a pointwise map: each output element from the input elements at the same "
                   "position (activations, batchnorm, add, mul); the ops elementwise_share counts",
    "nonlinearity": "a nonlinear activation function (lint G4, N1, N2)",
    "clamp": "min/max clamping (relu, relu6): runtimes apply it in the registers of the "
             "preceding kernel (TFLite fuses RELU and RELU6 only)",
    "sigmoid_based": "computes a sigmoid (swish, hard-swish, …): no fused kernel on mobile "
                     "runtimes, poor int8 accuracy (EfficientNet-lite; lint D1)",
    "conv_epilogue": "an activation onnxruntime applies in a preceding conv's epilogue with "
                     "optimizations on (MLAS: Relu, Clip, Sigmoid, HardSigmoid, LeakyRelu; "
                     "HardSwish in the NCHWc conv; costmodel.latency.kernels)",
    "mul_output": "its export's last node is a Mul (mul, layer scale, scale, swish, hard-swish): "
                  "onnxruntime 1.32 does not fuse a GELU reading it (gelu_fusion.cc takes that "
                  "Mul for its ½·x; costmodel.latency.kernels)",
    "conv_foldable": "a per-channel affine map by constants that onnxruntime folds into a "
                     "preceding conv's weights with optimizations on (batchnorm; layer scale: "
                     "its Conv+Mul fusion, FastViT; costmodel.latency.kernels)",
    "nchwc_resample": "a resize onnxruntime runs in the NCHWc layout when its input is blocked "
                      "(Upsample, nearest or bilinear: GhostNetV2's DFC attention; "
                      "costmodel.latency.kernels)",
    "normalization": "normalizes with per-channel statistics (batchnorm, layernorm, groupnorm)",
    "reparameterizable": "a linear map that structural re-parameterization folds into one conv "
                         "(RepVGG, MobileOne: conv2d, batchnorm, identity; lint D2)",
    "copy": "moves data without arithmetic (concat, split, shuffle, pad)",
    "view": "aliases its input: no allocation, no kernel (peak memory)",
    "sum": "adds its inputs (a residual or branch merge; lint D2)",
    "product": "multiplies its inputs (an attention gate such as squeeze-excitation; lint D1)",
    "in_place": "may write its output into an input buffer of the same size that dies at it "
                "(PyTorch x += y; peak memory)",
    "pooling": "a windowed reduction (max_pool, avg_pool)",
    "global_pooling": "a reduction over the whole map (lint D3)",
    "exponential": "computed through an exponential or erf (sigmoid, swish, GELU, softmax): "
                   "costlier per element than a clamp (costmodel.latency kernel kinds)",
    "self_gated": "x·f(x) (swish, hard-swish): exported as f and a Mul; onnxruntime fuses "
                  "swish into one kernel, hard-swish only into a preceding NCHWc conv "
                  "(costmodel.latency.kernels)",
    "erf_gelu": "GELU through erf: exported as PyTorch writes it, five nodes (Div, Erf, Add, "
                "Mul, Mul) that onnxruntime 1.32 runs as one Gelu kernel with optimizations on, "
                "five op by op (costmodel.latency)",
    "axis_softmax": "exponentials normalized along an axis (softmax): a latency kind of its own",
    "runtime_statistics": "normalizes with statistics computed at run time per sample "
                          "(layernorm, groupnorm): never folded, a latency kind of its own",
    "tensor_product": "a product of two computed tensors (attention's Q·Kᵀ and scores·V): a "
                      "GEMM whose operands are both activations (costmodel.latency)",
    "inference_noop": "does nothing at inference (dropout, identity): onnxruntime's optimizer "
                      "removes it; run op by op it is a node moving nothing",
    "runtime_copy": "a view in costmodel's memory model that ONNX runtimes copy (Slice: read "
                    "and written once; slices of one tensor are one Split when optimized)",
}
"""Every category an op may declare, and what declaring it means."""


@dataclass(frozen=True)
class Geometry:
    """A sliding-window op's resolved geometry: (h, w) pairs, groups (C_in when depthwise)."""

    kernel: tuple[Value, Value]
    stride: tuple[Value, Value]
    padding: tuple[Value, Value] | tuple[str, str]
    dilation: tuple[Value, Value]
    groups: Value
    bias: bool


@dataclass(frozen=True)
class Traffic:
    """Elements an op moves: activations read and written, weights and bias read.

    ``mem_access`` = reads + writes + weights + bias."""

    reads: Value
    writes: Value
    weights: Value = 0
    bias: Value = 0

    @property
    def total(self) -> Value:
        return self.reads + self.writes + self.weights + self.bias


@dataclass(frozen=True)
class OpResult:
    """What a formula returns: one shape per output, the cost, and for sliding-window ops
    the resolved geometry and the traffic behind mem_access."""

    outputs: list[Shape]
    cost: Cost
    geometry: Geometry | None = None
    traffic: Traffic | None = None


Formula = Callable[..., OpResult]


@dataclass(frozen=True)
class OpDef:
    """A registered op: its spec class, formula, arity, categories and display label."""

    name: str
    spec: type[LayerSpec]
    formula: Formula
    arity: int | None  # None: one or more
    categories: frozenset[str]
    label: str


OPS: dict[str, OpDef] = {}


def register_op(spec: type[LayerSpec], *, arity: int | None = 1,
                categories: Iterable[Category] | Mapping[str, Iterable[Category]],
                labels: Mapping[str, str] | None = None) -> Callable[[Formula], Formula]:
    """Register ``formula`` for every op name the ``spec`` class's ``op`` literal allows.

    ``categories`` (see :data:`CATEGORIES`) apply to every name, or are given per name;
    ``labels`` name an op in messages where it differs from its name (silu is "swish").
    """

    def decorate(formula: Formula) -> Formula:
        for name in op_names(spec):
            if name in OPS:
                raise ValueError(f"op '{name}' is registered twice")
            declared = frozenset(categories[name] if isinstance(categories, Mapping) else categories)
            unknown = declared - set(CATEGORIES)
            if unknown:
                raise ValueError(f"op '{name}': unknown categories {sorted(unknown)}")
            OPS[name] = OpDef(name, spec, formula, arity, declared, (labels or {}).get(name, name))
        return formula

    return decorate


def has(op: str, category: Category) -> bool:
    """Whether op ``op`` declared ``category`` (the ``input`` placeholder declares none)."""
    definition = OPS.get(op)
    return definition is not None and category in definition.categories


def label(op: str) -> str:
    """How messages name op ``op``."""
    definition = OPS.get(op)
    return op if definition is None else definition.label


def numel(shape: Sequence[Value]) -> Value:
    """Number of elements of a tensor of ``shape``."""
    total: Value = 1
    for size in shape:
        total = total * size
    return total


def pair(value: Value | Sequence[Value]) -> tuple[Value, Value]:
    """``k`` → ``(k, k)``; ``[kh, kw]`` → ``(kh, kw)``."""
    if isinstance(value, (list, tuple)):
        return value[0], value[1]
    return value, value


def require_int(value: Value, what: str, *, minimum: int = 1) -> Value:
    """An integral value ≥ ``minimum`` (checked when numeric), as ``int``."""
    value = as_int(value)
    if is_symbolic(value):
        require(value, "whole", 0, f"{what} whole")
        require(value, ">=", minimum, f"{what} at least {minimum}")
        return value
    if not is_whole(value):
        raise SpecError(f"{what} is {value}, not a whole number (round it, e.g. make_divisible(...))")
    if value < minimum:
        raise SpecError(f"{what} is {value}; it must be at least {minimum}")
    return value


def require_count(value: Value, what: str) -> int:
    """A whole number ≥ 1 the layers' structure depends on (how many parts, branches or
    copies), as ``int``: lanes that differ raise ``Diverged`` (a sweep splits its grid
    there) and a symbolic count raises TypeError, which the build reports as a structure
    it cannot decide."""
    return int(require_int(value, what))


def require_4d(shape: Shape, op: str) -> Shape:
    """Check that ``shape`` is N×C×H×W."""
    if len(shape) != 4:
        raise SpecError(f"{op} needs an N×C×H×W input, got shape {_show(shape)}")
    return shape


def require_shapes_equal(shapes: Sequence[Shape], op: str) -> Shape:
    """All ``shapes`` equal (where numeric); returns the first."""
    first = shapes[0]
    for other in shapes[1:]:
        if len(other) != len(first) or not all(
            [require(a, "==", b, f"{op} input sizes equal") for a, b in zip(first, other)]
        ):
            raise SpecError(f"{op} inputs have different shapes: "
                            + " vs ".join(_show(s) for s in shapes))
    return first


def channel_axis(shape: Shape) -> int:
    """The channel axis: 1 of N×C×H×W, the last of tokens N×L×C and features N×F."""
    return 1 if len(shape) == 4 else len(shape) - 1


def _show(shape: Shape) -> str:
    return "×".join(str(size) for size in shape)
