"""Totals compiled once and evaluated exactly over a whole grid.

A total of a symbolic build is a polynomial in *atoms*: the swept symbols themselves and
the rounding terms built from them (``floor``, ``ceiling``, ``Max``, ``Piecewise`` — the
channel roundings and the spatial sizes). Each atom depends on some swept parameters;
parameters that share an atom form a *group* (usually α alone and the resolution alone,
since channel counts depend only on α and spatial sizes only on the resolution). Then

    total(point) = Σ_j F_j(first group's values) · G_j(other groups' values)

where every F_j and G_j is evaluated exactly (ints and Fractions, never floats) once per
distinct value of its own group, and the grid is one integer matrix product F·Gᵀ —
int64 when a bound proves no overflow, Python ints (object arrays) otherwise.
sympy is imported only here and in the other symbolic modules; no ``simplify``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["Monomial", "polynomial", "exact_function", "parameter_groups", "CompiledTotals",
           "compile_totals", "reorder", "as_exact"]

Monomial = frozenset  # of (atom, power) pairs; the empty set is the constant term
INT64_SAFE = 2**62


def polynomial(expr: Any, cache: dict[Any, dict[Monomial, Fraction]] | None = None
               ) -> dict[Monomial, Fraction]:
    """``expr`` expanded as {monomial in atoms: exact coefficient}.

    Sums, products and non-negative integer powers are expanded; anything else (a symbol,
    floor, ceiling, Max, Min, Piecewise, a negative power) is an atom.
    """
    cache = {} if cache is None else cache
    if expr in cache:
        return cache[expr]
    if expr.is_Number:
        result: dict[Monomial, Fraction] = {Monomial(): Fraction(int(expr.p), int(expr.q))}
    elif expr.is_Add:
        result = {}
        for term in expr.args:
            for mono, coef in polynomial(term, cache).items():
                result[mono] = result.get(mono, 0) + coef
    elif expr.is_Mul:
        result = {Monomial(): Fraction(1)}
        for factor in expr.args:
            result = _product(result, polynomial(factor, cache))
    elif expr.is_Pow and expr.exp.is_Integer and expr.exp > 0:
        base = polynomial(expr.base, cache)
        result = {Monomial(): Fraction(1)}
        for _ in range(int(expr.exp)):
            result = _product(result, base)
    else:
        result = {Monomial({(expr, 1)}): Fraction(1)}
    result = {mono: coef for mono, coef in result.items() if coef}
    cache[expr] = result
    return result


def _product(a: Mapping[Monomial, Fraction], b: Mapping[Monomial, Fraction]) -> dict[Monomial, Fraction]:
    result: dict[Monomial, Fraction] = {}
    for (ma, ca), (mb, cb) in itertools.product(a.items(), b.items()):
        powers = dict(ma)
        for atom, power in mb:
            powers[atom] = powers.get(atom, 0) + power
        mono = Monomial(powers.items())
        result[mono] = result.get(mono, 0) + ca * cb
    return result


def exact_function(symbols: Sequence[Any], exprs: Sequence[Any]) -> Callable[..., tuple[Any, ...]]:
    """A Python function of ``symbols`` returning the exact values of ``exprs``.

    Rationals are printed as ``Fraction(p, q)`` (sympy's default printer writes ``1/2``,
    a float), floor/ceiling as ``math.floor``/``math.ceil``; called with ints and Fractions
    the result is exact.
    """
    import sympy
    from sympy.printing.pycode import PythonCodePrinter

    class _ExactPrinter(PythonCodePrinter):
        def _print_Rational(self, expr: Any) -> str:
            return f"Fraction({expr.p}, {expr.q})"

        _print_Half = _print_Rational

    return sympy.lambdify(list(symbols), tuple(exprs), printer=_ExactPrinter, cse=True,
                          modules=[{"Fraction": Fraction, "math": math, "max": max, "min": min}])


def parameter_groups(names: Sequence[str], atom_sets: Iterable[Iterable[str]]) -> list[tuple[str, ...]]:
    """Partition ``names`` so that every set in ``atom_sets`` lies within one part."""
    parent = {name: name for name in names}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    for members in atom_sets:
        members = [m for m in members if m in parent]
        for other in members[1:]:
            parent[root(other)] = root(members[0])
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(root(name), []).append(name)
    return [tuple(group) for group in groups.values()]


@dataclass
class CompiledTotals:
    """Totals as Σ_j F_j(first group) · G_j(other groups), each part a compiled function."""

    names: tuple[str, ...]              # swept parameter names, grid axis order
    groups: list[tuple[str, ...]]       # groups[0] indexes the rows of F
    row: Callable[..., tuple[Any, ...]]  # first group's values → every F_j of every total
    columns: list[Callable[..., tuple[Any, ...]]]  # per other group: values → its distinct parts
    terms: dict[str, list[tuple[int, tuple[int, ...]]]]  # total → [(F index, part per group)]

    def evaluate(self, axes: Mapping[str, Sequence[Any]]) -> dict[str, np.ndarray]:
        """Every total at every point of the grid ``axes`` (name → values), shaped by ``names``.

        Exact: int64 when proven safe, otherwise Python ints (object dtype).
        """
        rows = _table(self.row, self.groups[0], axes)
        per_group = [_table(fn, group, axes) for fn, group in zip(self.columns, self.groups[1:])]
        shape = [len(_combinations(group, axes)) for group in self.groups]
        result = {}
        for total, terms in self.terms.items():
            columns = np.empty((len(terms), int(np.prod(shape[1:], dtype=np.int64))), dtype=object)
            for j, (_, parts) in enumerate(terms):
                product: Any = np.ones(1, dtype=object)
                for table, index in zip(per_group, parts):
                    product = np.multiply.outer(product, table[:, index]).reshape(-1)
                columns[j] = product
            values = _exact_matmul(rows[:, [f for f, _ in terms]], columns)
            result[total] = reorder(values.reshape(shape), self.groups, self.names, axes)
        return result


def _combinations(group: Sequence[str], axes: Mapping[str, Sequence[Any]]) -> list[tuple[Any, ...]]:
    return list(itertools.product(*(axes[name] for name in group)))


def _table(fn: Callable[..., tuple[Any, ...]], group: Sequence[str],
           axes: Mapping[str, Sequence[Any]]) -> np.ndarray:
    """Exact values of ``fn`` at every combination of the group's values (object array)."""
    values = [fn(*point) for point in _combinations(group, axes)]
    table = np.empty((len(values), len(values[0]) if values else 0), dtype=object)
    for i, row in enumerate(values):
        table[i] = [as_exact(v) for v in row]
    return table


def as_exact(value: Any) -> int | Fraction:
    """An int, or a Fraction when not whole."""
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else value
    if isinstance(value, (int, np.integer)):
        return int(value)
    raise TypeError(f"inexact value {value!r} in a compiled total")


def _exact_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a·b over exact numbers: int64 when every entry is an int and the bound allows it."""
    def bound(m: np.ndarray) -> int:
        return max((abs(v) for v in m.flat), default=0)

    whole = all(isinstance(v, int) for v in itertools.chain(a.flat, b.flat))
    if whole and bound(a) * bound(b) * max(a.shape[1], 1) < INT64_SAFE:
        return a.astype(np.int64) @ b.astype(np.int64)
    product = a.dot(b)
    return np.vectorize(as_exact, otypes=[object])(product) if product.size else product


def reorder(values: np.ndarray, groups: list[tuple[str, ...]], names: tuple[str, ...],
             axes: Mapping[str, Sequence[Any]]) -> np.ndarray:
    """From one axis per group (combinations) to one axis per name, in ``names`` order."""
    split = values.reshape([len(axes[name]) for group in groups for name in group])
    order = [name for group in groups for name in group]
    return np.transpose(split, [order.index(name) for name in names])


def compile_totals(exprs: Mapping[str, Any], names: tuple[str, ...],
                   groups: list[tuple[str, ...]]) -> CompiledTotals:
    """Split every expression into Σ_j F_j·G_j over ``groups`` and compile the parts once.

    The first group is the one that leaves the fewest distinct column products.
    """
    import sympy

    from costmodel.symbols import parameter_symbol

    def group_of(atom: Any) -> int:
        free = {str(s) for s in atom.free_symbols}
        return next(i for i, group in enumerate(groups) if free & set(group))

    cache: dict[Any, dict[Monomial, Fraction]] = {}
    split: dict[str, list[tuple[Fraction, list[Any]]]] = {}
    for total, expr in exprs.items():
        split[total] = []
        poly = polynomial(sympy.sympify(expr), cache) or {Monomial(): Fraction(0)}
        for mono, coef in poly.items():
            parts: list[Any] = [sympy.Integer(1)] * len(groups)
            for atom, power in mono:
                parts[group_of(atom)] *= atom ** power
            split[total].append((coef, parts))

    def column_count(first: int) -> int:
        return sum(len({tuple(p for g, p in enumerate(parts) if g != first) for _, parts in terms})
                   for terms in split.values())

    first = min(range(len(groups)), key=column_count)
    order = [first] + [g for g in range(len(groups)) if g != first]
    row_exprs: list[Any] = []
    distinct: list[dict[Any, int]] = [{} for _ in order[1:]]
    terms: dict[str, list[tuple[int, tuple[int, ...]]]] = {}
    for total, items in split.items():
        rows: dict[tuple[Any, ...], Any] = {}
        for coef, parts in items:
            key = tuple(parts[g] for g in order[1:])
            rows[key] = rows.get(key, sympy.Integer(0)) + sympy.Rational(coef.numerator, coef.denominator) * parts[first]
        terms[total] = []
        for key, row in rows.items():
            row_exprs.append(row)
            index = tuple(distinct[i].setdefault(part, len(distinct[i])) for i, part in enumerate(key))
            terms[total].append((len(row_exprs) - 1, index))
    symbols = [[parameter_symbol(name) for name in groups[g]] for g in order]
    return CompiledTotals(
        names=names,
        groups=[groups[g] for g in order],
        row=exact_function(symbols[0], row_exprs),
        columns=[exact_function(symbols[i + 1], list(distinct[i])) for i in range(len(order) - 1)],
        terms=terms,
    )
