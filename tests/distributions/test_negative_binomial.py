"""Negative binomial programs: Monte Carlo against closed forms (the rule itself is checked
exactly in test_rule_contract.py)."""

import numpy as np
import pytest

import stochad


def second_moment(n, p):
    return n * (1 - p) / p**2 + (n * (1 - p) / p) ** 2


def d_second_moment(n, p, h=1e-6):
    return (second_moment(n, p + h) - second_moment(n, p - h)) / (2 * h)


@pytest.mark.parametrize("backend", ["pruned", "dict"])
def test_square_of_a_scalar_draw(backend):
    n, p = 3.0, 0.4
    r = stochad.expected_derivative(
        lambda q: stochad.negative_binomial(n, q) ** 2, p, 4000, backend=backend, rng=0
    )
    assert abs(r.mean - d_second_moment(n, p)) < 5 * r.stderr


def test_array_draws_and_a_random_count():
    n, p = 2.5, 0.6
    est = stochad.derivative_estimate(
        lambda q: stochad.negative_binomial(n, q, size=20_000) ** 2, p, rng=1
    )
    assert abs(est.mean() - d_second_moment(n, p)) < 5 * est.std() / np.sqrt(est.size)
    # n from a Poisson draw: E[X] = E[N](1-p)/p with E[N] = lam, so d/dlam = (1-p)/p
    lam = 4.0
    r = stochad.expected_derivative(
        lambda m: stochad.negative_binomial(stochad.poisson(m) + 1, p), lam, 6000, rng=2
    )
    assert abs(r.mean - (1 - p) / p) < 5 * r.stderr


def test_bad_parameters():
    with pytest.raises(ValueError, match="n must be"):
        stochad.negative_binomial(0.0, 0.5)
    with pytest.raises(ValueError, match="p must be"):
        stochad.negative_binomial(2.0, 0.0)
