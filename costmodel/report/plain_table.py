"""A right-justified table exactly as rich prints it, without rich's per-cell layout work.

rich spends about 2 ms per row measuring, wrapping and cropping each cell (a 2,000-row sweep
table took 4–5 s). For the tables a sweep prints — one line per cell, every column
right-justified, the whole table within the console width — the layout is simple: each
column is as wide as its widest cell plus one space each side, the title is centred over the
table, and rows are joined by rich's heavy-head box. :func:`plain_table` writes that text
directly, and returns None for anything where rich does more (a cell or title rich would
read as markup or emoji, wrap, or measure differently: anything but printable ASCII without
``[``, ``:`` and edge spaces; a table wider than the console), so the caller falls back to
rich. tests/report/test_plain_table.py compares the two on random tables.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["plain_table", "plain_line"]

_TOP, _HEAD, _RULE, _BODY, _BOTTOM = "┏━┳┓", "┃ ┃┃", "┡━╇┩", "│ ││", "└─┴┘"
"""rich's HEAVY_HEAD box: (left, fill, divider, right) of each line kind."""


def _plain(text: str) -> bool:
    """Text rich prints as it is: printable ASCII, no markup or emoji, no edge spaces."""
    return (text.isascii() and text.isprintable() and "[" not in text and ":" not in text
            and text == text.strip(" "))


def plain_line(text: str, width: int) -> str | None:
    """``text`` and a newline as rich's ``Console.print`` writes it at ``width`` columns,
    or None when rich would change it (see the module docstring)."""
    return text + "\n" if len(text) <= width and _plain(text) else None


def plain_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
                width: int) -> str | None:
    """The table rich's ``Table(title=title)`` with right-justified ``headers`` and
    ``rows`` prints at ``width`` columns, or None (see the module docstring)."""
    widths = [len(header) for header in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row)]
    table_width = sum(widths) + 3 * len(widths) + 1
    cells = [title, *headers, *(cell for row in rows for cell in row)]
    if table_width > width or len(title) > table_width or not all(map(_plain, cells)):
        return None
    left = (table_width - len(title)) // 2
    head = [" " * left + title + " " * (table_width - left - len(title)) + "\n"] if title else []

    def rule(box: str) -> str:
        return box[0] + box[2].join(box[1] * (w + 2) for w in widths) + box[3] + "\n"

    def line(box: str, row: Sequence[str]) -> str:
        return box[0] + box[2].join(f" {cell:>{w}} " for cell, w in zip(row, widths)) + box[3] + "\n"

    return "".join([*head, rule(_TOP), line(_HEAD, headers), rule(_RULE),
                    *(line(_BODY, row) for row in rows), rule(_BOTTOM)])
