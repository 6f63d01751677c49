"""Binomial(n, p): Monte Carlo unbiasedness, bad input.

(The contract shared with the other rules — inverse CDF and CDF against scipy, the exact
jump rule, the smoothed rules and triples — is checked in test_rule_contract.py.)

* ``expected_derivative`` within 5 standard errors of closed-form derivatives, on every
  backend, including a random count ``n`` that jumps up (extra trials) or down (removed
  successes, hypergeometric), checked with Poisson thinning: ``Bin(Poi(λ), q) ~ Poi(λq)``;
* invalid parameters raise ``ValueError``/``TypeError`` naming ``n`` or ``p``.
"""

import math

import pytest
import scipy.stats

import stochad
from stochad.distributions import binomial as binomial_rule
from tests.distributions.distribution_checks import (
    Case,
    assert_bad_input,
    derivative_of,
    monte_carlo_test,
)


def _thinned_second_moment(rate):
    """``E[Y²]`` for ``Y ~ Poisson(rate)``."""
    return rate + rate**2


def _product(p):
    return stochad.binomial(3, p) * stochad.binomial(2, p)


def _count_from_bernoulli(p):
    return stochad.binomial(2 + 3 * stochad.bernoulli(p), 0.4) ** 2


def _binomial_second_moment(n, q):
    return n * q * (1 - q) + (n * q) ** 2


N, P = 6, 0.35
CASES = [
    Case("bare", lambda p: stochad.binomial(N, p), P, float(N)),
    Case(
        "X^2",
        lambda p: stochad.binomial(N, p) ** 2,
        P,
        derivative_of(lambda p: _binomial_second_moment(N, p), P),
    ),
    Case(
        "exp(-X)",
        lambda p: stochad.exp(-stochad.binomial(N, p)),
        P,
        N * (math.exp(-1) - 1) * (1 - P + P * math.exp(-1)) ** (N - 1),
    ),
    Case(
        "decreasing p",
        lambda p: stochad.binomial(N, 1 - p) ** 2,
        P,
        -derivative_of(lambda q: _binomial_second_moment(N, q), 1 - P),
    ),
    Case("n = 1", lambda p: stochad.binomial(1, p), 0.8, 1.0),
    Case("product", _product, P, 12 * P),
    Case(
        "p from a draw",
        lambda p: stochad.binomial(4, 0.2 + 0.5 * stochad.bernoulli(p)) ** 2,
        P,
        _binomial_second_moment(4, 0.7) - _binomial_second_moment(4, 0.2),
    ),
    Case(
        "n from a Bernoulli",
        _count_from_bernoulli,
        P,
        _binomial_second_moment(5, 0.4) - _binomial_second_moment(2, 0.4),
    ),
    Case("Bin(Poi(4p), p)", lambda p: stochad.binomial(stochad.poisson(4 * p), p), P, 8 * P),
    Case(
        "Bin(Poi(4p), p)^2",
        lambda p: stochad.binomial(stochad.poisson(4 * p), p) ** 2,
        P,
        derivative_of(lambda p: _thinned_second_moment(4 * p * p), P),
    ),
    Case(
        "Bin(Poi(4(1-p)), 0.4)^2 (removal)",
        lambda p: stochad.binomial(stochad.poisson(4 * (1 - p)), 0.4) ** 2,
        P,
        derivative_of(lambda p: _thinned_second_moment(1.6 * (1 - p)), P),
    ),
]

test_monte_carlo_mean_matches_exact_derivative = monte_carlo_test(CASES)


@pytest.mark.parametrize(
    "draw, fragments",
    [
        (lambda: stochad.binomial(-1, 0.5), ("n", ">= 0", "-1")),
        (lambda: stochad.binomial(2.5, 0.5), ("n", "whole number", "2.5")),
        (lambda: stochad.binomial(3, 1.5), ("p", "[0, 1]", "1.5")),
        (lambda: stochad.binomial(3, math.nan), ("p", "nan")),
        (
            lambda: stochad.derivative_estimate(lambda p: stochad.binomial(3, p), 1.2),
            ("p", "[0, 1]"),
        ),
        (lambda: stochad.derivative_estimate(lambda p: stochad.binomial(p, 0.5), 2.0), ("n",)),
    ],
)
def test_bad_parameters_raise_value_error(draw, fragments):
    assert_bad_input(draw, ValueError, *fragments)


@pytest.mark.parametrize("n, p", [("3", 0.5), (None, 0.5), (3, "0.5"), (3, None)])
def test_wrong_type_raises_type_error(n, p):
    assert_bad_input(lambda: stochad.binomial(n, p), TypeError)



@pytest.mark.parametrize("tail", [2e-9, 1e-10, 1e-12, 3e-15])
def test_far_upper_tail_quantile_is_exact(tail):
    # summing the pmf from 0 loses ~1e-11 of mass to rounding: the quantile must not jump
    # to the top of the support there
    frozen = scipy.stats.binom(1000, 0.5)
    assert binomial_rule.inverse_cdf(1.0 - tail, *(1000, 0.5)) == frozen.isf(tail)


def test_counts_beyond_the_exact_sampler_are_refused_not_looped_on():
    with pytest.raises(ValueError, match="n must be at most"):
        stochad.binomial(2**62, 0.5)
    with pytest.raises(ValueError, match="n must be at most"):
        stochad.binomial([5, 2**40], 0.5)
    with pytest.raises(ValueError, match="lam must be at most"):
        stochad.poisson(1e9)


def test_a_count_with_a_continuous_derivative_is_refused():
    # n is a count: it may carry finite perturbations, not a tangent
    with pytest.raises(ValueError, match="parameter n is a count"):
        stochad.derivative_estimate(lambda t: stochad.binomial(t, 0.5), 3.0)
    with pytest.raises(ValueError, match="parameter n is a count"):
        stochad.derivative_estimate(lambda t: stochad.binomial(t, 0.5, size=4), 3.0)
