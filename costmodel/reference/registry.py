"""Per-op tables (op name → function) filled by decorators, each op at most once: the
reference's runners and the exporters (here, since the reference imports nothing outside
itself)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

__all__ = ["Registrar", "op_registrar"]

_F = TypeVar("_F", bound=Callable[..., object])


class Registrar(Protocol[_F]):
    """``@register(*ops)``: enter the decorated function under each of ``ops``."""

    def __call__(self, *ops: str) -> Callable[[_F], _F]: ...


def op_registrar(table: dict[str, _F], what: str) -> Registrar[_F]:
    """The decorator factory that fills ``table``; a second entry for an op raises
    ``ValueError("<what> for op '<op>' is registered twice")``."""

    def register(*ops: str) -> Callable[[_F], _F]:
        def decorate(function: _F) -> _F:
            for op in ops:
                if op in table:
                    raise ValueError(f"{what} for op '{op}' is registered twice")
                table[op] = function
            return function

        return decorate

    return register
