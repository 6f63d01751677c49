"""The snntorch-like Leaky and the norse-like lif_step follow their libraries' equations."""

from __future__ import annotations

import numpy as np
import pytest

import stochad
from stochad import snn, surrogates


@pytest.mark.parametrize("reset", ["subtract", "zero", "none"])
def test_leaky_follows_snntorch_equations(reset):
    g = np.random.default_rng(0)
    x = g.normal(0.4, 0.5, (30, 3))
    lif = snn.Leaky(beta=0.8, threshold=0.7, reset_mechanism=reset)
    mem, u = lif.init_leaky(), np.zeros(3)
    for t in range(30):
        spk, mem = lif(x[t], mem)
        r = (u > 0.7) * 1.0  # snntorch: the reset from the previous membrane
        u = {"subtract": 0.8 * u + x[t] - 0.7 * r, "zero": 0.8 * (1 - r) * u + x[t],
             "none": 0.8 * u + x[t]}[reset]  # fmt: skip
        np.testing.assert_allclose(mem, u)
        np.testing.assert_array_equal(spk, (u > 0.7) * 1.0)


def test_leaky_gradient_is_the_surrogate_with_the_reset_detached():
    sg = surrogates.from_library("snntorch", "fast_sigmoid", 25.0)
    lif = snn.Leaky(beta=0.5, spike_grad=sg)

    def spikes(w):
        spk1, mem = lif(w * np.ones(1), lif.init_leaky())
        spk2, mem = lif(w * np.ones(1), mem)
        return stochad.sum(spk1 + spk2)

    w = 0.9  # U1 = w, U2 = 1.5 w (no spike at step 1)
    expected = float(sg.derivative(w - 1) + 1.5 * sg.derivative(1.5 * w - 1))
    assert stochad.grad(spikes)(w) == pytest.approx(expected)


def test_escape_noise_leaky_resets_with_the_emitted_sample():
    lif = snn.Leaky(beta=0.9, escape_noise=surrogates.logistic(5.0))
    with stochad.using_rng(0):
        spk, mem = lif(np.full(1000, 1.0), lif.init_leaky())
        with pytest.raises(ValueError, match="spk"):
            lif(np.zeros(1000), mem)
        _, mem2 = lif(np.zeros(1000), mem, spk)
    np.testing.assert_allclose(mem2, 0.9 * mem - spk)  # the very spikes emitted
    assert 0.3 < spk.mean() < 0.7  # P = σ(5·0) = 1/2


def test_lif_step_follows_norse_equations_and_is_differentiable():
    g = np.random.default_rng(1)
    p = snn.LIFParameters(v_th=0.5)
    w, v = g.normal(2.0, 1.0, (4, 3)), g.normal(0.0, 1.0, (4, 4))
    x = (g.random((12, 2, 3)) < 0.5) * 1.0
    state, (z0, v0, i0) = snn.LIFState.initial(2, 4, p), snn.LIFState.initial(2, 4, p)
    for t in range(12):
        z, state = snn.lif_step(x[t], state, w, v, p)
        i_j = i0 + x[t] @ w.T + z0 @ v.T
        v_d = v0 + 0.1 * (-v0 + i_j)
        z0 = (v_d > 0.5) * 1.0
        v0, i0 = (1 - z0) * v_d, 0.8 * i_j
        np.testing.assert_allclose(state.v, v0)
        np.testing.assert_array_equal(z, z0)
    assert 0 < z0.mean() or state.v.max() > 0.1

    def count(weights):
        s, total = snn.LIFState.initial(2, 4, p), 0.0
        for t in range(12):
            z, s = snn.lif_step(x[t], s, weights, v, p)
            total = total + stochad.sum(z)
        return total

    grad = stochad.grad(count)(w)
    direction = g.normal(size=w.shape)
    forward = stochad.derivative_estimate(lambda t: count(w + t * direction), 0.0,
                                          backend="smoothed")  # fmt: skip
    assert forward == pytest.approx(float(np.sum(grad * direction)), rel=1e-9)
    assert np.abs(grad).max() > 0


def test_object_api_bad_input():
    with pytest.raises(ValueError, match="beta"):
        snn.Leaky(beta=1.5)
    with pytest.raises(ValueError, match="reset_mechanism"):
        snn.Leaky(beta=0.5, reset_mechanism="same_step")
    with pytest.raises(ValueError, match="tau_mem_inv"):
        snn.LIFParameters(tau_mem_inv=0.0)
    with pytest.raises(TypeError, match="spike"):
        snn.LIFParameters(spike="super")
