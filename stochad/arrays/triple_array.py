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

from stochad.core.triple import Perturbation, Triple
from stochad.errors import PerturbationLostError
from stochad.kernels.pruning import contribution
from stochad.rules import elementwise as ew
from stochad.rules import structural as st
from stochad.rules.registry import Primitive, call

__all__ = ["TripleArray", "as_triple_array", "require_array_backend"]

# numpy ufuncs beyond the elementwise table that map onto a primitive for arrays
_UFUNCS = {**ew.UFUNC_PRIMITIVES, np.matmul: st.MATMUL}


def require_array_backend(backend) -> None:
    """Raise a clear error for a backend that has no array form (``"dict"``)."""
    if not backend.supports_arrays:
        raise NotImplementedError(
            f"backend {backend.name!r} is scalar-only: it keeps every perturbation of every "
            "value, which has no fixed-size array form. Use backend='pruned' or "
            "'smoothed' for array programs, or loop over scalar draws."
        )


def as_triple_array(x, evaluation) -> TripleArray:
    """``x`` (a triple array, a scalar :class:`Triple`, or numbers) as a triple array."""
    if isinstance(x, TripleArray):
        return x
    if isinstance(x, Triple):
        value = np.asarray(x.value, dtype=np.float64)
        delta = None if np.all(np.asarray(x.delta) == 0) else np.asarray(x.delta, np.float64)
        live = [(e, alt) for e, alt in x.alts.items() if e.alive]
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


class TripleArray:
    """An array of stochastic triples (forward mode), propagated by numba kernels.

    Users get triple arrays from the samplers (``stochad.bernoulli(p, size=...)`` with a
    triple ``p``, or array parameters that are triple arrays) and from
    :func:`stochad.derivative_estimate` with an array ``p``. Operations broadcast like
    numpy against floats, ndarrays, scalar triples and other triple arrays.

    Examples
    --------
    >>> import stochad
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

    __slots__ = ("value", "_delta", "alternate_", "event", "evaluation")
    __stochad_priority__ = 20

    def __init__(self, value, delta, alternate, event, evaluation):
        self.value = value
        self._delta = delta
        self.alternate_ = alternate
        self.event = event
        self.evaluation = evaluation

    # -- what the array says ----------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def ndim(self) -> int:
        return self.value.ndim

    @property
    def size(self) -> int:
        return self.value.size

    def __len__(self) -> int:
        return len(self.value)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

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
        """An object array: each element's list of live perturbations (0 or 1 of them)."""
        out = np.empty(self.shape, dtype=object)
        weight, alternate = self.weight, self.alternate
        for index in np.ndindex(self.shape):
            w = float(weight[index])
            out[index] = (
                [Perturbation(float(alternate[index]), w, int(self.event[index]))] if w else []
            )
        return out

    def derivative_contribution(self) -> np.ndarray:
        """``δ + w·(Y − X)`` elementwise: one derivative sample per element."""
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
        """A one-element triple array as a scalar :class:`~stochad.core.triple.Triple`."""
        if self.size != 1:
            raise ValueError(f"to_triple needs a single element, this array has shape {self.shape}")
        value = float(self.value.reshape(-1)[0])
        delta = 0.0 if self._delta is None else float(np.reshape(self._delta, -1)[0])
        alts = {}
        if self.event is not None and float(self.weight.reshape(-1)[0]) != 0.0:
            event = self.evaluation.events.event(int(self.event.reshape(-1)[0]))
            alts[event] = float(self.alternate_.reshape(-1)[0])
        return Triple(value, delta, alts, self.evaluation)

    def __repr__(self) -> str:
        return (
            f"TripleArray(value={self.value!r}, delta={self.delta!r}, "
            f"weight={self.weight!r}, alternate={self.alternate!r})"
        )

    # -- propagation ------------------------------------------------------------------
    @classmethod
    def __stochad_apply__(cls, primitive: Primitive, args, kwargs):
        from stochad.arrays.propagation import apply

        return apply(primitive, args, kwargs)

    @classmethod
    def __stochad_sample__(cls, rule, args, size, evaluation):
        from stochad.arrays.sampling import sample

        return sample(rule, args, size, evaluation)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        primitive = _UFUNCS.get(ufunc)
        if method != "__call__" or primitive is None or kwargs:
            return NotImplemented
        return call(primitive, *inputs)

    def __array__(self, dtype=None, copy=None):
        raise PerturbationLostError(
            "Converting a triple array to a numpy array (use stochad.value(x) to read the "
            "primal values on purpose)"
        )

    # -- structure ----------------------------------------------------------------------
    def __getitem__(self, index):
        items = index if isinstance(index, tuple) else (index,)
        if any(hasattr(type(i), "__stochad_priority__") for i in items):
            raise PerturbationLostError(
                "Indexing with a stochastic triple (use stochad.take or stochad.where)"
            )
        result = call(st.GETITEM, self, index=index)
        # a single element is a scalar triple, as numpy gives scalars: scalar code
        # (categorical, propagate, take) works on p[0] of an array input
        return result.to_triple() if result.ndim == 0 else result

    def reshape(self, *shape) -> TripleArray:
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = tuple(shape[0])
        return call(st.RESHAPE, self, shape=shape)

    def transpose(self, *axes) -> TripleArray:
        if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
            axes = tuple(axes[0])
        return call(st.TRANSPOSE, self, axes=axes or None)

    @property
    def T(self) -> TripleArray:  # noqa: N802 - numpy's name
        return call(st.TRANSPOSE, self)

    def sum(self, axis=None, dtype=None, out=None, keepdims=False) -> TripleArray:
        return _reduce(st.SUM, self, axis, out, keepdims)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False) -> TripleArray:
        return _reduce(st.MEAN, self, axis, out, keepdims)

    def dot(self, other) -> TripleArray:
        return st.dot(self, other)

    # -- Python operators ---------------------------------------------------------------
    def __add__(self, other):
        return call(ew.ADD, self, other)

    def __radd__(self, other):
        return call(ew.ADD, other, self)

    def __sub__(self, other):
        return call(ew.SUBTRACT, self, other)

    def __rsub__(self, other):
        return call(ew.SUBTRACT, other, self)

    def __mul__(self, other):
        return call(ew.MULTIPLY, self, other)

    def __rmul__(self, other):
        return call(ew.MULTIPLY, other, self)

    def __truediv__(self, other):
        return call(ew.DIVIDE, self, other)

    def __rtruediv__(self, other):
        return call(ew.DIVIDE, other, self)

    def __pow__(self, other):
        return call(ew.POWER, self, other)

    def __rpow__(self, other):
        return call(ew.POWER, other, self)

    def __matmul__(self, other):
        return call(st.MATMUL, self, other)

    def __rmatmul__(self, other):
        return call(st.MATMUL, other, self)

    def __neg__(self):
        return call(ew.NEGATIVE, self)

    def __pos__(self):
        return self

    def __abs__(self):
        return call(ew.ABSOLUTE, self)

    def __lt__(self, other):
        return call(ew.LESS, self, other)

    def __le__(self, other):
        return call(ew.LESS_EQUAL, self, other)

    def __gt__(self, other):
        return call(ew.GREATER, self, other)

    def __ge__(self, other):
        return call(ew.GREATER_EQUAL, self, other)

    def __eq__(self, other):
        return call(ew.EQUAL, self, other)

    def __ne__(self, other):
        return call(ew.NOT_EQUAL, self, other)

    __hash__ = None  # == returns a triple array

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


def _reduce(primitive: Primitive, x: TripleArray, axis, out, keepdims: bool) -> TripleArray:
    if out is not None:
        raise TypeError(f"{primitive.name}: out= is not supported for triple arrays")
    result = call(primitive, x, axis=axis)
    if keepdims:
        axes = range(x.ndim) if axis is None else np.atleast_1d(axis)
        result = result.reshape(
            tuple(1 if i in {a % x.ndim for a in axes} else n for i, n in enumerate(x.shape))
        )
    return result
