"""Bernoulli(p): values 0 and 1, ``X = 1`` iff ``U > 1 − p``."""

from __future__ import annotations

from stochad.distributions.base import DiscreteRule, register_distribution
from stochad.errors import check_probability

__all__ = ["BERNOULLI"]


def check(p):
    return (check_probability("p", p),)


def inverse_cdf(u, p):
    return 1 if u > 1.0 - p else 0


def cdf(k, p):
    if k < 0:
        return 0.0
    return 1.0 - p if k < 1 else 1.0


def jump(x, d, p):
    """Raising p turns a 0 into a 1 at rate d/(1−p); lowering it turns a 1 into a 0."""
    if d > 0.0 and x == 0:
        return 1, d / (1.0 - p)
    if d < 0.0 and x == 1:
        return 0, -d / p
    # at the edge of the domain a tangent pointing out of it takes the one-sided derivative
    # from inside: the inside jump with a negative weight (docs/theory.md §2, boundaries)
    if d > 0.0 and p == 1.0:
        return 0, -d / p
    if d < 0.0 and p == 0.0:
        return 1, d / (1.0 - p)
    return x, 0.0


def mean_partials(p):
    return (1.0,)


def score(x, p):
    return (1.0 / p if x == 1 else -1.0 / (1.0 - p),)


BERNOULLI = register_distribution(
    DiscreteRule(
        "bernoulli", ("p",), check, inverse_cdf, cdf, jump, mean_partials, differentiable=0,
        kinds=("probability",), score=score, array_kernel=True,
    )
)  # fmt: skip
