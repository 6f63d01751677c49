"""Geometric(p), numpy's convention (trials up to the first success, support 1, 2, …).

* ``inverse_cdf`` and ``cdf`` against ``scipy.stats.geom`` (same convention; u = 1 − r);
* the jump rule of THEORY.md §2, exactly over a support truncated far in the tail, for
  δ = ±1 and several ``g``;
* the smoothed rules (straight-through δ̃ = −1/p²; symmetric δ̃ averages to −1/p²);
* ``expected_derivative`` within 5 standard errors of closed-form derivatives, every backend;
* invalid parameters raise ``ValueError``/``TypeError`` naming ``p`` and ``(0, 1]``.
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
    derivative_of,
)
from hypothesis import given
from hypothesis import strategies as st

import stochad
from stochad.distributions.geometric import GEOMETRIC

probabilities = st.floats(0.001, 1.0)
interior_probabilities = st.floats(0.05, 0.95)
uniforms = st.floats(0.0, 1.0, exclude_min=True)


def score(p):
    return lambda x: 1 / p - (x - 1) / (1 - p)


@given(probabilities, uniforms)
def test_inverse_cdf_matches_scipy(p, u):
    assert_inverse_cdf_matches_scipy(GEOMETRIC.inverse_cdf, (p,), scipy.stats.geom(p), u)


@given(probabilities)
def test_cdf_matches_scipy(p):
    assert_cdf_matches_scipy(GEOMETRIC.cdf, (p,), scipy.stats.geom(p), range(-1, 30))


@given(interior_probabilities)
def test_jump_rule_is_exact(p):
    assert_jump_rule_exact(GEOMETRIC, (p,), scipy.stats.geom(p), score(p), -1 / p**2)


@given(interior_probabilities)
def test_smoothed_rules_are_exact(p):
    assert_smoothed_rules_exact(GEOMETRIC, (p,), scipy.stats.geom(p), -1 / p**2)


@pytest.mark.parametrize("p", [0.1, 0.5, 1.0])
def test_smoothed_triples(p):
    assert_smoothed_triples(GEOMETRIC, stochad.geometric, p, (p,), -1 / p**2)


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


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", case_params(CASES))
def test_monte_carlo_mean_matches_exact_derivative(case, backend):
    assert_unbiased(case, backend)


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
