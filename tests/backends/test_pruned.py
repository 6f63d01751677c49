"""The pruned backend: pruning mechanics, exact estimator distributions, random programs.

Covers docs/theory.md §3 "pruned": one perturbation survives when events meet, chosen with
probability ``|w_k|/Σ|w|`` and given weight ``Σ|w|``; the others die everywhere; the same
event met twice is one perturbation. The variance tests compare the sample mean *and*
variance against the exact distribution of the estimator (primal outcomes × pruning
choices). The property test runs random small programs through the pruned and dict
backends: both means agree with exact enumeration and dict's variance is not larger.
"""

import numpy as np
import pytest
from hypothesis import Phase, assume, given, settings
from hypothesis import strategies as st

import stochad
from tests.programs import (
    LINEAR_PROGRAMS,
    assert_distribution_matches,
    assert_mean_close,
    assert_variance_not_larger,
    distribution_moments,
    exact_derivative,
    linear_estimator_distribution,
    linear_program,
    random_steps,
    run_steps,
    samples_of,
)


def certain_jump_up(theta):
    """A Bernoulli at p = θ = 0: always 0, jumps to 1 at rate 1."""
    return stochad.bernoulli(theta)


def test_pruning_keeps_one_event_with_the_total_weight_and_kills_the_other():
    seen = {}

    def f(theta):
        seen["a"] = certain_jump_up(theta)
        seen["b"] = certain_jump_up(2 * theta)
        return seen["a"] + 3 * seen["b"]

    out = stochad.stochastic_triple(f, 0.0, rng=0)
    (kept,) = stochad.perturbations(out)
    assert kept.weight == 3.0  # 1 + 2
    assert kept.alternate in (1.0, 3.0)
    survivors = [name for name in "ab" if stochad.perturbations(seen[name])]
    assert len(survivors) == 1  # the other event is dead everywhere, not only in `out`
    assert stochad.perturbations(seen[survivors[0]])[0].weight == 3.0


def test_pruning_choice_is_weighted_by_the_event_weights():
    """With weights 1 and 3 the second event survives 3/4 of the time."""
    n = 2000
    wins = 0
    for seed in range(n):
        t = stochad.stochastic_triple(
            lambda th: certain_jump_up(th) + 10 * certain_jump_up(3 * th), 0.0, rng=seed
        )
        wins += stochad.perturbations(t)[0].alternate == 10.0
    stderr = np.sqrt(0.75 * 0.25 / n)
    assert abs(wins / n - 0.75) <= 5 * stderr


@pytest.mark.parametrize("combine", [lambda x: x + x, lambda x: x * x + x, lambda x: 2 * x - x])
def test_the_same_event_met_twice_is_one_perturbation(combine):
    t = stochad.stochastic_triple(lambda th: combine(certain_jump_up(th)), 0.0, rng=0)
    (only,) = stochad.perturbations(t)
    assert only.weight == 1.0
    assert only.alternate == combine(1)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_single_bernoulli_estimator_has_the_exact_variance(p):
    """The estimate is 1/(1−p) with probability 1−p, else 0: variance p/(1−p)."""
    samples = samples_of(stochad.bernoulli, p, 4000, "pruned", seed=11)
    assert set(np.round(samples, 12)) <= {0.0, round(1.0 / (1.0 - p), 12)}
    distribution = [(1.0 / (1.0 - p), 1.0 - p), (0.0, p)]
    assert_distribution_matches(samples, distribution)
    assert np.isclose(distribution_moments(distribution)[1], p / (1 - p))


@pytest.mark.parametrize("terms", LINEAR_PROGRAMS.values(), ids=LINEAR_PROGRAMS.keys())
def test_pruned_estimator_distribution_matches_enumeration(terms):
    """Mean and variance of the pruned estimator against (primal outcomes × pruning choices)."""
    program = linear_program(terms)
    samples = samples_of(lambda th: program(th, stochad.bernoulli), 0.3, 4000, "pruned", seed=5)
    assert_distribution_matches(samples, linear_estimator_distribution(terms, 0.3, "pruned"))


# -- random programs ---------------------------------------------------------------------
def well_defined_derivative(steps, theta) -> float | None:
    """The exact derivative, or None near a kink (the two step sizes disagree)."""
    coarse = exact_derivative(lambda t, d: run_steps(steps, t, d), theta, len(steps), h=1e-4)
    fine = exact_derivative(lambda t, d: run_steps(steps, t, d), theta, len(steps), h=1e-6)
    return fine if abs(coarse - fine) < 1e-5 * (1 + abs(fine)) else None


# No shrinking: each example costs 3000 derivative samples, and a failure prints its program.
@settings(max_examples=20, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(steps=random_steps(), theta=st.floats(0.05, 0.95), seed=st.integers(0, 2**31))
def test_random_programs_pruned_and_dict_means_match_enumeration_and_dict_has_less_variance(
    steps, theta, seed
):
    exact = well_defined_derivative(steps, theta)
    assume(exact is not None)

    def f(t):
        return run_steps(steps, t, stochad.bernoulli)

    # Same seed: both backends see the same primal paths, so the variances are paired.
    pruned = samples_of(f, theta, 1500, "pruned", seed)
    exact_backend = samples_of(f, theta, 1500, "dict", seed)
    assert_mean_close(pruned, exact, "pruned mean")
    assert_mean_close(exact_backend, exact, "dict mean")
    assert_variance_not_larger(exact_backend, pruned)
