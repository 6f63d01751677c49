"""The reverse-mode carrier: a value with a slot on a tape.

A :class:`Tracer` acts on every registry primitive generically
(:meth:`Tracer.__stochad_apply__`): it computes the primal with ``primitive.value`` and
records the primitive's reverse rule on the tape:

* elementwise primitives: ``x̄_i = partial_i(*args, out) · ȳ`` with the *smoothed* partial
  (a threshold's surrogate derivative), summed over the axes broadcasting added;
* structural primitives (sums, matmul, indexing, ...): ``primitive.vjp``;
* piecewise-constant primitives without a smoothed partial (comparisons) have zero
  derivative: their result is a plain value and nothing is recorded.

Discrete draws (:meth:`Tracer.__stochad_sample__`) record the smoothed straight-through
rule: the derivative of the draw's mean, ``rule.mean_partials``, times the cotangent.
"""

from __future__ import annotations

import numpy as np

from stochad.core.primitives import Primitive, chain, is_carrier, owned
from stochad.distributions.base import DiscreteRule
from stochad.errors import PerturbationLostError
from stochad.reverse.draws import primal_draw
from stochad.reverse.tape import Tape
from stochad.rules.operators import SequenceOperators
from stochad.rules.structural import unbroadcast

__all__ = ["Tracer"]


def _scale(partial, g):
    # most partials of add/subtract are the constant 1.0: skip a full-size multiply
    if isinstance(partial, float) and partial == 1.0:
        return g
    return chain(partial, g)  # a zero cotangent or partial stays 0 against an infinite one


class Tracer(SequenceOperators):
    """A value inside :func:`stochad.grad`: the primal plus its place on the tape.

    Users meet tracers only as the arguments of the function they pass to
    :func:`stochad.grad`; operators, stochad functions and samplers accept them like
    arrays. ``stochad.value(t)`` reads the primal value.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> stochad.grad(lambda w: (w.T @ w) * 0.5)(np.array([1.0, 2.0])).tolist()
    [1.0, 2.0]
    """

    __slots__ = ("value", "tape", "slot")
    # above the scalar triple (10) and the triple array (20): the outermost transformation
    __stochad_priority__ = 30

    def __init__(self, value, tape: Tape, slot: int):
        self.value = value
        self.tape = tape
        self.slot = slot

    def __repr__(self) -> str:
        return f"Tracer({self.value!r})"

    @property
    def evaluation(self):
        """The evaluation this tracer's draws come from (samplers read its streams)."""
        return self.tape.evaluation

    # reverse mode has no per-value tangent to read: the gradient comes out of grad
    def _no_tangent(self):
        raise TypeError(
            "a traced value has no tangent or perturbations inside stochad.grad; the "
            "gradient is what grad returns (stochad.value(x) reads the primal value)"
        )

    delta = property(_no_tangent)
    perturbations = property(_no_tangent)

    def derivative_contribution(self):
        self._no_tangent()

    # -- how primitives and draws act on tracers ---------------------------------
    @classmethod
    def __stochad_apply__(cls, primitive: Primitive, args, kwargs, evaluation):
        own = owned(args, evaluation, Tracer)
        values = tuple(a.value if mine else a for a, mine in zip(args, own, strict=True))
        out = primitive.value(*values, **kwargs)
        traced = [i for i, mine in enumerate(own) if mine]
        if primitive.vjp is not None:
            backward = _structural_backward(primitive, values, kwargs, out, traced)
        else:
            rules = [(i, primitive.partial(i, smoothed=True)) for i in traced]
            rules = [(i, partial) for i, partial in rules if partial is not None]
            if not rules:
                return out  # piecewise constant: derivative zero, nothing to record
            traced = [i for i, _ in rules]
            backward = _elementwise_backward(rules, values, out)
        tape = args[traced[0]].tape
        return cls(out, tape, tape.record(backward, tuple(args[i].slot for i in traced)))

    @classmethod
    def __stochad_sample__(cls, rule: DiscreteRule, args, size, evaluation):
        own = owned(args, evaluation, Tracer)
        values = tuple(a.value if mine else a for a, mine in zip(args, own, strict=True))
        if any(is_carrier(v) for v in values):
            raise NotImplementedError(
                f"nested derivatives: a {rule.name} draw inside stochad.grad whose parameter "
                "depends on an enclosing derivative is not supported; draw it outside grad "
                "and pass the draw in, or differentiate one level at a time"
            )
        x = primal_draw(rule, evaluation, values, size)
        traced = [i for i, mine in enumerate(own) if mine]

        def backward(g):
            # the backend's smoothed rule per unit tangent of each parameter
            return tuple(
                unbroadcast(
                    _scale(evaluation.backend.draw_partial(rule, x, values, i), g),
                    np.shape(values[i]),
                )
                for i in traced
            )

        tape = args[traced[0]].tape
        return cls(x, tape, tape.record(backward, tuple(args[i].slot for i in traced)))

    # -- conversions ------------------------------------------------------------
    def __bool__(self) -> bool:
        raise PerturbationLostError(
            "Using a traced value as a condition (if/while/bool) would drop its smoothed "
            "derivative; write the choice as arithmetic (s * a + (1 - s) * b)"
        )

    def __int__(self) -> int:
        raise PerturbationLostError("int() of a traced value would drop its smoothed derivative")

    def __index__(self) -> int:
        raise PerturbationLostError(
            "Indexing with a traced value would drop its smoothed derivative"
        )

    def __float__(self) -> float:
        raise TypeError(
            "float() of a traced value would drop its gradient; use stochad.value(x) to read "
            "the primal value on purpose"
        )

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "a traced value cannot become a plain numpy array (its gradient would be lost); "
            "use stochad functions (stochad.exp, stochad.sum, ...) or stochad.value(x)"
        )


def _elementwise_backward(rules, values, out):
    shapes = [np.shape(values[i]) for i, _ in rules]

    def backward(g):
        return tuple(
            unbroadcast(_scale(partial(*values, out), g), shape)
            for (_, partial), shape in zip(rules, shapes, strict=True)
        )

    return backward


def _structural_backward(primitive: Primitive, values, kwargs, out, traced):
    wanted = tuple(i in traced for i in range(len(values)))

    def backward(g):
        cotangents = primitive.vjp(values, kwargs, out, g, wanted)
        return tuple(cotangents[i] for i in traced)

    return backward
