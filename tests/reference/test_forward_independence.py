"""The reference forward never reads a node's analytic cost or inferred output shapes, and
every registered op can be executed."""

import copy

import pytest

from costmodel.check import measured_values
from costmodel.ops import OPS
from costmodel.reference.forward import RUNNERS, forward, random_input

from .test_zoo_check import SPECS, small_network


class Poison:
    """Raises on any use: attribute, iteration, indexing, comparison, truth, arithmetic."""

    def _refuse(self, *args, **kwargs):
        raise AssertionError("the reference forward read an analytic value")

    __getattr__ = __iter__ = __getitem__ = __len__ = __bool__ = __eq__ = _refuse
    __add__ = __radd__ = __mul__ = __rmul__ = __int__ = __index__ = _refuse
    __hash__ = None


def measurements(network, x):
    run = forward(network, x, seed=3)
    return {name: measured_values(node) for name, node in run.nodes.items()}, run.output


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_forward_ignores_cost_and_outputs(path):
    network = small_network(path, {})
    x = random_input(network.nodes["input"].outputs[0], seed=3)
    expected, expected_output = measurements(network, x)
    poisoned = copy.copy(network)
    poisoned.nodes = {name: copy.copy(node) for name, node in network.nodes.items()}
    for node in poisoned.nodes.values():
        node.cost, node.outputs = Poison(), Poison()
    got, output = measurements(poisoned, x)
    assert expected == got
    assert (expected_output == output).all()


def test_every_op_has_a_runner():
    assert sorted(OPS) == sorted(RUNNERS)
