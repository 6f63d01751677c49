"""Deterministic programs: the reverse-mode gradient equals central finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import stochad
from tests.reverse.layers import SMOOTH, compose

H = 1e-6
SHAPES = [(3,), (2, 3), (4, 3)]


def central_differences(f, x: np.ndarray) -> np.ndarray:
    out = np.empty(x.shape)
    for index in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[index] = H
        out[index] = (f(x + step) - f(x - step)) / (2 * H)
    return out


def assert_matches_differences(g, fd):
    scale = max(1.0, float(np.max(np.abs(fd))))
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6 * scale)


@st.composite
def programs(draw):
    shape = draw(st.sampled_from(SHAPES))
    x = draw(hnp.arrays(np.float64, shape, elements=st.floats(-2.0, 2.0)))
    names = draw(st.lists(st.sampled_from(sorted(SMOOTH)), min_size=1, max_size=4))
    return names, x


@given(programs())
def test_grad_equals_central_differences(case):
    names, x = case
    f = compose(names, SMOOTH)
    assert_matches_differences(stochad.grad(f)(x), central_differences(f, x))


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_every_layer_alone(name):
    f = compose([name], SMOOTH)
    x = np.array([[0.3, -1.2, 0.7], [1.5, -0.4, 0.05]])
    assert_matches_differences(stochad.grad(f)(x), central_differences(f, x))


def test_matmul_both_sides_traced():
    rng = np.random.default_rng(0)
    X, W = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    v = rng.normal(size=3)

    def loss(p):
        return stochad.sum(stochad.tanh(p["X"] @ p["W"]) ** 2) + p["v"] @ p["v"] + v @ p["v"]

    g = stochad.grad(loss)({"X": X, "W": W, "v": v})
    for key, value in (("X", X), ("W", W), ("v", v)):

        def along(a, key=key):
            return loss({"X": X, "W": W, "v": v} | {key: a})

        assert_matches_differences(g[key], central_differences(along, value))


def test_array_methods_and_indexing():
    x = np.arange(6.0).reshape(2, 3) / 5.0

    def f(x):
        a = x.T.sum(axis=1) * x[1, :2].sum()  # .T, .sum, integer and slice indexing
        b = x.reshape(3, 2).mean() + x.reshape((6,))[::2] @ x[0]
        first, second = x  # unpacking iterates through indexing
        return stochad.sum(a * a) + b + first @ second + abs(-x[0, 0]) + (+x)[1, 1]

    assert_matches_differences(stochad.grad(f)(x), central_differences(f, x))


def test_scalar_argument_gives_float():
    g = stochad.grad(lambda x: stochad.exp(2.0 * x) * x)(0.5)
    assert isinstance(g, float)
    assert g == pytest.approx(np.exp(1.0) * 2.0)


def test_output_independent_of_argument_gives_zeros():
    g = stochad.grad(lambda p: p["a"] * 2.0)({"a": 1.0, "b": np.ones(3)})
    assert g["a"] == 2.0 and g["b"].tolist() == [0.0, 0.0, 0.0]
    assert stochad.grad(lambda x: 3.0)(np.ones(2)).tolist() == [0.0, 0.0]


def test_numpy_reductions_call_the_tracer_methods():
    g = stochad.grad(lambda x: np.sum(x * x) + np.mean(x, axis=0) @ np.ones(2))(np.ones((3, 2)))
    np.testing.assert_allclose(g, 2.0 + 1.0 / 3.0)
    with pytest.raises(TypeError, match="dtype"):
        stochad.grad(lambda x: np.sum(x, dtype=np.float32))(np.ones(2))


@pytest.mark.parametrize("convert", [bool, int, lambda x: [0.0, 1.0][x]])
def test_conversions_of_a_traced_value_raise_rather_than_drop_its_gradient(convert):
    with pytest.raises(stochad.PerturbationLostError):
        stochad.grad(lambda x: convert(x) * x)(1.0)


@pytest.mark.parametrize(
    "read", [stochad.delta, stochad.perturbations, stochad.derivative_contribution]
)
def test_forward_mode_readers_on_a_tracer_say_where_the_gradient_is(read):
    with pytest.raises(TypeError, match="what grad returns"):
        stochad.grad(lambda x: read(x) * x)(1.0)
