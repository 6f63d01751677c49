"""Bad input on arrays: ValueError naming the offending shape or index."""

import numpy as np
import pytest

import stochad


def run(f, p=0.3):
    return stochad.derivative_estimate(f, p, rng=0)


def test_out_of_range_array_parameter_names_its_index():
    with pytest.raises(ValueError, match=r"bernoulli: at index \(1, 0\).*p must be a probability"):
        run(lambda q: stochad.bernoulli(q * np.array([[1.0], [4.0]])))


def test_out_of_range_in_an_alternate_world_names_its_index():
    def f(q):
        n = stochad.bernoulli(q, size=3)  # p = 0: jumps to 1
        return stochad.bernoulli(0.5 + n * np.array([0.0, 0.0, 0.7]))

    with pytest.raises(ValueError, match=r"alternate world of bernoulli: at index \(2,\)"):
        run(f, 0.0)


def test_plain_array_draws_name_the_index_too():
    with pytest.raises(ValueError, match=r"poisson: at index \(2,\).*lam"):
        stochad.poisson(np.array([1.0, 2.0, -1.0]))


@pytest.mark.parametrize(
    "f",
    [
        lambda q: stochad.bernoulli(q, size=3) + np.ones(4),
        lambda q: stochad.bernoulli(q, size=(2, 3)) @ np.ones((2, 3)),
        lambda q: stochad.bernoulli(q * np.ones(4), size=(3,)),
    ],
    ids=["add", "matmul", "size"],
)
def test_shape_mismatches_name_the_shapes(f):
    with pytest.raises(ValueError, match=r"\(\d+,"):
        run(f)
