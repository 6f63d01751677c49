"""O(1)-expected binomial and Poisson quantiles: exact inverse CDFs, kernel == Python twin.

Above ``np`` (binomial) or ``λ`` (Poisson) of 30 a draw starts from the Cornish–Fisher
quantile and steps with scipy's incomplete beta/gamma functions. Checked here:

* compiled kernels == their plain-Python twins, bit for bit, on large parameters;
* every draw is the inverse CDF: ``F(k − 1) < u <= F(k)`` (on the upper tail
  ``P(X > k) <= 1 − u < P(X > k − 1)`` above the median, where ``F`` rounds to 1);
* triples on large parameters are unbiased (coupling through the same CDF);
* the negative binomial's mean bound holds for array draws too.
"""

import math

import numpy as np
import pytest
import scipy.special as sp
from hypothesis import given
from hypothesis import strategies as st

import stochad
from stochad.distributions import DISTRIBUTIONS
from stochad.distributions import binomial as B
from stochad.distributions import poisson as P
from stochad.kernels import sampling as S

seeds = st.integers(0, 2**32 - 1)


def _params(name, v):
    if name == "poisson":
        return 30.0 + 10.0 ** (6 * v), 0.0
    n = float(int(60 + 10.0 ** (6 * v)))
    return n, 0.02 + 0.96 * ((v * 7.3) % 1.0)


@given(st.sampled_from(["poisson", "binomial"]), seeds)
def test_compiled_equals_python_on_large_parameters(name, seed):
    rng = np.random.default_rng(seed)
    ab = np.array([_params(name, v) for v in rng.random(64)])
    a, b = ab[:, 0].copy(), ab[:, 1].copy()
    r = rng.random(64)
    r[:4] = 10.0 ** -rng.uniform(9, 15, 4)  # the far upper tail
    r[4:8] = 1.0 - 10.0 ** -rng.uniform(9, 15, 4)  # and the lower one
    kernels = S.kernels_for(DISTRIBUTIONS[name])
    compiled, python = np.empty(64), np.empty(64)
    kernels.draw_values.compiled(r, a, b, compiled)
    kernels.draw_values.python(r, a, b, python)
    np.testing.assert_array_equal(compiled, python)
    for k, u, x, y in zip(compiled, 1.0 - r, a, b, strict=True):
        if name == "poisson":
            low, high = sp.pdtr(k - 1, x) if k > 0 else 0.0, sp.pdtr(k, x)
            above, below = sp.pdtrc(k, x), sp.pdtrc(k - 1, x) if k > 0 else 1.0
        else:
            low = sp.bdtr(k - 1, int(x), y) if k > 0 else 0.0
            high = sp.bdtr(k, int(x), y) if k < x else 1.0
            above = sp.bdtrc(k, int(x), y) if k < x else 0.0
            below = sp.bdtrc(k - 1, int(x), y) if k > 0 else 1.0
        if u > 0.5:
            assert above <= 1.0 - u < below
        else:
            assert low < u <= high


def test_the_two_regimes_meet_at_the_threshold():
    """Just below and above λ = 30 (np = 30) the draws agree for the same uniforms."""
    u = np.random.default_rng(1).random(2000)
    F = np.cumsum([math.exp(P.log_pmf(j, 30.0)) for j in range(200)])
    assert [P.inverse_cdf(x, 30.0) for x in u] == [int(np.searchsorted(F, x)) for x in u]
    below = [P.inverse_cdf(x, 29.999999) for x in u]
    above = [P.inverse_cdf(x, 30.0) for x in u]
    assert np.mean(np.array(below) == np.array(above)) > 0.999
    assert [B.inverse_cdf(x, 60, 0.4999999) for x in u[:500]] == [
        B.inverse_cdf(x, 60, 0.5) for x in u[:500]
    ]


@pytest.mark.parametrize(
    "program, exact",
    [
        (lambda lam: stochad.poisson(lam, size=20_000) ** 2, 1 + 2 * 400.0),  # λ = 400
        (lambda lam: stochad.binomial(800, lam / 1000, size=20_000) ** 2, None),
    ],
    ids=["poisson", "binomial"],
)
def test_large_parameters_are_unbiased(program, exact):
    if exact is None:  # d/dλ E[X²] for X ~ Bin(800, λ/1000): (n(1 − 2q) + 2n²q)/1000
        n, q = 800, 0.4
        exact = (n * (1 - 2 * q) + 2 * n * n * q) / 1000
    est = stochad.derivative_estimate(program, 400.0, rng=7)
    assert abs(est.mean() - exact) < 5 * est.std() / math.sqrt(est.size)


def test_large_random_count_is_unbiased():
    """``m ~ Bin(n, 0.3)`` with ``n ~ Poisson(λ)``, λ = 500: E[m] = 0.3λ."""
    est = stochad.derivative_estimate(
        lambda lam: stochad.binomial(stochad.poisson(lam, size=20_000), 0.3), 500.0, rng=3
    )
    assert abs(est.mean() - 0.3) < 5 * est.std() / math.sqrt(est.size)


def test_negative_binomial_mean_bound_holds_for_array_draws():
    with pytest.raises(ValueError, match=r"mean n\(1-p\)/p must be at most"):
        stochad.negative_binomial(np.array([1.0, 5.0]), np.array([0.5, 1e-7]))
    with pytest.raises(ValueError, match=r"mean n\(1-p\)/p must be at most"):
        stochad.derivative_estimate(lambda p: stochad.negative_binomial(5.0, p, size=3), 1e-7)
