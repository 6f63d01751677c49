"""The scalar stochastic triple and how a primitive acts on it."""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np

from stochad.core.primitives import Primitive, is_zero, moving_events, owned
from stochad.errors import COMPARISON_LOST, PerturbationLostError, PerturbationLostWarning
from stochad.rules.operators import PrimitiveOperators

__all__ = ["Triple", "Perturbation", "register_array_carrier"]


class Perturbation(NamedTuple):
    """One finite perturbation: the value jumps to ``alternate`` at rate ``weight``.

    Under ``p + ε`` (``ε > 0`` small) the value becomes ``alternate`` with probability
    ``weight·ε``; a negative weight means the jump happens for ``ε < 0`` and counts with the
    opposite sign. Perturbations of the same ``event`` belong to one random jump.

    Attributes
    ----------
    alternate : float or int
        the alternate value ``Y``.
    weight : float
        the rate ``w`` (current weight of the event, after any pruning).
    event : int
        the id of the random event (within one evaluation).

    Examples
    --------
    >>> import stochad
    >>> (jump,) = stochad.perturbations(stochad.stochastic_triple(stochad.bernoulli, 0.3, rng=1))
    >>> jump.alternate, round(jump.weight, 6)   # a 0 becomes a 1 at rate 1/(1 - p)
    (1, 1.428571)
    """

    alternate: float
    weight: float
    event: int


def _meets_array(primitive: Primitive, args) -> bool:
    """True for a structural op, or an operand that is a numeric ndarray with elements."""
    if primitive.jvp is not None:
        return True
    for a in args:
        if type(a) is np.ndarray and a.ndim and a.dtype != object:
            return True
    return False


_array_carrier: list = []

_SAFE_INT = 2**31


def _widen(v):
    """A large integer value as a float, so numpy's int64 arithmetic cannot wrap.

    Discrete draws are Python ints; numpy turns them into int64, where a product of two
    draws of 1e10 would overflow silently. Below 2³¹ a sum or product of two stays below
    2⁶², and anything larger computes in float64 (exact below 2⁵³, rounded above).
    """
    kind = type(v)
    if (kind is int or kind is np.int64) and not -_SAFE_INT < v < _SAFE_INT:
        return float(v)
    return v


def _comparison_loses(primitive: Primitive, args, own, tangents, smoothed: bool) -> bool:
    """Whether this operation's result silently drops a continuous derivative.

    Under a backend with perturbations, δ is the continuous part of the derivative: a
    comparison (piecewise constant, no surrogate) of an operand with a nonzero δ drops it;
    arithmetic on such a result carries the loss on, with a warning. The condition of
    ``where`` (no partial) takes it without a warning: selecting is what it is for.
    """
    lost = False
    # under smoothing, δ also holds the draws' smoothed jumps, and a comparison's 0/1
    # result is documented to convert freely there (it has no smoothed slope)
    if not smoothed and primitive.piecewise_constant and primitive.smoothed_partials is None:
        lost = any(mine and not is_zero(t) for mine, t in zip(own, tangents, strict=True))
    for i, (a, mine) in enumerate(zip(args, own, strict=True)):
        if mine and a.lost and primitive.partial(i, smoothed) is not None:
            warnings.warn(
                f"arithmetic on the result of {COMPARISON_LOST}", PerturbationLostWarning,
                stacklevel=4,
            )  # fmt: skip
            lost = True
    return lost


def register_array_carrier(apply) -> None:
    """Install how a scalar triple that meets an array becomes a triple array.

    The triple-array module sits above this one (it builds on scalar triples), so it
    registers its ``apply(primitive, args, kwargs, evaluation)`` here instead of this
    module importing it.
    """
    _array_carrier[:] = [apply]


class Triple(PrimitiveOperators):
    """A stochastic triple: a value, its almost-sure derivative and finite perturbations.

    A triple ``(X, δ, {(Y_k, w_k)})`` is the stochastic derivative of a random value:
    ``δ`` is the derivative of the continuous part, and each perturbation says that under
    ``p + ε`` the value jumps to ``Y_k`` with probability ``w_k·ε``. Its single-sample
    derivative estimate is ``δ + Σ w_k·(Y_k − X)`` (:meth:`derivative_contribution`).
    Arithmetic, numpy ufuncs and stochad's functions propagate triples like dual numbers;
    each alternate is computed by the same operation.

    Users get triples from :func:`stochad.stochastic_triple` or inside a function passed
    to :func:`stochad.derivative_estimate`; they do not construct them directly.

    Attributes
    ----------
    value : float or int
        the primal value ``X``.
    delta : float
        the almost-sure derivative ``δ`` (for the smoothed backend: the smoothed scalar).
    perturbations : list of Perturbation
        the live finite perturbations, each an alternate value with its weight.

    Raises
    ------
    PerturbationLostError
        from ``bool(t)`` (``if``/``while``), ``int(t)`` or use as an index when an
        alternate value would convert differently (or, under the smoothed backend, when
        ``δ != 0``); from ``float(t)`` when ``δ != 0`` or an alternate differs from the
        value. Use :func:`stochad.value` to read the value on purpose.

    See Also
    --------
    stochad.TripleArray : many triples in numpy arrays.

    Examples
    --------
    >>> import stochad
    >>> t = stochad.stochastic_triple(lambda p: stochad.bernoulli(p) + 2 * p, 0.3, rng=1)
    >>> t
    Triple(0.6 + 2.0ε [1.6 with weight 1.42857ε])
    >>> float(t.delta), round(float(t.derivative_contribution()), 6)   # 2 + (1 - 0) / 0.7
    (2.0, 3.428571)
    """

    __slots__ = ("value", "delta", "alternates", "evaluation", "lost")
    __stochad_priority__ = 10

    def __init__(self, value, delta, alternates: dict, evaluation, lost: bool = False):
        self.value = value
        self.delta = delta
        self.alternates = alternates
        self.evaluation = evaluation
        self.lost = lost
        """True for the result of a comparison that dropped a continuous derivative."""

    # -- what the triple says -------------------------------------------------------
    @property
    def perturbations(self) -> list[Perturbation]:
        """The live finite perturbations (dead or zero-weight events left out)."""
        return [
            Perturbation(alt, e.weight, e.id)
            for e, alt in self.alternates.items()
            if e.alive and e.weight != 0.0
        ]

    def derivative_contribution(self):
        """The single-sample derivative estimate ``δ + Σ w·(Y − X)`` over live perturbations."""
        total = self.delta
        for e, alt in self.alternates.items():
            if e.alive:
                total = total + e.weight * (alt - self.value)
        return total

    def __repr__(self) -> str:
        def plain(x):  # numpy 2 scalars repr as "np.float64(1.0)": print the number
            return repr(x.item() if isinstance(x, np.generic) else x)

        parts = [f"{plain(self.value)} + {plain(self.delta)}ε"]
        parts += [f"[{plain(p.alternate)} with weight {p.weight:.6g}ε]" for p in self.perturbations]
        return "Triple(" + " ".join(parts) + ")"

    # -- propagation ------------------------------------------------------------
    @classmethod
    def __stochad_apply__(cls, primitive: Primitive, args, kwargs, evaluation):
        backend = evaluation.backend
        own = owned(args, evaluation, Triple)  # other carriers are an enclosing one's
        if backend.supports_arrays and _array_carrier and _meets_array(primitive, args):
            # a triple meeting an array (or a structural op) becomes a triple array
            return _array_carrier[0](primitive, args, kwargs, evaluation)
        values = [_widen(a.value) if mine else a for a, mine in zip(args, own, strict=True)]
        out = primitive.value(*values, **kwargs)
        tangents = [a.delta if mine else None for a, mine in zip(args, own, strict=True)]
        smoothed = not backend.carries_perturbations
        lost = not evaluation.branching and _comparison_loses(
            primitive, args, own, tangents, smoothed
        )
        # numpy scalars, so a rule like 1/x at 0 gives inf as on arrays (not ZeroDivisionError)
        at = [np.float64(v) if isinstance(v, (int, float)) else v for v in values]
        delta = primitive.tangent(values, kwargs, tangents, out, smoothed, at)
        if delta is None:
            delta = 0.0
        alternates = {}
        if backend.carries_perturbations:
            triples = [a for a, mine in zip(args, own, strict=True) if mine]
            for e in backend.merge_events(evaluation, moving_events(triples)):
                alt_args = [
                    _widen(a.alternates.get(e, a.value)) if mine else a
                    for a, mine in zip(args, own, strict=True)
                ]
                alternates[e] = primitive.value(*alt_args, **kwargs)
        return cls(out, delta, alternates, evaluation, lost)

    # -- conversions that would lose a perturbation -----------------------------
    def _live_alternates(self):
        return [alt for e, alt in self.alternates.items() if e.alive and e.weight != 0.0]

    def _require_piecewise_constant_is_safe(self, what: str, convert) -> None:
        """Raise where ``convert`` (bool, int, index) would drop part of the derivative.

        With perturbations, only an alternate that converts differently is lost: ``δ`` is
        an almost-sure derivative, and a piecewise-constant conversion has derivative 0.
        Under smoothing, ``δ`` also holds the draws' smoothed jumps, so dropping it loses
        them: refuse.
        """
        outcome = convert(self.value)
        if any(convert(alt) != outcome for alt in self._live_alternates()):
            raise PerturbationLostError(what)
        if not is_zero(self.delta) and not self.evaluation.backend.carries_perturbations:
            raise PerturbationLostError(
                f"{what} of a smoothed value (its smoothed derivative would be dropped; "
                "smoothed programs need arithmetic such as s * a + (1 - s) * b, or "
                "stochad.heaviside with a surrogate)"
            )

    def __array__(self, dtype=None, copy=None):
        raise PerturbationLostError(
            "Converting a stochastic triple to a numpy value (np.float64(t), a[i] = t, "
            "np.asarray(t), indexing a numpy array with it, or a numpy.random sampler called "
            "on it: draw with stochad's sampler of that name, e.g. stochad.bernoulli(p) "
            "or stochad.binomial(n, p); build arrays with stochad.stack; index with "
            "stochad.take(seq, t); read the primal value on purpose with stochad.value(t))"
        )

    def __bool__(self) -> bool:
        if self.lost:
            raise PerturbationLostError(
                f"Using it as a condition (if/while/bool): {COMPARISON_LOST}"
            )
        self._require_piecewise_constant_is_safe(
            "Using a stochastic triple as a condition (if/while/bool)", bool
        )
        return bool(self.value)

    def __int__(self) -> int:
        self._require_piecewise_constant_is_safe("int() of a stochastic triple", int)
        return int(self.value)

    def __index__(self) -> int:
        if float(self.value) != math.floor(float(self.value)):
            raise TypeError(f"a triple with non-integer value {self.value!r} cannot be an index")
        self._require_piecewise_constant_is_safe(
            "Indexing with a stochastic triple (use stochad.take(seq, index))", float
        )
        return int(self.value)

    def __float__(self) -> float:
        if not is_zero(self.delta) or any(alt != self.value for alt in self._live_alternates()):
            raise PerturbationLostError(
                "float() of a stochastic triple with a nonzero derivative or perturbation "
                "(use stochad.value(t) to read the primal value on purpose)"
            )
        return float(self.value)
