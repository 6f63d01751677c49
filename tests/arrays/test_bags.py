"""Bags: linear reductions keep every row's perturbation (stochad/arrays/bags.py).

A batch loss (the mean over independent rows of a nonlinear per-row output) must be as
precise as the batch: one call's estimate is the mean of the rows' own estimates, and it
is unbiased against enumeration.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from scipy.special import expit

import stochad
from stochad.arrays import bags
from stochad.arrays.triple_array import TripleArray

X = np.array([[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8]])
W1 = np.array([[0.4, -0.6], [0.9, 0.2]])
W2 = np.array([1.5, -2.0])


def rows(w, x=X):
    """Two stochastic layers; one output per row."""
    h = stochad.bernoulli(stochad.sigmoid(x @ w), size=(x.shape[0], w.shape[1]))
    return stochad.bernoulli(stochad.sigmoid(h @ W2 - 1.0))


def batch_loss(w, x=X):
    return stochad.mean(rows(w, x))


def exact_loss(w, x=X):
    """E[batch_loss(w)] by enumerating every hidden pattern of each row."""
    q = expit(x @ w)
    total = np.zeros(x.shape[0])
    for pattern in itertools.product([0.0, 1.0], repeat=w.shape[1]):
        h = np.array(pattern)
        total += np.prod(np.where(h == 1.0, q, 1 - q), axis=1) * expit(h @ W2 - 1.0)
    return total.mean()


def exact_gradient(w, x=X, step=1e-6):
    grad = np.zeros_like(w)
    for index in np.ndindex(w.shape):
        e = np.zeros_like(w)
        e[index] = step
        grad[index] = (exact_loss(w + e, x) - exact_loss(w - e, x)) / (2 * step)
    return grad


# each call sees 150 copies of X: 450 independent rows; 100 calls resolve the gradient
TILED = np.tile(X, (150, 1))


def test_batch_loss_gradient_is_unbiased_against_enumeration():
    n = 100
    samples = np.array(
        [stochad.derivative_estimate(lambda w: batch_loss(w, TILED), W1, rng=s) for s in range(n)]
    )
    mean, se = samples.mean(axis=0), samples.std(axis=0, ddof=1) / np.sqrt(n)
    exact = exact_gradient(W1)
    assert np.all(se > 0)
    assert np.all(np.abs(mean - exact) < 5 * se), (mean, exact, se)
    assert np.linalg.norm(5 * se) < 0.25 * np.linalg.norm(exact)  # it resolves the gradient


def test_directional_derivative_of_batch_loss_is_unbiased():
    direction = np.array([[1.0, -0.5], [0.25, 2.0]])
    n = 40
    samples = np.array(
        [
            stochad.derivative_estimate(
                lambda w: batch_loss(w, TILED), W1, rng=s, direction=direction
            )
            for s in range(n)
        ]
    )
    exact = float(np.sum(exact_gradient(W1) * direction))
    assert abs(samples.mean() - exact) < 5 * samples.std(ddof=1) / np.sqrt(n)


def test_one_call_is_the_mean_of_the_rows_estimates():
    # the mean keeps every row's perturbation: nothing is pruned across rows
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1000, 2))
    for seed in range(5):
        batch = stochad.derivative_estimate(lambda w: batch_loss(w, x), W1, rng=seed)
        per_row = np.stack(
            [
                stochad.derivative_estimate(lambda w: rows(w, x), W1, rng=seed, direction=d)
                for d in np.eye(4).reshape(4, 2, 2)
            ]
        )
        np.testing.assert_allclose(batch.reshape(-1), per_row.mean(axis=1), rtol=1e-12, atol=1e-15)


def test_batch_of_a_thousand_rows_is_rarely_zero_and_as_precise_as_its_rows():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1000, 2))
    calls = 60
    batch = np.array(
        [stochad.derivative_estimate(lambda w: batch_loss(w, x), W1, rng=s) for s in range(calls)]
    )
    assert np.mean(batch == 0.0) < 0.1
    # a single row's estimate is 0 in most calls; the std of one call is that of the
    # row mean: (std of one row) / sqrt(N), within sampling error
    one_row = np.array(
        [
            stochad.derivative_estimate(
                lambda w: rows(w, x), W1, rng=s, direction=np.eye(4)[0].reshape(2, 2)
            )
            for s in range(calls)
        ]
    )
    row_mean_std = one_row.std(axis=None, ddof=1) / np.sqrt(x.shape[0])
    assert batch[:, 0, 0].std(ddof=1) < 3 * row_mean_std


def _pruned_draws(p, size):
    return stochad.bernoulli(p, size=size)


def test_linear_operations_keep_the_bag_and_a_nonlinear_one_settles_it():
    def program(p):
        m = stochad.mean(_pruned_draws(p, 50))
        linear = 2.0 * m - stochad.sum(_pruned_draws(p, 3)) / 4.0 + 1.0
        assert isinstance(linear, TripleArray) and linear.bag is not None
        squared = m * m
        assert m.bag is None  # settled: pruned to one survivor, the usual rule
        return linear + squared

    # E = 2p - 3p/4 + 1 + E[m²] with E[m²] = p² + p(1 - p)/50
    p = 0.3
    exact = 2.0 - 0.75 + 2 * p + (1 - 2 * p) / 50
    n = 1500
    samples = np.array([stochad.derivative_estimate(program, p, rng=s) for s in range(n)])
    assert abs(samples.mean() - exact) < 5 * samples.std(ddof=1) / np.sqrt(n)


def test_weighted_sum_over_rows_by_matmul_keeps_each_row():
    weights = np.linspace(-1.0, 2.0, 40)

    def by_matmul(p):
        return weights @ stochad.bernoulli(p, size=40)

    def by_rows(p):
        return weights * stochad.bernoulli(p, size=40)

    for seed in range(5):
        total = stochad.derivative_estimate(by_matmul, 0.4, rng=seed)
        parts = stochad.derivative_estimate(by_rows, 0.4, rng=seed)
        assert total == pytest.approx(parts.sum(), rel=1e-12, abs=1e-12)


def test_perturbations_of_a_bag_list_every_live_event():
    t = stochad.stochastic_triple(lambda p: stochad.sum(stochad.bernoulli(p, size=6)), 0.5, rng=2)
    draws = stochad.stochastic_triple(lambda p: stochad.bernoulli(p, size=6), 0.5, rng=2)
    jumping = int(np.count_nonzero(draws.weight))  # the coins at 0 (each jumps to 1)
    assert jumping >= 2
    (listed,) = t.perturbations.reshape(-1)
    assert len(listed) == jumping
    assert sum(q.weight * (q.alternate - float(t.value)) for q in listed) == pytest.approx(
        float(stochad.derivative_contribution(t))
    )
    scalar = t.to_triple()
    assert len(scalar.alternates) == jumping


def test_past_the_entry_limit_reductions_prune_and_stay_unbiased(monkeypatch):
    monkeypatch.setattr(bags, "MAX_BAG_ENTRIES", 8)

    def program(p):
        m = stochad.mean(stochad.bernoulli(p, size=20))
        assert m.bag is None  # 20 entries > 8: the pruned reduction ran
        return m

    n = 1500
    samples = np.array([stochad.derivative_estimate(program, 0.3, rng=s) for s in range(n)])
    assert abs(samples.mean() - 1.0) < 5 * samples.std(ddof=1) / np.sqrt(n)


@settings(max_examples=25, deadline=None)
@given(
    shape=hs.lists(hs.integers(1, 4), min_size=1, max_size=3).map(tuple),
    seed=hs.integers(0, 10_000),
    p=hs.floats(0.05, 0.95),
    axis_choice=hs.integers(0, 3),
)
def test_a_linear_program_is_the_sum_of_its_elements_contributions(shape, seed, p, axis_choice):
    coefficients = np.random.default_rng(seed).normal(size=shape)
    axis = None if axis_choice >= len(shape) else axis_choice

    def reduced(q):
        x = stochad.bernoulli(q, size=shape)
        return stochad.sum(stochad.mean(coefficients * x, axis=axis)) * 3.0 - 1.0

    def elements(q):
        return coefficients * stochad.bernoulli(q, size=shape)

    count = np.prod(shape) if axis is None else shape[axis]
    whole = stochad.derivative_estimate(reduced, p, rng=seed)
    parts = stochad.derivative_estimate(elements, p, rng=seed)
    assert whole == pytest.approx(3.0 * parts.sum() / count, rel=1e-10, abs=1e-10)
