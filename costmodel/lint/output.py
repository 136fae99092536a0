"""Renderers of findings: ``text`` (ruff-like lines and a count), ``json`` and SARIF 2.1.0.

Each is registered once in :data:`FORMATS` and maps a list of findings to text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from costmodel import __version__
from costmodel.lint.registry import RULES, Finding
from costmodel.units import readable

__all__ = ["FORMATS", "render_findings", "show_value", "show_time", "SARIF_SCHEMA"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def show_value(value: Any) -> str:
    """Integers exactly, fractions and ratios to 3 significant digits (1.58e+49 from 10¹⁵ on)."""
    if isinstance(value, (Fraction, float)):
        if (isinstance(value, float) and not math.isfinite(value)) or abs(Fraction(value)) >= 10**15:
            return readable(value)
        return str(int(value)) if value == int(value) else f"{float(value):.3g}"
    return str(value)


def _number(value: Any) -> Any:
    """JSON number: ints exact; ratios (Fraction or float) as floats rounded to 6 places."""
    if value is None or isinstance(value, int):
        return value
    return round(float(value), 6)


def show_time(time_us: float) -> str:
    """Predicted time, to 3 significant digits: '523 µs', '1.23 ms'."""
    return f"{time_us:.3g} µs" if time_us < 1000 else f"{time_us / 1000:.3g} ms"


def _extent(finding: Finding) -> str:
    """'; 9 alike (first … last); 1.23 ms predicted' — whichever applies."""
    parts = []
    if len(finding.instances) > 1:
        parts.append(f"{len(finding.instances)} alike ({finding.instances[0]} … "
                     f"{finding.instances[-1]})")
    if finding.time_us is not None:
        parts.append(f"{show_time(finding.time_us)} predicted")
    return "".join(f"; {part}" for part in parts)


def render_text(findings: list[Finding]) -> str:
    """``path:line: layer CODE message (value vs threshold)`` per finding, then how many
    layers it stands for and the predicted time at stake where known, then a count."""
    lines = [f"{f.path}:{f.line}: {f.layer} {f.code} {f.message} "
             f"({show_value(f.value)} vs {show_value(f.threshold)}){_extent(f)}" for f in findings]
    count = len(findings)
    lines.append(f"Found {count} finding{'s' if count != 1 else ''}." if count else "All checks passed.")
    return "\n".join(lines) + "\n"


def _as_dict(finding: Finding) -> dict[str, Any]:
    return {"path": finding.path, "line": finding.line, "layer": finding.layer,
            "code": finding.code, "name": RULES[finding.code].name, "message": finding.message,
            "value": _number(finding.value), "threshold": _number(finding.threshold),
            "instances": list(finding.instances) or [finding.layer],
            "time_us": None if finding.time_us is None else round(finding.time_us, 3)}


def render_json(findings: list[Finding]) -> str:
    """A list of findings with path, line, layer, code, name, message, value, threshold,
    instances (the layers of the pattern) and time_us (predicted; null without a profile)."""
    return json.dumps([_as_dict(f) for f in findings], indent=2) + "\n"


def render_sarif(findings: list[Finding]) -> str:
    """One SARIF 2.1.0 run: every registered rule, one result per finding."""
    codes = list(RULES)
    rules = [{"id": code, "name": rule.name, "shortDescription": {"text": rule.summary},
              "fullDescription": {"text": rule.doc}, "help": {"text": rule.doc}}
             for code, rule in RULES.items()]
    results = [{
        "ruleId": f.code, "ruleIndex": codes.index(f.code), "level": "warning",
        "message": {"text": f"{f.layer}: {f.message} ({show_value(f.value)} vs "
                            f"{show_value(f.threshold)}){_extent(f)}"},
        "locations": [{
            "physicalLocation": {"artifactLocation": {"uri": f.path},
                                 "region": {"startLine": max(f.line, 1)}},
            "logicalLocations": [{"name": f.layer, "kind": "member"}],
        }],
        "properties": {"value": _number(f.value), "threshold": _number(f.threshold),
                       "instances": list(f.instances) or [f.layer], "time_us": f.time_us},
    } for f in findings]
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "costmodel", "version": __version__, "rules": rules}},
        "results": results,
    }]}
    return json.dumps(document, indent=2) + "\n"


FORMATS: dict[str, Callable[[list[Finding]], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
}


def render_findings(findings: list[Finding], fmt: str = "text") -> str:
    """Render ``findings`` in ``fmt`` (a key of :data:`FORMATS`)."""
    return FORMATS[fmt](findings)
