"""The per-op tables of the reference's runners and of the exporters: each op once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from costmodel.export.builder import EXPORTERS, register_exporter
from costmodel.reference.forward import RUNNERS, register_runner
from costmodel.reference.registry import op_registrar


def test_entered_under_every_op_and_returned_unchanged() -> None:
    table: dict[str, Callable[..., object]] = {}
    register = op_registrar(table, "a thing")

    def run() -> None: ...

    assert register("a", "b")(run) is run
    assert table == {"a": run, "b": run}


def test_a_second_entry_is_refused_and_the_first_kept() -> None:
    table: dict[str, Callable[..., object]] = {}
    register = op_registrar(table, "a thing")

    def first() -> None: ...

    def second() -> None: ...

    register("a")(first)
    with pytest.raises(ValueError, match=r"^a thing for op 'a' is registered twice$"):
        register("a")(second)
    assert table == {"a": first}


@pytest.mark.parametrize(("register", "table", "message"), [
    (register_runner, RUNNERS, "a runner for op 'conv2d' is registered twice"),
    (register_exporter, EXPORTERS, "an exporter for op 'conv2d' is registered twice"),
])
def test_the_runners_and_exporters_refuse_a_second_conv2d(
        register: Callable[..., Callable[[Callable[..., object]], object]],
        table: dict[str, object], message: str) -> None:
    before = table["conv2d"]
    with pytest.raises(ValueError, match=f"^{message}$"):
        register("conv2d")(lambda *args: [])
    assert table["conv2d"] is before
