"""The score-function estimator: unbiased for every discrete rule and for mixed programs."""

from __future__ import annotations

import numpy as np
import pytest

import stochad
from stochad.estimators import score_function_estimate

N = 6000

# (program, point, exact derivative of its expectation)
PROGRAMS = {
    "bernoulli squared plus p": (lambda p: 3 * stochad.bernoulli(p) + p * p, 0.3, 3.0 + 0.6),
    "binomial": (lambda p: stochad.binomial(8, p), 0.4, 8.0),
    "geometric": (lambda p: stochad.geometric(p), 0.5, -4.0),
    "poisson squared": (lambda lam: stochad.poisson(lam) ** 2, 1.5, 1.0 + 2 * 1.5),
    "categorical index": (
        lambda p: stochad.categorical([1 - p, p / 2, p / 2]),
        0.4,
        1.5,
    ),
    "dependent draws": (
        lambda p: stochad.bernoulli(p) + 3 * stochad.bernoulli(0.2 + 0.5 * stochad.bernoulli(p)),
        0.3,
        # E = p + 3(0.2 + 0.5 p): the second draw depends on p only through the first
        1.0 + 1.5,
    ),
}


def sample(f, p, *, baseline=0.0, seed=0):
    generator = np.random.default_rng(seed)
    return np.array(
        [score_function_estimate(f, p, rng=generator, baseline=baseline) for _ in range(N)]
    )


@pytest.mark.parametrize("name", PROGRAMS)
def test_score_function_is_unbiased(name):
    f, p, exact = PROGRAMS[name]
    est = sample(f, p)
    stderr = est.std(ddof=1) / np.sqrt(N)
    assert stderr > 0
    assert abs(est.mean() - exact) < 5 * stderr


def test_a_baseline_keeps_the_mean_and_cuts_the_variance():
    def f(p):
        return 10.0 + stochad.bernoulli(p)

    plain = sample(f, 0.3)
    with_baseline = sample(f, 0.3, baseline=10.3)
    for est in (plain, with_baseline):
        assert abs(est.mean() - 1.0) < 5 * est.std(ddof=1) / np.sqrt(N)
    assert with_baseline.var() < plain.var() / 10


def test_bad_baseline_is_rejected():
    with pytest.raises(ValueError, match="baseline"):
        score_function_estimate(stochad.bernoulli, 0.3, baseline=float("nan"))
