"""Latency: kernel grouping, the roofline fit, prediction from a synthetic profile, a tiny
calibration and `report --latency`."""

import json
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

from costmodel.api import analyze
from costmodel.cli import main
from costmodel.graph import build
from costmodel.latency import device
from costmodel.latency.calibrate import (
    COLD_BASELINE,
    CONV_FACTOR,
    EPILOGUE_MAX_DEPTH,
    EPILOGUES,
    GRIDS,
    HELPER_KINDS,
    NO_HELPERS,
    OWN_HELPERS,
    REFERENCES,
    SKIPPED_AT,
    Baseline,
    Sample,
    baseline,
    best,
    calibrate,
    chunk_slowness,
    epilogue_grid,
    epilogue_ns,
    estimate,
    fit_profile,
    grid,
    streams_weights,
)
from costmodel.latency.device import nchwc_block, shipped_profile
from costmodel.latency.kernels import GROUPED, KINDS, Kernel, kernels
from costmodel.latency.model import (
    DeviceProfile,
    Roofline,
    fit_roofline,
    fit_shape,
    local_correction,
    local_point,
    predict,
    shape_features,
)
from costmodel.ops.base import Traffic
from costmodel.runtime.base import RunTimes
from costmodel.spec.load import parse_spec

V1 = "specs/mobilenet_v1.yaml"


def synthetic(optimize="all", overhead=1.0):
    """Every kind: overhead µs + maccs / 1000 (compute-bound, memory never binding)."""
    return DeviceProfile("onnxruntime", "0", "synthetic", 1, optimize, 10.0,
                         {kind: Roofline(overhead, 1000.0, 0.0) for kind in KINDS})


def test_mobilenet_v1_kernels_fused_and_op_by_op():
    network = analyze(V1).network
    fused = kernels(network, "all")
    # 1 stem + 13 × (depthwise, pointwise) conv+BN+ReLU, the global pool, fc (flatten is free),
    # and one NCHWc → NCHW reorder of the pooled tensor before the flatten
    assert len(fused) == 1 + 26 + 2 + 1
    kinds = [k.kind for k in fused]
    assert kinds.count("conv_depthwise") == 13 and kinds.count("conv_pointwise") == 13
    assert kinds.count("conv_dense") == 1 and kinds[-3:] == ["global_pool", "fully_connected", "reorder"]
    assert fused[-1].bytes == 2 * 1024 * 4  # the 1024 pooled values read and written, fp32
    assert all(len(k.layers) == 3 for k in fused[:27])  # conv, bn, relu in one kernel
    # optimizations off: each of the 27 conv_bn_act runs 3 kernels
    assert len(kernels(network, "none")) == 27 * 3 + 2


def test_fused_bytes_add_only_the_folded_bias():
    network = analyze(V1).network
    stem = kernels(network, "all")[0]
    conv = network.nodes["conv1.conv"]
    # the folded BN's shift: 32 channels read as the conv's bias, fp32
    assert stem.bytes == (conv.cost.mem_access + 32) * 4


def test_prediction_with_a_synthetic_profile():
    analysis = analyze(V1)
    times, total = predict(analysis.network, synthetic())
    # session 10 µs + 30 kernels × 1 µs + every macc (convs and fc only) at 1000 per µs
    assert total == pytest.approx(10 + 30 + analysis.totals.maccs / 1000)
    assert len(times) == 30


def test_roofline_fit_recovers_known_coefficients():
    rng = np.random.default_rng(0)
    maccs = rng.integers(1_000, 10_000_000, 60).astype(float)
    nbytes = rng.integers(1_000, 10_000_000, 60).astype(float)
    truth = Roofline(3.0, 2000.0, 500.0)
    times = np.array([truth.time_us(int(m), int(b)) for m, b in zip(maccs, nbytes)])
    fitted = fit_roofline(maccs, nbytes, times)
    assert fitted.overhead_us == pytest.approx(3.0, rel=1e-6)
    assert fitted.maccs_per_us == pytest.approx(2000.0, rel=1e-6)
    assert fitted.bytes_per_us == pytest.approx(500.0, rel=1e-6)


def test_roofline_fit_recovers_a_per_call_fixed_cost():
    rng = np.random.default_rng(1)
    maccs = rng.integers(10_000, 10_000_000, 40).astype(float)
    calls = rng.integers(1, 65, 40).astype(float)
    truth = Roofline(1.5, 800.0, 0.0)
    times = np.array([truth.time_us(int(m), 0, int(c)) for m, c in zip(maccs, calls)])
    fitted = fit_roofline(maccs, np.zeros_like(maccs), times, calls)
    assert (fitted.overhead_us, fitted.maccs_per_us) == (pytest.approx(1.5), pytest.approx(800.0))


@pytest.mark.parametrize("optimize", ["all", "none"])
def test_every_grid_point_is_one_kernel_of_its_kind(optimize):
    points = grid(8, optimize, seed=3)
    assert {kind for kind, _ in points} == set(GRIDS) - SKIPPED_AT[optimize]
    for kind, spec in points:
        helpers = HELPER_KINDS | OWN_HELPERS.get(kind, NO_HELPERS)[1]
        found = [k for k in kernels(build(parse_spec(spec), "<grid>", {}), optimize)
                 if k.kind not in helpers - {kind}]
        # one kernel of its kind; a lone NCHWc conv's input and output reorders are timed as
        # points of their own, Q·Kᵀ's transpose op by op and a binary point's second operand
        # subtracted; a grouped conv of whole-block groups is the blocked grouped kind, a
        # depthwise conv op by op the plain one
        kinds = {kind, "conv_grouped_nchwc"} if kind in GROUPED else \
            {kind, "conv_depthwise_plain"} if kind == "conv_depthwise" and optimize == "none" else {kind}
        assert len(found) == 1 and found[0].kind in kinds, spec


@pytest.mark.parametrize("optimize", ["all", "none"])
def test_the_plain_depthwise_grid_holds_depthwise_convs_onnxruntime_does_not_run_blocked(optimize):
    # ShuffleNet V2 1.0's 58 channels, NASNet's 22, GhostNet 0.5's 6, MixNet's 90: not a
    # multiple of 4, so not NCHWc; MLAS's grouped conv, one im2col and GEMM per channel
    plain = [spec for grid_kind, spec in grid(16, optimize) if grid_kind == "conv_depthwise_plain"]
    assert len(plain) == 16 * CONV_FACTOR
    assert {spec["layers"][0]["kernel"] for spec in plain} == {3, 5, 7, 9}
    doubling = 0
    for spec in plain:
        channels, layer = spec["input"][0], spec["layers"][0]
        if layer["out"] == 2 * channels:  # FastViT's downsampling: one group per input channel
            doubling += 1
            assert layer["groups"] == channels and not layer["depthwise"]
        else:
            assert channels % 4 == 2 and layer["out"] == channels and layer["depthwise"]
        found = kernels(build(parse_spec(spec), "<grid>", {}), optimize, 8)
        assert [(k.kind, k.calls) for k in found] == [("conv_depthwise_plain", channels)]
    assert 3 <= doubling <= 22  # a quarter of 48: binomial, mean 12, ±3 standard deviations


def test_tiny_calibration_round_trips_as_json():
    profile, points = calibrate(2, rounds=1, runs=1)
    kernel_points = [p for p in points if p.kind != "reorder"]
    # 2 per kind, CONV_FACTOR × 2 per conv kind (6 of them), no batchnorm with optimizations on
    assert len(kernel_points) == 2 * (len(GRIDS) - 1) + 2 * (CONV_FACTOR - 1) * 6
    assert profile.grid_points == len(points)
    # a lone NCHWc conv is reordered in and out: those are points of their own kind; a
    # grouped conv may be of whole blocks (the blocked grouped kind)
    assert set(profile.kinds) - GROUPED - {"conv_grouped_nchwc"} == \
        set(GRIDS) - {"norm"} - GROUPED | {"other", "reorder"}
    assert profile.node_us >= 0 and profile.nchwc_block == nchwc_block()
    assert profile.threads == 1 and profile.optimize == "all" and profile.session_us > 0
    # the reference models are timed with the grid, kept apart from its points
    assert set(profile.reference_us) == set(REFERENCES) and all(t > 0 for t in profile.reference_us.values())
    # two (six) points per kind cannot fit a shape correction of 3 or 8 coefficients
    assert all(roofline.shape == () and roofline.local == () for roofline in profile.kinds.values())
    # one conv timed with each epilogue activation: a cost per output element for each
    assert set(profile.epilogue_ns) == set(EPILOGUES) and all(v >= 0 for v in profile.epilogue_ns.values())
    assert DeviceProfile.from_json(profile.to_json()) == profile


@pytest.mark.parametrize("cpu, block, name", [
    ("AMD EPYC", 16, "epyc-avx512-2core-onnxruntime-1t"), ("AMD EPYC", 8, "epyc-avx2-2core-onnxruntime-1t"),
    ("Intel(R) Xeon(R) Processor", 16, "xeon-avx512-2core-onnxruntime-1t")])
def test_shipped_profile_matches_the_cpu_model_and_block(monkeypatch, cpu, block, name):
    # two VMs sold as "AMD EPYC": AVX-512 (block 16) in session 5, AVX2 (block 8) before;
    # an Intel Xeon (AVX-512, block 16) in session 6: the name tells it from the AMD one
    monkeypatch.setattr(device, "cpu_model", lambda: cpu)
    monkeypatch.setattr(device, "nchwc_block", lambda: block)
    for optimize, suffix in (("all", ""), ("none", "-noopt")):
        path, matched = shipped_profile(optimize)
        assert (path.name, matched) == (f"{name}{suffix}.json", True)
        profile = DeviceProfile.load(path)
        assert (profile.optimize, profile.nchwc_block, profile.cpu) == (optimize, block, cpu)


def test_no_shipped_profile_for_another_cpu_is_a_warning(monkeypatch):
    monkeypatch.setattr(device, "cpu_model", lambda: "Imaginary CPU 9000")
    assert shipped_profile("all")[1] is False
    result = CliRunner().invoke(main, ["report", V1, "--latency"])
    assert result.exit_code == 0
    assert "WARNING: no shipped profile is for this CPU (Imaginary CPU 9000" in result.stderr


def test_report_latency_cli(tmp_path):
    path = tmp_path / "device.json"
    path.write_text(synthetic().to_json())
    result = CliRunner().invoke(main, ["report", V1, "--latency", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total_us"] == pytest.approx(10 + 30 + analyze(V1).totals.maccs / 1000, abs=1e-3)
    default = CliRunner().invoke(main, ["report", V1, "--latency"])
    assert default.exit_code == 0 and "device-specific" in default.output


def test_report_latency_bad_profile_is_one_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{}")
    result = CliRunner().invoke(main, ["report", V1, "--latency", str(path)])
    assert result.exit_code == 2
    assert "cannot read a device profile" in result.output


def test_residual_add_and_activation_fuse_into_the_conv():
    network = analyze("specs/resnet50.yaml").network
    fused = kernels(network, "all")
    # layer1.0: conv3 + bn3 + the residual add + relu are one kernel (NCHWc conv with Sum)
    last = next(k for k in fused if k.layers[0] == "layer1.0.conv3.conv")
    assert [network.nodes[name].op for name in last.layers] == ["conv2d", "batchnorm", "add", "relu"]
    conv, residual = network.nodes["layer1.0.conv3.conv"], network.nodes["layer1.0.downsample.bn"]
    # bytes: the conv's traffic + 256 folded shifts + the 256×56×56 residual read once, fp32
    assert last.bytes == (conv.cost.mem_access + 256 + 256 * 56 * 56) * 4
    assert residual.outputs[0] == (1, 256, 56, 56)


def test_swish_is_two_kernels_op_by_op_and_one_fused():
    spec = {"model": "s", "input": [8, 4, 4], "layers": [{"name": "a", "op": "swish"}]}
    network = build(parse_spec(spec), "<s>", {})
    # exported as Mul(x, Sigmoid(x)); onnxruntime fuses the pair into one QuickGelu
    assert len(kernels(network, "none")) == 2 and len(kernels(network, "all")) == 1


def _executed(network, optimize, tmp_path, model=None):
    """The nodes of the graph onnxruntime saves after optimizing ``model`` (default: the
    network's export) at ``optimize``: the ground truth of the kernel model."""
    import onnx

    from costmodel.export import export_network
    from costmodel.runtime.base import RunOptions
    from costmodel.runtime.onnxruntime_backend import OnnxRuntime

    path = str(tmp_path / "optimized.onnx")
    model = export_network(network).model if model is None else model
    OnnxRuntime().session(model.SerializeToString(), RunOptions(1, optimize), optimized_path=path)
    return list(onnx.load(path, load_external_data=False).graph.node)


@pytest.mark.parametrize("spec, optimize", [
    *((spec, "all") for spec in ("mobilenet_v2", "resnet50", "efficientnet_b0", "shufflenet_v2",
                                 "mobilenet_v1", "squeezenet1_0", "lcnet", "fastvit_reparam")),
    *((spec, "none") for spec in ("mobilevit", "efficientformer", "mobilenet_v3_large", "lcnet"))])
def test_kernels_match_the_graph_onnxruntime_executes(spec, optimize, tmp_path):
    # ground truth: the optimized graph onnxruntime saves; every node but the layout reorders
    # and the views is one of our kernels (Reshape/Flatten run as aliases; Dropout is removed
    # with optimizations on, a node moving nothing off);
    # op by op: MobileViT's slices, scales and transposes, hard-swish as HardSigmoid and Mul
    network = analyze(f"specs/{spec}.yaml").network
    ops = [node.op_type for node in _executed(network, optimize, tmp_path)]
    executed = [op for op in ops if op not in ("ReorderInput", "ReorderOutput", "Reshape", "Flatten")]
    found = kernels(network, optimize, nchwc_block())  # this CPU's block size (16 with AVX-512)
    predicted = [k for k in found if k.kind != "reorder"]
    assert len(predicted) == len(executed)
    reorders = sum(op in ("ReorderInput", "ReorderOutput") for op in ops)
    assert len(found) - len(predicted) == reorders


def test_nchwc_block_decides_which_kernels_run_blocked():
    # a 3→24 stem conv (8×8) and a 3×3/2 max pool. The stem runs NCHWc at either block size
    # (it reads its 3 channels plain). Block 8 (AVX2): the pool's 24 channels are 3 whole
    # blocks, it runs NCHWc too and only the network's output (24×4×4) is reordered back.
    # Block 16 (AVX-512): 24 is not a multiple of 16, the pool runs plain and the stem's
    # output (24×8×8) is reordered instead (onnxruntime 1.32's optimized graphs).
    spec = {"model": "b", "input": [3, 8, 8], "layers": [
        {"name": "stem", "op": "conv2d", "out": 24, "kernel": 3, "padding": 1},
        {"name": "pool", "op": "max_pool", "kernel": 3, "stride": 2, "padding": 1}]}
    network = build(parse_spec(spec), "<b>", {})
    by_block = {block: [k for k in kernels(network, "all", block) if k.kind == "reorder"]
                for block in (8, 16)}
    assert [(k.layers, k.bytes) for k in by_block[8]] == [(("pool",), 2 * 24 * 4 * 4 * 4)]
    assert [(k.layers, k.bytes) for k in by_block[16]] == [(("stem",), 2 * 24 * 8 * 8 * 4)]


def test_best_is_the_lowest_round_median():
    # rounds of 3 runs: medians 5 and 2 → 2; a burst of load that slows one round is left out
    assert best([5.0, 1.0, 9.0, 2.0, 2.0, 3.0], 3) == 2.0


def test_grouped_conv_of_whole_blocks_is_its_own_kind():
    # 48 → 48 channels, 1×1, 14×14: 3 groups of 16 (two 8-channel blocks each) run MLAS's
    # NCHWc conv; 4 groups of 12 do not (12 is not a multiple of 8): im2col and a GEMM per group
    # (a GEMM per group without im2col when the kernel is 1×1: a kind of its own)
    def kind(groups, optimize="all", kernel=1):
        spec = {"model": "g", "input": [48, 14, 14],
                "layers": [{"name": "g", "op": "conv2d", "out": 48, "kernel": kernel, "groups": groups,
                            "padding": kernel // 2}]}
        return [k.kind for k in kernels(build(parse_spec(spec), "<g>", {}), optimize, 8) if k.kind != "reorder"]
    assert kind(3) == ["conv_grouped_nchwc"] and kind(4) == ["conv_grouped_pointwise"]
    assert kind(3, "none") == ["conv_grouped_pointwise"]  # optimizations off: no NCHWc layout
    assert kind(3, kernel=3) == ["conv_grouped_nchwc"] and kind(4, kernel=3) == ["conv_grouped"]
    assert kind(4, "none", kernel=3) == ["conv_grouped"]


def test_an_im2col_grouped_conv_pays_its_fixed_cost_per_group():
    # 48 → 48 channels in 4 groups of 12 (not whole 8-channel blocks): im2col and a GEMM per
    # group, so the roofline's fixed cost is paid 4 times; the blocked kind pays it once
    def grouped(groups):
        spec = {"model": "g", "input": [48, 14, 14],
                "layers": [{"name": "g", "op": "conv2d", "out": 48, "kernel": 1, "groups": groups}]}
        return next(k for k in kernels(build(parse_spec(spec), "<g>", {}), "all", 8) if k.kind != "reorder")
    assert (grouped(4).kind, grouped(4).calls) == ("conv_grouped_pointwise", 4)
    assert (grouped(3).kind, grouped(3).calls) == ("conv_grouped_nchwc", 1)
    roofline = Roofline(2.0, 1000.0, 0.0)
    assert roofline.time_us(48 * 12 * 14 * 14, 0, calls=4) == pytest.approx(4 * 2.0 + 48 * 12 * 14 * 14 / 1000)


def _sample(kind, op_types, plain, profiled, kernels_=()):
    """A grid point timed in one round of two runs: plain CPU times and profiled node times
    (the profiled runs' CPU time 50 µs more: the calibration must not read it)."""
    times = RunTimes(cpu_us=[plain + 50, plain + 50], node_us=[dict(profiled)] * 2, op_types=op_types,
                     plain_us=[plain, plain])
    return Sample(kind, list(kernels_), times, outputs=500)


def test_baseline_and_estimate_remove_the_fixed_costs_the_profiler_and_the_reorders():
    # a 1-ReLU chain runs in 10 µs plain, an 8-ReLU chain in 13.5 µs: 0.5 µs per extra node,
    # the session 10 − 0.5 = 9.5 µs; each one-element ReLU is reported 3 µs by the profiler:
    # the profiler's share of every reported node time
    relus = {f"k{i}": "Relu" for i in range(8)}
    fixed = baseline([_sample("session1", {"k0": "Relu"}, 10.0, {"k0": 3.0}),
                      _sample("session8", relus, 13.5, dict.fromkeys(relus, 3.0))], runs=2)
    assert fixed == Baseline(session_us=9.5, node_us=0.5, profiler_us=3.0, cold_us=0.0)
    # a lone NCHWc conv: reorder in (14 µs profiled: 11 µs), conv, reorder out (10: 7), 120 µs plain
    conv = Kernel(("k",), "conv_pointwise", 5000, 6000)
    reorders = [Kernel(("input",), "reorder", 0, 8000), Kernel(("k",), "reorder", 0, 4000)]
    sample = _sample("conv_pointwise", {"ri": "ReorderInput", "c": "Conv", "ro": "ReorderOutput"},
                     120.0, {"ri": 14.0, "c": 80.0, "ro": 10.0}, [conv, *reorders])
    points = estimate(sample, fixed, runs=2)
    # 120 − 9.5 − 3 nodes × 0.5 − 11 − 7 = 91 µs; each reorder point moves its predicted
    # reorder kernel's bytes, in graph order
    assert [(p.kind, p.maccs, p.bytes, p.time_us) for p in points] == [
        ("conv_pointwise", 5000, 6000, 91.0), ("reorder", 0, 8000, 11.0), ("reorder", 0, 4000, 7.0)]
    # reorders costmodel does not predict one for one are left out, not guessed
    assert [p.kind for p in estimate(replace(sample, kernels=[conv, reorders[0]]), fixed, runs=2)] == [
        "conv_pointwise"]


def test_reorders_costmodel_does_not_predict_are_subtracted_but_not_points():
    # SE's scale x · mean(x) alone: onnxruntime reorders the plain input into NCHWc for the
    # global pool and the pooled 32 × 1 × 1 back for the Mul; costmodel (a pool of a plain
    # tensor runs plain) predicts neither. Read as the point's input and output (50 KB),
    # those reorders were timed at ~0 µs and made the session-12 calibrations fit reorders
    # as free; now they are only subtracted: 60 − 9.5 − 4 × 0.5 − (6 + 5 + 1) = 36.5 µs
    spec = {"model": "se", "input": [32, 14, 14], "layers": [
        {"name": "h", "op": "global_avg_pool"}, {"name": "k", "op": "mul", "inputs": ["input", "h"]}]}
    found = kernels(build(parse_spec(spec), "<se>", {}), "all", 8)
    assert [k.kind for k in found] == ["global_pool", "binary"]
    fixed = Baseline(session_us=9.5, node_us=0.5, profiler_us=3.0)
    sample = _sample("binary", {"ri": "ReorderInput", "g": "GlobalAveragePool", "ro": "ReorderOutput", "m": "Mul"},
                     60.0, {"ri": 9.0, "g": 8.0, "ro": 4.0, "m": 20.0}, found)
    assert [(p.kind, p.time_us) for p in estimate(sample, fixed, runs=2)] == [("binary", 36.5)]


def test_each_chunk_is_anchored_by_its_own_baselines_and_reference_models():
    # chunk 1 ran twice as slow as chunks 0 and 2: its session baselines, its reference add
    # and its conv all took twice as long; every chunk's conv comes out at the typical
    # chunk's 110 µs (the time a fifth of the chunks beat: chunk 0's and 2's)
    relus = {f"k{i}": "Relu" for i in range(8)}
    conv = Kernel(("k",), "conv_pointwise", 5000, 6000, shape=(16, 16, 49, 1, 1, 1))
    add = Kernel(("k",), "binary", 0, 6000, shape=(16, 16, 49, 1, 1, 1))
    samples = [replace(sample, chunk=chunk) for chunk, slow in ((0, 1.0), (1, 2.0), (2, 1.0)) for sample in (
        _sample("session1", {"k0": "Relu"}, 10.0 * slow, {"k0": 3.0}),
        _sample("session8", relus, 13.5 * slow, dict.fromkeys(relus, 3.0)),
        _sample("reference:add", {"k": "Add"}, 50.0 * slow, {"k": 40.0}),
        _sample("conv_pointwise", {"k": "Conv"}, 120.0 * slow, {"k": 100.0}, [conv]),
        _sample("binary", {"k": "Add"}, 30.0 * slow, {"k": 25.0}, [add]))]
    assert chunk_slowness(samples, runs=2) == {0: 1.0, 1: pytest.approx(2.0), 2: 1.0}
    profile, points = fit_profile(samples, optimize="all", runtime_name="onnxruntime", runs=2)
    # 120 − 9.5 − 0.5 = 110 in chunks 0 and 2; (240 − 19 − 1) / 2 = 110 in chunk 1
    assert [p.kind for p in points] == ["conv_pointwise", "binary"] * 3
    assert [p.time_us for p in points] == pytest.approx([110.0, 20.0] * 3)
    assert (profile.session_us, profile.node_us) == (pytest.approx(9.5), pytest.approx(0.5))
    assert profile.reference_us == {"add": 50.0}
    # the geometric mean over the reference models of their time against the time a fifth of
    # the chunks beat: add 50, 55, 60 → 52 (linear between order statistics); dense 400
    three = [replace(_sample(f"reference:{name}", {"k": "Conv"}, time, {"k": 1.0}), chunk=chunk)
             for chunk, name, time in ((0, "add", 50.0), (0, "dense", 440.0), (1, "add", 60.0),
                                       (1, "dense", 400.0), (2, "add", 55.0), (2, "dense", 400.0))]
    assert chunk_slowness(three, runs=2) == {0: pytest.approx((50 / 52 * 1.1) ** 0.5),
                                             1: pytest.approx((60 / 52) ** 0.5),
                                             2: pytest.approx((55 / 52) ** 0.5)}


def test_an_evicted_point_loses_what_eviction_costs_a_run_that_reads_nothing():
    # the 1-ReLU chain runs in 10 µs plain, 100 µs after the caches are evicted: 90 µs of
    # code, TLB and session state from memory, which a kernel inside a network does not pay
    relus = {f"k{i}": "Relu" for i in range(8)}
    fixed = baseline([_sample("session1", {"k0": "Relu"}, 10.0, {"k0": 3.0}),
                      _sample("session8", relus, 13.5, dict.fromkeys(relus, 3.0)),
                      _sample(COLD_BASELINE, {"k0": "Relu"}, 100.0, {"k0": 3.0})], runs=2)
    assert fixed.cold_us == 90.0
    head = Kernel(("k",), "fully_connected", 1_280_000, 5_128_000, shape=(1280, 1000, 1, 1, 1, 1))
    evicted = _sample("fully_connected", {"k": "Gemm"}, 500.0, {"k": 480.0}, [head])
    # 500 − 9.5 − 0.5 − 90 = 400 µs
    assert [(p.kind, p.time_us) for p in estimate(evicted, fixed, runs=2)] == [("fully_connected", 400.0)]
    warm = Kernel(("k",), "conv_pointwise", 1000, 2000, shape=(16, 16, 49, 1, 1, 1))
    point = _sample("conv_pointwise", {"k": "Conv"}, 50.0, {"k": 40.0}, [warm])
    assert estimate(point, fixed, runs=2)[0].time_us == 40.0  # 50 − 9.5 − 0.5: not evicted


def test_a_binary_point_reads_two_tensors_and_its_second_operand_is_subtracted():
    # x + x would read one buffer for the two operands mem_access counts: the grid adds the
    # input to its ReLU, or scales it by its global average (SE)
    for _, spec in (point for point in grid(12, "none", seed=5) if point[0] == "binary"):
        helper, op = spec["layers"]
        assert op["inputs"] == ["input", helper["name"]] and helper["op"] in ("relu", "global_avg_pool")
    fixed = Baseline(session_us=9.5, node_us=0.5, profiler_us=3.0)
    add = Kernel(("k",), "binary", 0, 12000)
    sample = _sample("binary", {"h": "Relu", "k": "Add"}, 50.0, {"h": 6.0, "k": 30.0},
                     [Kernel(("h",), "activation", 0, 8000), add])
    # 50 − 9.5 − 2 nodes × 0.5 − (6 − 3) = 36.5 µs; the ReLU is not a point
    assert [(p.kind, p.time_us) for p in estimate(sample, fixed, runs=2)] == [("binary", 36.5)]


@pytest.mark.parametrize("spec, streams", [
    ({"input": [1280, 1, 1], "layers": [{"name": "f", "op": "flatten"}, {"name": "k", "op": "linear", "out": 1000}]},
     True),
    ({"input": [480, 1, 1], "layers": [{"name": "k", "op": "conv2d", "out": 120, "kernel": 1}]}, True),
    ({"input": [480, 7, 7], "layers": [{"name": "k", "op": "conv2d", "out": 120, "kernel": 1}]}, False),
    ({"input": [64, 1, 1], "layers": [{"name": "k", "op": "relu"}]}, False)])
def test_a_contraction_of_one_position_is_timed_with_cold_caches(spec, streams):
    # in a network a classifier head or an SE conv reads each weight once, from memory
    found = kernels(build(parse_spec({"model": "s", **spec}), "<s>", {}), "all")
    assert streams_weights(found) is streams


TOKENS = {"model": "t", "input": [1, 64, 128], "layers": [
    {"name": "r", "op": "reshape", "shape": [1, 64, 128]},
    {"name": "fc", "op": "linear", "out": 256},
    {"name": "act", "op": "gelu"},
    {"name": "ln", "op": "layernorm"},
    {"name": "heads", "op": "reshape", "shape": [1, 4, 64, 64]},
    {"name": "qk", "op": "matmul", "inputs": ["heads", "heads"], "transpose_b": True},
    {"name": "attn", "op": "softmax"}]}


def test_token_ops_are_kinds_of_their_own_as_onnxruntime_runs_them():
    network = build(parse_spec(TOKENS), "<t>", {})
    fc = 4 * (64 * 128 + 64 * 256 + 128 * 256 + 256)  # x, y, W, b in fp32
    y = 4 * 64 * 256
    # GELU op by op: Div(x, √2), Erf, Add 1, Mul by x, Mul by ½; fused, one Gelu kernel
    gelu = [("binary", 2 * y), ("activation_exp", 2 * y), ("binary", 2 * y), ("binary", 3 * y),
            ("binary", 2 * y)]
    rest = [("sample_norm", 4 * (2 * 64 * 256 + 2 * 256)),
            ("tensor_matmul", 4 * 3 * 4 * 64 * 64), ("axis_softmax", 4 * 2 * 4 * 64 * 64)]
    # optimizations on: one Gemm with its bias, one FusedMatMul (onnxruntime's optimized graph)
    assert [(k.kind, k.bytes) for k in kernels(network, "all")] == [("gemm", fc), ("activation_erf", 2 * y)] + rest
    # op by op: MatMul then Add(bias); Q·Kᵀ is MatMul(Q, Transpose(K)): the transpose copies K
    assert [(k.kind, k.bytes) for k in kernels(network, "none")] == [
        ("gemm", fc - 4 * 256), ("binary", 2 * y + 4 * 256)] + gelu + rest[:1] + [
        ("copy", 2 * 4 * 4 * 64 * 64)] + rest[1:]
    assert kernels(network, "all")[0].maccs == 64 * 128 * 256
    # the split reads the linear's declared traffic: its bias of 256 elements
    assert network.nodes["fc"].traffic == Traffic(64 * 128, 64 * 256, 128 * 256, 256)
    unbiased = {**TOKENS, "layers": [*TOKENS["layers"][:1], {**TOKENS["layers"][1], "bias": False}]}
    assert [(k.kind, k.bytes) for k in kernels(build(parse_spec(unbiased), "<t>", {}), "none")] == [
        ("gemm", 4 * (64 * 128 + 64 * 256 + 128 * 256))]


def test_dropout_is_removed_and_keeps_the_nchwc_layout():
    # conv → dropout → conv, 32 channels: onnxruntime removes the Dropout and runs
    # ReorderInput, Conv, Conv, ReorderOutput (its optimized graph); a Flatten would read plain
    layers = [{"name": "c1", "op": "conv2d", "out": 32, "kernel": 3, "padding": 1},
              {"name": "d", "op": "dropout", "p": 0.5},
              {"name": "c2", "op": "conv2d", "out": 32, "kernel": 3, "padding": 1}]
    network = build(parse_spec({"model": "d", "input": [32, 8, 8], "layers": layers}), "<d>", {})
    found = kernels(network, "all", 16)
    assert [(k.kind, k.layers[0]) for k in found] == [
        ("conv_dense", "c1"), ("conv_dense", "c2"), ("reorder", "input"), ("reorder", "c2")]


def test_imported_identity_nodes_are_kernels_op_by_op_only(tmp_path):
    # x → Relu → Identity → Conv(w, Identity(b)) → Identity → y: the Identity of the bias
    # (torchvision's exports hold one per conv) is folded by the import and the others are
    # aliases, so no count changes; onnxruntime runs all three with optimizations off
    # (Relu, 3 Identity, Conv: 5 nodes) and removes them with optimizations on (Relu, Conv;
    # the 8-channel conv runs NCHWc here, reorders counted apart)
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from costmodel.importer import load_onnx
    from costmodel.runtime.base import RunOptions
    from costmodel.runtime.onnxruntime_backend import OnnxRuntime

    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("Identity", ["r"], ["i"], name="id_act"),
             helper.make_node("Identity", ["b"], ["b2"], name="id_bias"),
             helper.make_node("Conv", ["i", "w", "b2"], ["c"], name="conv", kernel_shape=[1, 1]),
             helper.make_node("Identity", ["c"], ["y"], name="id_out")]
    weights = [numpy_helper.from_array(np.ones((8, 8, 1, 1), np.float32), "w"),
               numpy_helper.from_array(np.zeros(8, np.float32), "b")]
    graph = helper.make_graph(nodes, "ids", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 4, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 4, 4])], weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    file = tmp_path / "ids.onnx"
    file.write_bytes(model.SerializeToString())
    spec = load_onnx(str(file))
    assert sum(spec.identity_nodes.values()) == 3
    plain = dict(spec.model_dump(), identity_nodes={})
    counts = build(spec, str(file), {}).ops
    assert [node.cost for node in counts] == [node.cost for node in build(parse_spec(plain), "<p>", {}).ops]
    network = build(spec, str(file), {})
    for optimize, expected in (("none", 5), ("all", 2)):
        saved = str(tmp_path / f"{optimize}.onnx")
        OnnxRuntime().session(model.SerializeToString(), RunOptions(1, optimize), optimized_path=saved)
        ops = [node.op_type for node in onnx.load(saved).graph.node if not node.op_type.startswith("Reorder")]
        found = [k for k in kernels(network, optimize, nchwc_block()) if k.kind != "reorder"]
        assert len(ops) == expected == len(found)


def _conv(name, out, kernel=1, **fields):
    return {"name": name, "op": "conv2d", "out": out, "kernel": kernel, "padding": kernel // 2, **fields}


@pytest.mark.parametrize("c_in, layers, expected", [
    # alone: its ONNX function, HardSigmoid and Mul (onnxruntime has no HardSwish kernel)
    (32, [{"name": "h", "op": "hardswish"}], ["activation", "binary"]),
    # after an NCHWc conv (32 channels, a multiple of 4), before another conv: in its epilogue
    (32, [_conv("c", 32, 3), {"name": "h", "op": "hardswish"}, _conv("d", 32)],
     ["conv_dense", "conv_pointwise", "reorder", "reorder"]),
    # the same conv, the hard-swish writing the network's output: not fused
    (32, [_conv("c", 32, 3), {"name": "h", "op": "hardswish"}],
     ["conv_dense", "activation", "binary", "reorder", "reorder"]),
    # a conv reading 18 channels runs plain: HardSigmoid and Mul after it, reordered before d
    (18, [_conv("c", 32, 3), {"name": "h", "op": "hardswish"}, _conv("d", 32)],
     ["conv_dense", "activation", "binary", "conv_pointwise", "reorder", "reorder"]),
    # 3 groups of 8 channels (not whole 16-channel blocks): im2col, plain
    (24, [_conv("c", 24, 3, groups=3), {"name": "h", "op": "hardswish"}, _conv("d", 32)],
     ["conv_grouped", "activation", "binary", "conv_pointwise", "reorder", "reorder"]),
    # the conv's epilogue holds the ReLU: the hard-swish's two passes run blocked (no reorder)
    (32, [_conv("c", 32, 3), {"name": "r", "op": "relu"}, {"name": "h", "op": "hardswish"}, _conv("d", 32)],
     ["conv_dense", "activation", "binary", "conv_pointwise", "reorder", "reorder"]),
    # a blocked residual add then hard-swish: both in the second conv's epilogue
    (32, [_conv("c", 32), _conv("c2", 32), {"name": "a", "op": "add", "inputs": ["c2", "c"]},
          {"name": "h", "op": "hardswish"}, _conv("d", 32)],
     ["conv_pointwise", "conv_pointwise", "conv_pointwise", "reorder", "reorder"]),
])
def test_hard_swish_fuses_only_into_an_nchwc_conv(c_in, layers, expected, tmp_path):
    # kinds as read off onnxruntime 1.32's optimized graphs (block 16, this Xeon), and the
    # graph the runtime saves on this machine has as many kernels and reorders
    network = build(parse_spec({"model": "h", "input": [c_in, 8, 8], "layers": layers}), "<h>", {})
    assert [k.kind for k in kernels(network, "all", 16)] == expected
    ops = [node.op_type for node in _executed(network, "all", tmp_path)]
    found = kernels(network, "all", nchwc_block())
    assert len(ops) == len(found)
    assert sum(op.startswith("Reorder") for op in ops) == sum(k.kind == "reorder" for k in found)


def test_report_totals_only_latency_prints_the_total_alone(tmp_path):
    path = tmp_path / "device.json"
    path.write_text(synthetic().to_json())
    total = 10 + 30 + analyze(V1).totals.maccs / 1000
    table = CliRunner().invoke(main, ["report", V1, "--latency", str(path), "--totals-only"])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert len(lines) == 2 and lines[1] == f"total {total / 1000:.3f} ms (30 kernels, session 10.0 µs)"
    data = json.loads(CliRunner().invoke(main, ["report", V1, "--latency", str(path), "--totals-only",
                                                "--format", "json"]).output)
    assert "kernels" not in data and data["kernel_count"] == 30
    assert data["total_us"] == pytest.approx(total, abs=1e-3)


def test_report_latency_budget_is_enforced(tmp_path):
    path = tmp_path / "device.json"
    path.write_text(synthetic().to_json())
    total_ms = (10 + 30 + analyze(V1).totals.maccs / 1000) / 1000
    for limit, code in ((f"{total_ms * 0.99:.3f}ms", 1), (f"{total_ms * 1.01:.3f}ms", 0)):
        result = CliRunner().invoke(main, ["report", V1, "--latency", str(path), "--totals-only",
                                           "--budget", f"latency={limit}"])
        assert result.exit_code == code, result.output
        assert ("budget exceeded: latency" in result.stderr) == (code == 1)


def test_calibrate_refuses_an_existing_output_without_force(tmp_path):
    existing = tmp_path / "device.json"
    existing.write_text("keep me")
    args = ["calibrate", "--points", "2", "--rounds", "1", "-o", str(existing)]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2 and existing.read_text() == "keep me"
    assert refused.output.count("\n") == 1 and "--force" in refused.output
    replaced = CliRunner().invoke(main, [*args, "--force"])
    assert replaced.exit_code == 0, replaced.output
    assert DeviceProfile.load(existing).grid_points > 0


def test_kernel_shape_is_the_first_layers_geometry():
    # MobileNetV1's stem: 3 → 32 channels, 3×3 stride 2 to 112×112; its first depthwise conv
    # 32 → 32 in 32 groups at 112×112; the classifier 1024 → 1000 (rank 2: one position)
    found = kernels(analyze(V1).network, "all")
    assert found[0].shape == (3, 32, 112 * 112, 9, 2, 1)
    assert found[1].shape == (32, 32, 112 * 112, 9, 1, 32)
    assert next(k for k in found if k.kind == "fully_connected").shape == (1024, 1000, 1, 1, 1, 1)


def test_shape_fit_recovers_a_known_correction():
    # times = roofline × exp(w·φ) exactly: unpenalized least squares gives w back
    rng = np.random.default_rng(2)
    roofline = Roofline(2.0, 500.0, 0.0)
    shapes = [tuple(int(v) for v in (rng.choice([8, 32, 128, 512]), rng.choice([16, 64, 256]),
                                     rng.choice([49, 196, 784, 3136]), rng.choice([1, 9, 25]),
                                     rng.choice([1, 2]), 1)) for _ in range(60)]
    maccs = np.array([s[0] * s[1] * s[2] * s[3] for s in shapes], dtype=float)
    truth = np.array([-0.3, 0.05, -0.1, 0.08, 0.02, 0.1, 0.01, 0.0])
    design = np.array([shape_features("conv_dense", int(m), s) for m, s in zip(maccs, shapes)])
    times = np.array([roofline.time_us(int(m), 0) for m in maccs]) * np.exp(design @ truth)
    ones = np.ones_like(maccs)
    fitted = fit_shape(roofline, maccs, np.zeros_like(maccs), ones, design, times, ridge=0.0)
    # ln stride and ln groups: groups is constant (1) here, so its column is 0 and its
    # coefficient stays 0 with any penalty; without one the system is singular there
    assert fitted == pytest.approx(tuple(truth), abs=1e-6)


def test_a_shape_correction_scales_its_kind_only(tmp_path):
    # conv_pointwise's correction w = [ln 2, 0, …]: every pointwise conv takes twice the
    # roofline's time; the other kinds are unchanged
    doubled = DeviceProfile("onnxruntime", "0", "synthetic", 1, "all", 10.0, {
        **synthetic().kinds, "conv_pointwise": Roofline(1.0, 1000.0, 0.0, (float(np.log(2)),) + (0.0,) * 7)})
    network = analyze(V1).network
    plain, shaped = predict(network, synthetic())[0], predict(network, doubled)[0]
    for a, b in zip(plain, shaped):
        factor = 2 if a.kernel.kind == "conv_pointwise" else 1
        assert b.time_us == pytest.approx(factor * a.time_us)  # node_us is 0 in both
    path = tmp_path / "p.json"
    path.write_text(doubled.to_json())
    assert DeviceProfile.load(path) == doubled


@pytest.mark.parametrize("shape", [[1.0, 2.0], [float("nan")] * 8, ["x"] * 8])
def test_a_bad_shape_correction_is_refused(shape):
    data = json.loads(synthetic().to_json())
    data["kinds"]["conv_dense"]["shape"] = shape
    with pytest.raises(ValueError, match="conv_dense.shape"):
        DeviceProfile.from_json(json.dumps(data))


@pytest.mark.parametrize("key, value", [("reference_us", [1.0]), ("reference_us", {"dense": -1.0}),
                                        ("reference_us", {"dense": "x"}), ("epilogue_ns", [0.2]),
                                        ("epilogue_ns", {"relu6": float("inf")}), ("epilogue_ns", {"relu6": -0.1})])
def test_bad_reference_times_and_epilogue_costs_are_refused(key, value):
    data = json.loads(synthetic().to_json())
    data[key] = value
    with pytest.raises(ValueError, match=key):
        DeviceProfile.from_json(json.dumps(data))


def _epilogue_net(first_act, second_act="relu"):
    """16 → 32 channels (1×1, the given activation) → 32 (1×1, ReLU) → 3×3 conv, at 14×14."""
    return build(parse_spec({"model": "e", "input": [16, 14, 14], "layers": [
        {"name": "a", "op": "conv_bn_act", "out": 32, "kernel": 1, "act": first_act},
        {"name": "b", "op": "conv_bn_act", "out": 32, "kernel": 1, "act": second_act},
        {"name": "c", "op": "conv2d", "out": 8, "kernel": 3, "padding": 1}]}), "<e>", {})


def test_a_conv_kernel_records_the_activation_run_in_its_epilogue():
    # on: each conv runs its activation in its epilogue (the hard-swish too: an NCHWc conv,
    # not writing the output); the last conv has none; off every activation is a kernel
    on = kernels(_epilogue_net("relu6", "hardswish"), "all", 8)
    assert [(k.kind, k.epilogue) for k in on if k.kind != "reorder"] == [
        ("conv_pointwise", "relu6"), ("conv_pointwise", "hardswish"), ("conv_dense", "")]
    assert all(k.epilogue == "" for k in kernels(_epilogue_net("relu6", "hardswish"), "none", 8))


def test_an_epilogue_activation_costs_its_ns_per_output_element():
    # relu6 at 0.5 ns per output element: conv a writes 32 × 14 × 14 = 6,272 elements, 3.136 µs
    # more; ReLU (the calibration's own conv epilogue) and an unlisted op cost nothing more
    plain = synthetic()
    priced = replace(plain, epilogue_ns={"relu6": 0.5, "hardswish": 0.25})
    relu6 = _epilogue_net("relu6")
    assert predict(relu6, priced)[1] - predict(relu6, plain)[1] == pytest.approx(3.136)
    both = _epilogue_net("relu6", "hardswish")
    assert predict(both, priced)[1] - predict(both, plain)[1] == pytest.approx(3.136 + 1.568)
    for first in ("relu", "leaky_relu"):
        assert predict(_epilogue_net(first), priced)[1] == pytest.approx(predict(_epilogue_net(first), plain)[1])
    assert DeviceProfile.from_json(priced.to_json()) == priced


def test_the_epilogue_grid_varies_the_activation_alone_on_thin_convs():
    assert set(EPILOGUES) == {"relu6", "hardswish", "hardsigmoid", "sigmoid", "leaky_relu"}
    families = epilogue_grid(24, seed=5)
    assert len(families) == 24
    for family in families:
        layers = [spec["layers"] for _, spec in family]
        assert [kind.split(":")[1] for kind, _ in family] == ["relu", *EPILOGUES]
        assert all(spec["input"] == family[0][1]["input"] and spec["input"][1] > 1 for _, spec in family)
        assert all({**first, "act": "relu"} == layers[0][0] and rest == layers[0][1:] for first, *rest in layers)
        conv = layers[0][0]
        assert (1 if conv["depthwise"] else family[0][1]["input"][0]) * conv["kernel"] ** 2 <= EPILOGUE_MAX_DEPTH
        found = [kernels(build(parse_spec(spec), "<e>", {}), "all", 8) for _, spec in family]
        # the same kernels each time (a hard-swish too is in the epilogue), their epilogue the act
        assert all([k.kind for k in f] == [k.kind for k in found[0]] for f in found)
        assert [f[0].epilogue for f in found] == ["relu", *EPILOGUES]
    # the grid's own convs carry a ReLU: the kinds are calibrated without an epilogue pass
    assert {kernels(build(parse_spec(spec), "<g>", {}), "all", 8)[0].epilogue
            for kind, spec in grid(8, "all") if kind.startswith("conv")} == {"relu"}


def test_epilogue_cost_is_the_median_difference_from_relu_per_output_element():
    # three convs writing 1,000, 2,000 and 4,000 elements; chunk 1 ran twice as slow
    # (its reference add took twice as long): its times are halved first
    def timed(act, index, plain, elements, chunk):
        return replace(_sample(f"epilogue:{act}:{index}", {"k": "Conv"}, plain, {"k": 1.0}),
                       outputs=elements, chunk=chunk)
    samples = [
        timed("relu", 0, 100.0, 1000, 0), timed("relu6", 0, 100.3, 1000, 0), timed("sigmoid", 0, 100.5, 1000, 0),
        timed("relu", 1, 400.0, 2000, 1), timed("relu6", 1, 400.8, 2000, 1), timed("sigmoid", 1, 398.0, 2000, 1),
        timed("relu", 2, 300.0, 4000, 0), timed("relu6", 2, 301.0, 4000, 0)]
    slowness = {0: 1.0, 1: 2.0}
    # relu6: 0.3, 0.2 (0.4 µs / 2,000 halved), 0.25 ns → 0.25; sigmoid: 0.5 and −0.5 → 0.0
    assert epilogue_ns(samples, slowness, runs=2) == {"relu6": pytest.approx(0.25), "sigmoid": 0.0}


def _at(c_in, c_out, positions):
    """φ of a 1×1 conv (the local correction reads C_in, C_out, positions, window, stride, groups)."""
    return shape_features("conv_pointwise", c_in * c_out * positions, (c_in, c_out, positions, 1, 1, 1))


def test_local_correction_is_its_neighbours_level_and_the_mean_far_from_all():
    # 5 rows at 16 → 96 on 112² with ln(t / roofline) = ln 3, 5 at 512 → 512 on 7² with 0
    thin = tuple(local_point(_at(16, 96, 12544))) + (float(np.log(3)),)
    wide = tuple(local_point(_at(512, 512, 49))) + (0.0,)
    rows = (thin,) * 5 + (wide,) * 5
    # at a row, the other cluster (|offset|² ≈ 43: weight e^-21.6 + 1e-6) barely counts
    assert local_correction(rows, _at(16, 96, 12544)) == pytest.approx(np.log(3), rel=1e-4)
    assert local_correction(rows, _at(512, 512, 49)) == pytest.approx(0.0, abs=1e-4)
    # far from both (C_in 1, C_out e^12), every row weighs the floor: the plain mean
    far = shape_features("conv_pointwise", 1, (1, int(np.exp(12)), 1, 1, 1, 1))
    assert local_correction(rows, far) == pytest.approx(np.log(3) / 2, rel=1e-3)


def test_local_correction_is_exact_for_a_symmetric_linear_neighbourhood():
    # residual 0.2 + 0.3 · (ln C_in − ln 64) at C_in = 64·e^±0.5, 64·e^±1 and 64: with the
    # offsets symmetric about the kernel, the intercept is 0.2 whatever the slope's penalty
    centre = local_point(_at(64, 64, 784))
    rows = tuple((centre[0] + d, *centre[1:], 0.2 + 0.3 * d) for d in (-1.0, -0.5, 0.0, 0.5, 1.0))
    assert local_correction(rows, _at(64, 64, 784)) == pytest.approx(0.2, abs=1e-9)


def test_a_local_correction_scales_its_kind_and_round_trips(tmp_path):
    # one row at MobileNetV1's first pointwise conv (32 → 64 on 112²) with ln 2: every
    # pointwise conv is the only row's level (ln 2, the floor's mean far away): twice the
    # roofline; the shape field is ignored when local rows exist
    row = tuple(local_point(_at(32, 64, 12544))) + (float(np.log(2)),)
    doubled = DeviceProfile("onnxruntime", "0", "synthetic", 1, "all", 10.0, {
        **synthetic().kinds, "conv_pointwise": Roofline(1.0, 1000.0, 0.0, (5.0,) + (0.0,) * 7, (row,))})
    network = analyze(V1).network
    for a, b in zip(predict(network, synthetic())[0], predict(network, doubled)[0]):
        factor = 2 if a.kernel.kind == "conv_pointwise" else 1
        assert b.time_us == pytest.approx(factor * a.time_us, rel=1e-9)
    path = tmp_path / "p.json"
    path.write_text(doubled.to_json())
    assert DeviceProfile.load(path) == doubled


@pytest.mark.parametrize("kind, local", [("conv_dense", [[1.0] * 6]), ("conv_dense", [[float("nan")] * 7]),
                                         ("conv_dense", [["x"] * 7]), ("conv_dense", [1.0]),
                                         ("activation", [[0.0] * 7])])
def test_a_bad_local_correction_is_refused(kind, local):
    data = json.loads(synthetic().to_json())
    data["kinds"][kind]["local"] = local
    with pytest.raises(ValueError, match=f"{kind}.local"):
        DeviceProfile.from_json(json.dumps(data))


def _residual_norm(second_reader):
    """Tokens 1×64×128, x + linear(x) (bias-free) then a layernorm; ``second_reader``: the sum
    is read again (by a second add) too."""
    layers = [{"name": "r", "op": "reshape", "shape": [1, 64, 128]},
              {"name": "fc", "op": "linear", "out": 128, "bias": False},
              {"name": "sum", "op": "add", "inputs": ["r", "fc"]},
              {"name": "ln", "op": "layernorm", "inputs": ["sum"]}]
    if second_reader:
        layers.append({"name": "again", "op": "add", "inputs": ["ln", "sum"]})
    return build(parse_spec({"model": "t", "input": [1, 64, 128], "layers": layers}), "<t>", {})


def test_a_token_sum_read_only_by_a_layernorm_fuses_into_it_with_optimizations_on():
    # onnxruntime's SkipLayerNormalization (MobileViT's optimized graphs: 224 kernels, as
    # costmodel now counts): reads both addends (2n), writes the normalized output (n), reads
    # γ and β (2·128); the sum itself is never written
    n = 64 * 128
    gemm = 4 * (n + n + 128 * 128)
    fused = kernels(_residual_norm(False), "all")
    assert [(k.kind, k.layers, k.bytes) for k in fused] == [
        ("gemm", ("fc",), gemm), ("sample_norm", ("sum", "ln"), 4 * (3 * n + 2 * 128))]
    # op by op, or when the sum is read again: the add and the layernorm apart
    assert [(k.kind, k.bytes) for k in kernels(_residual_norm(False), "none")] == [
        ("gemm", gemm), ("binary", 4 * 3 * n), ("sample_norm", 4 * (2 * n + 2 * 128))]
    assert [k.kind for k in kernels(_residual_norm(True), "all")] == [
        "gemm", "binary", "sample_norm", "binary"]


@pytest.mark.parametrize("channels, kind_on, calls_on", [(22, "conv_depthwise_plain", 22), (24, "conv_depthwise", 1)])
def test_a_depthwise_conv_not_run_blocked_is_a_plain_grouped_conv(channels, kind_on, calls_on):
    # NASNet's 22-channel depthwise convs: not a multiple of 4, so not NCHWc; onnxruntime runs
    # them as a grouped conv, one im2col and GEMM per channel (alone on the Xeon: 7×7/2 at
    # 28², 1.19 ms on and 1.26 ms off, against ~0.1 ms for a blocked one)
    spec = {"model": "d", "input": [channels, 56, 56], "layers": [
        {"name": "dw", "op": "conv_bn_act", "out": channels, "kernel": 7, "stride": 2, "depthwise": True}]}
    network = build(parse_spec(spec), "<d>", {})
    conv_on = next(k for k in kernels(network, "all") if k.kind != "reorder")
    assert (conv_on.kind, conv_on.calls) == (kind_on, calls_on)
    assert conv_on.shape == (channels, channels, 28 * 28, 49, 2, channels)
    conv_off = kernels(network, "none")[0]  # op by op every depthwise conv runs so
    assert (conv_off.kind, conv_off.calls) == ("conv_depthwise_plain", channels)


@pytest.mark.parametrize("optimize, former, per_group", [("all", "conv_grouped", True),
                                                         ("none", "conv_depthwise", False)])
def test_a_profile_older_than_the_plain_depthwise_kind_times_it_as_it_did(optimize, former, per_group):
    # profiles shipped before session 13 have no conv_depthwise_plain: such a conv is timed by
    # the kind it was then (a grouped conv paying its fixed cost per channel with
    # optimizations on, a depthwise conv paying it once op by op), not by `other`
    network = build(parse_spec({"model": "d", "input": [22, 28, 28], "layers": [
        {"name": "dw", "op": "conv_bn_act", "out": 22, "kernel": 3, "depthwise": True}]}), "<d>", {})
    kinds = {kind: Roofline(0.0, 1000.0, 0.0) for kind in KINDS if kind != "conv_depthwise_plain"}
    kinds[former] = Roofline(2.0, 500.0, 0.0)
    old = DeviceProfile("onnxruntime", "0", "synthetic", 1, optimize, 10.0, kinds)
    (conv,) = [k for k in kernels(network, optimize, old.nchwc_block) if k.kind == "conv_depthwise_plain"]
    maccs = 22 * 28 * 28 * 9
    assert conv.maccs == maccs
    assert old.kernel_us(conv) == pytest.approx(2.0 * (22 if per_group else 1) + maccs / 500)
    # a profile with the kind uses its own roofline, per channel
    new = DeviceProfile("onnxruntime", "0", "synthetic", 1, optimize, 10.0,
                        {**kinds, "conv_depthwise_plain": Roofline(1.0, 250.0, 0.0)})
    assert new.kernel_us(conv) == pytest.approx(22 * 1.0 + maccs / 250)


def test_a_depthwise_conv_writing_two_channels_per_input_runs_plain(tmp_path):
    # FastViT's downsampling: 48 → 96 channels in 48 groups (7×7/2); onnxruntime keeps it a
    # plain FusedConv (one GEMM per group), not the NCHWc depthwise kernel: in the network on
    # this EPYC 1.9 ms where the blocked roofline gave 0.25 ms
    network = build(parse_spec({"model": "d", "input": [48, 32, 32], "layers": [
        {"name": "c", "op": "conv2d", "out": 96, "kernel": 7, "stride": 2, "padding": 3, "groups": 48},
        {"name": "r", "op": "relu"}, {"name": "p", "op": "conv2d", "out": 96, "kernel": 1}]}), "<d>", {})
    assert [(k.kind, k.calls) for k in kernels(network, "all", 8)] == [
        ("conv_depthwise_plain", 48), ("conv_pointwise", 1), ("reorder", 1), ("reorder", 1)]
    assert [(node.op_type, node.domain) for node in _executed(network, "all", tmp_path)] == [
        ("FusedConv", "com.microsoft"), ("ReorderInput", "com.microsoft.nchwc"),
        ("Conv", "com.microsoft.nchwc"), ("ReorderOutput", "com.microsoft.nchwc")]


def test_a_layer_scale_after_a_conv_is_folded_into_it():
    # onnxruntime's Conv+Mul fusion (FastViT's, ConvNeXt's layer scales): conv, batchnorm,
    # layer scale and the residual add are one kernel with optimizations on; the folded
    # scale adds no bytes (the batchnorm's shift is a 32-element bias read)
    layers = [{"name": "c", "op": "conv2d", "out": 32, "kernel": 1}, {"name": "b", "op": "batchnorm"},
              {"name": "s", "op": "layer_scale"}, {"name": "a", "op": "add", "inputs": ["s", "input"]}]
    network = build(parse_spec({"model": "l", "input": [32, 8, 8], "layers": layers}), "<l>", {})
    conv = network.nodes["c"].cost.mem_access
    on = [k for k in kernels(network, "all", 8) if k.kind != "reorder"]
    assert [(k.layers, k.bytes) for k in on] == [(("c", "b", "s", "a"), 4 * (conv + 32 + 32 * 64))]
    assert [k.kind for k in kernels(network, "none", 8)] == ["conv_pointwise", "norm", "other", "binary"]


@pytest.mark.parametrize("fields", [{"mode": "nearest", "scale": 2}, {"mode": "bilinear", "scale": 2},
                                    {"mode": "nearest", "size": 16},
                                    {"mode": "bilinear", "size": 16, "align_corners": True}])
def test_a_resize_of_a_blocked_tensor_runs_blocked(fields, tmp_path):
    # onnxruntime 1.32 runs the resize between two NCHWc convs as an NCHWc Upsample (GhostNetV2's
    # DFC attention): no reorder around it, one in and one out of the three kernels
    network = build(parse_spec({"model": "r", "input": [32, 8, 8], "layers": [
        _conv("c", 32, 3), {"name": "r", "op": "resize", **fields}, _conv("d", 32, 3)]}), "<r>", {})
    assert [k.kind for k in kernels(network, "all", 8)] == [
        "conv_dense", "resample_nchwc", "conv_dense", "reorder", "reorder"]
    assert [node.op_type for node in _executed(network, "all", tmp_path)] == [
        "ReorderInput", "Conv", "Upsample", "Conv", "ReorderOutput"]


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_a_resize_by_a_fraction_runs_plain(mode, tmp_path):
    # NCHWc Upsample scales by whole factors only: GhostNetV2's DFC gate resized from 3² to 7²
    # (here 8² to 12²) is onnxruntime's plain Resize, its tensor reordered out and back in
    network = build(parse_spec({"model": "r", "input": [32, 8, 8], "layers": [
        _conv("c", 32, 3), {"name": "r", "op": "resize", "mode": mode, "size": 12}, _conv("d", 32, 3)]}), "<r>", {})
    assert [k.kind for k in kernels(network, "all", 8)] == ["conv_dense", "resample", "conv_dense"] + ["reorder"] * 4
    # each output element written once and its taps read: 4 for bilinear, 1 for nearest
    (resize,) = [k for k in kernels(network, "none", 8) if k.kind == "resample"]
    assert resize.bytes == 4 * 32 * 12 * 12 * ((4 if mode == "bilinear" else 1) + 1)
    assert [node.op_type for node in _executed(network, "all", tmp_path)] == [
        "ReorderInput", "Conv", "ReorderOutput", "Resize", "ReorderInput", "Conv", "ReorderOutput"]


@pytest.mark.parametrize("reduce_mean, reorders", [(False, 5), (True, 6)])
def test_a_mean_written_as_reduce_mean_runs_plain(reduce_mean, reorders, tmp_path):
    # squeeze-excitation with the average as GlobalAveragePool (torchvision) or as
    # x.mean((2, 3)), a ReduceMean (timm): onnxruntime runs the latter plain, so x is also
    # reordered out for it (timm's MobileNetV3, TinyNet, semnasnet: 8–19 reorders more)
    from costmodel.export import export_network
    from costmodel.importer import load_onnx

    network = build(parse_spec({"model": "se", "input": [32, 8, 8], "layers": [
        _conv("c", 32, 3), {"name": "p", "op": "global_avg_pool", "reduce_mean": reduce_mean},
        _conv("f", 32), {"name": "g", "op": "sigmoid"}, {"name": "m", "op": "mul", "inputs": ["c", "g"]},
        _conv("d", 32, 3)]}), "<se>", {})
    found = kernels(network, "all", nchwc_block())
    assert sum(k.kind == "reorder" for k in found) == reorders
    model = export_network(network).model
    assert ("ReduceMean" in [n.op_type for n in model.graph.node]) == reduce_mean
    ops = [node.op_type for node in _executed(network, "all", tmp_path, model)]
    assert (len(found) - reorders, reorders) == (
        sum(op not in ("ReorderInput", "ReorderOutput") for op in ops), sum(op.startswith("Reorder") for op in ops))
    # the import keeps how the mean was written
    source = tmp_path / "se.onnx"
    source.write_bytes(model.SerializeToString())
    imported = load_onnx(str(source))
    assert [layer.reduce_mean for layer in imported.layers if layer.op == "global_avg_pool"] == [reduce_mean]


EPILOGUE_ACTS = ["relu", "relu6", "hardswish", "hardsigmoid", "sigmoid", "leaky_relu", "none"]


def _random_network(rng):
    """A small seeded network of this session's patterns: convs with any epilogue activation,
    depthwise convs of one or two output channels per input channel, squeeze-excitation with
    its mean as GlobalAveragePool or ReduceMean, resizes by whole or fractional factors, layer
    scales after convs, GELU."""
    c = c0 = rng.choice([8, 16, 24, 32])
    side, layers = 8, []
    for i in range(rng.randint(2, 5)):
        choice = rng.choice(["conv", "dw", "dw2", "se", "resize", "scale", "gelu"])
        if choice == "conv":
            c = rng.choice([8, 16, 24, 32])
            layers.append({"name": f"c{i}", "op": "conv_bn_act", "out": c, "kernel": rng.choice([1, 3]),
                           "act": rng.choice(EPILOGUE_ACTS)})
        elif choice == "dw":
            layers.append({"name": f"c{i}", "op": "conv_bn_act", "out": c, "kernel": 3, "depthwise": True,
                           "act": rng.choice(EPILOGUE_ACTS)})
        elif choice == "dw2":
            layers.append(_conv(f"c{i}", 2 * c, 3, groups=c))
            c *= 2
        elif choice == "se":
            layers += [{"name": f"p{i}", "op": "global_avg_pool", "reduce_mean": rng.random() < 0.5},
                       _conv(f"f{i}", c), {"name": f"g{i}", "op": "sigmoid"},
                       {"name": f"m{i}", "op": "mul", "inputs": [layers[-1]["name"] if layers else "input", f"g{i}"]}]
        elif choice == "resize":
            size = rng.choice([2 * side, 3 * side // 2, side + 1])  # whole or fractional scales
            layers.append({"name": f"r{i}", "op": "resize", "mode": rng.choice(["nearest", "bilinear"]), "size": size})
            side = size
        elif choice == "gelu":  # one Gelu kernel, in the NCHWc layout
            layers.append({"name": f"g{i}", "op": "gelu"})
        else:
            layers += [_conv(f"c{i}", c), {"name": f"s{i}", "op": "layer_scale"}]
    return {"model": "r", "input": [c0, 8, 8], "layers": [*layers, _conv("last", 16, 3)]}


def test_kernel_counts_match_onnxruntime_on_random_networks(tmp_path):
    # differential: costmodel's kernel model against the graph onnxruntime saves, over 80
    # seeded networks mixing the fusion and layout rules (epilogues, channel multipliers,
    # ReduceMean, resize, layer scale) in random orders and widths
    import random

    for seed in range(80):
        network = build(parse_spec(_random_network(random.Random(seed))), f"<random {seed}>", {})
        ops = [node.op_type for node in _executed(network, "all", tmp_path)]
        found = kernels(network, "all", nchwc_block())
        assert (sum(k.kind != "reorder" for k in found), sum(k.kind == "reorder" for k in found)) == (
            sum(not op.startswith("Reorder") and op not in ("Reshape", "Flatten") for op in ops),
            sum(op.startswith("Reorder") for op in ops)), seed


def test_a_scaled_profile_predicts_every_kernel_that_many_times_as_slow():
    # benchmarks/normalize_profile.py: the machine in a state 1.25× as slow; the shape
    # corrections and local rows are ratios to the roofline and stay
    profile = synthetic()
    profile = replace(profile, node_us=0.7, epilogue_ns={"relu6": 0.2}, reference_us={"pointwise": 400.0},
                      kinds={**profile.kinds, "conv_pointwise": Roofline(1.0, 1000.0, 4000.0, (0.1, 0.0, 0.01, 0.0, 0.0, 0.0, -0.02, 0.0))})
    network = analyze(V1).network
    slower = profile.scaled(1.25, "slower")
    times, total = predict(network, profile)
    slow_times, slow_total = predict(network, slower)
    assert slow_total == pytest.approx(1.25 * total)
    assert [t.time_us for t in slow_times] == pytest.approx([1.25 * t.time_us for t in times])
    assert slower.reference_us == {"pointwise": 500.0} and slower.notes[-1] == "slower"
    assert DeviceProfile.from_json(slower.to_json()) == slower


@pytest.mark.parametrize("kind, former, optimize", [
    ("transpose_scattered", "copy", "all"), ("transpose_scattered", "copy", "none"),
    ("activation_erf", "activation_exp", "all"), ("resample", "other", "none"),
    ("resample_nchwc", "other", "all")])
def test_an_older_profile_times_a_newer_kind_as_it_did_once(kind, former, optimize):
    # session 13's kinds in a profile calibrated before them (the shipped Xeon and AVX-512
    # profiles): timed by the kind they were then, paying its fixed cost once
    kinds = {k: Roofline(0.0, 1000.0, 1000.0) for k in KINDS if k not in FORMER_KINDS}
    kinds[former] = Roofline(3.0, 0.0, 250.0)
    old = DeviceProfile("onnxruntime", "0", "synthetic", 1, optimize, 10.0, kinds)
    kernel = Kernel(("k",), kind, 0, 40_000, calls=512)
    assert old.kernel_us(kernel) == pytest.approx(3.0 + 40_000 / 250)


FORMER_KINDS = {"conv_depthwise_plain", "transpose_scattered", "activation_erf", "resample", "resample_nchwc"}
