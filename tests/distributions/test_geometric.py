"""Geometric(p), numpy's convention (trials up to the first success, support 1, 2, …):
Monte Carlo unbiasedness, bad input.

(The contract shared with the other rules — inverse CDF and CDF against ``scipy.stats.geom``,
the exact jump rule, the smoothed rules and triples — is checked in test_rule_contract.py.)

* ``expected_derivative`` within 5 standard errors of closed-form derivatives, every backend,
  including the edge ``p = 1``, where the estimator is deterministic;
* invalid parameters raise ``ValueError``/``TypeError`` naming ``p`` and ``(0, 1]``.
"""

import math

import pytest

import stochad
from tests.distributions.distribution_checks import (
    Case,
    assert_bad_input,
    derivative_of,
    monte_carlo_test,
)


def _mean_exp_minus(p):
    """``E[exp(−X)]`` for ``X ~ Geometric(p)``."""
    return p * math.exp(-1) / (1 - (1 - p) * math.exp(-1))


def _sum_of_two(p):
    return stochad.geometric(p) + stochad.geometric(0.5 * p) ** 2


P = 0.4
CASES = [
    Case("bare", stochad.geometric, P, -1 / P**2),
    Case("X^2", lambda p: stochad.geometric(p) ** 2, P, (P - 4) / P**3),
    Case(
        "exp(-X)",
        lambda p: stochad.exp(-stochad.geometric(p)),
        P,
        derivative_of(_mean_exp_minus, P),
    ),
    Case("decreasing p", lambda p: stochad.geometric(1 - p), P, 1 / (1 - P) ** 2),
    Case("p = 1, decreasing", lambda p: stochad.geometric(1 - p), 0.0, 1.0, random=False),
    Case(
        "p from a draw",
        lambda p: stochad.geometric(0.3 + 0.4 * stochad.bernoulli(p)),
        P,
        1 / 0.7 - 1 / 0.3,
    ),
    Case("sum", _sum_of_two, P, derivative_of(lambda p: 1 / p + (2 - p / 2) / (p / 2) ** 2, P)),
    Case("product", lambda p: stochad.geometric(p) * stochad.geometric(p), P, -2 / P**3),
]

test_monte_carlo_mean_matches_exact_derivative = monte_carlo_test(CASES)


@pytest.mark.parametrize(
    "draw, fragments",
    [
        (lambda: stochad.geometric(0), ("p", "(0, 1]", "0")),
        (lambda: stochad.geometric(1.5), ("p", "(0, 1]", "1.5")),
        (lambda: stochad.geometric(math.nan), ("p", "nan")),
        (lambda: stochad.derivative_estimate(stochad.geometric, 0.0), ("p", "(0, 1]")),
    ],
)
def test_bad_probability_raises_value_error(draw, fragments):
    assert_bad_input(draw, ValueError, *fragments)


@pytest.mark.parametrize("p", ["0.5", None])
def test_wrong_type_raises_type_error(p):
    assert_bad_input(lambda: stochad.geometric(p), TypeError, "p")


def test_a_probability_too_small_for_exact_draws_is_refused_not_looped_on():
    with pytest.raises(ValueError, match="p must be at least 1e-15"):
        stochad.geometric(1e-25)
    with pytest.raises(ValueError, match="p must be at least 1e-15"):
        stochad.geometric(1e-19, size=3)
