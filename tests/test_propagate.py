"""``stochad.propagate`` (opaque Python functions on triples) and ``stochad.take``.

propagate: a queue written with a Python ``while`` loop, fed random arrivals and a random
capacity, against exact expectations; a function of a discrete triple and a δ-carrying
parameter, checked sample by sample and in mean; misuse. take: a categorical index into
rewards, an index and elements that are coupled to the same random draw, each against
exact enumeration; bad indices.
"""

import itertools
import math

import pytest

import stochad
from tests.programs import assert_mean_close, samples_of

JUMP_BACKENDS = ["pruned", "dict"]


def central_difference(expectation, theta, h=1e-5):
    return (expectation(theta + h) - expectation(theta - h)) / (2 * h)


# -- propagate ---------------------------------------------------------------------------
def served(arrivals, capacity):
    """Customers served: one at a time while someone waits and there is room."""
    n = 0
    while n < arrivals and n < capacity:
        n += 1
    return n


def poisson_pmf(k, lam):
    return math.exp(-lam) * lam**k / math.factorial(k)


def expected_served(lam, capacity):
    """E[min(N, c)] for N ~ Poisson(λ): a finite sum."""
    below = sum(poisson_pmf(k, lam) for k in range(capacity))
    return sum(k * poisson_pmf(k, lam) for k in range(capacity)) + capacity * (1 - below)


def capacity_probability(lam):
    return 0.3 + 0.1 * lam


QUEUES = {
    "poisson arrivals, fixed capacity": (
        lambda lam: stochad.propagate(served, stochad.poisson(lam), 3),
        lambda lam: expected_served(lam, 3),
    ),
    "poisson arrivals, random capacity": (
        lambda lam: stochad.propagate(
            served, stochad.poisson(lam), 2 + stochad.bernoulli(capacity_probability(lam))
        ),
        lambda lam: (
            capacity_probability(lam) * expected_served(lam, 3)
            + (1 - capacity_probability(lam)) * expected_served(lam, 2)
        ),
    ),
}


@pytest.mark.parametrize("backend", JUMP_BACKENDS)
@pytest.mark.parametrize("queue", QUEUES.values(), ids=QUEUES.keys())
def test_propagate_with_python_control_flow_matches_the_exact_derivative(queue, backend):
    f, expectation = queue
    exact = central_difference(expectation, 2.5)
    assert_mean_close(samples_of(f, 2.5, 3000, backend, seed=17), exact)


def branchy(a, b):
    return a * b**2 if a > 0.5 else 2 * b


def with_delta(p):
    return stochad.propagate(branchy, stochad.bernoulli(p), p)


@pytest.mark.parametrize("backend", JUMP_BACKENDS)
def test_propagate_carries_delta_and_jumps_together(backend):
    """E = p·p² + (1−p)·2p, so d/dp = 3p² − 4p + 2.

    If a = 1 the estimate is δ = 2p (no upward jump from 1); if a = 0 it is δ = 2 plus the
    jump to a = 1 at rate 1/(1−p), changing the output from 2p to p².
    """
    p = 0.35
    samples = samples_of(with_delta, p, 3000, backend, seed=3)
    allowed = (2 * p, 2 + (p**2 - 2 * p) / (1 - p))
    assert all(min(abs(s - a) for a in allowed) < 1e-12 for s in samples)
    assert_mean_close(samples, 3 * p**2 - 4 * p + 2)


def test_propagate_of_floats_is_a_plain_call():
    assert stochad.propagate(served, 5, 3) == 3


def test_propagate_rejects_a_non_callable():
    with pytest.raises(TypeError, match="callable"):
        stochad.propagate(3, 1.0)


@pytest.mark.parametrize(
    "f, message",
    [
        (lambda a: a + stochad.bernoulli(0.5 + 0 * a), "must not draw"),
        (lambda a: "many", "must return a number"),
    ],
    ids=["draws inside", "returns a string"],
)
@pytest.mark.parametrize("carries_delta", [True, False], ids=["with δ", "jumps only"])
@pytest.mark.parametrize("backend", ["pruned", "dict", "smoothed"])
def test_propagate_rejects_functions_that_are_not_deterministic_numbers(
    f, message, carries_delta, backend
):
    def program(p):
        x = stochad.bernoulli(p)
        return stochad.propagate(f, x + p if carries_delta else x)

    with pytest.raises(TypeError, match=message):
        stochad.derivative_estimate(program, 0.3, backend=backend, rng=0)


# -- take ----------------------------------------------------------------------------------
REWARDS = (1.0, -2.0, 4.0)


def reward_probabilities(p):
    return [0.2 + 0.3 * p, 0.5 - 0.5 * p, 0.3 + 0.2 * p]


@pytest.mark.parametrize("backend", JUMP_BACKENDS)
def test_take_with_a_categorical_index_matches_the_exact_derivative(backend):
    """E = Σ r_j π_j(p): d/dp = 0.3·1 + 0.5·2 + 0.2·4 = 2.1."""

    def f(p):
        return stochad.take(REWARDS, stochad.categorical(reward_probabilities(p)))

    assert_mean_close(samples_of(f, 0.4, 3000, backend, seed=23), 2.1)


def coupled_probabilities(x, p):
    return [0.6 - 0.3 * x - 0.2 * p, 0.2 + 0.1 * x + 0.1 * p, 0.2 + 0.2 * x + 0.1 * p]


def coupled_elements(x, p):
    return [x, 1 - x, 3 * x + p]


def bias(p):
    return 0.3 + 0.4 * p


def coupled_take(p):
    """The index and the elements both depend on one draw x: their alternates must agree."""
    x = stochad.bernoulli(bias(p))
    i = stochad.categorical(coupled_probabilities(x, p))
    return stochad.take(coupled_elements(x, p), i)


def coupled_take_expectation(p):
    total = 0.0
    for x, j in itertools.product((0, 1), range(3)):
        px = bias(p) if x else 1 - bias(p)
        total += px * coupled_probabilities(x, p)[j] * coupled_elements(x, p)[j]
    return total


@pytest.mark.parametrize("backend", JUMP_BACKENDS)
def test_take_over_triple_elements_keeps_them_coupled(backend):
    exact = central_difference(coupled_take_expectation, 0.3)
    assert_mean_close(samples_of(coupled_take, 0.3, 4000, backend, seed=29), exact)


def test_take_alternates_pick_the_alternate_element_in_the_same_world():
    """dict backend, index 0 → 1 under one event, element 0 = x jumping under another."""

    def f(p):
        x = stochad.bernoulli(p)  # 0, jumps to 1 (event A)
        i = stochad.bernoulli(p)  # 0, jumps to 1 (event B)
        return stochad.take([10 * x + 1, 7.0], i)

    t = stochad.stochastic_triple(f, 0.0, backend="dict", rng=0)
    assert t.value == 1.0
    assert sorted(q.alternate for q in stochad.perturbations(t)) == [7.0, 11.0]


def test_take_with_a_plain_index_is_indexing():
    assert stochad.take([1, 2, 3], 1) == 2
    assert stochad.take([1, 2, 3], -1) == 3


@pytest.mark.parametrize(
    "index, error, message",
    [
        (5, ValueError, "out of range"),
        (-4, ValueError, "out of range"),
        (1.5, TypeError, "whole number"),
        ("1", TypeError, "whole number"),
        (True, TypeError, "whole number"),
    ],
)
def test_take_rejects_bad_plain_indices(index, error, message):
    with pytest.raises(error, match=message):
        stochad.take([1, 2, 3], index)


@pytest.mark.parametrize(
    "index, error, message",
    [
        (lambda p: 5 + stochad.bernoulli(p), ValueError, "index 5 is out of range"),
        (lambda p: 2 * stochad.bernoulli(p), ValueError, "alternate index 2 is out of range"),
        (lambda p: 0.5 * stochad.bernoulli(p), TypeError, "whole number"),
    ],
    ids=["value out of range", "alternate out of range", "alternate not whole"],
)
def test_take_rejects_bad_triple_indices(index, error, message):
    with pytest.raises(error, match=message):
        stochad.stochastic_triple(lambda p: stochad.take([1.0, 2.0], index(p)), 0.0, rng=0)


def test_take_refuses_a_smoothed_index_instead_of_dropping_its_derivative():
    def f(p):
        return stochad.take([0.0, 5.0, 1.0], stochad.categorical([1 - p, p / 2, p / 2]))

    with pytest.raises(ValueError, match="smoothed derivative"):
        stochad.derivative_estimate(f, 0.4, backend="smoothed", rng=0)


def test_propagate_refuses_arrays_of_triples_it_could_not_run_per_alternate():
    def f(p):
        return stochad.propagate(lambda x: x, stochad.bernoulli(p, size=3))

    with pytest.raises(TypeError, match="scalar triples"):
        stochad.derivative_estimate(f, 0.3, rng=0)


def test_a_closure_over_a_triple_says_pass_it_as_an_argument():
    def program(p):
        b = stochad.bernoulli(p)
        return stochad.propagate(lambda x: x + b, p)  # b is a closure, not an argument

    with pytest.raises(TypeError, match="pass it as an argument"):
        stochad.derivative_estimate(program, 0.3, rng=0)
