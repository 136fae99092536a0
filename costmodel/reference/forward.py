"""Run a built network in numpy with seeded random weights, measuring every node.

The caller passes the built `Network` and the input array. Each node is executed
by the runner registered for its op in `RUNNERS`; a runner reads only the node's
evaluated layer fields and the *actual* input arrays (weight shapes follow from
them) and works through the kernels' counted primitives. Nothing here reads a
node's analytic `cost` or inferred `outputs` (DESIGN.md principle 3; enforced by
tests/reference/test_forward_independence.py).

Weights are created on first use from one seeded generator, in execution order,
or taken from `weights` (node name → {field → array}) when given, so a transform
can be proven by running the original and the transformed network on mapped weights.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from costmodel.reference import kernels as K
from costmodel.reference import layout as L
from costmodel.reference import matmul as M
from costmodel.reference import normalize as N
from costmodel.reference import resample as R
from costmodel.reference.meter import Counts, Meter
from costmodel.reference.registry import op_registrar

if typing.TYPE_CHECKING:  # types only: at run time the reference imports no costmodel code
    from costmodel.graph import Network
    from costmodel.spec.layers import (
        Activation,
        AdaptiveAvgPool,
        Add,
        AttentionBias,
        BatchNorm,
        ClassToken,
        Concat,
        ConcatShuffleSplit,
        Conv2d,
        ConvTranspose2d,
        Div,
        FoldPatches,
        GroupNorm,
        Image,
        LayerNorm,
        LayerScale,
        Linear,
        MatMul,
        Mul,
        Pad,
        Permute,
        Pool2d,
        PositionEmbedding,
        Reshape,
        Resize,
        Scale,
        Shuffle,
        Slice,
        Softmax,
        Split,
        SplitHeads,
        Sub,
        UnfoldPatches,
    )

__all__ = ["Forward", "NodeRun", "RUNNERS", "Weights", "forward", "random_input", "register_runner"]

Weights = dict[str, dict[str, np.ndarray]]
"""Node name → {field → array}: conv/linear `weight`, `bias`; batchnorm `gamma`, `beta`
(learned) and `mean`, `var` (buffers)."""

Ref = tuple[str, int]


@dataclass(frozen=True)
class NodeRun:
    """What one node executed: primitive counts, weights it created, arrays it produced.

    `fragments` is 1 when the node wrote anything (a kernel ran), 0 for views.
    """

    counts: Counts
    params: int
    buffers: int
    shapes: tuple[tuple[int, ...], ...]

    @property
    def fragments(self) -> int:
        """Kernels launched: 1 if anything was written."""
        return int(self.counts.writes > 0)


@dataclass(frozen=True)
class Forward:
    """A finished forward pass: per-node runs, the network's output and the weights used."""

    nodes: dict[str, NodeRun]
    output: np.ndarray
    weights: Weights


class _Params:
    """One node's weights: taken from `given` or drawn from `rng` and recorded."""

    def __init__(self, node: str, given: dict[str, np.ndarray] | None,
                 rng: np.random.Generator, dtype: np.dtype) -> None:
        self.node, self.given, self.rng, self.dtype = node, given, rng, dtype
        self.arrays: dict[str, np.ndarray] = {}
        self.learned_size = self.buffer_size = 0

    def learned(self, key: str, shape: tuple[int, ...], fan_in: int = 1, center: float = 0.0,
                ) -> np.ndarray:
        """A learned tensor, N(center, 1/fan_in) when drawn (keeps deep stacks finite)."""
        array = self._get(key, shape, lambda: self._normal(shape, fan_in, center))
        self.learned_size += array.size
        return array

    def _normal(self, shape: tuple[int, ...], fan_in: int, center: float) -> np.ndarray:
        """center + N(0, 1) / √fan_in, computed in place."""
        draw = self.rng.standard_normal(shape)
        draw /= math.sqrt(fan_in)  # the same correctly rounded square root as np.sqrt
        if center:
            draw += center
        return draw

    def buffer(self, key: str, shape: tuple[int, ...], low: float, high: float) -> np.ndarray:
        """A non-learned tensor (batchnorm statistics), uniform in [low, high) when drawn."""
        array = self._get(key, shape, lambda: self.rng.uniform(low, high, shape))
        self.buffer_size += array.size
        return array

    def _get(self, key: str, shape: tuple[int, ...], draw: Callable[[], np.ndarray]) -> np.ndarray:
        if self.given is not None:
            if key not in self.given:
                raise ValueError(f"{self.node}: weights have no '{key}'")
            array = np.asarray(self.given[key], dtype=self.dtype)
            if array.shape != shape:
                raise ValueError(f"{self.node}: '{key}' has shape {array.shape}, the layer needs {shape}")
        else:
            array = draw().astype(self.dtype, copy=False)
        self.arrays[key] = array
        return array


Runner = Callable[[Meter, Any, list[np.ndarray], _Params], list[np.ndarray]]

RUNNERS: dict[str, Runner] = {}
"""Op name → how the reference executes it."""


register_runner = op_registrar(RUNNERS, "a runner")
"""``@register_runner(*ops)``: register a runner for `ops`; a second runner for the same op is
refused."""


def random_input(shape: Sequence[int], seed: int = 0, dtype: Any = np.float32) -> np.ndarray:
    """A standard normal input of `shape`, from its own seeded generator."""
    return np.random.default_rng([seed, 1]).standard_normal(tuple(shape)).astype(dtype)


Visit = Callable[[str, list[np.ndarray]], list[np.ndarray]]
"""Called with a node's name and outputs once they are measured; returns what is passed on."""


def forward(network: Network, x: np.ndarray, *, seed: int = 0, weights: Weights | None = None,
            visit: Visit | None = None) -> Forward:
    """Execute `network` on `x`, measuring each node's counts with a fresh `Meter` tally.

    Arrays are released after their last consumer. Weights are drawn in `x.dtype`.
    `visit` sees each node's outputs after measurement (uncounted), e.g. to rescale them.

    Raises:
        ValueError: an op without a runner, or given weights that do not fit.
    """
    rng = np.random.default_rng([seed, 0])
    consumers = _consumers(network)
    values: dict[Ref, np.ndarray] = {}
    runs: dict[str, NodeRun] = {}
    used: Weights = {}
    meter = Meter()
    output_ref: Ref = (network.output[0], network.output[1])
    runs[network.input.name] = NodeRun(Counts(), 0, 0, (x.shape,))
    values[(network.input.name, 0)] = x
    for node in network.ops:
        name = node.name
        runner = RUNNERS.get(node.op)
        if runner is None:
            raise ValueError(f"{name}: no reference runner for op '{node.op}'")
        inputs = [values[ref] for ref in node.inputs]
        params = _Params(name, None if weights is None else weights.get(name, {}), rng, x.dtype)
        outs = runner(meter, node.layer, inputs, params)
        if params.arrays:
            used[name] = params.arrays
        runs[name] = NodeRun(meter.take(), params.learned_size, params.buffer_size,
                             tuple([out.shape for out in outs]))
        if visit is not None:
            outs = visit(name, outs)
        for ref in node.inputs:
            consumers[ref] -= 1
            if consumers[ref] == 0 and ref != output_ref:
                del values[ref]
        for port, out in enumerate(outs):
            if consumers.get((name, port)) or (name, port) == output_ref:
                values[(name, port)] = out
    return Forward(runs, values[output_ref], used)


def _consumers(network: Network) -> dict[Ref, int]:
    counts: dict[Ref, int] = {}
    for node in network.nodes.values():
        for ref in node.inputs:
            counts[ref] = counts.get(ref, 0) + 1
    return counts


# --- reading evaluated layer fields -------------------------------------------------


def _int(value: Any) -> int:
    """An evaluated field as int; a fraction or symbol is an error (sizes are whole)."""
    number = int(value)
    if number != value:
        raise ValueError(f"expected a whole number, got {value}")
    return number


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, (list, tuple)):
        return _int(value[0]), _int(value[1])
    return _int(value), _int(value)


def _pads(padding: Any, size: tuple[int, ...], kernel: tuple[int, int], stride: tuple[int, int],
          dilation: tuple[int, int] = (1, 1)) -> tuple[int, int, int, int]:
    """(top, bottom, left, right). ``same`` is TensorFlow's: output ⌈H/s⌉, the odd cell of
    the total padding at the bottom/right; ``valid`` is none."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        sides: list[int] = []
        for extent, k, s, d in zip(size, kernel, stride, dilation):
            total = max((-(-extent // s) - 1) * s + d * (k - 1) + 1 - extent, 0)
            sides += [total // 2, total - total // 2]
        return sides[0], sides[1], sides[2], sides[3]
    ph, pw = _pair(padding)
    return (ph, ph, pw, pw)


def _one(inputs: list[np.ndarray]) -> np.ndarray:
    if len(inputs) != 1:
        raise ValueError(f"expected one input, got {len(inputs)}")
    return inputs[0]


# --- runners ----------------------------------------------------------------------------


@register_runner("conv2d")
def _conv2d(meter: Meter, layer: Conv2d, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    x = _one(inputs)
    c_in = x.shape[1]
    c_out = c_in if layer.out is None else _int(layer.out)
    groups = c_in if layer.depthwise else _int(layer.groups)
    kernel, stride, dilation = _pair(layer.kernel), _pair(layer.stride), _pair(layer.dilation)
    if c_in % groups:
        raise ValueError(f"conv2d: {c_in} input channels not divisible by groups={groups}")
    fan_in = c_in // groups * kernel[0] * kernel[1]
    weight = params.learned("weight", (c_out, c_in // groups, *kernel), fan_in)
    bias = params.learned("bias", (c_out,)) if layer.bias else None
    pads = _pads(layer.padding, x.shape[2:], kernel, stride, dilation)
    return [K.conv2d(meter, x, weight, bias, stride, pads, dilation, groups)]


@register_runner("linear")
def _linear(meter: Meter, layer: Linear, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    x = _one(inputs)
    out = _int(layer.out)
    weight = params.learned("weight", (out, x.shape[-1]), x.shape[-1])
    bias = params.learned("bias", (out,)) if layer.bias else None
    return [K.linear(meter, x, weight, bias)]


@register_runner("batchnorm")
def _batchnorm(meter: Meter, layer: BatchNorm, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    x = _one(inputs)
    channels = (x.shape[1],)
    gamma = params.learned("gamma", channels, fan_in=25, center=1.0)
    beta = params.learned("beta", channels, fan_in=25)
    mean = params.buffer("mean", channels, -0.5, 0.5)
    var = params.buffer("var", channels, 0.5, 1.5)
    return [K.batchnorm(meter, x, gamma, beta, mean, var)]


def _unary_runner(kernel: Callable[[Meter, np.ndarray], np.ndarray]) -> Runner:
    """The runner of an op whose kernel needs no field of the layer: ``kernel(meter, x)``."""

    def run(meter: Meter, layer: Any, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
        return [kernel(meter, _one(inputs))]

    return run


_UNARY: dict[str, Callable[[Meter, np.ndarray], np.ndarray]] = {
    **{name: kernel for name, kernel in K.ACTIVATIONS.items() if name != "leaky_relu"},
    "global_avg_pool": K.global_avg_pool,
    "flatten": K.flatten,
    "dropout": K.dropout,
    "tokens": L.tokens,
    "merge_heads": L.merge_heads,
}
"""Ops run by :func:`_unary_runner`: every activation but leaky_relu (its slope), and the
parameterless pool, views and layout changes."""

for _name, _kernel in _UNARY.items():
    register_runner(_name)(_unary_runner(_kernel))


@register_runner("leaky_relu")
def _leaky_relu(meter: Meter, layer: Activation, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    slope = 0.01 if layer.slope is None else float(layer.slope)
    return [K.leaky_relu(meter, _one(inputs), slope)]


def _affine(params: _Params, channels: int) -> tuple[np.ndarray, np.ndarray]:
    """γ near 1 and β near 0 per channel (learned)."""
    return (params.learned("gamma", (channels,), fan_in=25, center=1.0),
            params.learned("beta", (channels,), fan_in=25))


@register_runner("layer_scale")
def _layer_scale(meter: Meter, layer: LayerScale, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    x = _one(inputs)
    axis = L.channel_axis(x)
    gamma = params.learned("gamma", (x.shape[axis],), fan_in=25, center=1.0)
    # γ broadcast along the channel axis: (C, 1, 1) on N×C×H×W, (C,) on tokens
    return [K.mul(meter, x, gamma.reshape((-1,) + (1,) * (x.ndim - 1 - axis)).astype(x.dtype))]


@register_runner("layernorm")
def _layernorm(meter: Meter, layer: LayerNorm, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    x = _one(inputs)
    axis = L.channel_axis(x)
    return [N.layernorm(meter, x, *_affine(params, x.shape[axis]), axis)]


@register_runner("groupnorm")
def _groupnorm(meter: Meter, layer: GroupNorm, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    x = _one(inputs)
    return [N.groupnorm(meter, x, *_affine(params, x.shape[1]), _int(layer.groups))]


@register_runner("softmax")
def _softmax(meter: Meter, layer: Softmax, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    return [N.softmax(meter, _one(inputs), layer.axis)]


@register_runner("pad")
def _pad(meter: Meter, layer: Pad, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    values = [_int(v) for v in (layer.padding if isinstance(layer.padding, list) else [layer.padding])]
    return [L.pad(meter, _one(inputs), L.pad_sides(values), layer.mode, float(layer.value))]


@register_runner("slice")
def _slice(meter: Meter, layer: Slice, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    x = _one(inputs)
    stop = x.shape[L.channel_axis(x)] if layer.stop is None else _int(layer.stop)
    return [L.channel_slice(meter, x, _int(layer.start), stop, _int(layer.step))]


@register_runner("max_pool", "avg_pool")
def _pool(meter: Meter, layer: Pool2d, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    x = _one(inputs)
    kernel = _pair(layer.kernel)
    stride = kernel if layer.stride is None else _pair(layer.stride)
    pads = _pads(layer.padding, x.shape[2:], kernel, stride)
    if layer.op == "max_pool":
        return [K.max_pool2d(meter, x, kernel, stride, pads, layer.ceil_mode)]
    # TensorFlow's 'same' average excludes the padding from the divisor; PyTorch's includes it
    # unless count_include_pad=False (PoolFormer's pooling mixer)
    include = layer.padding != "same" and layer.count_include_pad
    return [K.avg_pool2d(meter, x, kernel, stride, pads, layer.ceil_mode, include)]


@register_runner("add")
def _add(meter: Meter, layer: Add, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    return [K.add(meter, *inputs)]


@register_runner("sub")
def _sub(meter: Meter, layer: Sub, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    return [K.sub(meter, *inputs)]


@register_runner("scale")
def _scale(meter: Meter, layer: Scale, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    return [K.scale(meter, _one(inputs), float(layer.factor), float(layer.offset))]


@register_runner("mul")
def _mul(meter: Meter, layer: Mul, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    return [K.mul(meter, *inputs)]


@register_runner("div")
def _div(meter: Meter, layer: Div, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    return [K.div(meter, *inputs)]


@register_runner("concat")
def _concat(meter: Meter, layer: Concat, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    return [K.concat(meter, inputs)]


def _sections(layer: Split | ConcatShuffleSplit) -> int | list[int]:
    if layer.sections is not None:
        return [_int(s) for s in layer.sections]
    return _int(layer.parts)


@register_runner("split")
def _split(meter: Meter, layer: Split, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    return K.channel_split(meter, _one(inputs), _sections(layer))


@register_runner("shuffle")
def _shuffle(meter: Meter, layer: Shuffle, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    return [K.channel_shuffle(meter, _one(inputs), _int(layer.groups))]


@register_runner("concat_shuffle_split")
def _concat_shuffle_split(meter: Meter, layer: ConcatShuffleSplit, inputs: list[np.ndarray], params: _Params,
                          ) -> list[np.ndarray]:
    sections = 1 if layer.sections is None and layer.parts is None else _sections(layer)
    return K.concat_shuffle_split(meter, inputs, _int(layer.groups), sections)


@register_runner("resize")
def _resize(meter: Meter, layer: Resize, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    x = _one(inputs)
    if layer.size is not None:
        size = _pair(layer.size)
    else:
        scale = _pair(layer.scale)
        size = (x.shape[2] * scale[0], x.shape[3] * scale[1])
    if layer.mode == "nearest":
        return [R.resize_nearest(meter, x, size)]
    return [R.resize_bilinear(meter, x, size, layer.align_corners)]


@register_runner("adaptive_avg_pool")
def _adaptive_avg_pool(meter: Meter, layer: AdaptiveAvgPool, inputs: list[np.ndarray], params: _Params,
                       ) -> list[np.ndarray]:
    return [R.adaptive_avg_pool(meter, _one(inputs), _pair(layer.size))]


@register_runner("conv_transpose2d")
def _conv_transpose2d(meter: Meter, layer: ConvTranspose2d, inputs: list[np.ndarray], params: _Params,
                      ) -> list[np.ndarray]:
    x = _one(inputs)
    c_in = x.shape[1]
    c_out = c_in if layer.out is None else _int(layer.out)
    groups, kernel = _int(layer.groups), _pair(layer.kernel)
    if c_in % groups or c_out % groups:
        raise ValueError(f"conv_transpose2d: channels {c_in} → {c_out} do not fit groups={groups}")
    weight = params.learned("weight", (c_in, c_out // groups, *kernel), c_in // groups * kernel[0] * kernel[1])
    bias = params.learned("bias", (c_out,)) if layer.bias else None
    return [R.conv_transpose2d(meter, x, weight, bias, _pair(layer.stride), _pair(layer.padding),
                               _pair(layer.output_padding), _pair(layer.dilation), groups)]


@register_runner("reshape")
def _reshape(meter: Meter, layer: Reshape, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    return [L.reshape(meter, _one(inputs), tuple(_int(s) for s in layer.shape))]


@register_runner("permute")
def _permute(meter: Meter, layer: Permute, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    return [L.permute(meter, _one(inputs), tuple(layer.dims))]


@register_runner("image")
def _image(meter: Meter, layer: Image, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    x = _one(inputs)
    height = _int(layer.height)
    width = x.shape[1] // height if layer.width is None else _int(layer.width)
    return [L.image(meter, x, height, width)]


@register_runner("unfold_patches")
def _unfold_patches(meter: Meter, layer: UnfoldPatches, inputs: list[np.ndarray], params: _Params,
                    ) -> list[np.ndarray]:
    return [L.unfold_patches(meter, _one(inputs), _pair(layer.patch))]


@register_runner("fold_patches")
def _fold_patches(meter: Meter, layer: FoldPatches, inputs: list[np.ndarray], params: _Params,
                  ) -> list[np.ndarray]:
    return [L.fold_patches(meter, _one(inputs), _pair(layer.patch), _int(layer.height), _int(layer.width))]


@register_runner("split_heads")
def _split_heads(meter: Meter, layer: SplitHeads, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    return [L.split_heads(meter, _one(inputs), _int(layer.heads))]


@register_runner("matmul")
def _matmul(meter: Meter, layer: MatMul, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    a, b = inputs
    scale = None if layer.scale is None else float(layer.scale)
    return [M.matmul(meter, a, b, layer.transpose_b, scale)]


@register_runner("position_embedding")
def _position_embedding(meter: Meter, layer: PositionEmbedding, inputs: list[np.ndarray], params: _Params,
                        ) -> list[np.ndarray]:
    x = _one(inputs)
    table = params.learned("table", x.shape[1:], fan_in=25)
    return [K.add(meter, x, table[None].astype(x.dtype))]


@register_runner("class_token")
def _class_token(meter: Meter, layer: ClassToken, inputs: list[np.ndarray], params: _Params) -> list[np.ndarray]:
    x = _one(inputs)
    tokens = params.learned("tokens", (int(layer.tokens), x.shape[2]), fan_in=25).astype(x.dtype)
    return [K.concat(meter, [np.broadcast_to(tokens, (x.shape[0], *tokens.shape)), x])]


@register_runner("attention_bias")
def _attention_bias(meter: Meter, layer: AttentionBias, inputs: list[np.ndarray], params: _Params,
                    ) -> list[np.ndarray]:
    x = _one(inputs)
    rows, cols = _pair(layer.resolution)
    table = params.learned("table", (x.shape[1], rows * cols))
    return [M.attention_bias(meter, x, table, (rows, cols), _int(layer.stride))]
