"""Peak activation memory on hand-computed chains and branching graphs."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from costmodel.analysis.peak_memory import (
    _Schedule,
    _segments,
    analyze_peak_memory,
    best_peak_memory,
    peak_memory,
)
from costmodel.errors import SpecError
from costmodel.graph import build
from costmodel.spec.load import parse_spec
from costmodel.spec.located_yaml import load_yaml

SPECS = Path(__file__).parents[2] / "specs"


def network(layers: str, input_: str = "[4, 8, 8]"):  # type: ignore[no-untyped-def]
    text = f"model: t\ninput: {input_}\nlayers:\n{layers}"
    return build(parse_spec(load_yaml("t.yaml", text), "t.yaml"), "t.yaml")


def test_chain() -> None:
    net = network("  - {name: a, op: conv2d, out: 8}\n  - {name: b, op: relu}\n"
                  "  - {name: c, op: conv2d, out: 2}\n  - {name: f, op: flatten}\n")
    peak = peak_memory(net)
    # input 4·64 = 256; a: 256 + 512 = 768 (then input freed); b: 512 + 512 = 1024;
    # c: 512 + 128 = 640; flatten is a view (no allocation)
    assert (peak.elements, peak.node) == (1024, "b")
    assert peak.bytes(4) == 4096


def test_add_writes_in_place_of_a_dying_input() -> None:
    layers = ("  - {name: a, op: conv2d, out: 8}\n  - {name: b, op: conv2d, out: 8}\n"
              "  - {name: c, op: OP, inputs: [a, b]}\n")
    # a: 256 + 512 = 768 → 512 live; b: 512 + 512 = 1024 (a still needed);
    # add reuses b's buffer: 1024 + 512 − 512 = 1024; mul allocates: 1024 + 512 = 1536
    assert (peak_memory(network(layers.replace("OP", "add"))).elements) == 1024
    mul = peak_memory(network(layers.replace("OP", "mul")))
    assert (mul.elements, mul.node) == (1536, "c")


BRANCHES = ("  - {name: a1, op: conv2d, inputs: input, out: 16}\n"
            "  - {name: b1, op: conv2d, inputs: input, out: 16}\n"
            "  - {name: a2, op: conv2d, inputs: a1, out: 1}\n"
            "  - {name: b2, op: conv2d, inputs: b1, out: 1}\n"
            "  - {name: cat, op: concat, inputs: [a2, b2]}\n")


def test_a_better_order_lowers_the_peak() -> None:
    net = network(BRANCHES)
    result = analyze_peak_memory(net)
    # spec order a1, b1, a2, b2: at b1, input 256 + a1 1024 + b1 1024 = 2304
    assert (result.spec.elements, result.spec.node) == (2304, "b1")
    # best: finish one branch first: a1 (256 + 1024), a2 (1280 + 64 = 1344, a1 freed → 320),
    # b1 (320 + 1024 = 1344, input freed), b2 (1088 + 64 = 1152), cat (128 + 128)
    assert result.best.elements == 1344 and result.exact
    assert result.best.order.index("a2") < result.best.order.index("b1")
    assert peak_memory(net, result.best.order).elements == 1344


def test_order_must_be_topological() -> None:
    with pytest.raises(ValueError):
        peak_memory(network(BRANCHES), ["input", "a2", "a1", "b1", "b2", "cat"])


def test_symbolic_sizes_are_refused() -> None:
    spec = parse_spec(load_yaml("s.yaml", "model: s\nparams: {r: 8}\ninput: [4, r, r]\n"
                                "layers:\n  - {op: conv2d, out: 8}\n"), "s.yaml")
    with pytest.raises(SpecError, match="numeric"):
        peak_memory(build(spec, "s.yaml", symbolic=("r",)))


@pytest.mark.parametrize("name", ["mobilenet_v2", "nasnet_a_mobile"])
def test_zoo_best_never_worse_and_heuristic_is_a_valid_order(name: str) -> None:
    path = SPECS / f"{name}.yaml"
    net = build(parse_spec(load_yaml(path), str(path)), str(path))
    result = analyze_peak_memory(net)
    assert result.best.elements <= result.spec.elements
    assert peak_memory(net, result.best.order).elements == result.best.elements
    greedy, exact = best_peak_memory(net, max_states=1)
    assert peak_memory(net, greedy.order).elements == greedy.elements <= result.spec.elements


def test_mobilenet_v2_peak_by_hand() -> None:
    net = build(parse_spec(load_yaml(SPECS / "mobilenet_v2.yaml"), "m.yaml"), "m.yaml")
    # features.2.0.expand.bn reads the 96×112×112 expansion and writes another
    assert peak_memory(net).elements == 2 * 96 * 112 * 112


def _random_network(seed: int, layers: int):  # type: ignore[no-untyped-def]
    """A random DAG of 1×1 convs and adds reading random earlier layers (named l0, l1, …)."""
    rng = random.Random(seed)
    text = ""
    for k in range(layers):
        sources = rng.sample(["input"] + [f"l{j}" for j in range(k)], min(k + 1, rng.randint(1, 2)))
        if len(sources) == 2:
            text += f"  - {{name: l{k}, op: add, inputs: [{sources[0]}, {sources[1]}]}}\n"
        else:
            text += f"  - {{name: l{k}, op: conv2d, out: 4, inputs: {sources[0]}}}\n"
    return network(text, "[4, 2, 2]")


UNREAD_IS_FINE = pytest.mark.filterwarnings("ignore::costmodel.errors.SpecWarning")
"""Random graphs have layers nobody reads; the build warns, and their tensors still count."""


@UNREAD_IS_FINE
@pytest.mark.parametrize("seed", range(40))
def test_cut_nodes_are_those_comparable_with_every_node(seed: int) -> None:
    # _segments finds cuts in linear time; here by definition, from the transitive closure
    net = _random_network(seed, 12)
    schedule = _Schedule(net)
    count = len(schedule.names)
    ancestors: list[set[int]] = []
    for i in range(count):
        ancestors.append(set().union(*([{j} | ancestors[j] for j in schedule.preds[i]] or [set()])))
    comparable = [len(ancestors[i]) + sum(i in ancestors[j] for j in range(count)) == count - 1
                  for i in range(count)]
    expected = [i for i in range(count) if comparable[i]]
    segments = _segments(schedule)
    assert [i for segment in segments for i in segment] == list(range(count))
    ends = [segment[-1] for segment in segments]
    assert all(comparable[end] for end in ends[:-1])
    assert [end for end in ends if comparable[end]] == expected


@UNREAD_IS_FINE
@pytest.mark.parametrize("seed", range(12))
def test_exact_search_finds_the_minimum_over_all_orders(seed: int) -> None:
    net = _random_network(seed, 7)
    schedule = _Schedule(net)
    best = min(peak_memory(net, [schedule.names[i] for i in order]).elements
               for order in itertools.permutations(range(len(schedule.names)))
               if all(order.index(j) < order.index(i) for i in order for j in schedule.preds[i]))
    result = analyze_peak_memory(net)
    assert (result.best.elements, result.search) == (best, "exact")


def test_a_spent_budget_keeps_the_spec_order_and_says_so() -> None:
    net = network(BRANCHES)
    result = analyze_peak_memory(net, budget=0)
    assert (result.best.elements, result.search, result.exact) == (2304, "spec order", False)
    greedy = analyze_peak_memory(net, max_states=1)
    assert (greedy.best.elements, greedy.search) == (1344, "greedy")
