"""Continuous distributions by reparameterization: only δ parts, no jumps.

``normal(loc, scale) = loc + scale·z`` and ``exponential(scale) = scale·e`` with ``z``/``e``
drawn by numpy from the primal stream (one ``standard_normal(shape)`` or
``standard_exponential(shape)`` call, ``shape`` the broadcast of the parameters and
``size``). The arithmetic is ordinary stochad arithmetic, so floats, arrays, triples,
triple arrays and tracers all work, and every carrier consumes the stream identically.
"""

from __future__ import annotations

import numpy as np

from stochad.core.primitives import is_carrier
from stochad.distributions.vectorized import draw_shape

__all__ = ["sample_normal", "sample_exponential", "sample_multivariate_normal"]


def _primal(name: str, x) -> np.ndarray:
    # any carrier (triple, triple array, tracer): check its primal; arithmetic carries the rest
    value = x.value if is_carrier(x) else x
    array = np.asarray(value)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name} must be real numbers, got {type(value).__name__}")
    return array.astype(np.float64)


def _require(name: str, values: np.ndarray, ok: np.ndarray, allowed: str) -> None:
    """Raise ``ValueError`` naming the first element of ``values`` outside ``allowed``."""
    if np.all(ok):
        return
    index = tuple(int(i) for i in np.argwhere(~np.broadcast_to(ok, values.shape))[0])
    label = f"{name}[{', '.join(map(str, index))}]" if index else name
    raise ValueError(f"{name} must be {allowed}, got {label}={float(values[index])!r}")


def _as_array_argument(x):
    return np.asarray(x, dtype=np.float64) if isinstance(x, (list, tuple)) else x


def _standard(draw, params, size):
    shapes = [np.shape(p) for p in params]
    if size is None and all(s == () for s in shapes):
        return draw()
    return draw(draw_shape(shapes, size))


def sample_normal(evaluation, loc, scale, size=None):
    """``loc + scale·z`` with ``z`` standard normal from the primal stream."""
    loc, scale = _as_array_argument(loc), _as_array_argument(scale)
    loc_value, scale_value = _primal("loc", loc), _primal("scale", scale)
    _require("loc", loc_value, np.isfinite(loc_value), "finite")
    _require("scale", scale_value, (scale_value >= 0) & np.isfinite(scale_value), "finite and >= 0")
    z = _standard(evaluation.streams.primal.standard_normal, (loc_value, scale_value), size)
    return loc + scale * z


def sample_exponential(evaluation, scale, size=None):
    """``scale·e`` with ``e`` standard exponential from the primal stream."""
    scale = _as_array_argument(scale)
    scale_value = _primal("scale", scale)
    _require("scale", scale_value, (scale_value >= 0) & np.isfinite(scale_value), "finite and >= 0")
    return scale * _standard(evaluation.streams.primal.standard_exponential, (scale_value,), size)


def sample_multivariate_normal(evaluation, mean, cholesky, size=None):
    """``mean + L·z`` with ``z`` standard normal (shape ``size + (d,)``) from the primal stream.

    ``L = cholesky`` is any ``(d, d)`` factor of the covariance ``L·Lᵀ`` (typically lower
    triangular); the product is stochad's ``matmul`` for carriers, so triples, triple arrays and
    tracers in ``mean`` and ``L`` carry their derivatives (``δmean + δL·z``).
    """
    mean, cholesky = _as_array_argument(mean), _as_array_argument(cholesky)
    mean_value, factor = _primal("mean", mean), _primal("cholesky", cholesky)
    if mean_value.ndim != 1:
        raise ValueError(f"mean must be 1-d (d,), got shape {mean_value.shape}")
    d = mean_value.shape[0]
    if factor.shape != (d, d):
        raise ValueError(
            f"cholesky must have shape (d, d) = {(d, d)} to match mean, got {factor.shape}"
        )
    _require("mean", mean_value, np.isfinite(mean_value), "finite")
    _require("cholesky", factor, np.isfinite(factor), "finite")
    batch = () if size is None else draw_shape([()], size)
    z = evaluation.streams.primal.standard_normal(batch + (d,))
    # ``z @ Lᵀ``: numpy hands the product to a carrier's matmul (its ``.T`` is a primitive)
    return mean + z @ cholesky.T
