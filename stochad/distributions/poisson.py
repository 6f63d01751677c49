"""Poisson(lam)."""

from __future__ import annotations

import math

from stochad.distributions.base import DiscreteRule, register_distribution
from stochad.errors import check_nonnegative

__all__ = ["POISSON"]

_BELOW_ONE = 1.0 - 2.0**-53


def check(lam):
    return (check_nonnegative("lam", lam),)


def log_pmf(k, lam):
    if lam == 0.0:
        return 0.0 if k == 0 else -math.inf
    return k * math.log(lam) - lam - math.lgamma(k + 1)


def cdf(k, lam):
    if k < 0:
        return 0.0
    total = 0.0
    for j in range(int(k) + 1):
        total += math.exp(log_pmf(j, lam))
    return min(total, 1.0)


def inverse_cdf(u, lam):
    u = min(u, _BELOW_ONE)
    total = 0.0
    k = 0
    while True:
        total += math.exp(log_pmf(k, lam))
        if total >= u or k > lam + 40.0 * math.sqrt(lam) + 100.0:
            return k
        k += 1


def jump(x, d, lam):
    if d > 0.0:
        return x + 1, d
    if d < 0.0 and x > 0:
        return x - 1, -d * x / lam
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
