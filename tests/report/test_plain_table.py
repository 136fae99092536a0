"""The sweep's table and json writers against what they replace: rich's Table and
``json.dumps(records, indent=2)``, byte for byte, on random inputs."""

from __future__ import annotations

import io
import json
import random
from fractions import Fraction

import numpy as np
import pytest
from rich.console import Console

from costmodel.analysis.sweep import TOTAL_KEYS, SweepResult
from costmodel.latency.sweep import LATENCY_KEY
from costmodel.report import plain_table as plain_table_module
from costmodel.report.plain_table import plain_line, plain_table
from costmodel.report.sweep_formats import TABLE_WIDTH, _rich_table, render_json, render_table

ALPHABET = "abc XYZ 019./%-_()[]:µ×é\t"
"""Cell characters: plain ones, markup and emoji starts, non-ASCII, a tab."""


def rich_text(title: str, headers: list[str], rows: list[list[str]], width: int) -> str:
    """rich's layout of the table (the fallback's, without its footer line)."""
    return _rich_table(title, headers, rows, "", width).removesuffix("\n")


def random_text(rng: random.Random, plain: bool, longest: int) -> str:
    letters = "abcXYZ019./%-_() " if plain else ALPHABET
    text = "".join(rng.choice(letters) for _ in range(rng.randint(1, longest)))
    return text.strip() or "x" if plain else text


@pytest.mark.parametrize("seed", range(300))
def test_plain_table_is_rich_or_declines(seed):
    rng = random.Random(seed)
    plain = seed % 3 != 0
    columns = rng.randint(1, 9)
    headers = [random_text(rng, plain, 12) for _ in range(columns)]
    rows = [[random_text(rng, plain, rng.choice([4, 9, 16])) for _ in range(columns)]
            for _ in range(rng.randint(1, 8))]
    title = random_text(rng, plain, rng.choice([10, 40, 130]))
    width = rng.choice([40, 80, TABLE_WIDTH])
    text = plain_table(title, headers, rows, width)
    if text is not None:
        assert text == rich_text(title, headers, rows, width)


def test_plain_table_takes_the_sweep_tables_and_declines_rich_work():
    headers, rows = ["alpha", "maccs"], [["3/4", "1.37 M"], ["1", "300.8 M"]]
    assert plain_table("m sweep", headers, rows, TABLE_WIDTH) == rich_text("m sweep", headers, rows, TABLE_WIDTH)
    assert plain_table("m sweep", headers, [["1", "[bold]x"]], TABLE_WIDTH) is None  # markup
    assert plain_table("m sweep", headers, [["1", "1.0 ×10³⁰⁰"]], TABLE_WIDTH) is None  # non-ASCII
    assert plain_table("m sweep", ["x" * 60, "y" * 60], rows, TABLE_WIDTH) is None  # wider than 120
    assert plain_table("a much longer title than the table", ["a"], [["1"]], TABLE_WIDTH) is None


@pytest.mark.parametrize("text", ["% of the spec's defaults (params 3504872, maccs 300774272)",
                                  "x" * 120, "x" * 121, "a [b] c", "a :smile: b", " edge "])
def test_plain_line_is_rich_or_declines(text):
    console = Console(file=io.StringIO(), width=TABLE_WIDTH, force_terminal=False, color_system=None)
    console.print(text)
    line = plain_line(text, TABLE_WIDTH)
    assert line is None or line == console.file.getvalue()
    assert (line is None) == (len(text) > TABLE_WIDTH or "[" in text or ":" in text or text != text.strip())


def random_result(rng: random.Random, latency: bool) -> SweepResult:
    axes = {name: sorted({Fraction(rng.randint(-40, 400), rng.choice([1, 1, 4, 100]))
                          for _ in range(rng.randint(1, 7))})
            for name in rng.sample(["alpha", "resolution", "w%1", 'q"x'], rng.randint(1, 3))}
    shape = tuple(len(values) for values in axes.values())
    huge = rng.random() < 0.2
    totals = {key: np.array([rng.randint(0, 10**30 if huge else 10**9) for _ in range(int(np.prod(shape)))],
                            dtype=object if huge else np.int64).reshape(shape)
              for key in TOTAL_KEYS}
    if latency:
        totals[LATENCY_KEY] = np.array([rng.choice([rng.random() * 1e4, float("inf"), 1e-7])
                                        for _ in range(int(np.prod(shape)))]).reshape(shape)
    baseline = {key: rng.choice([0, 1, 3_504_872, 10**40]) for key in TOTAL_KEYS}
    fixed = {"classes": rng.randint(1, 10)} if rng.random() < 0.5 else {}
    return SweepResult("m" + "x" * rng.randint(0, 90), axes, fixed, "fp32", totals, baseline,
                       rng.choice(["exact", "compiled"]))


@pytest.mark.parametrize("seed", range(60))
def test_json_is_json_dumps_of_the_records(seed):
    rng = random.Random(seed)
    result = random_result(rng, latency=seed % 4 == 0)
    records = result.records()
    if LATENCY_KEY in result.totals:
        for record, value in zip(records, result.totals[LATENCY_KEY].reshape(-1).tolist()):
            record["totals"][LATENCY_KEY] = value
    assert "".join(render_json(result)) == json.dumps(records, indent=2) + "\n"


@pytest.mark.parametrize("seed", range(60))
def test_table_is_richs(seed, monkeypatch):
    result = random_result(random.Random(seed), latency=seed % 4 == 0)
    text = "".join(render_table(result))
    monkeypatch.setattr(plain_table_module, "plain_table", lambda *args: None)  # rich lays it out
    assert text == "".join(render_table(result))
