"""Which rules run: ``--select``/``--ignore`` by code prefix, the longest match wins
(flake8's DecisionEngine, ruff's selectors); on a tie, ignore wins."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["ALL", "is_selected", "split_codes"]

ALL = ("",)
"""Select every rule (the empty prefix matches every code)."""


def _longest(code: str, prefixes: Iterable[str]) -> int:
    return max((len(prefix) for prefix in prefixes if code.startswith(prefix)), default=-1)


def is_selected(code: str, select: Iterable[str] = ALL, ignore: Iterable[str] = ()) -> bool:
    """True when the longest selecting prefix is longer than the longest ignoring one.

    >>> is_selected("G1", select=["G"], ignore=["G1"]), is_selected("G1", ["G1"], ["G"])
    (False, True)
    """
    chosen = _longest(code, select)
    return chosen >= 0 and chosen > _longest(code, ignore)


def split_codes(text: str | None) -> tuple[str, ...]:
    """'G1, G2,N' → ('G1', 'G2', 'N'); 'ALL' selects everything."""
    if not text:
        return ()
    codes = tuple(part.strip().upper() for part in text.split(",") if part.strip())
    return tuple("" if code == "ALL" else code for code in codes)
