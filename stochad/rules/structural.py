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

from stochad._docstrings import fill_doc
from stochad.core.primitives import Primitive, call, is_carrier, register

__all__ = [
    "unbroadcast", "SUM", "MEAN", "MATMUL", "GETITEM", "RESHAPE", "TRANSPOSE", "CONCATENATE",
    "STACK", "sum", "mean", "matmul", "dot", "reshape", "transpose", "concatenate", "stack",
]  # fmt: skip


def unbroadcast(g, shape) -> np.ndarray:
    """Sum ``g`` over the axes that broadcasting added to reach it from ``shape``."""
    if not is_carrier(g):  # a carrier (a nested derivative's cotangent) keeps its kind
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


def _joining(name: str, join, stacked: bool) -> Primitive:
    """The primitive ``join(xs, axis=axis)`` (``np.concatenate`` or ``np.stack``)."""
    return register(
        Primitive(
            name,
            lambda *xs, axis=0: join(xs, axis=axis),
            jvp=lambda args, kw, t: join(
                [_zero_if_none(d, a) for d, a in zip(t, args, strict=True)], axis=kw.get("axis", 0)
            ),
            vjp=lambda args, kw, out, g, wanted=None: _split(g, args, kw.get("axis", 0), stacked),
        )
    )


CONCATENATE = _joining("concatenate", np.concatenate, stacked=False)
STACK = _joining("stack", np.stack, stacked=True)


# -- public functions -----------------------------------------------------------------
# Every function below takes floats, ndarrays, Triples, TripleArrays and reverse-mode Tracers
# and returns the kind of its highest-priority argument (Tracer > TripleArray > Triple >
# ndarray). The value and the almost-sure derivative follow numpy; the finite perturbations
# follow the value rule on the alternates, and on a triple array the pruned backend keeps one
# perturbation per output element out of those of the elements it combines.

# the Raises section of the reductions
_reduction = fill_doc(
    raises_axis_error="""
    Raises
    ------
    numpy.exceptions.AxisError
        (a ``ValueError``) for an axis out of range.
    """
)


@_reduction
def sum(x, axis=None):  # noqa: A001 - numpy's name, on purpose
    """Sum of the elements of ``x`` over ``axis`` (numpy's meaning), for any carrier.

    The almost-sure derivative is the sum of the elements' derivatives. On a triple array
    each output element combines the perturbations of the elements it sums: the pruned
    backend keeps one of them (chosen with probability proportional to ``|w|``, its weight
    becoming the total ``Σ|w|``), so the estimate stays unbiased.

    Parameters
    ----------
    x : array-like, TripleArray or Tracer
        the elements.
    axis : None, int or tuple of int
        the axes to sum over; ``None`` sums everything.

    Returns
    -------
    numpy.float64, ndarray, TripleArray or Tracer
        ``x`` with ``axis`` removed; a full reduction of a triple array is a 0-d
        TripleArray.

    %(raises_axis_error)s

    See Also
    --------
    mean, numpy.sum

    Examples
    --------
    >>> import numpy as np, stochad
    >>> float(stochad.sum(np.array([1.0, 2.0, 3.0])))
    6.0
    >>> f = lambda p: stochad.sum(stochad.bernoulli(p, size=4))   # E = 4p
    >>> float(stochad.derivative_estimate(f, 0.5, rng=0))
    2.0
    """
    return call(SUM, x, axis=axis)


@_reduction
def mean(x, axis=None):
    """Mean of ``x`` over ``axis`` (numpy's meaning), for any carrier.

    :func:`sum` divided by the number of elements reduced; perturbations combine as in
    :func:`sum`.

    Parameters
    ----------
    x : array-like, TripleArray or Tracer
        the elements.
    axis : None, int or tuple of int
        the axes to average over; ``None`` averages everything.

    Returns
    -------
    numpy.float64, ndarray, TripleArray or Tracer
        ``x`` with ``axis`` removed.

    %(raises_axis_error)s

    See Also
    --------
    sum, numpy.mean

    Examples
    --------
    >>> import numpy as np, stochad
    >>> float(stochad.mean(np.array([1.0, 2.0, 3.0])))
    2.0
    >>> stochad.grad(lambda w: stochad.mean(w * w))(np.array([1.0, 3.0])).tolist()
    [1.0, 3.0]
    """
    return call(MEAN, x, axis=axis)


def matmul(a, b):
    """Matrix product ``a @ b`` (numpy's meaning), for any carrier.

    Bilinear: the almost-sure derivative is ``da @ b + a @ db``. On triple arrays each
    output element combines the perturbations of the elements of its row of ``a`` and
    column of ``b``, as in :func:`sum`.

    Parameters
    ----------
    a, b : array-like, TripleArray or Tracer
        at least 1-d each, with matching inner dimensions (numpy's rules for 1-d operands
        and stacked matrices).

    Returns
    -------
    numpy.float64, ndarray, TripleArray or Tracer
        of numpy's ``matmul`` shape.

    Raises
    ------
    ValueError
        for mismatched inner dimensions or a 0-d operand (numpy's error).

    See Also
    --------
    dot, numpy.matmul

    Examples
    --------
    >>> import numpy as np, stochad
    >>> stochad.matmul(np.eye(2), np.array([1.0, 2.0])).tolist()
    [1.0, 2.0]
    >>> stochad.grad(lambda w: stochad.matmul(np.array([1.0, 2.0]), w))(np.zeros(2)).tolist()
    [1.0, 2.0]
    """
    return call(MATMUL, a, b)


def dot(a, b):
    """``a @ b`` for vectors and matrices; ``a * b`` when either is a scalar.

    Parameters
    ----------
    a, b : float, array-like, Triple, TripleArray or Tracer
        scalars, or operands of :func:`matmul`.

    Returns
    -------
    float, ndarray, Triple, TripleArray or Tracer
        as :func:`matmul`, or as ``a * b`` for a scalar operand.

    Raises
    ------
    ValueError
        for mismatched inner dimensions (from :func:`matmul`).

    See Also
    --------
    matmul

    Examples
    --------
    >>> import numpy as np, stochad
    >>> float(stochad.dot(np.array([1.0, 2.0]), np.array([3.0, 4.0])))
    11.0
    >>> stochad.grad(lambda w: stochad.dot(np.array([1.0, 2.0]), w))(np.zeros(2)).tolist()
    [1.0, 2.0]
    """
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return a * b
    return call(MATMUL, a, b)


def reshape(x, shape):
    """``x`` with a new shape (numpy's meaning), for any carrier.

    Value, derivative and alternates are reshaped alike; each element keeps its
    perturbation.

    Parameters
    ----------
    x : array-like, TripleArray or Tracer
    shape : int or tuple of int
        the new shape, with the same number of elements; one entry may be ``-1``.

    Returns
    -------
    ndarray, TripleArray or Tracer
        of shape ``shape``.

    Raises
    ------
    ValueError
        if the number of elements differs (numpy's error).

    See Also
    --------
    transpose, numpy.reshape

    Examples
    --------
    >>> import numpy as np, stochad
    >>> stochad.reshape(np.arange(4.0), (2, 2)).shape
    (2, 2)
    >>> stochad.grad(lambda w: stochad.sum(stochad.reshape(w, (2, 2))[0]))(np.ones(4)).tolist()
    [1.0, 1.0, 0.0, 0.0]
    """
    return call(RESHAPE, x, shape=shape)


def transpose(x, axes=None):
    """``x`` with its axes permuted (numpy's meaning), for any carrier.

    Value, derivative and alternates are permuted alike; each element keeps its
    perturbation.

    Parameters
    ----------
    x : array-like, TripleArray or Tracer
    axes : None or tuple of int
        a permutation of ``range(x.ndim)`` (negative entries allowed); ``None`` reverses
        the axes.

    Returns
    -------
    ndarray, TripleArray or Tracer
        the permuted array.

    Raises
    ------
    ValueError
        if ``axes`` is not a permutation of the axes (numpy's error).

    See Also
    --------
    reshape, numpy.transpose

    Examples
    --------
    >>> import numpy as np, stochad
    >>> stochad.transpose(np.zeros((2, 3))).shape
    (3, 2)
    """
    return call(TRANSPOSE, x, axes=axes)


def concatenate(xs, axis=0):
    """Join arrays along an existing axis, for any carrier.

    Each element keeps its value, derivative and perturbation; floats and ndarrays among
    ``xs`` carry none.

    Parameters
    ----------
    xs : sequence of array-like, TripleArray or Tracer
        arrays of the same shape except along ``axis``.
    axis : int
        the axis to join along.

    Returns
    -------
    ndarray, TripleArray or Tracer
        the joined array.

    Raises
    ------
    ValueError
        for shapes that do not match (numpy's error).

    See Also
    --------
    stack, numpy.concatenate

    Examples
    --------
    >>> import numpy as np, stochad
    >>> stochad.concatenate([np.zeros(2), np.ones(3)]).shape
    (5,)
    >>> stochad.grad(lambda w: stochad.sum(stochad.concatenate([w, 2 * w])))(np.zeros(2)).tolist()
    [3.0, 3.0]
    """
    return call(CONCATENATE, *xs, axis=axis)


def stack(xs, axis=0):
    """Join arrays along a new axis, for any carrier.

    Each element keeps its value, derivative and perturbation; floats and ndarrays among
    ``xs`` carry none.

    Parameters
    ----------
    xs : sequence of array-like, TripleArray or Tracer
        arrays of one shape.
    axis : int
        the position of the new axis in the result.

    Returns
    -------
    ndarray, TripleArray or Tracer
        one dimension more than each of ``xs``.

    Raises
    ------
    ValueError
        for shapes that differ (numpy's error).

    See Also
    --------
    concatenate, numpy.stack

    Examples
    --------
    >>> import numpy as np, stochad
    >>> stochad.stack([np.zeros(2), np.ones(2)]).shape
    (2, 2)
    """
    return call(STACK, *xs, axis=axis)
