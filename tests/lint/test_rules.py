"""Each rule: a fixture that triggers it and one that does not; exact thresholds."""

from __future__ import annotations

from contextlib import nullcontext
from fractions import Fraction
from pathlib import Path

import pytest

from costmodel.errors import SpecWarning
from costmodel.latency.model import DeviceProfile, Roofline
from costmodel.lint import RULES, LintOptions, lint_path

FIXTURES = Path(__file__).parent / "fixtures"

# a synthetic device: 1×1 convs at 1000 maccs/µs, depthwise at 10, everything else free
PROFILE = DeviceProfile("test", "0", "none", 1, "none", 0.0,
                        {"conv_pointwise": Roofline(0.0, 1000.0, 0.0),
                         "conv_depthwise": Roofline(0.0, 10.0, 0.0),
                         "other": Roofline(0.0, 0.0, 0.0)})


def codes(name: str, code: str, **options: object) -> list:
    # d5_bad has an output nothing reads: building it warns (and D5 reports it)
    if code == "L1":  # the latency rule needs a profile
        options = {"profile": PROFILE, **options}
    with pytest.warns(SpecWarning, match="never read") if name == "d5_bad" else nullcontext():
        findings = lint_path(FIXTURES / f"{name}.yaml", options=LintOptions(select=(code,), **options))
    return [f for f in findings if f.code == code]


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_a_bad_and_a_good_fixture(code: str) -> None:
    stem = code.lower()
    assert codes(f"{stem}_bad", code), f"{stem}_bad.yaml should trigger {code}"
    assert not codes(f"{stem}_good", code), f"{stem}_good.yaml should not trigger {code}"


def test_g1_value_is_the_ratio_to_the_bound() -> None:
    (finding,) = codes("g1_bad", "G1")
    # 16→96 on 8×8: MAC = 64·(16+96) + 16·96 = 8704; bound = 2·64·√1536 + 1536
    assert finding.value == pytest.approx(8704 / (128 * 1536 ** 0.5 + 1536))
    assert finding.line == 4 and finding.layer == "widen"


def test_g1_compares_exactly_at_the_boundary(tmp_path: Path) -> None:
    # 4→16 on 1×1: MAC = 1·20 + 64 = 84, bound = 2·1·√64 + 64 = 80: ratio exactly 21/20
    spec = tmp_path / "edge.yaml"
    spec.write_text("model: edge\ninput: [4, 1, 1]\nlayers:\n  - {op: conv2d, out: 16}\n")
    at = LintOptions(select=("G1",), overrides={"G1": {"ratio": Fraction(21, 20)}})
    below = LintOptions(select=("G1",), overrides={"G1": {"ratio": Fraction(41, 40)}})
    assert lint_path(spec, options=at) == []
    assert [f.code for f in lint_path(spec, options=below)] == ["G1"]


def test_g2_value_is_an_exact_fraction() -> None:
    (finding,) = codes("g2_bad", "G2")
    # grouped: 64·12 + 64·48 + 12·48/3 = 4032; dense with 48/3 outputs: 768 + 64·16 + 192 = 1984
    assert finding.value == Fraction(4032, 1984)


def test_g3_counts_series_and_parallel() -> None:
    (finding,) = codes("g3_bad", "G3")
    # conv a, conv b and the pool run side by side (3), the concat after them: 4 kernels, 2 deep
    assert (finding.value, finding.threshold) == (3, 2)
    assert "4 kernels, 2 in series, 3 in parallel" in finding.message


def test_g4_thick_map_and_fusion() -> None:
    thick = [f for f in codes("g4_bad", "G4") if "nonlinearities" in f.message]
    assert [f.value for f in thick] == [Fraction(48, 8)]  # ReLU on 48 channels, block 8 in/out
    # folded into the conv by a runtime, the ReLU moves no memory: no thick-map finding
    folded = codes("g4_bad", "G4", fuse="conv-bn-act")
    assert not [f for f in folded if "nonlinearities" in f.message]


def test_d4_budget_from_the_spec_and_from_options() -> None:
    (finding,) = codes("d4_bad", "D4")
    # peak: relu step, 512 live + 512 written = 1024 elements = 4096 bytes at fp32
    assert (finding.value, finding.threshold, finding.layer) == (4096, 3072, "b")
    assert codes("d4_good", "D4", overrides={"D4": {"budget": 4095}})
    assert not codes("d4_good", "D4", dtype_bytes=1)


def test_selection_by_prefix_longest_wins() -> None:
    path = FIXTURES / "g2_bad.yaml"
    assert {f.code for f in lint_path(path)} >= {"G1", "G2"}
    only_g2 = lint_path(path, options=LintOptions(select=("G",), ignore=("G1",)))
    assert {f.code for f in only_g2} == {"G2"}
    back = lint_path(path, options=LintOptions(select=("G1",), ignore=("G",)))
    assert {f.code for f in back} == {"G1"}


def test_spec_ignores_per_layer(tmp_path: Path) -> None:
    text = (FIXTURES / "g2_bad.yaml").read_text() + "lint:\n  ignore:\n    gcon*: [G2]\n"
    spec = tmp_path / "ignored.yaml"
    spec.write_text(text)
    assert {f.code for f in lint_path(spec, options=LintOptions(select=("G",)))} == {"G1"}


def test_l1_shares_and_time_at_stake() -> None:
    (finding,) = codes("l1_bad", "L1")
    # pw: 64·64·64 = 262144 maccs / 1000 = 262.144 µs; dw: 64·64·9 = 36864 maccs / 10 = 3686.4 µs
    assert finding.layer == "dw"
    assert finding.value == pytest.approx(3686.4 / (262.144 + 3686.4))
    assert finding.threshold == pytest.approx(3 * 36864 / (262144 + 36864))
    assert finding.time_us == pytest.approx(3686.4)
    assert not codes("l1_bad", "L1", profile=None)  # no profile, no prediction: nothing to say


def test_default_set_leaves_opt_in_rules_out() -> None:
    # n2_bad triggers N2 (opt-in) only when named
    path = FIXTURES / "n2_bad.yaml"
    assert "N2" not in {f.code for f in lint_path(path)}
    assert "N2" in {f.code for f in lint_path(path, options=LintOptions(extend_select=("N2",)))}
    assert {code for code, rule in RULES.items() if not rule.default} == {"N2", "D1", "D3"}
