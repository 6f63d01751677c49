"""The array categorical, ``take`` with an array index, binomial with a random array count.

* an array draw is the scalar draw of its row (same uniform, same index);
* unbiased against exact derivatives (5 standard errors, fixed seeds): own jumps only,
  probabilities that carry events (the reference's categorical walk, against the exact
  derivative by dynamic programming), and the same walk through the scalar path;
* the smoothed backend gives the mean index's derivative exactly; reverse mode too;
* list entries that are arrays and a last-axis array are the same draw;
* bad probabilities and indices raise naming what is wrong.
"""

import math

import numpy as np
import pytest

import stochad
from stochad.distributions import categorical as cat
from tests.walk_reference import estimator_distribution

SEED = 20240611
N = 20_000


def _probs(p):
    return [0.2 + 0.3 * p, 0.5 - 0.6 * p, 0.3 + 0.3 * p]


G = np.array([3.0, -1.0, 2.0])
EXACT_G = 0.3 * 3.0 - 0.6 * -1.0 + 0.3 * 2.0  # Σ_j g_j dπ_j/dp


def mean_and_stderr(est):
    est = np.asarray(est, dtype=float)
    return est.mean(), est.std(ddof=1) / math.sqrt(est.size)


def test_an_array_draw_is_the_scalar_draw_of_its_row():
    probs = np.array([[0.1, 0.0, 0.6, 0.3], [0.25, 0.25, 0.25, 0.25], [0.0, 0.0, 1.0, 0.0]])
    with stochad.using_rng(3):
        draws = stochad.categorical(probs, size=(50, 3))
    r = np.random.default_rng(3).random((50, 3))
    expected = [
        [cat.inverse_cdf(1.0 - r[i, j], list(probs[j])) for j in range(3)] for i in range(50)
    ]
    np.testing.assert_array_equal(draws, expected)


def test_list_entries_and_a_last_axis_array_are_the_same_draw():
    def from_list(p):
        return stochad.take(list(G), stochad.categorical([q * np.ones(N) for q in _probs(p)]))

    def from_array(p):
        return stochad.take(
            list(G),
            stochad.categorical(stochad.stack([q * np.ones(N) for q in _probs(p)], axis=-1)),
        )

    a = stochad.derivative_estimate(from_list, 0.4, rng=SEED)
    b = stochad.derivative_estimate(from_array, 0.4, rng=SEED)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("p", [0.0, 0.4, 0.8])
def test_own_jumps_are_unbiased(p):
    est = stochad.derivative_estimate(
        lambda p: stochad.take(list(G), stochad.categorical(_probs(p), size=N)), p, rng=SEED
    )
    mean, se = mean_and_stderr(est)
    assert se > 0
    assert abs(mean - EXACT_G) < 5 * se


def test_smoothed_is_the_mean_index_derivative():
    for strategy in ("straight-through", "symmetric"):
        est = stochad.derivative_estimate(
            lambda p: stochad.categorical(_probs(p), size=100),
            0.4,
            rng=SEED,
            backend=stochad.SmoothedBackend(strategy),
        )
        np.testing.assert_allclose(est, -0.6 + 2 * 0.3)


def test_reverse_mode_is_the_mean_index_derivative():
    g = stochad.grad(lambda p: stochad.mean(stochad.categorical(_probs(p), size=100)), rng=0)
    assert g(0.4) == pytest.approx(-0.6 + 2 * 0.3)


def walk_exact(p: float, steps: int) -> float:
    """``d/dp E[x_steps]``: the mean of the pruned estimator's exact distribution
    (tests/walk_reference.py enumerates every draw, coupling and pruning choice)."""
    return sum(e * q for e, q in estimator_distribution(p, steps).items())


def categorical_walk(p, steps=12, lanes=None):
    x = 0 if lanes is None else np.zeros(lanes)
    for _ in range(steps):
        up = stochad.exp(-x / p)
        x = x + stochad.take([-1, 1], stochad.categorical([1 - up, up]))
    return x


def test_the_categorical_walk_vectorized_is_unbiased_and_agrees_with_the_scalar_path():
    exact = walk_exact(2.0, 12)
    vec_mean, vec_se = mean_and_stderr(
        stochad.derivative_estimate(lambda p: categorical_walk(p, lanes=N), 2.0, rng=SEED)
    )
    assert abs(vec_mean - exact) < 5 * vec_se
    scalar = stochad.expected_derivative(categorical_walk, 2.0, 400, rng=SEED)
    assert abs(scalar.mean - exact) < 5 * scalar.stderr
    # the same estimator: the spreads agree too (400 scalar samples: ±~20 % on the std)
    assert 0.7 < scalar.stderr * math.sqrt(400) / (vec_se * math.sqrt(N)) < 1.3


def test_a_probability_row_with_several_events_is_pruned_to_one():
    """Each category's probability carries its own event: rows merge them, unbiasedly."""

    def f(p):
        a = stochad.bernoulli(p, size=N)
        b = stochad.bernoulli(p, size=N)
        probs = [0.1 + 0.4 * a, 0.1 + 0.4 * b, 0.8 - 0.4 * a - 0.4 * b]
        return stochad.take(list(G), stochad.categorical(probs))

    # E[g] = Σ over (a, b) of P(a)P(b) Σ_j π_j(a, b) g_j
    def expectation(p):
        total = 0.0
        for a in (0, 1):
            for b in (0, 1):
                pi = [0.1 + 0.4 * a, 0.1 + 0.4 * b, 0.8 - 0.4 * a - 0.4 * b]
                total += (p if a else 1 - p) * (p if b else 1 - p) * float(np.dot(pi, G))
        return total

    exact = (expectation(0.3 + 1e-6) - expectation(0.3 - 1e-6)) / 2e-6
    mean, se = mean_and_stderr(stochad.derivative_estimate(f, 0.3, rng=SEED))
    assert abs(mean - exact) < 5 * se


def test_plain_array_draws_have_the_right_frequencies():
    probs = np.array([0.5, 0.2, 0.3])
    with stochad.using_rng(1):
        x = stochad.categorical(probs, size=N)
    counts = np.bincount(x.astype(int), minlength=3) / N
    se = np.sqrt(probs * (1 - probs) / N)
    assert np.all(np.abs(counts - probs) < 5 * se)


@pytest.mark.parametrize(
    "probs, message",
    [
        (np.array([[0.5, 0.6], [0.5, 0.5]]), r"sum\(probs\[0, :\]\)"),
        (np.array([0.5, -0.1, 0.6]), r"probs\[1\]"),
        (np.zeros((2, 0)), "at least one"),
    ],
)
def test_bad_probabilities_raise(probs, message):
    with pytest.raises(ValueError, match=message):
        stochad.categorical(probs)


def test_bad_alternate_probabilities_raise():
    def f(p):
        b = stochad.bernoulli(p, size=10)  # all 0 at p = 0; each jumps to 1
        return stochad.categorical([0.5 + 0.6 * b, 0.5 - 0.6 * b])

    with pytest.raises(ValueError, match="alternate world"):
        stochad.derivative_estimate(f, 0.0, rng=0)


def test_take_with_an_array_index():
    np.testing.assert_array_equal(stochad.take([5.0, 7.0, 9.0], np.array([2, 0, -1])), [9, 5, 9])
    with pytest.raises(ValueError, match="out of range"):
        stochad.take([5.0, 7.0], np.array([0, 2]))
    with pytest.raises(TypeError, match="whole number"):
        stochad.take([5.0, 7.0], np.array([0.5]))


def test_take_with_triple_array_entries_keeps_their_perturbations():
    def f(p):
        a = stochad.bernoulli(p, size=N)  # the chosen values carry events too
        i = stochad.bernoulli(0.3 + 0.5 * p, size=N)
        return stochad.take([a, 2.0 + 0 * a], i)

    p, q = 0.5, 0.3 + 0.5 * 0.5
    exact = (1 - q) - 0.5 * p + 2 * 0.5  # d/dp [(1 − q)p + 2q], q = 0.3 + p/2
    mean, se = mean_and_stderr(stochad.derivative_estimate(f, 0.5, rng=SEED))
    assert abs(mean - exact) < 5 * se


def test_binomial_with_a_random_array_count():
    """``n = 30 − Binomial(20, p)``, then ``m ~ Binomial(n, 0.6)``: d/dp E[m²] in closed form."""

    def f(p):
        n = 30 - stochad.binomial(20, p, size=N)
        return stochad.binomial(n, 0.6) ** 2

    def expectation(p):
        mean_n = 30 - 20 * p
        second_n = 20 * p * (1 - p) + mean_n**2
        return 0.24 * mean_n + 0.36 * second_n

    exact = (expectation(0.4 + 1e-6) - expectation(0.4 - 1e-6)) / 2e-6
    mean, se = mean_and_stderr(stochad.derivative_estimate(f, 0.4, rng=SEED))
    assert abs(mean - exact) < 5 * se
    up = stochad.derivative_estimate(
        lambda p: stochad.binomial(stochad.binomial(10, p, size=N), 0.3), 0.4, rng=SEED
    )
    mean, se = mean_and_stderr(up)  # E = 3p
    assert abs(mean - 3.0) < 5 * se
