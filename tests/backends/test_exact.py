"""The exact ("dict") backend: every perturbation kept, keyed by its event.

Covers THEORY.md §3 "dict / exact": perturbations of different events all survive, those
of the same event combine coherently, and the estimator's mean and variance match the
exact distribution computed by enumerating the primal outcomes. ("exact" is an alias.)
"""

import numpy as np
import pytest
from programs import (
    LinearTerm,
    assert_distribution_matches,
    linear_estimator_distribution,
    linear_program,
    samples_of,
)

import stochad


def certain_jump_up(theta):
    """A Bernoulli at p = θ = 0: always 0, jumps to 1 at rate 1."""
    return stochad.bernoulli(theta)


@pytest.mark.parametrize("name", ["dict", "exact"])
def test_every_event_keeps_its_own_perturbation(name):
    t = stochad.stochastic_triple(
        lambda th: certain_jump_up(th) + 10 * certain_jump_up(2 * th) + 100 * certain_jump_up(th),
        0.0,
        backend=name,
        rng=0,
    )
    perturbations = stochad.perturbations(t)
    assert sorted((p.alternate, p.weight) for p in perturbations) == [
        (1.0, 1.0),
        (10.0, 2.0),
        (100.0, 1.0),
    ]
    assert len({p.event for p in perturbations}) == 3  # ids from a counter, never shared
    assert stochad.derivative_contribution(t) == 1.0 + 20.0 + 100.0


def test_alternates_of_one_event_combine_coherently():
    """In the world where x jumps, every value computed from x uses the jumped x."""

    def f(theta):
        x = certain_jump_up(theta)  # 0, alternate 1
        y = 1 - stochad.bernoulli(1.0 - theta)  # 0, alternate 1 (a different event)
        return (x + y + 2) * (x - y + 3)

    t = stochad.stochastic_triple(f, 0.0, backend="dict", rng=0)
    assert t.value == 6.0
    assert sorted(p.alternate for p in stochad.perturbations(t)) == [(1 + 2) * (-1 + 3), 12.0]


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_single_bernoulli_estimator_has_the_exact_variance(p):
    """The estimate is 1/(1−p) with probability 1−p, else 0: variance p/(1−p)."""
    samples = samples_of(stochad.bernoulli, p, 4000, "dict", seed=12)
    assert_distribution_matches(samples, [(1.0 / (1.0 - p), 1.0 - p), (0.0, p)])


LINEAR_PROGRAMS = {
    "two bernoullis, different rates": [LinearTerm(1.0, 0.1, 1.0), LinearTerm(3.0, 0.0, 2.0)],
    "walk of three ±1 steps": [LinearTerm(2.0, 0.2, 0.5)] * 3,
    "mixed signs of the tangent": [
        LinearTerm(1.0, 0.2, 0.5),
        LinearTerm(3.0, 0.1, 1.0),
        LinearTerm(-2.0, 0.9, -0.5),
    ],
}


@pytest.mark.parametrize("terms", LINEAR_PROGRAMS.values(), ids=LINEAR_PROGRAMS.keys())
def test_dict_estimator_distribution_matches_enumeration(terms):
    program = linear_program(terms)
    samples = samples_of(lambda th: program(th, stochad.bernoulli), 0.3, 4000, "dict", seed=6)
    distribution = linear_estimator_distribution(terms, 0.3, "dict")
    assert_distribution_matches(samples, distribution)
    # The estimate is a function of the primal outcomes alone: only those values occur.
    possible = np.array([v for v, _ in distribution])
    assert np.all(np.min(np.abs(samples[:, None] - possible[None, :]), axis=1) < 1e-9)
