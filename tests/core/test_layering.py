"""Who may import whom (docs/architecture.md): renderers and commands sit on top; nothing
below them imports them, and the core imports no analysis. Checked on the import
statements of every module (type-only imports under ``if TYPE_CHECKING:`` included)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "costmodel"

CORE = ("arith", "cost", "errors", "symbols", "units", "spec", "ops", "blocks", "graph")
"""Spec → network: the vocabulary, the formulas and the build."""

LAYERS: dict[str, tuple[str, ...]] = {
    # package or module → prefixes of costmodel modules it must not import
    **{name: ("analysis", "lint", "report", "commands", "cli", "zoo", "check", "transforms",
              "export", "space", "reference", "api") for name in CORE},
    "analysis": ("lint", "report", "commands", "cli", "zoo"),
    "lint": ("report", "commands", "cli", "zoo"),
    "zoo": ("report", "commands", "cli"),
    "transforms": ("report", "commands", "cli"),
    "check": ("report", "commands", "cli"),
    "report": ("commands", "cli"),
    "export": ("report", "commands", "cli", "zoo", "lint", "runtime"),
    "runtime": ("report", "commands", "cli", "zoo", "lint"),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return {name.removeprefix("costmodel.") for name in names if name.startswith("costmodel.")}


def _modules(layer: str) -> list[Path]:
    folder = PACKAGE / layer
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [PACKAGE / f"{layer}.py"]


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_no_module_imports_a_layer_above_it(layer: str) -> None:
    forbidden = LAYERS[layer]
    found = [f"{path.relative_to(PACKAGE)} imports costmodel.{name}"
             for path in _modules(layer) for name in sorted(_imports(path))
             if name.split(".")[0] in forbidden]
    assert not found, "; ".join(found)
