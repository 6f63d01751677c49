"""Distributions: each discrete rule (sampling, jumps, coupling, smoothing) in one module.

Importing this package registers the built-in distributions in :data:`DISTRIBUTIONS`;
a user's :class:`DiscreteRule` is added with :func:`register_distribution`.
"""

from stochad.distributions import (
    bernoulli,
    binomial,
    categorical,
    geometric,
    negative_binomial,
    poisson,
)
from stochad.distributions.base import (
    DISTRIBUTIONS,
    PARAMETER_KINDS,
    DiscreteRule,
    register_distribution,
)

__all__ = [
    "DISTRIBUTIONS", "PARAMETER_KINDS", "DiscreteRule", "register_distribution",
    "bernoulli", "binomial", "categorical", "geometric", "negative_binomial", "poisson",
]  # fmt: skip
