"""Same seed, same draws: ``grad(f)(x)·v`` equals the forward smoothed derivative along ``v``.

docs/theory.md §4: for the same random draws the reverse-mode gradient equals the forward-mode
smoothed derivative in every direction. Both modes must consume the primal stream
identically for this to hold.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import stochad
from tests.reverse.layers import SCALAR_ONLY, SMOOTH, STOCHASTIC, compose

TOLERANCE = 1e-9

SCALAR_LAYERS = {
    **STOCHASTIC,
    **SCALAR_ONLY,
    "tanh": SMOOTH["tanh"],
    "poly": SMOOTH["poly"],
    "where": SMOOTH["where"],
    "divide": SMOOTH["divide"],
}


def forward_along(f, x, v, seed, backend="smoothed"):
    return stochad.derivative_estimate(lambda t: f(x + t * v), 0.0, backend=backend, rng=seed)


def assert_same(reverse, forward):
    assert abs(reverse - forward) <= TOLERANCE * max(1.0, abs(forward)), (reverse, forward)


@given(
    names=st.lists(st.sampled_from(sorted(SCALAR_LAYERS)), min_size=1, max_size=5),
    x=st.floats(-1.5, 1.5),
    v=st.floats(-2.0, 2.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_scalar_programs(names, x, v, seed):
    f = compose(names, SCALAR_LAYERS)
    assert_same(stochad.grad(f, rng=seed)(x) * v, forward_along(f, x, v, seed))


@pytest.mark.parametrize("name", sorted(SCALAR_LAYERS))
def test_every_scalar_layer(name):
    f = compose([name, "tanh", name], SCALAR_LAYERS)
    for seed in range(5):
        assert_same(stochad.grad(f, rng=seed)(0.3), forward_along(f, 0.3, 1.0, seed))


def test_value_is_the_primal_run_on_the_same_seed():
    f = compose(sorted(SCALAR_LAYERS), SCALAR_LAYERS)
    value, _ = stochad.value_and_grad(f, rng=7)(0.2)
    with stochad.using_rng(7):
        assert value == f(0.2)


# -- arrays -----------------------------------------------------------------------------
@st.composite
def array_programs(draw, table):
    shape = draw(st.sampled_from([(3,), (2, 3)]))
    x = draw(hnp.arrays(np.float64, shape, elements=st.floats(-1.5, 1.5)))
    v = draw(hnp.arrays(np.float64, shape, elements=st.floats(-2.0, 2.0)))
    names = draw(st.lists(st.sampled_from(sorted(table)), min_size=1, max_size=4))
    return compose(names, table), x, v, draw(st.integers(0, 2**32 - 1))


def check_array_case(case):
    f, x, v, seed = case
    assert_same(
        float(stochad.grad(f, rng=seed)(x).ravel() @ v.ravel()), forward_along(f, x, v, seed)
    )


@given(array_programs(SMOOTH))
def test_deterministic_array_programs(case):
    check_array_case(case)


@given(array_programs({**SMOOTH, **STOCHASTIC}))
def test_stochastic_array_programs(case):
    check_array_case(case)


def test_array_draws_with_size():
    def f(w):
        h = stochad.bernoulli(stochad.sigmoid(w), size=(5, 3))
        return stochad.sum((h @ w) ** 2) + stochad.sum(h * w)

    x, v = np.array([0.1, -0.4, 0.9]), np.array([1.0, 2.0, -1.0])
    for seed in range(3):
        assert_same(float(stochad.grad(f, rng=seed)(x) @ v), forward_along(f, x, v, seed))


@given(
    names=st.lists(st.sampled_from(sorted(STOCHASTIC)), min_size=1, max_size=4),
    x=st.floats(-1.5, 1.5),
    v=st.floats(-2.0, 2.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_symmetric_strategy_in_reverse_mode(names, x, v, seed):
    # grad takes its smoothing rule from its backend, like forward mode
    f = compose(names, STOCHASTIC)
    symmetric = stochad.SmoothedBackend("symmetric")
    reverse = stochad.grad(f, rng=seed, backend=symmetric)(x) * v
    assert_same(reverse, forward_along(f, x, v, seed, backend=symmetric))


def test_symmetric_array_draws_with_size():
    def f(w):
        h = stochad.binomial(4, stochad.sigmoid(w), size=(5, 3))
        return stochad.sum((h @ w) ** 2)

    symmetric = stochad.SmoothedBackend("symmetric")
    x, v = np.array([0.1, -0.4, 0.9]), np.array([1.0, 2.0, -1.0])
    for seed in range(3):
        reverse = float(stochad.grad(f, rng=seed, backend=symmetric)(x) @ v)
        assert_same(reverse, forward_along(f, x, v, seed, backend=symmetric))
        # the straight-through gradient differs on the same draws
        assert abs(float(stochad.grad(f, rng=seed)(x) @ v) - reverse) > 1e-6


def test_grad_refuses_a_backend_with_perturbations():
    with pytest.raises(ValueError, match="smoothing backend"):
        stochad.grad(lambda w: w * w, backend="pruned")
