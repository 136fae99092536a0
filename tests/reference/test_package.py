"""The reference forward stays independent of the analytic code, and its API is declared."""

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import costmodel.reference

PACKAGE = Path(costmodel.reference.__file__).parent
MODULES = [
    "costmodel.reference",
    "costmodel.reference.meter",
    "costmodel.reference.kernels",
    "costmodel.reference.forward",
    "costmodel.reference.registry",
]


def _runtime_nodes(tree: ast.AST):
    """Every node, except what sits under `if TYPE_CHECKING:` (type-only imports)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: use absolute imports"
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_sources_import_only_numpy_stdlib_and_reference(path):
    for name in imported_roots(path):
        root = name.split(".")[0]
        if root == "costmodel":
            assert name.startswith("costmodel.reference"), f"{path.name} imports {name}"
        else:
            assert root == "numpy" or root in sys.stdlib_module_names, f"{path.name} imports {name}"


def test_importing_loads_no_analytic_code_and_no_sympy():
    # DESIGN.md principle 3: the reference forward never sees the formulas it checks
    probe = (
        "import json, sys; import costmodel.reference, costmodel.reference.forward; "
        "roots = ('costmodel', 'sympy', 'torch'); "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in roots)))"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, cwd=PACKAGE.parents[1]
    )
    loaded = json.loads(run.stdout)
    assert [] == [m for m in loaded if m != "costmodel" and not m.startswith("costmodel.reference")]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_exact(name):
    module = importlib.import_module(name)
    public = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_")
        and getattr(value, "__module__", name) == name
        and not isinstance(value, type(module))
    }
    assert all(hasattr(module, attr) for attr in module.__all__)
    assert public <= set(module.__all__)
