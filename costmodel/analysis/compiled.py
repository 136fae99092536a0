"""Totals of a symbolic build evaluated exactly over a whole grid, without floats.

Every cost of a symbolic build is a polynomial in *atoms*: the swept symbols and the
rounding terms built from them (``floor``, ``ceiling``, ``Max``, ``Heaviside``, ``Piecewise``, ``Mod`` —
channel roundings and spatial sizes). Swept parameters that share an atom (or a recorded
assumption) form a *group*; usually α alone and the resolution alone. Then

    total(point) = Σ_k R_k(first group's values) · C_k(other groups' values)

Each atom is evaluated once per distinct value of its group by generated Python code in
which every operation is exact: ints and Fractions only, a division is ``Fraction(a) / b``,
rationals are Fraction constants, ⌊⌋/⌈⌉ are ``math.floor``/``math.ceil`` (exact on
Fractions). The generated code sees the swept values only as positional arguments and its
helpers under private names, so no user name can reach it. R and C are scaled to integers
by exact common denominators; the grid is one matrix product R·C, in int64 when a bound
proves that no partial sum can overflow and in Python ints otherwise; the scale is divided
out exactly (a non-whole quotient is an error, never rounded).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["Monomial", "Polynomial", "CompileError", "polynomial", "exact_function",
           "parameter_groups", "Tables", "evaluate_polynomial", "as_exact", "reorder"]

Monomial = frozenset  # of (atom, power) pairs; the empty set is the constant term
Polynomial = dict[Monomial, Fraction]
INT64_LIMIT = 2**63


class CompileError(Exception):
    """An expression the exact code generator does not handle (the caller falls back to
    one numeric build per point)."""


def polynomial(expr: Any, cache: dict[Any, Polynomial] | None = None) -> Polynomial:
    """``expr`` expanded as {monomial in atoms: exact coefficient}.

    Sums, products and non-negative integer powers are expanded; anything else (a symbol,
    floor, ceiling, Max, Min, Heaviside, Piecewise, Mod, a negative power) is an atom.
    """
    if isinstance(expr, (int, Fraction)):
        return {Monomial(): Fraction(expr)} if expr else {}
    cache = {} if cache is None else cache
    if expr in cache:
        return cache[expr]
    if expr.is_Rational:
        result: Polynomial = {Monomial(): Fraction(int(expr.p), int(expr.q))}
    elif expr.is_Add:
        result = {}
        for term in expr.args:
            _accumulate(result, polynomial(term, cache))
    elif expr.is_Mul:
        result = {Monomial(): Fraction(1)}
        for factor in expr.args:
            result = _product(result, polynomial(factor, cache))
    elif expr.is_Pow and expr.exp.is_Integer and expr.exp > 0:
        base = polynomial(expr.base, cache)
        result = {Monomial(): Fraction(1)}
        for _ in range(int(expr.exp)):
            result = _product(result, base)
    elif expr.is_Number:
        raise CompileError(f"inexact number {expr} in a total")
    else:
        result = {Monomial({(expr, 1)}): Fraction(1)}
    result = {mono: coef for mono, coef in result.items() if coef}
    cache[expr] = result
    return result


def _accumulate(into: Polynomial, other: Mapping[Monomial, Fraction]) -> None:
    for mono, coef in other.items():
        into[mono] = into.get(mono, 0) + coef


def _product(a: Mapping[Monomial, Fraction], b: Mapping[Monomial, Fraction]) -> Polynomial:
    result: Polynomial = {}
    for (ma, ca), (mb, cb) in itertools.product(a.items(), b.items()):
        powers = dict(ma)
        for atom, power in mb:
            powers[atom] = powers.get(atom, 0) + power
        mono = Monomial(powers.items())
        result[mono] = result.get(mono, 0) + ca * cb
    return result


# -- exact code generation -------------------------------------------------------------

def _quotient(a: Any, b: Any) -> Fraction:
    return Fraction(a) / b


def _undefined() -> Any:
    raise CompileError("no branch of a Piecewise applies")


_NAMESPACE: dict[str, Any] = {
    "__builtins__": {}, "_Fraction": Fraction, "_quotient": _quotient, "_floor": math.floor,
    "_ceil": math.ceil, "_max": max, "_min": min, "_abs": abs, "_undefined": _undefined,
}
_RELATIONS = {"StrictLessThan": "<", "LessThan": "<=", "StrictGreaterThan": ">",
              "GreaterThan": ">=", "Equality": "==", "Unequality": "!="}
_CALLS = {"floor": "_floor", "ceiling": "_ceil", "Max": "_max", "Min": "_min", "Abs": "_abs"}


class _Generator:
    """Python source of exact arithmetic for sympy expressions; shared subexpressions are
    computed once."""

    def __init__(self, symbols: Sequence[Any]) -> None:
        self.names = {symbol: f"_a{i}" for i, symbol in enumerate(symbols)}
        self.lines: list[str] = []
        self.memo: dict[Any, str] = {}
        self.constants: dict[str, Any] = {}

    def emit(self, expr: Any) -> str:
        if expr in self.names:
            return self.names[expr]
        if expr in self.memo:
            return self.memo[expr]
        code = self._code(expr)
        name = f"_t{len(self.memo)}"
        self.lines.append(f"    {name} = {code}")
        self.memo[expr] = name
        return name

    def _code(self, expr: Any) -> str:
        kind = type(expr).__name__
        if expr.is_Integer:
            return repr(int(expr))
        if expr.is_Rational:
            name = f"_c{len(self.constants)}"
            self.constants[name] = Fraction(int(expr.p), int(expr.q))
            return name
        if kind == "BooleanTrue":
            return "True"
        if kind == "BooleanFalse":
            return "False"
        if expr.is_Add:
            return " + ".join(self.emit(arg) for arg in expr.args)
        if expr.is_Mul:
            return self._product(expr.args)
        if expr.is_Pow and expr.exp.is_Integer:
            power = int(expr.exp)
            base = self.emit(expr.base)
            return f"{base} ** {power}" if power > 0 else f"_quotient(1, {base} ** {-power})"
        if kind in _CALLS:
            return f"{_CALLS[kind]}({', '.join(self.emit(arg) for arg in expr.args)})"
        if kind == "Heaviside":
            x, at_zero = (self.emit(arg) for arg in expr.args)
            return f"1 if {x} > 0 else {at_zero} if {x} == 0 else 0"
        if kind == "Mod":
            return f"{self.emit(expr.args[0])} % {self.emit(expr.args[1])}"
        if kind in _RELATIONS:
            return f"{self.emit(expr.lhs)} {_RELATIONS[kind]} {self.emit(expr.rhs)}"
        if kind in ("And", "Or"):
            return f" {kind.lower()} ".join(f"({self.emit(arg)})" for arg in expr.args)
        if kind == "Not":
            return f"not {self.emit(expr.args[0])}"
        if kind == "Piecewise":
            branches = [(self.emit(e), self.emit(c)) for e, c in expr.args]
            return " else ".join(f"{e} if {c}" for e, c in branches) + " else _undefined()"
        raise CompileError(f"no exact code for {kind} ({expr})")

    def _product(self, factors: Iterable[Any]) -> str:
        above, below = [], []
        for factor in factors:
            if factor.is_Pow and factor.exp.is_Integer and factor.exp < 0:
                below.append(self.emit(factor.base ** -factor.exp))
            elif factor.is_Rational and not factor.is_Integer:
                above.append(repr(int(factor.p)))
                below.append(repr(int(factor.q)))
            else:
                above.append(self.emit(factor))
        numerator = " * ".join(above) or "1"
        return f"_quotient({numerator}, {' * '.join(below)})" if below else numerator


def exact_function(symbols: Sequence[Any], exprs: Sequence[Any]) -> Callable[..., tuple[Any, ...]]:
    """A Python function of ``symbols`` (positionally) returning the exact values of
    ``exprs`` as ints and Fractions. Raises :class:`CompileError` for an expression it
    cannot evaluate exactly (e.g. a square root)."""
    import sympy

    generator = _Generator(symbols)
    results = [generator.emit(sympy.sympify(expr)) for expr in exprs]
    arguments = ", ".join(f"_a{i}" for i in range(len(symbols)))
    source = "\n".join([f"def _exact({arguments}):", *generator.lines,
                        f"    return ({''.join(r + ', ' for r in results)})"])
    namespace = {**_NAMESPACE, **generator.constants}
    exec(compile(source, "<costmodel exact code>", "exec"), namespace)  # generated above: no user text
    function: Callable[..., tuple[Any, ...]] = namespace["_exact"]
    return function


# -- groups and tables -------------------------------------------------------------------

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


def as_exact(value: Any) -> int | Fraction:
    """An int, or a Fraction when not whole."""
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else value
    if isinstance(value, (int, np.integer)):
        return int(value)
    raise CompileError(f"inexact value {value!r} in a compiled total")


class Tables:
    """Exact values of expressions at every combination of each group's swept values
    (object arrays, computed once per expression)."""

    def __init__(self, groups: Sequence[tuple[str, ...]], axes: Mapping[str, Sequence[Any]]) -> None:
        from costmodel.symbols import parameter_symbol

        self.groups = list(groups)
        self.combos = [list(itertools.product(*(axes[name] for name in group))) for group in groups]
        self.symbols = [[parameter_symbol(name) for name in group] for group in groups]
        self.names = {name: g for g, group in enumerate(groups) for name in group}
        self.cache: dict[tuple[int, Any], np.ndarray] = {}
        self.owners: dict[Any, int | None] = {}

    def group_of(self, expr: Any) -> int | None:
        """The group whose parameters ``expr`` depends on (None: none, or several)."""
        if expr not in self.owners:
            found = {self.names.get(s.name, -1) for s in getattr(expr, "free_symbols", ())}
            self.owners[expr] = found.pop() if len(found) == 1 and -1 not in found else None
        return self.owners[expr]

    def values(self, exprs: Sequence[Any], group: int) -> list[np.ndarray]:
        """Each expression's values at every combination of ``group`` (cached)."""
        missing = [expr for expr in dict.fromkeys(exprs) if (group, expr) not in self.cache]
        if missing:
            function = exact_function(self.symbols[group], missing)
            try:
                rows = [function(*combo) for combo in self.combos[group]]
            except (ZeroDivisionError, ValueError, OverflowError) as error:
                raise CompileError(f"cannot evaluate exactly: {error}") from None
            for i, expr in enumerate(missing):
                column = np.empty(len(rows), dtype=object)
                column[:] = [as_exact(row[i]) if not isinstance(row[i], bool) else row[i]
                             for row in rows]
                self.cache[group, expr] = column
        return [self.cache[group, expr] for expr in exprs]


def _part_values(part: frozenset[tuple[Any, int]], tables: Tables, group: int,
                 index: np.ndarray, memo: dict[Any, np.ndarray]) -> np.ndarray:
    """Π atom^power over the selected combinations of ``group`` (exact)."""
    key = (group, part)
    if key not in memo:
        value: Any = np.ones(len(index), dtype=object)
        pairs = list(part)
        atoms = tables.values([atom for atom, _ in pairs], group) if pairs else []
        for column, (_, power) in zip(atoms, pairs):
            selected = column[index]
            value = value * (selected ** power if power != 1 else selected)
        memo[key] = value
    return memo[key]


def evaluate_polynomial(poly: Polynomial, tables: Tables, region: Sequence[np.ndarray],
                        memo: dict[Any, np.ndarray]) -> np.ndarray:
    """``poly`` at every point of ``region`` (per group, indices into its combinations),
    shaped (len(region[0]), len(region[1]), …); int64 when proven safe, else Python ints.
    ``memo`` caches part values between calls on the same region."""
    count = len(region)
    split: dict[tuple[Any, ...], list[tuple[int | Fraction, Any]]] = {}
    for mono, coef in poly.items():
        parts: list[list[tuple[Any, int]]] = [[] for _ in range(count)]  # by group
        for atom, power in mono:
            group = tables.group_of(atom)
            if group is None:
                raise CompileError(f"{atom} depends on parameters of several groups")
            parts[group].append((atom, power))
        key = tuple(frozenset(p) for p in parts)
        split.setdefault(key[1:], []).append((as_exact(coef), key[0]))
    shape = [len(index) for index in region]
    rows, columns = [], []
    for other, terms in split.items():
        row: Any = np.zeros(shape[0], dtype=object)
        for factor, part in terms:
            row = row + _part_values(part, tables, 0, region[0], memo) * factor
        column: Any = np.ones(1, dtype=object)
        for g, part in enumerate(other, start=1):
            column = np.multiply.outer(column, _part_values(part, tables, g, region[g], memo)).reshape(-1)
        rows.append(row)
        columns.append(column)
    if not rows:
        return np.zeros(shape, dtype=np.int64)
    return _exact_product(rows, columns).reshape(shape)


def _integral(values: np.ndarray) -> tuple[np.ndarray, int]:
    """(values·d, d) with d the least common denominator: whole numbers, exactly."""
    denominators = [v.denominator for v in values if isinstance(v, Fraction)]
    scale = math.lcm(*denominators) if denominators else 1
    if scale == 1:
        return values, 1
    return np.array([as_exact(v * scale) for v in values], dtype=object), scale


def _exact_product(rows: list[np.ndarray], columns: list[np.ndarray]) -> np.ndarray:
    """Σ_k rows[k] ⊗ columns[k], exactly: scaled to integers, one matrix product, the
    common scale divided out (it must divide: every total is whole)."""
    scaled = [(_integral(r), _integral(c)) for r, c in zip(rows, columns)]
    common = math.lcm(*(d * e for (_, d), (_, e) in scaled))
    left = np.empty((len(rows[0]), len(rows)), dtype=object)
    right = np.empty((len(rows), len(columns[0])), dtype=object)
    for k, ((r, d), (c, e)) in enumerate(scaled):
        left[:, k] = r * (common // (d * e))
        right[k, :] = c
    bound = _bound(left) * _bound(right) * len(rows)
    if bound < INT64_LIMIT:
        product = left.astype(np.int64) @ right.astype(np.int64)
        if common == 1:
            return product
        if np.any(product % common):
            raise CompileError("a total is not a whole number")
        return product // common
    product = left.dot(right)
    if common != 1:
        if any(v % common for v in product.flat):
            raise CompileError("a total is not a whole number")
        product = product // common
    return product


def _bound(matrix: np.ndarray) -> int:
    return max((abs(int(v)) for v in matrix.flat), default=0)


def reorder(values: np.ndarray, groups: Sequence[tuple[str, ...]], names: tuple[str, ...],
            axes: Mapping[str, Sequence[Any]]) -> np.ndarray:
    """From one axis per group (combinations) to one axis per name, in ``names`` order."""
    split = values.reshape([len(axes[name]) for group in groups for name in group])
    order = [name for group in groups for name in group]
    return np.transpose(split, [order.index(name) for name in names])
