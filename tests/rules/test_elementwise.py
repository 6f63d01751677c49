"""Elementwise primitives on scalar triples.

* every primitive's δ equals its analytic derivative (hypothesis over each domain), with the
  triple in each argument position;
* composite deterministic programs: δ equals central finite differences;
* numpy ufuncs (``np.exp(t)``, ``np.float64(2) * t``) reach the same rules via
  ``__array_ufunc__``;
* comparisons return 0/1 triples with δ = 0 whose alternates are the alternate outcomes;
* ``where`` keeps the perturbations of its condition and of both branches.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import expit

import stochad
from stochad.rules.elementwise import UFUNC_PRIMITIVES

reals = st.floats(-5, 5)
positives = st.floats(0.05, 5)
nonzero = reals.filter(lambda x: abs(x) > 1e-3)

UNARY = {
    "exp": (stochad.exp, math.exp, reals),
    "log": (stochad.log, lambda x: 1 / x, positives),
    "sqrt": (stochad.sqrt, lambda x: 0.5 / math.sqrt(x), positives),
    "sin": (stochad.sin, math.cos, reals),
    "cos": (stochad.cos, lambda x: -math.sin(x), reals),
    "tanh": (stochad.tanh, lambda x: 1 - math.tanh(x) ** 2, reals),
    "sigmoid": (stochad.sigmoid, lambda x: expit(x) * (1 - expit(x)), reals),
    "negative": (lambda t: -t, lambda x: -1.0, reals),
    "abs": (abs, lambda x: math.copysign(1.0, x), nonzero),
}

# (function, ∂/∂x, ∂/∂y, strategy of x, strategy of y)
BINARY = {
    "add": (lambda x, y: x + y, lambda x, y: 1.0, lambda x, y: 1.0, reals, reals),
    "subtract": (lambda x, y: x - y, lambda x, y: 1.0, lambda x, y: -1.0, reals, reals),
    "multiply": (lambda x, y: x * y, lambda x, y: y, lambda x, y: x, reals, reals),
    "divide": (lambda x, y: x / y, lambda x, y: 1 / y, lambda x, y: -x / y**2, reals, nonzero),
    "power": (
        lambda x, y: x**y,
        lambda x, y: y * x ** (y - 1),
        lambda x, y: x**y * math.log(x),
        positives,
        st.floats(-3, 3),
    ),
    "maximum": (
        stochad.maximum,
        lambda x, y: float(x > y),
        lambda x, y: float(y > x),
        reals,
        reals,
    ),
    "minimum": (
        stochad.minimum,
        lambda x, y: float(x < y),
        lambda x, y: float(y < x),
        reals,
        reals,
    ),
}


def delta_at(f, x):
    return stochad.delta(stochad.stochastic_triple(f, x))


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_delta_is_the_derivative(name, data):
    f, derivative, domain = UNARY[name]
    x = data.draw(domain)
    assert delta_at(f, x) == pytest.approx(derivative(x), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_delta_is_the_derivative_in_each_argument(name, data):
    f, dx, dy, xs, ys = BINARY[name]
    x, y = data.draw(xs), data.draw(ys)
    if name in ("maximum", "minimum") and x == y:
        return  # not differentiable at a tie
    assert delta_at(lambda t: f(t, y), x) == pytest.approx(dx(x, y), rel=1e-12)
    assert delta_at(lambda t: f(x, t), y) == pytest.approx(dy(x, y), rel=1e-12)


def _composite_1(x):
    return stochad.exp(stochad.sin(x)) * x**2 / (1 + stochad.tanh(x) ** 2)


def _composite_2(x):
    return stochad.log(1 + stochad.sigmoid(3 * x)) - stochad.sqrt(x * x + 1) * stochad.cos(x)


def _composite_3(x):
    return stochad.maximum(x, 0.5) ** 3 - abs(x - 2) / (2.0**x) + stochad.where(x > 1, x, -x)


@pytest.mark.parametrize("program", [_composite_1, _composite_2, _composite_3])
@given(x=st.floats(-3, 3).filter(lambda x: min(abs(x - 0.5), abs(x - 2), abs(x - 1)) > 1e-3))
def test_composite_delta_matches_finite_differences(program, x):
    h = 1e-6
    finite = (stochad.value(program(x + h)) - stochad.value(program(x - h))) / (2 * h)
    assert delta_at(program, x) == pytest.approx(finite, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("ufunc", UFUNC_PRIMITIVES, ids=lambda u: u.__name__)
def test_numpy_ufuncs_use_the_same_rules(ufunc):
    x, other = 0.7, 1.3
    arity = ufunc.nin

    def through_numpy(t):
        return ufunc(t) if arity == 1 else ufunc(t, other)

    def through_stochad(t):
        from stochad.core.primitives import call

        return call(UFUNC_PRIMITIVES[ufunc], *((t,) if arity == 1 else (t, other)))

    got = stochad.stochastic_triple(through_numpy, x)
    expected = stochad.stochastic_triple(through_stochad, x)
    assert isinstance(got, stochad.Triple)
    assert (stochad.value(got), stochad.delta(got)) == (
        stochad.value(expected),
        stochad.delta(expected),
    )


def test_numpy_scalars_on_the_left():
    t = stochad.stochastic_triple(lambda p: np.float64(2.0) * p + np.float64(1.0), 0.5)
    assert isinstance(t, stochad.Triple)
    assert (stochad.value(t), stochad.delta(t)) == (2.0, 2.0)


def test_integer_draw_to_a_negative_power():
    """``X ** -1`` of an integer-valued draw is ``1 / X`` (as in Python), not an error."""

    def program(lam):
        x = stochad.poisson(lam)
        return x, x**-1

    x, t = stochad.stochastic_triple(program, 40.0, backend="dict", rng=1)
    assert stochad.value(t) == pytest.approx(1 / stochad.value(x))
    (jump,) = stochad.perturbations(t)
    assert jump.alternate == pytest.approx(1 / (stochad.value(x) + 1))


COMPARISONS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


@pytest.mark.parametrize("op", COMPARISONS)
@pytest.mark.parametrize("threshold", [0.0, 1.0, 1.5])
def test_comparisons_carry_alternate_outcomes(op, threshold):
    compare = COMPARISONS[op]
    seen_perturbation = False
    for seed in range(6):

        def program(p):
            x = stochad.binomial(3, p) + p
            return x, compare(x, threshold)

        x, c = stochad.stochastic_triple(program, 0.4, backend="dict", rng=seed)
        assert stochad.value(c) == float(compare(stochad.value(x), threshold))
        assert stochad.delta(c) == 0
        by_event = {q.event: q.alternate for q in stochad.perturbations(x)}
        for q in stochad.perturbations(c):
            assert q.alternate == float(compare(by_event[q.event], threshold))
        seen_perturbation |= bool(stochad.perturbations(x))
    assert seen_perturbation


def test_comparison_of_a_deterministic_triple_has_no_derivative():
    t = stochad.stochastic_triple(lambda p: p < 0.5, 0.3)
    assert (stochad.value(t), stochad.delta(t), stochad.perturbations(t)) == (1.0, 0, [])


@pytest.mark.parametrize("backend", ["pruned", "dict"])
def test_where_keeps_the_condition_and_branch_perturbations(backend):
    for seed in range(10):

        def program(p):
            c = stochad.bernoulli(p)
            a, b = stochad.poisson(3 * p), 10 * p
            return c, a, stochad.where(c > 0, a, b)

        c, a, out = stochad.stochastic_triple(program, 0.5, backend=backend, rng=seed)
        chosen = a if stochad.value(c) else 10 * 0.5
        assert stochad.value(out) == stochad.value(chosen)
        assert stochad.delta(out) == (0.0 if stochad.value(c) else 10.0)
        alternates = {q.event: q.alternate for q in stochad.perturbations(out)}
        for q in stochad.perturbations(c):
            if q.event in alternates:  # the condition flips: the other branch
                other = 10 * 0.5 if q.alternate == 0 else stochad.value(a)
                assert alternates[q.event] == other


def test_where_is_unbiased():
    def program(p):
        return stochad.where(stochad.bernoulli(p) > 0, 3 * p + 1, 2 * p)

    r = stochad.expected_derivative(program, 0.3, 2000, backend="dict", rng=1)
    exact = 2 * 0.3 + 3  # d/dp [p·(3p + 1) + (1 − p)·2p] = d/dp (p² + 3p)
    assert r.stderr > 0
    assert abs(r.mean - exact) <= 5 * r.stderr
