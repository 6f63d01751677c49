"""Central finite differences of a random program, with or without common random numbers."""

from __future__ import annotations

import numpy as np

from stochad.core.context import using_rng
from stochad.core.random import as_generator
from stochad.errors import check_callable, check_finite, check_positive

__all__ = ["finite_difference_estimate"]


def finite_difference_estimate(
    f, p: float, *, h: float = 1e-2, rng=None, common_random_numbers: bool = True
) -> float:
    """One sample of ``(f(p + h) − f(p − h)) / 2h`` with plain samplers inside ``f``.

    With ``common_random_numbers`` both sides draw the same uniforms (the same child
    generator state), which cuts the variance but, for discrete programs, still leaves a
    bias of order ``h²`` and a variance of order ``1/h``; without, the sides are independent.
    ``f`` runs on plain floats (no triples): a baseline for the stochastic-triple estimators.

    Parameters
    ----------
    f : callable
        the program, called as ``f(p ± h)``; returns a number (a 0-d result).
    p : float
        the point, finite.
    h : float
        the half step, finite and > 0.
    rng : None, int or numpy.random.Generator
        where both sides' draws come from.
    common_random_numbers : bool
        reuse the same random numbers on both sides.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        if ``f`` is not callable, ``p`` or ``h`` is not a real number, ``rng`` has another
        type, or ``f`` returns an array with more than one element.
    ValueError
        if ``p`` is not finite, ``h`` is not finite and > 0, or the ``rng`` seed is
        negative.

    See Also
    --------
    score_function_estimate, stochad.derivative_estimate

    Examples
    --------
    >>> import numpy as np, stochad
    >>> from stochad.estimators import finite_difference_estimate
    >>> g = np.random.default_rng(0)
    >>> est = [finite_difference_estimate(stochad.bernoulli, 0.3, h=0.05, rng=g)
    ...        for _ in range(4000)]
    >>> bool(abs(np.mean(est) - 1.0) < 5 * np.std(est) / np.sqrt(4000))
    True
    """
    check_callable("f", f)
    p = check_finite("p", p)
    h = check_positive("h", h)
    generator = as_generator(rng)
    if common_random_numbers:
        child = generator.spawn(1)[0]
        state = child.bit_generator.state
        with using_rng(child):
            upper = f(p + h)
        child.bit_generator.state = state
        with using_rng(child):
            lower = f(p - h)
    else:
        with using_rng(generator):
            upper = f(p + h)
            lower = f(p - h)
    return float(np.asarray(upper - lower, dtype=np.float64) / (2.0 * h))
