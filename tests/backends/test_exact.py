"""The exact ("dict") backend: every perturbation kept, keyed by its event.

Covers docs/theory.md §3 "dict / exact": perturbations of different events all survive, those
of the same event combine coherently, and the estimator's mean and variance match the
exact distribution computed by enumerating the primal outcomes. ("exact" is an alias.)
"""

import numpy as np
import pytest

import stochad
from tests.programs import (
    LINEAR_PROGRAMS,
    assert_distribution_matches,
    linear_estimator_distribution,
    linear_program,
    samples_of,
)


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


@pytest.mark.parametrize("terms", LINEAR_PROGRAMS.values(), ids=LINEAR_PROGRAMS.keys())
def test_dict_estimator_distribution_matches_enumeration(terms):
    program = linear_program(terms)
    samples = samples_of(lambda th: program(th, stochad.bernoulli), 0.3, 4000, "dict", seed=6)
    distribution = linear_estimator_distribution(terms, 0.3, "dict")
    assert_distribution_matches(samples, distribution)
    # The estimate is a function of the primal outcomes alone: only those values occur.
    possible = np.array([v for v, _ in distribution])
    assert np.all(np.min(np.abs(samples[:, None] - possible[None, :]), axis=1) < 1e-9)


# -- a draw whose parameter carries another draw's perturbation ------------------------------
def bernoulli_interval(x, p):
    """The primal uniform's slice for ``X = x``: ``X = 1`` iff ``U > 1 − p``."""
    return (1.0 - p, 1.0) if x else (0.0, 1.0 - p)


def coupled_jump_probability(x, p, p_alternate):
    """P(alternate = 1 | X = x) with the alternate uniform on the primal draw's slice."""
    low, high = bernoulli_interval(x, p)
    overlap = max(0.0, high - max(low, 1.0 - p_alternate))
    return overlap / (high - low)


def dependent_pair_distribution(theta, base, coupling):
    """``x1 ~ Bern(θ)``, ``x2 ~ Bern(base + coupling·x1)``, estimate of ``d/dθ E[x1 + 2 x2]``.

    Only x1 has an own jump (0 → 1 at rate 1/(1−θ)); in that world x2's alternate is drawn
    coupled to x2 (docs/theory.md §2), so there is a single event and pruned equals dict.
    """
    out = [(0.0, theta)]  # x1 = 1: no upward jump
    weight = 1.0 / (1.0 - theta)
    p2, p2_alternate = base, base + coupling
    for x2 in (0, 1):
        p_x2 = (1.0 - theta) * (p2 if x2 else 1.0 - p2)
        up = coupled_jump_probability(x2, p2, p2_alternate)
        for y2, q in ((1, up), (0, 1.0 - up)):
            if q > 0:
                out.append((weight * ((1 + 2 * y2) - (0 + 2 * x2)), p_x2 * q))
    return out


@pytest.mark.parametrize("backend", ["dict", "pruned"])
@pytest.mark.parametrize("coupling", [0.5, -0.25])
def test_coupled_alternate_gives_the_exact_estimator_distribution(backend, coupling):
    """Coupling changes the variance, not the mean: this catches an uncoupled alternate."""
    theta, base = 0.4, 0.3

    def f(t):
        x1 = stochad.bernoulli(t)
        return x1 + 2 * stochad.bernoulli(base + coupling * x1)

    samples = samples_of(f, theta, 4000, backend, seed=14)
    assert_distribution_matches(samples, dependent_pair_distribution(theta, base, coupling))
