"""Hostile cases generated from the program's own registries (session 6): every field of
every op, every option of every command, every path option given every kind of path, and
spec shapes the hand-written classes of tools/hostile_corpus.py do not reach (block chains,
alias bombs inside valid fields, expressions and parameter names that shadow built-ins).

Generated, so that a new op, field or option is covered the day it lands. The cases are
judged by hostile_corpus's rules; :func:`cases` takes that module (it calls back into it)."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import click

from costmodel.errors import printable

__all__ = ["cases"]

FIELD_VALUES = ["x", "-1", "0", "0.5", "1e12", "'10**100'", "[1, 2, 3]", "[]", "{a: 1}", "true",
                "null", "'1/0'", "[x, 1]", "-0.5", "'alpha'", "[0, 0]"]
"""Values given to every field of every op (several are valid for some fields: judged 'any')."""

OPTION_VALUES = ["-1", "1e999", "٣", "x" * 5000, "\x1b[31m"]
"""Values given to every option that takes one (negative, beyond any float, a non-ASCII digit,
very long, an escape sequence); tools/hostile_corpus.py gives whole-number and size options
the rest (NaN, 0, fractions, empty, …)."""

PATH_KINDS = ["folder", "fifo", "/dev/zero", "missing/x", "dangling", "link_input", "hardlink_input",
              "input"]
"""What a path option is given: each names a file that must never be read to exhaustion,
blocked on, written through to the input, or silently created in a missing folder."""


def _op_fields(corpus: ModuleType) -> Iterator[Any]:
    """Every op × every field × FIELD_VALUES (one per field, rotating, so all values are used
    across the ops): report of a one-layer spec, and check of every third. (All 16 values on
    every field, in-process, found one exception: tests/safety/test_tracebacks.py.)"""
    from costmodel.spec.base import LayerSpec
    from costmodel.spec.layers import LAYER_CLASSES

    common = set(LayerSpec.model_fields)
    turn = 0
    for op, layer_class in sorted(LAYER_CLASSES.items()):
        for field in (name for name in layer_class.model_fields if name not in common):
            value = FIELD_VALUES[turn % len(FIELD_VALUES)]
            text = corpus.one(f"{{op: {op}, {field}: {value}}}", input_="[8, 16, 16]",
                              params="{alpha: {default: 1, min: 0.1, max: 10}}")
            for command in ("report", "check") if turn % 3 == 0 else ("report",):
                yield corpus.Case(f"op_field/{op}.{field}={value}/{command}", [command, "s.yaml"],
                                  {"s.yaml": text}, expect="any")
            turn += 1
    for value in ("[]", "[0]", "[-4, 12]"):
        for op in ("split", "concat_shuffle_split"):
            yield corpus.Case(f"op_field/{op}.sections={value}/edge", ["report", "s.yaml"],
                              {"s.yaml": corpus.one(f"{{op: {op}, groups: 2, sections: {value}}}"
                                                    if op != "split" else f"{{op: split, sections: {value}}}",
                                                    input_="[8, 16, 16]")})


BASE_ARGV = {
    "report": ["report", "s.yaml"], "sweep": ["sweep", "s.yaml", "--width", "1"], "lint": ["lint", "s.yaml"],
    "check": ["check", "s.yaml"], "transform": ["transform", "s.yaml", "--fold-bn"],
    "zoo": ["zoo", "--specs", "zs", "--output", "-"], "export": ["export", "s.yaml", "-o", "e.onnx"],
    "space": ["space", "sp.yaml"], "measure": ["measure", "s.yaml", "--runs", "1", "--warmup", "0"],
    "calibrate": ["calibrate", "--points", "2", "--rounds", "1", "-o", "p.json"],
    "import": ["import", "m.onnx", "-o", "out.yaml"], "diff": ["diff", "s.yaml", "s.yaml"],
    "schema": ["schema"],
}
"""Each command with the least it needs to run on the case's files."""


def _command(name: str) -> click.Command:
    from costmodel.cli import COMMANDS, main

    command = main.get_command(click.Context(main), name)
    assert command is not None, (name, COMMANDS)
    return command


def _options(name: str) -> Iterator[tuple[str, click.Option]]:
    """The options of command ``name`` that take a value (flags and --help left out)."""
    for param in _command(name).params:
        if isinstance(param, click.Option) and not param.is_flag and param.name != "help":
            yield max(param.opts, key=len), param


def _files(corpus: ModuleType) -> dict[str, str | bytes | Any]:
    valid = corpus._hostile_onnx().serialized(corpus._hostile_onnx().models()["valid"])
    return {"s.yaml": corpus.BASE, "zs/a.yaml": corpus.BASE, "sp.yaml": corpus.SPACE_TEXT, "m.onnx": valid}


def _option_values(corpus: ModuleType) -> Iterator[Any]:
    """Every value-taking option of every command × OPTION_VALUES (huge, negative, NaN,
    fractional, non-ASCII digits, empty, very long, an escape sequence): exit 0, or one line."""
    files = _files(corpus)
    for command, argv in BASE_ARGV.items():
        for flag, _ in _options(command):
            for value in OPTION_VALUES:
                shown = value if len(value) < 40 else f"{value[:3]}…×{len(value)}"
                subject = argv[1] if len(argv) > 1 else command
                yield corpus.Case(f"option/{command} {flag}/{shown!r}", [*argv, flag, value], files,
                                  expect="any", names=f"{subject}|{command}|{flag}|{printable(value)[:20]}",
                                  outputs=(value, f"{value}/maccs_min.yaml", f"{value}/maccs_max.yaml",
                                           "e.onnx", "p.json", "out.yaml"))  # --write-extremes makes a folder


PATH_OPTIONS = {
    ("report", "--latency"), ("lint", "--latency"), ("sweep", "--latency"), ("sweep", "--plot"),
    ("transform", "--output"), ("export", "--output"), ("import", "--output"), ("schema", "--output"),
    ("calibrate", "--output"), ("zoo", "--output"), ("zoo", "--notes"), ("zoo", "--specs"),
    ("space", "--out"), ("space", "--write-extremes"),
}
"""Options naming a file or folder (besides each command's SPEC/MODEL argument)."""


FOLDERS_ALLOWED = {("--write-extremes", "folder"), ("--write-extremes", "missing/x"), ("--notes", "folder")}
"""Path options for which a folder (existing or to make) is what they take."""

SUFFIXES = {"--plot": ".png", "--latency": ".json", "export": ".onnx", "calibrate": ".json"}
"""The extension a path option expects (so that a link or a hard link is not refused for its
name alone, and the case reaches the check it is about)."""


def _path(corpus: ModuleType, kind: str, input_: str, suffix: str) -> tuple[str, dict[str, Any]]:
    """The path a case passes for ``kind``, and the files it needs beside the defaults."""
    made = {"folder": ("d", corpus.FOLDER), "fifo": ("f" + suffix, corpus.FIFO),
            "dangling": ("l" + suffix, corpus.link("nowhere/x" + suffix)),
            "link_input": ("l" + suffix, corpus.link(input_)),
            "hardlink_input": ("h" + suffix, corpus.Special("hardlink", input_))}
    if kind in made:
        name, special = made[kind]
        return name, {name: special}
    return (input_ if kind == "input" else kind), {}


def _paths(corpus: ModuleType) -> Iterator[Any]:
    """Every path option, and every command's input, given a folder, a FIFO, /dev/zero, a
    path in a missing folder, a dangling link, a link or hard link to the input, the input."""
    files = _files(corpus)
    for command, flag in sorted(PATH_OPTIONS):
        argv = list(BASE_ARGV[command])
        for own in {flag, "-o"} & set(argv):  # the base's own value of this option is replaced
            del argv[argv.index(own):argv.index(own) + 2]
        if command == "space" and flag == "--out":
            argv += ["--sample", "1"]
        input_ = "zs/a.yaml" if command == "zoo" else argv[1] if len(argv) > 1 and argv[1][0] != "-" else "s.yaml"
        suffix = SUFFIXES.get(flag, SUFFIXES.get(command, ".yaml"))
        force = ["--force"] if command in ("transform", "export", "import", "schema") else []
        for kind in PATH_KINDS:
            if command in ("schema", "calibrate") and kind in ("link_input", "hardlink_input", "input"):
                continue  # no input to protect (an existing -o is refused without --force)
            path, made = _path(corpus, kind, input_, suffix)
            # a folder to write into (or make), or to read notes from, is valid
            valid = (flag, kind) in FOLDERS_ALLOWED
            yield corpus.Case(f"path/{command} {flag}/{kind}", [*argv, flag, path, *force], {**files, **made},
                              expect="any" if valid else "error", names=f"{path}|{input_}",
                              outputs=tuple(f"{path}/maccs_{end}.yaml" for end in ("min", "max")))
    for command, argv in BASE_ARGV.items():
        if len(argv) < 2 or argv[1].startswith("-"):
            continue
        for kind in ("link_input", "hardlink_input", "dangling"):
            path, made = _path(corpus, kind, argv[1], "." + argv[1].rsplit(".", 1)[-1])
            yield corpus.Case(f"path/{command} input/{kind}", [argv[0], path, *argv[2:]], {**files, **made},
                              expect="error" if kind == "dangling" else "any", names=path,
                              outputs=("e.onnx", "p.json", "out.yaml"))


def _block_chain(corpus: ModuleType, depth: int) -> str:
    blocks = ", ".join(f"b{i}: {{layers: [{{op: b{i + 1}}}]}}" for i in range(depth))
    return corpus.spec("  - {op: b0}\n", extra=f"blocks: {{{blocks}, b{depth}: {{layers: [{{op: relu}}]}}}}\n")


ALIAS_BOMBS = {
    "lint_ignore": ("lint", "lint: {ignore: {'*': *a8}}\n"),
    "description": ("report", "description: *a8\n"),
    "choices": ("space", "choices: {alpha: *a8}\n"),
    "variants": ("zoo", "variants: *a8\n"),
    "first": ("report", None),
}
"""Where a nine-fold, nine-deep alias bomb (9⁹ values) is placed inside an otherwise valid spec."""


def _shapes(corpus: ModuleType) -> Iterator[Any]:
    """Block chains deeper than the nesting limit (recursion in every walk), alias bombs in
    valid fields, expressions and parameter names that shadow what the evaluator knows."""
    for depth in (17, 400, 1000, 5000):
        for command, argv in BASE_ARGV.items():
            if command in ("report", "lint", "check", "transform", "export", "sweep", "diff"):
                yield corpus.Case(f"shape/block_chain_{depth}/{command}", argv, {"s.yaml": _block_chain(corpus, depth)},
                                  expect="any" if depth < 16 else "error")
    bomb = "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 9))
    for name, (command, extra) in ALIAS_BOMBS.items():
        layers = "  - {op: relu, repeat: 2, first: *a8}\n" if extra is None else "  - {op: relu}\n"
        text = bomb + corpus.spec(layers, params="{alpha: {default: 1, min: 0.1, max: 10}}", extra=extra or "")
        argv = ["zoo", "--specs", ".", "--output", "-"] if command == "zoo" else [command, "s.yaml"]
        yield corpus.Case(f"shape/alias_bomb_{name}", argv, {"s.yaml": text}, names="s.yaml|.")
    for text in ("alpha ** 100000", "alpha ** -100000", "(-8) ** (1/3)", "0 ** -1", "2 ** 0.5 * 4",
                 "8 // 0.0", "4 @ 4", "4 << 2", "~4", "make_divisible(alpha*16, 8, 0)",
                 "make_divisible(alpha*16, -8)", "make_divisible(alpha*16, 0.5)", "make_divisible(1e300*alpha, 8)",
                 "1/0 if 0 else 4", "divmod(8, 3)", "alpha[::-1]", "4;5", "1e1_0", "04", "round(4.5, 1)"):
        yield corpus.Case(f"shape/expr/{text}", ["report", "s.yaml", "--totals-only"],
                          {"s.yaml": corpus.with_out(repr(text))}, expect="any")
    for name in ("min", "max", "floor", "round", "make_divisible", "abs", "True", "None", "input", "e", "pi",
                 "inf", "nan", "__builtins__", "Fraction", "math", "sympy", "S", "I", "E", "N", "oo", "zoo",
                 "Symbol", "Integer"):
        text = corpus.spec(f"  - {{op: conv2d, out: '{name} * 4', kernel: 1}}\n",
                           params=f"{{'{name}': {{default: 1, min: 1, max: 1000}}}}")
        for argv in (["report", "s.yaml"], ["report", "s.yaml", "--symbolic", name],
                     ["sweep", "s.yaml", "--set-range", f"{name}=1:100:1", "--format", "csv"],
                     ["diff", "s.yaml", "--set-b", f"{name}=2"]):
            yield corpus.Case(f"shape/param_{name}/{' '.join(argv[:1] + argv[2:3])}", argv, {"s.yaml": text},
                              expect="any")
    for option in (["--map", "nosuchmodule:f"], ["--map", "json:zz"], ["--map", "json:__name__"], ["--map", "os"],
                   ["--map", "costmodel.space.worker:measure", "--address", "junk"],
                   ["--map", "costmodel.space.worker:measure", "--address", "tcp://127.0.0.1:1"]):
        yield corpus.Case(f"shape/space_map/{' '.join(option)}", ["space", "sp.yaml", "--sample", "1", *option],
                          {"sp.yaml": corpus.SPACE_TEXT}, names="sp.yaml")
    for value in ("-1", "0.5", "[1, 2, 3]", "true", "x"):
        yield corpus.Case(f"shape/lint_thresholds_{value}", ["lint", "s.yaml"],
                          {"s.yaml": corpus.spec("  - {op: relu}\n", extra=f"lint: {{thresholds: {value}}}\n")})


def _full_stdout(corpus: ModuleType) -> Iterator[Any]:
    """Every command (and --help, --version) with its standard output on /dev/full: one line
    saying the output could not be written, exit 2 (never a traceback, never exit 0)."""
    files = _files(corpus)
    for command, argv in {**BASE_ARGV, "ops": ["ops"], "rule": ["rule"], "help": ["--help"],
                          "version": ["--version"], "report_help": ["report", "--help"]}.items():
        if command in ("calibrate", "measure"):
            continue  # they print after seconds of timing; their writes are the same echo
        yield corpus.Case(f"stdout_full/{command}", argv, files, names="standard output", stdout="/dev/full",
                          outputs=("e.onnx", "out.yaml"))


def cases(corpus: ModuleType) -> Iterator[Any]:
    """Every generated case (hostile_corpus's ``Case`` objects)."""
    yield from _op_fields(corpus)
    yield from _option_values(corpus)
    yield from _paths(corpus)
    yield from _shapes(corpus)
    yield from _full_stdout(corpus)
