"""Array draws without triples: the same inverse-CDF rules applied elementwise.

The primal stream is consumed the same way by every carrier (plain arrays, triple arrays,
reverse-mode tracers): one ``primal.random(shape)`` call per discrete draw, with ``shape``
the broadcast of the parameters' shapes and ``size``; ``X = F⁻¹(1 − r)`` elementwise.
Normal and exponential draws take ``primal.standard_normal(shape)`` and
``primal.standard_exponential(shape)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["draw_shape", "inverse_cdf_array", "sample_plain_array"]


def draw_shape(param_shapes, size) -> tuple[int, ...]:
    """The shape of a draw: ``size`` if given (parameters must broadcast to it)."""
    try:
        shape = np.broadcast_shapes(*param_shapes)
    except ValueError:
        raise ValueError(
            f"parameter shapes {tuple(param_shapes)} do not broadcast together"
        ) from None
    if size is None:
        return shape
    size = (size,) if np.isscalar(size) else tuple(size)
    try:
        if np.broadcast_shapes(shape, size) != size:
            raise ValueError
    except ValueError:
        raise ValueError(f"parameter shape {shape} does not broadcast to size={size}") from None
    return size


def inverse_cdf_array(rule, u: np.ndarray, params) -> np.ndarray:
    """``rule.inverse_cdf`` elementwise (params broadcast against ``u``), as float64."""
    arrays = np.broadcast_arrays(u, *[np.asarray(q, dtype=np.float64) for q in params])
    out = np.empty(arrays[0].shape, dtype=np.float64)
    flat = [a.ravel() for a in arrays]
    casts = [int if name == "n" else float for name in rule.params]
    result = out.ravel()
    for k in range(result.size):
        result[k] = rule.inverse_cdf(
            flat[0][k], *[c(a[k]) for c, a in zip(casts, flat[1:], strict=True)]
        )
    return out


def sample_plain_array(rule, evaluation, params, size) -> np.ndarray:
    """Draw an array of plain samples (no triples among ``params``)."""
    shape = draw_shape([np.shape(q) for q in params], size)
    _check_all(rule, params)
    u = 1.0 - evaluation.streams.primal.random(shape)
    return inverse_cdf_array(rule, u, params)


def _check_all(rule, params) -> None:
    arrays = np.broadcast_arrays(*[np.asarray(q, dtype=np.float64) for q in params])
    for index in np.ndindex(arrays[0].shape):
        try:
            rule.check(*[float(a[index]) for a in arrays])
        except ValueError as err:
            raise ValueError(f"{rule.name}: at index {index}: {err}") from None
