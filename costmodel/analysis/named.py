"""Symbolic costs in named quantities, as a paper writes them.

A symbolic build's totals are single expressions in the parameters: every channel width
is spelled out (``8·max(1, ⌊2α + 1/2⌋) + 8·H(…)``) wherever it is used, so MobileNetV2's
totals fill 26 KB. Here each channel width and spatial size that the parameters shape is
named once — c₁, c₂, … for channels (index 1 of N×C×H×W, last of tokens), H₁, W₁, … for
spatial sizes, n₁, … for token counts — and every op's formula is evaluated again on the
named inputs, so the costs read ``9·c₁·H₁²``. Named quantities are integer symbols
(they count channels and pixels), which settles what sympy can only settle for integers:
⌊c/c⌋ = 1, ⌊6c + 1/2⌋ = 6c.

Each name keeps its exact definition in the parameters (``raw``), so substituting the
definitions into a named cost gives back the build's own total exactly (tested on every
spec at random points); ``shown`` is the same value written short (make_divisible
recognised, ⌊⌊⌊(r − 1)/2⌋/2⌋/2⌋ + 1 = ⌈r/8⌉ verified over a whole period for integer r).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any

from costmodel.cost import Cost
from costmodel.graph import Network, Node
from costmodel.ops import OPS, Shape
from costmodel.spec.base import expr_fields

__all__ = ["Quantity", "NamedCosts", "named_costs", "expanded", "MakeDivisible"]

_KINDS = {"c": "channels", "H": "height", "W": "width", "n": "length", "d": "size"}


@dataclass(frozen=True)
class Quantity:
    """A named intermediate quantity: its symbol, exact definition in the parameters,
    a short equal form (in parameters and earlier names) and what it measures."""

    symbol: Any
    raw: Any
    shown: Any
    kind: str
    first: str
    """The first layer whose output has this size."""


@dataclass
class NamedCosts:
    """Per-layer costs in named quantities, with the quantities' definitions."""

    quantities: list[Quantity]
    costs: dict[str, Cost]
    total: Cost
    blocks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    of_raw: dict[Any, Any] = field(default_factory=dict)
    """Raw size (in the parameters) → its named form, for anything else to be written in names."""

    def definitions(self) -> dict[Any, Any]:
        """Symbol → exact definition in the parameters."""
        return {q.symbol: q.raw for q in self.quantities}

    def by_block(self, depth: int = 1) -> dict[str, Cost]:
        """Costs summed per block instance ``depth`` levels down (as Analysis.by_block)."""
        result: dict[str, Cost] = {}
        for name, cost in self.costs.items():
            path = self.blocks[name]
            key = path[depth - 1] if len(path) >= depth else name
            result[key] = result.get(key, Cost()) + cost
        return {key: expanded(cost) for key, cost in result.items()}


def _make_divisible_class() -> Any:
    import sympy

    class make_divisible(sympy.Function):  # shown as the spec writes it
        """Display only: make_divisible(v, d[, m]) (costmodel.arith.make_divisible)."""

        nargs = (2, 3)

    return make_divisible


_MD: list[Any] = []


def MakeDivisible() -> Any:  # a class, created once sympy is loaded
    """The unevaluated sympy function ``make_divisible`` used in shown definitions."""
    if not _MD:
        _MD.append(_make_divisible_class())
    return _MD[0]


@contextmanager
def _no_distribution() -> Iterator[None]:
    """Keep 2·(a + b) as a product, so a named size stays one factor of every cost. Entering
    and leaving clear sympy's whole cache (sympy's rule for its global parameters): the
    fewer switches, the more sympy remembers."""
    from sympy.core.parameters import distribute

    with distribute(False):
        yield


def _positions(shape: Shape) -> list[str]:
    if len(shape) == 4:
        return ["N", "c", "H", "W"]
    if len(shape) == 3:
        return ["N", "n", "c"]
    if len(shape) == 2:
        return ["N", "c"]
    return ["N"] + ["d"] * (len(shape) - 1)


class _Namer:
    def __init__(self, network: Network, names: set[Any]) -> None:
        self.network = network
        self.parameters = names
        self.quantities: list[Quantity] = []
        self.of_raw: dict[Any, Any] = {}      # raw expression → named expression
        self.counters: dict[str, int] = {}
        self.named_outputs: dict[str, list[Shape]] = {}
        self.integers: dict[Any, Any] = {}    # rounding sub-expression → integer dummy
        self.memo: dict[Any, Any] = {}        # sub-expression → its integer form
        self.primitives: dict[Any, tuple[Any, Any]] = {}  # primitive part → (content, name)
        self.formulas: dict[Any, tuple[list[Shape], Cost]] = {}  # (op, layer, inputs) → result
        self.recognised: dict[Any, Any] = {}  # expression → make_divisible recognised in it

    def simple(self, expr: Any) -> bool:
        """A number, a parameter, or a rational multiple of one named quantity."""
        import sympy

        expr = sympy.sympify(expr)
        return not expr.free_symbols or expr.as_coeff_Mul()[1].is_Symbol

    def multiple(self, raw: Any) -> Any:
        """``raw`` as a rational multiple of a named quantity, or None: compared with every
        rounding (floor, ceiling, H, max/min of them) taken as the integer it is, so
        ⌊48·H(…) + 1/2⌋ + 48·max(1, ⌊2α + 1/2⌋) is seen to be 6 × (8·H(…) + 8·max(…))."""
        content, primitive = _integer_form(raw, self.integers, self.memo).as_content_primitive()
        if primitive in self.primitives:
            known, value = self.primitives[primitive]
            return content / known * value
        return None

    def name(self, kind: str, raw: Any, named: Any, where: str) -> Any:
        import sympy

        self.counters[kind] = count = self.counters.get(kind, 0) + 1
        symbol = sympy.Symbol(f"{kind}_{count}", integer=True, positive=True)
        self.quantities.append(Quantity(symbol, raw, named, _KINDS[kind], where))
        content, primitive = _integer_form(raw, self.integers, self.memo).as_content_primitive()
        self.primitives.setdefault(primitive, (content, symbol))
        return symbol

    def replace(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return type(value)(self.replace(v) for v in value)
        if getattr(value, "free_symbols", None):
            return value.xreplace(self.of_raw)
        return value

    def fields(self, node: Node) -> dict[str, Any]:
        """The layer's expression fields in names (as far as sizes are named so far)."""
        layer = node.layer
        return {name: self.replace(getattr(layer, name)) for name in expr_fields(type(layer))
                if getattr(layer, name) is not None}

    def evaluate(self, node: Node, update: dict[str, Any]) -> tuple[list[Shape], Cost]:
        """The op's formula on ``node``'s layer with ``update`` and its named inputs; one
        evaluation per distinct (layer, inputs): repeated cells share it."""
        layer = node.layer.model_copy(update=update)
        shapes = [self.named_outputs[ref][port] for ref, port in node.inputs]
        key = _layer_key(node.op, layer, shapes)
        if key is not None and key in self.formulas:
            return self.formulas[key]
        with _no_distribution():
            result = OPS[node.op].formula(layer, *shapes)
        if key is not None:
            self.formulas[key] = result.outputs, result.cost
        return result.outputs, result.cost

    def input(self, node: Node) -> None:
        self.named_outputs[node.name] = [tuple(self.replace(d) for d in s) for s in node.outputs]

    def node(self, node: Node) -> Cost:
        update = self.fields(node)
        outputs, cost = self.evaluate(node, update)
        local: dict[Any, Any] = {}
        named_shapes = []
        for raw_shape, shape in zip(node.outputs, outputs):
            named_shape = []
            for position, raw, named in zip(_positions(raw_shape), raw_shape, shape):
                named = self.replace(named)
                if not getattr(raw, "free_symbols", None):
                    value = raw
                elif raw in self.of_raw:
                    value = self.of_raw[raw]
                elif self.simple(named):
                    value = named
                else:
                    value = self.multiple(raw)
                    if value is None:
                        value = self.name(position, raw, named, node.name)
                if value != raw:
                    self.of_raw.setdefault(raw, value)
                if getattr(named, "free_symbols", None) and named != value:
                    local[named] = value
                named_shape.append(value)
            named_shapes.append(tuple(named_shape))
        self.named_outputs[node.name] = named_shapes
        named = self._clean(cost, local)
        if self.raw_left(named) and (renamed := self.fields(node)) != update:
            # a field sized by an output named just now (c₂ = out): evaluate again in it
            _, cost = self.evaluate(node, renamed)
            named = self._clean(cost, local)
        return named

    def raw_left(self, cost: Cost) -> bool:
        return any(getattr(getattr(cost, f.name), "free_symbols", set()) & self.parameters
                   for f in fields(Cost))

    def _clean(self, cost: Cost, local: Mapping[Any, Any]) -> Cost:
        """A formula's cost in names: its outputs' sizes and any raw size left in it (one
        switch of sympy's distribution for all fields: each switch clears sympy's cache)."""
        values = [getattr(cost, f.name) for f in fields(Cost)]
        if not any(getattr(value, "free_symbols", None) for value in values):
            return cost
        with _no_distribution():
            return Cost(*(self._cleaned(value, local) for value in values))

    def _cleaned(self, value: Any, local: Mapping[Any, Any]) -> Any:
        if not getattr(value, "free_symbols", None):
            return value
        if local:
            value = value.xreplace(dict(local))
        if value.free_symbols & self.parameters:
            value = value.xreplace(self.of_raw)
        return value


def named_costs(network: Network, names: tuple[str, ...]) -> NamedCosts:
    """Every node's cost in named quantities (see the module docstring)."""
    from costmodel.symbols import parameter_symbol

    namer = _Namer(network, {parameter_symbol(n) for n in names})
    namer.input(network.input)
    costs = {node.name: namer.node(node) for node in network.ops}
    total = expanded(_summed(costs.values()))
    quantities = [_shortened(q, namer) for q in namer.quantities]
    blocks = {name: node.block for name, node in network.nodes.items()}
    return NamedCosts(quantities, costs, total, blocks, namer.of_raw)


def expanded(cost: Cost) -> Cost:
    """``cost`` with each symbolic field multiplied out (like terms collected)."""
    import sympy

    return Cost(*(sympy.expand(v) if getattr(v, "free_symbols", None) else v
                  for v in (getattr(cost, f.name) for f in fields(Cost))))


def _summed(costs: Iterable[Cost]) -> Cost:
    """The sum of ``costs`` field by field, each symbolic field one n-ary sympy sum (adding
    hundreds of expressions one at a time re-sorts the growing sum each time)."""
    import sympy

    costs = list(costs)
    result = []
    for f in fields(Cost):
        values = [getattr(c, f.name) for c in costs]
        symbolic = [v for v in values if getattr(v, "free_symbols", None)]
        number = sum(v for v in values if not getattr(v, "free_symbols", None))
        result.append(sympy.Add(number, *symbolic) if symbolic else number)
    return Cost(*result)


def _integer_form(expr: Any, dummies: dict[Any, Any], memo: dict[Any, Any]) -> Any:
    """``expr`` with each rounding (floor, ceiling, Heaviside, max/min of integers) that
    does not fold away replaced by an integer dummy, bottom-up, the same dummy for the
    same sub-expression: ⌊48·h + 1/2⌋ becomes 48·h once h is known to be an integer."""
    import sympy

    if not getattr(expr, "args", ()) or expr.is_Atom:
        return expr
    if expr in memo:
        return memo[expr]
    args = tuple(_integer_form(a, dummies, memo) for a in expr.args)
    rebuilt = expr if args == expr.args else expr.func(*args)  # rebuilding costs sympy's checks
    if isinstance(rebuilt, (sympy.floor, sympy.ceiling, sympy.Heaviside)) or (
            isinstance(rebuilt, (sympy.Max, sympy.Min)) and all(a.is_integer for a in rebuilt.args)):
        if rebuilt not in dummies:
            dummies[rebuilt] = sympy.Dummy(integer=True)
        result = dummies[rebuilt]
    else:
        result = sympy.expand(rebuilt)
    memo[expr] = result
    return result


def _shortened(quantity: Quantity, namer: _Namer) -> Quantity:
    """The raw form closed when it is a quasi-linear rounding in one variable (a paper's
    closed form), else the shortest of the named form and the raw form, each with
    make_divisible recognised (its argument a multiple of an earlier name where it is one:
    SE's make_divisible(c₁/4, 8)) and quasi-linear roundings in one variable closed."""
    differs = quantity.shown != quantity.raw
    best = quasi_linear(quantity.raw) if differs else None  # H₂ = ⌈r/4⌉ rather than ⌈H₁/2⌉
    if best is None:
        candidates = [_in_names(_short(quantity.shown, namer.recognised), namer, quantity.symbol)]
        if differs:
            candidates.append(_short(quantity.raw, namer.recognised))
        best = min(candidates, key=_by_length)
    return Quantity(quantity.symbol, quantity.raw, best, quantity.kind, quantity.first)


def _by_length(expr: Any) -> tuple[int, str]:
    text = str(expr)
    return len(text), text


def _in_names(expr: Any, namer: _Namer, symbol: Any) -> Any:
    """``expr`` with each make_divisible argument that is a rational multiple of an earlier
    named quantity written as that multiple."""
    def rename(call: Any) -> Any:
        value = namer.multiple(call.args[0])
        if value is None or value.has(symbol):
            return call
        return call.func(value, *call.args[1:])

    return expr.replace(lambda e: isinstance(e, MakeDivisible()), rename)


def _short(expr: Any, memo: dict[Any, Any]) -> Any:
    """``expr`` with make_divisible recognised (``memo`` shared by every quantity: each
    raw width holds the ones before it) and a quasi-linear rounding closed."""
    expr = recognise_make_divisible(expr, memo)
    closed = quasi_linear(expr)
    return expr if closed is None else closed


def recognise_make_divisible(expr: Any, memo: dict[Any, Any] | None = None) -> Any:
    """``expr`` with each sub-expression of the form costmodel's symbolic make_divisible(v,
    d, m) produces — d·max(m/d, ⌊v/d + 1/2⌋) + d·H(9v/10 − d·max(…)) — written as that call."""
    import sympy

    if not getattr(expr, "args", ()) or expr.is_Atom:
        return expr
    memo = {} if memo is None else memo
    if expr not in memo:
        found = _match_make_divisible(expr, memo) if isinstance(expr, sympy.Add) else None
        memo[expr] = found if found is not None else expr.func(
            *(recognise_make_divisible(a, memo) for a in expr.args))
    return memo[expr]



def _match_make_divisible(expr: Any, memo: dict[Any, Any]) -> Any:
    import sympy

    if len(expr.args) != 2:
        return None
    for rounded, step in (expr.args, expr.args[::-1]):
        d, clamp = rounded.as_coeff_Mul()
        k, heaviside = step.as_coeff_Mul()
        if not (isinstance(clamp, sympy.Max) and isinstance(heaviside, sympy.Heaviside)
                and d.is_Integer and d > 0 and k == d and len(clamp.args) == 2):
            continue
        floors = [a for a in clamp.args if isinstance(a, sympy.floor)]
        numbers = [a for a in clamp.args if a.is_Rational]
        if len(floors) != 1 or len(numbers) != 1:
            continue
        v = sympy.expand(d * (floors[0].args[0] - sympy.Rational(1, 2)))
        if sympy.expand(heaviside.args[0] - (sympy.Rational(9, 10) * v - rounded)) != 0:
            continue
        m = numbers[0] * d
        inner = recognise_make_divisible(v, memo)
        return MakeDivisible()(inner, d) if m == d else MakeDivisible()(inner, d, m)
    return None


def quasi_linear(expr: Any) -> Any:
    """⌈x/n⌉ or ⌊(x + a)/n⌋ equal to ``expr`` for every positive integer x, if ``expr``
    rounds in one variable x only (nested halvings of a resolution); else None.

    Proof by enumeration: floor, ceiling, +, and multiplication by rationals keep
    f(x + L) = f(x) + L/n when L is a multiple of every denominator in ``expr``; both
    sides have that period, so agreeing on x = 1 … L (and having the same slope) is
    agreeing everywhere.
    """
    import sympy

    from costmodel.analysis.closed_form import relax

    if not expr.has(sympy.floor, sympy.ceiling) or len(expr.free_symbols) != 1:
        return None
    if any(not isinstance(a, (sympy.floor, sympy.ceiling, sympy.Add, sympy.Mul, sympy.Symbol,
                              sympy.Rational, sympy.Pow))
           for a in sympy.preorder_traversal(expr)):
        return None
    (x,) = expr.free_symbols
    slope = sympy.diff(sympy.expand(relax(expr)), x)
    if not slope.is_Rational or slope <= 0 or slope.p != 1:
        return None
    n = int(slope.q)
    period = n
    for atom in expr.atoms(sympy.Rational):
        period = math.lcm(period, int(atom.q))
    if period > 256:
        return None
    values = [_value_at(expr, x, k) for k in range(1, period + 1)]
    for a in range(n):
        if values == [(k + a) // n for k in range(1, period + 1)]:
            return sympy.floor(x / n) if a == 0 else (
                sympy.ceiling(x / n) if a == n - 1 else sympy.floor((x + a) / n))
    return None


def _value_at(expr: Any, x: Any, k: int) -> Any:
    """``expr`` (floor, ceiling, +, ·, integer powers of rationals and of ``x``) at ``x`` = k,
    exactly, in Python's Fraction arithmetic (sympy's own substitution settles each rounding
    through its assumptions: milliseconds a point); sympy's substitution for anything else."""
    from fractions import Fraction

    import sympy

    if expr == x:
        return Fraction(k)
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    if isinstance(expr, (sympy.floor, sympy.ceiling)):
        inner = _value_at(expr.args[0], x, k)
        if isinstance(inner, Fraction):
            return Fraction(math.floor(inner) if isinstance(expr, sympy.floor) else math.ceil(inner))
    elif isinstance(expr, (sympy.Add, sympy.Mul)):
        values = [_value_at(arg, x, k) for arg in expr.args]
        if all(isinstance(v, Fraction) for v in values):
            return sum(values, Fraction(0)) if isinstance(expr, sympy.Add) else math.prod(values)
    elif isinstance(expr, sympy.Pow) and expr.exp.is_Integer:
        base = _value_at(expr.base, x, k)
        if isinstance(base, Fraction) and (base or expr.exp > 0):
            return base ** int(expr.exp)
    return expr.xreplace({x: sympy.Integer(k)})


_NOT_FORMULA = frozenset({"name", "inputs", "repeat", "first", "when", "choices"})
"""Layer fields the build has used up: no op formula reads them."""


def _layer_key(op: str, layer: Any, shapes: list[Shape]) -> Any:
    """What an op formula's result depends on: the op, the layer's other fields and the
    input shapes (hashable); None when a field value cannot be hashed."""
    values = [(name, _frozen(getattr(layer, name))) for name in type(layer).model_fields
              if name not in _NOT_FORMULA]
    key = (op, type(layer), tuple(values), tuple(sorted((layer.model_extra or {}).items())), tuple(shapes))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value
