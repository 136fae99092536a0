"""Joining a runtime profile to spec layers: synthetic profiles shaped like onnxruntime's
rewrites, and real onnxruntime profiles of MobileNetV2 and ShuffleNetV2."""

import numpy as np
import pytest
from onnx import helper

from costmodel.export import export_network
from costmodel.graph import build
from costmodel.runtime.base import Profile, RunOptions, RuntimeNode
from costmodel.runtime.join import join
from costmodel.runtime.onnxruntime_backend import LEANS, OnnxRuntime
from costmodel.runtime.timing import Stats
from costmodel.spec.load import load_spec
from tests.reference.test_zoo_check import SPECS

SPEC = {path.stem: path for path in SPECS}


def graph(*nodes):
    """Nodes as (name, op, inputs, outputs); layer = the part before '/'."""
    made = []
    for name, op, inputs, outputs in nodes:
        node = helper.make_node(op, inputs, outputs, name=name)
        helper.set_metadata_props(node, {"costmodel.layer": name.split("/")[0]})
        made.append(node)
    return helper.make_graph(made, "g", [], [])


def profile(nodes, times):
    return Profile([RuntimeNode(*n) for n in nodes], {k: [v] for k, v in times.items()}, {"w"}, LEANS)


def rows_of(rows):
    return [(row.layers, tuple(n.name for n in row.nodes), row.time_us) for row in rows]


# conv → bn → relu, then a conv whose output is added to the first relu's, then relu
ORIGINAL = graph(("a.conv", "Conv", ["x", "w"], ["a.conv"]),
                 ("a.bn", "BatchNormalization", ["a.conv", "w"], ["a.bn"]),
                 ("a.act", "Relu", ["a.bn"], ["a.act"]),
                 ("b.conv", "Conv", ["a.act", "w"], ["b.conv"]),
                 ("b.bn", "BatchNormalization", ["b.conv", "w"], ["b.bn"]),
                 ("add", "Add", ["b.bn", "a.act"], ["add"]),
                 ("relu", "Relu", ["add"], ["relu"]))


def test_unoptimized_profile_maps_one_to_one():
    nodes = [(n.name, n.op_type, tuple(n.input), tuple(n.output)) for n in ORIGINAL.node]
    rows = join(ORIGINAL, profile(nodes, {n[0]: 10.0 for n in nodes}))
    assert rows_of(rows) == [((n[0],), (n[0],), 10.0) for n in nodes]


def test_fused_and_reordered_nodes_map_back_to_their_layers():
    # onnxruntime's NCHWc rewrite: conv+bn+relu named after the bn with a fused activation,
    # the second conv absorbing the residual add ("Sum" input) and the relu after it,
    # reorders in and out
    nodes = [("ReorderInput", "ReorderInput", ("x",), ("t0",)),
             ("a.bn_nchwc", "Conv", ("t0", "w"), ("t1",), "Relu"),
             ("b.bn_nchwc", "Conv", ("t1", "w", "w", "t1"), ("t2",), "Relu"),
             ("ReorderOutput_token_7", "ReorderOutput", ("t2",), ("relu",))]
    rows = join(ORIGINAL, profile(nodes, {"ReorderInput": 1, "a.bn_nchwc": 20,
                                          "b.bn_nchwc": 30, "ReorderOutput_token_7": 2}))
    assert rows_of(rows) == [
        (("a.conv", "a.bn", "a.act"), ("ReorderInput", "a.bn_nchwc"), 21),  # 1 + 20 µs
        (("b.conv", "b.bn", "add", "relu"), ("b.bn_nchwc", "ReorderOutput_token_7"), 32)]


def test_a_fusion_named_after_its_last_node_takes_the_vanished_ones_before_it():
    nodes = [("a.act", "FusedConv", ("x", "w"), ("a.act",)),
             ("b.conv", "FusedConv", ("a.act", "w", "w", "a.act"), ("relu",))]
    rows = join(ORIGINAL, profile(nodes, {"a.act": 5, "b.conv": 7}))
    assert [r.layers for r in rows] == [("a.conv", "a.bn", "a.act"), ("b.conv", "b.bn", "add", "relu")]


def measured_rows(name, optimize, **bindings):
    path = SPEC[name]
    network = build(load_spec(path), str(path), {"resolution": 64, **bindings})
    exported = export_network(network)
    runtime = OnnxRuntime()
    prof = runtime.profile(exported.model.SerializeToString(), {"input": exported.input},
                           RunOptions(1, optimize), runs=2, warmup=1)
    return network, prof, join(exported.model.graph, prof)


@pytest.mark.parametrize("optimize", ["all", "none"])
@pytest.mark.parametrize("name", ["mobilenet_v2", "shufflenet_v2", "efficientnet_b0", "resnet18"])
def test_every_layer_is_in_exactly_one_row_and_every_kernel_is_timed(name, optimize):
    network, prof, rows = measured_rows(name, optimize)
    layers = [layer for row in rows for layer in row.layers]
    assert sorted(layers) == sorted(n for n in network.nodes if n != "input")
    assert all(row.layers for row in rows)  # every row names spec layers
    assert sorted(n.name for row in rows for n in row.nodes) == sorted(n.name for n in prof.nodes)
    total = sum(np.median(times) for times in prof.times.values())
    assert sum(row.time_us for row in rows) == pytest.approx(total)


def test_unoptimized_mobilenet_v2_has_one_row_per_layer():
    network, _, rows = measured_rows("mobilenet_v2", "none")
    assert [row.layers for row in rows] == [(n,) for n in network.nodes if n != "input"]


def test_optimized_mobilenet_v2_fuses_conv_bn_act_and_residual_adds():
    _, _, rows = measured_rows("mobilenet_v2", "all")
    layers = {row.layers for row in rows}
    assert ("features.0.conv", "features.0.bn", "features.0.act") in layers
    assert ("features.2.1.project.conv", "features.2.1.project.bn", "features.2.1.add") in layers
    assert len(rows) == 52 + 3  # 17 blocks: 52 fused convs; then pool, flatten+dropout+linear…


def test_shufflenet_v2_shows_split_shuffle_and_concat_time():
    _, _, rows = measured_rows("shufflenet_v2", "all")
    timed = {row.layers[0] for row in rows if len(row.layers) == 1 and row.time_us > 0}
    assert {"stage2.1.split", "stage2.0.shuffle", "stage2.0.concat"} <= timed


def test_stats_quartiles_match_numpy():
    values = [5.0, 1.0, 9.0, 3.0, 7.0, 2.0]
    stats = Stats.of(values)
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    assert (stats.q1, stats.median, stats.q3, stats.runs) == (q1, median, q3, 6)
    assert stats.iqr == q3 - q1
