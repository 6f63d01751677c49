"""Escape-noise / surrogate pairs: F′ is the derivative of F and a density; heaviside."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

import stochad
from stochad import surrogates

BETAS = [0.5, 2.0, 10.0]
FAMILIES = sorted(surrogates.SURROGATES)


def make(name, beta):
    return surrogates.SURROGATES[name](beta=beta)


def kinks(s):
    """Points where F′ is not continuous (finite differences of F skip them)."""
    b = s.beta
    return {
        "triangular": [-1 / b, 0.0, 1 / b],
        "uniform": [-0.5 / b, 0.5 / b],
        "laplace": [0.0],
        "fast_sigmoid": [0.0],
        "exponential_escape": [math.log(2.0) / b],
    }.get(s.name, [])


@pytest.mark.parametrize("beta", BETAS)
@pytest.mark.parametrize("name", FAMILIES)
def test_density_is_the_derivative_of_the_noise_cdf(name, beta):
    s = make(name, beta)
    h = 1e-6
    x = np.linspace(-3.0 / beta, 3.0 / beta, 41) + 0.0123 / beta
    away = np.all([np.abs(x - k) > 10 * h for k in kinks(s)], axis=0)
    x = x[away]
    fd = (s.noise_cdf(x + h) - s.noise_cdf(x - h)) / (2 * h)
    np.testing.assert_allclose(s.derivative(x), fd, rtol=1e-6, atol=1e-6 * beta)


@pytest.mark.parametrize("beta", BETAS)
@pytest.mark.parametrize("name", FAMILIES)
def test_density_integrates_to_one_and_cdf_goes_from_zero_to_one(name, beta):
    s = make(name, beta)
    points = kinks(s) or None
    total = (
        sum(
            quad(lambda x: float(s.derivative(x)), a, b, points=points, limit=200)[0]
            for a, b in [(-np.inf, 0.0), (0.0, np.inf)]
        )
        if points is None
        else sum(
            quad(lambda x: float(s.derivative(x)), a, b, limit=200)[0]
            for a, b in zip([-np.inf, *points], [*points, np.inf], strict=True)
        )
    )
    assert total == pytest.approx(1.0, abs=1e-8)
    assert float(s.noise_cdf(-1e6)) == pytest.approx(0.0, abs=1e-6)
    assert float(s.noise_cdf(1e6)) == pytest.approx(1.0, abs=1e-6)
    assert float(s.noise_cdf(0.0)) == pytest.approx(0.5)


@pytest.mark.parametrize("name", FAMILIES)
def test_stated_scale(name):
    """F(x) = F₁(βx): the density scales as β·F₁′(βx)."""
    x = np.array([-0.7, 0.1, 0.4])
    np.testing.assert_allclose(
        make(name, 4.0).derivative(x), 4.0 * make(name, 1.0).derivative(4.0 * x), rtol=1e-12
    )


def test_table_values():
    assert float(surrogates.logistic(4.0).derivative(0.0)) == 1.0  # β/4
    assert float(surrogates.fast_sigmoid(3.0).derivative(0.0)) == 1.5  # β/2, normalized
    assert float(surrogates.cauchy(3.0).derivative(0.0)) == 1.5
    assert float(surrogates.gaussian(1.0).derivative(0.0)) == pytest.approx(1 / math.sqrt(math.pi))
    assert float(surrogates.laplace(3.0).derivative(0.0)) == 1.5
    assert float(surrogates.triangular(3.0).derivative(0.0)) == 3.0
    assert float(surrogates.uniform(3.0).derivative(0.1)) == 3.0
    s = surrogates.exponential_escape(2.0, p0=0.25)
    assert float(s.noise_cdf(0.0)) == 0.25 and float(s.derivative(0.0)) == 0.5
    assert repr(s) == "surrogates.exponential_escape(beta=2.0, p0=0.25)"


@pytest.mark.parametrize("name", FAMILIES)
def test_escape_noise_cdf_on_carriers(name):
    """``s.cdf`` is a registry primitive: forward triples and tracers get F′ as derivative."""
    s = make(name, 2.0)
    x = 0.1234
    t = stochad.stochastic_triple(lambda u: s.cdf(u), x)
    assert float(stochad.value(t)) == pytest.approx(float(s.noise_cdf(x)))
    assert float(stochad.delta(t)) == pytest.approx(float(s.derivative(x)))
    assert stochad.grad(lambda u: s.cdf(u))(x) == pytest.approx(float(s.derivative(x)))


@pytest.mark.parametrize("name", FAMILIES)
def test_heaviside_uses_the_surrogate_when_smoothing(name):
    s = make(name, 2.0)
    x = np.array([-0.3, 0.0, 0.2])
    assert stochad.heaviside(x, s).tolist() == [0.0, 0.0, 1.0]
    g = stochad.grad(lambda u: stochad.sum(stochad.heaviside(u, s) * np.array([1.0, 2.0, 3.0])))
    np.testing.assert_allclose(g(x), s.derivative(x) * [1.0, 2.0, 3.0])
    smoothed = stochad.derivative_estimate(
        lambda u: stochad.heaviside(u, s), 0.2, backend="smoothed"
    )
    assert smoothed == pytest.approx(float(s.derivative(0.2)))


def test_heaviside_keeps_jumps_in_unbiased_forward_mode():
    """With a random input the pruned backend sees the threshold crossing, not F′."""
    s = surrogates.logistic(1.0)
    r = stochad.expected_derivative(
        lambda p: stochad.heaviside(stochad.bernoulli(p) - 0.5, s), 0.3, 500, rng=0
    )
    assert abs(r.mean - 1.0) < 5 * r.stderr  # d/dp P(B = 1): alternates cross the threshold


@pytest.mark.parametrize("name", FAMILIES)
def test_matching_principle_single_neuron(name):
    """Bernoulli(F(x)) and H(x − noise) have the same smoothed derivative F′(x)."""
    s = make(name, 3.0)
    stochastic = stochad.grad(lambda u: stochad.bernoulli(s.cdf(u - 0.1)), rng=0)(0.2)
    deterministic = stochad.grad(lambda u: stochad.heaviside(u - 0.1, s))(0.2)
    assert stochastic == pytest.approx(deterministic)
    assert deterministic == pytest.approx(float(s.derivative(0.1)))


def test_bad_input():
    with pytest.raises(ValueError, match="beta"):
        surrogates.logistic(0.0)
    with pytest.raises(ValueError, match="p0"):
        surrogates.exponential_escape(1.0, p0=1.5)
    with pytest.raises(TypeError, match="Surrogate"):
        stochad.heaviside(1.0, "logistic")
