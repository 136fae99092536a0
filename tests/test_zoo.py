"""Every spec at every variant: published figures within their rounding, or a reason that
docs/zoo.md explains; docs/zoo.md up to date; the JSON listing's shape."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.report.zoo_markdown import render_zoo_markdown
from costmodel.spec.load import load_spec
from costmodel.zoo import collect, published_figure, spec_paths, zoo_variants

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
CASES = [(path.name, variant.name) for path in spec_paths(SPECS)
         for variant in zoo_variants(load_spec(path))]


@pytest.fixture(scope="module")
def entries() -> dict[tuple[str, str], object]:
    # From the repository root, as `costmodel zoo` is run: docs/zoo.md names specs/x.yaml.
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        return {(Path(entry.spec).name, entry.name): entry for entry in collect("specs")}
    finally:
        os.chdir(previous)


@pytest.mark.parametrize("spec, variant", CASES)
def test_published_figures_within_rounding(entries, spec, variant):
    entry = entries[spec, variant]
    deviations = entry.deviations()
    unexplained = set(deviations) - set(entry.variant.reason)
    assert not unexplained, f"{variant}: count − published = {deviations}, no reason given"
    stale = set(entry.variant.reason) - set(deviations)
    assert not stale, f"{variant}: reason given for {stale}, but the count matches"


@pytest.mark.parametrize("spec, variant", CASES)
def test_reasons_are_explained_in_docs(entries, spec, variant):
    if entries[spec, variant].variant.reason:
        notes = "".join(p.read_text() for p in (ROOT / "docs/zoo_notes").glob("*.md"))
        assert variant in notes, f"{variant} has a reason but docs/zoo_notes/ never names it"


def test_docs_zoo_md_is_current(entries):
    expected = render_zoo_markdown(list(entries.values()), ROOT / "docs/zoo_notes")
    committed = (ROOT / "docs/zoo.md").read_text(encoding="utf-8")
    assert committed == expected, "docs/zoo.md is stale: run `costmodel zoo`"


def test_published_rounding():
    # "2.3e6": last digit is the 10⁵ place, so ± 0.5·10⁵.
    assert (published_figure("2.3e6").value, published_figure("2.3e6").tolerance) == (2300000, 50000)
    assert published_figure("0.145e9").tolerance == 500000
    assert published_figure(2278604).tolerance == published_figure("2278604").tolerance == 0.5


def test_json_lists_every_variant(tmp_path):
    result = CliRunner().invoke(main, ["zoo", "--specs", str(SPECS), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(Path(d["spec"]).name, d["variant"]) for d in data] == CASES
    v2 = next(d for d in data if d["variant"] == "shufflenet_v2_x1_0")
    assert set(v2) >= {"spec", "bindings", "totals", "published"}
    assert v2["totals"]["maccs"] == 144907992  # torchvision shufflenet_v2_x1_0
    assert v2["published"]["params"] == {"value": 2278604, "tolerance": "1/2", "text": "2278604"}


def test_check_flag_reports_stale(tmp_path):
    out = tmp_path / "zoo.md"
    out.write_text("old\n")
    args = ["zoo", "--specs", str(SPECS), "--notes", str(ROOT / "docs/zoo_notes"), "--output", str(out)]
    assert CliRunner().invoke(main, [*args, "--check"]).exit_code == 1
    assert CliRunner().invoke(main, args).exit_code == 0
    assert CliRunner().invoke(main, [*args, "--check"]).exit_code == 0
