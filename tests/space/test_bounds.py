"""A search space is bounded before it costs time or memory (hostile corpus, session 7): too
many parameter combinations, slot analyses or edges are one located line, exit 2; the
distribution's arrays are kept under MAX_GRID_CELLS by a coarser grid whose bounds stay
exact. (A 1,000 × 1,000 width × resolution grid ran past 10 s of CPU; 2,000 copies of a
stage filled 1.9 GB of grids, a MemoryError.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.errors import SpecError
from costmodel.space import distribution
from costmodel.space.graph import build_space
from costmodel.space.stats import SpaceStats
from costmodel.spec.load import parse_spec
from tests.space.small import SMALL

HEAD = ("model: s\nparams: {{width: {{default: 1, min: 0.01, max: 10}}, resolution: {{default: 32, min: 8, "
        "max: 4096}}}}\n{choices}input: [3, resolution, resolution]\nlayers:\n"
        "  - {{name: stem, op: conv_bn_act, out: 'make_divisible(16 * width, 8)', kernel: 3, stride: 2}}\n")


def _run(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    path = tmp_path / "sp.yaml"
    path.write_text(text)
    done = CliRunner().invoke(main, ["space", str(path)])
    return done.exit_code, done.output.splitlines()


def test_too_many_parameter_combinations(tmp_path: Path) -> None:
    widths = ", ".join(f"0.{i:02d}" for i in range(10, 60))
    resolutions = ", ".join(str(r) for r in range(32, 72))
    code, lines = _run(tmp_path, HEAD.format(choices=f"choices: {{width: [{widths}], resolution: [{resolutions}]}}\n")
                       + "  - {name: s1, op: mbconv, out: 16, choices: {kernel: [3, 5]}}\n")
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith(f"error: {tmp_path / 'sp.yaml'}: ")
    assert "make 2,000 combinations" in lines[0] and "MAX_SPACE_GRAPHS" in lines[0]


@pytest.mark.parametrize(("layer", "limit"), [
    # 300 stages of 9 options on 2 copies kinds: 5,400 analyses
    ("".join(f"  - {{name: s{i}, op: mbconv, out: 16, expansion: 3, repeat: 2, "
             f"choices: {{kernel: [3, 5, 7], expansion: [2, 3, 4]}}}}\n" for i in range(300)), "MAX_SPACE_COSTINGS"),
    # one stage of depth up to 4,000: 4,000 copies × 2 options, cached, but 8,000 + … edges each shape
    ("  - {name: s, op: mbconv, out: 16, repeat: 4000, choices: {repeat: [1, 4000], kernel: [3, 5, 7, 9, 11, 13, 15, 17]}}\n",
     "MAX_SPACE_EDGES"),
])
def test_too_much_work_is_refused_before_it_is_done(tmp_path: Path, layer: str, limit: str) -> None:
    code, lines = _run(tmp_path, HEAD.format(choices="") + layer)
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith(f"error: {tmp_path / 'sp.yaml'}: the space needs more than")
    assert limit in lines[0]


def test_the_grid_is_coarsened_to_fit_its_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for few cells the grid gets coarser (slack > 0), and every count stays
    between its exact bounds: the totals are those of the exact grid."""
    exact = SpaceStats(build_space(parse_spec(SMALL)), max_bins=1 << 20).distribution("maccs")
    assert exact is not None and exact.exact
    monkeypatch.setattr(distribution, "MAX_GRID_CELLS", 2_000)
    coarse = SpaceStats(build_space(parse_spec(SMALL)), max_bins=1 << 20).distribution("maccs")
    assert coarse is not None and not coarse.exact and coarse.step > exact.step
    assert coarse.total == exact.total == 280
    for value in range(exact.start * exact.step, (exact.start + len(exact.residues)) * exact.step, exact.step * 7):
        surely, possibly = coarse.at_most(value)
        assert surely <= exact.at_most(value)[0] <= possibly


def test_no_room_even_for_one_bin_a_node(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(distribution, "MAX_GRID_CELLS", 10)
    stats = SpaceStats(build_space(parse_spec(SMALL), "small.yaml"))
    with pytest.raises(SpecError, match="MAX_GRID_CELLS") as error:
        stats.distribution("maccs")
    assert str(error.value).startswith("small.yaml: ")

