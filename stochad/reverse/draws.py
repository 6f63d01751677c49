"""Primal values of discrete draws for tracers, on the primal-stream convention.

Reverse mode must see the very draws forward mode sees (docs/theory.md §4), so a tracer's draw
is computed by the same code as a plain draw: a scalar draw is ``1 − primal.random()`` fed
to ``rule.inverse_cdf`` (as ``sample_scalar``); an array draw is
:func:`~stochad.distributions.vectorized.sample_plain_array` itself (one
``primal.random(shape)`` call, ``shape`` the broadcast of the parameters and ``size``,
checked and inverted by the array kernels).
"""

from __future__ import annotations

import numpy as np

from stochad.distributions.base import DiscreteRule
from stochad.kernels.sampling import sample_plain_array

__all__ = ["primal_draw"]


def primal_draw(rule: DiscreteRule, evaluation, values, size):
    """The primal sample of ``rule`` with parameter values ``values`` (floats or arrays).

    Examples
    --------
    >>> from stochad.core.context import Evaluation
    >>> from stochad.core.random import RandomStreams
    >>> from stochad.distributions.bernoulli import BERNOULLI
    >>> primal_draw(BERNOULLI, Evaluation(RandomStreams.from_rng(0)), (0.5,), (2, 3)).shape
    (2, 3)
    """
    if size is None and all(np.ndim(v) == 0 for v in values):
        values = rule.check(*values)
        return rule.inverse_cdf(evaluation.streams.uniform(), *values)
    return sample_plain_array(rule, evaluation, values, size)
