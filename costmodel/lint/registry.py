"""The rule registry: a rule is a code, a kebab-case name, thresholds and a check.

A rule's docstring is its documentation (``costmodel rule G1`` prints it; docs/rules.md is
generated from it) with the sections What it does / Why is this bad? / Example /
Use instead / References. :func:`register_rule` refuses a duplicate code or name.
A rule is in the default set (``default=True``) only when a designer would act on its
findings; the others run when ``--select`` names them (as ruff's defaults).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from costmodel.lint.context import LintContext

__all__ = ["Threshold", "Finding", "Rule", "RULES", "register_rule", "DOC_SECTIONS"]

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")

_CODE = re.compile(r"[A-Z][0-9]+")
_NAME = re.compile(r"[a-z]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class Threshold:
    """A tunable limit of a rule: its default (exact; None = rule off), meaning, and where
    the default comes from (the experiment it rests on)."""

    default: int | Fraction | None
    help: str
    source: str = ""


@dataclass(frozen=True)
class Finding:
    """One violation: where, which rule, what, the measured value and the threshold.

    ``instances``: the layers (or blocks) of a repeated pattern this finding stands for
    (empty: only ``layer``); ``time_us``: the predicted time of the kernels they run, when
    linting with a latency profile."""

    path: str
    line: int
    layer: str
    code: str
    message: str
    value: int | Fraction | float
    threshold: int | Fraction | float | None
    instances: tuple[str, ...] = ()
    time_us: float | None = None


Check = Callable[["LintContext"], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    """A registered lint rule."""

    code: str
    name: str
    check: Check
    thresholds: dict[str, Threshold] = field(default_factory=dict)
    default: bool = True
    """In the default rule set (else opt-in by ``--select``)."""

    @property
    def doc(self) -> str:
        """The rule's documentation (the check's docstring, dedented)."""
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        """The doc's first paragraph, on one line."""
        return " ".join(self.doc.split("\n\n")[0].split())


RULES: dict[str, Rule] = {}
"""Code → rule, in registration order."""


def register_rule(code: str, name: str, thresholds: dict[str, Threshold] | None = None,
                  *, default: bool = True) -> Callable[[Check], Check]:
    """Register ``check`` as rule ``code`` (in the default set unless ``default=False``); a
    malformed or duplicate code/name, or a doc missing one of :data:`DOC_SECTIONS`, raises
    ValueError at import time."""

    def decorate(check: Check) -> Check:
        if not _CODE.fullmatch(code) or not _NAME.fullmatch(name):
            raise ValueError(f"rule {code} {name}: codes look like G1, names like kebab-case")
        if code in RULES or any(rule.name == name for rule in RULES.values()):
            raise ValueError(f"rule {code} ({name}) is registered twice")
        doc = check.__doc__ or ""
        missing = [section for section in DOC_SECTIONS if f"{section}" not in doc]
        if missing:
            raise ValueError(f"rule {code}: its docstring lacks {', '.join(missing)}")
        RULES[code] = Rule(code, name, check, dict(thresholds or {}), default)
        return check

    return decorate
