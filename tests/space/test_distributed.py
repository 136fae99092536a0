"""The distributed map on a local Dask cluster: same answers as analyzing each subnet here."""

from __future__ import annotations

import subprocess
import sys

import costmodel
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
