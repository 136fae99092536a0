"""Record every number the CLI prints for every spec and variant, and diff two records.

Issue 10 requires that a refactoring leaves every count unchanged. Record the numbers
before a change and after it, then compare:

    python tools/snapshot_numbers.py record /work/baseline4        # before
    python tools/snapshot_numbers.py record /tmp/after             # after
    python tools/snapshot_numbers.py diff /work/baseline4 /tmp/after

``record`` runs the CLI in-process (click's test runner, so the output is exactly what
the command prints) from the repository root:

- ``costmodel report SPEC --set …  --format json`` for every spec × variant, with
  ``--fuse none`` and ``--fuse conv-bn-act`` (``report/<spec>__<variant>__<fuse>.json``);
- ``costmodel zoo --format json`` (``zoo.json``);
- ``costmodel lint specs/*.yaml --select ALL --per-layer --format json`` (``lint.json``)
  and the number of findings per spec and rule (``lint_counts.json``).

``diff`` prints one line per JSON path whose value differs (or exists on one side only)
and exits 1 if any does, 0 if the records are identical.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from costmodel.cli import main as cli
from costmodel.spec.load import load_spec
from costmodel.zoo import spec_paths, zoo_variants

FUSIONS = ("none", "conv-bn-act")


def _run(args: list[str]) -> Any:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    if result.exit_code not in (0, 1):
        raise SystemExit(f"costmodel {' '.join(args)}: exit {result.exit_code}\n{result.output}")
    return json.loads(result.stdout)


def _binding_text(value: object) -> str:
    return str(Fraction(value)) if isinstance(value, Fraction) else str(value)


def record(out: Path, specs: str = "specs") -> None:
    """Write the record of every spec × variant × fusion, the zoo and lint into ``out``."""
    (out / "report").mkdir(parents=True, exist_ok=True)
    paths = spec_paths(specs)
    for path in paths:
        for variant in zoo_variants(load_spec(path)):
            sets = [f"--set={name}={_binding_text(value)}"
                    for name, value in variant.bindings.items()]
            for fuse in FUSIONS:
                data = _run(["report", str(path), *sets, "--fuse", fuse, "--format", "json"])
                name = f"{path.stem}__{variant.name}__{fuse}.json"
                (out / "report" / name).write_text(json.dumps(data, indent=1, sort_keys=True))
    (out / "zoo.json").write_text(json.dumps(_run(["zoo", "--specs", specs, "--format", "json"]),
                                             indent=1, sort_keys=True))
    lint = _run(["lint", *map(str, paths), "--select", "ALL", "--per-layer", "--format", "json"])
    (out / "lint.json").write_text(json.dumps(lint, indent=1, sort_keys=True))
    counts = Counter(f"{finding['path']} {finding['code']}" for finding in lint)
    (out / "lint_counts.json").write_text(json.dumps(dict(sorted(counts.items())), indent=1))


def _differences(a: Any, b: Any, where: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        lines = []
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                lines.append(f"{where}/{key}: only in {'new' if key not in a else 'old'}")
            else:
                lines += _differences(a[key], b[key], f"{where}/{key}")
        return lines
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items → {len(b)} items"]
        return [line for i, (x, y) in enumerate(zip(a, b))
                for line in _differences(x, y, f"{where}[{i}]")]
    return [] if a == b else [f"{where}: {a!r} → {b!r}"]


def diff(old: Path, new: Path) -> list[str]:
    """One line per difference between the records ``old`` and ``new``."""
    files = {p.relative_to(old) for p in old.rglob("*.json")}
    files |= {p.relative_to(new) for p in new.rglob("*.json")}
    lines = []
    for file in sorted(files):
        if not (old / file).exists() or not (new / file).exists():
            lines.append(f"{file}: only in {'new' if not (old / file).exists() else 'old'}")
            continue
        lines += _differences(json.loads((old / file).read_text()),
                              json.loads((new / file).read_text()), str(file))
    return lines


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "record":
        record(Path(argv[1]))
        return 0
    if len(argv) == 3 and argv[0] == "diff":
        lines = diff(Path(argv[1]), Path(argv[2]))
        print("\n".join(lines) if lines else "identical")
        return 1 if lines else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
