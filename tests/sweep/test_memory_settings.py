"""glibc's malloc settings (lanes.reuse_memory) are the sweep command's, never the library's:
a program calling ``costmodel.sweep`` keeps its process-wide malloc behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import costmodel
import costmodel.lanes
from costmodel.cli import main

V2 = str(Path(__file__).resolve().parents[2] / "specs" / "mobilenet_v2.yaml")


def test_library_sweep_leaves_malloc_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(costmodel.lanes, "reuse_memory", lambda: calls.append("mallopt"))
    result = costmodel.sweep(V2, alpha=[0.5, 1], resolution=list(range(96, 130)), method="compiled")
    assert result.method == "compiled"
    assert calls == []


def test_sweep_command_sets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(costmodel.lanes, "reuse_memory", lambda: calls.append("mallopt"))
    result = CliRunner().invoke(main, ["sweep", V2, "--width", "0.5,1", "--resolution", "96,128"])
    assert result.exit_code == 0, result.output
    assert calls == ["mallopt"]
