"""Who may import whom (docs/architecture.md): renderers and commands sit on top; nothing
below them imports them, and the core imports no analysis. Checked on the import
statements of every module (type-only imports under ``if TYPE_CHECKING:`` included)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "costmodel"

CORE = ("arith", "cost", "errors", "symbols", "units", "lanes", "assumptions", "budget", "spec", "ops",
        "blocks", "graph")
"""Spec → network: the vocabulary, the formulas and the build."""

LAYERS: dict[str, tuple[str, ...]] = {
    # package or module → prefixes of costmodel modules it must not import
    **{name: ("analysis", "lint", "report", "commands", "cli", "zoo", "check", "transforms",
              "export", "space", "reference", "api") for name in CORE},
    # formulas sit below expansions, both below the build
    "ops": ("blocks", "graph", "analysis", "lint", "report", "commands", "cli", "zoo", "check",
            "transforms", "export", "space", "reference", "api"),
    "blocks": ("graph", "analysis", "lint", "report", "commands", "cli", "zoo", "check",
               "transforms", "export", "space", "reference", "api"),
    # the layer vocabulary (spec/) sits below the formulas and expansions that read it
    "spec": ("ops", "blocks", "graph", "analysis", "lint", "report", "commands", "cli", "zoo", "check",
             "transforms", "export", "space", "reference", "api"),
    "analysis": ("lint", "report", "commands", "cli", "zoo"),
    "lint": ("report", "commands", "cli", "zoo"),
    "zoo": ("report", "commands", "cli"),
    "transforms": ("report", "commands", "cli"),
    "check": ("report", "commands", "cli"),
    "report": ("commands", "cli"),
    "export": ("report", "commands", "cli", "zoo", "lint", "runtime"),
    "runtime": ("report", "commands", "cli", "zoo", "lint"),
    "space": ("report", "commands", "cli", "zoo", "lint"),
    "latency": ("report", "commands", "cli", "zoo", "lint"),
    "importer": ("report", "commands", "cli", "zoo", "lint", "analysis"),
    "outputs": ("report", "commands", "cli"),
    "api": ("report", "commands", "cli"),
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


def test_every_package_and_module_has_a_rule() -> None:
    # a new top-level package or module must say where it sits (cli and commands sit on
    # top, __init__ re-exports lazily, report is the renderers' own layer)
    top = {path.stem for path in PACKAGE.glob("*.py")} | {
        path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    assert top - set(LAYERS) - {"__init__", "cli", "commands", "reference", "profiles"} == set()
