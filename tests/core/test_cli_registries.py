"""The CLI offers exactly what the registries hold (issue 10 item 6): formats, fusions,
dtypes, transforms (with their registered help) and commands."""

from __future__ import annotations

import importlib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from costmodel.analysis.fusion import FUSIONS
from costmodel.cli import COMMANDS, main
from costmodel.lint.output import FORMATS as LINT_FORMATS
from costmodel.lint.registry import RULES
from costmodel.report.formats import FORMATS as REPORT_FORMATS
from costmodel.report.sweep_formats import SWEEP_RENDERERS
from costmodel.transforms import TRANSFORMS
from costmodel.units import DTYPE_BYTES


def _command(name: str) -> click.Command:
    command = main.get_command(click.Context(main), name)
    assert command is not None
    return command


def _choices(command: str, option: str) -> list[str]:
    (param,) = [p for p in _command(command).params if f"--{option}" in p.opts]
    assert isinstance(param.type, click.Choice)
    return list(param.type.choices)


@pytest.mark.parametrize(("command", "option", "registry"), [
    ("report", "format", REPORT_FORMATS), ("lint", "format", LINT_FORMATS),
    ("sweep", "format", SWEEP_RENDERERS), ("report", "fuse", FUSIONS), ("lint", "fuse", FUSIONS),
    ("report", "dtype", DTYPE_BYTES), ("lint", "dtype", DTYPE_BYTES), ("sweep", "dtype", DTYPE_BYTES),
])
def test_choices_are_the_registry(command: str, option: str, registry: dict[str, object]) -> None:
    assert _choices(command, option) == list(registry)


def test_transform_flags_are_the_registry_with_its_help_in_its_order() -> None:
    flags = [(param.opts[0], param.help) for param in _command("transform").params
             if isinstance(param, click.Option) and param.is_flag and param.opts[0][2:] in TRANSFORMS]
    assert flags == [(f"--{name}", definition.help) for name, definition in TRANSFORMS.items()]
    text = CliRunner().invoke(main, ["transform", "--help"], terminal_width=200).output
    shown = [line.split()[0] for line in text.splitlines()
             if line.strip().startswith("--") and line.split()[0][2:] in TRANSFORMS]
    assert shown == [f"--{name}" for name in TRANSFORMS]


def test_rule_lists_and_lint_checks_the_rule_registry() -> None:
    runner = CliRunner()
    listed = [line.split()[0] for line in runner.invoke(main, ["rule"]).output.splitlines()]
    assert listed == list(RULES)
    spec = str(Path(__file__).parents[2] / "specs" / "mobilenet_v1.yaml")
    result = runner.invoke(main, ["lint", spec, "--select", "Q9"])
    assert result.exit_code == 2 and "Q9" in result.output


def test_every_command_module_defines_its_command() -> None:
    for name in COMMANDS:
        assert _command(name).name == name


def test_every_command_module_is_listed() -> None:
    folder = Path(__file__).parents[2] / "costmodel" / "commands"
    # a command named like a Python keyword lives in name_.py as name_ (import_.py)
    defined = {path.stem.removesuffix("_") for path in folder.glob("*.py") if isinstance(
        getattr(importlib.import_module(f"costmodel.commands.{path.stem}"), path.stem, None),
        click.Command)}
    assert defined == set(COMMANDS)
