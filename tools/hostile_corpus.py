"""Hostile corpus: several hundred generated inputs run against every command (issue 9).

Each case is a command line and the files it runs on (written to a fresh folder: text,
bytes, FIFOs, folders, symlinks; the repository's specs are read in place). The case runs
as a subprocess with a wall timeout (10 s), 2 GiB of address space (RLIMIT_AS) and 10 s
of CPU (RLIMIT_CPU), standard input closed. It passes when

- it exits 0 (where success is allowed) and its output holds the expected figures, or
- it exits 2 (where an error is allowed) with exactly ONE stderr line, starting with
  ``error:`` and naming the file (or folder) the case is about, and no traceback;

and, either way, no file in its folder or in the repository's specs/ and docs/ changed,
and no file appeared except the outputs the case names (only on success).

    python tools/hostile_corpus.py             # the full corpus, 2 workers
    python tools/hostile_corpus.py -k expr -v  # the cases whose name contains 'expr'

tests/safety/test_hostile.py runs a fast subset (:func:`sample`) in the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import resource
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Case", "cases", "sample", "run", "tree", "main", "Outcome"]

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
V1 = str(SPECS / "mobilenet_v1.yaml")
V2 = str(SPECS / "mobilenet_v2.yaml")
MOBILEONE = str(SPECS / "mobileone.yaml")
SQUEEZE = str(SPECS / "squeezenet1_0.yaml")
SPACE = str(SPECS / "spaces" / "mcunet.yaml")
TIMEOUT = 10.0
"""CPU seconds a case may use (RLIMIT_CPU, and measured)."""
WALL = 60.0
"""Wall seconds before a case counts as blocked (a FIFO read never returns); generous, since
the machine may be shared: the 10 s bound is on CPU time."""
MEMORY = 2 * 2**30
_SCRIPT = Path(sys.executable).with_name("costmodel")
PROGRAM = [str(_SCRIPT)] if _SCRIPT.exists() else [
    sys.executable, "-c", "from costmodel.cli import main; main(prog_name='costmodel')"]


class Special:
    """A file that is not text: a FIFO, a folder, a symlink (to ``target``), or a file
    without read permission."""

    def __init__(self, kind: str, target: str = "") -> None:
        self.kind, self.target = kind, target


FIFO, FOLDER = Special("fifo"), Special("dir")


def link(target: str) -> Special:
    """A symlink to ``target``."""
    return Special("link", target)


@dataclass
class Case:
    """One command line. ``expect``: 'error' (exit 2), 'ok' (exit 0) or 'any' (either,
    each judged by its rule). ``names``: what the error line must name (default: the
    first file of ``files``, else the first argument that is a path). ``figures``: text
    stdout must contain on success. ``outputs``: files success may create."""

    name: str
    argv: list[str]
    files: dict[str, str | bytes | Special] = field(default_factory=dict)
    expect: str = "error"
    names: str | None = None
    figures: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()


# -- the spec texts ------------------------------------------------------------------------

BASE = """\
model: tiny
params:
  alpha: {default: 1, min: 0.1, max: 10}
  resolution: {default: 32, min: 8, max: 512}
input: [3, resolution, resolution]
layers:
  - {name: stem, op: conv_bn_act, out: "make_divisible(16 * alpha, 8)", kernel: 3, stride: 2}
  - {name: pool, op: global_avg_pool}
  - {name: flat, op: flatten}
  - {name: fc, op: linear, out: 10}
"""
"""A valid spec: conv 3→16 k3 (432 weights) + BN (32) → pool → linear 16→10 (160 + 10):
634 params. MACCs at 32×32: the conv 16·16·16·27 = 110,592, the linear 160: 110,752."""

BASE_FIGURES = ("634", "110,752")


def spec(layers: str, params: str = "{}", input_: str = "[3, 32, 32]", extra: str = "") -> str:
    """A spec text from its parts (layers as YAML lines under ``layers:``)."""
    return f"model: t\nparams: {params}\ninput: {input_}\n{extra}layers:\n{layers}"


def one(layer: str, **kwargs: str) -> str:
    """A spec of one layer given as a flow mapping."""
    return spec(f"  - {layer}\n", **kwargs)


def with_out(value: str) -> str:
    """A conv whose ``out`` is ``value`` (an expression's hostile text goes here)."""
    return one(f"{{name: c, op: conv2d, out: {value}, kernel: 1}}",
               params="{alpha: {default: 1, min: 0.1, max: 10}}")


MALFORMED_YAML = {
    "unclosed_quote": 'model: "t\ninput: [3, 8, 8]\n',
    "unclosed_flow": "model: t\ninput: [3, 8, 8\nlayers: []\n",
    "unclosed_map": "{model: t, input: [3, 8, 8]\n",
    "tab_indent": "model: t\nlayers:\n\t- {op: relu}\n",
    "bad_indent": "model: t\n  input: [3, 8, 8]\n layers: 1\n",
    "dash_soup": "- - -\n- : :\n",
    "yaml_directive": "%YAML 2.0\n---\nmodel: t\n",
    "two_documents": "model: t\n---\nmodel: u\n",
    "only_comments": "# nothing here\n# at all\n",
    "empty": "",
    "null": "null\n",
    "scalar": "42\n",
    "list": "[1, 2, 3]\n",
    "string": "'a spec'\n",
    "nul_bytes": "model: t\x00\ninput: [3, 8, 8]\n",
    "bom_then_junk": "\ufeff: : :\n",
    "python_tag": "model: !!python/object/apply:os.system ['touch pwned']\n",
    "python_name": "model: !!python/name:os.system\n",
    "binary_tag": "model: !!binary aGVsbG8=\ninput: [3, 8, 8]\nlayers: [{op: relu}]\n",
    "custom_tag": "model: !custom t\n",
    "set_tag": "model: !!set {a, b}\n",
    "merge_key": "base: &b {op: relu}\nmodel: t\ninput: [3, 8, 8]\nlayers: [{<<: *b}]\n",
    "recursive_alias": "a: &a [*a]\n",
    "recursive_map": "a: &a {b: *a}\n",
    "undefined_alias": "model: *nowhere\n",
    "duplicate_key": "model: t\nmodel: u\ninput: [3, 8, 8]\nlayers: [{op: relu}]\n",
    "duplicate_layer_key": "model: t\ninput: [3, 8, 8]\nlayers:\n  - {op: relu, op: relu6}\n",
    "complex_key": "? [a, b]\n: 1\n",
    "nested_100": "a: " + "[" * 100 + "]" * 100 + "\n",
    "nested_1000": "a: " + "[" * 1000 + "]" * 1000 + "\n",
    "nested_maps_200": "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v\n",
    "billion_laughs": "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)),
    "long_line": "model: " + "x" * 3_000_000 + "\n",
    "huge_file": "# " + "y" * (5 * 2**20) + "\n",
    "many_keys": "".join(f"k{i}: {i}\n" for i in range(250_000)),
    "control_chars": "model: \x1b[31mred\x07\ninput: [3, 8, 8]\nlayers: [{op: relu}]\n",
    "only_bom": "\ufeff",
    "crlf": "model: t\r\ninput: [3, 8, 8]\r\nlayers: [{op: conv2d, out: 4, kernel: 1}]\r\n",
}
"""Texts that are not a spec at all, or YAML the loader must refuse. (``crlf`` is valid.)"""

WRONG_TYPES = {
    "no_model": "input: [3, 8, 8]\nlayers: [{op: relu}]\n",
    "no_layers": "model: t\ninput: [3, 8, 8]\n",
    "empty_layers": "model: t\ninput: [3, 8, 8]\nlayers: []\n",
    "layers_map": "model: t\ninput: [3, 8, 8]\nlayers: {op: relu}\n",
    "layer_int": "model: t\ninput: [3, 8, 8]\nlayers: [1]\n",
    "layer_list": "model: t\ninput: [3, 8, 8]\nlayers: [[op, relu]]\n",
    "op_int": one("{op: 5}", input_="[3, 8, 8]"),
    "op_missing": one("{out: 4}", input_="[3, 8, 8]"),
    "op_unknown": one("{op: conv3d, out: 4}", input_="[3, 8, 8]"),
    "op_null": one("{op: null}", input_="[3, 8, 8]"),
    "field_unknown": one("{op: conv2d, out: 4, kernal: 3}"),
    "out_list": one("{op: conv2d, out: [1, 2, 3], kernel: 1}"),
    "out_bool": one("{op: conv2d, out: true, kernel: 1}"),
    "out_null": one("{op: conv2d, out: null, kernel: 1}"),
    "out_map": one("{op: conv2d, out: {a: 1}, kernel: 1}"),
    "out_float_fraction": one("{op: conv2d, out: 4.5, kernel: 1}"),
    "kernel_text": one("{op: conv2d, out: 4, kernel: 3x3}"),
    "kernel_triple": one("{op: conv2d, out: 4, kernel: [3, 3, 3]}"),
    "stride_map": one("{op: conv2d, out: 4, kernel: 3, stride: {a: 1}}"),
    "name_list": one("{op: relu, name: [1, 2]}"),
    "inputs_int": spec("  - {name: a, op: relu}\n  - {op: add, inputs: 5}\n"),
    "input_text": "model: t\ninput: abc\nlayers: [{op: relu}]\n",
    "input_short": "model: t\ninput: [3]\nlayers: [{op: relu}]\n",
    "input_long": "model: t\ninput: [3, 8, 8, 8]\nlayers: [{op: relu}]\n",
    "input_text_item": "model: t\ninput: [3, x, 8]\nlayers: [{op: relu}]\n",
    "input_zero": "model: t\ninput: [3, 0, 8]\nlayers: [{op: relu}]\n",
    "input_negative": "model: t\ninput: [-3, 8, 8]\nlayers: [{op: relu}]\n",
    "input_fraction": "model: t\ninput: [3, 8.5, 8]\nlayers: [{op: relu}]\n",
    "batch_zero": spec("  - {op: relu}\n", extra="batch: 0\n"),
    "batch_negative": spec("  - {op: relu}\n", extra="batch: -2\n"),
    "batch_text": spec("  - {op: relu}\n", extra="batch: lots\n"),
    "model_int": "model: 5\ninput: [3, 8, 8]\nlayers: [{op: relu}]\n",
    "params_list": spec("  - {op: relu}\n", params="[1, 2]"),
    "param_list_value": spec("  - {op: relu}\n", params="{a: [1]}"),
    "param_min_text": spec("  - {op: relu}\n", params="{a: {default: 1, min: x}}"),
    "param_default_outside": spec("  - {op: relu}\n", params="{a: {default: 5, max: 1}}"),
    "param_unknown_key": spec("  - {op: relu}\n", params="{a: {default: 1, step: 2}}"),
    "param_no_default": spec("  - {op: relu}\n", params="{a: {min: 1}}"),
    "param_later_name": spec("  - {op: relu}\n", params="{a: b, b: 1}"),
    "repeat_negative": one("{op: relu, repeat: -1}"),
    "repeat_zero": one("{op: relu, repeat: 0}"),
    "repeat_fraction": one("{op: relu, repeat: 1.5}"),
    "repeat_text": one("{op: relu, repeat: many}"),
    "first_without_repeat": one("{op: conv2d, out: 4, kernel: 1, first: {stride: 2}}"),
    "first_bad_field": one("{op: conv2d, out: 4, kernel: 1, repeat: 2, first: {strid: 2}}"),
    "variant_unknown_binding": spec("  - {op: relu}\n", params="{a: {default: 1, min: 0, max: 9}}",
                                    extra="variants: [{name: v, bindings: {zz: 1}}]\n"),
    "variant_outside_domain": spec("  - {op: relu}\n", params="{a: {default: 1, min: 0, max: 9}}",
                                   extra="variants: [{name: v, bindings: {a: 10}}]\n"),
    "published_text": spec("  - {op: relu}\n", extra="variants: [{name: v, published: {params: abc}}]\n"),
    "published_metric": spec("  - {op: relu}\n", extra="variants: [{name: v, published: {flops: 1}}]\n"),
    "published_nan": spec("  - {op: relu}\n", extra="variants: [{name: v, published: {params: .nan}}]\n"),
    "published_inf": spec("  - {op: relu}\n", extra="variants: [{name: v, published: {params: .inf}}]\n"),
    "published_huge": spec("  - {op: relu}\n", extra="variants: [{name: v, published: {params: 1e999999999}}]\n"),
    "lint_unknown_key": spec("  - {op: relu}\n", extra="lint: {threshold: {}}\n"),
    "lint_unknown_code": spec("  - {op: relu}\n", extra="lint: {thresholds: {ZZ9: {ratio: 1}}}\n"),
    "lint_negative": spec("  - {op: relu}\n", extra="lint: {thresholds: {G1: {ratio: -1}}}\n"),
    "lint_ignore_text": spec("  - {op: relu}\n", extra="lint: {ignore: 5}\n"),
    "choices_undeclared": spec("  - {op: relu}\n", extra="choices: {zz: [1, 2]}\n"),
    "blocks_list": spec("  - {op: relu}\n", extra="blocks: [1]\n"),
    "block_no_layers": spec("  - {op: b}\n", extra="blocks: {b: {params: {}}}\n"),
    "block_named_builtin": spec("  - {op: relu}\n", extra="blocks: {relu: {layers: [{op: relu6}]}}\n"),
    "block_missing_arg": spec("  - {op: b}\n", extra="blocks: {b: {params: {c: null}, layers: [{op: conv2d, out: c, kernel: 1}]}}\n"),
    "block_unknown_arg": spec("  - {op: b, zz: 1}\n", extra="blocks: {b: {layers: [{op: relu}]}}\n"),
    "pool_padding": one("{op: max_pool, kernel: 3, stride: 1, padding: 2}"),
    "dropout_one": one("{op: dropout, p: 1}"),
    "dropout_negative": one("{op: dropout, p: -0.1}"),
    "se_negative": one("{op: squeeze_excitation, se_ratio: -0.25}"),
    "split_both": one("{op: split, parts: 2, sections: [1, 2]}"),
    "split_parts_1e8": one("{op: split, parts: 100000000}"),
    "ghost_ratio_zero": one("{op: ghost_module, out: 16, ratio: 0}"),
    "sandglass_reduction_zero": one("{op: sandglass, out: 16, reduction: 0}"),
    "yaml11_octal": one("{op: conv2d, out: 010, kernel: 1}"),
    "yaml11_sexagesimal": one("{op: conv2d, out: 4, kernel: 1, stride: 1:3}"),
    "yaml11_yes": one("{op: conv2d, out: 4, kernel: 1, bias: yes}"),
    "float_inf": one("{op: conv2d, out: .inf, kernel: 1}"),
    "float_nan": one("{op: conv2d, out: .nan, kernel: 1}"),
}
"""Specs of the wrong shape or with values outside their field's domain."""

GRAPHS = {
    "self_input": spec("  - {name: a, op: relu, inputs: a}\n"),
    "cycle": spec("  - {name: a, op: add, inputs: [input, b]}\n  - {name: b, op: relu, inputs: a}\n"),
    "unknown_input": spec("  - {name: a, op: relu, inputs: nowhere}\n"),
    "output_index": spec("  - {name: s, op: split, parts: 3}\n  - {op: relu, inputs: 's:5'}\n"),
    "output_index_text": spec("  - {name: s, op: split, parts: 3}\n  - {op: relu, inputs: 's:x'}\n"),
    "duplicate_name": spec("  - {name: a, op: relu}\n  - {name: a, op: relu6}\n"),
    "add_channels": spec("  - {name: a, op: conv2d, out: 4, kernel: 1, inputs: input}\n"
                         "  - {name: b, op: conv2d, out: 5, kernel: 1, inputs: input}\n"
                         "  - {op: add, inputs: [a, b]}\n"),
    "concat_spatial": spec("  - {name: a, op: conv2d, out: 4, kernel: 1, stride: 2, inputs: input}\n"
                           "  - {name: b, op: conv2d, out: 4, kernel: 1, inputs: input}\n"
                           "  - {op: concat, inputs: [a, b]}\n"),
    "groups_divide": one("{op: conv2d, out: 4, kernel: 1, groups: 2}"),
    "linear_on_image": one("{op: linear, out: 4}"),
    "flatten_twice": spec("  - {op: flatten}\n  - {op: flatten}\n"),  # valid: a no-op
    "spatial_zero_pool": one("{op: max_pool, kernel: 64, stride: 1}"),
    "spatial_zero_chain": spec("".join("  - {op: max_pool, kernel: 2, stride: 2}\n" for _ in range(7))),
    "channels_round_zero": with_out("round(alpha * 0.2)"),
    "channels_negative": with_out("-4"),
    "channels_fraction": with_out("alpha / 3"),
    "make_divisible_negative": with_out("make_divisible(-8 * alpha, 8)"),
    "make_divisible_zero_divisor": with_out("make_divisible(8, 0)"),
    "block_recursion": spec("  - {op: b}\n", extra="blocks: {b: {layers: [{op: c}]}, c: {layers: [{op: b}]}}\n"),
    "block_self": spec("  - {op: b}\n", extra="blocks: {b: {layers: [{op: b}]}}\n"),
    "block_output_unknown": spec("  - {op: b}\n", extra="blocks: {b: {output: zz, layers: [{op: relu}]}}\n"),
    "unread_output": spec("  - {name: a, op: conv2d, out: 4, kernel: 1, inputs: input}\n"
                          "  - {name: b, op: conv2d, out: 4, kernel: 1, inputs: input}\n"),
}
"""Graphs that cannot be built (``unread_output`` is valid: a warning, exit 0;
``flatten_twice`` too: flattening a vector is a no-op)."""

EXPRESSIONS = {
    "import": "__import__('os').system('touch pwned')",
    "lambda": "(lambda: 4)()",
    "attribute": "alpha.real",
    "dunder_class": "().__class__",
    "open": "open('pwned', 'w')",
    "eval": "eval('4')",
    "exec": "exec('x = 4')",
    "globals": "globals()",
    "list": "[4][0]",
    "dict": "{4: 4}",
    "set": "{4}",
    "fstring": "f'{alpha}'",
    "ternary": "4 if alpha else 8",
    "walrus": "(x := 4)",
    "starred": "max(*[4, 8])",
    "keyword": "max(4, key=alpha)",
    "subscript": "alpha[0]",
    "string": "'four'",
    "bytes": "b'4'",
    "comprehension": "sum(i for i in [4])",
    "power_tower": "9**9**9",
    "power_huge": "2**100000",
    "power_fraction": "4**0.5",
    "power_negative": "2**-1",
    "digits_101": "10**101",
    "div_zero": "4 / 0",
    "floordiv_zero": "4 // 0",
    "mod_zero": "4 % 0",
    "min_empty": "min()",
    "max_empty": "max()",
    "floor_two": "floor(1, 2)",
    "unknown_function": "sqrt(16)",
    "unknown_name": "beta * 4",
    "huge_literal": "1e999999999",
    "tiny_literal": "1e-999999999",
    "digits_5000": "1" * 5000,
    "arabic_digits": "'٣'",
    "fullwidth_name": "'ａlpha * 4'",
    "zero_width": "'alpha\u200b * 4'",
    "deep_parens": "'" + "(" * 5000 + "4" + ")" * 5000 + "'",
    "deep_unary": "'" + "-" * 20000 + "4'",
    "long_sum": "'" + "+".join(["1"] * 40000) + "'",
    "syntax_error": "'4 +* 4'",
    "comparison_chain": "'1 < alpha < 2 < 3'",
    "bool_op": "'alpha and 4'",
    "complex": "4j",
    "hex": "0x10",
    "underscore_number": "1_6",
    "newline": '"4\\n+ 4"',
    "ansi": '"\\e[31m4"',
}
"""Expression texts for a conv's ``out`` (the unsafe ones must never run)."""

LAYER_NAMES = {
    "newline": '"a\\nerror: forged"',
    "ansi": '"\\e[2J\\e[31mred"',
    "bell": '"\\a\\a"',
    "rtl_override": '"abc\\u202edcba"',
    "line_separator": '"a\\u2028b"',
    "nul": '"a\\0b"',
    "emoji": '"🙂"',
    "long": '"' + "n" * 10000 + '"',
    "empty": '""',
    "number": "5",
}
"""Names of a layer whose channels do not divide its groups (so the name is echoed)."""

ABSURD = {
    "out_1e30": one("{op: conv2d, out: 1000000000000000000000000000000, kernel: 1}"),
    "out_1e15": one("{op: conv2d, out: 1e15, kernel: 1}"),
    "kernel_1e6": one("{op: conv2d, out: 4, kernel: 1000000}"),
    "input_1e9": "model: t\ninput: [3, 1000000000, 1000000000]\nlayers: [{op: conv2d, out: 4, kernel: 1}]\n",
    "batch_1e12": spec("  - {op: conv2d, out: 4, kernel: 1}\n", extra="batch: 1000000000000\n"),
    "repeat_1e9": one("{op: relu, repeat: 1000000000}"),
    "repeat_1e100": one("{op: relu, repeat: 1e100}"),
    "repeat_expr_1e9": one("{op: relu, repeat: '10**9'}"),
    "repeat_at_limit": one("{op: relu, repeat: 200001}"),
    "nested_blocks_1e9": spec("  - {op: b3, repeat: 1000}\n", extra="blocks: {b1: {layers: [{op: relu, repeat: 1000}]}, "
                              "b2: {layers: [{op: b1, repeat: 1000}]}, b3: {layers: [{op: b2}]}}\n"),
    "branches_1e8": one("{op: mobileone_block, out: 8, branches: 100000000}"),
    "concat_many": spec("  - {name: a, op: relu}\n  - {op: concat, inputs: [" + ", ".join(["a"] * 5000) + "]}\n"),
    "chained_params": spec("  - {op: relu}\n", params="{" + ", ".join(
        [f"p{i}: p{i - 1} * p{i - 1}" if i else "p0: 10" for i in range(12)]) + "}"),
    "chained_bounded": spec("  - {op: relu}\n", params="{p0: 10, p1: p0 * p0, p2: p1 * p1}"),
}
"""Sizes that must be refused before they are allocated (``chained_bounded`` is valid)."""

SET_VALUES = ["abc", "", "1e999999999", "nan", "inf", "-1", "0", "0.001", "1000",
              "__import__('os')", "1/0", "٣", "ａ", "1e-999999999", "(" * 500 + "1" + ")" * 500,
              "alpha", "1 if 1 else 2", "[1]", "0x10", "1_0"]
SET_FORMS = ["zz=1", "=1", "alpha", "alpha==1", "alpha=1=2", "ａlpha=1"]
WIDTHS = ["0", "-1", "1:0:1", "0:1:0", "a:b:c", "1e9:1e10:1", "", ",", "0.1:100:0.0001",
          "1e999999999", "0.5,,1", "nan", "1:2:3:4", "0.5:1:-0.1"]
RESOLUTIONS = ["0", "-5", "10000000", "1.5", "224:0:1", "1:100000000:1", "x"]


def _cases() -> Iterator[Case]:
    for name, text in MALFORMED_YAML.items():
        ok = name == "crlf"
        for command in ("report", "lint") if not ok else ("report",):
            yield Case(f"yaml/{name}/{command}", [command, "s.yaml"], {"s.yaml": text},
                       expect="ok" if ok else "error")
    yield Case("yaml/invalid_utf8", ["report", "s.yaml"], {"s.yaml": b"model: \xff\xfe\n"})
    yield Case("yaml/utf16", ["report", "s.yaml"], {"s.yaml": "model: t\n".encode("utf-16")})
    for name, text in WRONG_TYPES.items():
        yield Case(f"types/{name}", ["report", "s.yaml"], {"s.yaml": text},
                   expect="any" if name == "out_null" else "error")  # out: null is C_in
    for command in ("sweep", "check", "transform", "export", "space"):
        for name in ("published_text", "lint_unknown_code", "variant_unknown_binding", "yaml11_octal"):
            argv = [command, "s.yaml"] + (["--fold-bn"] if command == "transform" else [])
            argv += ["--width", "1"] if command == "sweep" else []
            argv += ["-o", "out.onnx"] if command == "export" else []
            yield Case(f"types/{name}/{command}", argv, {"s.yaml": WRONG_TYPES[name]})
    for name, text in GRAPHS.items():
        ok = name in ("unread_output", "flatten_twice")  # flatten of a vector: a no-op, as torch's
        for command in ("report", "lint", "check"):
            yield Case(f"graph/{name}/{command}", [command, "s.yaml"], {"s.yaml": text},
                       expect="ok" if ok else "error")
    for name, text in EXPRESSIONS.items():
        valid = name in ("hex", "underscore_number", "comparison_chain", "bool_op", "ternary")
        yield Case(f"expr/{name}", ["report", "s.yaml"], {"s.yaml": with_out(text)},
                   expect="any" if valid else "error")
    for name, text in LAYER_NAMES.items():
        yield Case(f"names/{name}", ["report", "s.yaml"],
                   {"s.yaml": one(f"{{name: {text}, op: conv2d, out: 5, kernel: 1, groups: 2}}")})
    yield Case("names/newline_file", ["report", "a\nerror: forged.yaml"],
               {"a\nerror: forged.yaml": one("{op: conv2d, out: 5, kernel: 1, groups: 2}")},
               names="a\\x0aerror: forged.yaml")
    yield Case("names/ansi_file", ["report", "\x1b[31m.yaml"],
               {"\x1b[31m.yaml": "model: [\n"}, names="\\x1b[31m.yaml")
    yield Case("names/unicode_file", ["report", "ßpëc.yaml"], {"ßpëc.yaml": BASE},
               expect="ok", figures=BASE_FIGURES)
    yield Case("names/cyrillic_op", ["report", "s.yaml"], {"s.yaml": one("{op: сonv2d, out: 4, kernel: 1}")})
    yield Case("names/fullwidth_param", ["report", "s.yaml"], {"s.yaml": spec(
        "  - {op: conv2d, out: 'alpha * 4', kernel: 1}\n", params="{ａlpha: 1}")})
    yield Case("names/param_reserved", ["report", "s.yaml"], {"s.yaml": spec("  - {op: relu}\n", params="{floor: 1}")})
    yield Case("names/param_generated_code", ["sweep", "s.yaml", "--set-range", "Fraction=1,2"], {"s.yaml": spec(
        "  - {op: conv2d, out: 'Fraction * 4', kernel: 1}\n", params="{Fraction: {default: 1, min: 1, max: 4}}")},
        expect="ok", figures=("4",))
    for name, text in ABSURD.items():
        for command in ("report", "lint", "check"):
            # huge but exact sizes are counted (numbers of ≤ 100 digits); check refuses them by memory
            huge = name in ("out_1e30", "out_1e15", "input_1e9", "batch_1e12") and command != "check"
            ok = name in ("chained_bounded", "concat_many")  # torch.cat of one tensor 5000 times
            yield Case(f"absurd/{name}/{command}", [command, "s.yaml"], {"s.yaml": text},
                       expect="ok" if ok else "any" if huge else "error")
    yield from _special_files()
    yield from _bad_options()
    yield from _bad_outputs()
    yield from _every_command()
    yield from _edges()
    yield from _good()


SPEC_COMMANDS = {
    "report": [], "lint": [], "check": [], "sweep": ["--width", "1"], "transform": ["--fold-bn"],
    "export": ["-o", "out.onnx"], "space": [], "measure": ["--runs", "1", "--warmup", "0"],
}
"""Every command that reads a spec, with the options it needs besides the spec."""


def _special_files() -> Iterator[Case]:
    targets: dict[str, str | bytes | Special | None] = {
        "dev_zero": None, "dev_urandom": None, "dev_null": None, "dev_stdin": None, "dev_full": None,
        "fifo": FIFO, "folder": FOLDER, "link_zero": link("/dev/zero"), "link_loop": link("s.yaml"),
        "link_dangling": link("nowhere.yaml"), "link_fifo": link("f"), "missing": None,
        "nul_file": b"\0" * 4096, "empty": "", "binary": bytes(range(256)) * 64,
    }
    for name, target in targets.items():
        for command, options in SPEC_COMMANDS.items():
            files: dict[str, str | bytes | Special] = {}
            path = "s.yaml"
            if name.startswith("dev_"):
                path = "/dev/" + name[4:]
            elif name == "missing":
                path = "missing.yaml"
            elif name == "link_fifo":
                files = {"f": FIFO, "s.yaml": link("f")}
            elif target is not None:
                files = {"s.yaml": target}
            yield Case(f"special/{name}/{command}", [command, path, *options], files, names=path)
    for name, special in (("fifo", FIFO), ("folder", FOLDER), ("link_zero", link("/dev/zero")),
                          ("bad_yaml", "model: [\n"), ("dangling", link("nowhere"))):
        files = {"zs/a.yaml": BASE, "zs/b.yaml": special, "docs/zoo.md": "old table\n"}
        yield Case(f"special/zoo_specs_{name}", ["zoo", "--specs", "zs"], files, names="zs/b.yaml")
    yield Case("special/zoo_specs_missing", ["zoo", "--specs", "spcs"], {"docs/zoo.md": "old\n"}, names="spcs")
    yield Case("special/zoo_specs_empty", ["zoo", "--specs", "zs"], {"zs": FOLDER, "docs/zoo.md": "old\n"}, names="zs")
    yield Case("special/zoo_specs_file", ["zoo", "--specs", "s.yaml"], {"s.yaml": BASE}, names="s.yaml")
    yield Case("special/zoo_notes_fifo", ["zoo", "--specs", "zs", "--notes", "n", "--output", "-"],
               {"zs/a.yaml": BASE, "n": FOLDER, "n/tiny.md": FIFO}, names="n")
    yield Case("special/latency_fifo", ["report", "s.yaml", "--latency", "d.json"],
               {"s.yaml": BASE, "d.json": FIFO}, names="d.json")
    yield Case("special/latency_zero", ["report", "s.yaml", "--latency", "/dev/zero"],
               {"s.yaml": BASE}, names="/dev/zero")
    yield Case("special/latency_junk", ["report", "s.yaml", "--latency", "d.json"],
               {"s.yaml": BASE, "d.json": "{not json"}, names="d.json")
    yield Case("special/onnx_zero", ["report", "/dev/zero.onnx"], names="/dev/zero.onnx")
    yield Case("special/onnx_junk", ["report", "m.onnx"], {"m.onnx": b"\x08\x07junk" * 100}, names="m.onnx")
    yield Case("special/onnx_fifo", ["report", "m.onnx"], {"m.onnx": FIFO}, names="m.onnx")
    yield Case("special/onnx_folder", ["report", "m.onnx"], {"m.onnx": FOLDER}, names="m.onnx")


def _bad_options() -> Iterator[Case]:
    for value in SET_VALUES:
        for command in ("report", "sweep", "lint", "check"):
            extra = ["--resolution", "32"] if command == "sweep" else []
            yield Case(f"set/{value[:20]!r}/{command}", [command, "s.yaml", "--set", f"alpha={value}", *extra],
                       {"s.yaml": BASE}, expect="any" if value in ("0x10", "1_0") else "error",
                       names="s.yaml")
    for form in SET_FORMS:
        yield Case(f"set_form/{form}", ["report", "s.yaml", "--set", form], {"s.yaml": BASE}, names="s.yaml")
    for value in WIDTHS:
        yield Case(f"width/{value!r}", ["sweep", "s.yaml", "--width", value], {"s.yaml": BASE}, names="s.yaml")
    for value in RESOLUTIONS:
        yield Case(f"resolution/{value!r}", ["sweep", "s.yaml", "--resolution", value], {"s.yaml": BASE},
                   names="s.yaml")
    for value in ("branches=1:70:1", "branches=0,1", "se=2", "w1=1e999999999", "zz=1,2", "branches=",
                  "resolution=1:20000000:1"):
        yield Case(f"set_range/{value}", ["sweep", MOBILEONE, "--set-range", value], names=MOBILEONE)
    for value in ("-1", "2**64", "18446744073709551616", "x", "1.5", ""):
        yield Case(f"seed/{value!r}", ["check", "s.yaml", "--seed", value], {"s.yaml": BASE}, names="s.yaml")
    for value in ("zz", "se,zz", "", "__import__"):
        yield Case(f"symbolic/{value!r}", ["report", MOBILEONE, "--symbolic", value], names=MOBILEONE)
    yield Case("symbolic/se", ["report", MOBILEONE, "--symbolic", "se"], names=MOBILEONE, expect="any")
    yield Case("symbolic/classes_squeeze", ["report", SQUEEZE, "--symbolic", "classes"], names=SQUEEZE,
               expect="any")
    for option in (["--select", "ZZZ"], ["--ignore", "ZZZ"], ["--memory-budget", "lots"],
                   ["--memory-budget", "-1KiB"], ["--memory-budget", "1e999999999"], ["--format", "xml"],
                   ["--select", ""], ["--fuse", "all"], ["--dtype", "fp64"]):
        yield Case(f"lint_option/{' '.join(option)}", ["lint", "s.yaml", *option], {"s.yaml": BASE}, names="s.yaml")
    for option in (["--format", "xml"], ["--dtype", "int4"], ["--fuse", "x"], ["--input-shape", "1,3,x,8"],
                   ["--latency", "missing.json"], ["--symbolic", "alpha", "--latency", "missing.json"]):
        yield Case(f"report_option/{' '.join(option)}", ["report", "s.yaml", *option], {"s.yaml": BASE},
                   names="missing.json" if "missing.json" in option else "s.yaml")
    for option in (["--bins", "0"], ["--bins", "x"], ["--metric", "zz"], ["--budget", "zz=1"],
                   ["--budget", "params=abc"], ["--budget", "params"], ["--pareto", "params"],
                   ["--pareto", "zz,params"], ["--sample", "-1"], ["--sample", "5", "--seed", "-1"],
                   ["--max-bins", "0"], ["--map", "os:system", "--sample", "1"], ["--as", "zz"],
                   ["--format", "xml"], ["--set", "width=0"], ["--sample", "1000000000000"]):
        yield Case(f"space_option/{' '.join(option)}", ["space", SPACE, *option], names=SPACE)


def _bad_outputs() -> Iterator[Case]:
    transform = ["transform", "s.yaml", "--fold-bn", "-o"]
    export = ["export", "s.yaml", "-o"]
    targets: dict[str, tuple[str, dict[str, str | bytes | Special]]] = {
        "input": ("s.yaml", {}),
        "existing": ("old.yaml", {"old.yaml": "keep me\n"}),
        "dev_full": ("/dev/full", {}),
        "dev_null": ("/dev/null", {}),
        "folder": ("d", {"d": FOLDER}),
        "no_dir": ("no/such/dir/x.yaml", {}),
        "empty": ("", {}),
        "fifo": ("f", {"f": FIFO}),
        "link_input": ("l.yaml", {"l.yaml": link("s.yaml")}),
        "dangling": ("l.yaml", {"l.yaml": link("no/such/x.yaml")}),
        "file_as_dir": ("s.yaml/x.yaml", {}),
    }
    for name, (target, files) in targets.items():
        names = target or "s.yaml"
        for command in (transform, export):
            yield Case(f"output/{name}/{command[0]}", [*command, target], {"s.yaml": BASE, **files},
                       names=names)
    for name, target in (("dev_full", "/dev/full"), ("folder", "d"), ("no_dir", "no/dir/z.md"),
                         ("file_as_dir", "s.yaml/z.md")):
        yield Case(f"output/{name}/zoo", ["zoo", "--specs", "zs", "--output", target],
                   {"zs/a.yaml": BASE, "s.yaml": BASE, "d": FOLDER}, names=target)
    for name, target in (("xyz", "p.xyz"), ("no_dir", "no/dir/p.png"), ("input", "s.yaml"),
                         ("dev_full", "/dev/full"), ("folder", "d")):
        yield Case(f"output/plot_{name}", ["sweep", "s.yaml", "--width", "0.5,1", "--plot", target],
                   {"s.yaml": BASE, "d": FOLDER}, names=target)
    for name, (option, target) in {
        "extremes_file": ("--write-extremes", "s.yaml"),
        "extremes_dev": ("--write-extremes", "/dev/null/x"),
        "out_input": ("--out", SPACE),
        "out_dev_full": ("--out", "/dev/full"),
        "out_no_dir": ("--out", "no/dir/x.yaml"),
        "out_empty": ("--out", ""),
    }.items():
        extra = ["--sample", "2"] if option == "--out" else []
        yield Case(f"output/space_{name}", ["space", SPACE, option, target, *extra], {"s.yaml": BASE},
                   names=target or SPACE)
    for target in ("/dev/full", "no/dir/p.json", ""):
        yield Case(f"output/calibrate_{target!r}", ["calibrate", "--points", "2", "--rounds", "1", "-o", target],
                   names=target or "calibrate", expect="error")


def _every_command() -> Iterator[Case]:
    for command in ("report", "sweep", "lint", "check", "transform", "zoo", "export", "space", "ops",
                    "measure", "calibrate", "rule"):
        yield Case(f"usage/{command}/unknown_option", [command, "--no-such-option"], names="--no-such-option")
        yield Case(f"usage/{command}/extra_args", [command, "a", "b", "c", "d"], names=f"{command}|a")
    for command in ("report", "sweep", "lint", "check", "transform", "export", "space", "measure"):
        yield Case(f"usage/{command}/missing_spec", [command], names=command)
    yield Case("usage/unknown_command", ["frobnicate"], names="frobnicate")
    yield Case("usage/ops_with_spec", ["ops", "s.yaml"], {"s.yaml": BASE}, names="ops")
    yield Case("usage/rule_unknown", ["rule", "ZZ9"], names="ZZ9")
    yield Case("usage/rule_junk", ["rule", "\x1b[31m"], names="\\x1b[31m")
    for option in (["--threads", "0"], ["--runs", "0"], ["--runtime", "tvm"], ["--clock", "sun"],
                   ["--threads", "2", "--clock", "cpu"], ["--warmup", "-1"]):
        yield Case(f"measure_option/{' '.join(option)}", ["measure", "s.yaml", *option], {"s.yaml": BASE},
                   names="s.yaml")
    for option in (["--points", "0"], ["--rounds", "0"], ["--threads", "0"], ["--runtime", "tvm"],
                   ["--optimize", "some"], ["--seed", "x"]):
        yield Case(f"calibrate_option/{' '.join(option)}", ["calibrate", *option, "-o", "p.json"],
                   names=option[0])
    for option in (["--format", "xml"], ["--output", "-", "--notes", "missing"], ["--check", "--output", "missing.md"]):
        yield Case(f"zoo_option/{' '.join(option)}", ["zoo", "--specs", "zs", *option], {"zs/a.yaml": BASE},
                   names=option[-1] if option[0] != "--check" else "missing.md")
    yield Case("transform/nothing", ["transform", "s.yaml"], {"s.yaml": BASE}, names="transform")
    yield Case("transform/seed", ["transform", "s.yaml", "--fold-bn", "--verify", "--seed", "-1"],
               {"s.yaml": BASE}, names="s.yaml")
    yield Case("export/symbolic", ["export", "s.yaml", "--set", "alpha=x", "-o", "m.onnx"], {"s.yaml": BASE},
               names="s.yaml")
    yield Case("check/huge_resolution", ["check", V2, "--set", "resolution=12000"], names=V2)
    yield Case("check/resolution_896", ["check", str(SPECS / "resnet50.yaml"), "--set", "resolution=896"],
               expect="any", names=str(SPECS / "resnet50.yaml"))


BAD_SEEDS = ("-1", "18446744073709551616", "1.5", "x", "", "1e3")
"""Seeds outside 0 … 2⁶⁴ − 1 (or not whole numbers): every --seed refuses them."""

SEED_ARGV = {
    "check": ["check", "s.yaml"], "transform": ["transform", "s.yaml", "--fold-bn", "--verify"],
    "export": ["export", "s.yaml", "-o", "m.onnx"], "measure": ["measure", "s.yaml"],
    "space": ["space", SPACE, "--sample", "2"], "calibrate": ["calibrate", "-o", "p.json"],
}

OUTPUT_ARGV = {
    "transform": ["transform", "s.yaml", "--fold-bn", "-o"], "export": ["export", "s.yaml", "-o"],
    "import": ["import", "s.yaml", "-o"], "schema": ["schema", "-o"],
    "calibrate": ["calibrate", "--points", "2", "--rounds", "1", "-o"],
    "zoo": ["zoo", "--specs", "zs", "--output"], "plot": ["sweep", "s.yaml", "--width", "1,2", "--plot"],
    "space_out": ["space", SPACE, "--sample", "1", "--out"],
}
"""Every command that writes a file the user names, up to the file."""


def _edges() -> Iterator[Case]:
    """Session 4's classes: every --seed, special files as every output, empty list items in
    every list option, YAML 1.1 booleans, options that only apply to another input kind, caps."""
    for command, argv in SEED_ARGV.items():
        for value in BAD_SEEDS:
            yield Case(f"edges/seed/{command}/{value!r}", [*argv, "--seed", value], {"s.yaml": BASE},
                       names="calibrate" if command == "calibrate" else SPACE if command == "space" else "s.yaml")
    for command, argv in OUTPUT_ARGV.items():
        for target in ("/dev/null", "/dev/full", "/dev/zero", "/dev/stdout", "f", "d", ""):
            force = ["--force"] if command in ("transform", "export", "import", "schema") else []
            names = target or (command if command in ("calibrate", "schema") else
                               SPACE if command == "space_out" else "zs" if command == "zoo" else "s.yaml")
            # /dev/stdout is the corpus's stdout file here: a regular file, which may be written
            yield Case(f"edges/output/{command}/{target or 'empty'}", [*argv, target, *force],
                       {"s.yaml": BASE, "zs/a.yaml": BASE, "f": FIFO, "d": FOLDER},
                       names=f"{names}|s.yaml" if command == "import" else names,
                       expect="any" if target == "/dev/stdout" else "error")
    for option, value in (("--select", ","), ("--select", "G1,,G2"), ("--ignore", ""),
                          ("--extend-select", ","), ("--select", "\x1b[31m")):
        yield Case(f"edges/list/lint {option} {value!r}", ["lint", "s.yaml", option, value], {"s.yaml": BASE},
                   names="s.yaml")
    for argv in (["sweep", "s.yaml", "--width", "0.5,,1"], ["sweep", "s.yaml", "--width", ","],
                 ["sweep", "s.yaml", "--resolution", "32,"], ["report", "s.yaml", "--symbolic", ""],
                 ["report", "s.yaml", "--symbolic", "alpha,,resolution"]):
        yield Case(f"edges/list/{' '.join(argv[2:])}", argv, {"s.yaml": BASE}, names="s.yaml")
    for word in ("yes", "no", "on", "off", "Yes", "OFF"):
        yield Case(f"edges/yaml11_bool/{word}", ["report", "s.yaml"],
                   {"s.yaml": one(f"{{op: conv2d, out: 4, kernel: 1, bias: {word}}}")})
    yield Case("edges/yaml11_bool/quoted_name", ["report", "s.yaml"],
               {"s.yaml": one("{name: 'yes', op: conv2d, out: 4, kernel: 1}")}, expect="ok")
    for command in ("report", "lint", "check"):
        yield Case(f"edges/input_shape_on_yaml/{command}", [command, "s.yaml", "--input-shape", "1,3,8,8"],
                   {"s.yaml": BASE})
    yield Case("edges/space_sample_huge", ["space", SPACE, "--sample", "100000000"], names=SPACE)
    yield Case("edges/zoo_check_missing", ["zoo", "--specs", "zs", "--check", "--output", "missing.md"],
               {"zs/a.yaml": BASE}, names="missing.md")
    yield Case("edges/zoo_notes_missing", ["zoo", "--specs", "zs", "--notes", "nothere", "--output", "-"],
               {"zs/a.yaml": BASE}, names="nothere")
    yield Case("edges/zoo_notes_file", ["zoo", "--specs", "zs", "--notes", "s.yaml", "--output", "-"],
               {"zs/a.yaml": BASE, "s.yaml": BASE}, names="s.yaml")
    for code, shown in (("\x1b[31mG1", "\\x1b[31mG1"), ("G1\nerror: forged", "G1\\x0aerror: forged"),
                        ("\u202eG1", "\\u202eG1"), ("G99", "G99")):
        yield Case(f"edges/rule/{shown}", ["rule", code], names=shown)
    yield Case("edges/measure_cpu_threads", ["measure", "s.yaml", "--threads", "2", "--clock", "cpu"],
               {"s.yaml": BASE}, names="s.yaml")
    for option in (["--metric", "zz"], ["--budget", "zz=1"], ["--pareto", "maccs,"]):
        yield Case(f"edges/space_names_file/{' '.join(option)}", ["space", SPACE, *option], names=SPACE)


def _good() -> Iterator[Case]:
    """Valid inputs with figures computed by hand (so a refusal or a wrong number fails)."""
    yield Case("good/base_report", ["report", "s.yaml"], {"s.yaml": BASE}, expect="ok", figures=BASE_FIGURES)
    # alpha = 2: conv 3→32 (864 + BN 64) and linear 32→10 (330): 1,258 params;
    # maccs 16·16·32·27 = 221,184 + 320 = 221,504.
    yield Case("good/base_alpha_2", ["report", "s.yaml", "--set", "alpha=2"], {"s.yaml": BASE}, expect="ok",
               figures=("1,258", "221,504"))
    yield Case("good/base_lint", ["lint", "s.yaml"], {"s.yaml": BASE}, expect="ok")
    yield Case("good/base_check", ["check", "s.yaml"], {"s.yaml": BASE}, expect="ok", figures=("634",))
    yield Case("good/base_json", ["report", "s.yaml", "--format", "json"], {"s.yaml": BASE}, expect="ok",
               figures=('"params": 634',))
    yield Case("good/sweep", ["sweep", "s.yaml", "--width", "1,2", "--format", "csv"], {"s.yaml": BASE},
               expect="ok", figures=("634", "1258"))
    yield Case("good/transform_new", ["transform", "s.yaml", "--fold-bn", "-o", "new.yaml"], {"s.yaml": BASE},
               expect="ok", outputs=("new.yaml",))
    yield Case("good/transform_force", ["transform", "s.yaml", "--fold-bn", "-o", "old.yaml", "--force"],
               {"s.yaml": BASE, "old.yaml": "old\n"}, expect="ok", outputs=("old.yaml",))
    yield Case("good/zoo_stdout", ["zoo", "--specs", "zs", "--output", "-"], {"zs/a.yaml": BASE}, expect="ok",
               figures=("634",))
    # MobileNetV1 at α = 1, 224: 4,231,976 params and 568,740,352 maccs (paper: 4.2 M, 569 M).
    yield Case("good/v1", ["report", V1, "--totals-only"], expect="ok", figures=("4,231,976", "568,740,352"))
    yield Case("good/v2_alpha_49", ["report", V2, "--set", "alpha=49", "--totals-only"], expect="ok",
               figures=("5,168,919,272",))
    yield Case("good/ops", ["ops"], expect="ok", figures=("conv2d",))
    yield Case("good/huge_total", ["report", "s.yaml", "--totals-only"], {"s.yaml": spec(
        "  - {op: conv2d, out: 100000000000000000000, kernel: 1}\n", input_="[1, 1, 1]")}, expect="any")


def cases() -> list[Case]:
    """The whole corpus (names unique)."""
    found = list(_cases())
    names = [case.name for case in found]
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1][:5]
    return found


def sample(every: int = 12) -> list[Case]:
    """A fast subset: every ``every``-th case plus all hand-checked good ones."""
    found = cases()
    return [case for i, case in enumerate(found) if i % every == 0 or case.name.startswith("good/")]


# -- running ---------------------------------------------------------------------------

def _make(folder: Path, files: dict[str, str | bytes | Special]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Special):
            if content.kind == "fifo":
                os.mkfifo(path)
            elif content.kind == "dir":
                path.mkdir(exist_ok=True)
            else:
                os.symlink(content.target, path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def tree(root: Path) -> dict[str, str]:
    """Relative path → SHA-256 of each regular file under ``root`` (others by kind, never
    opened: a FIFO cannot block)."""
    hashes = {}
    for folder, dirs, names in os.walk(root):
        for name in dirs + names:
            path = Path(folder) / name
            mode = path.lstat().st_mode
            key = str(path.relative_to(root))
            if stat.S_ISREG(mode):
                hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISLNK(mode):
                hashes[key] = "link " + os.readlink(path)
            elif not stat.S_ISDIR(mode):
                hashes[key] = f"mode {stat.S_IFMT(mode):o}"
    return hashes


def _limits(cpu: float) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (int(cpu), int(cpu) + 1))


_TRACEBACK = re.compile(r"Traceback \(most recent call last\)")


@dataclass
class Outcome:
    """A case's verdict: ``problem`` is empty when it passed."""

    case: Case
    status: int | None
    seconds: float
    cpu: float
    problem: str
    stderr: str


def run(case: Case, timeout: float = TIMEOUT, wall: float = WALL) -> Outcome:
    """Run one case in a fresh folder and judge it (see the module docstring). CPU time is
    the child's own (``wait4``), so a loaded machine slows a case without failing it."""
    with tempfile.TemporaryDirectory(prefix="hostile-") as name:
        folder = Path(name)
        _make(folder, case.files)
        before = tree(folder)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg", "COLUMNS": "200"}
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.monotonic()
            child = subprocess.Popen([*PROGRAM, *case.argv], cwd=folder, stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=err, env=env,
                                     preexec_fn=lambda: _limits(timeout))
            status, cpu = _wait(child, wall)
            seconds = time.monotonic() - start
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode("utf-8", "replace")
            stderr = err.read().decode("utf-8", "replace")
        if status is None:
            return Outcome(case, None, seconds, cpu, f"no answer within {wall:g} s (blocked?)", stderr)
        if status == -signal.SIGXCPU or cpu > timeout:
            return Outcome(case, status, seconds, cpu, f"more than {timeout:g} s of CPU", stderr)
        problem = _judge(case, status, stdout, stderr, before, tree(folder))
        return Outcome(case, status, seconds, cpu, problem, stderr)


def _wait(child: subprocess.Popen[bytes], wall: float) -> tuple[int | None, float]:
    """The child's exit status (negative: killed by that signal; None: killed after
    ``wall`` seconds) and the CPU seconds it used."""
    deadline = time.monotonic() + wall
    while True:
        pid, code, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(code)
            return child.returncode, usage.ru_utime + usage.ru_stime
        if time.monotonic() > deadline:
            child.kill()
            _, code, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(code)
            return None, usage.ru_utime + usage.ru_stime
        time.sleep(0.02)


def _judge(case: Case, status: int, stdout: str, stderr: str,
           before: dict[str, str], after: dict[str, str]) -> str:
    if _TRACEBACK.search(stdout + stderr):
        return "traceback"
    written = set(case.outputs) if status in (0, 1) else set()
    changed = sorted(k for k in before if after.get(k) != before[k] and k not in written)
    added = sorted(set(after) - set(before) - written)
    if changed or added:
        return f"files changed {changed} or added {added}"
    if (status == 1 and case.argv[0] == "lint" and "Found " in stdout
            and all(line.startswith("warning: ") for line in stderr.splitlines())):
        status = 0                       # lint's "findings" status: a successful run
    if status == 0:
        if case.expect == "error":
            return "exit 0 where an error was due"
        missing = [figure for figure in case.figures if figure not in stdout]
        return f"output lacks {missing}" if missing else ""
    if status == 2:
        if case.expect == "ok":
            return f"exit 2 where success was due: {stderr.strip()[:200]}"
        lines = stderr.splitlines()
        if len(lines) != 1:
            return f"{len(lines)} stderr lines: {lines[:4]}"
        names = case.names or next(iter(case.files), None) or case.argv[-1]
        if not lines[0].startswith("error: ") or not any(n in lines[0] for n in names.split("|")):
            return f"the line does not name {names!r}: {lines[0][:200]}"
        return ""
    return f"exit status {status}: {stderr.strip()[-300:]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only cases whose name contains this")
    parser.add_argument("-j", type=int, default=2, help="parallel cases")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="CPU seconds per case")
    parser.add_argument("--wall", type=float, default=WALL, help="wall seconds before a case counts as blocked")
    parser.add_argument("--fast", action="store_true", help="only the test suite's subset")
    parser.add_argument("-v", action="store_true", help="print every case")
    args = parser.parse_args(argv)
    chosen = [case for case in (sample() if args.fast else cases()) if args.k in case.name]
    guarded = {name: tree(ROOT / name) for name in ("specs", "docs")}
    start = time.monotonic()
    with ThreadPoolExecutor(args.j) as pool:
        outcomes = list(pool.map(lambda case: run(case, args.timeout, args.wall), chosen))
    failures = [o for o in outcomes if o.problem]
    for name, hashes in guarded.items():
        if tree(ROOT / name) != hashes:
            print(f"FAIL repository {name}/ changed")
            failures.append(outcomes[0])
    for outcome in outcomes:
        if outcome.problem or args.v:
            verdict = "FAIL" if outcome.problem else "ok  "
            print(f"{verdict} {outcome.case.name!r} [{outcome.status}, {outcome.cpu:.1f} s CPU, "
                  f"{outcome.seconds:.1f} s] "
                  f"{outcome.problem or outcome.stderr.strip()[:160]}")
    slowest = max(outcomes, key=lambda o: o.cpu, default=None)
    statuses = {s: sum(o.status == s for o in outcomes) for s in sorted({o.status for o in outcomes}, key=str)}
    print(f"{len(outcomes)} cases, {len(outcomes) - len(failures)} passed, {len(failures)} failed "
          f"in {time.monotonic() - start:.0f} s; exit statuses {statuses}; slowest "
          f"{slowest.case.name if slowest else '-'} {slowest.cpu if slowest else 0:.1f} s CPU; "
          f"longest wall {max((o.seconds for o in outcomes), default=0):.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

