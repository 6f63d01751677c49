"""Bernoulli(p): the symmetric smoothing formula, Monte Carlo unbiasedness, bad input.

(The contract shared with the other rules — inverse CDF and CDF against scipy, the exact
jump rule, the smoothed rules and triples — is checked in test_rule_contract.py.)

* the symmetric smoothed δ̃ at 0 and at 1 matches docs/theory.md;
* ``expected_derivative`` within 5 standard errors of closed-form derivatives for bare,
  nonlinear, dependent, summed, multiplied and continuous-mixed draws, on every backend;
* invalid parameters raise ``ValueError``/``TypeError`` naming ``p`` and its range.
"""

import math

import numpy as np
import pytest
import scipy.stats

import stochad
from stochad.distributions.bernoulli import BERNOULLI
from tests.distributions.distribution_checks import (
    Case,
    assert_bad_input,
    derivative_of,
    monte_carlo_test,
)


@pytest.mark.parametrize("x, expected", [(0, lambda p: 0.5 / (1 - p)), (1, lambda p: 0.5 / p)])
def test_symmetric_smoothing_matches_theory(x, expected):
    from stochad.distributions.base import smoothed_draw_derivative

    p = 0.3
    assert smoothed_draw_derivative(BERNOULLI, "symmetric", x, (p,), [1.0]) == pytest.approx(
        expected(p)
    )


def _product_of_three(p):
    return stochad.bernoulli(p) * stochad.bernoulli(p) * stochad.bernoulli(p)


def _square_of_sum(p):
    total = 0
    for _ in range(5):
        total = total + stochad.bernoulli(p)
    return total**2


def _chain(p):
    a = stochad.bernoulli(p)
    b = stochad.bernoulli(0.2 + 0.5 * a)
    return a * b + b


P = 0.3
CASES = [
    Case("bare", stochad.bernoulli, P, 1.0),
    Case("linear", lambda p: 3 * stochad.bernoulli(p) + p, P, 4.0),
    Case("exp(-X)", lambda p: stochad.exp(-stochad.bernoulli(p)), P, math.exp(-1) - 1),
    Case("1/(1+X)", lambda p: 1 / (1 + stochad.bernoulli(p)), P, -0.5),
    Case("high p", stochad.bernoulli, 0.9, 1.0),
    Case("decreasing p", lambda p: stochad.bernoulli(1 - p) ** 2, P, -1.0),
    Case("dependent p", lambda p: stochad.bernoulli(0.2 + 0.5 * stochad.bernoulli(p)), P, 0.5),
    Case("a*b + b, b ~ Bern(0.2 + 0.5a)", _chain, P, 0.7 + 0.5),
    Case("product of three", _product_of_three, P, 3 * P**2),
    Case(
        "(sum of five)^2",
        _square_of_sum,
        P,
        derivative_of(lambda p: 5 * p * (1 - p) + 25 * p**2, P),
    ),
    Case(
        "normal(p, 1) * Bern(p)", lambda p: stochad.normal(p, 1.0) * stochad.bernoulli(p), P, 2 * P
    ),
    Case(
        "Bern(sigmoid(normal(p, 1)))",
        lambda p: stochad.bernoulli(stochad.sigmoid(stochad.normal(p, 1.0))),
        P,
        scipy.stats.norm.expect(
            lambda z: scipy.special.expit(P + z) * (1 - scipy.special.expit(P + z))
        ),
    ),
]

test_monte_carlo_mean_matches_exact_derivative = monte_carlo_test(CASES)


@pytest.mark.parametrize(
    "draw, fragments",
    [
        (lambda: stochad.bernoulli(1.5), ("p", "[0, 1]", "1.5")),
        (lambda: stochad.bernoulli(-0.1), ("p", "[0, 1]")),
        (lambda: stochad.bernoulli(math.nan), ("p", "nan")),
        (lambda: stochad.derivative_estimate(stochad.bernoulli, 1.2), ("p", "[0, 1]", "1.2")),
        (lambda: stochad.derivative_estimate(lambda p: stochad.bernoulli(2 * p), 0.6), ("p",)),
        (lambda: stochad.bernoulli(np.array([0.5, 1.5])), ("p", "[0, 1]")),
    ],
)
def test_bad_probability_raises_value_error(draw, fragments):
    assert_bad_input(draw, ValueError, *fragments)


@pytest.mark.parametrize("p", ["0.5", None, 1j, True])
def test_wrong_type_raises_type_error(p):
    assert_bad_input(lambda: stochad.bernoulli(p), TypeError, "p")
