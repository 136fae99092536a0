"""onnxruntime as a measuring backend: sessions, timed runs, and per-node profiles.

Only this module imports ``onnxruntime`` (installed by ``costmodel[runtime]``). A session
runs with ``threads`` intra-op threads, one inter-op thread and sequential execution; with
one thread every kernel runs on the calling thread, which is what the CPU clock measures.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from typing import ParamSpec, TypeVar

import numpy as np
import onnx
import onnxruntime as ort

from costmodel.runtime.base import Profile, RunOptions, RuntimeNode, RunTimes
from costmodel.runtime.timing import CLOCKS, Clock, sample, single_threaded_blas

__all__ = ["OnnxRuntime", "LEANS", "ProfiledSession"]

ort.set_default_logger_severity(4)  # refusals are raised (see _refusals), never logged in colour
single_threaded_blas()  # whoever imports this measures: no BLAS worker spinning on the other core

LEVELS = {"all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
          "none": ort.GraphOptimizationLevel.ORT_DISABLE_ALL}

LEANS = {"ReorderInput": "consumer", "ReorderOutput": "producer"}
"""Nodes the optimizer inserts without a spec layer, and which neighbour they serve: the
NCHWc layout transformer (onnxruntime/core/optimizer/nchwc_transformer.cc) reorders a
tensor into blocked channels for the conv that consumes it, and back after the conv
that produced it. Any other such node serves its producer."""


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _refusals(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """onnxruntime's own exceptions (a model it refuses to load or fails to run: an invalid
    graph, an overflowing shape, an unregistered op) as ``ValueError`` with their first
    line, which ``costmodel measure`` reports as one error line about the model."""

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except Exception as error:
            if not type(error).__module__.startswith("onnxruntime"):
                raise
            first = next((line for line in str(error).splitlines() if line.strip()), type(error).__name__)
            raise ValueError(f"onnxruntime cannot run this model: {first}") from None

    return wrapper


class OnnxRuntime:
    """The onnxruntime CPU execution provider."""

    name = "onnxruntime"
    version = ort.__version__

    def session(self, model: bytes, options: RunOptions, *, profile_prefix: str | None = None,
                optimized_path: str | None = None) -> ort.InferenceSession:
        """A CPU session of ``model``; optionally profiling, or saving the optimized graph."""
        settings = ort.SessionOptions()
        settings.intra_op_num_threads = options.threads
        settings.inter_op_num_threads = 1
        settings.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        settings.graph_optimization_level = LEVELS[options.optimize]
        settings.log_severity_level = 4  # warnings (an NCHWc graph is machine-specific) and errors
        # (raised anyway, see _refusals) would reach the terminal with colour escapes
        if profile_prefix is not None:
            settings.enable_profiling = True
            settings.profile_file_prefix = profile_prefix
        if optimized_path is not None:
            settings.optimized_model_filepath = optimized_path
        return ort.InferenceSession(model, settings, providers=["CPUExecutionProvider"])

    @_refusals
    def latency(self, model: bytes, feeds: Mapping[str, np.ndarray], options: RunOptions, *,
                runs: int, warmup: int, clock: Clock) -> list[float]:
        """Microseconds of ``runs`` whole-model runs after ``warmup`` untimed ones."""
        session = self.session(model, options)
        return sample(lambda: session.run(None, dict(feeds)), runs, clock, warmup)

    @_refusals
    def profiled(self, model: bytes, feeds: Mapping[str, np.ndarray], options: RunOptions,
                 folder: str, *, warmup: int = 2,
                 before_run: Callable[[], object] | None = None) -> ProfiledSession:
        """A profiling session (files in ``folder``) and a plain one of the same model, timed
        run by run, for interleaving; ``before_run`` is called, untimed, before every run."""
        prefix = os.path.join(folder, f"profile{len(os.listdir(folder))}")
        return ProfiledSession(self.session(model, options, profile_prefix=prefix),
                               self.session(model, options), feeds, warmup, before_run)

    @_refusals
    def profile(self, model: bytes, feeds: Mapping[str, np.ndarray], options: RunOptions, *,
                runs: int, warmup: int) -> Profile:
        """The executed graph and each node's kernel time (µs, wall) in each of ``runs`` runs."""
        with tempfile.TemporaryDirectory() as folder:
            optimized = os.path.join(folder, "optimized.onnx")
            session = self.session(model, options, profile_prefix=os.path.join(folder, "profile"),
                                   optimized_path=optimized)
            for _ in range(warmup + runs):
                session.run(None, dict(feeds))
            with open(session.end_profiling(), encoding="utf-8") as stream:
                events = json.load(stream)
            graph = onnx.load(optimized, load_external_data=False).graph
        times: dict[str, list[float]] = {}
        for event in events:
            if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
                times.setdefault(event["name"][: -len("_kernel_time")], []).append(float(event["dur"]))
        nodes = [RuntimeNode(node.name, node.op_type, tuple(node.input), tuple(node.output),
                             _activation(node)) for node in graph.node]
        initializers = {tensor.name for tensor in graph.initializer}
        # each node runs once per run: the last `runs` events are the timed runs
        return Profile(nodes, {name: values[-runs:] for name, values in times.items()},
                       initializers, LEANS)


def _activation(node: onnx.NodeProto) -> str | None:
    """The ``activation`` attribute of onnxruntime's fused convs (FusedConv, NCHWc Conv)."""
    return next((a.s.decode() for a in node.attribute if a.name == "activation"), None)


class ProfiledSession:
    """A session with onnxruntime's profiler on and a plain one of the same model, run a few
    times at a time (so that many models can be timed in interleaved rounds) and read back
    run by run."""

    def __init__(self, session: ort.InferenceSession, plain: ort.InferenceSession,
                 feeds: Mapping[str, np.ndarray], warmup: int,
                 before_run: Callable[[], object] | None = None) -> None:
        self._session, self._plain, self._feeds = session, plain, dict(feeds)
        self._before_run = before_run
        self._cpu: list[float] = []
        self._plain_cpu: list[float] = []
        for _ in range(warmup):
            session.run(None, self._feeds)
            plain.run(None, self._feeds)

    def run(self, runs: int) -> None:
        """``runs`` more timed runs of each session, alternating (plain, profiled, …)."""
        counter = CLOCKS["cpu"]
        for _ in range(runs):
            for session, times in ((self._plain, self._plain_cpu), (self._session, self._cpu)):
                if self._before_run is not None:
                    self._before_run()
                start = counter()
                session.run(None, self._feeds)
                times.append((counter() - start) / 1000)

    def finish(self) -> RunTimes:
        """End profiling; node times per timed run (each node runs once per run)."""
        with open(self._session.end_profiling(), encoding="utf-8") as stream:
            events = json.load(stream)
        os.remove(stream.name)
        durations: dict[str, list[float]] = {}
        op_types: dict[str, str] = {}
        for event in events:
            if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
                name = event["name"][: -len("_kernel_time")]
                durations.setdefault(name, []).append(float(event["dur"]))
                op_types[name] = event.get("args", {}).get("op_name", "")
        runs = len(self._cpu)
        per_run = [{name: values[len(values) - runs + index] for name, values in durations.items()}
                   for index in range(runs)]
        return RunTimes(list(self._cpu), per_run, op_types, list(self._plain_cpu))
