"""The spec loader remembers each plain scalar's tag and value by its text (a spec repeats
a few words and numbers thousands of times): what it remembers must never carry a place or
a mistake from one use to the next."""

from __future__ import annotations

from fractions import Fraction

import pytest

from costmodel.errors import SpecError
from costmodel.spec.located_yaml import load_yaml


def test_the_same_bad_scalar_is_refused_at_each_line_it_is_met() -> None:
    for line in (1, 3, 2):
        text = "".join("x: 010\n" if row == line else f"k{row}: 1\n" for row in (1, 2, 3))
        with pytest.raises(SpecError) as caught:
            load_yaml("s.yaml", text)
        assert caught.value.line == line and "leading zero" in caught.value.message


def test_a_text_is_typed_by_how_it_is_written_each_time() -> None:
    data = load_yaml("s.yaml", "a: 0.75\nb: '0.75'\nc: 0.75\nd: null\ne: 'null'\nf: true\ng: 'true'\n"
                               "h: yes_no\ni: 'yes'\nj: 1e3\nk: 0x10\n")
    assert data == {"a": Fraction(3, 4), "b": "0.75", "c": Fraction(3, 4), "d": None, "e": "null",
                    "f": True, "g": "true", "h": "yes_no", "i": "yes", "j": 1000, "k": 16}
    assert type(data["j"]) is int and type(data["a"]) is Fraction
    with pytest.raises(SpecError) as caught:  # quoted 'yes' is text, plain yes is refused
        load_yaml("s.yaml", "i: 'yes'\nj: yes\n")
    assert caught.value.line == 2


def test_keys_and_values_share_the_remembered_text() -> None:
    data = load_yaml("s.yaml", "op: op\n'1': 1\nlist: [op, '1', 1]\n")
    assert data == {"op": "op", "1": 1, "list": ["op", "1", 1]}
    assert data.key_lines == {"op": 1, "1": 2, "list": 3}
