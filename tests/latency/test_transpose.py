"""Transposing ops: the permutation each moves its data with (ops.layout.TRANSPOSITIONS)
against the Transpose costmodel's export writes, and which of them onnxruntime copies block
by block (the ``transpose_scattered`` kernel kind)."""

import math

import onnx
import pytest

from costmodel.export import export_network
from costmodel.graph import build
from costmodel.latency.kernels import kernels
from costmodel.ops.layout import TRANSPOSITIONS
from costmodel.spec.load import parse_spec

LAYERS = {
    "permute": ([8, 6, 4], [{"name": "k", "op": "permute", "dims": [0, 3, 1, 2]}]),
    "tokens": ([8, 6, 4], [{"name": "k", "op": "tokens"}]),
    "image": ([8, 6, 4], [{"name": "t", "op": "tokens"}, {"name": "k", "op": "image", "height": 6}]),
    "split_heads": ([8, 6, 4], [{"name": "t", "op": "tokens"}, {"name": "k", "op": "split_heads", "heads": 2}]),
    "merge_heads": ([8, 6, 4], [{"name": "t", "op": "tokens"}, {"name": "h", "op": "split_heads", "heads": 2},
                                {"name": "k", "op": "merge_heads"}]),
    "unfold_patches": ([8, 6, 4], [{"name": "k", "op": "unfold_patches", "patch": 2}]),
    "fold_patches": ([8, 6, 4], [{"name": "u", "op": "unfold_patches", "patch": 2},
                                 {"name": "k", "op": "fold_patches", "patch": 2, "height": 6, "width": 4}]),
    "shuffle": ([8, 6, 4], [{"name": "k", "op": "shuffle", "groups": 4}]),
}


@pytest.mark.parametrize("op", sorted(TRANSPOSITIONS))
def test_each_transposition_is_the_transpose_the_export_writes(op):
    shape, layers = LAYERS[op]
    network = build(parse_spec({"model": op, "input": shape, "layers": layers}), f"<{op}>", {})
    model = onnx.shape_inference.infer_shapes(export_network(network).model)
    (transpose,) = [n for n in model.graph.node if n.op_type == "Transpose" and n.name.split("/")[0] == "k"]
    shapes = {v.name: tuple(d.dim_value for d in v.type.tensor_type.shape.dim)
              for v in [*model.graph.value_info, *model.graph.input]}
    perm = tuple(next(a.ints for a in transpose.attribute if a.name == "perm"))
    node = network.nodes["k"]
    source, port = node.inputs[0]
    assert TRANSPOSITIONS[op](node.layer, network.nodes[source].outputs[port]) == (shapes[transpose.input[0]], perm)


def _kernel(shape, dims):
    spec = {"model": "p", "input": [math.prod(shape), 1, 1], "layers": [
        {"name": "t", "op": "reshape", "shape": list(shape)}, {"name": "k", "op": "permute", "dims": list(dims)}]}
    (kernel,) = kernels(build(parse_spec(spec), "<p>", {}), "all", 8)
    return kernel.kind, kernel.calls


@pytest.mark.parametrize("shape, dims, expected", [
    # onnxruntime's fast paths (transpose.cc): the axes of more than one element keep their
    # order (its own example: 1×1×1024×4096 by (2, 0, 3, 1)) — a copy
    ((1, 1, 64, 32), (2, 0, 3, 1), ("copy", 1)),
    # one axis moves (its examples: (1, 2, 3, 0), (0, 2, 3, 1)): MLAS's single-axis transpose
    ((2, 3, 4, 5), (1, 2, 3, 0), ("copy", 1)),
    ((1, 8, 4, 4), (0, 2, 3, 1), ("copy", 1)),
    ((1, 8, 4, 4), (0, 2, 1, 3), ("copy", 1)),
    # not one axis (its example (3, 1, 0, 2)), the last axis moves: element by element
    ((2, 3, 4, 5), (3, 1, 0, 2), ("transpose_scattered", 120)),
    # MobileViTv2's patch grid 1×64×16×2×16×2 by (0, 1, 3, 5, 2, 4): 65,536 elements one by one
    ((1, 64, 16, 2, 16, 2), (0, 1, 3, 5, 2, 4), ("transpose_scattered", 65536)),
    # axes 1 and 3 swap ahead of a kept last axis of 5: one block of 5 elements per copy
    ((1, 4, 3, 2, 5), (0, 3, 2, 1, 4), ("transpose_scattered", 24)),
    # ... while moving axis 3 alone to 1 is the single-axis path
    ((1, 4, 3, 2, 5), (0, 3, 1, 2, 4), ("copy", 1)),
])
def test_onnxruntime_copies_a_transposition_block_by_block_unless_a_fast_path_applies(shape, dims, expected):
    assert _kernel(shape, dims) == expected
