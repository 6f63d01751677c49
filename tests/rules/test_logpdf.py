"""Log-densities and gammaln as primitives: values, partials, every carrier, reverse mode.

* values equal scipy.stats' logpmf/logpdf (and -inf outside the support);
* each partial equals a central finite difference of the value;
* on triples (δ), triple arrays (δ and alternates: ``logpdf`` of the alternate draw) and
  in reverse mode (``grad`` == the partials), with the smoothed rule where it is smooth;
* an importance-weighted estimate is unbiased against the exact derivative.
"""

import math

import numpy as np
import pytest
import scipy.special
import scipy.stats

import stochad

CASES = {  # name: (value, params, scipy frozen distribution, continuous arguments)
    "normal": (0.7, (0.2, 1.5), scipy.stats.norm(0.2, 1.5).logpdf, (0, 1, 2)),
    "bernoulli": (1, (0.3,), scipy.stats.bernoulli(0.3).logpmf, (1,)),
    "binomial": (3, (7, 0.4), scipy.stats.binom(7, 0.4).logpmf, (1, 2)),
    "geometric": (4, (0.25,), scipy.stats.geom(0.25).logpmf, (1,)),
    "poisson": (5, (3.5,), scipy.stats.poisson(3.5).logpmf, (1,)),
    "negative_binomial": (6, (2.5, 0.35), scipy.stats.nbinom(2.5, 0.35).logpmf, (1, 2)),
}


@pytest.mark.parametrize("name", CASES)
def test_values_equal_scipy_on_scalars_and_arrays(name):
    x, params, reference, _ = CASES[name]
    assert stochad.logpdf(name, x, *params) == pytest.approx(reference(x), rel=1e-12)
    xs = np.arange(0, 9) if name != "normal" else np.linspace(-2, 2, 9)
    np.testing.assert_allclose(stochad.logpdf(name, xs, *params), reference(xs), rtol=1e-12)
    np.testing.assert_allclose(stochad.pdf(name, xs, *params), np.exp(reference(xs)), rtol=1e-12)


def test_outside_the_support_is_minus_infinity():
    assert stochad.logpdf("binomial", 8, 7, 0.4) == -np.inf
    assert stochad.logpdf("poisson", -1, 2.0) == -np.inf
    assert stochad.logpdf("geometric", 0, 0.5) == -np.inf
    assert stochad.logpdf("bernoulli", 2, 0.5) == -np.inf
    assert stochad.pdf("negative_binomial", -2, 1.0, 0.5) == 0.0
    assert stochad.logpdf("categorical", 3, [0.2, 0.8]) == -np.inf
    assert stochad.logpdf("categorical", 1, [0.2, 0.8]) == pytest.approx(math.log(0.8))


@pytest.mark.parametrize("name", CASES)
def test_each_partial_is_the_finite_difference_on_triples(name):
    x, params, _, continuous = CASES[name]
    args = [float(x), *map(float, params)]
    for i in continuous:

        def f(t, i=i):
            return stochad.logpdf(name, *[t if j == i else a for j, a in enumerate(args)])

        h = 1e-6
        fd = (f(args[i] + h) - f(args[i] - h)) / (2 * h)
        t = stochad.stochastic_triple(f, args[i])
        assert stochad.delta(t) == pytest.approx(fd, rel=1e-6)
        assert stochad.grad(f)(args[i]) == pytest.approx(fd, rel=1e-6)


def test_count_partials_follow_the_gammaln_continuation():
    """The partial in ``k`` (or ``n``) is that of the formula continued through gammaln."""
    for name, x, params in [("poisson", 5.0, (3.5,)), ("binomial", 3.0, (7.0, 0.4))]:
        h = 1e-6
        fd = (stochad.logpdf(name, x + h, *params) - stochad.logpdf(name, x - h, *params)) / (2 * h)
        t = stochad.stochastic_triple(
            lambda k, name=name, params=params: stochad.logpdf(name, k, *params), x
        )
        assert stochad.delta(t) == pytest.approx(fd, rel=1e-6)


def test_a_draw_alternate_gives_the_logpmf_of_the_alternate():
    """Triple arrays: the alternate of ``logpdf(X, λ)`` is ``logpdf(X', λ)``."""
    draws = stochad.stochastic_triple(lambda lam: stochad.poisson(lam, size=50), 3.0, rng=0)
    t = stochad.stochastic_triple(
        lambda lam: stochad.logpdf("poisson", stochad.poisson(lam, size=50), 2.5), 3.0, rng=0
    )
    np.testing.assert_allclose(t.value, scipy.stats.poisson(2.5).logpmf(draws.value))
    moved = draws.weight != 0
    assert moved.any()
    np.testing.assert_array_equal(t.weight, draws.weight)
    np.testing.assert_allclose(
        t.alternate[moved], scipy.stats.poisson(2.5).logpmf(draws.alternate[moved])
    )


def test_gammaln_on_every_carrier():
    x = np.array([0.5, 1.0, 4.5])
    np.testing.assert_allclose(stochad.gammaln(x), scipy.special.gammaln(x))
    t = stochad.stochastic_triple(lambda a: stochad.gammaln(a * x), 2.0)
    np.testing.assert_allclose(t.delta, x * scipy.special.digamma(2.0 * x))
    g = stochad.grad(lambda a: stochad.sum(stochad.gammaln(a * x)))(2.0)
    assert g == pytest.approx(float(np.sum(x * scipy.special.digamma(2.0 * x))))


def test_smoothed_backend_chains_through_the_partials():
    """``logpdf("bernoulli", B, p)`` with B smoothed: δ = ∂_k·δB + ∂_p (B's δ is 1)."""
    t = stochad.stochastic_triple(
        lambda p: stochad.logpdf("bernoulli", stochad.bernoulli(p), p),
        0.3,
        backend="smoothed",
        rng=0,
    )
    k = stochad.value(t) == math.log(0.3)  # the draw was 1
    expected = (math.log(0.3) - math.log(0.7)) + (1 / 0.3 if k else -1 / 0.7)
    assert stochad.smoothed_delta(t) == pytest.approx(expected)


def test_importance_weights_are_unbiased():
    """``E_{X~Poisson(λ₀)}[X² P(X;λ)/P(X;λ₀)]``: its derivative at λ = λ₀ is 1 + 2λ₀."""
    lam0 = 2.0
    x = np.random.default_rng(5).poisson(lam0, size=20_000).astype(float)

    def f(lam):
        return x**2 * stochad.exp(
            stochad.logpdf("poisson", x, lam) - stochad.logpdf("poisson", x, lam0)
        )

    est = stochad.derivative_estimate(f, lam0)
    se = est.std() / math.sqrt(est.size)
    assert abs(est.mean() - (1 + 2 * lam0)) < 5 * se


def test_categorical_logpmf_on_triple_arrays():
    """``log π_I(p)`` for ``I ~ categorical(π(p))``: E = Σ π log π, derivative exact."""

    def probs(p):
        return [0.2 + 0.3 * p, 0.5 - 0.6 * p, 0.3 + 0.3 * p]

    def f(p):
        return stochad.logpdf("categorical", stochad.categorical(probs(p), size=20_000), probs(p))

    dpi = np.array([0.3, -0.6, 0.3])
    pi = np.array(probs(0.4))
    exact = float(np.sum(dpi * np.log(pi) + dpi))
    est = stochad.derivative_estimate(f, 0.4, rng=3)
    assert abs(est.mean() - exact) < 5 * est.std() / math.sqrt(est.size)


def test_bad_names_and_arity_raise():
    with pytest.raises(ValueError, match="distribution must be one of"):
        stochad.logpdf("gamma", 1.0, 2.0)
    with pytest.raises(ValueError, match="poisson takes 1 parameter"):
        stochad.logpdf("poisson", 1.0, 2.0, 3.0)


def test_multivariate_normal_reparameterization():
    cov = np.array([[1.0, 0.5], [0.5, 2.0]])
    L = np.linalg.cholesky(cov)
    with stochad.using_rng(1):
        x = stochad.multivariate_normal(np.array([1.0, -1.0]), L, size=40_000)
    np.testing.assert_allclose(x.mean(axis=0), [1.0, -1.0], atol=0.03)
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.05)
    # d/ds E[x₁²] with L(s) = s·L: E = s²Σ₁₁ + m₁² → 2sΣ₁₁ = 2 at s = 1; triples and grad
    f = lambda s: stochad.multivariate_normal(np.array([1.0, -1.0]), s * L, size=20_000)[:, 0] ** 2  # noqa: E731
    est = stochad.derivative_estimate(f, 1.0, rng=2)
    assert abs(est.mean() - 2.0) < 5 * est.std() / math.sqrt(est.size)
    g = stochad.grad(lambda s: stochad.mean(f(s)), rng=2)(1.0)
    assert g == pytest.approx(est.mean())
    with pytest.raises(ValueError, match=r"cholesky must have shape \(d, d\)"):
        stochad.multivariate_normal(np.zeros(2), np.eye(3))
