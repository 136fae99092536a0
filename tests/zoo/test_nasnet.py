"""NASNet-A Mobile (specs/nasnet_a_mobile.yaml) against Cadene's NASNetAMobile.

Reference: Cadene/pretrained-models.pytorch (PyPI pretrainedmodels 0.7.4),
pretrainedmodels/models/nasnet_mobile.py, nasnetamobile(num_classes=1000), measured by
tools/reference_counts.py (forward hooks on Conv2d/Linear, cross-checked with
torch.utils.flop_counter; recorded in tools/reference_counts.json, nasnet_a_mobile):
5,289,978 params, 568,234,858 MACCs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from costmodel import analyze

SPEC = Path(__file__).resolve().parents[2] / "specs" / "nasnet_a_mobile.yaml"
CADENE_PARAMS = 5_289_978
CADENE_MACCS = 568_234_858
SEP_KERNELS = (5, 7, 7, 5, 3)  # pad-and-crop branches of a reduction cell: 0L, 0R, 1R, 2R, 4L


def _pad_and_crop_overhead(channels: int, size: int) -> int:
    """Cadene pads each pad-and-crop branch by one row and column before `separable_1` and
    crops after it, so separable_1's depthwise k×k and pointwise C→C both run on (H+1)²."""
    extra = (size + 1) ** 2 - size**2
    return extra * channels * sum(k * k for k in SEP_KERNELS) + extra * len(SEP_KERNELS) * channels**2


# cell_stem_1 (22 channels at 28²), reduction_cell_0 (88 at 14²), reduction_cell_1 (176 at 7²).
# Depthwise part 196,878 + 400,664 + 414,480 = 1,012,022; pointwise part 137,940 + 1,122,880
# + 2,323,200 = 3,584,020, which an earlier measurement's 567,222,836 (568,234,858 − the
# depthwise part) left in.
OVERHEAD = sum(_pad_and_crop_overhead(c, h) for c, h in ((22, 28), (88, 14), (176, 7)))


@pytest.fixture(scope="module")
def result():
    return analyze(SPEC)


def test_exact_counts_vs_cadene_without_pad_and_crop(result):
    assert OVERHEAD == 1_012_022 + 3_584_020
    assert (result.totals.params, result.totals.maccs) == (CADENE_PARAMS, CADENE_MACCS - OVERHEAD)
    assert result.totals.maccs == 563_638_816


def test_normal_cell_maccs_by_hand(result):
    # cell_1: f = 44 at 28², x = cell_0 (264 ch), x_prev = cell_stem_1 (88 ch).
    # Two 1×1 projections, then five separable ops (k = 5, 3, 5, 3, 3) applied twice:
    # each application is a depthwise k×k plus a pointwise 44→44.
    hw, f = 28 * 28, 44
    projections = hw * f * (88 + 264)
    separables = 2 * sum(hw * f * k * k + hw * f * f for k in (5, 3, 5, 3, 3))
    assert result.by_block()["cell_1"].maccs == projections + separables


def test_head_is_cadene_linear(result):
    # ReLU → AvgPool 7 → Linear(24·44 = 1056 → 1000) with bias.
    assert result.by_block()["last_linear"].params == 1056 * 1000 + 1000


def test_cell_structure(result):
    frag = result.fragmentation()
    # normal cell: 2 projections (ReLU, 1×1, BN) + 5 separable ops of 8 kernels
    # (ReLU, dw, pw, BN, ReLU, dw, pw, BN) + 3 avg-pools + 5 adds + 1 concat = 55.
    for cell in ("cell_1", "cell_2", "cell_3", "cell_7", "cell_8", "cell_9", "cell_13",
                 "cell_14", "cell_15"):
        assert frag[cell].kernels == 2 * 3 + 5 * 8 + 3 + 5 + 1 == 55
        # Right after the projections, the 5 separable branches and 3 pools start together.
        assert frag[cell].parallel == 5 + 3
    # first cell: the factorized reduction (ReLU, 2 pools, 2 convs, concat, BN) replaces
    # one projection: 55 − 3 + 7.
    assert all(frag[c].kernels == 59 for c in ("cell_0", "cell_6", "cell_12"))
    # reduction cell: 2 projections + 5 separable ops + 2 max + 2 avg pools + 5 adds + concat.
    assert all(frag[c].kernels == 6 + 40 + 4 + 5 + 1 == 56
               for c in ("reduction_cell_0", "reduction_cell_1"))
    assert frag["cell_stem_0"].kernels == 56 - 3  # one projection: the raw stem feeds the seps
    assert frag["cell_stem_1"].kernels == 56 - 3 + 7  # factorized path for conv0


def test_cell_widths_and_resolutions(result):
    # Outputs: reductions 4·f, normal cells 6·f; 224 → 111 (VALID conv0) → 56 → 28 → 14 → 7.
    shapes = {name: node.outputs[0] for name, node in result.network.nodes.items()}
    assert shapes["conv0.bn"] == (1, 32, 111, 111)
    assert shapes["cell_stem_0.ops.cat"] == (1, 44, 56, 56)
    assert shapes["cell_stem_1.ops.cat"] == (1, 88, 28, 28)
    assert shapes["cell_3.ops.cat"] == (1, 264, 28, 28)
    assert shapes["reduction_cell_0.ops.cat"] == (1, 352, 14, 14)
    assert shapes["cell_9.ops.cat"] == (1, 528, 14, 14)
    assert shapes["reduction_cell_1.ops.cat"] == (1, 704, 7, 7)
    assert shapes["cell_15.ops.cat"] == (1, 1056, 7, 7)


def test_cells_take_two_inputs(result):
    graph = result.network.graph
    # cell_1's x_prev projection reads cell_stem_1's output, its x projection cell_0's.
    assert set(graph.predecessors("cell_1.conv_prev_1x1.relu")) == {"cell_stem_1.ops.cat"}
    assert set(graph.predecessors("cell_1.conv_1x1.relu")) == {"cell_0.ops.cat"}
