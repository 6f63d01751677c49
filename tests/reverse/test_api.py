"""grad / value_and_grad: argument structures, outputs and errors."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import stochad

Params = namedtuple("Params", ["w", "b"])


def total(tree):
    """Sum of squares of every leaf of a nested list/tuple/dict."""
    if isinstance(tree, dict):
        return sum((total(v) for v in tree.values()), 0.0)
    if isinstance(tree, (list, tuple)):
        return sum((total(v) for v in tree), 0.0)
    return stochad.sum(tree * tree)


def doubled(tree):
    if isinstance(tree, dict):
        return {k: doubled(v) for k, v in tree.items()}
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return type(tree)(*(doubled(v) for v in tree))
    if isinstance(tree, (list, tuple)):
        return type(tree)(doubled(v) for v in tree)
    return 2.0 * tree


TREES = [
    1.5,
    np.arange(3.0),
    [np.ones(2), np.arange(4.0).reshape(2, 2)],
    (np.ones(3), 2.0),
    {"w": np.ones((2, 3)), "b": np.zeros(3)},
    {"layers": [{"w": np.ones(2)}, {"w": np.arange(2.0)}], "scale": (0.5,)},
    Params(np.ones(2), 3.0),
]


@pytest.mark.parametrize("tree", TREES, ids=lambda t: type(t).__name__)
def test_gradient_has_the_argument_structure(tree):
    g = stochad.grad(total)(tree)
    expected = doubled(tree)
    assert type(g) is type(expected)
    flat_g, flat_e = _leaves(g), _leaves(expected)
    assert len(flat_g) == len(flat_e)
    for a, b in zip(flat_g, flat_e, strict=True):
        assert type(a) is type(b) or (isinstance(a, np.ndarray) and isinstance(b, np.ndarray))
        assert np.shape(a) == np.shape(b)
        np.testing.assert_array_equal(a, b)


def _leaves(tree):
    if isinstance(tree, dict):
        assert list(tree) == list(tree.keys())
        return [leaf for v in tree.values() for leaf in _leaves(v)]
    if isinstance(tree, (list, tuple)):
        return [leaf for v in tree for leaf in _leaves(v)]
    return [tree]


def test_dict_keys_keep_their_order():
    g = stochad.grad(total)({"z": 1.0, "a": 2.0})
    assert list(g) == ["z", "a"]


def test_integer_arguments_are_promoted_to_float():
    assert stochad.grad(lambda x: x * x)(3) == 6.0
    assert stochad.grad(total)(np.array([1, 2])).dtype == np.float64


def test_value_and_grad_returns_the_value():
    value, g = stochad.value_and_grad(lambda x: stochad.sum(x**3))(np.array([1.0, 2.0]))
    assert value == 9.0 and isinstance(value, float)
    assert g.tolist() == [3.0, 12.0]


def test_extra_arguments_are_passed_through_undifferentiated():
    g = stochad.grad(lambda w, x, scale=1.0: scale * stochad.sum(w * x))
    assert g(np.ones(2), np.array([3.0, 4.0]), scale=2.0).tolist() == [6.0, 8.0]


@pytest.mark.parametrize(
    "output", [lambda x: x, lambda x: x[:1], lambda x: [x[0], x[1]], lambda x: np.ones(2)]
)
def test_non_scalar_output_raises_value_error(output):
    with pytest.raises(ValueError, match="non-scalar output"):
        stochad.grad(output)(np.ones(3))


@pytest.mark.parametrize(
    "argument",
    ["abc", None, True, np.array(["a"]), np.array([1j]), {1, 2}, [np.ones(2), object()]],
    ids=repr,
)
def test_unsupported_argument_raises_type_error(argument):
    with pytest.raises(TypeError, match="float, an ndarray, or a list/tuple/dict|dtype"):
        stochad.grad(lambda x: 0.0)(argument)


def test_non_callable_raises_type_error():
    with pytest.raises(TypeError):
        stochad.grad(3.0)


def test_float_of_a_tracer_refuses_to_drop_the_gradient():
    with pytest.raises(TypeError, match="stochad.value"):
        stochad.grad(lambda x: float(x))(1.0)
    with pytest.raises(TypeError, match="stochad.value"):
        stochad.grad(lambda x: np.asarray(x).sum())(np.ones(2))


def test_control_flow_on_a_tracer_follows_the_primal():
    def f(x):
        return x * x if x > 0 else -x

    assert stochad.grad(f)(2.0) == 4.0 and stochad.grad(f)(-2.0) == -1.0


@pytest.mark.parametrize("output", [lambda w: None, lambda w: "w", lambda w: w * 1j])
def test_grad_of_a_non_real_output_is_a_type_error(output):
    with pytest.raises(TypeError, match="real scalar"):
        stochad.grad(output)(1.0)


@pytest.mark.parametrize("x", [float("nan"), np.array([1.0, np.inf])])
def test_grad_rejects_a_non_finite_point(x):
    with pytest.raises(ValueError, match="must be finite"):
        stochad.grad(lambda w: stochad.sum(w * w))(x)
