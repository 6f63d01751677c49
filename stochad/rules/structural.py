"""Non-elementwise primitives: reductions, matrix products, indexing and reshaping.

These are linear (or bilinear, for products) in their array arguments, so each record
gives its tangent rule ``jvp(args, kwargs, tangents)`` (``tangents[i]`` is ``None`` where
argument ``i`` carries no derivative) and its reverse rule
``vjp(args, kwargs, out, cotangent, wanted=None)`` (a tuple with one cotangent, or ``None``,
per argument; ``wanted[i]`` False lets a rule skip an argument nobody differentiates, which
saves a whole matrix product for ``X @ W`` with constant data ``X``). Their
finite-perturbation rule is, as for every primitive, ``value`` applied to the alternates;
array backends implement it with pruning kernels.
"""

from __future__ import annotations

import numpy as np

from stochad.rules.registry import Primitive, call, register

__all__ = [
    "unbroadcast", "SUM", "MEAN", "MATMUL", "GETITEM", "RESHAPE", "TRANSPOSE", "CONCATENATE",
    "STACK", "sum", "mean", "matmul", "dot", "reshape", "transpose", "concatenate", "stack",
]  # fmt: skip


def unbroadcast(g, shape) -> np.ndarray:
    """Sum ``g`` over the axes that broadcasting added to reach it from ``shape``."""
    g = np.asarray(g)
    if g.shape == tuple(shape):
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _zero_if_none(tangent, like):
    return np.zeros(np.shape(like)) if tangent is None else tangent


# -- reductions ---------------------------------------------------------------------
def _expand_to(g, shape, axis):
    if axis is None:
        return np.broadcast_to(g, shape)
    axes = (axis,) if np.isscalar(axis) else tuple(axis)
    axes = tuple(a % len(shape) for a in axes)
    return np.broadcast_to(np.expand_dims(g, axes), shape)


def _count(shape, axis) -> int:
    if axis is None:
        return int(np.prod(shape))
    axes = (axis,) if np.isscalar(axis) else tuple(axis)
    return int(np.prod([shape[a] for a in axes]))


SUM = register(
    Primitive(
        "sum",
        lambda x, axis=None: np.sum(x, axis=axis),
        jvp=lambda args, kw, t: np.sum(t[0], axis=kw.get("axis")),
        vjp=lambda args, kw, out, g, wanted=None: (
            _expand_to(g, np.shape(args[0]), kw.get("axis")),
        ),
    )
)
MEAN = register(
    Primitive(
        "mean",
        lambda x, axis=None: np.mean(x, axis=axis),
        jvp=lambda args, kw, t: np.mean(t[0], axis=kw.get("axis")),
        vjp=lambda args, kw, out, g, wanted=None: (
            _expand_to(g, np.shape(args[0]), kw.get("axis"))
            / _count(np.shape(args[0]), kw.get("axis")),
        ),
    )
)


# -- products -------------------------------------------------------------------------
def _matmul_jvp(args, kw, tangents):
    a, b = args
    da, db = tangents
    out = 0.0
    if da is not None:
        out = out + np.matmul(da, b)
    if db is not None:
        out = out + np.matmul(a, db)
    return out


def _matmul_vjp(args, kw, out, g, wanted=None):
    a, b = (np.asarray(x) for x in args)
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = np.asarray(g)
    # restore the axes numpy dropped for 1-d operands: b's column first, so that with
    # two vectors (g 0-d) a's row axis has somewhere to go
    if b.ndim == 1:
        g2 = np.expand_dims(g2, -1)
    if a.ndim == 1:
        g2 = np.expand_dims(g2, -2)
    want_a, want_b = wanted if wanted is not None else (True, True)
    ga = gb = None
    if want_a:
        ga = unbroadcast(np.matmul(g2, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
    if want_b:
        gb = unbroadcast(np.matmul(np.swapaxes(a2, -1, -2), g2), b2.shape).reshape(b.shape)
    return ga, gb


MATMUL = register(Primitive("matmul", np.matmul, jvp=_matmul_jvp, vjp=_matmul_vjp))


# -- indexing and shapes --------------------------------------------------------------
def _getitem_vjp(args, kw, out, g, wanted=None):
    x = args[0]
    grad = np.zeros(np.shape(x))
    np.add.at(grad, kw["index"], g)
    return (grad,)


GETITEM = register(
    Primitive(
        "getitem",
        lambda x, index: np.asarray(x)[index],
        jvp=lambda args, kw, t: np.asarray(t[0])[kw["index"]],
        vjp=_getitem_vjp,
    )
)
RESHAPE = register(
    Primitive(
        "reshape",
        lambda x, shape: np.reshape(x, shape),
        jvp=lambda args, kw, t: np.reshape(t[0], kw["shape"]),
        vjp=lambda args, kw, out, g, wanted=None: (np.reshape(g, np.shape(args[0])),),
    )
)


def _inverse_axes(axes, ndim):
    if axes is None:
        return None
    return tuple(np.argsort([a % ndim for a in axes]))  # axes may be negative


TRANSPOSE = register(
    Primitive(
        "transpose",
        lambda x, axes=None: np.transpose(x, axes),
        jvp=lambda args, kw, t: np.transpose(t[0], kw.get("axes")),
        vjp=lambda args, kw, out, g, wanted=None: (
            np.transpose(g, _inverse_axes(kw.get("axes"), np.ndim(args[0]))),
        ),
    )
)


def _split(g, args, axis, stacked: bool):
    if stacked:
        return tuple(np.take(g, i, axis=axis) for i in range(len(args)))
    sizes = [np.shape(a)[axis] for a in args]
    return tuple(np.split(g, np.cumsum(sizes)[:-1], axis=axis))


CONCATENATE = register(
    Primitive(
        "concatenate",
        lambda *xs, axis=0: np.concatenate(xs, axis=axis),
        jvp=lambda args, kw, t: np.concatenate(
            [_zero_if_none(d, a) for d, a in zip(t, args, strict=True)], axis=kw.get("axis", 0)
        ),
        vjp=lambda args, kw, out, g, wanted=None: _split(g, args, kw.get("axis", 0), stacked=False),
    )
)
STACK = register(
    Primitive(
        "stack",
        lambda *xs, axis=0: np.stack(xs, axis=axis),
        jvp=lambda args, kw, t: np.stack(
            [_zero_if_none(d, a) for d, a in zip(t, args, strict=True)], axis=kw.get("axis", 0)
        ),
        vjp=lambda args, kw, out, g, wanted=None: _split(g, args, kw.get("axis", 0), stacked=True),
    )
)


# -- public functions -----------------------------------------------------------------
def sum(x, axis=None):  # noqa: A001 - numpy's name, on purpose
    """Sum of the elements of ``x`` over ``axis`` (numpy's meaning), for any carrier.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> float(stochad.sum(np.array([1.0, 2.0, 3.0])))
    6.0
    """
    return call(SUM, x, axis=axis)


def mean(x, axis=None):
    """Mean of ``x`` over ``axis`` (numpy's meaning), for any carrier.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> float(stochad.mean(np.array([1.0, 2.0, 3.0])))
    2.0
    """
    return call(MEAN, x, axis=axis)


def matmul(a, b):
    """Matrix product ``a @ b`` (numpy's meaning), for any carrier.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> stochad.matmul(np.eye(2), np.array([1.0, 2.0])).tolist()
    [1.0, 2.0]
    """
    return call(MATMUL, a, b)


def dot(a, b):
    """``a @ b`` for vectors and matrices; ``a * b`` when either is a scalar.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> float(stochad.dot(np.array([1.0, 2.0]), np.array([3.0, 4.0])))
    11.0
    """
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return a * b
    return call(MATMUL, a, b)


def reshape(x, shape):
    """``x`` with a new shape (numpy's meaning), for any carrier.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> stochad.reshape(np.arange(4.0), (2, 2)).shape
    (2, 2)
    """
    return call(RESHAPE, x, shape=shape)


def transpose(x, axes=None):
    """``x`` with its axes permuted (numpy's meaning), for any carrier.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> stochad.transpose(np.zeros((2, 3))).shape
    (3, 2)
    """
    return call(TRANSPOSE, x, axes=axes)


def concatenate(xs, axis=0):
    """Join arrays along an existing axis, for any carrier.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> stochad.concatenate([np.zeros(2), np.ones(3)]).shape
    (5,)
    """
    return call(CONCATENATE, *xs, axis=axis)


def stack(xs, axis=0):
    """Join arrays along a new axis, for any carrier.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> stochad.stack([np.zeros(2), np.ones(2)]).shape
    (2, 2)
    """
    return call(STACK, *xs, axis=axis)
