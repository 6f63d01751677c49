"""Scalar triples never give a silently wrong number: comparisons, overflow, conversions."""

import warnings

import numpy as np
import pytest

import stochad


def test_if_on_a_comparison_of_a_continuous_value_raises():
    with pytest.raises(stochad.PerturbationLostError, match="discrete sampler"):
        stochad.derivative_estimate(lambda p: 1.0 if stochad.normal(p) > 0 else 0.0, 0.0)
    # a new user's first Bernoulli: numpy's uniform against a triple
    with pytest.raises(stochad.PerturbationLostError, match="comparison"):
        stochad.derivative_estimate(lambda p: 1.0 if np.random.rand() < p else 0.0, 0.3)


def test_arithmetic_on_such_a_comparison_warns():
    with pytest.warns(stochad.PerturbationLostWarning, match="comparison"):
        stochad.derivative_estimate(lambda p: (stochad.normal(p) > 0) * 2.0, 0.0, rng=0)
    with pytest.warns(stochad.PerturbationLostWarning):
        stochad.derivative_estimate(lambda p: np.random.rand() < p, 0.3)


def test_where_on_such_a_comparison_is_silent_and_discrete_comparisons_are_fine():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = stochad.derivative_estimate(
            lambda p: stochad.where(stochad.normal(p) > 0, p, 0.0), 0.3, rng=0
        )
        assert est in (0.0, 1.0)
        # a discrete draw's comparison carries its alternates: no loss, no warning
        r = stochad.expected_derivative(
            lambda p: (stochad.bernoulli(p) > 0.5) * 2.0, 0.3, 2000, rng=1
        )
        assert abs(r.mean - 2.0) < 5 * r.stderr


def test_propagate_may_branch_on_continuous_values():
    relu2 = lambda x: x * x if x > 0 else 0.0  # noqa: E731
    t = stochad.stochastic_triple(lambda p: stochad.propagate(relu2, p), 2.0)
    assert stochad.delta(t) == 4.0


def test_products_of_large_draws_do_not_wrap():
    t = stochad.stochastic_triple(
        lambda p: stochad.geometric(p) * stochad.geometric(p), 1e-10, rng=0
    )
    with stochad.using_rng(0):
        exact = stochad.geometric(1e-10) * stochad.geometric(1e-10)  # Python ints: exact
    assert exact > 2**63  # int64 would have wrapped
    assert stochad.value(t) == pytest.approx(exact, rel=1e-15)


@pytest.mark.parametrize(
    "program",
    [
        lambda p: np.float64(p),
        lambda p: np.asarray(p),
        lambda p: np.random.default_rng(0).binomial(1, p),
        lambda p: np.arange(3)[stochad.bernoulli(p)],
    ],
)
def test_numpy_conversions_say_what_to_use(program):
    with pytest.raises(stochad.PerturbationLostError, match="stochad.bernoulli"):
        stochad.derivative_estimate(program, 0.3, rng=1)


def test_a_non_number_output_raises_instead_of_reading_as_zero():
    for program in (lambda p: None, lambda p: "x", lambda p: {"a": p}, lambda p: (p,)):
        with pytest.raises(TypeError, match="f must return"):
            stochad.derivative_estimate(program, 0.3)

    def object_array(p):
        out = np.empty(2, dtype=object)
        out[0], out[1] = p, p
        return out

    with pytest.raises(TypeError, match="object array"):
        stochad.derivative_estimate(object_array, 0.3)
    with pytest.raises(TypeError, match="object array"):
        stochad.derivative_estimate(lambda p: p * 2, np.array([0.3, 0.4]), backend="dict")
    # a number that does not depend on p is a legitimate 0
    assert stochad.derivative_estimate(lambda p: 3, 0.3) == 0.0
