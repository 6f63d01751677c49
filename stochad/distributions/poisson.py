"""Poisson(lam)."""

from __future__ import annotations

import math

from stochad.distributions.base import MAX_COUNT, DiscreteRule, register_distribution
from stochad.distributions.special import ndtri, pdtr, pdtrc
from stochad.errors import check_nonnegative

__all__ = ["POISSON"]

_BELOW_ONE = 1.0 - 2.0**-53


def check(lam):
    lam = check_nonnegative("lam", lam)
    if lam > MAX_COUNT:
        raise ValueError(
            f"lam must be at most {MAX_COUNT} (the rate bound of every draw), got lam={lam!r}"
        )
    return (lam,)


def log_pmf(k, lam):
    if lam == 0.0:
        return 0.0 if k == 0 else -math.inf
    return k * math.log(lam) - lam - math.lgamma(k + 1)


_DIRECT = 30.0
"""Below this rate the CDF is summed from 0 (a few dozen terms); above it, it is scipy's
incomplete gamma function (O(1)) and a draw starts from an approximate quantile."""


def cdf(k, lam):
    if k < 0:
        return 0.0
    if lam >= _DIRECT:
        return pdtr(math.floor(k), lam)
    total = 0.0
    for j in range(int(k) + 1):
        total += math.exp(log_pmf(j, lam))
    return min(total, 1.0)


def inverse_cdf(u, lam):
    u = min(u, _BELOW_ONE)
    if lam >= _DIRECT:
        return quantile(u, lam)
    top = int(lam + 40.0 * math.sqrt(lam) + 100.0)  # the mass above is below 1e-300
    if 1.0 - u < _TAIL:
        return upper_tail_quantile(u, top, lam)
    total = 0.0
    k = 0
    while True:
        total += math.exp(log_pmf(k, lam))
        if total >= u or k > top:
            return k
        k += 1


def quantile(u, lam):
    """The smallest ``k`` with ``F(k) >= u``, in O(1) expected CDF evaluations.

    It starts at the Cornish–Fisher approximation ``λ + √λ·z + (z² − 1)/6`` (``z`` the
    normal quantile of ``u``), within a step or two of the answer, and steps to it. Above
    the median the test is on the upper tail ``P(X > k) <= 1 − u`` (scipy's complement,
    exact where ``F`` rounds to 1), so the far tail is as exact as the bulk.
    """
    z = ndtri(u)
    k = max(0.0, math.floor(lam + math.sqrt(lam) * z + (z * z - 1.0) / 6.0))
    upper = u > 0.5
    r = 1.0 - u
    if _covers(k, lam, u, r, upper):
        while k > 0.0 and _covers(k - 1.0, lam, u, r, upper):
            k -= 1.0
        return int(k)
    k += 1.0
    while not _covers(k, lam, u, r, upper):
        k += 1.0
    return int(k)


def _covers(k, lam, u, r, upper):
    """``F(k) >= u``, on the upper tail above the median."""
    if upper:
        return pdtrc(k, lam) <= r
    return pdtr(k, lam) >= u


_TAIL = 1e-9
"""Below this upper-tail mass a draw is found from the top: summing the pmf from 0 leaves a
float deficit of about 1e-11 there, which would send the draw to the loop's cap."""


def upper_tail_quantile(u, top, lam):
    """The smallest ``k <= top`` with ``P(X > k) <= 1 − u``, summing the pmf from ``top`` down."""
    r = 1.0 - u
    upper = 0.0
    k = top
    while k > 0:
        below = upper + math.exp(log_pmf(k, lam))
        if below > r:
            return k
        upper = below
        k -= 1
    return 0


def jump(x, d, lam):
    if d > 0.0:
        return x + 1, d
    if d < 0.0 and x > 0:
        return x - 1, -d * x / lam
    # at the edge of the domain a tangent pointing out of it takes the one-sided derivative
    # from inside: the inside jump with a negative weight (docs/theory.md §2, boundaries)
    if d < 0.0 and lam == 0.0:
        return x + 1, d
    return x, 0.0


def mean_partials(lam):
    return (1.0,)


def score(x, lam):
    return ((x / lam if x > 0 else 0.0) - 1.0,)


POISSON = register_distribution(
    DiscreteRule(
        "poisson", ("lam",), check, inverse_cdf, cdf, jump, mean_partials, differentiable=0,
        kinds=("rate",), score=score, array_kernel=True,
    )
)  # fmt: skip
