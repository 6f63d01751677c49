"""Plain array draws (no triples): the same primal path as scalar draws, broadcasting, errors.

* a ``size=(k,)`` draw equals ``k`` scalar draws for the same seed (one ``primal.random``
  call consumes the PCG64 stream exactly like ``k`` single calls);
* array parameters broadcast against each other and against ``size``; each element is
  ``inverse_cdf(1 − r)`` with its own parameters;
* shapes that do not broadcast, and an invalid element, raise ``ValueError``.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stochad
from stochad.distributions import DISTRIBUTIONS
from tests.distributions.distribution_checks import assert_bad_input

SCALAR_PARAMS = {
    "bernoulli": (0.3,),
    "binomial": (7, 0.4),
    "geometric": (0.25,),
    "poisson": (3.5,),
}
SAMPLERS = {name: getattr(stochad, name) for name in SCALAR_PARAMS}


def test_numpy_stream_gives_the_same_numbers_in_one_call_or_many():
    one_by_one = np.random.default_rng(5)
    assert np.random.default_rng(5).random(9).tolist() == [one_by_one.random() for _ in range(9)]


@pytest.mark.parametrize("name", SCALAR_PARAMS)
@given(seed=st.integers(0, 2**32), k=st.integers(1, 20))
def test_sized_draw_equals_scalar_draws(name, seed, k):
    sampler, params = SAMPLERS[name], SCALAR_PARAMS[name]
    with stochad.using_rng(seed):
        array = sampler(*params, size=(k,))
    with stochad.using_rng(seed):
        scalars = [sampler(*params) for _ in range(k)]
    assert array.shape == (k,)
    assert array.tolist() == scalars


@pytest.mark.parametrize(
    "name, params, size, shape",
    [
        ("bernoulli", (np.array([0.1, 0.5, 0.9]),), None, (3,)),
        ("binomial", (np.array([[1], [5]]), np.array([0.2, 0.5, 0.8])), None, (2, 3)),
        ("poisson", (np.array([1.0, 2.0]),), (4, 2), (4, 2)),
        ("geometric", (0.5,), 6, (6,)),
    ],
)
def test_broadcast_draws_apply_each_elements_parameters(name, params, size, shape):
    seed = 3
    with stochad.using_rng(seed):
        draws = SAMPLERS[name](*params, size=size)
    assert draws.shape == shape
    u = 1.0 - np.random.default_rng(seed).random(shape)
    arrays = np.broadcast_arrays(u, *[np.asarray(q) for q in params])
    rule = DISTRIBUTIONS[name]
    for index in np.ndindex(shape):
        element_params = [a[index].item() for a in arrays[1:]]
        assert draws[index] == rule.inverse_cdf(arrays[0][index], *element_params)


@pytest.mark.parametrize(
    "draw, fragments",
    [
        (lambda: stochad.bernoulli(np.array([0.1, 0.2]), size=(3,)), ("broadcast", "size")),
        (lambda: stochad.binomial(np.array([1, 2, 3]), np.array([0.1, 0.2])), ("broadcast",)),
        (lambda: stochad.poisson(np.ones((2, 3)), size=(3, 2)), ("broadcast",)),
        (lambda: stochad.bernoulli(np.array([0.1, 1.5])), ("p", "[0, 1]", "index")),
        (lambda: stochad.binomial(np.array([2, -1]), 0.5), ("n", ">= 0")),
    ],
)
def test_shape_and_value_errors(draw, fragments):
    assert_bad_input(draw, ValueError, *fragments)


@pytest.mark.parametrize("size", [2.5, "3", True, [1.5]])
def test_size_must_be_whole_numbers(size):
    with pytest.raises(TypeError, match="size must be"):
        stochad.bernoulli(0.5, size=size)


def test_size_must_not_be_negative():
    with pytest.raises(ValueError, match="size must hold whole numbers >= 0"):
        stochad.bernoulli(0.5, size=(2, -1))


def test_an_infinite_count_is_a_value_error():
    with pytest.raises(ValueError, match="n must be a whole number >= 0, got n=inf"):
        stochad.binomial(float("inf"), 0.5)
