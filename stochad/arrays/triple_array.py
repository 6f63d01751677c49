"""The triple array: many stochastic triples stored as a struct of arrays.

Fields (all of one shape): ``value`` (float64), ``delta`` (float64; ``None`` inside means
zero), ``alternate`` and ``event`` (int64 ids into the evaluation's event table, ``-1`` for
none). ``alternate == value`` wherever ``event == -1``; ``alternate``/``event`` are ``None``
when no element carries a perturbation (always for the smoothed backend). Each element
carries at most one perturbation (pruned backend): its weight is ``weights[event]`` in the
shared :class:`~stochad.core.events.EventTable`, 0 once the event died.

Arrays are never mutated after construction, so operations share them freely.
"""

from __future__ import annotations

import numpy as np

from stochad.arrays.bags import Bag
from stochad.core.primitives import Primitive, call, is_carrier
from stochad.errors import PerturbationLostError
from stochad.forward.triple import Perturbation, Triple
from stochad.kernels.pruning import contribution
from stochad.rules import structural as st
from stochad.rules.operators import SequenceOperators

__all__ = ["TripleArray", "as_triple_array", "require_array_backend", "register_rules"]

# How primitives and draws act on triple arrays: filled by stochad.arrays.propagation and
# stochad.arrays.sampling, which build on this module (so it cannot import them).
_RULES: dict = {}


def register_rules(**rules) -> None:
    """Install the array carrier's ``apply`` and ``sample`` functions."""
    _RULES.update(rules)


def require_array_backend(backend) -> None:
    """Raise a clear error for a backend that has no array form (``"dict"``, score function)."""
    if not backend.supports_arrays:
        raise NotImplementedError(
            f"backend {backend.name!r} is scalar-only: {backend.scalar_only_reason}. Use "
            "backend='pruned' or 'smoothed' for array programs, or loop over scalar draws."
        )


def as_triple_array(x, evaluation) -> TripleArray:
    """``x`` (a triple array, a scalar :class:`Triple`, or numbers) as a triple array."""
    if isinstance(x, TripleArray):
        return x
    if isinstance(x, Triple):
        value = np.asarray(x.value, dtype=np.float64)
        d = x.delta
        if type(d) is float or type(d) is int:  # the common scalar case, without numpy
            delta = None if d == 0 else np.asarray(d, np.float64)
        else:
            delta = None if np.all(np.asarray(d) == 0) else np.asarray(d, np.float64)
        if not x.alternates:
            return TripleArray(value, delta, None, None, evaluation)
        live = [(e, alt) for e, alt in x.alternates.items() if e.alive]
        if not live:
            return TripleArray(value, delta, None, None, evaluation)
        if len(live) > 1:
            require_array_backend(evaluation.backend)
            raise ValueError("a triple with several perturbations cannot enter a triple array")
        ((event, alt),) = live
        if event.table is not evaluation.events:
            raise ValueError(f"{event!r} belongs to another evaluation")
        alternate = np.asarray(alt, dtype=np.float64)
        ids = np.full(value.shape, event.id, dtype=np.int64)
        return TripleArray(value, delta, alternate, ids, evaluation)
    return TripleArray(np.asarray(x, dtype=np.float64), None, None, None, evaluation)


class TripleArray(SequenceOperators):
    """An array of stochastic triples (forward mode), propagated by numba kernels.

    Element ``i`` is the triple ``(value[i], delta[i], (alternate[i], weight[i]))``: each
    element carries at most one finite perturbation (pruned backend) whose weight lives in
    the evaluation's shared event table, so one random event can move many elements at
    once and pruning kills it everywhere. Operations broadcast like numpy against floats,
    ndarrays, scalar triples and other triple arrays; arithmetic operators, numpy ufuncs,
    ``sum``/``mean``/``reshape``/``transpose``/``dot``/``@``/indexing and stochad's functions
    all accept them.

    Users get triple arrays from the samplers (``stochad.bernoulli(p, size=...)`` with a
    triple ``p``, or array parameters that are triple arrays) and from
    :func:`stochad.derivative_estimate` with an array ``p``; they do not construct them.
    Backends ``"pruned"`` and ``"smoothed"`` only (``"dict"`` raises
    ``NotImplementedError``).

    Attributes
    ----------
    value : ndarray of float64
        the primal values.
    delta : ndarray of float64
        the almost-sure (or smoothed) derivative of each element.
    alternate : ndarray of float64
        each element's alternate value (its value where it has no perturbation).
    weight : ndarray of float64
        each element's live perturbation weight (0 where none or dead).
    shape, ndim, size : as for numpy arrays.

    Raises
    ------
    PerturbationLostError
        from ``numpy.asarray(x)`` and other conversions to a plain array (use
        :func:`stochad.value`), and from indexing with a triple.
    ValueError
        from ``bool``/``int``/``float``/``index`` of an array with more than one element
        (use :func:`stochad.where`); a one-element array converts like a scalar Triple.

    See Also
    --------
    Triple, stochad.derivative_estimate

    Examples
    --------
    >>> import stochad
    >>> t = stochad.stochastic_triple(lambda p: stochad.bernoulli(p, size=3), 0.3, rng=0)
    >>> t.value.tolist(), t.weight.round(4).tolist()   # the 0 jumps to 1 at 1/(1 - p)
    ([0.0, 1.0, 1.0], [1.4286, 0.0, 0.0])
    >>> t[0]
    Triple(0.0 + 0.0ε [1.0 with weight 1.42857ε])
    >>> def f(p):
    ...     x = stochad.bernoulli(p, size=(1000, 5))
    ...     s = x.sum(axis=1)
    ...     return s * s
    >>> est = stochad.derivative_estimate(f, 0.3, rng=0)   # 1000 independent estimates
    >>> est.shape
    (1000,)
    >>> bool(abs(est.mean() - 17.0) < 5 * est.std() / 1000 ** 0.5)   # d/dp E[s²] = 5 + 40p
    True
    """

    __slots__ = ("value", "_delta", "_alternate", "_event", "evaluation", "bag")
    __stochad_priority__ = 20

    def __init__(self, value, delta, alternate, event, evaluation, bag: Bag | None = None):
        self.value = value
        self._delta = delta
        self._alternate = alternate
        self._event = event
        self.evaluation = evaluation
        self.bag = bag
        # the event table renumbers ids in place when it compacts: it must know ours
        if event is not None:
            evaluation.events.track(event)
        if bag is not None:
            for ids in bag.id_arrays():
                evaluation.events.track(ids)

    # -- the one-perturbation-per-element view ---------------------------------------
    @property
    def event(self) -> np.ndarray | None:
        """Each element's event id (``-1`` for none), or ``None`` when none carries one.

        An array holding a bag (the result of a linear reduction) is settled first: its
        entries are pruned to one per element (see :mod:`stochad.arrays.bags`).
        """
        if self.bag is not None:
            self._settle()
        return self._event

    @property
    def alternate_(self) -> np.ndarray | None:
        """Each element's alternate value in its event's world, ``None`` as :attr:`event`."""
        if self.bag is not None:
            self._settle()
        return self._alternate

    @property
    def carries_events(self) -> bool:
        """Whether some element may carry a finite perturbation (a bag or an event)."""
        return self.bag is not None or self._event is not None

    def _settle(self) -> None:
        # a cache, not a change of meaning: pruning is global, so the bag and its
        # settled form agree on every event (stochad.arrays.bags)
        shift, chosen = self.bag.settle(self.evaluation)
        self._alternate = self.value + shift
        self._event = chosen
        self.evaluation.events.track(chosen)
        self.bag = None

    # -- what the array says ----------------------------------------------------------
    @property
    def delta(self) -> np.ndarray:
        """The almost-sure derivative of each element (the smoothed one, when smoothed)."""
        if self._delta is None:
            return np.zeros(self.shape)
        return np.array(np.broadcast_to(self._delta, self.shape))

    @property
    def alternate(self) -> np.ndarray:
        """Each element's alternate value (its value where it carries no perturbation)."""
        return self.value.copy() if self.alternate_ is None else np.array(self.alternate_)

    @property
    def weight(self) -> np.ndarray:
        """Each element's live perturbation weight (0 where none or dead)."""
        if self.event is None:
            return np.zeros(self.shape)
        weights = self.evaluation.events.weights
        return np.where(self.event >= 0, weights[np.maximum(self.event, 0)], 0.0)

    @property
    def perturbations(self) -> np.ndarray:
        """An object array: each element's list of live perturbations.

        One at most per element, but for elements holding a bag (the result of a linear
        reduction), which list every live event they carry.
        """
        out = np.empty(self.shape, dtype=object)
        weights = self.evaluation.events.weights
        for index in np.ndindex(self.shape):
            out[index] = [
                Perturbation(alternate, float(weights[i]), i)
                for i, alternate in self._live_alternates(index).items()
            ]
        return out

    def _live_alternates(self, index) -> dict[int, float]:
        """``{event id: alternate value}`` of the live perturbations of element ``index``."""
        weights = self.evaluation.events.weights
        value = float(self.value[index])
        if self.bag is not None:
            moved: dict[int, float] = {}
            for events, shifts in self.bag.blocks:
                ids = np.broadcast_to(events, self.shape + events.shape[-1:])[index]
                steps = np.broadcast_to(shifts, self.shape + shifts.shape[-1:])[index]
                for i, step in zip(ids.tolist(), steps.tolist(), strict=True):
                    if i >= 0 and weights[i] != 0.0 and step != 0.0:
                        moved[i] = moved.get(i, 0.0) + step
            return {i: value + step for i, step in moved.items()}
        if self._event is None:
            return {}
        i = int(self._event[index])
        return {i: float(self._alternate[index])} if i >= 0 and weights[i] != 0.0 else {}

    def derivative_contribution(self) -> np.ndarray:
        """``δ + w·(Y − X)`` elementwise: one derivative sample per element.

        An element holding a bag (a batch mean, say) contributes ``δ + Σ_e w_e·shift_e``
        over all its entries, without pruning them.

        Returns
        -------
        ndarray of float64
            of the array's shape.
        """
        if self.bag is not None:
            return self.delta + self.bag.contribution(self.evaluation.events.weights)
        if self.event is None:
            return self.delta
        n = self.size
        flat = contribution(
            _flat(self.value, n),
            _flat(self._delta, n),
            _flat(self.alternate_, n),
            _flat(self.event, n, np.int64),
            self.evaluation.events.weights,
        )
        return flat.reshape(self.shape)

    def to_triple(self) -> Triple:
        """A one-element triple array as a scalar :class:`~stochad.forward.triple.Triple`.

        Raises
        ------
        ValueError
            if the array has more than one element.
        """
        if self.size != 1:
            raise ValueError(f"to_triple needs a single element, this array has shape {self.shape}")
        value = float(self.value.reshape(-1)[0])
        delta = 0.0 if self._delta is None else float(np.reshape(self._delta, -1)[0])
        index = (0,) * self.ndim
        events = self.evaluation.events
        alternates = {events.event(i): alt for i, alt in self._live_alternates(index).items()}
        return Triple(value, delta, alternates, self.evaluation)

    def __repr__(self) -> str:
        return (
            f"TripleArray(value={self.value!r}, delta={self.delta!r}, "
            f"weight={self.weight!r}, alternate={self.alternate!r})"
        )

    # -- propagation ------------------------------------------------------------------
    @classmethod
    def __stochad_apply__(cls, primitive: Primitive, args, kwargs, evaluation):
        return _RULES["apply"](primitive, args, kwargs, evaluation)

    @classmethod
    def __stochad_sample__(cls, rule, args, size, evaluation):
        return _RULES["sample"](rule, args, size, evaluation)

    def __array__(self, dtype=None, copy=None):
        raise PerturbationLostError(
            "Converting a triple array to a numpy array (use stochad.value(x) to read the "
            "primal values on purpose)"
        )

    # -- structure ----------------------------------------------------------------------
    def __getitem__(self, index):
        items = index if isinstance(index, tuple) else (index,)
        if any(is_carrier(i) for i in items):
            raise PerturbationLostError(
                "Indexing with a stochastic triple (use stochad.take or stochad.where)"
            )
        result = call(st.GETITEM, self, index=index)
        # a single element is a scalar triple, as numpy gives scalars: scalar code
        # (categorical, propagate, take) works on p[0] of an array input
        return result.to_triple() if result.ndim == 0 else result

    # -- conversions that would lose a perturbation --------------------------------------
    def _single(self, what: str) -> Triple:
        if self.size != 1:
            raise ValueError(
                f"{what} of a triple array with shape {self.shape} is ambiguous; "
                "use stochad.where for elementwise choices"
            )
        return self.to_triple()

    def __bool__(self) -> bool:
        return bool(self._single("The truth value"))

    def __int__(self) -> int:
        return int(self._single("int()"))

    def __index__(self) -> int:
        return self._single("Indexing with").__index__()

    def __float__(self) -> float:
        return float(self._single("float()"))


def _flat(x, n: int, dtype=np.float64) -> np.ndarray:
    """``x`` (or zeros for ``None``) as a 1-d array of ``n`` elements, a view when possible."""
    if x is None:
        return np.zeros(n, dtype=dtype)
    x = np.asarray(x, dtype=dtype)
    return np.broadcast_to(x, (n,)) if x.ndim == 0 else np.reshape(x, -1)
