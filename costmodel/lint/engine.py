"""Run the selected rules on a network and apply the spec's ``lint:`` settings.

Thresholds resolve as: the rule's default, then the spec's ``lint.thresholds``, then the
caller's ``overrides`` (e.g. ``--memory-budget``). A finding is dropped when its layer
(or a block containing it) matches a ``lint.ignore`` pattern listing a prefix of its code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from costmodel.analysis.fusion import execution_view
from costmodel.arith import is_symbolic
from costmodel.errors import SpecError
from costmodel.graph import Network, build
from costmodel.lint import rules  # noqa: F401  (registration)
from costmodel.lint.context import LintContext
from costmodel.lint.registry import RULES, Finding
from costmodel.lint.selection import ALL, check_codes, is_selected
from costmodel.spec.expr import evaluate
from costmodel.spec.load import load_spec
from costmodel.spec.schema import LintSettings

__all__ = ["LintOptions", "lint_network", "lint_path"]


@dataclass(frozen=True)
class LintOptions:
    """Rule selection, execution model, element size and threshold overrides."""

    select: tuple[str, ...] = ALL
    ignore: tuple[str, ...] = ()
    fuse: str = "none"
    dtype_bytes: int = 4
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


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
                number = evaluate(value, {})
                if is_symbolic(number):
                    raise SpecError(f"{layer}: {code}.{name} must be a number", path=path)
                values[code][name] = number
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
                          _thresholds(settings, options, network.path), options.dtype_bytes)
    patterns = settings.ignore if settings else {}
    for pattern, prefixes in patterns.items():
        check_codes(prefixes, RULES, f"lint.ignore '{pattern}'", network.path,
                    settings.line if settings else None)
    findings: list[Finding] = []
    for code, rule in RULES.items():
        if is_selected(code, options.select, options.ignore):
            findings += [f for f in rule.check(context) if not _ignored(f, patterns)]
    return findings


def lint_path(path: str | Path, bindings: Mapping[str, Any] | None = None,
              options: LintOptions = LintOptions()) -> list[Finding]:
    """Load, build (numerically, at ``bindings``) and lint the spec at ``path``."""
    return lint_network(build(load_spec(path), str(path), bindings or {}), options)
