"""A stochastic binary MLP: grad == surrogate-gradient backprop by hand, on the same draws.

docs/theory.md §6: along the sampled path (hidden spikes fixed to the values drawn) the smoothed
stochastic derivative equals surrogate-gradient backprop with surrogate ``σ'_β`` when the
escape noise is ``σ_β`` (β_SG = β_N).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

import stochad

BETA = 2.0


def network(params, X, T):
    h = stochad.bernoulli(stochad.sigmoid(BETA * (X @ params["W1"] + params["b1"])))
    y = stochad.bernoulli(stochad.sigmoid(BETA * (h @ params["W2"])))
    return stochad.mean((y - T) ** 2)


def network_with_heaviside(params, X, T):
    """The deterministic network with logistic surrogates: the same backward pass."""
    s = stochad.surrogates.logistic(BETA)
    noise1 = np.random.default_rng(1).logistic(size=(X.shape[0], params["W1"].shape[1])) / BETA
    noise2 = np.random.default_rng(2).logistic(size=T.shape) / BETA
    h = stochad.heaviside(X @ params["W1"] + params["b1"] - noise1, s)
    y = stochad.heaviside(h @ params["W2"] - noise2, s)
    return stochad.mean((y - T) ** 2)


def by_hand(params, X, T, seed):
    """Forward on the primal-stream convention, then surrogate-gradient backprop."""
    rng = np.random.default_rng(seed)
    W1, b1, W2 = params["W1"], params["b1"], params["W2"]
    p1 = expit(BETA * (X @ W1 + b1))
    h = (1.0 - rng.random(p1.shape) > 1.0 - p1) * 1.0
    p2 = expit(BETA * (h @ W2))
    y = (1.0 - rng.random(p2.shape) > 1.0 - p2) * 1.0
    loss = np.mean((y - T) ** 2)
    g_y = 2.0 * (y - T) / y.size
    g_a2 = g_y * BETA * p2 * (1.0 - p2)  # straight through the draw, then σ'_β
    g_h = g_a2 @ W2.T
    g_a1 = g_h * BETA * p1 * (1.0 - p1)
    return loss, {"W1": X.T @ g_a1, "b1": g_a1.sum(axis=0), "W2": h.T @ g_a2}


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 6))
    T = (rng.random((32, 3)) < 0.5) * 1.0
    params = {
        "W1": rng.normal(size=(6, 8)),
        "b1": rng.normal(size=8) * 0.1,
        "W2": rng.normal(size=(8, 3)),
    }
    return params, X, T


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grad_equals_surrogate_gradient_backprop(problem, seed):
    params, X, T = problem
    value, g = stochad.value_and_grad(network, rng=seed)(params, X, T)
    loss, expected = by_hand(params, X, T, seed)
    assert value == loss
    for key in params:
        np.testing.assert_allclose(g[key], expected[key], rtol=0, atol=1e-10)
        assert np.abs(expected[key]).max() > 1e-3  # the comparison is not vacuous


def test_heaviside_with_logistic_noise_is_the_same_gradient(problem):
    """A threshold on logistic noise draws Bernoulli(σ_β): same path, same surrogate."""
    params, X, T = problem
    g = stochad.grad(network_with_heaviside)(params, X, T)
    s = stochad.surrogates.logistic(BETA)
    noise1 = np.random.default_rng(1).logistic(size=(32, 8)) / BETA
    noise2 = np.random.default_rng(2).logistic(size=T.shape) / BETA
    a1 = X @ params["W1"] + params["b1"] - noise1
    h = (a1 > 0) * 1.0
    a2 = h @ params["W2"] - noise2
    y = (a2 > 0) * 1.0
    g_a2 = 2.0 * (y - T) / y.size * s.derivative(a2)
    g_a1 = (g_a2 @ params["W2"].T) * s.derivative(a1)
    np.testing.assert_allclose(g["W2"], h.T @ g_a2, rtol=0, atol=1e-10)
    np.testing.assert_allclose(g["W1"], X.T @ g_a1, rtol=0, atol=1e-10)
