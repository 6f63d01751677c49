"""The scalar stochastic triple: conversions that would lose a perturbation, repr, operators.

``bool``/``if``/``while``, ``int``, ``float`` and indexing see only the primal value; where a
live alternate would give another outcome they raise ``PerturbationLostError`` (a
``TypeError`` whose message points to ``stochad.where`` and ``stochad.propagate``), and where
no alternate can change the outcome they proceed. Operators must also work with numpy
scalars on the left, which numpy routes through ``__array_ufunc__``.
"""

import operator

import numpy as np
import pytest

import stochad


def zero_that_may_jump_to_one():
    """A Bernoulli at p = 0 with δ = 1: value 0, one live perturbation to 1."""
    return stochad.stochastic_triple(stochad.bernoulli, 0.0, rng=0)


def one_that_cannot_jump():
    """A Bernoulli(1) draw whose parameter carries no tangent: value 1, no perturbation.

    (At p = 1 with δ = 1 the draw now jumps to 0 with a negative weight: the one-sided
    derivative from inside the domain, docs/theory.md §2.)
    """
    return stochad.stochastic_triple(lambda p: stochad.bernoulli(1.0 + 0.0 * p), 1.0, rng=0)


def delta_only():
    """``2p`` at p = 0.5: value 1, δ = 2, no perturbations."""
    return stochad.stochastic_triple(lambda p: 2 * p, 0.5)


def as_condition(t):
    if t:
        return "yes"
    return "no"


def as_loop_condition(t):
    turns = 0
    while t and turns < 3:
        turns += 1
    return turns


CONVERSIONS = {
    "if": as_condition,
    "while": as_loop_condition,
    "bool": bool,
    "int": int,
    "float": float,
    "index": lambda t: ["a", "b", "c"][t],
    "range": range,
}


def test_perturbation_lost_error_is_a_type_error():
    assert issubclass(stochad.PerturbationLostError, TypeError)


@pytest.mark.parametrize("convert", CONVERSIONS.values(), ids=CONVERSIONS.keys())
def test_conversion_that_a_perturbation_would_change_raises(convert):
    t = zero_that_may_jump_to_one()
    with pytest.raises(stochad.PerturbationLostError) as info:
        convert(t)
    assert "stochad.where" in str(info.value)
    assert "stochad.propagate" in str(info.value)


@pytest.mark.parametrize(
    "convert, expected",
    [(as_condition, "yes"), (bool, True), (int, 1), (lambda t: ["a", "b"][t], "b"), (float, 1.0)],
)
def test_conversion_proceeds_without_perturbations(convert, expected):
    # float() also needs δ = 0: it would drop the derivative (see the δ-only test below).
    assert convert(one_that_cannot_jump()) == expected


@pytest.mark.parametrize(
    "condition, expected",
    [
        (lambda x: x > 5, False),  # 2 → 5: neither is > 5
        (lambda x: x < 10, True),
        (lambda x: x >= 2, True),
        (lambda x: x != 7, True),
    ],
)
def test_condition_that_no_alternate_crosses_proceeds(condition, expected):
    x = 3 * zero_that_may_jump_to_one() + 2  # 2, alternate 5
    assert bool(condition(x)) is expected
    assert as_condition(condition(x)) == ("yes" if expected else "no")


def test_condition_that_an_alternate_crosses_raises():
    x = 3 * zero_that_may_jump_to_one() + 2
    with pytest.raises(stochad.PerturbationLostError):
        bool(x > 4)


@pytest.mark.parametrize("convert", [bool, int, as_condition, lambda t: [0, 1][int(t)]])
def test_triple_with_only_a_derivative_converts_where_the_outcome_is_certain(convert):
    convert(delta_only())


def test_float_of_a_triple_with_a_derivative_raises_rather_than_drop_it():
    with pytest.raises(stochad.PerturbationLostError, match="stochad.value"):
        float(delta_only())


def test_integer_index_from_a_non_integer_value_is_a_plain_type_error():
    with pytest.raises(TypeError) as info:
        [1, 2, 3][delta_only() * 0.75]  # value 0.75
    assert not isinstance(info.value, stochad.PerturbationLostError)


def test_dead_perturbations_do_not_block_conversions():
    """After pruning, the event that lost is dead everywhere, so its triple converts."""
    seen = []

    def f(p):
        seen.extend([stochad.bernoulli(p), stochad.bernoulli(p)])
        return seen[0] + seen[1]

    stochad.stochastic_triple(f, 0.0, backend="pruned", rng=3)
    raised = []
    for t in seen:
        try:
            bool(t)
            raised.append(False)
        except stochad.PerturbationLostError:
            raised.append(True)
    assert sorted(raised) == [False, True]


def test_repr_shows_value_delta_and_perturbations():
    text = repr(zero_that_may_jump_to_one())
    assert text.startswith("Triple(0 + 0.0ε")
    assert "[1 with weight 1ε]" in text
    assert repr(delta_only()) == "Triple(1.0 + 2.0ε)"


OPERATORS = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "pow": operator.pow,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
}
LEFT_SCALARS = [np.float64(2.0), np.int64(3), np.float32(0.5), 2.0, 3]


@pytest.mark.parametrize("op", OPERATORS.values(), ids=OPERATORS.keys())
@pytest.mark.parametrize("left", LEFT_SCALARS, ids=lambda x: type(x).__name__)
def test_operators_with_a_scalar_on_the_left_return_a_triple(op, left):
    """``left ∘ t`` at t = 1 + p (p = 0 with a jump to 2) carries value, δ and alternate."""
    t = stochad.stochastic_triple(lambda p: 1 + p + stochad.bernoulli(p), 0.0, rng=0)
    out = op(left, t)
    assert isinstance(out, stochad.Triple)
    assert out.value == pytest.approx(float(op(left, 1.0)))
    (jump,) = stochad.perturbations(out)
    assert jump.alternate == pytest.approx(float(op(left, 2.0)))
    h = 1e-7
    a = float(left)
    derivative = (float(op(a, 1.0 + h)) - float(op(a, 1.0 - h))) / (2 * h)
    assert float(stochad.delta(out)) == pytest.approx(derivative, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("convert", [bool, int, lambda t: [0.0, 1.0][t]])
def test_conversion_of_a_smoothed_draw_raises_rather_than_drop_its_smoothed_derivative(convert):
    def f(p):
        return convert(stochad.bernoulli(p))

    with pytest.raises(stochad.PerturbationLostError, match="smoothed"):
        stochad.derivative_estimate(f, 0.3, backend="smoothed", rng=0)


def test_smoothed_comparisons_still_convert():
    # a comparison has no smoothed slope: its 0/1 result converts freely
    est = stochad.derivative_estimate(
        lambda p: 2.0 if stochad.bernoulli(p) > 0.5 else 1.0, 0.3, backend="smoothed", rng=0
    )
    assert est == 0.0


def test_partials_follow_numpy_at_a_singularity_on_integer_values():
    # log'(0) = 1/0: inf as for arrays, not Python's ZeroDivisionError on the int draw 0
    with np.errstate(divide="ignore"):
        est = stochad.derivative_estimate(
            lambda lam: stochad.log(stochad.poisson(lam)), 1e-9, backend="smoothed", rng=0
        )
    assert est == np.inf


def test_storing_a_triple_into_a_numpy_array_says_what_to_do():
    # numpy treats objects with __getitem__ as sequences ("setting an array element with a
    # sequence"): scalar triples have none, so numpy calls float(t), which explains
    def f(p):
        a = np.zeros(3)
        a[0] = stochad.bernoulli(p) + p  # δ = 1 at least: float() must refuse it
        return a.sum()

    with pytest.raises(stochad.PerturbationLostError, match=r"a\[i\] = t.*stochad.stack"):
        stochad.derivative_estimate(f, 0.3, rng=0)
    with pytest.raises(TypeError):
        len(stochad.stochastic_triple(lambda p: stochad.bernoulli(p), 0.3, rng=0))
