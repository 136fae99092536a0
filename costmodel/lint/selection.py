"""Which rules run: ``--select``/``--ignore`` by code prefix, the longest match wins
(flake8's DecisionEngine, ruff's selectors); on a tie, ignore wins."""

from __future__ import annotations

from collections.abc import Iterable

from costmodel.errors import SpecError

__all__ = ["ALL", "is_selected", "split_codes", "check_codes"]

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


def split_codes(text: str | None, option: str = "codes") -> tuple[str, ...]:
    """'G1, G2,N' → ('G1', 'G2', 'N'); 'ALL' selects everything; None (option not given)
    → (). Raises :class:`SpecError` for a given list without a code (``''``, ``','``,
    ``'G1,,G2'``): an empty selection must not pass as "All checks passed."."""
    if text is None:
        return ()
    parts = [part.strip().upper() for part in text.split(",")]
    if not all(parts):
        raise SpecError(f"{option}: empty rule code in '{text}'; give codes such as G1,N or ALL")
    return tuple("" if code == "ALL" else code for code in parts)


def check_codes(prefixes: Iterable[str], codes: Iterable[str], where: str,
                path: str | None = None, line: int | None = None) -> None:
    """Raise :class:`SpecError` for a prefix that selects no rule: a typo such as ``ZZZ``
    must not pass as "All checks passed.". ``where`` names the option or spec key.

    >>> check_codes(["G", "N1", ""], ["G1", "N1"], "--select")
    """
    codes = list(codes)
    for prefix in prefixes:
        if not any(code.startswith(prefix) for code in codes):
            groups = ", ".join(sorted({code[0] for code in codes}))
            raise SpecError(f"{where}: unknown rule code '{prefix}'; valid: {', '.join(codes)} "
                            f"or a prefix ({groups}, ALL)", path=path, line=line)
