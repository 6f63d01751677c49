"""Shared checks for the distribution tests.

Exact expectations over a (truncated) support, the inverse-CDF comparison against scipy,
the Monte Carlo comparison of ``stochad.expected_derivative`` with an exact derivative (and
``monte_carlo_test``, the one test each ``test_<name>.py`` builds from its own cases), and
the strategy for categorical parameters.
Every statistical check uses a fixed seed and a 5-standard-error band, and asserts the
estimator is actually random where it should be, so that a wrong rule makes it fail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import strategies as st

import stochad
from stochad.distributions.base import smoothed_draw_derivative

BACKENDS = ("pruned", "dict")
MC_SEED = 20240611
SIGMAS = 5.0


class Case(NamedTuple):
    """A program of one parameter with the exact derivative of its expectation."""

    name: str
    program: Callable
    point: float
    exact: float
    n: int = 2000
    random: bool = True
    """False where the estimator is deterministic (so its stderr is legitimately 0)."""


def case_params(cases):
    """``pytest.param`` for each case, named by the case."""
    return [pytest.param(case, id=case.name) for case in cases]


def monte_carlo_test(cases):
    """The test that ``expected_derivative`` is unbiased for every case on every backend.

    A module binds it to ``test_monte_carlo_mean_matches_exact_derivative``, next to its
    ``CASES``; the test ids are ``[<case name>-<backend>]``.
    """

    @pytest.mark.parametrize("backend", BACKENDS)
    @pytest.mark.parametrize("case", case_params(cases))
    def test_monte_carlo_mean_matches_exact_derivative(case, backend):
        assert_unbiased(case, backend)

    return test_monte_carlo_mean_matches_exact_derivative


def derivative_of(expectation: Callable[[float], float], p: float, h: float = 1e-3) -> float:
    """The derivative of a smooth closed-form expectation (Richardson-extrapolated central
    differences: error O(h⁴) ≈ 1e-12, far below any Monte Carlo standard error)."""

    def central(step):
        return (expectation(p + step) - expectation(p - step)) / (2 * step)

    return (4 * central(h / 2) - central(h)) / 3


def assert_unbiased(case: Case, backend: str) -> None:
    """The Monte Carlo mean of the derivative estimates lies within 5 stderr of the exact value."""
    estimate = stochad.expected_derivative(
        case.program, case.point, case.n, backend=backend, rng=MC_SEED
    )
    if case.random:
        assert estimate.stderr > 0, f"{case.name}: the estimator should be random"
    band = SIGMAS * estimate.stderr + 1e-9 * (1 + abs(case.exact))
    assert abs(estimate.mean - case.exact) <= band, (
        f"{case.name} [{backend}]: {estimate} but the exact derivative is {case.exact:.6g}"
    )


def support_of(frozen) -> list[tuple[int, float]]:
    """``(x, pmf(x))`` over the support of a scipy distribution, truncated far in the tail."""
    low, high = frozen.support()
    if not np.isfinite(high):  # 40 standard deviations: the mass left out is below 1e-17
        high = frozen.mean() + 40 * frozen.std() + 50
    xs = np.arange(int(low), int(high) + 1)
    return list(zip(xs.tolist(), frozen.pmf(xs).tolist(), strict=True))


def jump_expectation(jump, params, direction: float, support, g=lambda x: x) -> float:
    """``Σ_x pmf(x)·w(x)·(g(Y(x)) − g(x))`` for the tangent ``direction``: the exact
    expectation of the jump part of a draw's derivative."""
    total = 0.0
    for x, prob in support:
        y, w = jump(x, direction, *params)
        if w != 0.0:
            total += prob * w * (g(y) - g(x))
    return total


def score_expectation(support, score, g) -> float:
    """``d/dp E[g(X)] = Σ_x pmf(x)·score(x)·g(x)`` with ``score = d/dp log pmf``."""
    return sum(prob * score(x) * g(x) for x, prob in support if prob > 0)


TEST_FUNCTIONS = {
    "identity": lambda x: x,
    "square": lambda x: x * x,
    "exp(-x)": lambda x: np.exp(-x),
    "sin": np.sin,
}
"""Functions ``g`` for the exact jump-rule checks of ``E[g(X)]``."""


def assert_inverse_cdf_matches_scipy(inverse_cdf, params, frozen, u: float, tol=1e-9) -> None:
    """``X = min{k : F(k) ≥ u}`` (u = 1 − r) agrees with scipy's ``ppf``.

    The defining interval ``F(k−1) < u ≤ F(k)`` must hold up to ``tol``; where ``u`` is not
    within ``tol`` of a CDF value, the index must equal scipy's exactly.
    """
    k = inverse_cdf(u, *params)
    assert frozen.cdf(k - 1) < u + tol, (k, u)
    assert frozen.cdf(k) >= u - tol, (k, u)
    expected = frozen.ppf(u)
    near_boundary = min(abs(u - frozen.cdf(expected)), abs(u - frozen.cdf(expected - 1))) <= tol
    if not near_boundary:
        assert k == expected, (k, expected, u)


def assert_cdf_matches_scipy(cdf, params, frozen, ks) -> None:
    """The rule's CDF equals scipy's at every ``k`` in ``ks`` (to 1e-10)."""
    for k in ks:
        assert cdf(k, *params) == pytest.approx(frozen.cdf(k), abs=1e-10), k


def assert_bad_input(draw: Callable[[], object], error, *fragments: str) -> None:
    """``draw()`` raises ``error`` whose message contains every fragment."""
    with pytest.raises(error) as info:
        draw()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def one_hot_tangents(rule, direction: float = 1.0) -> list[float]:
    """Tangents that perturb only the rule's continuous parameter."""
    return [direction if i == rule.differentiable else 0.0 for i in range(len(rule.params))]


def assert_jump_rule_exact(rule, params, frozen, score, mean_derivative: float) -> None:
    """The jump rule is exact, with no Monte Carlo: for δ = ±1,
    ``Σ_x pmf(x)·w(x)·(Y(x) − x) = δ·dE[X]/dp`` and, for several ``g``,
    ``Σ_x pmf(x)·w(x)·(g(Y(x)) − g(x)) = δ·dE[g(X)]/dp``."""
    support = support_of(frozen)
    for direction in (1.0, -1.0):
        mean_part = jump_expectation(rule.jump, params, direction, support)
        assert mean_part == pytest.approx(direction * mean_derivative, rel=1e-8, abs=1e-10)
        for name, g in TEST_FUNCTIONS.items():
            exact = score_expectation(support, score, g)
            jumps = jump_expectation(rule.jump, params, direction, support, g)
            assert jumps == pytest.approx(direction * exact, rel=1e-8, abs=1e-10), name


def assert_smoothed_rules_exact(rule, params, frozen, mean_derivative: float) -> None:
    """Straight-through: ``δ̃ = dE[X]/dp`` for every ``X``; symmetric: ``E[δ̃] = dE[X]/dp``."""
    tangents = one_hot_tangents(rule)
    support = support_of(frozen)
    for x, _ in support[:50]:
        straight = smoothed_draw_derivative(rule, "straight-through", x, params, tangents)
        assert straight == pytest.approx(mean_derivative, rel=1e-12)
    symmetric = sum(
        prob * smoothed_draw_derivative(rule, "symmetric", x, params, tangents)
        for x, prob in support
    )
    assert symmetric == pytest.approx(mean_derivative, rel=1e-8, abs=1e-10)


def assert_smoothed_triples(rule, program, p: float, params, mean_derivative, seeds=range(8)):
    """Through the public API: a draw's smoothed δ is the mean derivative (straight-through)
    and the rule's symmetric δ̃ at the drawn value (symmetric), for several seeds."""
    tangents = one_hot_tangents(rule)
    for seed in seeds:
        straight = stochad.stochastic_triple(program, p, backend="smoothed", rng=seed)
        assert stochad.smoothed_delta(straight) == pytest.approx(mean_derivative, rel=1e-12)
        backend = stochad.SmoothedBackend("symmetric")
        symmetric = stochad.stochastic_triple(program, p, backend=backend, rng=seed)
        x = stochad.value(symmetric)
        expected = smoothed_draw_derivative(rule, "symmetric", x, params, tangents)
        assert stochad.smoothed_delta(symmetric) == pytest.approx(expected, rel=1e-12)


@st.composite
def categorical_distributions(draw, min_probability=0.0):
    """``(probs, tangents)``: probs summing to 1, tangents summing to 0 that keep every
    zero probability non-negative (a feasible direction)."""
    weights = draw(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6))
    weights = [max(w, min_probability) for w in weights]
    if sum(weights) == 0.0:
        weights[0] = 1.0
    probs = [w / sum(weights) for w in weights]
    raw = draw(st.lists(st.floats(-1.0, 1.0), min_size=len(probs), max_size=len(probs)))
    raw = [abs(t) if q == 0.0 else t for q, t in zip(probs, raw, strict=True)]
    positive = [j for j, q in enumerate(probs) if q > 0.0]
    correction = sum(raw) / len(positive)  # remove the total from the positive entries only
    tangents = [t - correction if q > 0.0 else t for q, t in zip(probs, raw, strict=True)]
    return probs, tangents
