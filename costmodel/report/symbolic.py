"""Symbolic reports a person can read: named quantities, totals in them, relaxed forms.

``costmodel report SPEC --symbolic alpha,resolution`` writes, as a paper would, a short
"where:" list (c₁ = make_divisible(32α, 8), H₁ = ⌈r/2⌉, …) and each total in those names
(costmodel.analysis.named), optionally per block (``--depth``) and relaxed (``--relaxed``:
rounding dropped, leading terms first, with its largest relative error over a range).
Three renderings: text, LaTeX, and JSON whose ``definitions`` let any sympy user evaluate
every expression exactly (docs/json.md).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from costmodel.analysis.named import NamedCosts, named_costs
from costmodel.analysis.result import Analysis
from costmodel.cost import METRICS
from costmodel.errors import SpecError
from costmodel.units import readable

__all__ = ["SymbolicReport", "Relaxed", "symbolic_report", "SYMBOLIC_FORMATS", "JSON_FORMAT",
           "MAX_NAMED_OPS"]

MAX_NAMED_OPS = 1_500
"""Most ops a symbolic report names. Naming takes sympy about 2 ms per op written
differently (ops alike, with inputs alike, share one evaluation: NASNet-A mobile, the zoo's
largest at 905 ops, names in 0.9 s CPU; 1,500 ops in 750 convs of distinct widths in 3.2 s,
the whole report 6.6 s), so the limit keeps a report within the 10 s every input is
answered in."""

JSON_FORMAT = "costmodel.symbolic/1"
TOTALS = (*METRICS, "buffers")
GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "rho": "ρ", "theta": "θ"}
SHORT = {"resolution": "r", "width": "w", "depth": "d"}
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Relaxed:
    """One total with rounding dropped: the expression, its terms (coefficient, monomial)
    highest degree first (empty when it is not a polynomial), the largest relative error
    against the exact total over the valid points of ``grid`` (``invalid`` of its points
    are no valid network and ``unbuilt`` were not built, next to such points, within the
    sweep's work limit: both skipped); ``left_out``: values of each parameter left out of
    the grid (no valid network with the others at their defaults)."""

    total: str
    expression: Any
    terms: list[tuple[Any, Any]]
    max_relative_error: float
    grid: dict[str, list[Any]]
    invalid: int = 0
    unbuilt: int = 0
    worst: dict[str, Any] = field(default_factory=dict)
    """The grid point where the error is largest."""
    left_out: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class SymbolicReport:
    """What a symbolic report says, before it is rendered."""

    model: str
    names: tuple[str, ...]
    bindings: dict[str, Any]
    named: NamedCosts
    assumptions: list[tuple[Any, str, Any, str]]
    """(lhs, relation, rhs, where: "layer: what") of each structure decision, in names."""
    blocks: dict[str, Any] = field(default_factory=dict)
    relaxed: list[Relaxed] = field(default_factory=list)


def symbolic_report(analysis: Analysis, names: Sequence[str], *, depth: int = 0,
                    relaxed: bool = False, spec: Any = None, path: str | None = None) -> SymbolicReport:
    """The report of a symbolic ``analysis`` in the parameters ``names``; per block
    ``depth`` levels down when ``depth`` > 0; with ``relaxed``, the relaxed forms and their
    errors over :func:`~costmodel.analysis.error_grid.error_grid` (which needs the ``spec``,
    read from ``path``, to compute exact totals). More than :data:`MAX_NAMED_OPS` ops are
    refused before any naming."""
    ops = len(analysis.network.ops)
    if ops > MAX_NAMED_OPS:
        raise SpecError(f"--symbolic names the costs of at most {MAX_NAMED_OPS:,} ops and this "
                        f"network has {ops:,}: report it with numbers (--set), or sweep the "
                        "parameters")
    named = named_costs(analysis.network, tuple(names))
    symbols = {s for q in named.quantities for s in [q.symbol]}
    fixed = {k: v for k, v in analysis.bindings.items() if k not in names}
    report = SymbolicReport(analysis.model, tuple(names), fixed, named,
                            _assumptions(analysis, named, symbols))
    if depth:
        report.blocks = named.by_block(depth)
    if relaxed:
        report.relaxed = _relaxed(named, spec, path, names, fixed)
    return report


def _assumptions(analysis: Analysis, named: NamedCosts,
                 symbols: set[Any]) -> list[tuple[Any, str, Any, str]]:
    """The structure decisions, in names, without those the names settle (6c ≠ c)."""
    import sympy

    from costmodel.assumptions import _NEGATED

    result: dict[tuple[Any, str, Any], str] = {}
    for a in analysis.network.assumptions:
        if a.kind != "structure":
            continue
        lhs, rhs = (sympy.sympify(side).xreplace(named.of_raw) for side in (a.lhs, a.rhs))
        relation = a.relation if a.outcome else _NEGATED[a.relation]
        if relation in ("==", "!="):
            settled = sympy.Eq(lhs, rhs)
            if settled in (sympy.true, sympy.false):
                continue
        result.setdefault((lhs, relation, rhs), f"{a.where}: {a.what}")
    return [(*condition, where) for condition, where in result.items()]


def _relaxed(named: NamedCosts, spec: Any, path: str | None, names: Sequence[str],
             fixed: Mapping[str, Any]) -> list[Relaxed]:
    """The relaxed forms of the totals (the named totals with their definitions substituted:
    the build's totals, without summing them again in the parameters), their errors against
    a compiled sweep of the error grid that skips the points that are no valid network."""
    import sympy

    from costmodel.analysis.closed_form import CLOSED_FORM_TOTALS, closed_form
    from costmodel.analysis.error_grid import WORK, error_grid
    from costmodel.analysis.sweep import sweep
    from costmodel.analysis.sweep_budget import OverBudget

    path = path or "<spec>"
    try:
        grid = error_grid(spec, path, names, fixed)
        axes: dict[str, Any] = dict(grid.axes)
        result = sweep(spec, fixed=fixed, path=path, method="compiled", skip_invalid=True,
                       work_limit=WORK - grid.work, defaults=grid.defaults, **axes)
    except OverBudget:
        raise SpecError(f"the relaxed forms' error grid needs more than {WORK} s of builds here "
                        f"(the network changes across it): make fewer of {', '.join(names)} "
                        "symbolic (--symbolic NAMES, the others --set)").located(path=path) from None
    assert result.invalid is not None and result.unbuilt is not None
    valid = ~(result.invalid | result.unbuilt)
    if not valid.any():
        raise SpecError("no point of the relaxed forms' error grid could be measured (each is no "
                        "valid network, or beyond the time limit): make fewer parameters "
                        "symbolic (--symbolic NAMES, the others --set)").located(path=path)
    definitions = named.definitions()
    totals = {key: sympy.sympify(value).xreplace(definitions)
              for key, value in named.total.as_dict().items()}
    forms = [closed_form(key, totals[key], result.names, result.axes, result.totals[key], valid)
             for key in CLOSED_FORM_TOTALS]
    return [Relaxed(f.total, f.relaxed, f.terms or _terms_of(f.relaxed), f.max_relative_error,
                    dict(grid.axes), int(result.invalid.sum()), int(result.unbuilt.sum()),
                    {} if f.worst is None else {n: grid.axes[n][i] for n, i in zip(names, f.worst)},
                    grid.left_out) for f in forms]


def _terms_of(expr: Any) -> list[tuple[Any, Any]]:
    """Terms of a relaxed form that is a polynomial once its clamps (max(1, α)) are taken as
    variables too; highest degree first, larger coefficients first."""
    import sympy

    generators = sorted(expr.free_symbols, key=str) + sorted(expr.atoms(sympy.Max, sympy.Min), key=str)
    try:
        poly = sympy.Poly(expr, *generators)
    except sympy.PolynomialError:
        return []
    terms = [(coef, sympy.Mul(*(g**e for g, e in zip(generators, powers))), sum(powers))
             for powers, coef in poly.terms()]
    terms.sort(key=lambda t: (-t[2], -abs(t[0])))
    return [(coef, monomial) for coef, monomial, _ in terms]


# -- text -----------------------------------------------------------------------------------

def display_names(names: Sequence[str]) -> dict[str, str]:
    """Parameter name → the letter a paper uses (alpha → α, resolution → r), unless taken."""
    result: dict[str, str] = {}
    for name in names:
        short = GREEK.get(name) or SHORT.get(name)
        result[name] = short if short and short not in names and short not in result.values() else name
    return result


def _text_printer(names: Sequence[str]) -> Callable[[Any], str]:
    from sympy.printing.str import StrPrinter

    shown = display_names(names)

    class Text(StrPrinter):
        def _print_Symbol(self, expr: Any) -> str:
            kind, sep, index = expr.name.partition("_")
            if sep and index.isdigit() and len(kind) == 1:
                return kind + index.translate(_SUB)
            return shown.get(expr.name, expr.name)

        def _print_floor(self, expr: Any) -> str:
            return "⌊" + self._print(expr.args[0]) + "⌋"

        def _print_ceiling(self, expr: Any) -> str:
            return "⌈" + self._print(expr.args[0]) + "⌉"

        def _print_Max(self, expr: Any) -> str:
            return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

        def _print_Min(self, expr: Any) -> str:
            return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

        def _print_Heaviside(self, expr: Any) -> str:
            return "[" + self._print(expr.args[0]) + " > 0]"

        def _print_Pow(self, expr: Any, rational: bool = False) -> str:
            base, exponent = expr.args
            if exponent.is_Integer and exponent > 1:
                inner = self._print(base)
                return (inner if base.is_Symbol else f"({inner})") + str(exponent).translate(_SUP)
            return super()._print_Pow(expr, rational)

    printer = Text()

    def text(expr: Any) -> str:
        out = printer.doprint(expr).replace("*", "·")
        # juxtapose a factor and a one-letter symbol: 36·H₁²·c₁ → 36H₁²c₁
        return re.sub(r"(?<=[0-9₀-₉⁰-⁹¹²³)])·(?=[A-Za-zα-ω][₀-₉⁰-⁹¹²³]*(?![A-Za-z_(]))", "", out)

    return text


def _collected(expr: Any, spatial: Sequence[Any]) -> Any:
    """Terms grouped by their spatial factor (H₁²·(…) + H₂²·(…)), as per-stage costs read."""
    import sympy

    expr = sympy.sympify(expr)
    if not spatial or not expr.free_symbols & set(spatial):
        return expr
    return sympy.collect(sympy.expand(expr), list(spatial))


def _spatial(report: SymbolicReport) -> list[Any]:
    from costmodel.symbols import parameter_symbol

    names = [q.symbol for q in report.named.quantities if q.kind in ("height", "width", "length")]
    return names + [parameter_symbol(n) for n in report.names if n in ("resolution",)]


def render_text(report: SymbolicReport) -> str:
    """The "where:" list, each total in names, blocks, relaxed forms and assumptions."""
    text = _text_printer(report.names)
    shown = display_names(report.names)
    spatial = _spatial(report)
    fixed = ", ".join(f"{k} = {v}" for k, v in report.bindings.items())
    lines = [f"{report.model}: symbolic in {', '.join(shown[n] for n in report.names)}"
             + (f" ({fixed})" if fixed else "")]
    if report.named.quantities:
        lines += ["", "where (each a whole number; " + ", ".join(
            f"{shown[n]} = {n}" for n in report.names if shown[n] != n) + "):"]
        lines += [f"  {text(q.symbol)} = {text(q.shown)}" for q in report.named.quantities]
    lines.append("")
    totals = report.named.total.as_dict()
    lines += [f"{name:<11} = {text(_collected(totals[name], spatial))}" for name in TOTALS]
    if report.blocks:
        lines += ["", "per block:"]
        for block, cost in report.blocks.items():
            lines.append(f"  {block}")
            lines += [f"    {name:<11} = {text(_collected(value, spatial))}"
                      for name, value in cost.as_dict().items() if value != 0 and name != "buffers"]
    for form in report.relaxed:
        if form == report.relaxed[0]:
            ranges = ", ".join(f"{shown[n]} ∈ [{_decimal(v[0])}, {_decimal(v[-1])}]" if len(v) > 1
                               else f"{shown[n]} = {_decimal(v[0])}" for n, v in form.grid.items())
            lines += ["", f"relaxed (rounding dropped; largest relative error over {ranges}"
                          f"{_skipped(form)}):"]
            if form.left_out:
                lines.append("  (left out, no valid network with the others at their defaults: "
                             + "; ".join(f"{shown[n]} = {', '.join(map(_decimal, v))}"
                                         for n, v in form.left_out.items()) + ")")
        lines.append(f"  {form.total:<11} ≈ {_terms(form, text)}   "
                     f"(≤ {_percent(100 * form.max_relative_error)} %)")
    if report.assumptions:
        lines += ["", "Exact where the network has the structure built here (that at the "
                  "defaults; `costmodel sweep` checks every point):"]
        lines += [f"  {where}: assumes {text(lhs)} {_RELATION[rel]} {text(rhs)}"
                  for lhs, rel, rhs, where in report.assumptions]
    return "\n".join(lines) + "\n"


def _percent(value: float) -> str:
    """Two significant digits below 10 (0.56, 5.2), whole from there (18, 1,240), ∞ for a total
    that is 0 where its relaxed form is not."""
    if math.isinf(value):
        return "∞"
    return f"{value:.2g}" if value < 10 else readable(value, 0, grouping=True)


def _skipped(form: Relaxed) -> str:
    """'; of its 432 points 140 are no valid network and 40 not built within the time
    limit: skipped' (empty when every point was measured)."""
    parts = [f"{form.invalid:,} are no valid network"] * bool(form.invalid) + [
        f"{form.unbuilt:,} not built within the time limit"] * bool(form.unbuilt)
    if not parts:
        return ""
    points = math.prod(len(v) for v in form.grid.values())
    return f"; of its {points:,} points {' and '.join(parts)}: skipped"


_RELATION = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def _decimal(value: Any) -> str:
    return str(value) if isinstance(value, int) else f"{float(value):g}"


def _terms(form: Relaxed, text: Callable[[Any], str]) -> str:
    """Leading terms first, coefficients to four significant digits: 5,882·α²r² + …"""
    if not form.terms:
        return text(form.expression)
    parts = []
    for coefficient, monomial in form.terms:
        number = _coefficient(coefficient)
        parts.append(number if monomial == 1 else f"{number}·{text(monomial)}")
    return " + ".join(parts).replace("+ -", "− ")


def _coefficient(value: Any) -> str:
    number = float(value)
    if value.is_Integer:
        return f"{int(value):,}"
    digits = f"{number:.4g}"
    if "e" in digits:
        return digits
    return f"{float(digits):,}".rstrip("0").rstrip(".") if "." in digits else f"{int(float(digits)):,}"


# -- LaTeX ----------------------------------------------------------------------------------

def render_latex(report: SymbolicReport) -> str:
    """An ``aligned`` block: the definitions, then each total (for a paper)."""
    import sympy

    from costmodel.symbols import parameter_symbol

    names = display_names(report.names)
    symbol_names = {parameter_symbol(n): _latex_name(names[n]) for n in report.names}

    def latex(expr: Any) -> str:
        return sympy.latex(sympy.sympify(expr), symbol_names=symbol_names).replace(
            r"\operatorname{make}_{divisible}", r"\operatorname{make\_divisible}")

    spatial = _spatial(report)
    rows = [f"{latex(q.symbol)} &= {latex(q.shown)}" for q in report.named.quantities]
    totals = report.named.total.as_dict()
    rows += [rf"{_latex_text(name)} &= {latex(_collected(totals[name], spatial))}" for name in TOTALS]
    rows += [rf"{_latex_text(f.total)} &\approx {latex(f.expression)}" for f in report.relaxed]
    body = " \\\\\n".join(rows)
    return f"% {report.model}\n\\begin{{aligned}}\n{body}\n\\end{{aligned}}\n"


def _latex_text(name: str) -> str:
    return r"\mathrm{" + name.replace("_", r"\_") + "}"


def _latex_name(shown: str) -> str:
    inverse = {v: k for k, v in GREEK.items()}
    return "\\" + inverse[shown] if shown in inverse else shown


# -- JSON -----------------------------------------------------------------------------------

def to_json_data(report: SymbolicReport) -> dict[str, Any]:
    """Expressions as sympy text; ``definitions`` in the parameters only, so
    ``parse_expr(total, local_dict)`` with each definition substituted is the exact total."""
    from costmodel import __version__

    data: dict[str, Any] = {
        "format": JSON_FORMAT,
        "costmodel": __version__,
        "model": report.model,
        "parameters": list(report.names),
        "bindings": {k: v if isinstance(v, int) else str(v) for k, v in report.bindings.items()},
        "definitions": {str(q.symbol): str(q.raw) for q in report.named.quantities},
        "shown": {str(q.symbol): str(q.shown) for q in report.named.quantities},
        "totals": {name: _json_value(report.named.total.as_dict()[name]) for name in TOTALS},
        "assumptions": [{"where": where, "condition": f"{lhs} {rel} {rhs}"}
                        for lhs, rel, rhs, where in report.assumptions],
    }
    if report.blocks:
        data["blocks"] = {block: {k: _json_value(v) for k, v in cost.as_dict().items()}
                          for block, cost in report.blocks.items()}
    if report.relaxed:
        data["relaxed"] = {f.total: {"expression": str(f.expression),
                                     "max_relative_error": f.max_relative_error,
                                     "worst_point": {k: _json_value(v) for k, v in f.worst.items()},
                                     "invalid_points": f.invalid,
                                     "unbuilt_points": f.unbuilt,
                                     "left_out": {k: [_json_value(v) for v in vs]
                                                  for k, vs in f.left_out.items()},
                                     "grid": {k: [v if isinstance(v, int) else str(v) for v in vs]
                                              for k, vs in f.grid.items()}}
                           for f in report.relaxed}
    return data


def _json_value(value: Any) -> Any:
    return value if isinstance(value, int) else str(value)


def render_json(report: SymbolicReport) -> str:
    return json.dumps(to_json_data(report), indent=2, ensure_ascii=False) + "\n"


def render_markdown(report: SymbolicReport) -> str:
    return f"# {report.model}\n\n```text\n{render_text(report)}```\n"


SYMBOLIC_FORMATS: dict[str, Callable[[SymbolicReport], str]] = {
    "table": render_text,
    "markdown": render_markdown,
    "json": render_json,
    "latex": render_latex,
}
"""Report format → renderer of a symbolic report (csv has no symbolic form)."""


def evaluate_json(data: Mapping[str, Any], point: Mapping[str, Any]) -> dict[str, Any]:
    """Each total of a symbolic JSON document at ``point`` (parameter → exact number), the
    way docs/json.md tells a sympy user to: parse with every name a plain symbol, substitute
    the definitions, then the point."""
    import sympy
    from sympy.parsing.sympy_parser import parse_expr

    local = {name: sympy.Symbol(name) for name in (*data["parameters"], *data["definitions"])}
    at = {local[name]: sympy.Rational(str(value)) for name, value in point.items()}
    values = {local[name]: parse_expr(text, local_dict=local).xreplace(at)
              for name, text in data["definitions"].items()}
    return {name: parse_expr(str(text), local_dict=local).xreplace(values).xreplace(at)
            for name, text in data["totals"].items()}
