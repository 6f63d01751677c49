"""Normal and exponential draws: reparameterization, Monte Carlo unbiasedness, bad input.

* the primal path is ``loc + scale·z`` / ``scale·e`` with ``z``, ``e`` from the user's
  generator, and δ is the reparameterization derivative (no perturbations);
* ``expected_derivative`` within 5 standard errors of closed-form derivatives on every
  backend, alone and mixed with discrete draws;
* invalid parameters raise ``ValueError``/``TypeError`` naming ``loc`` or ``scale``.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stochad
from tests.distributions.distribution_checks import Case, assert_bad_input, monte_carlo_test

SEED = 11


@given(st.floats(-10, 10), st.floats(0.01, 10))
def test_normal_is_reparameterized(loc, scale):
    z = np.random.default_rng(SEED).standard_normal()
    by_loc = stochad.stochastic_triple(lambda m: stochad.normal(m, scale), loc, rng=SEED)
    by_scale = stochad.stochastic_triple(lambda s: stochad.normal(loc, s), scale, rng=SEED)
    assert stochad.value(by_loc) == pytest.approx(loc + scale * z)
    assert stochad.delta(by_loc) == 1.0
    assert stochad.delta(by_scale) == pytest.approx(z)
    assert stochad.perturbations(by_loc) == stochad.perturbations(by_scale) == []


@given(st.floats(0.01, 10))
def test_exponential_is_reparameterized(scale):
    e = np.random.default_rng(SEED).standard_exponential()
    t = stochad.stochastic_triple(stochad.exponential, scale, rng=SEED)
    assert stochad.value(t) == pytest.approx(scale * e)
    assert stochad.delta(t) == pytest.approx(e)


def test_plain_draws_follow_the_seeded_stream():
    rng = np.random.default_rng(SEED)
    with stochad.using_rng(SEED):
        draws = [stochad.normal(1.0, 2.0), stochad.exponential(3.0)]
    assert draws == [1.0 + 2.0 * rng.standard_normal(), 3.0 * rng.standard_exponential()]


P = 0.7
CASES = [
    Case("normal(p, 1)", lambda p: stochad.normal(p, 1.0), P, 1.0, random=False),
    Case("normal(0, p)^2", lambda p: stochad.normal(0.0, p) ** 2, P, 2 * P),
    Case("exponential(p)^2", lambda p: stochad.exponential(p) ** 2, P, 4 * P),
    Case(
        "normal(p, 1) * Bern(p)", lambda p: stochad.normal(p, 1.0) * stochad.bernoulli(p), P, 2 * P
    ),
    Case(
        "Poi(exponential(p))", lambda p: stochad.poisson(stochad.exponential(p)) ** 2, P, 1 + 4 * P
    ),
    Case("exp(normal(p, 1))", lambda p: stochad.exp(stochad.normal(p, 1.0)), P, math.exp(P + 0.5)),
]

test_monte_carlo_mean_matches_exact_derivative = monte_carlo_test(CASES)


@pytest.mark.parametrize(
    "draw, fragments",
    [
        (lambda: stochad.normal(0, -1), ("scale", ">= 0", "-1")),
        (lambda: stochad.normal(math.inf, 1), ("loc", "finite")),
        (lambda: stochad.normal(0, math.nan), ("scale", "nan")),
        (lambda: stochad.exponential(-2.0), ("scale", ">= 0")),
        (lambda: stochad.derivative_estimate(lambda s: stochad.normal(0, s), -1.0), ("scale",)),
    ],
)
def test_bad_parameters_raise_value_error(draw, fragments):
    assert_bad_input(draw, ValueError, *fragments)


@pytest.mark.parametrize(
    "draw, name",
    [
        (lambda: stochad.normal("0", 1), "loc"),
        (lambda: stochad.normal(0, None), "scale"),
        (lambda: stochad.exponential("1"), "scale"),
    ],
)
def test_wrong_type_raises_type_error(draw, name):
    assert_bad_input(draw, TypeError, name)


# -- arrays -------------------------------------------------------------------------------
def test_array_draws_take_one_numpy_call_of_the_broadcast_shape():
    expected = np.random.default_rng(SEED).standard_normal((2, 3))
    with stochad.using_rng(SEED):
        x = stochad.normal(np.array([0.0, 1.0, 2.0]), 2.0, size=(2, 3))
    np.testing.assert_array_equal(x, np.array([0.0, 1.0, 2.0]) + 2.0 * expected)
    expected = np.random.default_rng(SEED).standard_exponential(4)
    with stochad.using_rng(SEED):
        np.testing.assert_array_equal(
            stochad.exponential([1.0, 2.0, 3.0, 4.0]), expected * [1, 2, 3, 4]
        )


@pytest.mark.parametrize("backend", ["pruned", "smoothed"])
def test_array_draws_with_a_triple_parameter_are_unbiased(backend):
    # 4000 rows of E[normal(1, s)²] = 1 + s²: d/ds = 2s per row
    def f(s):
        return stochad.normal(1.0, s, size=4000) ** 2 + stochad.exponential(s, size=4000)

    est = stochad.derivative_estimate(f, 1.5, backend=backend, rng=SEED)
    assert est.shape == (4000,)
    assert abs(est.mean() - (2 * 1.5 + 1.0)) < 5 * est.std(ddof=1) / np.sqrt(est.size)


def test_array_parameters_are_checked_element_by_element():
    with pytest.raises(ValueError, match=r"loc must be finite, got loc\[1\]=nan"):
        stochad.normal([0.0, np.nan])
    with pytest.raises(ValueError, match=r"scale must be finite and >= 0, got scale\[0, 1\]=-1.0"):
        stochad.exponential(np.array([[1.0, -1.0]]))
    with pytest.raises(ValueError, match="does not broadcast"):
        stochad.normal(np.zeros(3), 1.0, size=(2,))
