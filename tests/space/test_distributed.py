"""The distributed map on a local Dask cluster: same answers as analyzing each subnet here."""

from __future__ import annotations

import subprocess
import sys

import pytest

import costmodel
from costmodel.errors import SpecError
from costmodel.space.distributed import map_subnets
from costmodel.space.graph import build_space
from costmodel.space.stats import SpaceStats
from costmodel.space.subnet import subnet_spec
from costmodel.space.worker import measure
from costmodel.spec.load import parse_spec
from tests.space.small import SMALL


def maccs_per_param(analysis):
    """A user's own score (module-level, so workers can import it)."""
    return analysis.totals.maccs / analysis.totals.params


def broken(analysis):
    """A user's score that fails (module-level, so workers can import it)."""
    raise ValueError("no score for this subnet")


def test_local_cluster_matches_local_analysis():
    from dask.distributed import LocalCluster

    space = build_space(parse_spec(SMALL), bindings={"resolution": 32})
    subnets = [subnet for subnet, _ in SpaceStats(space).sample(6, seed=5)]
    results = map_subnets(space, subnets, workers=1)  # a local cluster of its own
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        scores = map_subnets(space, subnets, "tests.space.test_distributed:maccs_per_param",
                             address=cluster.scheduler_address)  # a running cluster
    for subnet, result, score in zip(subnets, results, scores, strict=True):
        analysis = costmodel.analyze(parse_spec(subnet_spec(space, subnet)))
        assert measure(analysis) == result
        assert analysis.totals.maccs / analysis.totals.params == score


def test_worker_module_imports_without_side_effects():
    """Importing the worker starts nothing and loads neither Dask nor the analysis."""
    code = ("import sys, threading; import costmodel.space.worker; "
            "print(threading.active_count(), 'dask' in sys.modules, 'costmodel.graph' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "1 False False" == out.strip()


@pytest.mark.parametrize(("question", "words"), [
    ("nosuchmodule:f", "--map 'nosuchmodule:f': ModuleNotFoundError: No module named 'nosuchmodule'"),
    ("json:zz", "--map 'json:zz': AttributeError: module 'json' has no attribute 'zz'"),
    ("json:__name__", "--map 'json:__name__' is not a function"),
    ("json", "--map 'json' is not MODULE:FUNCTION"),
])
def test_a_wrong_question_is_refused_before_a_cluster_starts(question, words):
    space = build_space(parse_spec(SMALL), bindings={"resolution": 32})
    with pytest.raises(SpecError) as error:
        map_subnets(space, [], question, address="tcp://127.0.0.1:1")  # never contacted
    assert error.value.message == words


def test_an_address_without_a_scheduler_is_refused_within_the_connect_timeout():
    space = build_space(parse_spec(SMALL), bindings={"resolution": 32})
    with pytest.raises(SpecError, match="--address 'junk': no Dask scheduler answered"):
        map_subnets(space, [], address="junk")


def test_a_question_that_raises_on_a_worker_is_one_line():
    space = build_space(parse_spec(SMALL), bindings={"resolution": 32})
    subnets = [subnet for subnet, _ in SpaceStats(space).sample(1, seed=5)]
    with pytest.raises(SpecError) as error:
        map_subnets(space, subnets, "tests.space.test_distributed:broken", workers=1)
    assert error.value.message == ("--map 'tests.space.test_distributed:broken' failed on a subnet: "
                                   "ValueError: no score for this subnet")
