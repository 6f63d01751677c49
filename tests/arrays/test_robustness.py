"""Triple arrays: coordinates do not leak into each other, pickling, numpy reductions."""

import copy
import pickle

import numpy as np
import pytest

import stochad


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_an_infinite_partial_stays_in_its_coordinate():
    w = np.array([0.0, 1.0, 4.0])
    f = lambda w: stochad.sum(stochad.sqrt(w))  # noqa: E731
    g = lambda w: stochad.sum(stochad.where(w > 0, stochad.sqrt(w), 0.0))  # noqa: E731
    np.testing.assert_array_equal(stochad.derivative_estimate(f, w), [np.inf, 0.5, 0.25])
    np.testing.assert_array_equal(stochad.derivative_estimate(g, w), [0.0, 0.5, 0.25])
    for program in (f, g):  # forward and reverse agree
        np.testing.assert_array_equal(
            stochad.derivative_estimate(program, w), stochad.grad(program)(w)
        )


def test_triple_arrays_pickle_and_deep_copy():
    t = stochad.stochastic_triple(lambda p: stochad.bernoulli(p, size=50) * 2.0, 0.3, rng=0)
    for copied in (pickle.loads(pickle.dumps(t)), copy.deepcopy(t)):
        np.testing.assert_array_equal(copied.value, t.value)
        np.testing.assert_array_equal(copied.weight, t.weight)
        np.testing.assert_array_equal(
            stochad.derivative_contribution(copied), stochad.derivative_contribution(t)
        )


def test_numpy_reductions_take_keepdims():
    def f(p):
        x = stochad.bernoulli(p, size=(4, 3))
        return np.sum(x, axis=1, keepdims=True) + np.mean(x, keepdims=True)

    out = stochad.stochastic_triple(f, 0.3, rng=0)
    assert out.shape == (4, 1)
