"""Questions that do not decompose over stages — a measured, non-additive metric, a user's
scoring function — mapped over many subnets on a Dask cluster (the optional ``dask``
extra): a local cluster by default, any running cluster by its scheduler address.

Each task ships one plain subnet spec (data, not a file) and the question to
:func:`costmodel.space.worker.evaluate`; results come back in the order of the subnets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from costmodel.errors import SpecError
from costmodel.space.graph import Space
from costmodel.space.subnet import Subnet, subnet_spec
from costmodel.space.worker import evaluate, measure, resolve

__all__ = ["map_subnets", "CONNECT_SECONDS"]

CONNECT_SECONDS = 5
"""How long ``--address`` may take to answer (Dask's default is 30 s), so that a wrong
address is one line within seconds."""


def map_subnets(space: Space, subnets: Iterable[Subnet],
                question: Callable[[Any], Any] | str = measure, address: str | None = None,
                workers: int = 2) -> list[Any]:
    """``question(analysis)`` for every subnet, computed on Dask workers.

    ``question`` must be importable by the workers (a module-level function, or its
    ``"module:function"`` path). ``address``: a running scheduler (``tcp://host:8786``);
    None starts a local cluster of ``workers`` single-threaded processes for the call.
    """
    if isinstance(question, str):
        resolve(question)  # a wrong name is one line here, before Dask is imported (~3 s) or a cluster starts
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as error:  # the optional extra
        raise RuntimeError("the distributed map needs Dask: pip install 'costmodel[dask]'") from error
    specs = [subnet_spec(space, subnet) for subnet in subnets]
    if address is not None:
        try:
            client = Client(address, timeout=CONNECT_SECONDS)
        except (OSError, ValueError, TypeError) as error:  # no scheduler there, or not an address
            raise SpecError(f"--address '{address}': no Dask scheduler answered ({error})") from None
        with client:
            return _run(client, specs, question)
    # silence_logs: a failing question is one error line (raised by gather), not the
    # workers' multi-line logs on stderr
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client:
        return _run(client, specs, question)


def _run(client: Any, specs: list[dict[str, Any]], question: Callable[[Any], Any] | str) -> list[Any]:
    """Every answer; a question that raises on a subnet is one line quoting its exception."""
    futures = client.map(evaluate, specs, question=question, pure=False)
    try:
        return list(client.gather(futures))
    except Exception as error:  # the user's function failed on a worker
        name = question if isinstance(question, str) else getattr(question, "__name__", "the question")
        raise SpecError(f"--map '{name}' failed on a subnet: {type(error).__name__}: "
                        f"{' '.join(str(error).split())[:200]}") from None
