"""Run the selected rules on a network and apply the spec's ``lint:`` settings.

Thresholds resolve as: the rule's default, then the spec's ``lint.thresholds``, then the
caller's ``overrides`` (e.g. ``--memory-budget``). A finding is dropped when its layer
(or a block containing it) matches a ``lint.ignore`` pattern listing a prefix of its code.
Without ``select`` the default rule set runs (rules registered ``default=True``), plus
``extend_select``. With a latency ``profile`` each finding carries the predicted time of
the kernels its layers run. Unless ``per_layer``, the findings of a repeated pattern are
merged into one (:mod:`costmodel.lint.grouping`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costmodel.analysis.fusion import execution_view
from costmodel.arith import is_symbolic, number
from costmodel.errors import SpecError
from costmodel.graph import Network, build
from costmodel.lint import rules  # noqa: F401  (registration)
from costmodel.lint.context import LintContext
from costmodel.lint.grouping import group_findings
from costmodel.lint.registry import RULES, Finding
from costmodel.lint.selection import check_codes, is_selected
from costmodel.spec.expr import evaluate
from costmodel.spec.load import load_spec
from costmodel.spec.schema import LintSettings

if TYPE_CHECKING:
    from costmodel.latency.model import DeviceProfile

__all__ = ["LintOptions", "default_codes", "lint_network", "lint_path"]


def default_codes() -> tuple[str, ...]:
    """The codes of the default rule set, in registry order."""
    return tuple(code for code, rule in RULES.items() if rule.default)


@dataclass(frozen=True)
class LintOptions:
    """Rule selection (``select`` None: the default set), execution model, element size,
    threshold overrides, an optional latency profile, and whether to list every layer of a
    repeated pattern (``per_layer``)."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    fuse: str = "none"
    dtype_bytes: int = 4
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    extend_select: tuple[str, ...] = ()
    profile: DeviceProfile | None = None
    per_layer: bool = False

    @property
    def selected(self) -> tuple[str, ...]:
        """The selecting code prefixes: ``select`` (or the default set) and ``extend_select``."""
        return (default_codes() if self.select is None else self.select) + self.extend_select


def _thresholds(settings: LintSettings | None, options: LintOptions, path: str) -> dict[str, dict[str, Any]]:
    values = {code: {name: t.default for name, t in rule.thresholds.items()}
              for code, rule in RULES.items()}
    given = settings.thresholds if settings else {}
    for layer, sources in (("lint.thresholds", given), ("--memory-budget", options.overrides)):
        for code, items in sources.items():
            if code not in RULES:
                raise SpecError(f"{layer}: unknown rule '{code}' (rules: {', '.join(RULES)})",
                                path=path, line=settings.line if settings else None)
            for name, value in items.items():
                if name not in values[code]:
                    known = ", ".join(values[code]) or "none"
                    raise SpecError(f"{layer}: rule {code} has no threshold '{name}' "
                                    f"(thresholds: {known})", path=path,
                                    line=settings.line if settings else None)
                threshold = evaluate(value, {})
                if is_symbolic(threshold):
                    raise SpecError(f"{layer}: {code}.{name} must be a number", path=path)
                values[code][name] = number(threshold)
    return values


def _ignored(finding: Finding, patterns: Mapping[str, list[str]]) -> bool:
    return any((fnmatchcase(finding.layer, pattern) or fnmatchcase(finding.layer, pattern + ".*"))
               and any(finding.code.startswith(prefix) for prefix in prefixes)
               for pattern, prefixes in patterns.items())


def lint_network(network: Network, options: LintOptions = LintOptions()) -> list[Finding]:
    """Findings of the selected rules, in rule order then execution order.

    Raises :class:`SpecError` for unknown codes or thresholds in the spec's ``lint:``.
    """
    settings = network.spec.lint
    context = LintContext(network, execution_view(network, options.fuse),
                          _thresholds(settings, options, network.path), options.dtype_bytes,
                          options.profile)
    patterns = settings.ignore if settings else {}
    for pattern, prefixes in patterns.items():
        check_codes(prefixes, RULES, f"lint.ignore '{pattern}'", network.path,
                    settings.line if settings else None)
    findings: list[Finding] = []
    for code, rule in RULES.items():
        if is_selected(code, options.selected, options.ignore):
            findings += [context.timed(f) for f in rule.check(context) if not _ignored(f, patterns)]
    return findings if options.per_layer else group_findings(findings, network)


def lint_path(path: str | Path, bindings: Mapping[str, Any] | None = None,
              options: LintOptions = LintOptions()) -> list[Finding]:
    """Load, build (numerically, at ``bindings``) and lint the spec at ``path``."""
    return lint_network(build(load_spec(path), str(path), bindings or {}), options)
