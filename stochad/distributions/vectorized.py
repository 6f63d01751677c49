"""Array draws without triples: the same inverse-CDF rules applied elementwise.

The primal stream is consumed the same way by every carrier (plain arrays, triple arrays,
reverse-mode tracers): one ``primal.random(shape)`` call per discrete draw, with ``shape``
the broadcast of the parameters' shapes and ``size``; ``X = F⁻¹(1 − r)`` elementwise.
Normal and exponential draws take ``primal.standard_normal(shape)`` and
``primal.standard_exponential(shape)``.

Parameters are checked in one vectorized pass per rule (``rule.valid``, from the kinds of
its parameters); the first bad
element is then handed to the rule's own scalar ``check`` so the message is the same as
for a scalar draw, plus the offending index.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "draw_shape", "inverse_cdf_array", "check_array_params", "flat_params",
    "in_range_by_extremes",
]  # fmt: skip


def _check_size(size) -> tuple[int, ...]:
    """``size`` as a shape: a whole number >= 0 or a tuple of them (numpy's meaning)."""
    items = (size,) if np.isscalar(size) else size
    try:
        items = tuple(items)
    except TypeError:
        items = None
    ok = items is not None and all(
        isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_)) for n in items
    )
    if not ok:
        raise TypeError(
            f"size must be None, a whole number >= 0 or a tuple of them, got size={size!r}"
        )
    if any(n < 0 for n in items):
        raise ValueError(f"size must hold whole numbers >= 0, got size={size!r}")
    return tuple(int(n) for n in items)


def draw_shape(param_shapes, size) -> tuple[int, ...]:
    """The shape of a draw: ``size`` if given (parameters must broadcast to it)."""
    if size is None and len(param_shapes) == 1:
        return tuple(param_shapes[0])
    try:
        shape = np.broadcast_shapes(*param_shapes)
    except ValueError:
        raise ValueError(
            f"parameter shapes {tuple(param_shapes)} do not broadcast together"
        ) from None
    if size is None:
        return shape
    size = _check_size(size)
    try:
        if np.broadcast_shapes(shape, size) != size:
            raise ValueError
    except ValueError:
        raise ValueError(f"parameter shape {shape} does not broadcast to size={size}") from None
    return size


def check_array_params(rule, params, shape, where=None, world: str = "") -> None:
    """Raise ``ValueError`` naming the first element whose parameters are out of range."""
    if where is None and in_range_by_extremes(rule, params):
        return
    arrays = np.broadcast_arrays(*[np.asarray(q, dtype=np.float64) for q in params])
    ok = np.broadcast_to(rule.valid(*arrays), arrays[0].shape)
    bad = ~ok if where is None else ~ok & where
    if not bad.any():
        return
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    index = index if index else ()
    try:
        rule.check(*[float(a[index]) for a in arrays])
        message = f"parameters {[float(a[index]) for a in arrays]} are out of range"
    except ValueError as err:
        message = str(err)
    where_ = f"at index {index} of parameter shape {arrays[0].shape}"
    raise ValueError(f"{world}{rule.name}: {where_}: {message}")


def in_range_by_extremes(rule, params) -> bool:
    """Whether every element is in range, decided from each parameter's min and max.

    Each kind but ``count`` is an interval, so a parameter array is in range iff its
    extremes are (a nan makes them nan, which fails); ``False`` means "not decided here"
    (a count, a joint bound, an empty array): the elementwise check then runs. Two
    reductions instead of the elementwise comparisons and their temporaries.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.distributions.bernoulli import BERNOULLI
    >>> in_range_by_extremes(BERNOULLI, [np.array([0.2, 1.0])])
    True
    >>> in_range_by_extremes(BERNOULLI, [np.array([0.2, np.nan])])
    False
    """
    if rule.bounds is not None or "count" in rule.kinds:
        return False
    extremes = []
    for q in params:
        q = np.asarray(q, dtype=np.float64)
        if q.size == 0:
            return False
        extremes.append(np.array([q.min(), q.max()]))
    return bool(np.all(rule.valid(*extremes)))


def flat_params(params, shape, fill=None) -> tuple[np.ndarray, np.ndarray]:
    """Two 1-d float64 arrays over ``shape`` for the kernels' ``a, b`` parameters.

    Each parameter broadcasts to ``shape`` and is flattened (scalars become stride-0
    views, no copy); a missing second parameter is zeros; ``None`` entries are ``fill``.
    """
    n = math.prod(shape)
    out = []
    for q in list(params) + [0.0] * (2 - len(params)):
        q = np.asarray(fill if q is None else q, dtype=np.float64)
        if q.ndim == 0:  # a read-only stride-0 view, built directly (broadcast_to: ~10 µs)
            view = np.ndarray((n,), np.float64, q, 0, (0,))
            view.flags.writeable = False
            out.append(view)
        elif q.shape == shape:  # no broadcast needed (numpy's broadcast_to costs µs)
            out.append(q.reshape(-1))
        else:
            out.append(np.broadcast_to(q, shape).reshape(-1))
    return out[0], out[1]


def inverse_cdf_array(rule, u: np.ndarray, params) -> np.ndarray:
    """``rule.inverse_cdf`` elementwise (params broadcast against ``u``), as float64.

    A plain Python loop over the rule's scalar function: the reference the kernels are
    tested against.
    """
    arrays = np.broadcast_arrays(u, *[np.asarray(q, dtype=np.float64) for q in params])
    out = np.empty(arrays[0].shape, dtype=np.float64)
    flat = [a.ravel() for a in arrays]
    casts = [int if kind == "count" else float for kind in rule.kinds]
    result = out.ravel()
    for k in range(result.size):
        result[k] = rule.inverse_cdf(
            flat[0][k], *[c(a[k]) for c, a in zip(casts, flat[1:], strict=True)]
        )
    return out
