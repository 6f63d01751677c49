"""The pruned backend's variance, exactly: zero-Δ perturbations take no part in a merge.

The pruned estimator of the state-dependent random walk is modelled independently in
``walk_reference`` and its exact distribution enumerated (every path, coupled alternate
and pruning choice). stochad's Monte Carlo mean and variance must match it within 5
standard errors; the variance of the earlier behaviour (zero-Δ events competing) lies far
outside that band, so the test catches a regression.
"""

import numpy as np
import pytest

import stochad
from tests.walk_reference import estimator_distribution, exact_derivative, moments, walk


@pytest.mark.parametrize("p", [0.5, 1.0])
def test_pruned_walk_matches_the_exact_estimator_distribution(p):
    mean, var, m4 = moments(estimator_distribution(p, 6))
    assert mean == pytest.approx(exact_derivative(p, 6), rel=1e-6)
    n = 5000
    generator = np.random.default_rng(7)
    samples = np.array([stochad.derivative_estimate(walk, p, rng=generator) for _ in range(n)])
    assert abs(samples.mean() - mean) < 5 * np.sqrt(var / n)
    variance_se = np.sqrt((m4 - var**2) / n)
    assert abs(samples.var() - var) < 5 * variance_se
    # the old behaviour's exact variance is far outside that band
    _, old_var, _ = moments(estimator_distribution(p, 6, skip_zero_delta=False))
    assert abs(old_var - var) > 10 * variance_se


def test_a_zero_delta_perturbation_does_not_displace_a_real_one():
    # a - a carries a's event with alternate equal to its value: it must not compete with
    # the fresh draw, so every run keeps the fresh draw's jump (estimate 1/(1-p) or 0)
    p = 0.3

    def f(q):
        a = stochad.bernoulli(q)
        return (a - a) + stochad.bernoulli(q)

    samples = np.array([stochad.derivative_estimate(f, p, rng=s) for s in range(2000)])
    x = np.array([stochad.value(stochad.stochastic_triple(f, p, rng=s)) for s in range(2000)])
    np.testing.assert_allclose(samples, np.where(x == 0, 1 / (1 - p), 0.0))
    assert samples.std() == pytest.approx(np.sqrt(p / (1 - p)), rel=0.05)


def test_array_merges_skip_zero_delta_rows():
    p = 0.3

    def f(q):
        a = stochad.bernoulli(q, size=4000)
        return (a - a) + stochad.bernoulli(q, size=4000)

    est = stochad.derivative_estimate(f, p, rng=3)
    x = stochad.value(stochad.stochastic_triple(f, p, rng=3))
    np.testing.assert_allclose(est, np.where(x == 0, 1 / (1 - p), 0.0))
