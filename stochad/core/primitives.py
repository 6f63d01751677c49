"""The primitive registry and the dispatch that sends a call to the right carrier type.

A *primitive* is one operation with all of its differentiation rules in one record:

``value``
    the primal operation (numpy semantics; works on floats and arrays);
``partials``
    one function per argument, ``partial(*args, out) -> d out / d arg`` (elementwise,
    broadcasting). It gives the tangent (δ) rule ``dout = Σ partial_i · dx_i``, the
    smoothed rule (smoothed scalars obey the ordinary chain rule) and the reverse rule
    ``x̄_i = partial_i · ȳ``;
``smoothed_partials``
    where the smoothed/reverse rule differs from the almost-sure one (a threshold whose
    derivative is zero almost everywhere but has a surrogate);
finite-perturbation rule
    always "apply ``value`` to the alternate values" (each operand without the
    perturbation contributes its primal value), so it needs no field;
``scalar``
    optionally, ``value`` on Python numbers (``float``, ``int``) as plain Python: the scalar
    triples' fast path (docs/performance.md). It must give exactly ``value``'s number
    wherever it returns a finite one (IEEE arithmetic is the same in Python and numpy; a
    transcendental function calls the numpy ufunc itself); where it raises
    ``ArithmeticError`` or returns inf/nan the operation takes the general path, which
    gives numpy's result (and warnings).

Carrier types (scalar triples, triple arrays, reverse-mode tracers) implement
``__stochad_apply__(primitive, args, kwargs, evaluation)``, set ``__stochad_priority__``
and have an ``evaluation``; ``call`` sends each operation to the carrier of the innermost
evaluation among its arguments (see :func:`dispatch_target`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stochad.core.context import current_evaluation_or_none

__all__ = [
    "Primitive", "PRIMITIVES", "register", "call", "is_carrier", "is_zero", "dispatch_target",
    "check_foreign", "owned", "differs", "moving_events",
]  # fmt: skip


@dataclass(frozen=True)
class Primitive:
    """All the rules of one operation (see the module docstring)."""

    name: str
    value: Callable[..., Any]
    partials: tuple[Callable[..., Any] | None, ...] = ()
    smoothed_partials: tuple[Callable[..., Any] | None, ...] | None = None
    piecewise_constant: bool = False
    """True for comparisons and similar: derivative zero, only alternates carry change."""
    jvp: Callable[..., Any] | None = None
    """Tangent rule of a non-elementwise primitive: ``jvp(args, kwargs, tangents)``."""
    vjp: Callable[..., Any] | None = None
    """Reverse rule of a non-elementwise primitive:
    ``vjp(args, kwargs, out, cotangent, wanted=None)`` -> one cotangent (or None) per
    argument; ``wanted[i]`` False allows skipping argument ``i``."""
    scalar: Callable[..., Any] | None = None
    """``value`` on Python floats and ints, exact where finite (see the module docstring)."""
    forward_partials: tuple = field(init=False, repr=False, compare=False)
    """``(almost-sure, smoothed)``: :meth:`partial` of every argument, looked up once,
    for the scalar fast path (it runs once per operation)."""

    def __post_init__(self):
        # at least three entries (``where``), so the fast path can unpack a binary's two
        arity = max(len(self.partials), len(self.smoothed_partials or ()), 3)
        tables = tuple(tuple(self.partial(i, s) for i in range(arity)) for s in (False, True))
        object.__setattr__(self, "forward_partials", tables)

    def partial(self, i: int, smoothed: bool = False) -> Callable[..., Any] | None:
        """The partial derivative by argument ``i`` (None where it is zero).

        ``smoothed=True`` asks for the smoothed/reverse rule: ``smoothed_partials`` where
        given (a threshold's surrogate derivative), else the almost-sure partials.
        """
        if smoothed and self.smoothed_partials is not None:
            table = self.smoothed_partials
        elif self.piecewise_constant:
            return None
        else:
            table = self.partials
        return table[i] if i < len(table) else None

    def tangent(self, values, kwargs, tangents, out, smoothed: bool = False, at=None):
        """The output's tangent δ from the operands' ``tangents`` (None for a zero one).

        ``jvp`` for a structural primitive, else ``Σ partial_i(*at, out)·δ_i`` over the
        operands with a nonzero tangent (``at``: the values to evaluate the partials at,
        default ``values``). Returns None when no operand contributes. One rule for every
        forward carrier (scalar triples and triple arrays).
        """
        if self.jvp is not None:
            return self.jvp(values, kwargs, tangents)
        at = values if at is None else at
        delta = None
        for i, t in enumerate(tangents):
            if t is None or is_zero(t):
                continue
            partial = self.partial(i, smoothed)
            if partial is not None:
                term = chain(partial(*at, out), t)
                delta = term if delta is None else delta + term
        return delta


def chain(partial, tangent):
    """``partial · tangent``, where a zero factor gives 0 even against an infinite one.

    A coordinate whose tangent is 0 does not depend on the input, however steep the
    function is there (``sqrt`` at 0): without this, ``inf · 0 = nan`` would spread into
    every coordinate of a gradient, unlike reverse mode.
    """
    product = partial * tangent
    if isinstance(product, np.ndarray) and product.dtype.kind == "f":
        bad = ~np.isfinite(product)
        if bad.any():
            zero = (np.asarray(tangent) == 0) | (np.asarray(partial) == 0)
            product = np.where(bad & np.broadcast_to(zero, product.shape), 0.0, product)
    elif type(product) in (float, np.float64) and product != product:  # nan
        if (not is_carrier(partial) and partial == 0) or (not is_carrier(tangent) and tangent == 0):
            product = 0.0
    return product


PRIMITIVES: dict[str, Primitive] = {}


def register(primitive: Primitive) -> Primitive:
    """Add ``primitive`` to the table (names are unique)."""
    if primitive.name in PRIMITIVES:
        raise ValueError(f"primitive {primitive.name!r} is already registered")
    PRIMITIVES[primitive.name] = primitive
    return primitive


def is_carrier(x) -> bool:
    """True for a value of a carrier type (triple, triple array, tracer)."""
    return hasattr(type(x), "__stochad_priority__")


def is_zero(x) -> bool:
    """Whether a tangent is exactly zero (a carrier of an enclosing evaluation is not)."""
    kind = type(x)
    if kind is float or kind is int:
        return x == 0
    if x is None:
        return True
    if hasattr(kind, "__stochad_priority__"):
        return False
    return not np.any(x)


def dispatch_target(args):
    """The carrier that handles an operation on ``args`` (None if there is none).

    Carriers rank by their evaluation's nesting level first (the innermost derivative
    handles the operation and treats carriers of enclosing ones as values), then by the
    type's ``__stochad_priority__`` (a triple meeting a triple array of the same
    evaluation becomes a triple array).
    """
    target = None
    best_level = best_priority = -1
    for a in args:
        priority = getattr(type(a), "__stochad_priority__", None)
        if priority is None:
            continue
        level = a.evaluation.level
        if level > best_level or (level == best_level and priority > best_priority):
            target, best_level, best_priority = a, level, priority
    return target


def owned(args, evaluation, kind) -> list[bool]:
    """Which ``args`` are carriers of type ``kind`` of ``evaluation`` (its own operands).

    Every other carrier must belong to an enclosing evaluation (:func:`check_foreign`):
    the carrier handling an operation treats those as plain values, whose own rules carry
    them along (a nested derivative).
    """
    own = []
    for a in args:
        mine = type(a) is kind and a.evaluation is evaluation
        if not mine and is_carrier(a) and a.evaluation is not evaluation:
            check_foreign(a, evaluation)
        own.append(mine)
    return own


def check_foreign(carrier, evaluation) -> None:
    """Accept a carrier of another evaluation only if it encloses ``evaluation``.

    Raises
    ------
    ValueError
        for a carrier of a finished evaluation (kept from an earlier call) or of one that
        is not an enclosing derivative: its perturbations would index the wrong event table.
    """
    other = carrier.evaluation
    if other.active and other.level < evaluation.level:
        return
    raise ValueError(
        f"a {type(carrier).__name__} from another derivative evaluation was combined with "
        "values of this one (a triple kept from an earlier call, or taken inside f by "
        "stochastic_triple); use stochad.value(t) to pass its primal value, or compute it "
        "inside this evaluation"
    )


def call(primitive: Primitive, *args, **kwargs):
    """Apply ``primitive`` to ``args``, dispatching on the carriers present."""
    if len(args) == 1:  # a function of one value: it is the target if it is a carrier
        target = args[0]
        if not hasattr(type(target), "__stochad_priority__"):
            return primitive.value(*args, **kwargs)
    else:
        target = dispatch_target(args)
        if target is None:
            return primitive.value(*args, **kwargs)
    evaluation = target.evaluation
    if not evaluation.active and evaluation.level > 0:
        require_finished_is_alone(target)
    return type(target).__stochad_apply__(primitive, args, kwargs, evaluation)


def require_finished_is_alone(carrier) -> None:
    """A finished evaluation's carrier may be inspected, but not used inside another one."""
    running = current_evaluation_or_none()
    if running is not None and running.backend is not None:
        check_foreign(carrier, running)


def differs(alternate, value) -> bool:
    """Whether an alternate moves its value (a carrier of an enclosing evaluation: assume so)."""
    if is_carrier(alternate) or is_carrier(value):
        return True
    return bool(alternate != value)


def moving_events(operands) -> list:
    """The distinct live events that move at least one operand, in first-seen order.

    Each operand has ``alternates`` (event -> alternate) and ``value``. An event whose alternate
    equals the operand's value everywhere (Δ = 0: a re-draw that landed on the same
    outcome, a path that merged back) leaves the operation's result unchanged in its
    world, so it takes no part in a merge: leaving it out of the result is exact, and it
    keeps the pruned backend from spending its one survivor on a perturbation that
    contributes nothing (as StochasticAD.jl's pruning does).
    """
    moving: dict = {}
    for operand in operands:
        value = operand.value
        for event, alternate in operand.alternates.items():
            if event not in moving and event.alive and differs(alternate, value):
                moving[event] = None
    return list(moving)
