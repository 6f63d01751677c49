"""Smoothed derivatives of spiking networks: forward mode == reverse mode, one neuron ==
the derivative of its expected output, and what a mismatched surrogate changes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stochad
from stochad import snn, surrogates
from tests.snn.networks import FAMILIES, problem, quadratic_loss, target_like


@settings(max_examples=20)
@given(problem(mismatched=None), st.integers(0, 2**31))
def test_forward_mode_rtrl_equals_bptt_along_a_direction(case, seed):
    """derivative_estimate(backend="smoothed") along d == smoothed gradient · d."""
    net, params, inputs, rng = case
    target = target_like(inputs, net, rng)
    g = np.random.default_rng(seed)
    direction = {k: g.normal(size=v.shape) for k, v in params.items()}
    _, grad = snn.value_and_grad(
        quadratic_loss, params, inputs, target, network=net, method="smoothed", rng=rng
    )
    forward = snn.directional_derivative(
        quadratic_loss, params, inputs, target, network=net, direction=direction,
        backend="smoothed", rng=rng,
    )  # fmt: skip
    reverse = sum(float(np.sum(grad[k] * direction[k])) for k in params)
    assert forward.mean == pytest.approx(reverse, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("name", FAMILIES)
def test_one_binary_unit_smoothed_equals_derivative_of_expected_output(name):
    """y ~ Bernoulli(F(w x + b)): the smoothed gradient is F′(w x + b)·(x, 1) on every
    draw, which is d E[y] / d(w, b); the surrogate kernels give the same."""
    noise = surrogates.SURROGATES[name](beta=2.0)
    net = snn.Network(1, [snn.BinaryDense(1, spike=snn.EscapeNoise(noise))])
    params = {"W0": np.array([[0.3]]), "b0": np.array([-0.1])}
    x = 0.7
    inputs = np.full((50, 1, 1), x)
    exact = float(noise.derivative(0.3 * x - 0.1))
    for method in ("smoothed", "surrogate"):
        _, g = snn.value_and_grad(lambda out: stochad.mean(out), params, inputs, network=net,
                                  method=method, rng=1)  # fmt: skip
        assert g["W0"][0, 0] == pytest.approx(exact * x, rel=1e-12)
        assert g["b0"][0] == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize("detach", [False, True])
def test_one_lif_neuron_smoothed_mean_equals_derivative_of_expected_spike(detach):
    """E[S[2]] = (1 − F(−θ)) F((1−λm) w − θ) + F(−θ)·F(−θ) for constant input 1
    (next-step reset: S[1] ~ Bernoulli(F(−θ)) silences U[2]); S[1] does not depend on w,
    so the reset's path carries no derivative and detaching changes nothing."""
    noise = surrogates.logistic(3.0)
    layer = snn.LIF(1, threshold=0.5, detach_reset=detach, spike=snn.EscapeNoise(noise))
    net = snn.Network(1, [layer])
    w = 2.0
    lm, theta = layer.lambda_mem, 0.5
    q = float(noise.noise_cdf(-theta))
    exact = (1 - q) * float(noise.derivative((1 - lm) * w - theta)) * (1 - lm)
    inputs = np.ones((4000, 3, 1))
    r = snn.value_and_grad(lambda out: stochad.mean(out[:, 2, :]), {"W0": np.array([[w]])},
                           inputs, network=net, method="smoothed", rng=0, samples=4,
                           return_aux=True)  # fmt: skip
    mean, se = r[1]["W0"][0, 0], r[2]["stderr"]["W0"][0, 0]
    assert abs(mean - exact) < 5 * se
    assert se < 0.02 * exact  # the test can fail: the estimate is sharp


def test_mismatched_surrogate_rescales_by_the_density_ratio():
    """β_SG = 2 β_N on a logistic unit: the gradient is multiplied by
    σ′_{2β}(x)/σ′_β(x) (2 at x = 0, less away from it); same spikes, same value."""
    noise, sg = surrogates.logistic(4.0), surrogates.logistic(8.0)
    x = 0.15
    params = {"W0": np.array([[x]]), "b0": np.zeros(1)}
    inputs = np.ones((20, 1, 1))
    results = {}
    spikes = {"matched": snn.EscapeNoise(noise), "mismatched": snn.EscapeNoise(noise, sg)}
    for name, spike in spikes.items():
        net = snn.Network(1, [snn.BinaryDense(1, spike=spike)])
        results[name] = snn.value_and_grad(lambda out: stochad.mean(out), params, inputs,
                                           network=net, method="smoothed", rng=3)  # fmt: skip
    ratio = results["mismatched"][1]["W0"][0, 0] / results["matched"][1]["W0"][0, 0]
    assert results["mismatched"][0] == results["matched"][0]
    assert ratio == pytest.approx(float(sg.derivative(x) / noise.derivative(x)), rel=1e-12)
    assert ratio == pytest.approx(1.5551, abs=1e-4)  # = 2 σ(1.2)(1−σ(1.2)) / (σ(0.6)(1−σ(0.6)))


def test_mismatch_in_a_network_changes_only_gradients_through_spikes():
    """Hidden weights' gradients change; the readout's (no spike derivative on its path)
    do not; the spikes are the same."""
    noise = surrogates.logistic(5.0)
    inputs = (np.random.default_rng(0).random((8, 25, 4)) < 0.4) * 1.0
    grads = []
    for sg in (None, surrogates.logistic(10.0)):
        net = snn.Network(4, [snn.LIF(6, spike=snn.EscapeNoise(noise, sg)), snn.Readout(2)])
        params = net.init_params(rng=1, scale=6.0)
        grads.append(snn.value_and_grad(lambda out: stochad.mean(out ** 2), params, inputs,
                                        network=net, method="surrogate", rng=2)[1])  # fmt: skip
    matched, mismatched = grads
    np.testing.assert_array_equal(matched["W1"], mismatched["W1"])
    change = np.linalg.norm(mismatched["W0"] - matched["W0"]) / np.linalg.norm(matched["W0"])
    assert change > 0.1  # doubling β_SG moves the hidden gradient by more than 10 %
