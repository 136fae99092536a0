import numpy as np
import pytest

from costmodel.reference import Counts, Meter

RNG = np.random.default_rng(0)


def test_load_and_store_count_whole_tensors():
    meter = Meter()
    x = np.zeros((2, 3, 4, 5))
    assert meter.load(x) is x
    meter.store(np.zeros((2, 7)))
    assert 2 * 3 * 4 * 5 == meter.reads  # n·c·h·w
    assert 2 * 7 == meter.writes
    assert 2 * 3 * 4 * 5 + 2 * 7 == meter.mem_access
    assert 0 == meter.maccs == meter.elementwise


@pytest.mark.parametrize(
    ("subscripts", "a_shape", "b_shape", "maccs"),
    [
        ("ik,kj->ij", (2, 3), (3, 4), 2 * 3 * 4),  # i·k·j
        ("ik,kj->ji", (2, 3), (3, 4), 2 * 3 * 4),  # output order is free
        ("bik,bkj->bij", (5, 2, 3), (5, 3, 4), 5 * 2 * 3 * 4),  # batch b·i·k·j
        ("bik,bkj->jbi", (5, 2, 3), (5, 3, 4), 5 * 2 * 3 * 4),
        ("abk,kc->cab", (2, 3, 4), (4, 5), 2 * 3 * 4 * 5),  # two free indices on one side
        ("nchw,c->nchw", (2, 3, 4, 5), (3,), 2 * 3 * 4 * 5),  # per-channel scale: no sum
        ("ij,k->kji", (2, 3), (4,), 2 * 3 * 4),  # outer product
        ("i,i->", (6,), (6,), 6),  # dot product
    ],
)
def test_contract_matches_einsum_and_counts_iteration_space(subscripts, a_shape, b_shape, maccs):
    a, b = RNG.standard_normal(a_shape), RNG.standard_normal(b_shape)
    meter = Meter()
    np.testing.assert_allclose(meter.contract(subscripts, a, b), np.einsum(subscripts, a, b))
    assert maccs == meter.maccs
    assert 0 == meter.mem_access == meter.elementwise


@pytest.mark.parametrize(
    ("subscripts", "a_shape", "b_shape"),
    [
        ("ik,kj", (2, 3), (3, 4)),  # no output
        ("ik->ik", (2, 3), (3, 4)),  # one operand
        ("ik,kj->j", (2, 3), (3, 4)),  # i summed but only in a: not a contraction
        ("ii,ij->j", (2, 2), (2, 4)),  # repeated index in one operand
        ("ik,kj->ij", (2, 3), (4, 4)),  # k has two extents
        ("ik,kj->ijj", (2, 3), (3, 4)),  # repeated output index
        ("ik,kj->iz", (2, 3), (3, 4)),  # unknown output index
        ("i,kj->ij", (2, 3), (3, 4)),  # fewer letters than axes
    ],
)
def test_contract_rejects_malformed_subscripts(subscripts, a_shape, b_shape):
    with pytest.raises(ValueError):
        Meter().contract(subscripts, np.ones(a_shape), np.ones(b_shape))


def test_apply_counts_output_elements_times_ops():
    meter = Meter()
    out = meter.apply(np.add, np.ones((2, 3, 4, 4)), np.ones((2, 3, 1, 1)))
    assert (2, 3, 4, 4) == out.shape
    assert 2 * 3 * 4 * 4 == meter.elementwise  # broadcast output elements
    meter.apply(np.negative, np.ones(5), ops_per_element=3)
    assert 2 * 3 * 4 * 4 + 5 * 3 == meter.elementwise


def test_reduce_counts_every_reduced_element():
    meter = Meter()
    out = meter.reduce(np.sum, np.ones((2, 3, 4)), axis=(1, 2))
    np.testing.assert_array_equal(np.full(2, 12.0), out)
    assert 2 * 3 * 4 == meter.elementwise  # each input element combined once


def test_snapshot_difference_and_measure():
    meter = Meter()
    meter.load(np.ones(10))
    before = meter.snapshot()
    with meter.measure() as node:
        meter.contract("ik,kj->ij", np.ones((2, 3)), np.ones((3, 4)))
        meter.store(np.ones((2, 4)))
    assert Counts(maccs=2 * 3 * 4, writes=2 * 4) == node.counts == meter - before
    assert Counts(maccs=24, reads=10, writes=8) == meter.snapshot()
    assert meter.snapshot() == before + node.counts
    assert 10 + 8 == meter.snapshot().mem_access == meter.mem_access  # reads + writes
    assert 8 == node.counts.mem_access


def test_measure_records_counts_even_when_the_block_raises():
    meter = Meter()
    with pytest.raises(RuntimeError), meter.measure() as node:
        meter.load(np.ones(3))
        raise RuntimeError
    assert Counts(reads=3) == node.counts


def test_take_returns_the_tally_and_zeroes_it():
    meter = Meter()
    meter.load(np.ones(10))
    meter.contract("ik,kj->ij", np.ones((2, 3)), np.ones((3, 4)))
    assert Counts(maccs=2 * 3 * 4, reads=10) == meter.take()
    assert Counts() == meter.snapshot()
    meter.store(np.ones(5))
    assert Counts(writes=5) == meter.take()  # only what came after the last take
