"""The smoothed backend: straight-through and symmetric strategies, and its bias.

Covers docs/theory.md §3 "smoothed" and §6: a Bernoulli's smoothed derivative is exactly the
parameter's δ (straight-through) or ``1/(2(1−p))`` / ``1/(2p)`` (symmetric); a stochastic
perceptron's smoothed gradient is exactly the surrogate gradient ``β s(1−s) x_i``; on the
two-layer example of Gygax & Zenke the smoothed estimate is biased while pruned and dict
are not.
"""

import math

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import stochad
from stochad.backends import SmoothedBackend
from tests.programs import (
    assert_mean_close,
    exact_derivative,
    exact_smoothed_mean,
    random_steps,
    run_steps,
    samples_of,
)

probabilities = st.floats(0.01, 0.99)


@given(p=probabilities, scale=st.floats(-3.0, 3.0), seed=st.integers(0, 1000))
def test_straight_through_bernoulli_derivative_is_the_parameters_delta(p, scale, seed):
    t = stochad.stochastic_triple(
        lambda q: stochad.bernoulli(q * 0 + p + scale * (q - p)), p, backend="smoothed", rng=seed
    )
    assert stochad.smoothed_delta(t) == pytest.approx(scale, abs=1e-12)
    assert stochad.perturbations(t) == []


@given(p=probabilities, seed=st.integers(0, 1000))
def test_symmetric_strategy_averages_the_left_and_right_jumps(p, seed):
    backend = SmoothedBackend("symmetric")
    t = stochad.stochastic_triple(stochad.bernoulli, p, backend=backend, rng=seed)
    expected = 1 / (2 * (1 - p)) if t.value == 0 else 1 / (2 * p)
    assert stochad.smoothed_delta(t) == pytest.approx(expected, rel=1e-12)


def test_symmetric_strategy_is_unbiased_for_one_draw():
    samples = samples_of(stochad.bernoulli, 0.3, 2000, SmoothedBackend("symmetric"), seed=4)
    assert_mean_close(samples, 1.0)
    assert samples.std() > 0.1  # it does depend on X, unlike straight-through


def test_unknown_strategy_is_rejected():
    with pytest.raises(ValueError, match="strategy"):
        SmoothedBackend("sideways")


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


@given(
    w=st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=4),
    data=st.data(),
    bias=st.floats(-1.0, 1.0),
    threshold=st.floats(-1.0, 1.0),
    beta=st.floats(0.1, 5.0),
    seed=st.integers(0, 1000),
)
def test_stochastic_perceptron_smoothed_gradient_is_the_surrogate_gradient(
    w, data, bias, threshold, beta, seed
):
    x = data.draw(st.lists(st.floats(-2.0, 2.0), min_size=len(w), max_size=len(w)))

    def neuron(weights):
        u = bias
        for wi, xi in zip(weights, x, strict=True):
            u = u + wi * xi
        return stochad.bernoulli(stochad.sigmoid(beta * (u - threshold)))

    s = sigmoid(beta * (bias + float(np.dot(w, x)) - threshold))
    surrogate = beta * s * (1 - s) * np.array(x)
    # The whole gradient at once (an array parameter) ...
    gradient = stochad.derivative_estimate(neuron, np.array(w), backend="smoothed", rng=seed)
    np.testing.assert_allclose(gradient, surrogate, rtol=1e-9, atol=1e-12)
    # ... and each coordinate on scalar triples.
    for i in range(len(w)):
        t = stochad.stochastic_triple(
            lambda wi, i=i: neuron([*w[:i], wi, *w[i + 1 :]]), w[i], backend="smoothed", rng=seed
        )
        assert stochad.smoothed_delta(t) == pytest.approx(surrogate[i], rel=1e-9, abs=1e-12)


# -- docs/theory.md §6, two-layer example: h ~ Bern(σ(w1 x)), y ~ Bern(σ(w2 h + b)) -------------
W1, W2, B = 0.3, 2.0, -1.0


def two_layer(w1, draw):
    h = draw(stochad.sigmoid(w1 * 1.0))
    return draw(stochad.sigmoid(W2 * h + B))


def sigmoid_prime(x):
    return sigmoid(x) * (1 - sigmoid(x))


EXACT_TWO_LAYER = sigmoid_prime(W1) * (sigmoid(W2 + B) - sigmoid(B))
SMOOTHED_TWO_LAYER = (
    sigmoid_prime(W1)
    * W2
    * ((1 - sigmoid(W1)) * sigmoid_prime(B) + sigmoid(W1) * sigmoid_prime(W2 + B))
)


def test_two_layer_closed_forms_agree_with_enumeration_and_differ():
    assert exact_derivative(two_layer, W1, 2) == pytest.approx(EXACT_TWO_LAYER, rel=1e-8)
    assert exact_smoothed_mean(two_layer, W1, 2) == pytest.approx(SMOOTHED_TWO_LAYER, rel=1e-7)
    assert abs(EXACT_TWO_LAYER - SMOOTHED_TWO_LAYER) > 0.01


def test_two_layer_smoothed_is_biased():
    def f(w1):
        return two_layer(w1, stochad.bernoulli)

    smoothed = samples_of(f, W1, 2000, "smoothed", seed=8)
    assert_mean_close(smoothed, SMOOTHED_TWO_LAYER)
    # The smoothed estimate never depends on the path here (σ′(1) = σ′(−1)), so it sits
    # exactly on the biased value, away from the exact derivative.
    assert np.allclose(smoothed, SMOOTHED_TWO_LAYER, rtol=1e-12)
    assert abs(smoothed.mean() - EXACT_TWO_LAYER) > 0.01


@pytest.mark.parametrize("backend", ["pruned", "dict"])
def test_two_layer_pruned_and_dict_are_unbiased(backend):
    samples = samples_of(lambda w1: two_layer(w1, stochad.bernoulli), W1, 6000, backend, seed=9)
    assert_mean_close(samples, EXACT_TWO_LAYER)
    stderr = samples.std(ddof=1) / math.sqrt(len(samples))
    assert abs(samples.mean() - SMOOTHED_TWO_LAYER) > 3 * stderr  # it tells them apart


@settings(max_examples=10, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(steps=random_steps(), theta=st.floats(0.05, 0.95), seed=st.integers(0, 2**31))
def test_random_programs_smoothed_mean_is_the_expected_straight_through_derivative(
    steps, theta, seed
):
    """Smoothed is biased, but its mean is exactly the path-average of the chain rule."""
    exact = exact_smoothed_mean(lambda t, d: run_steps(steps, t, d), theta, len(steps))
    samples = samples_of(
        lambda t: run_steps(steps, t, stochad.bernoulli), theta, 1000, "smoothed", seed
    )
    assert_mean_close(samples, exact, "smoothed mean", tol=1e-6)
