"""Decisions on values that may be symbolic, recorded as explicit assumptions.

A block's structure can depend on values (an inverted residual adds its input when
C_in = C_out) and an op's validity too (channels divisible by groups). With numbers the
comparison is simply made. With parameters left symbolic, identical expressions settle
it; otherwise (no algebra is tried: it would cost more than checking) the build takes an
outcome — for an ordering its value at the reference point (the parameters' defaults), for
= and ≠ the structural one (different expressions are taken as different values) or, in a
reference build (:func:`costmodel.api.reference_build`), its value at the reference point
too — and records it on the
:class:`~costmodel.graph.Network` as an :class:`Assumption`. The symbolic totals hold
exactly where every assumption holds; a report states them and a sweep checks them at
every point (and builds the other structures where they fail).

Two kinds: ``structure`` (the build took a branch; the other branch is another network)
and ``valid`` (a requirement; where it fails the point is invalid, as a numeric build
would say).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from costmodel.arith import Value, as_int, is_symbolic
from costmodel.errors import SpecError

__all__ = ["Assumption", "Recorder", "recording", "holds", "require", "relation_at"]

RELATIONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt,
    "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "whole": lambda value, _: isinstance(as_int(value), int),
}
"""``whole``: the left side is an integer (the right side is ignored)."""

Kind = Literal["structure", "valid"]


@dataclass(frozen=True)
class Assumption:
    """``lhs relation rhs`` was taken to be ``outcome`` at layer/block ``where``."""

    where: str
    what: str
    lhs: Any
    relation: str
    rhs: Any
    outcome: bool
    kind: Kind

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the decision across builds: (layer name, what)."""
        return self.where, self.what

    def __str__(self) -> str:
        label = "requires" if self.kind == "valid" else "assumes"
        if self.relation == "whole":
            return f"{self.where}: {label} {self.lhs} whole"
        relation = self.relation if self.outcome else _NEGATED[self.relation]
        return f"{self.where}: {self.what}: {label} {self.lhs} {relation} {self.rhs}"


_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<", "whole": "whole"}


@dataclass
class Recorder:
    """Collects the assumptions of one build; ``reference`` binds symbol names to numbers to
    settle orderings, and = and ≠ too when ``equalities_at_reference`` (where both sides
    evaluate there; else the structural outcome); ``where`` is the layer being built (the
    builder sets it around each layer)."""

    reference: Mapping[str, Any] = field(default_factory=dict)
    equalities_at_reference: bool = False
    where: str = ""
    records: list[Assumption] = field(default_factory=list)


_CURRENT: ContextVar[Recorder | None] = ContextVar("costmodel_assumptions", default=None)


@contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    """Decisions made inside the block (one build) are recorded in ``recorder``."""
    token = _CURRENT.set(recorder)
    try:
        yield recorder
    finally:
        _CURRENT.reset(token)


def holds(lhs: Value, relation: str, rhs: Value, what: str) -> bool:
    """Structure decision: does ``lhs relation rhs`` hold (``relation`` one of
    ``== != < <= > >=``)? Recorded when it cannot be decided symbolically."""
    return _decide(lhs, relation, rhs, what, "structure")


def require(lhs: Value, relation: str, rhs: Value, what: str) -> bool:
    """Validity: False when ``lhs relation rhs`` fails with numbers; with symbols that
    cannot decide it, True and recorded as a requirement on every point."""
    return _decide(lhs, relation, rhs, what, "valid")


def _decide(lhs: Value, relation: str, rhs: Value, what: str, kind: Kind) -> bool:
    lhs, rhs = as_int(lhs), as_int(rhs)
    if not (is_symbolic(lhs) or is_symbolic(rhs)):
        return bool(RELATIONS[relation](lhs, rhs))
    if relation in ("==", "!=", "<=", ">=") and lhs == rhs:  # identical expressions
        return relation != "!="
    recorder = _CURRENT.get()
    if kind == "valid":
        outcome = True
    elif relation in ("==", "!="):
        at_reference = None
        if recorder is not None and recorder.equalities_at_reference:
            at_reference = relation_at(lhs, relation, rhs, _reference_point(recorder))
        # else different expressions are taken as different values
        outcome = relation == "!=" if at_reference is None else at_reference
    else:
        outcome = _at_reference(lhs, relation, rhs, what, recorder)
    if recorder is not None:
        recorder.records.append(Assumption(recorder.where, what, lhs, relation, rhs, outcome, kind))
    return outcome


def relation_at(lhs: Value, relation: str, rhs: Value, point: Mapping[Any, Any]) -> bool | None:
    """Whether ``lhs relation rhs`` holds at ``point`` (symbol → number); None when a side
    is still symbolic there."""
    lhs, rhs = (as_int(side.xreplace(point) if hasattr(side, "xreplace") else side)
                for side in (lhs, rhs))
    if is_symbolic(lhs) or is_symbolic(rhs):
        return None
    return bool(RELATIONS[relation](lhs, rhs))


def _reference_point(recorder: Recorder) -> dict[Any, Any]:
    from costmodel.symbols import parameter_symbol

    return {parameter_symbol(name): value for name, value in recorder.reference.items()}


def _at_reference(lhs: Value, relation: str, rhs: Value, what: str,
                  recorder: Recorder | None) -> bool:
    import sympy

    from costmodel.symbols import parameter_symbol

    values = {} if recorder is None else {parameter_symbol(n): v for n, v in recorder.reference.items()}
    difference = as_int((sympy.sympify(lhs) - sympy.sympify(rhs)).subs(values))
    if is_symbolic(difference) or not getattr(difference, "is_number", True):
        raise SpecError(f"{what}: cannot decide {lhs} {relation} {rhs} symbolically")
    return bool(RELATIONS[relation](difference, 0))
