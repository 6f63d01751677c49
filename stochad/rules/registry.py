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
    perturbation contributes its primal value), so it needs no field.

Carrier types (scalar triples, triple arrays, reverse-mode tracers) implement
``__stochad_apply__(primitive, args, kwargs)`` and set ``__stochad_priority__``; ``call``
sends each operation to the highest-priority carrier among its arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Primitive", "PRIMITIVES", "register", "call", "carrier_type", "is_carrier"]


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
    extra: dict = field(default_factory=dict)

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


def carrier_type(args) -> type | None:
    """The highest-priority carrier type among ``args`` (None if there is none)."""
    carrier = None
    best = -1
    for a in args:
        priority = getattr(type(a), "__stochad_priority__", -1)
        if priority > best:
            best, carrier = priority, type(a)
    return carrier


def call(primitive: Primitive, *args, **kwargs):
    """Apply ``primitive`` to ``args``, dispatching on the carrier types present."""
    carrier = carrier_type(args)
    if carrier is None:
        return primitive.value(*args, **kwargs)
    return carrier.__stochad_apply__(primitive, args, kwargs)
