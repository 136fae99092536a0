"""One finding per repeated pattern; time at stake; --statistics and --latency in the CLI."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from costmodel.cli import main
from costmodel.lint import LintOptions, lint_path
from tests.lint.test_rules import PROFILE

SPECS = Path(__file__).parents[2] / "specs"
FIXTURES = Path(__file__).parent / "fixtures"

# three repeats of an expansion block: the 1×1 8→48 conv is G1's (ratio 1.33 on 8×8, as in
# g1_bad), the ReLU on the 6× map G4's — one decision each, repeated three times
REPEATED = """\
model: repeated
input: [8, 8, 8]
blocks:
  expand:
    layers:
      - {name: up, op: conv2d, out: 48}
      - {name: act, op: relu}
      - {name: down, op: conv2d, out: 8}
layers:
  - {name: stage, op: expand, repeat: 3}
"""


def _spec(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "repeated.yaml"
    path.write_text(REPEATED + extra)
    return path


def test_repeats_are_one_finding_listing_every_layer(tmp_path: Path) -> None:
    path = _spec(tmp_path)
    each = lint_path(path, options=LintOptions(select=("G1",), per_layer=True))
    # up (8→48) and down (48→8) in each of the 3 repeats
    assert [f.layer for f in each] == [f"stage.{i}.{c}" for i in range(3) for c in ("up", "down")]
    grouped = lint_path(path, options=LintOptions(select=("G1",)))
    assert [f.instances for f in grouped] == [("stage.0.up", "stage.1.up", "stage.2.up"),
                                              ("stage.0.down", "stage.1.down", "stage.2.down")]
    assert [f.value for f in grouped] == [each[0].value, each[1].value]  # equal repeats: the first


def test_ignores_apply_before_grouping(tmp_path: Path) -> None:
    path = _spec(tmp_path, "lint:\n  ignore:\n    stage.0*: [G1]\n")
    (up, _) = lint_path(path, options=LintOptions(select=("G1",)))
    assert up.instances == ("stage.1.up", "stage.2.up")


def test_cli_statistics_counts_per_rule(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["lint", str(_spec(tmp_path)), "--statistics"])
    lines = result.output.splitlines()
    # G1: 2 findings standing for 6 layers; G4: 1 finding for the 3 blocks
    assert "    2 findings     6 layers  G1  unbalanced-pointwise-channels" in lines
    assert "    1 findings     3 layers  G4  elementwise-heavy" in lines
    assert "3 alike (stage.0.up … stage.2.up)" in result.output


def test_cli_latency_adds_time_and_rule_l1(tmp_path: Path) -> None:
    shipped = CliRunner().invoke(main, ["lint", str(SPECS / "mobilenet_v2.yaml"), "--latency"])
    assert shipped.exit_code == 1 and " predicted" in shipped.output
    profile = tmp_path / "device.json"
    profile.write_text(PROFILE.to_json())
    result = CliRunner().invoke(main, ["lint", str(FIXTURES / "l1_bad.yaml"), "--latency", str(profile)])
    # dw: 36864 maccs at 10 per µs = 3686.4 µs (see test_l1_shares_and_time_at_stake); op by op
    # a depthwise conv is MLAS's plain grouped conv, timed by this older profile's depthwise kind
    assert " dw L1 conv_depthwise_plain kernel: 93.4% of the predicted time for 12.3% of the maccs " \
           "(0.934 vs 0.37); 3.69 ms predicted" in result.output


def test_zoo_default_lint_is_a_few_findings_per_network() -> None:
    # issue 15: default lint on the zoo prints at most a few findings per network
    for path in sorted(SPECS.glob("*.yaml")):
        findings = lint_path(path)
        assert len(findings) <= 5, (path.name, [f"{f.code} {f.layer}" for f in findings])


def test_the_documented_lint_section_works(tmp_path: Path) -> None:
    docs = (Path(__file__).parents[2] / "docs" / "rules.md").read_text()
    section = docs.split("## The spec's `lint:` section")[1].split("```yaml\n")[1].split("```")[0]
    spec = tmp_path / "mobilenet_v2.yaml"
    spec.write_text((SPECS / "mobilenet_v2.yaml").read_text() + section)
    findings = {(f.code, f.layer): f for f in lint_path(spec)}
    # share 1/2 turns the model-level G4 check on (MobileNetV2's element-wise share is 0.607)
    assert findings["G4", "mobilenet_v2"].threshold == 0.5
    # features.1* is ignored for G4: features.1 and features.10+ do not exist, so the thick-map
    # finding covers features.2.0 … features.7 (16 blocks) as before
    thick = next(f for (code, layer), f in findings.items() if code == "G4" and layer != "mobilenet_v2")
    assert thick.instances[0] == "features.2.0" and len(thick.instances) == 16
    # G1 at ratio 1.3: projections 96→24 (1.248) pass, 144→24 (1.425) does not
    assert all(f.value > 1.3 for f in findings.values() if f.code == "G1")
