"""Safe YAML loading that remembers where every mapping and key came from.

Only YAML's safe subset is accepted (libyaml's composer when available). The node tree is
converted by hand so that
- every mapping becomes a :class:`Located` dict knowing its own line and its keys' lines,
- decimal scalars become exact ``Fraction`` (``0.75`` → 3/4), never float,
- duplicate keys are errors instead of silently overwritten,
- an alias bomb (billion laughs) is refused: expansion stops after ``MAX_NODES`` nodes.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from costmodel.arith import as_int
from costmodel.errors import SpecError

__all__ = ["Located", "MAX_NODES", "MAX_BYTES", "load_yaml"]

MAX_NODES = 200_000
MAX_BYTES = 4 * 1024 * 1024

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


def _require_tag(node: yaml.Node, tag: str) -> None:
    if node.tag != tag:
        raise SpecError(f"unsupported YAML: tag '{node.tag}'", line=node.start_mark.line + 1)


class Located(dict[str, Any]):
    """A mapping from the YAML file with its 1-based ``line`` and each key's line."""

    line: int
    key_lines: dict[str, int]


class _Converter:
    def __init__(self) -> None:
        self.nodes = 0
        self.scalars = yaml.constructor.SafeConstructor()

    def convert(self, node: yaml.Node) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SpecError(f"document expands to more than {MAX_NODES} nodes (alias bomb?)",
                            line=node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            _require_tag(node, _MAP)
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            _require_tag(node, _SEQ)
            return [self.convert(item) for item in node.value]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode) -> Located:
        result = Located()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise SpecError("mapping keys must be plain names", line=line)
            key = str(key)
            if key in result:
                raise SpecError(f"duplicate key '{key}' (first at line {result.key_lines[key]})",
                                line=line)
            result.key_lines[key] = line
            result[key] = self.convert(value_node)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _FLOAT:
            try:
                return as_int(Fraction(node.value.replace("_", "")))
            except ValueError:
                raise SpecError(f"'{node.value}' is not a finite number",
                                line=node.start_mark.line + 1) from None
        if node.tag == _INT:
            return self.scalars.construct_yaml_int(node)
        return self.scalars.construct_object(node)


def load_yaml(source: str | Path, text: str | None = None) -> Any:
    """Parse a YAML file (or ``text`` attributed to ``source``) into plain located data.

    Raises :class:`SpecError` with file and line for unreadable or malformed input.
    """
    path = str(source)
    if text is None:
        try:
            size = Path(path).stat().st_size
            if size > MAX_BYTES:
                raise SpecError(f"file is {size} bytes; specs are limited to {MAX_BYTES}", path=path)
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise SpecError(f"cannot read spec: {error.strerror}", path=path) from None
        except UnicodeDecodeError:
            raise SpecError("spec is not UTF-8 text", path=path) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise SpecError(f"malformed YAML: {error.problem or error.context}", path=path, line=line) from None
    except yaml.YAMLError as error:
        raise SpecError(f"malformed YAML: {error}", path=path) from None
    if node is None:
        raise SpecError("spec is empty", path=path)
    try:
        return _Converter().convert(node)
    except SpecError as error:
        raise error.located(path=path) from None
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise SpecError(f"unsupported YAML: {error.problem}", path=path, line=line) from None
