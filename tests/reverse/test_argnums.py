"""``grad``/``value_and_grad`` with JAX's ``argnums`` and ``has_aux``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stochad


def f3(a, b, c):
    return stochad.sum(a * b) + 3.0 * c * c


A, B, C = np.array([1.0, -2.0]), np.array([0.5, 4.0]), 1.5


def test_int_argnums_picks_one_argument():
    np.testing.assert_array_equal(stochad.grad(f3, argnums=1)(A, B, C), A)
    assert stochad.grad(f3, argnums=2)(A, B, C) == 9.0
    assert stochad.grad(f3, argnums=-1)(A, B, C) == 9.0  # counts from the end
    np.testing.assert_array_equal(stochad.grad(f3)(A, B, C), B)  # default: the first


def test_tuple_argnums_gives_a_tuple():
    value, (ga, gc) = stochad.value_and_grad(f3, argnums=(0, 2))(A, B, C)
    assert value == pytest.approx(float(A @ B) + 3 * C * C)
    np.testing.assert_array_equal(ga, B)
    assert gc == 9.0
    (g,) = stochad.grad(f3, argnums=(1,))(A, B, C)
    np.testing.assert_array_equal(g, A)


def test_has_aux_returns_concrete_aux():
    def loss(w, x):
        y = w * x
        return stochad.sum(y * y), {"y": y, "pair": (y, 2.0)}

    (value, aux), g = stochad.value_and_grad(loss, has_aux=True)(A, B)
    np.testing.assert_array_equal(aux["y"], A * B)
    assert isinstance(aux["y"], np.ndarray) and aux["pair"][1] == 2.0
    np.testing.assert_allclose(g, 2 * A * B * B)
    g2, aux2 = stochad.grad(loss, has_aux=True)(A, B)
    np.testing.assert_array_equal(g2, g)
    np.testing.assert_array_equal(aux2["pair"][0], A * B)
    assert value == pytest.approx(float(np.sum((A * B) ** 2)))


@settings(max_examples=15)
@given(st.floats(0.05, 0.95), st.floats(-2.0, 2.0), st.integers(0, 2**31))
def test_argnums_sees_the_same_draws_as_a_wrapper(p, w, seed):
    """Differentiating argument 1 == differentiating a closure over argument 0."""

    def f(scale, q):
        return stochad.sum(scale * stochad.bernoulli(q * np.ones(5)))

    direct = stochad.grad(f, argnums=1, rng=seed)(w, p)
    wrapped = stochad.grad(lambda q: f(w, q), rng=seed)(p)
    assert direct == pytest.approx(wrapped)
    both = stochad.grad(f, argnums=(0, 1), rng=seed)(w, p)
    assert both[1] == pytest.approx(direct)
    with stochad.using_rng(seed):
        draws = stochad.bernoulli(p * np.ones(5))
    assert both[0] == pytest.approx(float(np.sum(draws)))  # d/dscale: the draws themselves


def test_keyword_arguments_pass_through():
    assert stochad.grad(lambda x, *, k: k * x * x)(2.0, k=3.0) == 12.0


def test_bad_argnums_and_aux():
    with pytest.raises(TypeError, match="argnums"):
        stochad.grad(f3, argnums="0")
    with pytest.raises(TypeError, match="argnums"):
        stochad.grad(f3, argnums=())
    with pytest.raises(TypeError, match="argnums"):
        stochad.grad(f3, argnums=(True,))
    with pytest.raises(ValueError, match="out of range"):
        stochad.grad(f3, argnums=3)(A, B, C)
    with pytest.raises(ValueError, match="repeat"):
        stochad.grad(f3, argnums=(0, -3))(A, B, C)
    with pytest.raises(TypeError, match="has_aux"):
        stochad.grad(lambda x: x * x, has_aux=True)(1.0)
