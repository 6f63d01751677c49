"""Poisson(lam): Monte Carlo unbiasedness, bad input.

(The contract shared with the other rules — inverse CDF and CDF against scipy, the exact
jump rule, the smoothed rules and triples — is checked in test_rule_contract.py.)

* ``expected_derivative`` within 5 standard errors of closed-form derivatives, every backend,
  including a rate that is itself a Poisson draw;
* invalid parameters raise ``ValueError``/``TypeError`` naming ``lam``.
"""

import math

import pytest
import scipy.stats

import stochad
from stochad.distributions import poisson as poisson_rule
from tests.distributions.distribution_checks import Case, assert_bad_input, monte_carlo_test


def _nested_square(lam):
    return stochad.poisson(1 + stochad.poisson(lam)) ** 2


LAM = 2.5
CASES = [
    Case("bare (always 1)", stochad.poisson, LAM, 1.0, random=False),
    Case("X^2", lambda lam: stochad.poisson(lam) ** 2, LAM, 1 + 2 * LAM),
    Case(
        "exp(-X)",
        lambda lam: stochad.exp(-stochad.poisson(lam)),
        LAM,
        (math.exp(-1) - 1) * math.exp(LAM * (math.exp(-1) - 1)),
    ),
    Case("lam = 0", stochad.poisson, 0.0, 1.0, random=False),
    Case("decreasing rate", lambda lam: stochad.poisson(4 - lam) ** 2, LAM, -(1 + 2 * (4 - LAM))),
    Case("rate from a draw", _nested_square, LAM, 4 + 2 * LAM),
    Case(
        "sum",
        lambda lam: stochad.poisson(lam) + stochad.poisson(2 * lam) ** 2,
        LAM,
        1 + 2 + 8 * LAM,
    ),
    Case("product", lambda lam: stochad.poisson(lam) * stochad.poisson(lam), LAM, 2 * LAM),
    Case(
        "exponential(lam) * Poi(lam)",
        lambda lam: stochad.exponential(lam) * stochad.poisson(lam),
        LAM,
        2 * LAM,
    ),
]

test_monte_carlo_mean_matches_exact_derivative = monte_carlo_test(CASES)


@pytest.mark.parametrize(
    "draw, fragments",
    [
        (lambda: stochad.poisson(-1), ("lam", ">= 0", "-1")),
        (lambda: stochad.poisson(math.inf), ("lam", "finite")),
        (lambda: stochad.poisson(math.nan), ("lam", "nan")),
        (lambda: stochad.derivative_estimate(lambda lam: stochad.poisson(lam - 1), 0.5), ("lam",)),
    ],
)
def test_bad_rate_raises_value_error(draw, fragments):
    assert_bad_input(draw, ValueError, *fragments)


@pytest.mark.parametrize("lam", ["2", None])
def test_wrong_type_raises_type_error(lam):
    assert_bad_input(lambda: stochad.poisson(lam), TypeError, "lam")



@pytest.mark.parametrize("tail", [2e-9, 1e-10, 1e-12, 3e-15])
def test_far_upper_tail_quantile_is_exact(tail):
    # summing the pmf from 0 loses ~1e-11 of mass to rounding: the quantile must not jump
    # to the top of the support there
    frozen = scipy.stats.poisson(50.0)
    assert poisson_rule.inverse_cdf(1.0 - tail, *(50.0,)) == frozen.isf(tail)
