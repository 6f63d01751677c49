"""Finite differences: common random numbers keep the mean and cut the variance."""

from __future__ import annotations

import numpy as np
import pytest

import stochad
from stochad.estimators import finite_difference_estimate

N = 4000


def walk(p):
    x = 0
    for _ in range(4):
        x = x + 2 * stochad.bernoulli(p) - 1
    return x


def samples(common: bool, seed: int = 0) -> np.ndarray:
    generator = np.random.default_rng(seed)
    return np.array(
        [
            finite_difference_estimate(
                walk, 0.4, h=0.05, rng=generator, common_random_numbers=common
            )
            for _ in range(N)
        ]
    )


@pytest.mark.parametrize("common", [True, False])
def test_finite_differences_of_a_linear_mean_are_unbiased(common):
    est = samples(common)  # E[walk] = 4(2p − 1) is linear: no O(h²) bias, exact derivative 8
    assert abs(est.mean() - 8.0) < 5 * est.std(ddof=1) / np.sqrt(N)


def test_common_random_numbers_cut_the_variance():
    assert samples(True).var() < samples(False).var() / 5


def test_step_must_be_positive():
    with pytest.raises(ValueError, match="h must be finite and > 0"):
        finite_difference_estimate(walk, 0.4, h=0.0)
