"""The modern ops export to ONNX that onnxruntime runs to the numpy reference's output."""

import numpy as np
import onnx
import pytest

from costmodel.export import export_network
from costmodel.graph import build
from costmodel.spec.load import parse_spec
from tests.export.test_proof import RTOL, run

CASES = {
    "layernorm_image": [{"op": "layernorm"}],
    "layernorm_tokens": [{"op": "flatten"}, {"op": "layernorm"}],
    "groupnorm": [{"op": "groupnorm", "groups": 2}],
    "groupnorm_one": [{"op": "groupnorm", "groups": 1}],
    "softmax": [{"op": "softmax", "axis": 1}, {"op": "softmax"}],
    "gelu_leaky": [{"op": "gelu"}, {"op": "leaky_relu", "slope": 0.2}, {"op": "leaky_relu"}],
    "pad": [{"op": "pad", "padding": [1, 0, 2, 1]}, {"op": "pad", "padding": 1, "mode": "reflect"},
            {"op": "pad", "padding": [2, 1], "mode": "replicate", "value": 0}],
    "slice": [{"op": "slice", "start": 1, "stop": 3}, {"op": "relu"}],
    "resize": [{"op": "resize", "mode": "nearest", "scale": [2, 3]},
               {"op": "resize", "mode": "nearest", "size": [5, 7]},
               {"op": "resize", "mode": "bilinear", "scale": 2},
               {"op": "resize", "mode": "bilinear", "size": [7, 3], "align_corners": True}],
    "adaptive_even": [{"op": "adaptive_avg_pool", "size": [3, 2]}],
    "adaptive_uneven": [{"op": "adaptive_avg_pool", "size": [4, 5]}],
    "conv_transpose": [{"op": "conv_transpose2d", "out": 6, "kernel": 3, "stride": 2, "padding": 1,
                        "output_padding": 1, "groups": 2, "bias": True},
                       {"op": "conv_transpose2d", "out": 3, "kernel": [2, 3], "dilation": 2}],
    "layouts": [{"op": "tokens"}, {"op": "image", "height": 3}, {"op": "unfold_patches", "patch": [3, 2]},
                {"op": "permute", "dims": [0, 2, 1]}, {"op": "reshape", "shape": [6, 4, -1]},
                {"op": "permute", "dims": [0, 2, 1]}, {"op": "fold_patches", "patch": [3, 2], "height": 6,
                                                       "width": 6}],
    "attention": [{"op": "tokens"}, {"op": "layernorm"},
                  {"op": "attention", "heads": 2, "dim_qk": 3, "dim_v": 5, "out": 6},
                  {"op": "linear", "out": 4, "bias": False}, {"op": "image", "height": 6}],
    "matmul_broadcast": [{"op": "tokens"}, {"name": "q", "op": "split_heads", "heads": 4},
                         {"name": "one", "op": "slice", "stop": 1, "inputs": "0"},
                         {"name": "k", "op": "split_heads", "heads": 1},
                         {"op": "matmul", "inputs": ["q", "k"], "transpose_b": True, "scale": 0.5}],
    "attention_bias": [{"op": "tokens"}, {"name": "q", "op": "split_heads", "heads": 2},
                       {"op": "matmul", "inputs": ["q", "q"], "transpose_b": True},
                       {"op": "attention_bias", "resolution": 6}],
    "pool_mixer_heads": [{"name": "p", "op": "avg_pool", "kernel": 3, "stride": 1, "padding": 1,
                          "count_include_pad": False},
                         {"name": "d", "op": "sub", "inputs": ["p", "input"]}, {"op": "tokens"},
                         {"name": "g", "op": "global_avg_pool"}, {"name": "h1", "op": "linear", "out": 3},
                         {"name": "h2", "op": "linear", "out": 3, "inputs": "g"},
                         {"op": "add", "inputs": ["h1", "h2"]}, {"op": "scale", "factor": 0.5}],
    "transformer_block": [{"op": "avg_pool", "kernel": [2, 1]}, {"op": "tokens"},
                          {"op": "transformer_block", "heads": 2, "dim_qk": 2, "dim_v": 4,
                           "position_bias": [3, 6], "layer_scale": True, "mlp_ratio": 1.5}],
    "multi_query_attention": [{"op": "multi_query_attention", "heads": 3, "key_dim": 4, "value_dim": 2,
                               "kv_stride": 2}],
    "uib": [{"op": "uib", "out": 4, "expansion": 2, "start_kernel": 3, "mid_kernel": 5, "layer_scale": True},
            {"op": "uib", "out": 8, "expansion": 2, "start_kernel": 3, "mid_kernel": 0, "stride": 2}],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_onnxruntime_agrees_with_the_reference(name):
    network = build(parse_spec({"model": name, "input": [4, 6, 6], "layers": CASES[name]}), "t.yaml")
    exported = export_network(network)
    onnx.checker.check_model(exported.model, full_check=True)
    got = run(exported.model, exported.input)
    assert got.shape == exported.output.shape
    np.testing.assert_allclose(got, exported.output, rtol=RTOL, atol=RTOL * np.abs(exported.output).max())
