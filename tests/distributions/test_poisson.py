"""Poisson(lam): sampling, the jump rule, smoothing, Monte Carlo unbiasedness, bad input.

* ``inverse_cdf`` and ``cdf`` against ``scipy.stats.poisson`` (u = 1 − r);
* the jump rule of THEORY.md §2, exactly over a support truncated far in the tail, for
  δ = ±1 and several ``g``;
* the smoothed rules (straight-through δ̃ = 1; symmetric δ̃ averages to 1);
* ``expected_derivative`` within 5 standard errors of closed-form derivatives, every backend,
  including a rate that is itself a Poisson draw;
* invalid parameters raise ``ValueError``/``TypeError`` naming ``lam``.
"""

import math

import pytest
import scipy.stats
from distribution_checks import (
    BACKENDS,
    Case,
    assert_bad_input,
    assert_cdf_matches_scipy,
    assert_inverse_cdf_matches_scipy,
    assert_jump_rule_exact,
    assert_smoothed_rules_exact,
    assert_smoothed_triples,
    assert_unbiased,
    case_params,
)
from hypothesis import given
from hypothesis import strategies as st

import stochad
from stochad.distributions.poisson import POISSON

rates = st.floats(0.0, 60.0)
positive_rates = st.floats(0.01, 30.0)
uniforms = st.floats(0.0, 1.0, exclude_min=True)


def score(lam):
    return lambda x: x / lam - 1


@given(rates, uniforms)
def test_inverse_cdf_matches_scipy(lam, u):
    assert_inverse_cdf_matches_scipy(POISSON.inverse_cdf, (lam,), scipy.stats.poisson(lam), u)


@given(rates)
def test_cdf_matches_scipy(lam):
    assert_cdf_matches_scipy(POISSON.cdf, (lam,), scipy.stats.poisson(lam), range(-1, 100))


@given(positive_rates)
def test_jump_rule_is_exact(lam):
    assert_jump_rule_exact(POISSON, (lam,), scipy.stats.poisson(lam), score(lam), 1.0)


@given(positive_rates)
def test_smoothed_rules_are_exact(lam):
    assert_smoothed_rules_exact(POISSON, (lam,), scipy.stats.poisson(lam), 1.0)


@pytest.mark.parametrize("lam", [0.5, 4.0, 25.0])
def test_smoothed_triples(lam):
    assert_smoothed_triples(POISSON, stochad.poisson, lam, (lam,), 1.0)


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


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", case_params(CASES))
def test_monte_carlo_mean_matches_exact_derivative(case, backend):
    assert_unbiased(case, backend)


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
