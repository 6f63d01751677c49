"""Exceptions and argument checks shared by the whole package."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

__all__ = [
    "PerturbationLostWarning", "COMPARISON_LOST", "is_real",
    "PerturbationLostError",
    "check_probability",
    "check_finite",
    "check_nonnegative",
    "check_positive",
    "check_count",
    "check_callable",
]

_LOST_HINT = (
    "Use stochad.where(condition, a, b) to select between values, or "
    "stochad.propagate(f, *triples) to run a function with Python control flow on "
    "every alternate value."
)


class PerturbationLostError(TypeError):
    """Raised where converting a stochastic triple would silently drop a perturbation.

    Python's ``if``/``while``, ``bool()``, ``int()``, ``float()`` and indexing see only
    the primal value of a triple. When one of the triple's alternate values would give
    a different outcome, the derivative would be wrong; stochad refuses instead. The same
    holds under the smoothed backend for any value with a nonzero smoothed derivative,
    and for ``float()`` of a triple with ``δ != 0``. A subclass of ``TypeError``.

    See Also
    --------
    stochad.where : select between values, elementwise, keeping the perturbations.
    stochad.propagate : run Python control flow on every alternate value.
    stochad.value : read the primal value on purpose.

    Examples
    --------
    >>> import stochad
    >>> def f(p):
    ...     return 1.0 if stochad.bernoulli(p) else 0.0   # use stochad.where instead
    >>> try:
    ...     stochad.derivative_estimate(f, 0.3, rng=1)
    ... except stochad.PerturbationLostError as error:
    ...     print(isinstance(error, TypeError), "stochad.where" in str(error))
    True True
    """

    def __init__(self, what: str):
        super().__init__(f"{what} would lose a perturbation of a stochastic triple. {_LOST_HINT}")


COMPARISON_LOST = (
    "a comparison of a value with a continuous derivative (normal(p) > 0, "
    "random() < p) is piecewise constant, so its derivative is dropped, while the "
    "probability of its outcome depends on p. Draw the outcome with a discrete sampler "
    "(stochad.bernoulli(prob)), or use stochad.heaviside(x, surrogate) with the smoothed "
    "backend; stochad.where(condition, a, b) still selects without a warning"
)


class PerturbationLostWarning(UserWarning):
    """Warned where the result of a comparison of a continuous value is used as a number.

    Such a comparison (``normal(p) > 0``) drops the derivative of its operands, so
    arithmetic on its 0/1 result silently misses how the outcome's probability depends
    on ``p``; converting it to ``bool`` (``if``) raises :class:`PerturbationLostError`.
    Filter it like any warning (``warnings.simplefilter("ignore",
    stochad.PerturbationLostWarning)``) where that is intended.

    Examples
    --------
    >>> import warnings, stochad
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = stochad.derivative_estimate(lambda p: (stochad.normal(p) > 0) * 1.0, 0.0, rng=0)
    >>> caught[0].category is stochad.PerturbationLostWarning
    True
    """


def is_real(x) -> bool:
    """Whether ``x`` is a real number or a real numeric ndarray (not bool, not complex)."""
    if isinstance(x, np.ndarray):
        return np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)
    return isinstance(x, (Real, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _as_real(name: str, x, allowed: str) -> float:
    """``x`` as a float; ``allowed`` completes "``name`` must be ..." in the nan message."""
    if type(x) is float and x == x:  # the common case first: a number that is not nan
        return x
    if isinstance(x, bool) or not isinstance(x, (Real, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    x = float(x)
    if math.isnan(x):
        raise ValueError(f"{name} must be {allowed}, got {name}=nan")
    return x


def check_probability(name: str, p, *, open_low: bool = False) -> float:
    """Return ``p`` as a float after checking ``0 <= p <= 1`` (``0 < p`` if ``open_low``)."""
    interval = "(0, 1]" if open_low else "[0, 1]"
    p = _as_real(name, p, f"a probability in {interval}")
    if not ((0.0 < p if open_low else 0.0 <= p) and p <= 1.0):
        raise ValueError(f"{name} must be a probability in {interval}, got {name}={p!r}")
    return p


def check_finite(name: str, x) -> float:
    """Return ``x`` as a float after checking it is finite."""
    x = _as_real(name, x, "finite")
    if math.isinf(x):
        raise ValueError(f"{name} must be finite, got {name}={x!r}")
    return x


def check_nonnegative(name: str, x) -> float:
    """Return ``x`` as a float after checking it is finite and ``>= 0``."""
    x = _as_real(name, x, "finite and >= 0")
    if not (0.0 <= x < math.inf):
        raise ValueError(f"{name} must be finite and >= 0, got {name}={x!r}")
    return x


def check_positive(name: str, x) -> float:
    """Return ``x`` as a float after checking it is finite and ``> 0``."""
    x = _as_real(name, x, "finite and > 0")
    if not (0.0 < x < math.inf):
        raise ValueError(f"{name} must be finite and > 0, got {name}={x!r}")
    return x


def check_count(name: str, n) -> int:
    """Return ``n`` as an int after checking it is a whole number ``>= 0``."""
    x = _as_real(name, n, "a whole number >= 0")
    if x < 0 or math.isinf(x) or x != math.floor(x):
        raise ValueError(f"{name} must be a whole number >= 0, got {name}={n!r}")
    return int(x)


def check_callable(name: str, f) -> None:
    """Raise ``TypeError`` unless ``f`` is callable."""
    if not callable(f):
        raise TypeError(f"{name} must be callable, got {type(f).__name__}")
