"""The one exception a user ever sees for bad input, and the escaping of echoed text.

``SpecError`` carries where (file, line, layer) and what; ``str()`` renders the single
line the CLI prints, e.g.
``specs/foo.yaml:7: layer 'dw' (conv2d): 116 input channels not divisible by groups=3``.
Control characters in any part (a layer named ``"a\\nerror: forged"``, ANSI escapes) are
escaped by :func:`printable`, so the line stays one line and the terminal stays clean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SpecError", "SpecWarning", "SpecNote", "printable", "control_character"]

# C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidi overrides that
# would break a line or reorder what a terminal shows.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def control_character(text: str) -> str | None:
    """The first character of ``text`` that :func:`printable` would escape, escaped
    (``'\\x1b'``), or None when there is none."""
    match = _UNSAFE.search(text)
    return None if match is None else _escape(match)


def printable(text: object) -> str:
    """``str(text)`` with every control character escaped (``\\n`` → ``\\x0a``): safe to echo
    as part of one terminal line. Used by every error line and by renderers for user names."""
    return _UNSAFE.sub(_escape, str(text))


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
        return printable(f"{where}: {what}{self.message}")


class SpecWarning(UserWarning):
    """A valid spec that probably does not mean what it says (a layer whose output nothing
    reads is still counted). The CLI prints it as one ``warning:`` line and exits 0; the
    message is located like a :class:`SpecError` line."""


class SpecNote(SpecWarning):
    """A line of information for stderr (which device profile ``--latency`` uses), printed
    as written when the command succeeds and not at all when it fails: an error stays the
    one line on stderr."""
