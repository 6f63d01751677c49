"""Geometric(p), numpy's convention: trials up to and including the first success (1, 2, …)."""

from __future__ import annotations

import math

from stochad.distributions.base import MIN_TAIL_PROBABILITY, DiscreteRule, register_distribution
from stochad.errors import check_probability

__all__ = ["GEOMETRIC"]

_BELOW_ONE = 1.0 - 2.0**-53


def check(p):
    p = check_probability("p", p, open_low=True)
    if p < MIN_TAIL_PROBABILITY:
        raise ValueError(
            f"p must be at least {MIN_TAIL_PROBABILITY} (draws of mean 1/p beyond 1e15 are not "
            f"exact in float64), got p={p!r}"
        )
    return (p,)


def cdf(k, p):
    if k < 1:
        return 0.0
    if p == 1.0:
        return 1.0
    return -math.expm1(k * math.log1p(-p))


def inverse_cdf(u, p):
    if p == 1.0:
        return 1
    u = min(u, _BELOW_ONE)
    k = max(1, math.ceil(math.log1p(-u) / math.log1p(-p)))
    # guard the boundary against rounding: the smallest k with F(k) >= u
    while k > 1 and cdf(k - 1, p) >= u:
        k -= 1
    while cdf(k, p) < u:
        k += 1
    return k


def jump(x, d, p):
    if d > 0.0 and x > 1:
        return x - 1, d * (x - 1) / (p * (1.0 - p))
    if d < 0.0:
        return x + 1, -d * x / p
    # at the edge of the domain a tangent pointing out of it takes the one-sided derivative
    # from inside: the inside jump with a negative weight (docs/theory.md §2, boundaries)
    if d > 0.0 and p == 1.0:
        return x + 1, -d * x / p
    return x, 0.0


def mean_partials(p):
    return (-1.0 / (p * p),)


def score(x, p):
    return (1.0 / p - ((x - 1) / (1.0 - p) if x > 1 else 0.0),)


GEOMETRIC = register_distribution(
    DiscreteRule(
        "geometric", ("p",), check, inverse_cdf, cdf, jump, mean_partials, differentiable=0,
        kinds=("tail_probability",), score=score, array_kernel=True,
    )
)  # fmt: skip
