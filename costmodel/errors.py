"""The one exception a user ever sees for bad input.

``SpecError`` carries where (file, line, layer) and what; ``str()`` renders the single
line the CLI prints, e.g.
``specs/foo.yaml:7: layer 'dw' (conv2d): 116 input channels not divisible by groups=3``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SpecError", "SpecWarning"]


@dataclass
class SpecError(Exception):
    """A spec is invalid. Fields are filled in as the error travels outwards."""

    message: str
    path: str | None = None
    line: int | None = None
    layer: str | None = None
    op: str | None = None

    def located(
        self, *, path: str | None = None, line: int | None = None,
        layer: str | None = None, op: str | None = None,
    ) -> SpecError:
        """Fill in whichever location fields are still unknown; returns self."""
        self.path = self.path or path
        self.line = self.line or line
        self.layer = self.layer or layer
        self.op = self.op or op
        return self

    def __str__(self) -> str:
        where = self.path or "<spec>"
        if self.line:
            where += f":{self.line}"
        what = ""
        if self.layer:
            what = f"layer '{self.layer}'" + (f" ({self.op})" if self.op else "") + ": "
        return f"{where}: {what}{self.message}"


class SpecWarning(UserWarning):
    """A valid spec that probably does not mean what it says (a layer whose output nothing
    reads is still counted). The CLI prints it as one ``warning:`` line and exits 0; the
    message is located like a :class:`SpecError` line."""
