"""``check`` at the edges: seeds, depth (finite activations), non-finite outputs, memory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from costmodel import check as check_module
from costmodel.check import MAX_CHECK_BYTES, check_network, estimate_bytes
from costmodel.cli import main
from costmodel.commands.check import BLAS_THREADS
from costmodel.errors import SpecError
from costmodel.graph import build
from costmodel.spec.load import load_spec, parse_spec
from tests.safety.files import assert_one_line_error, snapshot

ROOT = Path(__file__).resolve().parents[2]
TINY = "model: tiny\ninput: [3, 8, 8]\nlayers:\n  - {name: c, op: conv2d, out: 4, kernel: 3}\n"
# x + x per block: 2^n·x, past float32's 2^128 from n = 128 on
DOUBLING = ("model: doubling\nparams: {n: 300}\ninput: [2, 2, 2]\nblocks:\n  dbl:\n    layers:\n"
            "      - {op: add, inputs: [input, input]}\nlayers:\n  - {op: dbl, repeat: n}\n")
# conv-BN-ReLU plus identity: variances add per block (the overflow seen at ~3,000 blocks)
RESIDUAL = ("model: residual\nparams: {n: 600}\ninput: [4, 3, 3]\nblocks:\n  basic:\n    layers:\n"
            "      - {name: a, op: conv2d, out: 4, kernel: 3, padding: 1}\n"
            "      - {name: bn, op: batchnorm}\n      - {name: r, op: relu}\n"
            "      - {name: s, op: add, inputs: [input, r]}\nlayers:\n  - {op: basic, repeat: n}\n")


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    (tmp_path / "s.yaml").write_text(TINY)
    return tmp_path / "s.yaml"


SEED_COMMANDS = {
    "check": ["check", "s.yaml"],
    "transform": ["transform", "s.yaml", "--fold-bn", "--verify"],
    "export": ["export", "s.yaml", "-o", "m.onnx"],
    "measure": ["measure", "s.yaml"],
    "space": ["space", "s.yaml", "--sample", "2"],
    "calibrate": ["calibrate", "-o", "p.json"],
}
"""Every command with a --seed (one shared option: costmodel.commands.common.seed_option)."""


@pytest.mark.parametrize("seed", ["-1", "-9223372036854775808", str(2**64), str(10**30), "1.5", "x", ""])
@pytest.mark.parametrize("command", sorted(SEED_COMMANDS))
def test_bad_seed(tiny: Path, monkeypatch: pytest.MonkeyPatch, command: str, seed: str) -> None:
    """A seed outside 0 … 2⁶⁴ − 1 is one line naming the spec (calibrate has none: the
    command) and --seed, before any work; no file is written."""
    monkeypatch.chdir(tiny.parent)
    before = snapshot(tiny.parent)
    result = CliRunner().invoke(main, [*SEED_COMMANDS[command], "--seed", seed])
    line = assert_one_line_error(result, "calibrate" if command == "calibrate" else "s.yaml")
    assert "Invalid value for '--seed': " + (f"'{seed}'" if seed in ("1.5", "x", "") else seed) in line, line
    assert snapshot(tiny.parent) == before


@pytest.mark.parametrize("seed", [0, 1, 2**64 - 1])
def test_good_seed(tiny: Path, seed: int) -> None:
    result = CliRunner().invoke(main, ["check", str(tiny), "--seed", str(seed)])
    assert result.exit_code == 0 and f"seed {seed}): all 1 nodes agree" in result.stdout


@pytest.mark.parametrize("text", [DOUBLING, RESIDUAL], ids=["doubling", "residual"])
def test_deep_networks_stay_finite(text: str) -> None:
    # filterwarnings=error: a numpy overflow warning would fail this test
    network = build(parse_spec(yaml.safe_load(text)), "deep.yaml")
    result = check_network(network)
    assert result.ok
    assert np.isfinite(result.run.output).all() and np.abs(result.run.output).max() > 0


@pytest.mark.parametrize("size", [1, 7, 512, 4096])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sum_of_squares_proves_unit_scale_only_when_it_holds(size: int, dtype: type) -> None:
    # the fast path may only say "in [2⁻⁸, 2⁸] and finite" when the exact max/min agree
    rng = np.random.default_rng(size)
    for exponent in range(-14, 15):
        for draw in (rng.standard_normal(size), np.full(size, 1.0), rng.uniform(0, 1, size)):
            out = (draw * 2.0**exponent).astype(dtype)
            peak = float(np.abs(out).max())
            if check_module._surely_unit(out):
                assert 2.0**-8 <= peak <= 2.0**8, (exponent, peak)
    ones = np.ones((1, 8, 8, 8), dtype)
    assert check_module._surely_unit(ones)  # a unit-scale tensor takes the fast path
    assert check_module._surely_unit(ones.transpose(0, 2, 3, 1))  # in any axis order
    for poison in (np.nan, np.inf, -np.inf, np.finfo(dtype).max):
        out = ones.copy()
        out[0, 0, 0, 0] = poison
        with np.errstate(over="ignore", invalid="ignore"):  # as check_network runs it
            assert not check_module._surely_unit(out)
    assert not check_module._surely_unit(ones.astype(np.float16))  # too narrow to prove


def test_non_finite_activation_names_the_layer(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def poisoned(shape, seed=0, dtype=np.float32):
        x = np.ones(shape, dtype)
        x[0, 0, 0, 0] = np.nan
        return x

    monkeypatch.setattr(check_module, "random_input", poisoned)
    result = CliRunner().invoke(main, ["check", str(tiny)])
    assert_one_line_error(result, "s.yaml:4: layer 'c' (conv2d): activation is not finite (seed 0)")


@pytest.mark.parametrize("spec, resolution, figure", [
    ("specs/mobilenet_v2.yaml", 12000, "about 77.3 GiB"),
    # peak live at conv1.bn: its input and output, 2 × 64·2048² elements; params 11,689,512
    # and BN buffers 9,600 (torchvision's resnet18): 4 × (3·2·64·2048² + 11,689,512 + 9,600)
    ("specs/resnet18.yaml", 4096, f"about 6.04 GiB ({4 * (3 * 2 * 64 * 2048**2 + 11_689_512 + 9_600):,} bytes"),
])
def test_memory_estimate_refuses_with_the_figure(spec: str, resolution: int, figure: str) -> None:
    result = CliRunner().invoke(main, ["check", str(ROOT / spec), "--set", f"resolution={resolution}"])
    line = assert_one_line_error(result, f"{spec}: check would need {figure}")
    assert "above its limit of 1.00 GiB" in line


def test_memory_estimate_of_huge_weights(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("model: wide\ninput: [100000, 1, 1]\nlayers:\n"
                                     "  - {op: flatten}\n  - {op: linear, out: 100000}\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "s.yaml")])
    # 10^10 weights + 10^5 bias at 4 bytes ≈ 37.3 GiB
    assert_one_line_error(result, "s.yaml: check would need about 37.3 GiB")


def test_estimate_formula(tiny: Path) -> None:
    network = build(load_spec(tiny), str(tiny))
    # live peak: input 3·8·8 = 192 and output 4·6·6 = 144 together; params 4·3·3·3 = 108
    assert estimate_bytes(network, 4) == (3 * (192 + 144) + 108) * 4
    assert estimate_bytes(network, 4) < MAX_CHECK_BYTES


def test_memory_bound_decides_like_the_estimate(tmp_path: Path) -> None:
    # 400 ReLUs of 64·64·64 elements: every tensor live at once would be
    # 3 · 401 · 64³ · 4 bytes ≈ 1.18 GiB, over the limit; the peak (one input and one
    # output live) is 3 · 2 · 64³ · 4 bytes = 6 MiB, so check runs
    (tmp_path / "s.yaml").write_text("model: long\ninput: [64, 64, 64]\n"
                                     "layers:\n  - {op: relu, repeat: 400}\n")
    network = build(load_spec(tmp_path / "s.yaml"), str(tmp_path / "s.yaml"))
    assert check_module._every_tensor_bytes(network, 4) == 3 * 401 * 64**3 * 4 > MAX_CHECK_BYTES
    assert estimate_bytes(network, 4) == 3 * 2 * 64**3 * 4
    check_module.require_memory(network, "check")  # not refused: the exact estimate decides


def test_symbolic_or_bad_seed_from_python(tiny: Path) -> None:
    with pytest.raises(SpecError, match="--seed"):
        check_network(build(load_spec(tiny), str(tiny)), seed=-1)


@pytest.mark.parametrize("exported, expected", [(None, "1"), ("2", "2")])
def test_check_chooses_one_blas_thread_unless_exported(tiny: Path, exported: str | None,
                                                       expected: str) -> None:
    # numpy reads the variable when it loads, so only a fresh process shows the choice
    env = {k: v for k, v in os.environ.items() if k not in BLAS_THREADS}
    if exported is not None:
        env["OPENBLAS_NUM_THREADS"] = exported
    script = ("import os, sys; from costmodel.cli import main\n"
              "try:\n    main(['check', sys.argv[1]])\nexcept SystemExit as e:\n    assert not e.code\n"
              "print(os.environ['OPENBLAS_NUM_THREADS'])")
    run = subprocess.run([sys.executable, "-c", script, str(tiny)], env=env, capture_output=True,
                         text=True, check=True)
    assert run.stdout.splitlines()[-1] == expected
