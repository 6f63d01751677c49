"""Draws inside grad: the primal stream convention, their reverse rules and bad input."""

from __future__ import annotations

import numpy as np
import pytest

import stochad
from stochad.core.context import Evaluation
from stochad.core.random import RandomStreams
from stochad.distributions.bernoulli import BERNOULLI
from stochad.reverse.draws import primal_draw


@pytest.mark.parametrize(
    "sampler, params",
    [
        (stochad.bernoulli, (np.array([0.1, 0.5, 0.9]),)),
        (stochad.poisson, (np.array([[0.5], [3.0]]),)),
        (stochad.geometric, (np.array([0.2, 0.7]),)),
        (stochad.binomial, (5, np.array([0.3, 0.6]))),
    ],
    ids=lambda x: getattr(x, "__name__", ""),
)
def test_array_draws_match_plain_draws_on_the_same_seed(sampler, params):
    *constant, point = params  # the last parameter is the one differentiated

    def f(q):
        with_size = sampler(*constant, q, size=(4,) + np.shape(q))
        without = sampler(*constant, q)
        return stochad.sum(with_size * 1.0) + 10.0 * stochad.sum(without * 1.0)

    with stochad.using_rng(3):
        plain = f(point)
    value, _ = stochad.value_and_grad(f, rng=3)(point)
    assert value == plain  # same calls, same shapes, same order


def test_scalar_draw_consumes_one_uniform_like_forward_mode():
    def f(p):
        return stochad.bernoulli(p) + 10 * stochad.bernoulli(p) + 100 * stochad.poisson(p)

    for seed in range(20):
        with stochad.using_rng(seed):
            plain = f(0.4)
        assert stochad.value_and_grad(f, rng=seed)(0.4)[0] == plain


@pytest.mark.parametrize(
    "sampler, expected",
    [
        (lambda p: stochad.bernoulli(p, size=(2, 3)), 6.0),  # d E / dp = 1 per draw
        (lambda p: stochad.binomial(4, p, size=3), 12.0),
        (lambda p: stochad.poisson(p + 1.0, size=(5,)), 5.0),
        (lambda p: stochad.geometric(p, size=2), 2 * -1 / 0.25**2),
    ],
)
def test_reverse_rule_is_the_derivative_of_the_mean(sampler, expected):
    def f(p):
        return stochad.sum(sampler(p))

    # (the forward smoothed mode on the same draws: tests/reverse/test_same_seed.py)
    assert stochad.grad(f, rng=0)(0.25) == pytest.approx(expected)


def test_broadcast_parameters_collect_their_cotangents():
    g = stochad.grad(lambda p: stochad.sum(stochad.bernoulli(p, size=(7, 3)) * 2.0), rng=0)
    assert g(np.array([0.2, 0.5, 0.8])).tolist() == [14.0, 14.0, 14.0]


def test_binomial_count_may_be_traced():
    g = stochad.grad(lambda q: stochad.binomial(q[0], q[1]), rng=0)(np.array([6.0, 0.3]))
    assert g.tolist() == [0.3, 6.0]


@pytest.mark.parametrize(
    "f, message",
    [
        (lambda p: stochad.bernoulli(p * np.array([1.0, 2.0, 1.0])), r"index \(1,\)"),
        (lambda p: stochad.poisson(p - 1.0, size=(2, 2)), "lam"),
        (lambda p: stochad.bernoulli(p * np.nan * np.ones(2)), "nan"),
        (lambda p: stochad.binomial(p * 0 + np.array([2.0, 2.5]), 0.5), "n"),
        (lambda p: stochad.bernoulli(p * np.ones(3), size=(2,)), "broadcast"),
        (lambda p: stochad.bernoulli(p + 1.0), "p"),
    ],
)
def test_bad_parameters_raise_value_error(f, message):
    with pytest.raises(ValueError, match=message):
        stochad.grad(lambda p: stochad.sum(f(p)), rng=0)(0.6)


def test_primal_draw_is_the_plain_array_sampler():
    p = np.array([0.1, 0.5, 0.9])
    for size in [None, (4, 3), (2, 1, 3)]:
        a = primal_draw(BERNOULLI, Evaluation(RandomStreams.from_rng(5)), (p,), size)
        with stochad.using_rng(5):
            b = stochad.bernoulli(p, size=size)
        np.testing.assert_array_equal(a, b)
