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


# Other libraries' surrogate derivatives written out from their source formulas
# (../shared/SNN_REFERENCE.md §3), independently of stochad's families.
def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


LIBRARY_FORMULAS = {
    ("snntorch", "fast_sigmoid"): lambda x, k: 1.0 / (k * np.abs(x) + 1.0) ** 2,
    ("snntorch", "sigmoid"): lambda x, k: k * _sig(k * x) * (1 - _sig(k * x)),
    ("snntorch", "atan"): lambda x, a: (a / 2) / (1 + (np.pi * a * x / 2) ** 2),
    ("spytorch", "SurrGradSpike"): lambda x, s: 1.0 / (s * np.abs(x) + 1.0) ** 2,
    ("norse", "super"): lambda x, a: 1.0 / (a * np.abs(x) + 1.0) ** 2,
    ("norse", "triangle"): lambda x, a: a * np.maximum(0.0, 1 - np.abs(x)),
    ("norse", "tanh"): lambda x, k: 1 - np.tanh(k * x) ** 2,
    ("norse", "heavi_erfc"): lambda x, k: 2 / np.sqrt(np.pi) * np.exp(-(k**2) * x**2),
    ("spikingjelly", "Sigmoid"): lambda x, a: a * _sig(a * x) * (1 - _sig(a * x)),
    ("spikingjelly", "ATan"): lambda x, a: (a / 2) / (1 + (np.pi * a * x / 2) ** 2),
    ("spikingjelly", "Erf"): lambda x, a: a / np.sqrt(np.pi) * np.exp(-(a**2) * x**2),
    ("spikingjelly", "PiecewiseQuadratic"): lambda x, a: np.maximum(0.0, a - a**2 * np.abs(x)),
    ("spikingjelly", "PiecewiseExp"): lambda x, a: a / 2 * np.exp(-a * np.abs(x)),
    ("spikingjelly", "SoftSign"): lambda x, a: a / (2 * (1 + a * np.abs(x)) ** 2),
    ("spikingjelly", "SuperSpike"): lambda x, a: a / (1 + np.abs(x)) ** 2,
    ("spikingjelly", "Rect"): lambda x, a: a * (np.abs(x) < 0.5 / a),
    ("stork", "SuperSpike"): lambda x, b: 1.0 / (b * np.abs(x) + 1.0) ** 2,
    ("stork", "sigmoid"): lambda x, b: b * _sig(b * x) * (1 - _sig(b * x)),
    ("stork", "scaled_sigmoid"): lambda x, b: _sig(b * x) * (1 - _sig(b * x)),
    ("stork", "EsserSpike"): lambda x, b: np.maximum(0.0, 1 - np.abs(b * x)),
    ("stork", "SuperSpike_asymptote"): lambda x, b: b / (b * np.abs(x) + 1.0) ** 2,
    # stork does not clip p0 e^{x/Δu}; compare below the clip point x = Δu ln(1/p0)
    ("stork", "exponential"): lambda x, du: np.where(
        x < du * np.log(100.0), 0.01 / du * np.exp(x / du), 0.0
    ),
}


def test_every_library_entry_has_a_reference_formula():
    assert set(LIBRARY_FORMULAS) == set(surrogates.LIBRARY_SURROGATES)


@pytest.mark.parametrize("key", sorted(surrogates.LIBRARY_SURROGATES))
def test_from_library_reproduces_the_library_formula(key):
    entry = surrogates.LIBRARY_SURROGATES[key]
    x = np.linspace(-2.0, 2.0, 81) + 0.00731
    for value in {entry.default or 3.0, 7.0}:
        s = surrogates.from_library(*key, value)
        assert s.name == entry.family
        np.testing.assert_allclose(s.derivative(x), LIBRARY_FORMULAS[key](x, value),
                                   rtol=1e-12, atol=1e-12)  # fmt: skip


def test_snntorch_fast_sigmoid_is_rescaled_and_atan_is_cauchy():
    """The issue's example: fast_sigmoid(slope=25) is the matched density times 2/25, so a
    port that used fast_sigmoid(β=25) would get a gradient 12.5× too large."""
    port = surrogates.from_library("snntorch", "fast_sigmoid", 25.0)
    matched = surrogates.fast_sigmoid(25.0)
    assert port.scale == pytest.approx(2 / 25)
    assert float(matched.derivative(0.1) / port.derivative(0.1)) == pytest.approx(12.5)
    assert surrogates.from_library("snntorch", "atan", 2.0) == surrogates.cauchy(2.0)


def test_scaled_surrogate_keeps_its_noise_and_scales_the_gradient():
    s = surrogates.laplace(2.0).scaled(3.0)
    x = np.array([-0.4, 0.2])
    np.testing.assert_allclose(s.derivative(x), 3.0 * surrogates.laplace(2.0).derivative(x))
    np.testing.assert_array_equal(s.noise_cdf(x), surrogates.laplace(2.0).noise_cdf(x))
    assert stochad.grad(lambda u: stochad.heaviside(u, s))(0.2) == pytest.approx(
        float(s.derivative(0.2))
    )
    assert repr(s) == "surrogates.laplace(beta=2.0).scaled(3.0)"


@pytest.mark.parametrize("forward", [surrogates.logistic(50.0), surrogates.gaussian(30.0)])
def test_with_surrogate_forward_and_backward(forward):
    """grad and smoothed forward mode use the surrogate; unbiased triples the forward's own
    derivative, so their estimates stay unbiased for the program as written."""
    sg = surrogates.fast_sigmoid(4.0)
    x = 0.013

    def f(u):
        return surrogates.with_surrogate(u, forward, sg)

    assert float(f(x)) == pytest.approx(float(forward.noise_cdf(x)))
    assert stochad.grad(f)(x) == pytest.approx(float(sg.derivative(x)))
    assert stochad.derivative_estimate(f, x, backend="smoothed") == pytest.approx(
        float(sg.derivative(x))
    )
    assert stochad.derivative_estimate(f, x) == pytest.approx(float(forward.derivative(x)))


def test_with_surrogate_step_forward_has_exact_jumps_for_triples():
    """A step forward: derivative 0 almost everywhere, jumps carried exactly."""
    sg = surrogates.logistic(1.0)

    def f(p):
        return surrogates.with_surrogate(stochad.bernoulli(p) - 0.5, np.sign, sg)

    r = stochad.expected_derivative(f, 0.3, 400, rng=0)  # E = 2p − 1
    assert abs(r.mean - 2.0) < 5 * r.stderr
    assert stochad.grad(lambda u: surrogates.with_surrogate(u, np.sign, sg))(0.0) == 0.25


def test_library_and_with_surrogate_bad_input():
    with pytest.raises(ValueError, match="unknown surrogate"):
        surrogates.from_library("snntorch", "nope")
    with pytest.raises(ValueError, match="no default"):
        surrogates.from_library("norse", "tanh")
    with pytest.raises(ValueError, match="slope"):
        surrogates.from_library("snntorch", "fast_sigmoid", -1.0)
    with pytest.raises(ValueError, match="factor"):
        surrogates.logistic(1.0).scaled(0.0)
    with pytest.raises(TypeError, match="beta"):
        surrogates.logistic("a")
    with pytest.raises(TypeError, match="forward"):
        surrogates.with_surrogate(0.0, 3.0, surrogates.logistic(1.0))
    with pytest.raises(TypeError, match="forward_derivative"):
        surrogates.with_surrogate(0.0, surrogates.logistic(1.0), surrogates.logistic(1.0),
                                  forward_derivative=np.cos)  # fmt: skip
    with pytest.raises(TypeError, match="Surrogate"):
        surrogates.with_surrogate(0.0, np.sign, "logistic")


@pytest.mark.parametrize("beta_sg", [15.0, 25.0])
def test_with_surrogate_reproduces_the_sign_flip_of_gygax_zenke_fig4(beta_sg):
    """g = σ_βf(w), h_i = σ_βf(v_i g), y = σ_βf(h1 − h2), β_f = 100, v = (0.05, 0.1): at
    w = 0 the true dy/dw (unbiased forward mode, here a plain derivative) is +0.70 and the
    surrogate gradient with β_SG = 15 or 25 is negative (−1.58, −2.98)."""
    steep, soft = surrogates.logistic(100.0), surrogates.logistic(beta_sg)

    def y(w):
        def act(z):
            return surrogates.with_surrogate(z, steep, soft)

        g = act(w)
        return act(act(0.05 * g) - act(0.1 * g))

    true = stochad.derivative_estimate(y, 0.0)
    sg = stochad.grad(y)(0.0)
    assert true == pytest.approx(0.7025, abs=1e-4)
    assert sg == pytest.approx({15.0: -1.5842, 25.0: -2.9777}[beta_sg], abs=1e-4)
    h = 1e-6
    assert true == pytest.approx((float(y(h)) - float(y(-h))) / (2 * h), rel=1e-5)
