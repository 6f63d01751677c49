"""The contract every discrete rule keeps, checked for each rule from one table.

For every rule in ``RULES`` (bernoulli, binomial, geometric, negative binomial, poisson,
categorical):

* ``inverse_cdf`` agrees with scipy's ``ppf`` (u = 1 − r) and ``cdf`` with scipy's ``cdf``,
  for parameters over the whole valid range.

For every rule in ``ONE_PARAMETER_RULES`` (all but categorical, whose two jumps and
smoothing are checked in test_categorical.py):

* the jump rule of docs/theory.md §2 is exact (no Monte Carlo) over a support truncated far in
  the tail: for δ = ±1 its expected jump is δ·dE[X]/dp and, for several ``g``, the
  score-function derivative δ·dE[g(X)]/dp;
* the smoothed rules: straight-through δ̃ = dE[X]/dp for every ``X``; symmetric δ̃
  averages to dE[X]/dp;
* through the public API, a smoothed triple carries those δ̃, for several seeds.

Each row holds only independent facts (scipy's distribution, the pmf's score, the mean's
derivative), never the rule's own formulas. What is specific to one distribution (its Monte
Carlo programs, special cases and bad input) lives in ``test_<name>.py``.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st

import stochad
from stochad.distributions.base import DiscreteRule
from stochad.distributions.bernoulli import BERNOULLI
from stochad.distributions.binomial import BINOMIAL
from stochad.distributions.categorical import CATEGORICAL
from stochad.distributions.geometric import GEOMETRIC
from stochad.distributions.negative_binomial import NEGATIVE_BINOMIAL
from stochad.distributions.poisson import POISSON
from tests.distributions.distribution_checks import (
    assert_cdf_matches_scipy,
    assert_inverse_cdf_matches_scipy,
    assert_jump_rule_exact,
    assert_smoothed_rules_exact,
    assert_smoothed_triples,
    categorical_distributions,
)


class RuleSpec(NamedTuple):
    """A rule and what its contract is checked against; ``p`` is its continuous parameter."""

    rule: DiscreteRule
    scipy: Callable
    """``scipy(*params)``: the frozen scipy distribution with the same parameters."""
    params: st.SearchStrategy
    """Parameter tuples over the whole valid range (sampling and CDF checks)."""
    cdf_points: Callable
    """``cdf_points(*params)``: the ``k`` at which the two CDFs are compared."""
    sample: Callable | None = None
    """The public sampler, for the smoothed triples."""
    interior: st.SearchStrategy | None = None
    """Parameter tuples where the score is finite (jump and smoothed checks)."""
    score: Callable | None = None
    """``score(x, *params)``: ``d/dp log pmf(x)``."""
    mean_derivative: Callable | None = None
    """``mean_derivative(*params)``: ``dE[X]/dp``."""
    triple_points: tuple = ()
    """Parameter tuples at which smoothed triples are drawn through the public API."""


probabilities = st.floats(0.0, 1.0)
interior_probabilities = st.floats(0.01, 0.99)
uniforms = st.floats(0.0, 1.0, exclude_min=True)


def geometric_scipy(p):
    """``scipy.stats.geom(p)``, except at ``p = 1``, where its ``ppf`` is 0, outside the
    support (``log1p(−1) = −∞``): Geometric(1) is the point mass at 1."""
    return scipy.stats.geom(p) if p < 1.0 else scipy.stats.randint(1, 2)


RULES = [
    RuleSpec(
        BERNOULLI,
        scipy.stats.bernoulli,
        params=st.tuples(probabilities),
        cdf_points=lambda p: range(-1, 3),
        sample=stochad.bernoulli,
        interior=st.tuples(interior_probabilities),
        score=lambda x, p: x / p - (1 - x) / (1 - p),
        mean_derivative=lambda p: 1.0,
        triple_points=((0.1,), (0.5,), (0.8,)),
    ),
    RuleSpec(
        BINOMIAL,
        scipy.stats.binom,
        params=st.tuples(st.integers(0, 60), probabilities),
        cdf_points=lambda n, p: range(-1, n + 2),
        sample=stochad.binomial,
        interior=st.tuples(st.integers(0, 60), interior_probabilities),
        score=lambda x, n, p: x / p - (n - x) / (1 - p),
        mean_derivative=lambda n, p: float(n),
        triple_points=((1, 0.5), (7, 0.2), (20, 0.9)),
    ),
    RuleSpec(  # numpy's convention: trials up to the first success, support 1, 2, …
        GEOMETRIC,
        geometric_scipy,
        params=st.tuples(st.floats(0.001, 1.0)),
        cdf_points=lambda p: range(-1, 30),
        sample=stochad.geometric,
        interior=st.tuples(st.floats(0.05, 0.95)),
        score=lambda x, p: 1 / p - (x - 1) / (1 - p),
        mean_derivative=lambda p: -1 / p**2,
        triple_points=((0.1,), (0.5,), (1.0,)),
    ),
    RuleSpec(
        POISSON,
        scipy.stats.poisson,
        params=st.tuples(st.floats(0.0, 60.0)),
        cdf_points=lambda lam: range(-1, 100),
        sample=stochad.poisson,
        interior=st.tuples(st.floats(0.01, 30.0)),
        score=lambda x, lam: x / lam - 1,
        mean_derivative=lambda lam: 1.0,
        triple_points=((0.5,), (4.0,), (25.0,)),
    ),
    RuleSpec(  # numpy's convention: failures before the n-th success, support 0, 1, …
        NEGATIVE_BINOMIAL,
        scipy.stats.nbinom,
        params=st.tuples(st.floats(0.5, 20.0), st.floats(0.05, 1.0)),
        cdf_points=lambda n, p: range(-1, 60),
        sample=stochad.negative_binomial,
        interior=st.tuples(st.floats(0.5, 10.0), st.floats(0.2, 0.95)),
        score=lambda x, n, p: n / p - x / (1 - p),
        mean_derivative=lambda n, p: -n / p**2,
        triple_points=((1.0, 0.5), (3.0, 0.3), (7.5, 0.8)),
    ),
    RuleSpec(  # params are the probabilities themselves: CATEGORICAL takes *probs
        CATEGORICAL,
        lambda *probs: scipy.stats.rv_discrete(values=(np.arange(len(probs)), probs)),
        params=categorical_distributions().map(lambda dist: tuple(dist[0])),
        cdf_points=lambda *probs: range(-1, 7),
    ),
]
ONE_PARAMETER_RULES = [spec for spec in RULES if spec.score is not None]


def by_rule(specs):
    """``pytest.param`` for each spec, named by its rule."""
    return [pytest.param(spec, id=spec.rule.name) for spec in specs]


@pytest.mark.parametrize("spec", by_rule(RULES))
@given(data=st.data())
def test_inverse_cdf_matches_scipy(spec, data):
    params = data.draw(spec.params, label="params")
    u = data.draw(uniforms, label="u")
    assert_inverse_cdf_matches_scipy(spec.rule.inverse_cdf, params, spec.scipy(*params), u)


@pytest.mark.parametrize("spec", by_rule(RULES))
@given(data=st.data())
def test_cdf_matches_scipy(spec, data):
    params = data.draw(spec.params, label="params")
    frozen, ks = spec.scipy(*params), spec.cdf_points(*params)
    assert_cdf_matches_scipy(spec.rule.cdf, params, frozen, ks)


@pytest.mark.parametrize("spec", by_rule(ONE_PARAMETER_RULES))
@given(data=st.data())
def test_jump_rule_is_exact(spec, data):
    params = data.draw(spec.interior, label="params")
    score = lambda x: spec.score(x, *params)  # noqa: E731
    mean_derivative = spec.mean_derivative(*params)
    assert_jump_rule_exact(spec.rule, params, spec.scipy(*params), score, mean_derivative)


@pytest.mark.parametrize("spec", by_rule(ONE_PARAMETER_RULES))
@given(data=st.data())
def test_smoothed_rules_are_exact(spec, data):
    params = data.draw(spec.interior, label="params")
    frozen, mean_derivative = spec.scipy(*params), spec.mean_derivative(*params)
    assert_smoothed_rules_exact(spec.rule, params, frozen, mean_derivative)


@pytest.mark.parametrize(
    "spec, params",
    [
        pytest.param(spec, params, id="-".join([spec.rule.name, *map(str, params)]))
        for spec in ONE_PARAMETER_RULES
        for params in spec.triple_points
    ],
)
def test_smoothed_triples(spec, params):
    i = spec.rule.differentiable

    def program(p):
        return spec.sample(*params[:i], p, *params[i + 1 :])

    mean_derivative = spec.mean_derivative(*params)
    assert_smoothed_triples(spec.rule, program, params[i], params, mean_derivative)
