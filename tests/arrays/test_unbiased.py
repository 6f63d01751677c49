"""Batched estimates are unbiased: the mean of N row estimates is within 5 SE of exact.

Each program puts N independent samples along axis 0, so one ``derivative_estimate``
returns N independent estimates (rows stay independent samples under pruning).
"""

import itertools

import numpy as np
import pytest
from scipy.special import expit

import stochad

N = 20_000


def assert_unbiased(estimates, exact):
    estimates = np.asarray(estimates, dtype=float)
    assert estimates.shape[0] == N
    mean = estimates.mean(axis=0)
    stderr = estimates.std(axis=0, ddof=1) / np.sqrt(N)
    assert np.all(np.abs(mean - exact) <= 5 * stderr + 1e-9), (mean, stderr, exact)


@pytest.mark.parametrize("backend", ["pruned", "smoothed"])
def test_squared_row_sums(backend):
    k, p = 10, 0.3

    def f(q):
        s = stochad.bernoulli(q, size=(N, k)).sum(axis=1)
        return s * s

    # E[s²] = k p (1 − p) + k² p²; smoothing is exact only for a linear function
    est = stochad.derivative_estimate(f, p, rng=0, backend=backend)
    if backend == "pruned":
        assert_unbiased(est, k * (1 - 2 * p) + 2 * k * k * p)
    else:
        lin = stochad.derivative_estimate(
            lambda q: stochad.bernoulli(q, size=(N, k)).mean(axis=1), p, rng=0, backend=backend
        )
        np.testing.assert_array_equal(lin, np.ones(N))


def matmul_exact(w, p):
    """d/dp Σ_j E[(Σ_k x_k w_kj)²] for independent x_k ~ Bernoulli(p)."""
    return float(np.sum((1 - 2 * p) * (w**2).sum(axis=0) + 2 * p * w.sum(axis=0) ** 2))


def test_matmul_of_a_bernoulli_matrix_with_weights():
    w = np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-0.2, 0.8, 1.1], [1.0, 1.0, -1.0]])
    p = 0.4
    est = stochad.derivative_estimate(
        lambda q: ((stochad.bernoulli(q, size=(N, 4)) @ w) ** 2).sum(axis=1), p, rng=1
    )
    assert_unbiased(est, matmul_exact(w, p))


def test_weights_times_a_bernoulli_matrix_prunes_per_column():
    w = np.array([[0.5, 1.5, -0.2, 1.0], [-1.0, 0.3, 0.8, 1.0]])
    p = 0.6
    est = stochad.derivative_estimate(
        lambda q: ((w @ stochad.bernoulli(q, size=(4, N))) ** 2).sum(axis=0), p, rng=2
    )
    assert_unbiased(est, matmul_exact(w.T, p))


def test_a_two_layer_stochastic_binary_network_on_a_batch():
    """h ~ Bern(σ(x W1 θ)), y ~ Bern(σ(h·w2 + b)): exact derivative by enumerating h."""
    x = np.array([1.0, -0.5, 0.8])
    a = np.array([[0.6, -0.4, 1.0], [0.3, 0.9, -0.8], [-0.5, 0.2, 0.4]])
    w2, b, theta = np.array([2.0, -1.5, 1.0]), -0.3, 0.7

    def net(q):
        batch = np.broadcast_to(x, (N, 3))
        h = stochad.bernoulli(stochad.sigmoid(batch @ (a * q)))
        return stochad.bernoulli(stochad.sigmoid(h @ w2 + b))

    def expected(q):
        ph = expit(x @ (a * q))
        total = 0.0
        for h in itertools.product([0, 1], repeat=3):
            h = np.array(h)
            total += np.prod(np.where(h == 1, ph, 1 - ph)) * expit(h @ w2 + b)
        return total

    exact = (expected(theta + 1e-6) - expected(theta - 1e-6)) / 2e-6
    assert_unbiased(stochad.derivative_estimate(net, theta, rng=3), exact)
