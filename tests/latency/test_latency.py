"""Latency: kernel grouping, the roofline fit, prediction from a synthetic profile, a tiny
calibration and `report --latency`."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from costmodel.api import analyze
from costmodel.cli import main
from costmodel.graph import build
from costmodel.latency.calibrate import GRIDS, calibrate, grid
from costmodel.latency.kernels import KINDS, kernels
from costmodel.latency.model import DEFAULT_PROFILE, DeviceProfile, Roofline, fit_roofline, predict
from costmodel.spec.load import parse_spec

V1 = "specs/mobilenet_v1.yaml"


def synthetic(optimize="all", overhead=1.0):
    """Every kind: overhead µs + maccs / 1000 (compute-bound, memory never binding)."""
    return DeviceProfile("onnxruntime", "0", "synthetic", 1, optimize, 10.0,
                         {kind: Roofline(overhead, 1000.0, 0.0) for kind in KINDS})


def test_mobilenet_v1_kernels_fused_and_op_by_op():
    network = analyze(V1).network
    fused = kernels(network, "all")
    # 1 stem + 13 × (depthwise, pointwise) conv+BN+ReLU, the global pool, fc (flatten is free)
    assert len(fused) == 1 + 26 + 2
    kinds = [k.kind for k in fused]
    assert kinds.count("conv_depthwise") == 13 and kinds.count("conv_pointwise") == 13
    assert kinds.count("conv_dense") == 1 and kinds[-2:] == ["global_pool", "fully_connected"]
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
    # session 10 µs + 29 kernels × 1 µs + every macc (convs and fc only) at 1000 per µs
    assert total == pytest.approx(10 + 29 + analysis.totals.maccs / 1000)
    assert len(times) == 29


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


@pytest.mark.parametrize("optimize", ["all", "none"])
def test_every_grid_point_is_one_kernel_of_its_kind(optimize):
    points = grid(8, optimize, seed=3)
    assert {kind for kind, _ in points} == set(GRIDS) - ({"norm"} if optimize == "all" else set())
    for kind, spec in points:
        found = kernels(build(parse_spec(spec), "<grid>", {}), optimize)
        assert [k.kind for k in found] == [kind], spec


def test_tiny_calibration_round_trips_as_json():
    profile, points = calibrate(2, rounds=1, runs=1)
    assert len(points) == 2 * (len(GRIDS) - 1) and profile.grid_points == len(points)
    assert set(profile.kinds) == set(GRIDS) - {"norm"} | {"other"}
    assert profile.threads == 1 and profile.optimize == "all" and profile.session_us > 0
    assert DeviceProfile.from_json(profile.to_json()) == profile


def test_shipped_profile_loads_for_both_levels():
    assert DeviceProfile.load(DEFAULT_PROFILE).optimize == "all"
    noopt = DEFAULT_PROFILE.with_name(DEFAULT_PROFILE.stem + "-noopt.json")
    assert DeviceProfile.load(noopt).optimize == "none"


def test_report_latency_cli(tmp_path):
    path = tmp_path / "device.json"
    path.write_text(synthetic().to_json())
    result = CliRunner().invoke(main, ["report", V1, "--latency", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total_us"] == pytest.approx(10 + 29 + analyze(V1).totals.maccs / 1000, abs=1e-3)
    default = CliRunner().invoke(main, ["report", V1, "--latency"])
    assert default.exit_code == 0 and "device-specific" in default.output


def test_report_latency_bad_profile_is_one_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{}")
    result = CliRunner().invoke(main, ["report", V1, "--latency", str(path)])
    assert result.exit_code == 2
    assert "cannot read a device profile" in result.output
