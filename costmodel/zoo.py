"""The model zoo: every spec in a directory, at each of its variants, beside the figures
published for it.

A published figure is written in the spec as the paper prints it (``"2.3e6"``,
``"0.145e9"``, ``"2278604"``); its rounding is half a unit of the last digit written, so
``"2.3e6"`` means 2.25 M … 2.35 M and an integer means exactly that count.
A variant may give a ``reason`` for a metric whose count lies outside that rounding; the
reason is explained in the zoo notes (docs/zoo_notes/).

The elementwise share is :attr:`Analysis.elementwise_share` (costmodel.analysis.shares) —
ShuffleNetV2's G4: their arithmetic is negligible, their memory traffic is not.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from costmodel.analysis.result import Analysis
from costmodel.errors import SpecError
from costmodel.graph import build
from costmodel.spec.load import load_spec
from costmodel.spec.published import Published, published_figure
from costmodel.spec.schema import ModelSpec, Variant

__all__ = ["Published", "ZooEntry", "published_figure", "zoo_variants", "spec_paths",
           "regular_files", "collect"]


@dataclass(frozen=True)
class ZooEntry:
    """One spec at one variant, analyzed."""

    spec: str
    variant: Variant
    analysis: Analysis
    published: dict[str, Published] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.variant.name

    def deviations(self) -> dict[str, int]:
        """Metric → count − published, for published figures the count does not round to."""
        totals = self.analysis.totals.as_dict()
        return {metric: totals[metric] - figure.value for metric, figure in self.published.items()
                if not figure.admits(totals[metric])}


def zoo_variants(model: ModelSpec) -> list[Variant]:
    """The spec's variants, or one default variant named after the model."""
    return list(model.variants) or [Variant(name=model.model)]


def spec_paths(directory: str | Path) -> list[Path]:
    """Every ``*.yaml`` spec in ``directory``, sorted. Raises :class:`SpecError` when the
    directory is missing or holds no spec (a typo must not render an empty zoo) or when a
    ``*.yaml`` is not a regular file (a FIFO would block the read)."""
    if not Path(directory).is_dir():
        what = "not a directory" if Path(directory).exists() else "no such specs directory"
        raise SpecError(what, path=str(directory))
    paths = regular_files(listed(directory, ".yaml"))
    if not paths:
        raise SpecError("no *.yaml spec in this directory", path=str(directory))
    return paths


def listed(directory: str | Path, suffix: str) -> list[Path]:
    """The entries of ``directory`` whose name ends with ``suffix``, sorted (none when the
    folder is absent). Unlike ``Path.glob``, which reads a folder it may not read as an
    empty one, raises :class:`SpecError` naming a folder that cannot be listed."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    except OSError as error:
        raise SpecError(f"cannot list this folder: {error.strerror or error}", path=str(directory)) from None
    return sorted(Path(directory, name) for name in names if name.endswith(suffix))


def regular_files(paths: list[Path]) -> list[Path]:
    """``paths``, each checked to be a regular file (symlinks followed).
    Raises :class:`SpecError` naming the first that is not."""
    for path in paths:
        if not path.is_file():
            raise SpecError("not a regular file", path=str(path))
    return paths


def collect(directory: str | Path = "specs",
            progress: Callable[[int, int], None] | None = None) -> list[ZooEntry]:
    """Analyze every spec of ``directory`` at each variant; ``progress`` is told (specs
    done, specs) after each. Raises :class:`SpecError`."""
    entries: list[ZooEntry] = []
    paths = spec_paths(directory)
    for done, path in enumerate(paths):
        if progress is not None:
            progress(done, len(paths))
        model = load_spec(path)
        for variant in zoo_variants(model):
            analysis = Analysis(build(model, str(path), variant.bindings))
            try:
                published = {metric: published_figure(value)
                             for metric, value in variant.published.items()}
            except SpecError as error:
                raise error.located(path=str(path), line=variant.line or None) from None
            entries.append(ZooEntry(str(path), variant, analysis, published))
    return entries
