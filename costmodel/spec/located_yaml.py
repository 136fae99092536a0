"""Safe YAML loading that remembers where every mapping and key came from.

Only YAML's safe subset is accepted (libyaml's composer when available), with the YAML 1.2
core schema's scalars: ``010`` is refused (YAML 1.1 read it as octal 8), ``1:3`` is text
(1.1 read it as sexagesimal 63), ``yes``/``on`` are text, numbers are ASCII decimal.
The node tree is converted by hand so that
- every mapping becomes a :class:`Located` dict knowing its own line and its keys' lines,
- decimal scalars become exact ``Fraction`` (``0.75`` → 3/4), never float, of at most
  :data:`~costmodel.arith.MAX_DIGITS` digits,
- duplicate keys are errors instead of silently overwritten,
- an alias bomb (billion laughs) is refused: expansion stops after ``MAX_NODES`` nodes;
  a recursive alias or nesting deeper than ``MAX_DEPTH`` is refused too.

Files are read by :func:`read_text`: regular files only (a FIFO, ``/dev/zero`` or a
directory is refused before it is read), at most ``MAX_BYTES``.

Files are written by :func:`dump_yaml`, which quotes every text this loader (or a YAML 1.1
reader) would take for something else, so that what costmodel writes reads back the same.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from costmodel.arith import parse_decimal
from costmodel.errors import SpecError

__all__ = ["Located", "MAX_NODES", "MAX_BYTES", "MAX_DEPTH", "read_text", "load_yaml", "dump_yaml"]

MAX_NODES = 200_000
MAX_COMPOSED = 2 * MAX_NODES + 1
"""Distinct nodes the composer may build: each counts as a value except mapping keys, which
are at most half of them, so a document with more has more than MAX_NODES values — the
same refusal, without a line (the composer gives none), before building the rest."""
MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_YAML11_BOOLS = frozenset(word for base in ("yes", "no", "on", "off")
                           for word in (base, base.capitalize(), base.upper()))
"""Plain words YAML 1.1 reads as booleans (``bias: yes``) and YAML 1.2 as text, which a
boolean field would then coerce: refused, as 010 and 1:3 are (``y``/``n`` stay names)."""
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser with the YAML 1.2 core schema's implicit tags (not YAML 1.1's)."""

    yaml_implicit_resolvers: dict[Any, Any] = {}
    composed = 0

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """PyYAML's resolution (called by the parser for every node), a plain scalar's tag
        remembered per text: a spec repeats a few words and numbers thousands of times.

        It also counts the nodes composed and stops at :data:`MAX_COMPOSED`: the converter's
        limit alone came after composing the whole file, and 4 MiB of ``[1,1,1,…]`` (2
        million nodes) took 4–7 s of CPU and 0.6 GiB before being refused."""
        self.composed += 1
        if self.composed > MAX_COMPOSED:
            raise SpecError(_too_many(aliased=False))
        if kind is yaml.ScalarNode and implicit[0]:
            return _plain_tag(value)
        return super().resolve(kind, value, implicit)


_CORE_SCHEMA = (
    (_NULL, r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    (_BOOL, r"true|True|TRUE|false|False|FALSE", list("tTfF")),
    (_INT, r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", list("-+0123456789")),
    (_FLOAT, r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
             r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)", list("-+.0123456789")),
)
"""YAML 1.2 core schema: each implicit tag, the plain scalars it takes, their first characters."""

for _tag, _pattern, _first in _CORE_SCHEMA:
    _Loader.add_implicit_resolver(_tag, re.compile(f"^(?:{_pattern})$"), _first)

_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")


@functools.lru_cache(maxsize=4096)
def _plain_tag(text: str) -> str:
    """The tag of a plain (unquoted) scalar: the first resolver above registered for its
    first character whose pattern matches, else text (PyYAML's BaseResolver.resolve with
    no wildcard and no path resolvers)."""
    for tag, pattern in _Loader.yaml_implicit_resolvers.get(text[:1], []):
        if pattern.match(text):
            return str(tag)
    return _STR


class Located(dict[str, Any]):
    """A mapping from the YAML file with its 1-based ``line`` and each key's line."""

    line: int
    key_lines: dict[str, int]


def _too_many(aliased: bool) -> str:
    """Which limit was hit (distinct values, or an alias's copies), and what to write instead."""
    what = (f"expands to more than {MAX_NODES:,} YAML values once its aliases are expanded "
            "(an alias bomb?)" if aliased else f"has more than {MAX_NODES:,} YAML values")
    return (f"the document {what}, the most a spec may have (MAX_NODES, to bound time and "
            "memory): write a repeated layer or block once, with 'repeat: n'")


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _require_tag(node: yaml.Node, tag: str) -> None:
    if node.tag != tag:
        raise SpecError(f"unsupported YAML: tag '{node.tag}'", line=_line(node))


class _Converter:
    def __init__(self) -> None:
        self.nodes = 0
        self.open: set[int] = set()  # ids of the collections being converted (the current path)
        self.seen: set[int] = set()  # ids of the nodes converted: one met again is an alias

    def convert(self, node: yaml.Node) -> Any:
        self.nodes += 1
        self.seen.add(id(node))
        if self.nodes > MAX_NODES:
            raise SpecError(self._too_many(), line=_line(node))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if id(node) in self.open:
            raise SpecError("recursive alias: a collection contains itself", line=_line(node))
        if len(self.open) >= MAX_DEPTH:
            raise SpecError(f"nested more than {MAX_DEPTH} levels deep", line=_line(node))
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                _require_tag(node, _MAP)
                return self._mapping(node)
            _require_tag(node, _SEQ)
            return [self.convert(item) for item in node.value]
        finally:
            self.open.discard(id(node))

    def _too_many(self) -> str:
        return _too_many(aliased=len(self.seen) < self.nodes)

    def _mapping(self, node: yaml.MappingNode) -> Located:
        result = Located()
        result.line = _line(node)
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            line = _line(key_node)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise SpecError("mapping keys must be plain names", line=line)
            key = str(key)
            if key in result:
                raise SpecError(f"duplicate key '{key}' (first at line {result.key_lines[key]})",
                                line=line)
            result.key_lines[key] = line
            result[key] = self.convert(value_node)
        return result

    @staticmethod
    def _scalar(node: yaml.ScalarNode) -> Any:
        try:
            return _scalar_value(node.tag, node.value, not node.style)
        except SpecError as error:
            raise error.located(line=_line(node)) from None


@functools.lru_cache(maxsize=4096)
def _scalar_value(tag: str, text: str, plain: bool) -> Any:
    """The value of a scalar of ``tag`` written ``text`` (unquoted when ``plain``): an
    immutable str, None, bool, int or Fraction, remembered per scalar (a spec repeats a few
    thousand times the same words and numbers). Raises :class:`SpecError` (no line)."""
    if tag == _STR:
        if plain and text in _YAML11_BOOLS:
            raise SpecError(f"'{text}' is a boolean in YAML 1.1 and text in YAML 1.2: write "
                            "true or false, or quote it for text")
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    if tag == _INT:
        if _LEADING_ZERO.fullmatch(text):
            raise SpecError(f"'{text}': a number with a leading zero is ambiguous (YAML 1.1 "
                            "reads it as octal); write it without the zero, or 0o… for octal")
        if text[:2] in ("0o", "0x"):
            return parse_decimal(str(int(text, 0))) if len(text) <= 80 else parse_decimal(text)
        return parse_decimal(text)
    if tag == _FLOAT:
        if "inf" in text.lower() or "nan" in text.lower():
            raise SpecError(f"'{text}' is not a finite number")
        return parse_decimal(text)
    raise SpecError(f"unsupported YAML: tag '{tag}'")


def read_text(path: str | Path, what: str = "spec", limit: int = MAX_BYTES) -> str:
    """The UTF-8 text of the regular file at ``path``, at most ``limit`` bytes.

    Anything else (a directory, a FIFO, a device such as ``/dev/zero``, a larger file) is
    refused with a :class:`SpecError` before it is read: the kind is checked by ``stat``
    before opening and again on the open descriptor, which is opened non-blocking so that
    even a FIFO swapped in between cannot block.
    """
    name = str(path)
    try:
        if not stat.S_ISREG(os.stat(name).st_mode):
            raise SpecError(f"cannot read {what}: not a regular file", path=name)
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise SpecError(f"cannot read {what}: not a regular file", path=name)
            chunks, size = [], 0
            while size <= limit and (chunk := os.read(fd, min(1 << 20, limit + 1 - size))):
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except OSError as error:
        raise SpecError(f"cannot read {what}: {error.strerror or error}", path=name) from None
    if size > limit:
        raise SpecError(f"{what} is larger than {limit} bytes", path=name)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{what} is not UTF-8 text", path=name) from None


_YAML11_BREAKS = re.compile("[\x85\u2028\u2029]")


def _refuse_yaml11_breaks(text: str, path: str) -> None:
    """Refuse NEL, LINE and PARAGRAPH SEPARATOR: YAML 1.1 (and libyaml) reads them as line
    breaks, YAML 1.2 as ordinary characters — the same file would mean two things."""
    match = _YAML11_BREAKS.search(text)
    if match is not None:
        raise SpecError(f"U+{ord(match.group()):04X} is a line break in YAML 1.1 and not in 1.2: "
                        "use a plain line feed", path=path, line=text.count("\n", 0, match.start()) + 1)


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, which quotes a text when YAML 1.1 would read it as something
    else (``'010'``, ``'yes'``), taught the 1.2 core schema too: ``0o10``, ``1e3``, ``-.5``
    are numbers to :func:`load_yaml` (a layer named ``0o10`` came back as the number 8)."""


for _tag, _pattern, _first in _CORE_SCHEMA:
    _Dumper.add_implicit_resolver(_tag, re.compile(f"^(?:{_pattern})$"), _first)


def dump_yaml(data: Any, **options: Any) -> str:
    """``data`` as YAML text (``yaml.safe_dump``'s ``options``) that :func:`load_yaml` reads
    back as ``data``: every string that either YAML 1.1 or 1.2 would read as a number, a
    boolean or null is quoted."""
    return str(yaml.dump(data, Dumper=_Dumper, **options))


def load_yaml(source: str | Path, text: str | None = None) -> Any:
    """Parse a YAML file (or ``text`` attributed to ``source``) into plain located data.

    Raises :class:`SpecError` with file and line for unreadable or malformed input.
    """
    path = str(source)
    if text is None:
        text = read_text(path)
    elif len(text) > MAX_BYTES:
        raise SpecError(f"spec is larger than {MAX_BYTES} characters", path=path)
    _refuse_yaml11_breaks(text, path)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except SpecError as error:
        raise error.located(path=path) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise SpecError(f"malformed YAML: {error.problem or error.context}", path=path, line=line) from None
    except yaml.YAMLError as error:
        reason = getattr(error, "reason", None) or str(error).splitlines()[0]
        raise SpecError(f"malformed YAML: {reason}", path=path) from None
    if node is None:
        raise SpecError("spec is empty", path=path)
    try:
        return _Converter().convert(node)
    except SpecError as error:
        raise error.located(path=path) from None
