"""Python operator syntax for carrier types, mapped onto registry primitives.

A carrier type (a reverse-mode tracer, a triple array) inherits :class:`PrimitiveOperators`
and gets ``+ - * / ** @``, unary ``-``, ``abs``, comparisons, numpy ufuncs
(``np.exp(t)``), indexing and the array methods ``.sum()``, ``.mean()``, ``.reshape()``,
``.T`` - each one a :func:`~stochad.core.primitives.call` of the same registry primitive the
module functions use, so no carrier has its own copy of an operator's rules.

The class only needs ``value`` on the instance (for ``shape``/``ndim``/``len``).
"""

from __future__ import annotations

import numpy as np

from stochad.core.primitives import call
from stochad.rules import elementwise as ew
from stochad.rules import structural as st

__all__ = ["SequenceOperators", "PrimitiveOperators", "elementwise_operators"]

# np.matmul is a ufunc too: ``ndarray @ carrier`` reaches the carrier through it.
_UFUNCS = {**ew.UFUNC_PRIMITIVES, np.matmul: st.MATMUL}


# numpy functions (beyond ufuncs) that carriers answer with the stochad function of the
# same meaning; np.sum(t) and np.mean(t) arrive here too
_ARRAY_FUNCTIONS = {
    np.dot: st.dot, np.matmul: st.matmul,
    np.sum: lambda x, axis=None, dtype=None, out=None, keepdims=False: x.sum(
        axis, dtype, out, keepdims
    ),
    np.mean: lambda x, axis=None, dtype=None, out=None, keepdims=False: x.mean(
        axis, dtype, out, keepdims
    ),
    np.reshape: st.reshape, np.transpose: st.transpose, np.concatenate: st.concatenate,
    np.stack: st.stack, np.where: ew.where, np.maximum: ew.maximum, np.minimum: ew.minimum,
    np.shape: lambda x: x.shape, np.ndim: lambda x: x.ndim, np.size: lambda x: x.size,
}  # fmt: skip


def _binary(primitive):
    def forward(self, other):
        return call(primitive, self, other)

    def reflected(self, other):
        return call(primitive, other, self)

    return forward, reflected


def _reduce(primitive, x, axis, dtype, out, keepdims: bool):
    # np.sum(t) / np.mean(t) call t.sum(axis=..., dtype=None, out=None): accept the defaults
    if dtype is not None or out is not None:
        raise TypeError(f"{primitive.name}() of a stochad value does not support dtype= or out=")
    result = call(primitive, x, axis=axis)
    if keepdims:
        axes = range(x.ndim) if axis is None else np.atleast_1d(axis)
        kept = {a % x.ndim for a in axes}
        result = call(
            st.RESHAPE,
            result,
            shape=tuple(1 if i in kept else n for i, n in enumerate(x.shape)),
        )
    return result


def _shape_arguments(args) -> tuple | None:
    # numpy accepts both t.reshape(2, 3) and t.reshape((2, 3))
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        return tuple(args[0]) if args[0] is not None else None
    return tuple(args)


def _unary(primitive):
    def operation(self):
        return call(primitive, self)

    return operation


_REFLECTED = (("add", ew.ADD), ("sub", ew.SUBTRACT), ("mul", ew.MULTIPLY),
              ("truediv", ew.DIVIDE), ("pow", ew.POWER))  # fmt: skip
_COMPARISONS = (("lt", ew.LESS), ("le", ew.LESS_EQUAL), ("gt", ew.GREATER),
                ("ge", ew.GREATER_EQUAL), ("eq", ew.EQUAL), ("ne", ew.NOT_EQUAL))  # fmt: skip


def elementwise_operators(binary=_binary, unary=_unary) -> dict:
    """The elementwise operator methods, each made by ``binary(primitive)`` (which returns
    ``(forward, reflected)``) or ``unary(primitive)``: one table for every carrier type
    (the scalar triple passes its fast-path factories)."""
    methods = {}
    for name, primitive in _REFLECTED:
        methods[f"__{name}__"], methods[f"__r{name}__"] = binary(primitive)
    for name, primitive in _COMPARISONS:
        methods[f"__{name}__"] = binary(primitive)[0]
    methods["__neg__"] = unary(ew.NEGATIVE)
    methods["__abs__"] = unary(ew.ABSOLUTE)
    return methods


class PrimitiveOperators:
    """Mixin: Python operators and array methods as registry primitives."""

    __slots__ = ()

    # + - * / ** < <= > >= == != and unary - abs: installed below (elementwise_operators)
    __matmul__, __rmatmul__ = _binary(st.MATMUL)
    __hash__ = None  # type: ignore[assignment]  # == builds a value, not a bool

    def __pos__(self):
        return self

    def __array_function__(self, func, types, args, kwargs):
        implementation = _ARRAY_FUNCTIONS.get(func)
        if implementation is None:
            return NotImplemented  # numpy then raises a TypeError naming the function
        return implementation(*args, **kwargs)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        primitive = _UFUNCS.get(ufunc)
        if method != "__call__" or primitive is None or kwargs:
            return NotImplemented
        return call(primitive, *inputs)

    # -- array protocol -----------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self.value)

    @property
    def ndim(self) -> int:
        return np.ndim(self.value)

    @property
    def size(self) -> int:
        return int(np.size(self.value))

    @property
    def T(self):
        return call(st.TRANSPOSE, self, axes=None)

    def transpose(self, *axes):
        return call(st.TRANSPOSE, self, axes=_shape_arguments(axes) or None)

    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        return _reduce(st.SUM, self, axis, dtype, out, keepdims)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False):
        return _reduce(st.MEAN, self, axis, dtype, out, keepdims)

    def reshape(self, *shape):
        return call(st.RESHAPE, self, shape=_shape_arguments(shape))

    def ravel(self):
        return call(st.RESHAPE, self, shape=(-1,))

    def dot(self, other):
        return st.dot(self, other)


for _name, _method in elementwise_operators().items():
    setattr(PrimitiveOperators, _name, _method)
del _name, _method


class SequenceOperators(PrimitiveOperators):
    """Mixin for carriers that may hold arrays: indexing, ``len`` and iteration too.

    Kept off scalar carriers on purpose: numpy treats anything with ``__getitem__`` as a
    sequence, so ``a[i] = t`` would say "setting an array element with a sequence"
    instead of calling ``float(t)``, which raises the error that says what to do.
    """

    __slots__ = ()

    def __getitem__(self, index):
        return call(st.GETITEM, self, index=index)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d value")
        return self.shape[0]

    def __iter__(self):
        # Unpacking (``a, b = t``) goes through GETITEM, so each piece stays a carrier.
        return (self[i] for i in range(len(self)))
