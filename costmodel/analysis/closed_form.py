"""Closed forms: each total as an exact expression and as a relaxed polynomial.

The relaxed form drops every rounding so the scaling can be read off: ⌊x⌋ → x,
⌈x⌉ → x, except rounding to nearest, ⌊x + n + 1/2⌋ → x + n and ⌈x + n − 1/2⌉ → x + n
(make_divisible's ⌊v/d + 1/2⌋; a stride-2 "same" size ⌊(H − 1)/2⌋ + 1 = ⌊H/2 + 1/2⌋ → H/2), a Piecewise →
its default branch and a step H(·) → 0 (make_divisible's "+d if it lost more than 10 %"), and numeric
clamps of a rounded value are dropped from Max/Min (make_divisible's min_value, TF-slim's
min_depth: max(⌊c·α⌋, 8) → c·α). A clamp of an unrounded value is a design choice, not
rounding, and stays (MobileNetV2's head, 1280·max(1, α)): the form is then piecewise and
has no single list of terms. What remains is a polynomial, e.g. MobileNetV1's
MACCs ≈ a·α²·r² + b·α·r² + c·α + …; its relative error at the grid points says how much
the rounding matters there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ClosedForm", "CLOSED_FORM_TOTALS", "relax", "closed_form", "closed_forms"]

CLOSED_FORM_TOTALS = ("params", "maccs", "mem_access", "elementwise")


@dataclass(frozen=True)
class ClosedForm:
    """One total: exact expression, relaxed polynomial, its terms by degree, and errors."""

    total: str
    exact: Any
    relaxed: Any
    terms: list[tuple[Any, Any]]    # (coefficient, monomial), highest total degree first
    max_relative_error: float       # max |relaxed − exact| / exact over the grid
    worst: tuple[int, ...] | None = None   # the grid index where it is largest


def relax(expr: Any) -> Any:
    """``expr`` with its rounding dropped (see the module docstring)."""
    import sympy

    if not getattr(expr, "args", ()) or expr.is_Atom:
        return expr
    if isinstance(expr, (sympy.floor, sympy.ceiling)):
        inner = sympy.expand(relax(expr.args[0]))
        constant, _ = inner.as_coeff_Add()
        if constant - sympy.floor(constant) == sympy.S.Half:  # rounding to nearest
            return inner + (-sympy.S.Half if isinstance(expr, sympy.floor) else sympy.S.Half)
        return inner
    if isinstance(expr, sympy.Piecewise):
        return relax(expr.args[-1].expr)
    if isinstance(expr, sympy.Heaviside):  # make_divisible's "+d if it lost more than 10 %"
        return sympy.Integer(0)
    if isinstance(expr, (sympy.Max, sympy.Min)) and any(
            arg.has(sympy.floor, sympy.ceiling) for arg in expr.args):
        kept = [arg for arg in expr.args if arg.free_symbols] or list(expr.args)
        return relax(kept[0]) if len(kept) == 1 else expr.func(*(relax(a) for a in kept))
    return expr.func(*(relax(arg) for arg in expr.args))


def closed_form(total: str, expr: Any, names: Sequence[str], axes: Mapping[str, Sequence[Any]],
                exact_values: np.ndarray, valid: np.ndarray | None = None) -> ClosedForm:
    """The closed form of one total; errors are measured against ``exact_values``
    (shaped by ``names``, as in a :class:`~costmodel.analysis.sweep.SweepResult`) at the
    points ``valid`` holds (all when None)."""
    import sympy

    from costmodel.symbols import parameter_symbol

    symbols = [parameter_symbol(name) for name in names]
    exact = sympy.sympify(expr)
    relaxed = sympy.expand(relax(exact))
    terms: list[tuple[Any, Any]] = []
    if relaxed.is_polynomial(*symbols):
        poly = sympy.Poly(relaxed, *symbols)
        terms = sorted(((coef, sympy.Mul(*(s**e for s, e in zip(symbols, powers))))
                        for powers, coef in poly.terms()),
                       key=lambda t: (-sympy.Poly(t[1], *symbols).total_degree(), -abs(t[0])))
    fn = sympy.lambdify(symbols, relaxed, "numpy")
    grids = np.meshgrid(*(np.array([float(v) for v in axes[n]]) for n in names), indexing="ij")
    approx = np.broadcast_to(np.asarray(fn(*grids), dtype=float), exact_values.shape)
    reference = exact_values.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        errors = np.where(reference != 0, np.abs(approx - reference) / np.abs(reference),
                          np.where(approx == 0, 0.0, np.inf))
    if valid is not None:
        errors = np.where(valid, errors, -1.0)
    if not errors.size or errors.max() < 0:
        return ClosedForm(total, exact, relaxed, terms, 0.0)
    worst = np.unravel_index(int(np.argmax(errors)), errors.shape)
    return ClosedForm(total, exact, relaxed, terms, float(errors[worst]),
                      tuple(int(i) for i in worst))


def closed_forms(spec: Any, path: str, result: Any) -> list[ClosedForm]:
    """The closed forms of :data:`CLOSED_FORM_TOTALS` over a sweep's grid (one symbolic
    build in the swept parameters, the other bindings as in the sweep), their errors at the
    grid's valid points."""
    from costmodel.analysis.sweep import symbolic_network

    totals = symbolic_network(spec, path, result.names, result.fixed).total.as_dict()
    valid = None if result.invalid is None else ~result.invalid
    return [closed_form(key, totals[key], result.names, result.axes, result.totals[key], valid)
            for key in CLOSED_FORM_TOTALS]
