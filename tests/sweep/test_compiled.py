"""The compiled path equals per-point exact evaluation (``costmodel.analyze``)."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import costmodel
from costmodel.analysis.sweep import TOTAL_KEYS

SPECS = Path(__file__).resolve().parents[2] / "specs"
V1, V2 = SPECS / "mobilenet_v1.yaml", SPECS / "mobilenet_v2.yaml"


def _assert_matches_analyze(spec, result, samples, seed=0):
    rng = random.Random(seed)
    names = result.names
    for _ in range(samples):
        index = tuple(rng.randrange(len(result.axes[n])) for n in names)
        bindings = {n: result.axes[n][i] for n, i in zip(names, index)}
        totals = costmodel.analyze(spec, **bindings).totals.as_dict()
        for key in ("params", "maccs", "mem_access", "elementwise", "fragments", "buffers"):
            assert int(result.totals[key][index]) == totals[key], (key, bindings)
        assert int(result.totals["mem_access_bytes"][index]) == 4 * totals["mem_access"]


def test_mobilenet_v2_compiled_at_sampled_points():
    # α with awkward roundings (0.35, 0.45, …) and odd resolutions (97 → 49 → 25 …).
    alphas = [Fraction(a, 100) for a in range(35, 141, 5)]
    resolutions = [96, 97, 128, 161, 192, 223, 224, 225]
    result = costmodel.sweep(V2, alpha=alphas, resolution=resolutions, method="compiled")
    assert result.method == "compiled" and result.exact_points == 0
    _assert_matches_analyze(V2, result, samples=12)


def test_structural_difference_is_a_second_compiled_variant():
    # At α = 1/4, make_divisible(32α) = make_divisible(16α) = 8, so features.1 gains a
    # residual add that the default symbolic build (different expressions) does not have:
    # its recorded assumption fails there and a build with the add forced covers α = 1/4.
    alphas = [Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), 1]
    resolutions = list(range(96, 225, 8))
    result = costmodel.sweep(V2, alpha=alphas, resolution=resolutions, method="compiled")
    assert (result.exact_points, result.variants) == (0, 2)
    network = costmodel.analyze(V2, alpha=Fraction(1, 4)).network
    assert "features.1.add" in network.nodes
    for j, r in enumerate(resolutions[:3]):
        expected = costmodel.analyze(V2, alpha=Fraction(1, 4), resolution=r).totals
        assert int(result.totals["elementwise"][0, j]) == expected.elementwise
        assert int(result.totals["fragments"][0, j]) == expected.fragments


def test_compiled_and_exact_methods_agree_on_mobilenet_v1():
    axes = {"alpha": ["0.25", "0.3", "0.5", "0.75", "1"], "resolution": [128, 130, 160, 224]}
    exact = costmodel.sweep(V1, method="exact", **axes)
    compiled = costmodel.sweep(V1, method="compiled", **axes)
    for key in TOTAL_KEYS:
        assert exact.totals[key].tolist() == compiled.totals[key].tolist()


def test_three_parameters_and_fixed_bindings():
    result = costmodel.sweep(V1, method="compiled", alpha=["0.5", "1"], resolution=[160, 224],
                             classes=[10, 1000])
    assert result.totals["maccs"].shape == (2, 2, 2)
    _assert_matches_analyze(V1, result, samples=4)
    fixed = costmodel.sweep(V1, alpha=["0.5", "1"], fixed={"classes": 10})
    # the classifier shrinks by 1024α·990 weights and 990 biases (α = 1)
    assert int(fixed.totals["params"][1]) == 4231976 - (1024 * 990 + 990)
    assert fixed.baseline["params"] == 4231976 - (1024 * 990 + 990)


def test_records_keep_the_report_keys():
    result = costmodel.sweep(V1, alpha=["0.5"])
    (record,) = result.records()
    assert record["bindings"] == {"alpha": "1/2"}
    assert set(record["totals"]) == set(TOTAL_KEYS)
