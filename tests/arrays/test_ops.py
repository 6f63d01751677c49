"""Triple-array operations against the scalar triple engine and numpy.

Same draws: ``bernoulli(p, size=n)`` consumes the primal stream exactly as ``n`` scalar
``bernoulli(p)`` calls, so an operation with one perturbation per element (nothing to
prune) must give the same values, δ, alternates and weights as the scalar engine, bit
for bit up to float rounding. Operations that prune are compared in expectation
(test_unbiased.py) and by their invariants here.
"""

import numpy as np
import pytest

import stochad
from stochad.arrays import TripleArray

P = 0.35
N = 12

UNARY = {
    "add": lambda x: x + 2.5,
    "radd": lambda x: 2.5 + x,
    "sub": lambda x: 1.0 - x,
    "mul": lambda x: x * 3.0,
    "div": lambda x: x / 4.0,
    "rdiv": lambda x: 2.0 / (x + 1.0),
    "pow": lambda x: (x + 1.0) ** 2,
    "rpow": lambda x: 2.0**x,
    "neg": lambda x: -x,
    "abs": lambda x: abs(x - 0.5),
    "exp": stochad.exp,
    "log": lambda x: stochad.log(x + 1.0),
    "sqrt": lambda x: stochad.sqrt(x + 1.0),
    "sin": stochad.sin,
    "cos": stochad.cos,
    "tanh": stochad.tanh,
    "sigmoid": stochad.sigmoid,
    "maximum": lambda x: stochad.maximum(x, 0.5),
    "minimum": lambda x: stochad.minimum(x, 0.5),
    "where": lambda x: stochad.where(x > 0, 3.0, -1.0),
    "less": lambda x: x < 0.5,
    "ge": lambda x: x >= 1.0,
    "eq": lambda x: x == 1.0,
    "np.exp": np.exp,
    "np.add": lambda x: np.add(1.0, x),
    "chain": lambda x: stochad.sigmoid(3.0 * x - 1.0) * (x + 2.0),
}


def array_and_scalars(g, p=P, n=N, backend="pruned", seed=3):
    """``g`` applied to one array draw, and to ``n`` scalar draws, on the same seed."""
    out = stochad.stochastic_triple(
        lambda q: g(stochad.bernoulli(q, size=n) * 1.0 + 0.0 * q), p, backend=backend, rng=seed
    )
    scalars = stochad.stochastic_triple(
        lambda q: [g(stochad.bernoulli(q) * 1.0 + 0.0 * q) for _ in range(n)],
        p,
        backend=backend,
        rng=seed,
    )
    return out, scalars


def scalar_fields(scalars):
    value = np.array([stochad.value(t) for t in scalars], dtype=float)
    delta = np.array([stochad.delta(t) for t in scalars], dtype=float)
    contribution = np.array([stochad.derivative_contribution(t) for t in scalars], dtype=float)
    return value, delta, contribution


@pytest.mark.parametrize("name", list(UNARY))
def test_elementwise_matches_the_scalar_engine_on_the_same_draws(name):
    out, scalars = array_and_scalars(UNARY[name])
    assert isinstance(out, TripleArray)
    value, delta, contribution = scalar_fields(scalars)
    np.testing.assert_allclose(stochad.value(out), value, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(stochad.delta(out), delta, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        stochad.derivative_contribution(out), contribution, rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize("strategy", ["straight-through", "symmetric"])
@pytest.mark.parametrize("name", ["mul", "exp", "sigmoid", "chain", "where"])
def test_smoothed_arrays_match_the_scalar_engine(strategy, name):
    backend = stochad.SmoothedBackend(strategy)
    out, scalars = array_and_scalars(UNARY[name], backend=backend)
    value, delta, _ = scalar_fields(scalars)
    np.testing.assert_allclose(stochad.value(out), value, rtol=1e-12)
    np.testing.assert_allclose(stochad.smoothed_delta(out), delta, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rule", ["binomial", "geometric", "poisson"])
def test_other_distributions_match_the_scalar_engine(rule):
    draw = {
        "binomial": lambda q, size=None: stochad.binomial(5, q, size=size),
        "geometric": lambda q, size=None: stochad.geometric(q, size=size),
        "poisson": lambda q, size=None: stochad.poisson(4 * q, size=size),
    }[rule]
    out = stochad.stochastic_triple(lambda q: draw(q, size=N) ** 2, P, rng=5)
    scalars = stochad.stochastic_triple(lambda q: [draw(q) ** 2 for _ in range(N)], P, rng=5)
    value, delta, contribution = scalar_fields(scalars)
    np.testing.assert_array_equal(stochad.value(out), value)
    np.testing.assert_allclose(stochad.derivative_contribution(out), contribution, rtol=1e-12)


def test_primal_values_are_numpy_on_the_primal_draws():
    with stochad.using_rng(7):
        plain = stochad.bernoulli(P, size=(4, 5))
    out = stochad.stochastic_triple(lambda q: stochad.bernoulli(q, size=(4, 5)), P, rng=7)
    np.testing.assert_array_equal(stochad.value(out), plain)
    w = np.linspace(-1, 1, 15).reshape(5, 3)
    for g, numpy_g in [
        (lambda x: (x @ w).sum(axis=0), lambda x: (x @ w).sum(axis=0)),
        (lambda x: x.T[1:, ::2].reshape(-1), lambda x: x.T[1:, ::2].reshape(-1)),
        (lambda x: stochad.mean(np.exp(x), axis=1), lambda x: np.mean(np.exp(x), axis=1)),
        (lambda x: stochad.stack([x, 2 * x], axis=1), lambda x: np.stack([x, 2 * x], axis=1)),
        (lambda x: stochad.concatenate([x, w.T]), lambda x: np.concatenate([x, w.T])),
    ]:
        got = stochad.stochastic_triple(
            lambda q, g=g: g(stochad.bernoulli(q, size=(4, 5))), P, rng=7
        )
        np.testing.assert_allclose(stochad.value(got), numpy_g(plain), rtol=1e-12)


def test_shape_ops_move_alternates_and_weights_with_the_values():
    out = {}

    def f(q):
        x = stochad.bernoulli(q, size=(3, 4)) * 2.0
        out["x"] = x
        return stochad.concatenate([x.T[::-1], x[1:].reshape(4, 2)], axis=1)

    y = stochad.stochastic_triple(f, P, rng=2)
    x = out["x"]
    for field in ("value", "alternate", "weight"):
        a = getattr(x, field)
        expected = np.concatenate([a.T[::-1], a[1:].reshape(4, 2)], axis=1)
        np.testing.assert_array_equal(getattr(y, field), expected)


def test_a_row_sum_keeps_one_event_with_the_rows_total_weight():
    seen = {}

    def f(q):
        seen["x"] = x = stochad.bernoulli(q, size=(50, 8))
        return x.sum(axis=1)

    s = stochad.stochastic_triple(f, 0.0, rng=1)  # p = 0: every draw is 0 and jumps
    np.testing.assert_array_equal(s.weight, np.full(50, 8.0))  # 8 events of weight 1
    np.testing.assert_array_equal(s.alternate, np.ones(50))
    live = seen["x"].weight != 0
    np.testing.assert_array_equal(live.sum(axis=1), np.ones(50))  # the others died everywhere


def test_the_same_event_met_twice_in_a_reduction_is_one_perturbation():
    def f(q):
        x = stochad.bernoulli(q, size=6)
        return stochad.concatenate([x, x, 3 * x]).sum()

    t = stochad.stochastic_triple(f, 0.0, rng=4)
    assert float(t.weight) == 6.0  # six events, each counted once
    assert float(t.alternate) == 5.0  # the surviving draw moves 0 -> 1 in all three copies


def test_a_scalar_triples_event_prunes_consistently_in_an_array_op():
    seen = {}

    def f(q):
        seen["b"] = b = stochad.bernoulli(q)  # a scalar event
        seen["x"] = x = stochad.bernoulli(q, size=10)
        return x + b

    y = stochad.stochastic_triple(f, 0.0, rng=0)
    b_alive = bool(stochad.perturbations(seen["b"]))
    x_live = seen["x"].weight != 0
    if b_alive:  # b beat every element: it survives in all of them, they all died
        assert not x_live.any()
        np.testing.assert_array_equal(y.weight, np.full(10, 11.0))
    else:  # b died at the first element where it lost; later elements keep their own
        assert x_live.sum() == (y.weight != 0).sum()
    assert (y.weight != 0).all()


def test_matmul_with_arrays_on_either_side_and_dot():
    w = np.arange(12.0).reshape(4, 3) / 10

    def f(q):
        x = stochad.bernoulli(q, size=(5, 4))
        return stochad.concatenate(
            [
                (x @ w).reshape(-1),
                (w.T @ x.T).reshape(-1),
                stochad.dot(x[0], w),
                (x[1] @ w[:, 0]).reshape(1),
            ]
        )

    t = stochad.stochastic_triple(f, 0.4, rng=8)
    assert t.shape == (15 + 15 + 3 + 1,)
    assert np.all(np.isfinite(stochad.derivative_contribution(t)))


def test_array_parameters_and_gradients_of_array_inputs():
    p = np.array([0.2, 0.5, 0.7])
    grad = stochad.derivative_estimate(lambda q: stochad.sum(q * q * 3.0), p, rng=0)
    np.testing.assert_allclose(grad, 6 * p)
    est = stochad.expected_derivative(lambda q: stochad.sum(stochad.bernoulli(q)), p, 400, rng=1)
    assert np.all(np.abs(est.mean - 1.0) < 5 * est.stderr + 1e-12)


def test_conversions_that_would_lose_a_perturbation_raise():
    def f(q):
        x = stochad.bernoulli(q, size=3)
        with pytest.raises(stochad.PerturbationLostError):
            np.asarray(x)
        with pytest.raises(ValueError, match=r"shape \(3,\)"):
            bool(x > 0)
        return x

    stochad.stochastic_triple(f, 0.5, rng=0)
    t = stochad.stochastic_triple(lambda q: stochad.bernoulli(q, size=1) * 1.0, 0.0, rng=0)
    with pytest.raises(stochad.PerturbationLostError):
        bool(t)  # 0 now, 1 in its alternate world


def test_dict_backend_is_scalar_only_and_says_so():
    with pytest.raises(NotImplementedError, match="'dict' is scalar-only"):
        stochad.derivative_estimate(
            lambda q: stochad.bernoulli(q, size=3).sum(), 0.5, backend="dict", rng=0
        )
