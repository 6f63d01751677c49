"""Nested derivatives: every evaluation has a level, so tangents of nested calls never mix.

The three programs of the perturbation-confusion report with their exact answers, second
derivatives of generated polynomials through every nesting of forward mode and ``grad``,
mixed discrete programs checked against enumeration, and the errors for combinations that
are not supported and for carriers of a finished evaluation.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stochad


def test_inner_derivative_of_a_product_is_the_outer_value():
    def outer(p):
        return stochad.derivative_estimate(lambda q: p * q, 0.5)  # = p

    assert stochad.derivative_estimate(outer, 1.0) == 1.0


def test_array_form_nests():
    def outer(p):  # inner: d/dq of p q² at 0.5 = p, so outer is Σ p² and its gradient 2p
        return stochad.sum(stochad.derivative_estimate(lambda q: p * q * q, 0.5) * p)

    np.testing.assert_array_equal(
        stochad.derivative_estimate(outer, np.array([1.0, 2.0])), [2.0, 4.0]
    )


def test_outer_draw_inside_an_inner_derivative():
    def outer(p):
        x = stochad.bernoulli(p)
        return stochad.derivative_estimate(lambda q: x * q, 0.5)  # = X, E = p

    p = 0.3
    r = stochad.expected_derivative(outer, p, 4000, rng=0)
    # X jumps 0 -> 1 at rate 1/(1-p) when X = 0: the estimate is 1/(1-p) w.p. 1-p, else 0
    assert set(np.round(r.samples, 12)) <= {0.0, round(1 / (1 - p), 12)}
    exact_std = np.sqrt(p / (1 - p))
    assert abs(r.mean - 1.0) < 5 * exact_std / np.sqrt(r.n)


def test_inner_draw_outer_parameter_matches_enumeration():
    # inner: d/dq E[p·B(q)] = p, estimated by p·1[X=0]/(1−q); outer differentiates it in p:
    # an estimate 1[X=0]/(1−q), whose mean over X ~ Bernoulli(q) is 1 exactly
    q = 0.3

    def outer(p):
        return stochad.derivative_estimate(lambda t: p * stochad.bernoulli(t), q)

    r = stochad.expected_derivative(outer, 0.8, 4000, rng=1)
    exact_mean = (1 - q) * (1 / (1 - q)) + q * 0.0
    exact_std = np.sqrt((1 - q) * (1 / (1 - q)) ** 2 - exact_mean**2)
    assert abs(r.mean - exact_mean) < 5 * exact_std / np.sqrt(r.n)


def test_two_outer_draws_under_an_inner_derivative_match_enumeration():
    def outer(p):  # inner = 2 (X + Y): E = 4p, d/dp = 4
        x, y = stochad.bernoulli(p), stochad.bernoulli(p)
        return stochad.derivative_estimate(lambda q: (x + y) * q * q, 1.0)

    for backend in ("pruned", "dict"):
        r = stochad.expected_derivative(outer, 0.4, 3000, backend=backend, rng=2)
        assert abs(r.mean - 4.0) < 5 * r.stderr + 1e-12


coefficients = st.lists(st.floats(-3, 3), min_size=9, max_size=9)
points = st.floats(-1.5, 1.5)


def power(x, k: int):
    # repeated products: x ** 0 would give the rule 0 · x ** -1, nan at x = 0
    result = 1.0
    for _ in range(k):
        result = result * x
    return result


def polynomial(c, p, q):
    return sum(c[3 * i + j] * power(p, i) * power(q, j) for i in range(3) for j in range(3))


def mixed_partial(c, p, q):
    return sum(
        c[3 * i + j] * i * j * p ** (i - 1) * q ** (j - 1) for i in range(1, 3) for j in range(1, 3)
    )


@given(c=coefficients, p=points, q=points)
def test_every_nesting_gives_the_mixed_partial(c, p, q):
    exact = mixed_partial(c, p, q)
    forward = stochad.derivative_estimate
    inner_forward = lambda a: forward(lambda b: polynomial(c, a, b), q)  # noqa: E731
    inner_grad = lambda a: stochad.grad(lambda b: polynomial(c, a, b))(q)  # noqa: E731
    results = {
        "forward in forward": forward(inner_forward, p),
        "forward in grad": stochad.grad(inner_forward)(p),
        "grad in forward": forward(inner_grad, p),
        "grad in grad": stochad.grad(inner_grad)(p),
    }
    for name, result in results.items():
        assert result == pytest.approx(exact, rel=1e-9, abs=1e-9), name


@given(p=st.floats(0.5, 3.0))
def test_second_derivative_of_a_deterministic_program(p):
    second = stochad.derivative_estimate(
        lambda a: stochad.derivative_estimate(lambda b: stochad.exp(b) * b * b, a), p
    )
    assert second == pytest.approx(np.exp(p) * (p * p + 4 * p + 2), rel=1e-12)


def test_a_draw_depending_on_both_levels_raises():
    def outer(p):
        return stochad.derivative_estimate(lambda q: stochad.bernoulli(p * q), 0.5)

    with pytest.raises(NotImplementedError, match="nested derivatives"):
        stochad.derivative_estimate(outer, 0.5)


def test_an_inner_array_draw_meeting_an_outer_triple_raises():
    def outer(p):
        return stochad.derivative_estimate(
            lambda q: stochad.sum(stochad.bernoulli(q, size=3) * p), 0.5
        )

    with pytest.raises(NotImplementedError, match="nested derivatives"):
        stochad.derivative_estimate(outer, 0.5)


def test_a_kept_triple_in_a_new_evaluation_raises():
    kept = stochad.stochastic_triple(stochad.bernoulli, 0.3, rng=1)
    with pytest.raises(ValueError, match="another derivative evaluation"):
        stochad.derivative_estimate(lambda p: p + kept, 0.3)
    with pytest.raises(ValueError, match="another derivative evaluation"):
        stochad.derivative_estimate(lambda p: kept * 2.0, 0.3)


def test_a_triple_taken_inside_f_raises_when_used():
    def f(p):
        t = stochad.stochastic_triple(lambda q: q * q, 2.0)
        return p * t

    with pytest.raises(ValueError, match="another derivative evaluation"):
        stochad.derivative_estimate(f, 1.0)


def test_a_finished_triple_can_still_be_read_outside_derivatives():
    t = stochad.stochastic_triple(lambda p: stochad.bernoulli(p, size=3), 0.3, rng=0)
    assert stochad.value(t[0]) == 0.0
