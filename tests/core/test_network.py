"""The Network owns its input (issue 10 item 3), and the arithmetic narrowing helpers the
typed ``Value`` needs (issue 10 item 7)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from costmodel.arith import integer, number
from costmodel.errors import SpecError
from costmodel.graph import INPUT, build
from costmodel.spec.load import parse_spec
from tests.core.helpers import analyze_layers


def test_the_network_owns_its_input_and_lists_its_ops_without_it() -> None:
    network = analyze_layers([{"name": "conv", "op": "conv2d", "out": 4, "kernel": 3, "padding": 1},
                              {"name": "act", "op": "relu"}]).network
    assert network.input.name == INPUT == "input"
    assert network.input_shape == (1, 3, 8, 8)
    assert [node.name for node in network.ops] == ["conv", "act"]
    assert list(network.nodes) == ["input", "conv", "act"]
    # the conv reads the input: 1·3·8·8 = 192 elements in, 4·8·8 = 256 out, 3·3·3·4 = 108 weights
    assert network.nodes["conv"].inputs == [(INPUT, 0)]
    assert network.nodes["conv"].cost.mem_access == 192 + 256 + 108


def test_a_symbolic_count_of_split_parts_is_a_structure_the_build_cannot_decide() -> None:
    spec = parse_spec({"model": "m", "params": {"p": 2}, "input": [8, 4, 4],
                       "layers": [{"name": "s", "op": "split", "parts": "p"},
                                  {"name": "c", "op": "concat", "inputs": ["s:0", "s:1"]}]})
    assert [node.name for node in build(spec).ops] == ["s", "c"]
    with pytest.raises(SpecError, match="cannot decide this layer's structure with p symbolic"):
        build(spec, symbolic=("p",))


def test_number_and_integer_narrow_exact_values() -> None:
    import sympy

    assert number(Fraction(6, 3)) == 2 and type(number(Fraction(6, 3))) is int
    assert number(Fraction(1, 2)) == Fraction(1, 2)
    assert number(sympy.Rational(3, 4)) == Fraction(3, 4)
    assert integer(sympy.Integer(7)) == 7 and type(integer(sympy.Integer(7))) is int
    with pytest.raises(TypeError):
        integer(Fraction(1, 2))
    with pytest.raises(TypeError):
        number(sympy.Symbol("alpha"))
